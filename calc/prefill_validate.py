"""Measured prefill throughputs, and the prefill bound and estimate held against them.

Each row is a published prefill-only measurement of prompt tokens computed per second per
GPU, with the settings its source states and, in ``assumed``, what we had to assume. Rows
come in two scopes:

* ``estimate``: a capacity measurement (the prefill nodes kept full) inside what the model
  represents. The bound must hold and the estimate must come within the error band.
* ``bound``: a measurement the estimate does not claim to predict (DeepSeek's 24-hour
  production average, at unknown load: not a capacity). The bound must still hold.

The estimate's one fitted number is the overhead factor (measured / modelled, geometric
mean), fitted separately for *real* expert routing and for *balanced* load (DeepSeek's
profile "simulate[s] an absolutely balanced MoE routing strategy"; SGLang ran the same
simulation once; with the experts split by tensor parallelism, as on Ant Group's H20 node,
every GPU holds a slice of every expert and none waits for a busier one), and checked
leave-one-out: each row is predicted with the factor fitted on the other rows of its kind.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache

from .cost import DeepSeekDay, DeepSeekTraffic, deepseek_traffic
from .presets import GPUS, MODELS
from .prefill import PrefillInputs, overhead_kind, prefill_bound, prefill_model
from .validate import TARGET_MAPE, TARGET_MAX_ERROR

_DAY, _TRAFFIC = DeepSeekDay(), DeepSeekTraffic()  # DeepSeek's published day (Day-6 overview)
LMSYS_EP = "LMSYS blog 2025-05-05, large-scale EP on 96 H100 (lm-sys/lm-sys.github.io blog/2025-05-05-large-scale-ep.md)"


@dataclass(frozen=True)
class PrefillMeasurement:
    key: str
    label: str
    model: str
    gpu: str
    measured_tokens_per_s_per_gpu: float  # computed (cache-miss) prompt tokens
    source: str
    settings: dict = field(default_factory=dict)  # PrefillInputs fields
    stated: str = ""
    assumed: str = ""
    routing: str = "real"  # "real" or "balanced" (simulated perfect balance)
    scope: str = "estimate"  # "estimate" or "bound"
    why_bound_only: str = ""


MEASUREMENTS: tuple[PrefillMeasurement, ...] = (
    PrefillMeasurement(
        "deepseek-profile", "DeepSeek profile, H800 EP32, 4K", "deepseek-v3", "h800", 62_713 / 8,
        "deepseek-ai/profile-data (prefill.json, README); per-node figure 62,713 derived from the trace in " + LMSYS_EP,
        dict(prompt_len=4096, chunk_tokens=16384, ep=32, redundant_experts=32, microbatches=2),
        "EP32, TP1, 4K prompt, 16K tokens per GPU, two micro-batches, perfectly balanced experts (simulated)",
        "32 redundant experts as in DeepSeek's online prefill (9 routed + 1 shared per GPU)",
        routing="balanced",
    ),
    PrefillMeasurement(
        "sglang-h100-1k", "SGLang, H100 EP32, 1K", "deepseek-v3", "h100", 57_674 / 8, LMSYS_EP,
        dict(prompt_len=1024, chunk_tokens=16384, ep=32, redundant_experts=32, microbatches=2),
        "4 nodes x 8 H100, EP32, DP attention, DeepEP normal mode, two-batch overlap, EPLB",
        "16,384 tokens per GPU (stated for the 4K run); 32 redundant experts (the post's 288-expert pool)",
    ),
    PrefillMeasurement(
        "sglang-h100-2k", "SGLang, H100 EP32, 2K", "deepseek-v3", "h100", 54_543 / 8, LMSYS_EP,
        dict(prompt_len=2048, chunk_tokens=16384, ep=32, redundant_experts=32, microbatches=2),
        "4 nodes x 8 H100, EP32, DP attention, DeepEP normal mode, two-batch overlap, EPLB",
        "16,384 tokens per GPU (stated for the 4K run); 32 redundant experts",
    ),
    PrefillMeasurement(
        "sglang-h100-4k", "SGLang, H100 EP32, 4K", "deepseek-v3", "h100", 50_302 / 8, LMSYS_EP,
        dict(prompt_len=4096, chunk_tokens=16384, ep=32, redundant_experts=32, microbatches=2),
        "4 nodes x 8 H100, EP32, 16,384 tokens per GPU, 4K prompt, two-batch overlap, EPLB",
        "32 redundant experts",
    ),
    PrefillMeasurement(
        "sglang-h100-4k-balanced", "SGLang, H100 EP32, 4K, simulated perfect EPLB", "deepseek-v3", "h100",
        59_337 / 8, LMSYS_EP,
        dict(prompt_len=4096, chunk_tokens=16384, ep=32, redundant_experts=32, microbatches=2),
        "as the 4K run, expert choice random under group-limited routing (perfect balance)",
        "32 redundant experts", routing="balanced",
    ),
    PrefillMeasurement(
        "sglang-kimi-k2-h200", "SGLang, Kimi K2, 4 x 8 H200, 2K", "kimi-k2", "h200", 224_000 / 32,
        "LMSYS blog 2025-07-20, Kimi K2 on 128 H200 (lm-sys/lm-sys.github.io blog/2025-07-20-k2-large-scale-ep.md)",
        dict(prompt_len=2000, chunk_tokens=16384, ep=32, redundant_experts=0, microbatches=2),
        "224k tokens/s on 4 prefill nodes, 2,000-token prompts, PD disaggregation, EPLB",
        "EP32 over the 32 prefill GPUs; 16,384 tokens per GPU; two-batch overlap; no redundant prefill experts",
    ),
    PrefillMeasurement(
        "sglang-gb200-fp8", "SGLang, GB200 NVL72, BF16 attention + FP8 MoE, 2K", "deepseek-v3", "gb200", 18_471,
        "LMSYS blog 2025-09-25, GB200 NVL72 part II (lm-sys/lm-sys.github.io blog/2025-09-25-gb200-part-2.md)",
        dict(prompt_len=2000, chunk_tokens=16384, ep=4, redundant_experts=0, microbatches=2),
        "2,000-token prompts, BF16 attention and KV, FP8 matmuls, 4 ranks per prefill instance",
        "EP4 inside one NVLink domain; 16,384 tokens per GPU; computation overlapped with communication",
    ),
    PrefillMeasurement(
        "sglang-gb200-fp4", "SGLang, GB200 NVL72, FP8 attention + NVFP4 MoE, 2K", "deepseek-v3", "gb200", 26_156,
        "LMSYS blog 2025-09-25, GB200 NVL72 part II (lm-sys/lm-sys.github.io blog/2025-09-25-gb200-part-2.md)",
        dict(prompt_len=2000, chunk_tokens=16384, ep=2, redundant_experts=0, microbatches=2, gemm_dtype="fp8",
             expert_dtype="fp4", attn_dtype="fp8", kv_dtype="fp8",
             linear_dtypes=(("o_proj", "fp4"), ("q_b", "fp8"), ("attn_a", "bf16"), ("kv_b", "bf16"), ("dense", "fp4"))),
        "2,000-token prompts, FP8 attention and KV, 2 ranks per prefill instance; routed experts and the attention "
        "output projection in NVFP4, q_b in FP8 ('instead of BF16'); weights beyond HBM offloaded to host memory "
        "and prefetched over the 900 GB/s (both ways) CPU-GPU link; NVFP4 matmuls up to 1.9x and FP8 attention "
        "1.8x as fast as FP8 / BF16",
        "16,384 tokens per GPU per pass; q_a, kv_a and kv_b in BF16 as in NVIDIA's checkpoint; shared experts and "
        "the three dense layers in NVFP4 (the checkpoint's MLPs); the offload counted at its minimum, the weights "
        "that do not fit, overlapped with computation",
    ),
    PrefillMeasurement(
        "vllm-gb200-fp4", "vLLM, GB200, NVFP4 MoE, 2K", "deepseek-r1", "gb200", 26_214,
        "vLLM blog 2026-02-03, 'Driving vLLM WideEP and Large-Scale Serving Toward Maturity on Blackwell (Part I)': "
        "\"26.2K prefill TPGS\"; launch command and log of its reproduction in minosfuture/vllm, "
        "runs/DS-R1/fp4/report/prefill-2000in/",
        dict(prompt_len=2048, chunk_tokens=65_536, ep=2, redundant_experts=0, microbatches=1, gemm_dtype="fp8",
             expert_dtype="fp4", attn_dtype="fp8", kv_dtype="fp8",
             linear_dtypes=(("o_proj", "fp4"), ("q_b", "bf16"), ("attn_a", "bf16"), ("kv_b", "bf16"), ("dense", "fp4"))),
        "2 GB200 per prefill instance, data-parallel attention and EP2, experts and the attention output projection "
        "in NVFP4, FP8 cache, one batch of 32 prompts (65,536 tokens) per GPU per pass, no micro-batch overlap, "
        "experts reached by all-gather and reduce-scatter, half the layers' weights offloaded to host memory and "
        "prefetched; the log gives 26,214 prompt tokens/s per GPU and 2,048 tokens per prompt; RoPE and "
        "quantization fused for prefill attention",
        "attention in FP8 (the fused quantization feeds it); q_b in BF16 (the prefill command, unlike the decode "
        "one, does not turn on vLLM's FP8 MLA projections); shared experts and dense layers in NVFP4 as in the SGLang "
        "row; the all-gather and reduce-scatter counted as DeepEP normal-mode traffic; the offload counted at its "
        "minimum, overlapped with computation",
    ),
    PrefillMeasurement(
        "ant-h20-tp8", "SGLang at Ant Group, H20 TP8, 4K", "deepseek-r1", "h20", 16_500 / 8,
        "LMSYS blog 2025-09-26, DeepSeek-R1 on H20-96G (lm-sys/lm-sys.github.io blog/2025-09-26-sglang-ant-group.md)",
        dict(prompt_len=4096, chunk_tokens=16384, ep=8, tp=8, moe_parallel="tp", redundant_experts=0, microbatches=1,
             attn_dtype="fp8"),
        "one node of 8 H20, --tp-size 8 (no expert-parallel flags: every GPU holds an eighth of every expert), "
        "4,096-token prompts, FP8 attention (FlashAttention-3 FP8), 16.5k input tokens/s per node",
        "16,384 tokens per GPU per pass; no two-batch overlap (one batch: compute and all-reduces add); FP8 matmuls",
    ),
    PrefillMeasurement(
        "deepseek-production", "DeepSeek production, H800, 24-hour average", "deepseek-v3", "h800",
        _DAY.prefill_tokens_per_s_per_node * (_DAY.input_tokens - _DAY.cache_hit_tokens) / _DAY.input_tokens
        / _DAY.gpus_per_node,
        "deepseek-ai/open-infra-index, Day-6 overview (2025-03-01): ~73.7k input tokens/s per node including cache hits; "
        "342 B of 608 B input tokens hit the cache",
        dict(prompt_len=round(deepseek_traffic()["prompt_len"]), cache_hit_share=_DAY.cache_hit_tokens / _DAY.input_tokens,
             chunk_tokens=_TRAFFIC.chunk_tokens, ep=_TRAFFIC.prefill_ep, redundant_experts=_TRAFFIC.redundant_experts,
             microbatches=2),
        "EP32 with 32 redundant experts, two micro-batches; 24-hour average including quiet hours",
        "prompt length 4,384 (from the published traffic, see calc.cost.deepseek_traffic); 16,384 tokens per GPU",
        scope="bound", why_bound_only="a 24-hour average at unknown load, not a capacity",
    ),
)


def _inputs(m: PrefillMeasurement) -> PrefillInputs:
    return PrefillInputs(**m.settings)


def _modelled(m: PrefillMeasurement) -> float:
    return prefill_model(MODELS[m.model], GPUS[m.gpu], _inputs(m))["tokens_per_s_per_gpu"]


def _kind(m: PrefillMeasurement) -> str:
    """The overhead factor the row is fitted with and predicted by
    (:func:`calc.prefill.overhead_kind`)."""
    return overhead_kind(replace(_inputs(m), routing=m.routing))


def _gmean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


@dataclass(frozen=True)
class Fit:
    overhead: dict  # routing -> measured / modelled, geometric mean over the estimate-scope rows
    loo_overhead: dict  # key -> factor fitted without that row
    error_band: float  # largest |leave-one-out error|


@lru_cache(maxsize=1)
def fit() -> Fit:
    """The overhead factor per routing kind, and the leave-one-out factors."""
    rows = [m for m in MEASUREMENTS if m.scope == "estimate"]
    ratio = {m.key: m.measured_tokens_per_s_per_gpu / _modelled(m) for m in rows}
    overhead, loo = {}, {}
    for routing in ("real", "balanced"):
        kind = [m for m in rows if _kind(m) == routing]
        overhead[routing] = _gmean([ratio[m.key] for m in kind])
        for m in kind:
            others = [ratio[o.key] for o in kind if o.key != m.key]
            loo[m.key] = _gmean(others) if others else overhead[routing]
    band = max(abs(_modelled(m) * loo[m.key] / m.measured_tokens_per_s_per_gpu - 1) for m in rows)
    return Fit(overhead=overhead, loo_overhead=loo, error_band=band)


def targets(rows: dict) -> dict:
    """The prefill targets, in the form of :func:`calc.validate.validate`'s: every measurement
    at or below the bound (issue 10); the estimate within +/-25% of each row it claims,
    leave-one-out (issue 10), and its mean absolute leave-one-out error within the decode
    estimate's 15% (issue 7)."""
    in_scope = [r for r in rows.values() if r["scope"] == "estimate"]
    below = all(r["measured_over_bound"] <= 1 for r in rows.values())
    max_err = max(abs(r["loo_error"]) for r in in_scope)
    mape = sum(abs(r["loo_error"]) for r in in_scope) / len(in_scope)
    return {
        "prefill_all_below_bound": {"label": "every prefill measurement at or below the prefill bound",
                                    "value": below, "target": True, "met": below},
        "prefill_estimate_max_abs_error": {"label": "largest leave-one-out error of the prefill estimate, rows it claims",
                                           "value": max_err, "target": TARGET_MAX_ERROR,
                                           "met": max_err <= TARGET_MAX_ERROR},
        "prefill_estimate_mape": {"label": "mean absolute leave-one-out error of the prefill estimate, rows it claims",
                                  "value": mape, "target": TARGET_MAPE, "met": mape <= TARGET_MAPE},
    }


@lru_cache(maxsize=1)
def validate_prefill() -> dict:
    """Every measurement with its bound and estimate: measured / bound, the estimate's error
    with the factor fitted on all rows and leave-one-out, and the summary checks. It reads no
    parameter, so it is computed once (callers must not change the result)."""
    f = fit()
    rows = {}
    for m in MEASUREMENTS:
        model, gpu, x = MODELS[m.model], GPUS[m.gpu], _inputs(m)
        b = prefill_bound(model, gpu, x)
        raw = _modelled(m)
        est = raw * f.overhead[_kind(m)]
        meas = m.measured_tokens_per_s_per_gpu
        row = {
            "label": m.label, "gpu": gpu.label, "source": m.source, "stated": m.stated, "assumed": m.assumed,
            "routing": _kind(m), "scope": m.scope, "why_bound_only": m.why_bound_only,
            "prompt_len": x.prompt_len,
            "measured_tokens_per_s_per_gpu": meas,
            "bound_tokens_per_s_per_gpu": b["tokens_per_s_per_gpu"],
            "binding": b["binding"],
            "estimate_tokens_per_s_per_gpu": est,
            "measured_over_bound": meas / b["tokens_per_s_per_gpu"],
            "estimate_error": est / meas - 1,
        }
        if m.scope == "estimate":
            row["loo_estimate_tokens_per_s_per_gpu"] = raw * f.loo_overhead[m.key]
            row["loo_error"] = raw * f.loo_overhead[m.key] / meas - 1
        rows[m.key] = row
    in_scope = [r for r in rows.values() if r["scope"] == "estimate"]
    order = sorted(rows, key=lambda k: rows[k]["bound_tokens_per_s_per_gpu"])
    chart = {
        "x": [rows[k]["bound_tokens_per_s_per_gpu"] for k in order], "x_name": "bound_tokens_per_s_per_gpu",
        "x_label": "Prefill bound", "x_unit": "tok/s",
        "y_name": "measured_tokens_per_s_per_gpu", "y_label": "Prompt tokens/s per GPU", "y_unit": "tok/s",
        "series": [
            # Dots, not lines: several measurements share one bound, so a line through them
            # would zig-zag between unrelated deployments.
            {"label": "Measured", "key": "measured", "markers": True,
             "y": [rows[k]["measured_tokens_per_s_per_gpu"] for k in order], "points": [rows[k]["label"] for k in order]},
            {"label": "Estimate", "key": "estimate", "markers": True,
             "y": [rows[k]["estimate_tokens_per_s_per_gpu"] for k in order]},
            {"label": "Bound (measured = bound)", "key": "bound", "y": [rows[k]["bound_tokens_per_s_per_gpu"] for k in order]},
        ],
    }
    return {
        "rows": rows,
        "chart": chart,
        "prefill_overhead_real": f.overhead["real"],
        "prefill_overhead_balanced": f.overhead["balanced"],
        "prefill_error_band": f.error_band,
        "max_estimate_error": max(abs(r["estimate_error"]) for r in in_scope),
        "max_loo_error": max(abs(r["loo_error"]) for r in in_scope),
        "loo_mape": sum(abs(r["loo_error"]) for r in in_scope) / len(in_scope),
        "all_below_prefill_bound": all(r["measured_over_bound"] <= 1 for r in rows.values()),
        "measurements": len(rows),
        "estimate_rows": len(in_scope),
        "targets": targets(rows),
    }
