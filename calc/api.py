"""One entry point: ``evaluate(calculation, params) -> dict``.

The command line, the site build, the browser worker and the tests all call this. Each
calculation names the parameters it reads (so the CLI and the page know which inputs
matter) and the outputs it returns. Values are in SI base units: bytes, bytes/s,
tokens/s, FLOP/s, seconds, USD; fractions as fractions (0.65, not 65).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any, Callable

from . import cost as _cost
from . import notes as _notes
from .blog import blog_figures
from .decode import DEEPSEEK_MEASURED_TOKENS_PER_S_PER_GPU, speed_of_light
from .errors import CalcError, ParamError, printable
from .kv import flashmla_fp8_bytes_per_token_per_layer, kv_size
from .model import ModelConfig, from_hf_config
from .placement import place, reduction_comparison
from .presets import GPUS, MODELS, Accelerator
from .schema import PARAMS, choices_text, unknown_param
from .units import GB


@dataclass(frozen=True)
class OutputSpec:
    name: str
    unit: str
    label: str
    display: str | None = None
    help: str = ""


@dataclass(frozen=True)
class Calculation:
    name: str
    title: str
    params: tuple[str, ...]
    outputs: tuple[str, ...]
    fn: Callable[[dict], dict]
    help: str = ""


_O = [
    OutputSpec("kv_bytes_per_token", "B", "KV cache per token", help="all layers, one token of context"),
    OutputSpec("kv_bytes_per_token_per_layer", "B", "KV cache per token per layer"),
    OutputSpec("kv_bytes_per_user", "B", "KV cache per user", help="one sequence at the context length"),
    OutputSpec("kv_bytes_per_user_binary", "B", "KV cache per user (binary units)", display="binary"),
    OutputSpec("flashmla_fp8_bytes_per_token_per_layer", "B", "FlashMLA FP8 layout, per token per layer",
               help="latent in FP8 + one FP32 scale per 128 values + RoPE key in BF16 (MLA models only)"),
    OutputSpec("flashmla_fp8_multiplier", "", "Gain of FlashMLA's FP8 layout over BF16", display="ratio"),
    OutputSpec("hbm_bw", "B/s", "HBM bandwidth"),
    OutputSpec("hbm_bytes", "B", "HBM capacity"),
    OutputSpec("scale_up_bw", "B/s", "Scale-up bandwidth per direction"),
    OutputSpec("scale_out_bw", "B/s", "Scale-out bandwidth per direction"),
    OutputSpec("bf16_flops", "FLOP/s", "BF16 peak"),
    OutputSpec("fp8_flops", "FLOP/s", "FP8 peak"),
    OutputSpec("fp4_flops", "FLOP/s", "FP4 peak"),
    OutputSpec("user_steps_per_s", "/s", "KV reads per second", help="HBM bandwidth / KV bytes per user"),
    OutputSpec("tokens_per_s_per_gpu", "tok/s", "Tokens/s per GPU"),
    OutputSpec("measured_tokens_per_s_per_gpu", "tok/s", "DeepSeek measured tokens/s per GPU",
               help="14.8k per 8-GPU H800 node, 24-hour average (Day-6 overview)"),
    OutputSpec("over_measured", "", "Bound over measured", display="ratio"),
    OutputSpec("usd_per_million_tokens", "USD", "Cost per million output tokens"),
    OutputSpec("routed_experts_per_gpu", "experts", "Routed experts per GPU per layer", display="int"),
    OutputSpec("expert_weight_bytes_per_gpu", "B", "Routed-expert weights per GPU"),
    OutputSpec("non_expert_weight_bytes_per_gpu", "B", "Other weights per GPU",
               help="attention, dense layers, shared experts, router, embedding, head"),
    OutputSpec("weight_bytes_per_gpu", "B", "Weights per GPU"),
    OutputSpec("kv_budget_bytes_per_gpu", "B", "HBM left for KV per GPU"),
    OutputSpec("users_per_gpu", "users", "Users per GPU", display="users", help="average concurrent sequences"),
    OutputSpec("bytes_read_per_step", "B", "Bytes read per decode step"),
    OutputSpec("steps_per_s", "/s", "Decode steps per second", help="full-memory reads per second"),
    OutputSpec("fits", "", "Weights fit"),
    OutputSpec("reduction_gpus_tp", "GPUs", "GPUs in one token's reduction, TP", display="int"),
    OutputSpec("reduction_gpus_ep", "GPUs", "GPUs in one token's reduction, EP (at most)", display="int"),
    OutputSpec("reduction_ratio", "", "TP over EP", display="ratio"),
    OutputSpec("tp_bytes_per_token_per_layer", "B", "TP all-reduce bytes per token per MoE layer"),
    OutputSpec("ep_bytes_per_token_per_layer", "B", "EP dispatch + combine bytes per token per MoE layer"),
    OutputSpec("tp_bytes_per_token", "B", "TP all-reduce bytes per token"),
    OutputSpec("ep_bytes_per_token", "B", "EP dispatch + combine bytes per token"),
    OutputSpec("tokens_per_gpu_hour", "tok", "Tokens per GPU-hour"),
    OutputSpec("gpu_hour_usd", "USD", "GPU-hour price"),
    OutputSpec("total_params", "params", "Total parameters"),
    OutputSpec("active_params", "params", "Activated parameters per token"),
    OutputSpec("stated_total_params", "params", "Total parameters, as the model's authors state"),
    OutputSpec("stated_active_params", "params", "Activated parameters, as the model's authors state"),
    # DeepSeek's day
    OutputSpec("avg_nodes", "nodes", "Average nodes", display="given"),
    OutputSpec("gpus", "GPUs", "GPUs (average)", display="count"),
    OutputSpec("daily_cost_usd", "USD", "Daily cost"),
    OutputSpec("published_cost_usd", "USD", "Published daily cost", display="given"),
    OutputSpec("revenue_recomputed_usd", "USD", "Theoretical revenue, recomputed"),
    OutputSpec("published_revenue_usd", "USD", "Published theoretical revenue", display="given"),
    OutputSpec("margin", "", "Cost profit margin", display="percent"),
    OutputSpec("margin_recomputed", "", "Margin with recomputed revenue", display="percent"),
    OutputSpec("published_margin", "", "Published margin", display="percent"),
    OutputSpec("cache_hit_share", "", "Input tokens hitting the KV cache", display="percent"),
    OutputSpec("decode_nodes", "nodes", "Decode nodes implied", display="count"),
    OutputSpec("prefill_nodes", "nodes", "Prefill nodes implied", display="count"),
    OutputSpec("nodes_check", "nodes", "Decode + prefill nodes", display="count"),
    OutputSpec("decode_tokens_per_s_per_gpu", "tok/s", "Decode tokens/s per GPU"),
    OutputSpec("decode_usd_per_million_tokens", "USD", "Decode cost per million output tokens"),
    OutputSpec("output_tokens_per_day", "tok", "Output tokens per day", display="billions"),
    OutputSpec("input_tokens_per_day", "tok", "Input tokens per day", display="billions"),
    OutputSpec("cache_hit_tokens_per_day", "tok", "Input tokens per day that hit the cache", display="billions"),
    OutputSpec("seconds_per_day", "s", "Seconds per day"),
    OutputSpec("fp8_multiplier", "", "FP8 KV multiplier", display="ratio"),
    OutputSpec("accept_multiplier", "", "MTP multiplier", display="ratio"),
    OutputSpec("combined_multiplier", "", "Combined multiplier", display="ratio"),
    OutputSpec("baseline_tokens_per_s_per_gpu", "tok/s", "Bound with BF16 KV, no MTP"),
    OutputSpec("note", "", "Note", help="why a result is zero or n/a, and which input fixes it (calc.notes)"),
]
OUTPUTS: dict[str, OutputSpec] = {o.name: o for o in _O}


# ---- resolving presets and custom models ----------------------------------------------

def resolve_model(value: Any) -> ModelConfig:
    if isinstance(value, ModelConfig):
        return value
    if isinstance(value, dict):
        return from_hf_config(value)
    return MODELS[PARAMS["model"].validate(value)]


def resolve_gpu(value: Any) -> Accelerator:
    if isinstance(value, Accelerator):
        return value
    return GPUS[PARAMS["gpu"].validate(value)]


def _prep(names: tuple[str, ...], params: dict) -> dict:
    """Validated values for ``names``: defaults filled in, presets resolved."""
    out: dict[str, Any] = {}
    for n in names:
        raw = params.get(n, PARAMS[n].default) if n in PARAMS else params.get(n)
        if n == "model":
            out["model"] = resolve_model(raw)
        elif n == "gpu":
            out["gpu"] = resolve_gpu(raw)
        else:
            out[n] = PARAMS[n].validate(raw)
    return out


# ---- calculations -----------------------------------------------------------------------

def _kv(p: dict) -> dict:
    m = p["model"]
    kv = kv_size(m, p["kv_dtype"])
    per_user = kv.bytes_per_user(p["seq_len"])
    fl = flashmla_fp8_bytes_per_token_per_layer(m)
    bf16 = kv_size(m, "bf16").bytes_per_token_per_layer
    return {
        "kv_bytes_per_token_per_layer": kv.bytes_per_token_per_layer,
        "kv_bytes_per_token": kv.bytes_per_token,
        "kv_bytes_per_user": per_user,
        "kv_bytes_per_user_binary": per_user,
        "flashmla_fp8_bytes_per_token_per_layer": fl,
        "flashmla_fp8_multiplier": bf16 / fl if fl else None,
    }


#: The setting of DeepSeek's measured 1,850 tokens/s per H800 (Day-6 overview of
#: deepseek-ai/open-infra-index, 2025-03-01): DeepSeek-V3/R1 (one architecture) on H800, an
#: average KV length of 4,989 tokens.
MEASURED_MODELS = ("deepseek-v3", "deepseek-r1")
MEASURED_GPU = "h800"
MEASURED_SEQ_LEN = 4989
#: context lengths compared with that measurement: within a factor of 1.25 of its average
MEASURED_SEQ_LEN_FACTOR = 1.25


def matches_measurement(model: ModelConfig, gpu: Accelerator, seq_len: float) -> bool:
    """Whether a bound for ``model`` on ``gpu`` at ``seq_len`` may be set beside DeepSeek's
    measured 1,850 tokens/s per GPU: the same model and GPU, and a context within a factor
    of 1.25 of the measured average (4,989 tokens), so the bound is not off by the 1/context
    law alone. Anything else (Llama on H800, 131,072 tokens, a B200) is not compared."""
    lo, hi = MEASURED_SEQ_LEN / MEASURED_SEQ_LEN_FACTOR, MEASURED_SEQ_LEN * MEASURED_SEQ_LEN_FACTOR
    same_model = model.name in MEASURED_MODELS or _architecture(model) == _architecture(MODELS[MEASURED_MODELS[0]])
    return same_model and gpu.name == MEASURED_GPU and lo <= seq_len <= hi


def _architecture(m: ModelConfig) -> ModelConfig:
    """The model without its names, notes and published totals (every text field but the
    attention kind): DeepSeek-V3's own config.json loaded by a user is still DeepSeek-V3."""
    blank = {f.name: "" for f in fields(ModelConfig) if f.type == "str" and f.name != "attention"}
    return replace(m, **blank, stated_total_params=0.0, stated_active_params=0.0)


def _sol(p: dict) -> dict:
    s = speed_of_light(p["model"], p["gpu"], p["seq_len"], p["kv_dtype"], p["accept_length"])
    base = speed_of_light(p["model"], p["gpu"], p["seq_len"], "bf16", 1.0)
    compared = matches_measurement(p["model"], p["gpu"], p["seq_len"])
    return {
        "kv_bytes_per_token": s.kv_bytes_per_token,
        "kv_bytes_per_user": s.kv_bytes_per_user,
        "hbm_bw": s.hbm_bw,
        "user_steps_per_s": s.user_steps_per_s,
        "tokens_per_s_per_gpu": s.tokens_per_s_per_gpu,
        # None ("n/a") where the measurement is of another model, GPU or context
        "measured_tokens_per_s_per_gpu": DEEPSEEK_MEASURED_TOKENS_PER_S_PER_GPU if compared else None,
        "over_measured": s.tokens_per_s_per_gpu / DEEPSEEK_MEASURED_TOKENS_PER_S_PER_GPU if compared else None,
        "usd_per_million_tokens": _cost.usd_per_million_tokens(s.tokens_per_s_per_gpu, p["gpu_hour_usd"]),
        "baseline_tokens_per_s_per_gpu": base.tokens_per_s_per_gpu,
        "fp8_multiplier": base.kv_bytes_per_user / s.kv_bytes_per_user,
        "accept_multiplier": p["accept_length"],
        "combined_multiplier": s.tokens_per_s_per_gpu / base.tokens_per_s_per_gpu,
    }


def _capacity(p: dict) -> dict:
    pl = place(p["model"], p["gpu"], p["seq_len"], p["ep"], p["tp"], p["kv_dtype"], p["accept_length"],
               p["hbm_reserve_gb"] * GB, p["redundant_experts"])
    return {
        "routed_experts_per_gpu": pl.routed_experts_per_gpu,
        "expert_weight_bytes_per_gpu": pl.expert_weight_bytes_per_gpu,
        "non_expert_weight_bytes_per_gpu": pl.non_expert_weight_bytes_per_gpu,
        "weight_bytes_per_gpu": pl.weight_bytes_per_gpu,
        "hbm_bytes": pl.hbm_bytes,
        "kv_budget_bytes_per_gpu": pl.kv_budget_bytes_per_gpu,
        "kv_bytes_per_user": pl.kv_bytes_per_user,
        "users_per_gpu": pl.users_per_gpu,
        "bytes_read_per_step": pl.bytes_read_per_step,
        "steps_per_s": pl.steps_per_s,
        "tokens_per_s_per_gpu": pl.tokens_per_s_per_gpu,
        "fits": pl.fits,
        "usd_per_million_tokens": (_cost.usd_per_million_tokens(pl.tokens_per_s_per_gpu, p["gpu_hour_usd"])
                                   if pl.tokens_per_s_per_gpu > 0 else None),
        "note": _notes.capacity_note(p),
    }


def _comm(p: dict) -> dict:
    r = reduction_comparison(p["model"], p["moe_gpus"], p["moe_gpus"])
    return {
        "reduction_gpus_tp": r.gpus_tp, "reduction_gpus_ep": r.gpus_ep, "reduction_ratio": r.ratio,
        "tp_bytes_per_token_per_layer": r.tp_bytes_per_token_per_layer,
        "ep_bytes_per_token_per_layer": r.ep_bytes_per_token_per_layer,
        "tp_bytes_per_token": r.tp_bytes_per_token, "ep_bytes_per_token": r.ep_bytes_per_token,
    }


def _cost_calc(p: dict) -> dict:
    t = p["tokens_per_s_per_gpu"]
    return {
        "usd_per_million_tokens": _cost.usd_per_million_tokens(t, p["gpu_hour_usd"]),
        "tokens_per_gpu_hour": t * 3600,
        "gpu_hour_usd": p["gpu_hour_usd"],
    }


def _deepseek_day(p: dict) -> dict:
    return _cost.deepseek_day(p["gpu_hour_usd"])


def _compare_gpus(p: dict) -> dict:
    rows = {}
    for name, g in GPUS.items():
        s = _sol(dict(p, gpu=g))
        rows[name] = {
            "label": g.label,
            "hbm_bytes": g.hbm_bytes,
            "hbm_bw": g.hbm_bw,
            "tokens_per_s_per_gpu": s["tokens_per_s_per_gpu"],
            "over_measured": s["over_measured"],
            "usd_per_million_tokens": s["usd_per_million_tokens"],
        }
    return {"rows": rows}


def _presets(p: dict) -> dict:
    return {
        "models": {k: m.summary() for k, m in MODELS.items()},
        "gpus": {k: g.summary() for k, g in GPUS.items()},
    }


_SWEEP_PARAMS = ("sweep_calc", "sweep_param", "sweep_output", "sweep_from", "sweep_to", "sweep_points",
                 "sweep_scale", "series_param", "series_values")


#: Work one sweep may do, in evaluations of the speed of light (about 0.5 s in CPython and
#: a few seconds in Pyodide on a slow machine): a larger sweep is refused with a message
#: naming the number of points that fits, never run.
SWEEP_BUDGET = 20_000
#: Cost of one point of each sweepable calculation, relative to the speed of light, rounded
#: up (bench/bench_sweep.py prints them: kv 0.5, sol 1, capacity 1.5, cost 0.05, tight 4.4).
SWEEP_COST = {"kv": 1, "sol": 1, "capacity": 2, "cost": 1, "tight": 5}


def sweep_xs(start: float, stop: float, n: int, scale: str, integer: bool) -> list[float]:
    """``n`` values from ``start`` to ``stop`` inclusive, evenly or geometrically spaced
    (geometric steps taken in log space, so no ratio overflows between extreme ends)."""
    if scale == "log":
        if start <= 0 or stop <= 0:
            raise ParamError("sweep_from" if start <= 0 else "sweep_to", start if start <= 0 else stop,
                             "above 0 for a logarithmic spacing")
        a, b = math.log(start), math.log(stop)
        xs = [math.exp(a + (b - a) * i / (n - 1)) for i in range(n)]
    else:
        xs = [start + (stop - start) * i / (n - 1) for i in range(n)]
    xs[0], xs[-1] = start, stop  # exact ends: rounding must not push sweep_to past a parameter's max
    if integer:
        xs = sorted({round(x) for x in xs})
    return xs


def _sweep(p: dict, raw: dict) -> dict:
    calc_name, x_name, y_name = p["sweep_calc"], p["sweep_param"], p["sweep_output"]
    calc = CALCULATIONS.get(calc_name)
    if calc is None:  # a schema choice whose module is not loaded (e.g. "tight")
        raise ParamError("sweep_calc", calc_name,
                         "one of " + choices_text(tuple(c for c in PARAMS["sweep_calc"].choices if c in CALCULATIONS)))
    if x_name not in calc.params:
        raise ParamError("sweep_param", x_name, f"an input of {calc_name}: " + choices_text(
            tuple(n for n in calc.params if PARAMS[n].kind in ("int", "float"))))
    if y_name not in calc.outputs:
        raise ParamError("sweep_output", y_name, f"an output of {calc_name}: " + choices_text(calc.outputs))
    xp = PARAMS[x_name]
    for end in ("sweep_from", "sweep_to"):  # each end must be a value of the swept input
        try:
            xp.validate(p[end])
        except ParamError:
            raise ParamError(end, p[end], xp.allowed(), label=f"{PARAMS[end].label} ({xp.label})") from None
    series_param = p["series_param"]
    if series_param == "none":
        values = [None]
    else:
        sp = PARAMS[series_param]
        values = [v.strip() for v in p["series_values"].split(",") if v.strip()]
        if not values:
            raise ParamError("series_values", p["series_values"], f"a comma-separated list of {sp.label} values")
        for v in values:
            try:
                sp.validate(v)
            except ParamError:
                raise ParamError("series_values", p["series_values"], f"a comma-separated list of {sp.label} values",
                                 f"{printable(v, 16)} is not one") from None
    n_points = p["sweep_points"]
    cost = SWEEP_COST.get(calc_name, max(SWEEP_COST.values()))
    if n_points * len(values) * cost > SWEEP_BUDGET:
        most = SWEEP_BUDGET // (len(values) * cost)
        if most < 2:
            raise ParamError("series_values", p["series_values"],
                             f"at most {SWEEP_BUDGET // (2 * cost):,} values for a sweep of {calc.title.lower()}")
        lines = f"{len(values)} line{'s' if len(values) > 1 else ''}"
        raise ParamError("sweep_points", n_points, f"at most {most:,} for {lines} of {calc.title.lower()}",
                         "a larger sweep would keep the calculator busy too long")
    xs = sweep_xs(p["sweep_from"], p["sweep_to"], n_points, p["sweep_scale"], xp.kind == "int")
    base = _prep(calc.params, raw)
    series = []
    for v in values:
        q = dict(base)
        label = ""
        if v is not None:
            q.update(_prep((series_param,), {series_param: v}))
            label = q["gpu"].label if series_param == "gpu" else (q["model"].label if series_param == "model" else v)
        ys = []
        for x in xs:
            q[x_name] = x
            y = calc.fn(q)[y_name]
            ys.append(y if (y is not None and math.isfinite(y)) else None)
        series.append({"label": label, "key": v, "y": ys})
    yo = OUTPUTS[y_name]
    return {
        "x": xs, "x_name": x_name, "x_label": xp.label, "x_unit": xp.unit,
        "y_name": y_name, "y_label": yo.label, "y_unit": yo.unit, "series": series,
        # a log sweep of a positive output reads best on a log y axis too (1/x laws are lines)
        "y_scale": "log" if p["sweep_scale"] == "log" else "linear",
    }


def _register() -> dict[str, Calculation]:
    mp = ("model", "gpu", "seq_len", "kv_dtype", "accept_length")
    cals = [
        Calculation("kv", "KV-cache size", ("model", "seq_len", "kv_dtype"),
                    ("kv_bytes_per_token_per_layer", "kv_bytes_per_token", "kv_bytes_per_user",
                     "kv_bytes_per_user_binary", "flashmla_fp8_bytes_per_token_per_layer", "flashmla_fp8_multiplier"),
                    _kv, "KV bytes per token and per user"),
        Calculation("sol", "Speed-of-light decode", mp + ("gpu_hour_usd",),
                    ("kv_bytes_per_token", "kv_bytes_per_user", "hbm_bw", "user_steps_per_s", "tokens_per_s_per_gpu",
                     "measured_tokens_per_s_per_gpu", "over_measured", "usd_per_million_tokens",
                     "baseline_tokens_per_s_per_gpu", "fp8_multiplier", "accept_multiplier", "combined_multiplier"),
                    _sol, "HBM bandwidth / KV bytes per user x accepted tokens per step"),
        Calculation("capacity", "Placement and HBM capacity",
                    mp + ("ep", "tp", "redundant_experts", "hbm_reserve_gb", "gpu_hour_usd"),
                    ("routed_experts_per_gpu", "expert_weight_bytes_per_gpu", "non_expert_weight_bytes_per_gpu",
                     "weight_bytes_per_gpu", "hbm_bytes", "kv_budget_bytes_per_gpu", "kv_bytes_per_user",
                     "users_per_gpu", "bytes_read_per_step", "steps_per_s", "tokens_per_s_per_gpu", "fits",
                     "usd_per_million_tokens", "note"),
                    _capacity, "Weights per GPU, HBM left for KV, users, reads/s and tokens/s"),
        Calculation("comm", "TP vs EP reduction", ("model", "moe_gpus"),
                    ("reduction_gpus_tp", "reduction_gpus_ep", "reduction_ratio", "tp_bytes_per_token_per_layer",
                     "ep_bytes_per_token_per_layer", "tp_bytes_per_token", "ep_bytes_per_token"),
                    _comm, "GPUs and bytes in one token's MoE reduction under TP and EP"),
        Calculation("cost", "Cost per million tokens", ("tokens_per_s_per_gpu", "gpu_hour_usd"),
                    ("usd_per_million_tokens", "tokens_per_gpu_hour", "gpu_hour_usd"), _cost_calc,
                    "GPU-hour price / (tokens/s per GPU x 3,600) x 10^6"),
        Calculation("deepseek_day", "DeepSeek's published day", ("gpu_hour_usd",),
                    tuple(_cost.deepseek_day().keys()), _deepseek_day,
                    "Day-6 overview figures recomputed from their inputs"),
        Calculation("compare_gpus", "Speed of light on every accelerator",
                    ("model", "seq_len", "kv_dtype", "accept_length", "gpu_hour_usd"), ("rows",), _compare_gpus,
                    "The speed-of-light bound for each accelerator preset"),
        Calculation("blog", "The seed blog's figures, blog vs exact", (), ("figures", "inputs"),
                    lambda p: blog_figures(), "Each printed figure, recomputed two ways, with the reason"),
        Calculation("presets", "Model and accelerator presets", (), ("models", "gpus"), _presets,
                    "Every preset with its derived figures and source"),
    ]
    return {c.name: c for c in cals}


CALCULATIONS: dict[str, Calculation] = _register()


def register(calc: Calculation) -> None:
    """Add a calculation (used by modules that extend the model, e.g. the tight bound)."""
    CALCULATIONS[calc.name] = calc


def evaluate(calculation: str, params: dict | None = None) -> dict:
    """Evaluate ``calculation`` for ``params`` (missing ones take their defaults).

    ``params['model']`` may be a preset name, a Hugging Face ``config.json`` dict or a
    :class:`ModelConfig`; ``params['gpu']`` a preset name or an :class:`Accelerator`.
    Raises :class:`calc.ParamError` / :class:`calc.ConfigError` (``ValueError``
    subclasses) naming the bad input.
    """
    params = dict(params or {})
    try:
        calc = CALCULATIONS[calculation]
    except KeyError:
        raise ParamError("calculation", calculation, "one of " + choices_text(tuple(CALCULATIONS)),
                         label="Calculation") from None
    unknown = [k for k in params if k not in PARAMS]
    if unknown:
        raise unknown_param(unknown[0], params[unknown[0]])
    # Every value given is checked, also one this calculation (or this sweep) does not read.
    _prep(tuple(params), params)
    if calculation == "sweep":
        p = _prep(_SWEEP_PARAMS, params)
        result = _sweep(p, {k: v for k, v in params.items() if k not in _SWEEP_PARAMS})
    else:
        result = calc.fn(_prep(calc.params, params))
    _check_finite(calc, result)
    return result


def _check_finite(calc: Calculation, result: Any) -> None:
    """Every number of a result is finite: within the schema's ranges the model never
    overflows (the fuzz tests hold it to that), and should it ever, the reader gets a
    message instead of inf or NaN."""
    stack = [result]
    while stack:
        o = stack.pop()
        if isinstance(o, float):
            if not math.isfinite(o):
                raise CalcError(f"{calc.title} overflows for these inputs; try values nearer the defaults")
        elif isinstance(o, dict):
            stack.extend(o.values())
        elif isinstance(o, (list, tuple)):
            stack.extend(o)


# ---- the tighter bound, the intensity question, interactivity, validation --------------

from . import estimate as _estimate  # noqa: E402
from . import measured as _measured  # noqa: E402
from . import tight as _tight  # noqa: E402
from . import validate as _validate  # noqa: E402

_TIGHT_PARAMS = ("model", "gpu", "seq_len", "kv_dtype", "accept_length", "ep", "tp", "redundant_experts",
                 "hbm_reserve_gb", "batch_per_gpu", "mem_efficiency", "compute_efficiency", "net_efficiency",
                 "overlap", "count_weights", "count_compute", "count_network", "moe_parallel", "gemm_dtype",
                 "attn_dtype", "expert_dtype", "gpu_hour_usd", "attn_efficiency", "ep_comm", "link_rates",
                 "verify_tokens", "kernel_rates")

for _o in [
    OutputSpec("batch_per_gpu", "sequences", "Batch per GPU used", display="int"),
    OutputSpec("max_batch_per_gpu", "sequences", "Most sequences that fit per GPU", display="users"),
    OutputSpec("batch_capped", "", "Batch capped by HBM"),
    OutputSpec("query_tokens_per_step", "tokens", "Query tokens per sequence per step", display="int"),
    OutputSpec("mtp_weight_read_bytes", "B", "MTP module bytes read per step",
               help="the draft module's weights and the shared output head, per draft pass"),
    OutputSpec("mtp_flops", "FLOP", "MTP module FLOPs per step"),
    OutputSpec("attention_compute_time_s", "s", "Attention compute time per step"),
    OutputSpec("kv_read_bytes", "B", "KV bytes read per step"),
    OutputSpec("weight_read_bytes", "B", "Weight bytes read per step"),
    OutputSpec("expert_weight_read_bytes", "B", "Routed-expert bytes read per step"),
    OutputSpec("experts_touched_per_layer", "experts", "Hosted experts touched per layer"),
    OutputSpec("memory_bytes", "B", "HBM bytes per step"),
    OutputSpec("linear_flops", "FLOP", "Linear-layer FLOPs per step"),
    OutputSpec("attention_flops", "FLOP", "Attention FLOPs per step"),
    OutputSpec("scale_up_bytes", "B", "Scale-up (NVLink) bytes per step"),
    OutputSpec("scale_out_bytes", "B", "Scale-out (NIC) bytes per step"),
    OutputSpec("memory_time_s", "s", "Memory time per step"),
    OutputSpec("compute_time_s", "s", "Compute time per step"),
    OutputSpec("network_time_s", "s", "Network time per step"),
    OutputSpec("step_time_s", "s", "Step time"),
    OutputSpec("step_time_max_s", "s", "Step time, perfect overlap",
               help="the slowest of memory, compute and network: the bound"),
    OutputSpec("step_time_sum_s", "s", "Step time, no overlap"),
    OutputSpec("tokens_per_s_per_gpu_max", "tok/s", "Tokens/s per GPU, perfect overlap"),
    OutputSpec("tokens_per_s_per_gpu_sum", "tok/s", "Tokens/s per GPU, no overlap"),
    OutputSpec("tokens_per_s_per_user", "tok/s", "Tokens/s per user"),
    OutputSpec("binding", "", "Binding resource"),
    OutputSpec("attn_intensity", "FLOP/B", "Attention arithmetic intensity"),
    OutputSpec("ridge", "FLOP/B", "Ridge point in practice",
               help="at the rates kernels reach in practice: attention FLOP/s at the sustained clock x attention "
                    "efficiency over the bytes/s it reads (HBM bandwidth x HBM efficiency)"),
    OutputSpec("ridge_peak", "FLOP/B", "Ridge point at the spec peak", help="peak FLOP/s over HBM bandwidth"),
    OutputSpec("ridge_sustained", "FLOP/B", "Ridge point at the sustained clock"),
    OutputSpec("attn_bound", "", "Attention in practice is bound by",
               help="at the rates kernels reach in practice (sustained clock, measured kernel rates)"),
    OutputSpec("attn_bound_peak", "", "Attention at peak spec is bound by",
               help="at the spec sheet's peak FLOP/s and HBM bandwidth"),
    OutputSpec("mtp_crossover_accept_length", "tokens/step", "Query tokens per step where attention turns compute bound"),
    OutputSpec("naive_tokens_per_s_per_gpu", "tok/s", "Speed-of-light bound"),
    OutputSpec("tight_tokens_per_s_per_gpu", "tok/s", "Tight bound"),
    OutputSpec("measured_over_naive", "", "Measured / speed of light", display="percent"),
    OutputSpec("measured_over_tight", "", "Measured / tight bound", display="percent"),
    OutputSpec("geomean_measured_over_naive", "", "Measured / speed of light, geo. mean", display="percent"),
    OutputSpec("geomean_measured_over_tight", "", "Measured / tight, geo. mean", display="percent"),
    OutputSpec("geomean_estimate_over_tight", "", "Estimate / tight, geo. mean", display="percent"),
    OutputSpec("all_below_tight", "", "All measurements under the bound"),
    # from the tight bound to the measurement, one step at a time (calc.validate.gap)
    OutputSpec("gap_settings", "", "Settings left open", display="ratio",
               help="the bound at the estimate's choice of what the source leaves open (batch, accept length) over "
                    "the bound at the most favourable choice"),
    OutputSpec("gap_clock", "", "Sustained clock", display="ratio",
               help="the sustained clock instead of the boost clock, where arithmetic is on the step's path"),
    OutputSpec("gap_schedule", "", "Engine's schedule", display="ratio",
               help="kernels one after another, the engine's micro-batches (each reads the weights) and the network "
                    "its schedule leaves exposed, every kernel and link still at the bound's best rates"),
    OutputSpec("gap_kernel_rates", "", "Typical kernel rates", display="ratio",
               help="each kind of kernel and link at the rate it typically reaches instead of "
                    "the best ever measured, with the per-call costs measured whole (a fused MoE call's fixed "
                    "time, an all-reduce's latency)"),
    OutputSpec("gap_expert_load", "", "Uneven expert load", display="ratio",
               help="the busiest GPU's share of the expert work sets the pace"),
    OutputSpec("gap_overheads", "", "Overheads and CPU time", display="ratio",
               help="the fitted overhead factor and fixed time per step (leave-one-out), CPU time the engine "
                    "does not hide, and the prefill pauses a figure counts where prefill shares the GPUs"),
    OutputSpec("gap_residual", "", "Unexplained", display="ratio",
               help="measured / estimate: above one, the deployment beat its estimate"),
    OutputSpec("gap_geomean", "", "Steps from bound to measurement, geo. mean",
               help="each step's factor averaged (geometric mean) over the decode-only rows; their product is the "
                    "geometric mean of measured / tight"),
    # the estimate and its validation
    OutputSpec("estimate_tokens_per_s_per_gpu", "tok/s", "Estimate",
               help="leave-one-out: fitted without this deployment"),
    OutputSpec("estimate_error", "", "Estimate error (leave-one-out)", display="signed_percent",
               help="estimate / measured - 1, with the overheads fitted without this deployment"),
    OutputSpec("estimate_step_time_s", "s", "Estimated step time",
               help="leave-one-out: the time of one decode step, prefill pauses included where the figure counts them"),
    OutputSpec("estimate_prefill_pause_s", "s", "Prefill pauses per step",
               help="where prefill runs on the same GPUs and the figure is a time per output token: the time per "
                    "step spent prefilling newcomers' prompts"),
    OutputSpec("estimate_prefill_s", "s", "Prefill of one prompt",
               help="where prefill runs on the same GPUs: the prefill estimate's time for one newcomer's prompt on "
                    "the row's GPUs"),
    OutputSpec("measured_first_token_s", "s", "Measured time to first token",
               help="the benchmark's own mean at the same load, where it publishes one; a prompt is prefilled "
                    "within it"),
    OutputSpec("estimate_max_prefill_pause_s", "s", "Most the pauses can cost per step",
               help="the prefill pauses if each newcomer's prompt took its whole measured time to first token"),
    OutputSpec("estimate_at_max_pause_tokens_per_s_per_gpu", "tok/s", "Estimate with the most pauses",
               help="leave-one-out, with the most the prefill pauses can cost in place of the prefill estimate's"),
    OutputSpec("estimate_at_max_pause_error", "", "Error with the most pauses", display="signed_percent",
               help="that estimate / measured - 1"),
    OutputSpec("estimate_documented_order_tokens_per_s_per_gpu", "tok/s", "Estimate in the engine's own order",
               help="leave-one-out, with the micro-batches overlapped in the order the engine documents, where the "
               "estimate keeps another; shown, not fitted"),
    OutputSpec("estimate_documented_order_error", "", "Error in the engine's own order", display="signed_percent",
               help="that estimate / measured - 1"),
    OutputSpec("estimate_mape", "", "Mean error, leave-one-out", display="percent"),
    OutputSpec("estimate_mape_in_sample", "", "Mean error, in-sample", display="percent"),
    OutputSpec("estimate_max_abs_error", "", "Largest error, leave-one-out", display="percent"),
    OutputSpec("estimate_worst_row", "", "Deployment with the largest error",
               help="the key of the decode-only row whose leave-one-out error is largest"),
    OutputSpec("estimate_mape_nvidia", "", "Mean absolute error of the estimate, NVIDIA rows", display="percent",
               help="leave-one-out, over the decode-only rows on NVIDIA GPUs (the rows the estimate is fitted to)"),
    OutputSpec("estimate_max_abs_error_nvidia", "", "Largest error of the estimate, NVIDIA rows", display="percent",
               help="leave-one-out, over the decode-only rows on NVIDIA GPUs"),
    OutputSpec("estimate_outside_nvidia_rows", "", "NVIDIA deployments outside the largest-error target",
               help="keys of the decode-only rows on NVIDIA GPUs whose leave-one-out error exceeds the target"),
    OutputSpec("estimate_worst_nvidia_row", "", "NVIDIA deployment with the largest error",
               help="the key of the decode-only row on an NVIDIA GPU whose leave-one-out error is largest"),
    OutputSpec("estimate_binding", "", "Estimate: resource taking most of the step"),
    OutputSpec("overhead_factor", "", "Fitted overhead factor", display="ratio"),
    OutputSpec("step_overhead_s", "s", "Fitted time per step"),
    OutputSpec("blackwell_attention_share", "", "Fitted Blackwell attention share", display="ratio",
               help="share of Hopper's measured attention efficiency that decode attention reaches on Blackwell"),
    OutputSpec("blackwell_attention_share_kernel_low", "", "Blackwell attention share of the kernel benchmark, low",
               display="ratio", help="TensorRT-LLM's MLA decode kernel alone on a B200 (FP8, 8K context, batch 512): "
               "its share of the B200's FP8 peak at the boost clock over FlashMLA's share on the H800; shown beside "
               "the fitted share, not used"),
    OutputSpec("blackwell_attention_share_kernel_high", "", "Blackwell attention share of the kernel benchmark, high",
               display="ratio", help="the same at the B200's sustained clock (1,580 of 1,965 MHz, flashinfer PR 2899), "
               "if the benchmark's back-to-back calls ran at it"),
    OutputSpec("cdna4_attention_share", "", "MI355X attention share (measured kernel)", display="ratio",
               help="AITER's MLA decode kernel alone on an MI355X (FP8, 8K context, batch 512): its share of the FP8 "
               "peak over FlashMLA's on the H800; the estimate uses it on CDNA4"),
    OutputSpec("deepep_ll_independent_slowdown", "", "DeepEP low-latency, independent measurement against the README",
               display="percent", help="Perplexity's DeepEP-on-ConnectX-7 times (pplx-garden, arXiv 2510.27656) against "
               "DeepEP's README table at EP16 to EP64: the largest excess, dispatch or combine"),
    OutputSpec("cdna3_attention_share", "", "MI300X attention share (measured kernel)", display="ratio",
               help="AITER's MLA decode kernel alone on an MI300X (BF16, 8K context, batch 128, AMD's tutorial): its "
               "share of the BF16 peak over FlashMLA's on the H800; the estimate uses it on CDNA3 (MI300X, MI325X)"),
    OutputSpec("cpu_step_s", "s", "CPU time per step without overlap",
               help="SGLang: 2 / 51.0 - 2 / 60.4 tok/s per GPU; recomputed without the 60.4 row when it is held out"),
    OutputSpec("tight_one_token_per_step", "tok/s", "Tight bound counting one token per step",
               help="the bound in the counting a source may have used with MTP on: one token per step, MTP's work done"),
    OutputSpec("decode_rows", "deployments", "Decode-only deployments", display="int"),
    OutputSpec("mixed_rows", "deployments", "Prefill + decode deployments (not counted)", display="int"),
    OutputSpec("error_low", "", "Estimate band, below", display="percent",
               help="measured throughput has been up to this much below the estimate (leave-one-out, deployments "
                    "on GPUs of the same vendor; in the validation, NVIDIA's)"),
    OutputSpec("error_high", "", "Estimate band, above", display="percent",
               help="measured throughput has been up to this much above the estimate (leave-one-out, deployments "
                    "on GPUs of the same vendor; in the validation, NVIDIA's)"),
    OutputSpec("amd_error_low", "", "Estimate band on AMD GPUs, below", display="percent",
               help="the NVIDIA band widened by the AMD rows, which check the estimate without entering its fit"),
    OutputSpec("amd_error_high", "", "Estimate band on AMD GPUs, above", display="percent",
               help="the NVIDIA band widened by the AMD rows, which check the estimate without entering its fit"),
    OutputSpec("nvidia_rows", "deployments", "Decode-only deployments on NVIDIA GPUs", display="int"),
    OutputSpec("amd_rows", "deployments", "Decode-only deployments on AMD GPUs (checked, not fitted)", display="int"),
    OutputSpec("tokens_per_s_per_gpu_low", "tok/s", "Low end of the band"),
    OutputSpec("tokens_per_s_per_gpu_high", "tok/s", "High end of the band"),
    OutputSpec("usd_per_million_tokens_low", "USD", "Lowest cost in the band",
               help="cost per million output tokens at the band's highest throughput"),
    OutputSpec("usd_per_million_tokens_high", "USD", "Highest cost in the band",
               help="cost per million output tokens at the band's lowest throughput"),
    OutputSpec("schedule", "", "Overlap schedule used"),
    OutputSpec("imbalance", "", "Busiest GPU's expert load", display="ratio"),
    OutputSpec("estimate_over_tight", "", "Estimate / tight bound", display="percent"),
    OutputSpec("memory_share", "", "Memory-bound kernels", display="percent",
               help="share of the step spent in kernels limited by HBM bandwidth"),
    OutputSpec("compute_share", "", "Compute-bound kernels", display="percent",
               help="share of the step spent in kernels limited by arithmetic"),
    OutputSpec("network_share", "", "Waiting for the network", display="percent",
               help="share of the step the compute stream waits for dispatch or combine"),
    OutputSpec("overhead_share", "", "Overheads", display="percent",
               help="share of the step in the fitted overheads and unhidden CPU time"),
    OutputSpec("naive_includes", "", "Speed of light includes"),
    OutputSpec("tight_settings", "", "Highest bound with"),
    OutputSpec("measure", "", "What the measurement is"),
    OutputSpec("vendor", "", "GPU maker (the estimate's band is kept per maker)"),
    OutputSpec("fitted", "", "Enters the estimate's fit",
               help="no: the row checks the estimate without entering its fitted numbers (AMD GPUs)"),
    OutputSpec("estimate_batch_per_gpu", "sequences", "Estimate's batch per GPU", display="int"),
    OutputSpec("met", "", "Target met"),
    OutputSpec("target", "", "Target", display="percent"),
]:
    OUTPUTS[_o.name] = _o


def _tight_calc(p: dict) -> dict:
    r = _tight.tight_bound(p["model"], p["gpu"], _tight.TightInputs.from_params(p))
    sol = speed_of_light(p["model"], p["gpu"], p["seq_len"], p["kv_dtype"], p["accept_length"])
    r["naive_tokens_per_s_per_gpu"] = sol.tokens_per_s_per_gpu
    r["usd_per_million_tokens"] = (_cost.usd_per_million_tokens(r["tokens_per_s_per_gpu"], p["gpu_hour_usd"])
                                   if r["tokens_per_s_per_gpu"] > 0 else None)
    r["note"] = _notes.tight_note(p, r)
    return r


def _intensity(p: dict) -> dict:
    """Attention intensity against each accelerator's ridge at measured kernel rates (the one
    definition the tight bound also uses, :func:`calc.tight.attention_bound`)."""
    m = p["model"]
    q = math.ceil(p["accept_length"] - 1e-9)
    sustained = p["sustained_clock"] == "on"
    rows = {}
    for name, g in GPUS.items():
        ab = _tight.attention_bound(m, g, p["kv_dtype"], q, p["attn_dtype"], p["mem_efficiency"],
                                    p["attn_efficiency"], sustained)
        rows[name] = {"label": g.label, **ab}
    return {
        "attn_intensity": _tight.attention_intensity(m, p["kv_dtype"], q),
        "attention_flops_per_cached_token": _tight.attention_flops_per_cached_token(m),
        "rows": rows,
    }


def _frontier(p: dict) -> dict:
    """Tokens/s per GPU against tokens/s per user as the batch grows (one line per series
    value), with DeepSeek's 20-22 tokens/s per user marked."""
    base = dict(p)
    cap = _tight.max_batch(p["model"], p["gpu"], _tight.TightInputs.from_params(dict(base, batch_per_gpu=1)))
    top = max(1, math.floor(cap))
    batches = sorted({max(1, round(top ** (i / 29))) for i in range(30)})
    xs, ys = [], []
    for b in batches:
        r = _tight.tight_bound(p["model"], p["gpu"], _tight.TightInputs.from_params(dict(base, batch_per_gpu=b)))
        xs.append(r["tokens_per_s_per_user"])
        ys.append(r["tokens_per_s_per_gpu"])
    return {
        "x": xs, "x_name": "tokens_per_s_per_user", "x_label": "Tokens/s per user", "x_unit": "tok/s",
        "y_name": "tokens_per_s_per_gpu", "y_label": "Tokens/s per GPU", "y_unit": "tok/s",
        "series": [{"label": p["gpu"].label, "key": p["gpu"].name, "y": ys, "batch": batches}],
        "marks": [{"axis": "x", "from": 20, "to": 22, "label": "DeepSeek's 20-22 tok/s per user"}],
    }


_VALIDATE_PARAMS = ("mem_efficiency", "compute_efficiency", "net_efficiency", "attn_efficiency")


def _validate_calc(p: dict) -> dict:
    return _validate.validate(p["mem_efficiency"], p["compute_efficiency"], p["net_efficiency"], p["attn_efficiency"])


_ESTIMATE_PARAMS = _TIGHT_PARAMS + ("micro_batches", "sustained_clock", "overhead_factor", "step_overhead_ms",
                                    "blackwell_attention_share", "moe_imbalance", "overlap_schedule", "cpu_overlap")


def estimate_band(gpu: Accelerator | None = None) -> tuple[float, float]:
    """(error_low, error_high): how far below and above the estimate measured throughput has
    fallen, relative to the estimate, over the decode-only validation rows on NVIDIA GPUs,
    leave-one-out, at the default efficiencies; for an AMD GPU over those and the AMD rows
    (kept in :mod:`calc.estimate`; a test holds them to the validation)."""
    if gpu is not None and _validate.vendor_of(gpu) == "amd":
        return _estimate.BAND_ERROR_LOW_AMD, _estimate.BAND_ERROR_HIGH_AMD
    return _estimate.BAND_ERROR_LOW, _estimate.BAND_ERROR_HIGH


def _estimate_calc(p: dict) -> dict:
    x = _tight.TightInputs.from_params(p)
    e = _estimate.EstimateInputs.from_params(p)
    r = _estimate.estimate(p["model"], p["gpu"], x, e)
    t = _tight.tight_bound(p["model"], p["gpu"], replace(x, overlap="max"))  # the bound, not the no-overlap what-if
    sol = speed_of_light(p["model"], p["gpu"], p["seq_len"], p["kv_dtype"], p["accept_length"])
    lo, hi = estimate_band(p["gpu"])
    tps = r["tokens_per_s_per_gpu"]
    usd = (lambda v: _cost.usd_per_million_tokens(v, p["gpu_hour_usd"]) if v > 0 else None)
    return {
        "tokens_per_s_per_gpu": tps,
        "tokens_per_s_per_user": r["tokens_per_s_per_user"],
        "binding": r["binding"],
        "error_low": lo,
        "error_high": hi,
        "tokens_per_s_per_gpu_low": tps * (1 - lo),
        "tokens_per_s_per_gpu_high": tps * (1 + hi),
        "usd_per_million_tokens": usd(tps),
        "usd_per_million_tokens_low": usd(tps * (1 + hi)),
        "usd_per_million_tokens_high": usd(tps * (1 - lo)),
        "step_time_s": r["step_time_s"],
        "batch_per_gpu": r["batch_per_gpu"],
        "schedule": r["schedule"],
        "imbalance": r["imbalance"],
        "tight_tokens_per_s_per_gpu": t["tokens_per_s_per_gpu"],
        "naive_tokens_per_s_per_gpu": sol.tokens_per_s_per_gpu,
        "estimate_over_tight": tps / t["tokens_per_s_per_gpu"] if t["tokens_per_s_per_gpu"] > 0 else None,
        "memory_share": r["time_by_resource"]["memory"] / r["step_time_s"] if r["step_time_s"] else None,
        "compute_share": r["time_by_resource"]["compute"] / r["step_time_s"] if r["step_time_s"] else None,
        "network_share": r["time_by_resource"]["network"] / r["step_time_s"] if r["step_time_s"] else None,
        "overhead_share": r["time_by_resource"]["overhead"] / r["step_time_s"] if r["step_time_s"] else None,
        "timeline_chart": r["timeline_chart"],
        **_estimate.steps_from_bound(p["model"], p["gpu"], x, e, t["tokens_per_s_per_gpu"], tps),
    }


register(Calculation("tight", "Tighter bound", _TIGHT_PARAMS,
                     tuple(_tight.tight_bound(MODELS["deepseek-v3"], GPUS["h800"],
                                              _tight.TightInputs(seq_len=5000, batch_per_gpu=1)).keys())
                     + ("naive_tokens_per_s_per_gpu", "usd_per_million_tokens", "note"),
                     _tight_calc, "Memory, compute and network per decode step; the binding resource"))
register(Calculation("notes", "Why a bound is zero, and what fixes it", _TIGHT_PARAMS, ("note",),
                     lambda p: {"note": _notes.combined_note(_capacity(p)["note"], _tight_calc(p)["note"])},
                     "The notes of the placement and tight bounds, each said once"))
register(Calculation("intensity", "Is MLA decode memory or compute bound?",
                     ("model", "kv_dtype", "accept_length", "attn_dtype", "mem_efficiency", "attn_efficiency",
                      "sustained_clock"),
                     ("attn_intensity", "attention_flops_per_cached_token", "rows"), _intensity,
                     "Attention FLOP per KV byte against each accelerator's ridge point"))
register(Calculation("measured", "Published kernel and link measurements", (), ("rows",),
                     lambda p: {"rows": _measured.table()},
                     "FlashMLA, DeepGEMM and DeepEP figures the bounds and the estimate use, with sources"))
register(Calculation("frontier", "Throughput against interactivity", _TIGHT_PARAMS, ("x", "series"), _frontier,
                     "Tokens/s per GPU against tokens/s per user as the batch grows"))
register(Calculation("validate", "Bounds and estimate against measured deployments", _VALIDATE_PARAMS,
                     ("rows", "chart", "targets", "geomean_measured_over_naive", "geomean_measured_over_tight",
                      "geomean_estimate_over_tight", "gap_geomean",
                      "all_below_tight", "estimate_mape", "estimate_max_abs_error", "estimate_worst_row",
                      "estimate_worst_nvidia_row", "estimate_outside_nvidia_rows", "estimate_mape_nvidia", "estimate_max_abs_error_nvidia",
                      "estimate_mape_in_sample",
                      "overhead_factor", "step_overhead_s", "blackwell_attention_share",
                      "blackwell_attention_share_kernel_low", "blackwell_attention_share_kernel_high",
                      "cdna4_attention_share", "cdna3_attention_share", "deepep_ll_independent_slowdown", "cpu_step_s",
                      "decode_rows",
                      "mixed_rows", "error_low", "error_high", "nvidia_rows", "amd_rows", "amd_error_low",
                      "amd_error_high", "prefill"),
                     _validate_calc, "Measured decode throughput against speed of light, tight bound and the estimate "
                     "(leave-one-out), then measured prefill throughput against the prefill bound and estimate, "
                     "with the targets"))
register(Calculation("estimate", "Estimated decode throughput", _ESTIMATE_PARAMS,
                     ("tokens_per_s_per_gpu", "tokens_per_s_per_user", "binding", "error_low", "error_high",
                      "tokens_per_s_per_gpu_low", "tokens_per_s_per_gpu_high", "usd_per_million_tokens",
                      "usd_per_million_tokens_low", "usd_per_million_tokens_high", "step_time_s", "batch_per_gpu",
                      "schedule", "imbalance", "tight_tokens_per_s_per_gpu", "naive_tokens_per_s_per_gpu",
                      "estimate_over_tight", "memory_share", "compute_share", "network_share", "overhead_share",
                      "timeline_chart") + _estimate.BOUND_TO_ESTIMATE,
                     _estimate_calc, "The tight model run as engines run it (kernels in sequence at typical measured "
                     "rates, communication hidden only as the schedule allows, load imbalance, fitted overheads), "
                     "with the error band from leave-one-out validation"))
OUTPUTS["attention_flops_per_cached_token"] = OutputSpec(
    "attention_flops_per_cached_token", "FLOP", "Attention FLOPs per cached token per layer")


# The sweep reads its own parameters plus those of every calculation it can sweep; defined
# last, once every calculation is registered.
def _sweep_params() -> tuple[str, ...]:
    names: list[str] = list(_SWEEP_PARAMS)
    for c in PARAMS["sweep_calc"].choices or ():
        names += [n for n in CALCULATIONS[c].params if n not in names]
    return tuple(names)


CALCULATIONS["sweep"] = Calculation(
    "sweep", "Sweep one parameter", _sweep_params(), ("x", "series"), lambda p: {},
    "Any numeric parameter over a range, one line per series value",
)

# ---- prefill, time to first token, context cache, the whole bill (issue 10) -------------
from . import bill_calcs as _bill_calcs  # noqa: E402,F401  (registers its calculations and outputs)
