"""calc: a serving-throughput and cost model for large MoE language models.

Pure Python, standard library only. Start with :func:`evaluate`; the parameter schema is
:data:`PARAMS`, the calculations :data:`CALCULATIONS`, the outputs :data:`OUTPUTS`.
"""

from .api import CALCULATIONS, OUTPUTS, Calculation, OutputSpec, evaluate, resolve_gpu, resolve_model
from .errors import CalcError, ConfigError, ParamError
from .model import ModelConfig, from_hf_config, load_config_file
from .presets import GPUS, MODELS, Accelerator
from .schema import PARAMS, Param
from . import scenarios  # noqa: E402,F401  (named whole states, for the pages and the command line)

__all__ = [
    "CALCULATIONS", "OUTPUTS", "PARAMS", "GPUS", "MODELS", "Accelerator", "Calculation", "CalcError",
    "ConfigError", "ModelConfig", "OutputSpec", "Param", "ParamError", "evaluate", "from_hf_config",
    "load_config_file", "resolve_gpu", "resolve_model",
]
__version__ = "0.1.0"


def cli_help() -> str:
    """The command line's ``--help`` text (used by the Reference page)."""
    import os

    from .cli import build_parser

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        return build_parser().format_help()
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old
