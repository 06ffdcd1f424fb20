"""Named scenarios: a whole state of the calculator in one choice.

Each scenario is a set of schema parameters over the defaults, with its source. The
measured deployments are not typed twice: they come from :data:`calc.validate.DEPLOYMENTS`
(model, accelerator and stated settings), and every other setting is the one
:func:`calc.validate.validate` uses for the bound (where a source leaves one out, the value
that gives the highest tight bound; elsewhere the tight model's own defaults), so the tight
bound of a scenario is the figure on the Validation page. "As many sequences as fit" becomes the largest batch the schema allows;
the bound caps it at what fits in HBM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .presets import MODELS
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


def _highest_bound_settings(d, eff: dict) -> dict[str, Any]:
    """The unpublished settings validation uses for deployment ``d``: the combination with
    the highest tight bound (ties: the first tried, as validation reports it)."""
    from .tight import tight_bound
    from .validate import combinations, gpu_of, tight_inputs

    best, best_tps = {}, -1.0
    for combo in combinations(d.unknown):
        s = {"accept_length": 1.0, **d.settings, **combo}
        tps = tight_bound(MODELS[d.model], gpu_of(d), tight_inputs(s, eff))["tokens_per_s_per_gpu"]
        if tps > best_tps * (1 + 1e-9):
            best, best_tps = combo, tps
    return best


def _schema_state(x) -> dict[str, Any]:
    """The schema parameters that give :class:`calc.tight.TightInputs` ``x``."""
    from dataclasses import fields

    out: dict[str, Any] = {}
    for f in fields(x):
        v = getattr(x, f.name)
        if f.name == "reserve_bytes":
            out["hbm_reserve_gb"] = v / 1e9
        elif isinstance(v, bool):
            out[f.name] = "on" if v else "off"
        elif f.name in PARAMS:
            out[f.name] = v
    return out


def _from_deployment(d) -> Scenario:
    """A measured deployment as a whole state: its settings and the unpublished ones validation
    picks, over the defaults validation uses for every setting a source does not give."""
    from .validate import FILL_HBM, tight_inputs

    eff = {k: PARAMS[k].default for k in ("mem_efficiency", "compute_efficiency", "net_efficiency", "attn_efficiency")}
    chosen = _highest_bound_settings(d, eff)
    settings = {"accept_length": 1.0, **d.settings, **chosen}
    if settings.get("batch_per_gpu") == FILL_HBM:
        settings["batch_per_gpu"] = int(PARAMS["batch_per_gpu"].max)  # "as many as fit": the bound caps it
    state = {"model": d.model, "gpu": d.gpu, **_schema_state(tight_inputs(settings, eff))}
    params = {k: (int(v) if PARAMS[k].kind == "int" else v) for k, v in state.items() if v != PARAMS[k].default}
    parts = [f"Measured {d.measured_tokens_per_s_per_gpu:,.0f} tok/s per GPU."]
    if d.stated:
        parts.append(f"Stated: {d.stated}.")
    if chosen:
        parts.append("Not published, set to give the highest bound, as on the Validation page: "
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
    # Decode-only deployments on a stock accelerator preset: a deployment with a changed GPU
    # (fewer NICs than the preset) cannot be written as a state of the schema.
    out += [_from_deployment(d) for d in DEPLOYMENTS if d.group == "decode" and not d.gpu_overrides]
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
