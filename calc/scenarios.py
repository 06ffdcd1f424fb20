"""Named scenarios: a whole state of the calculator in one choice.

Each scenario is a set of schema parameters over the defaults, with its source. The
measured deployments are not typed twice: they come from :data:`calc.validate.DEPLOYMENTS`
(model, accelerator and stated settings), and where a source leaves a setting out the
scenario takes the value :func:`calc.validate.validate` takes for the bound (the one that
gives the highest tight bound), so the tight bound of a scenario is the figure on the
Validation page. "As many sequences as fit" becomes the largest batch the schema allows;
the bound caps it at what fits in HBM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .presets import GPUS, MODELS
from .schema import PARAMS, defaults, describe


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    params: dict[str, Any]  # schema parameters that differ from the defaults
    source: str
    description: str = ""  # what was stated and what is assumed, in words
    measured_tokens_per_s_per_gpu: float | None = None
    chosen: dict[str, Any] = field(default_factory=dict)  # unpublished settings, as validation picks them

    def state(self) -> dict[str, Any]:
        """Every schema parameter: the defaults with this scenario's values over them."""
        return {**defaults(), **self.params}

    def to_json(self) -> dict:
        return {"key": self.key, "label": self.label, "params": self.params, "source": self.source,
                "description": self.description, "measured_tokens_per_s_per_gpu": self.measured_tokens_per_s_per_gpu}


def _highest_bound_settings(d) -> dict[str, Any]:
    """The unpublished settings validation uses for deployment ``d``: the combination with
    the highest tight bound at the default efficiencies (ties: the first tried)."""
    from .tight import tight_bound
    from .validate import _combinations, tight_inputs

    eff = {k: PARAMS[k].default for k in ("mem_efficiency", "compute_efficiency", "net_efficiency")}
    best, best_tps = {}, -1.0
    for combo in _combinations(d.unknown):
        s = {"accept_length": 1.0, **d.settings, **combo}
        tps = tight_bound(MODELS[d.model], GPUS[d.gpu], tight_inputs(s, eff))["tokens_per_s_per_gpu"]
        if tps > best_tps:
            best, best_tps = combo, tps
    return best


def _from_deployment(d) -> Scenario:
    from .validate import FILL_HBM

    settings = {k: (PARAMS["batch_per_gpu"].max if k == "batch_per_gpu" and v == FILL_HBM else v)
                for k, v in d.settings.items()}
    chosen = _highest_bound_settings(d)
    params = {"model": d.model, "gpu": d.gpu, **settings, **chosen}
    params = {k: (int(v) if PARAMS[k].kind == "int" else v) for k, v in params.items()}
    parts = [f"Measured {d.measured_tokens_per_s_per_gpu:,.0f} tok/s per GPU."]
    if d.stated:
        parts.append(f"Stated: {d.stated}.")
    if d.assumed:
        parts.append(f"Assumed: {d.assumed}.")
    if chosen:
        parts.append("Unpublished settings set to the highest bound: "
                     + ", ".join(describe(k, v) for k, v in chosen.items()) + ".")
    return Scenario(d.key, d.label, params, d.source, " ".join(parts), d.measured_tokens_per_s_per_gpu, chosen)


def _scenarios() -> dict[str, Scenario]:
    from .blog import BLOG_INPUTS
    from .validate import DEPLOYMENTS

    out = [
        Scenario("defaults", "The site's defaults", {}, "",
                 "DeepSeek-V3 on H800 SXM, expert-parallel degree 32, 5,000 tokens of context, BF16 KV cache, "
                 "no MTP, 128 sequences per GPU."),
        Scenario("blog-h200-ep8", "Blog post: H200 with EP8",
                 {"gpu": "h200", "ep": 8, "seq_len": BLOG_INPUTS["seq_len"]},
                 "The blog post's placement example (section 4)",
                 "Eight H200s hold one copy of DeepSeek-V3, the experts split eight ways."),
    ]
    out += [_from_deployment(d) for d in DEPLOYMENTS]
    for s in out:
        bad = [k for k in s.params if k not in PARAMS]
        if bad:
            raise ValueError(f"scenario {s.key!r} sets unknown parameters {bad}")
        for k, v in s.params.items():
            PARAMS[k].validate(v)
    return {s.key: s for s in out}


SCENARIOS: dict[str, Scenario] = _scenarios()


def match(state: dict[str, Any], names: tuple[str, ...]) -> str | None:
    """The key of the scenario whose state equals ``state`` on ``names`` (None: no scenario)."""
    for s in SCENARIOS.values():
        full = s.state()
        if all(full[n] == state.get(n, PARAMS[n].default) for n in names):
            return s.key
    return None
