"""Measured deployments, and the bounds held against them.

Each row of ``shared/reference/facts.md`` section 4 that gives a per-GPU decode figure,
with the settings its source states. Where a source leaves a setting out, the bound is the
*highest* over the plausible values (a bound must stay above every measurement), and the row
says so in ``assumed``: the batch is "as many sequences as fit in HBM" unless published;
where Multi-Token Prediction may have been used, both no MTP and MTP at 90% second-token
acceptance (accept length 1.9, the top of DeepSeek's 85-90%, V3 report 5.4.3) are tried,
since MTP raises the speed of light but can lower the tight bound once compute binds; where
the KV type is not published, both BF16 and FP8 are tried.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .decode import speed_of_light
from .presets import GPUS, MODELS
from .schema import describe
from .tight import TightInputs, tight_bound

FILL_HBM = 10**9  # batch request meaning "as many as fit"; the bound caps it at HBM capacity


@dataclass(frozen=True)
class Deployment:
    key: str
    label: str
    gpu: str
    measured_tokens_per_s_per_gpu: float
    source: str
    settings: dict = field(default_factory=dict)
    stated: str = ""
    assumed: str = ""
    model: str = "deepseek-v3"
    unknown: dict = field(default_factory=dict)  # setting -> values tried; the bound takes the highest


DEPLOYMENTS: tuple[Deployment, ...] = (
    Deployment(
        "deepseek-production", "DeepSeek production, H800", "h800", 1850,
        "deepseek-ai/open-infra-index, Day-6 overview (2025-03-01): 14.8k tok/s per node, 24 h average",
        dict(ep=144, redundant_experts=32, seq_len=4989, batch_per_gpu=FILL_HBM),
        "EP144 with DP attention, 32 redundant experts, average KV length 4,989, 20-22 tok/s per user",
        "batch: as many as fit; MTP off or at accept length 1.9; KV BF16 or FP8 (not published)",
        unknown=dict(accept_length=(1.0, 1.9), kv_dtype=("bf16", "fp8")),
    ),
    Deployment(
        "deepseek-profile", "DeepSeek profile, H800", "h800", 18_598 / 8,
        "deepseek-ai/profile-data; LMSYS blog 2025-05-05 (18,598 tok/s per node)",
        dict(ep=128, seq_len=4096, batch_per_gpu=128),
        "EP128, 128 requests per GPU, 4K prompt",
        "MTP off or at accept length 1.9; KV BF16 or FP8 (not published)",
        unknown=dict(accept_length=(1.0, 1.9), kv_dtype=("bf16", "fp8")),
    ),
    Deployment(
        "sglang-h100-ep72", "SGLang, 96 x H100 (decode EP72)", "h100", 22_282 / 8,
        "LMSYS blog 2025-05-05, large-scale expert parallelism (22,282 tok/s per node)",
        dict(ep=72, seq_len=2048, batch_per_gpu=256, accept_length=1.0),
        "9 decode nodes, EP72, 256 requests per GPU, 2K input, no MTP",
        "",
    ),
    Deployment(
        "sglang-gb200-bf16", "SGLang, GB200 NVL72, BF16 attention", "gb200", 7583,
        "LMSYS blog 2025-06-16, GB200 NVL72 part I",
        dict(ep=48, seq_len=2048, batch_per_gpu=FILL_HBM, accept_length=1.0),
        "2K input, no MTP, BF16 attention and KV",
        "EP48 inside one NVL72 domain; batch: as many as fit",
    ),
    Deployment(
        "sglang-gb200-fp4", "SGLang, GB200 NVL72, FP8 attention + NVFP4 MoE", "gb200", 13_386,
        "LMSYS blog 2025-09-25, GB200 NVL72 part II",
        dict(ep=48, seq_len=2048, batch_per_gpu=FILL_HBM, accept_length=1.0, kv_dtype="fp8",
             attn_dtype="fp8", expert_dtype="fp4", gemm_dtype="fp4"),
        "2K input, FP8 attention and KV, NVFP4 MoE, no MTP",
        "EP48 inside one NVL72 domain; batch: as many as fit; every matmul at the FP4 peak",
    ),
    Deployment(
        "trtllm-b200", "TensorRT-LLM, 8 x B200", "b200", 4600,
        "NVIDIA/TensorRT-LLM tech blog 3 (max-throughput DeepSeek-R1 on B200)",
        dict(ep=8, seq_len=2048, batch_per_gpu=FILL_HBM, kv_dtype="fp8", expert_dtype="fp4", gemm_dtype="fp4"),
        "attention DP8 + EP8, FP4 MoE, FP8 KV, 1K input / 2K output",
        "average context 2,048 (1K prompt + half of 2K output); batch: as many as fit; MTP off or at accept "
        "length 1.9; every matmul at the FP4 peak",
        unknown=dict(accept_length=(1.0, 1.9)),
    ),
)


def _combinations(unknown: dict) -> list[dict]:
    combos: list[dict] = [{}]
    for key, values in unknown.items():
        combos = [{**c, key: v} for c in combos for v in values]
    return combos


def tight_inputs(settings: dict, defaults: dict) -> TightInputs:
    """The deployment's settings over the given defaults (efficiencies)."""
    return TightInputs.from_params({**defaults, **settings})


def validate(mem_efficiency: float, compute_efficiency: float, net_efficiency: float) -> dict:
    """Each deployment with the naive (speed-of-light) and tight bounds, and the geometric
    means of measured / bound."""
    eff = dict(mem_efficiency=mem_efficiency, compute_efficiency=compute_efficiency, net_efficiency=net_efficiency)
    rows = {}
    for d in DEPLOYMENTS:
        m, g = MODELS[d.model], GPUS[d.gpu]
        tried = []
        for combo in _combinations(d.unknown):
            s = {"accept_length": 1.0, **d.settings, **combo}
            naive = speed_of_light(m, g, s["seq_len"], s.get("kv_dtype", "bf16"), s["accept_length"]).tokens_per_s_per_gpu
            tried.append((s, naive, tight_bound(m, g, tight_inputs(s, eff))))
        s, _, t = max(tried, key=lambda r: r[2]["tokens_per_s_per_gpu"])
        naive = max(r[1] for r in tried)
        rows[d.key] = {
            "label": d.label, "gpu": g.label, "source": d.source, "stated": d.stated, "assumed": d.assumed,
            "measured_tokens_per_s_per_gpu": d.measured_tokens_per_s_per_gpu,
            "naive_tokens_per_s_per_gpu": naive,
            "tight_tokens_per_s_per_gpu": t["tokens_per_s_per_gpu"],
            "measured_over_naive": d.measured_tokens_per_s_per_gpu / naive,
            "measured_over_tight": d.measured_tokens_per_s_per_gpu / t["tokens_per_s_per_gpu"],
            "binding": t["binding"],
            "batch_per_gpu": t["batch_per_gpu"],
            "tokens_per_s_per_user": t["tokens_per_s_per_user"],
            "tight_settings": ", ".join(describe(k, v) for k, v in s.items() if k in d.unknown) or "as stated",
        }
    def gmean(key: str) -> float:
        vals = [r[key] for r in rows.values()]
        return math.exp(sum(math.log(v) for v in vals) / len(vals))
    order = sorted(rows, key=lambda k: rows[k]["tight_tokens_per_s_per_gpu"])
    chart = {
        "x": [rows[k]["tight_tokens_per_s_per_gpu"] for k in order], "x_name": "tight_tokens_per_s_per_gpu",
        "x_label": "Tight bound", "x_unit": "tok/s",
        "y_name": "measured_tokens_per_s_per_gpu", "y_label": "Tokens/s per GPU", "y_unit": "tok/s",
        "series": [
            {"label": "Measured", "key": "measured", "y": [rows[k]["measured_tokens_per_s_per_gpu"] for k in order],
             "points": [rows[k]["label"] for k in order]},
            {"label": "Tight bound (measured = bound)", "key": "bound",
             "y": [rows[k]["tight_tokens_per_s_per_gpu"] for k in order]},
        ],
    }
    return {
        "rows": rows,
        "chart": chart,
        "geomean_measured_over_naive": gmean("measured_over_naive"),
        "geomean_measured_over_tight": gmean("measured_over_tight"),
        "all_below_tight": all(r["measured_over_tight"] <= 1 for r in rows.values()),
    }
