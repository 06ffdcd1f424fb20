"""calc: a serving-throughput and cost model for large MoE language models.

Pure Python, standard library only. Start with :func:`evaluate`; the parameter schema is
:data:`PARAMS`, the calculations :data:`CALCULATIONS`, the outputs :data:`OUTPUTS`.
"""

from .api import CALCULATIONS, OUTPUTS, Calculation, OutputSpec, evaluate, resolve_gpu, resolve_model
from .errors import CalcError, ConfigError, ParamError
from .model import ModelConfig, from_hf_config, load_config_file
from .presets import GPUS, MODELS, Accelerator
from .schema import PARAMS, Param

__all__ = [
    "CALCULATIONS", "OUTPUTS", "PARAMS", "GPUS", "MODELS", "Accelerator", "Calculation", "CalcError",
    "ConfigError", "ModelConfig", "OutputSpec", "Param", "ParamError", "evaluate", "from_hf_config",
    "load_config_file", "resolve_gpu", "resolve_model",
]
__version__ = "0.1.0"
