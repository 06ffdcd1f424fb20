"""The seed blog's arithmetic, reproduced two ways.

``blog``: the post's own inputs (334 MB of KV per user, "612 GB" of expert weights, 141 GB
and 4.8 TB/s for H200, ...) carried through its steps with its roundings; these give the
figures it prints. ``exact``: the same steps from the model config and the accelerator
presets in bytes (HBM capacity as ``nvidia-smi`` reports it: the spec sheets' "141 GB" is
GiB-scale), without intermediate rounding. Each figure carries the reason
for any difference as data, so the site can show both and say why.

Source: ``shared/seed/deepseek-serving-cost-estimate.md``; the checks are in
``shared/reference/facts.md`` section 5.
"""

from __future__ import annotations

import math

from . import fmt
from .decode import DEEPSEEK_MEASURED_TOKENS_PER_S_PER_GPU, speed_of_light
from .kv import kv_size
from .presets import GPUS, MODELS
from .units import GB, GiB, MB, TB

#: The blog's inputs, as it states them.
BLOG_INPUTS = {
    "seq_len": 5000,
    "kv_bytes_per_user": 334 * MB,  # "334MB"
    "h800_hbm_bw": 3.35 * TB,
    "h800_hbm_bytes": 80 * GB,
    "b200_hbm_bw": 8 * TB,
    "moe_weight_bytes": 612 * GB,  # "612GB"
    "ep": 8,
    "h200_hbm_bytes": 141 * GB,
    "h200_hbm_bw": 4.8 * TB,
    "measured_tokens_per_s_per_node": 14_800,
    "you_system_tokens_per_s": 1000,
    "you_gpus": (32, 64),
}


def _fig(label, unit, blog, printed, exact, reason=None, display=None):
    return {"label": label, "unit": unit, "display": display, "blog": blog, "printed": printed,
            "exact": exact, "reason": reason}


def blog_figures() -> dict:
    b = BLOG_INPUTS
    m = MODELS["deepseek-v3"]
    h800, h200, b200 = GPUS["h800"], GPUS["h200"], GPUS["b200"]
    L = b["seq_len"]
    kv = kv_size(m, "bf16")
    kv_exact = kv.bytes_per_user(L)
    kv_58 = kv.bytes_per_token_per_layer * m.n_moe_layers * L
    sol_blog = b["h800_hbm_bw"] / b["kv_bytes_per_user"]
    sol_exact = speed_of_light(m, h800, L).tokens_per_s_per_gpu
    sol_b200_blog = b["b200_hbm_bw"] / b["kv_bytes_per_user"]
    sol_b200_exact = speed_of_light(m, b200, L).tokens_per_s_per_gpu
    measured = b["measured_tokens_per_s_per_node"] / 8
    # section 4.1: EP8 on H200, expert weights only (as the post does)
    wb = m.weight_bytes()
    moe_exact = wb["routed_experts"] + wb["shared_experts"]
    moe_pg_blog = b["moe_weight_bytes"] / b["ep"]
    moe_pg_exact = moe_exact / b["ep"]
    non_expert_pg = sum(wb[k] for k in ("embedding", "output_head", "attention", "dense_ffn", "router"))
    reads_unrounded = b["h200_hbm_bw"] / b["h200_hbm_bytes"]
    reads_blog = round(reads_unrounded)  # printed as 34
    reads_exact = h200.hbm_bw / h200.hbm_bytes
    users_blog_unrounded = (b["h200_hbm_bytes"] - moe_pg_blog) / b["kv_bytes_per_user"]
    users_blog = math.floor(users_blog_unrounded)  # printed as 193
    users_exact = (h200.hbm_bytes - moe_pg_exact) / kv_exact
    users_decimal = (b["h200_hbm_bytes"] - moe_pg_exact) / kv_exact  # 141e9 B: the old, wrong reading
    tps_blog = reads_blog * users_blog
    tps_exact = reads_exact * users_exact
    you = b["you_system_tokens_per_s"]
    g32, g64 = b["you_gpus"]
    fp8_ratio = kv.bytes_per_token / kv_size(m, "fp8").bytes_per_token

    figs = {
        "kv_bytes_per_user": _fig(
            "KV cache per user, DeepSeek-V3 at 5,000 tokens, BF16", "B", b["kv_bytes_per_user"], "334MB", kv_exact,
            f"{fmt.bytes_(kv_58)} is what 58 layers give (the MoE layers only); all {m.num_hidden_layers} layers "
            f"cache KV: 576 x 2 B x {m.num_hidden_layers} x {L:,} = {fmt.bytes_(kv_exact)} "
            f"(= {fmt.bytes_(kv_exact, binary=True)})"),
        "sol_h800": _fig(
            "Speed-of-light tokens/s per H800", "tok/s", sol_blog, "10030 tps/GPU", sol_exact,
            "follows from the 334 MB per user above; the arithmetic on the post's input is right"),
        "sol_over_measured": _fig(
            "Speed of light over DeepSeek's measured 1,850", "", sol_blog / measured, ">5x", sol_exact / measured,
            "both above 5x", display="ratio"),
        "sol_b200": _fig(
            "Speed-of-light tokens/s per B200", "tok/s", sol_b200_blog, "23952k tps/GPU", sol_b200_exact,
            "printed as 23952k, a typo for 23,952; the rest of the gap is the 334 MB per user"),
        "moe_weight_bytes": _fig(
            "Expert weights (routed + shared) at FP8", "B", b["moe_weight_bytes"], "612GB", moe_exact,
            f"612 is the size in GiB ({moe_exact / GiB:,.1f} GiB) written as GB; in GB it is {fmt.bytes_(moe_exact)}"),
        "moe_weight_bytes_per_gpu": _fig(
            "Expert weights per GPU at EP8", "B", moe_pg_blog, "76.5GB", moe_pg_exact,
            f"GiB labelled GB, as above; like the post, 'exact' divides the shared expert by 8 too (held whole "
            f"on every GPU it adds {fmt.bytes_(wb['shared_experts'] * 7 / 8)}), and both leave out the "
            f"{fmt.bytes_(non_expert_pg)} per GPU of attention, dense-layer, router, embedding and output-head "
            "weights that every GPU also holds"),
        "h200_hbm_bytes": _fig(
            "H200 HBM capacity", "B", b["h200_hbm_bytes"], "141GB", h200.hbm_bytes,
            f"the spec sheet's 141 GB is GiB-scale: nvidia-smi shows 143,771 MiB = "
            f"{fmt.bytes_(h200.hbm_bytes, binary=True)} = {fmt.bytes_(h200.hbm_bytes)} usable"),
        "h200_reads_per_s": _fig(
            "Full-HBM reads per second on H200", "/s", reads_blog, "34", reads_exact,
            f"rounded to 34 in the post (unrounded {reads_unrounded:.2f}); 4.8 TB/s is decimal, so reading the "
            f"whole usable {fmt.bytes_(h200.hbm_bytes)} takes longer: {reads_exact:.2f} per second"),
        "h200_users_per_gpu": _fig(
            "Users per H200 at EP8", "users", users_blog, "193", users_exact,
            "the post subtracts GiB (76.5) from the GiB-scale 141 and divides by the 58-layer KV size; with bytes "
            f"throughout (usable HBM, experts in GB, all 61 layers) {users_exact:.1f} users fit, so the post's "
            f"193 is close. Reading 141 as decimal GB instead, as an earlier version of this audit did, gives "
            f"{users_decimal:.1f}, too few"),
        "h200_tokens_per_s_per_gpu": _fig(
            "Tokens/s per H200 at EP8", "tok/s", tps_blog, "6562", tps_exact,
            f"34 x 193 from the rounded steps (unrounded {reads_unrounded * users_blog_unrounded:,.0f}); in bytes "
            "throughout, fewer full reads per second but slightly more users"),
        "h200_over_h800": _fig(
            "H200 EP8 over H800 speed of light", "", tps_blog / sol_blog, "60%", tps_exact / sol_exact,
            f"6,562 / 10,030 is {tps_blog / sol_blog:.0%}, printed as 60%; the exact figures happen to give "
            f"{tps_exact / sol_exact:.0%}", display="percent"),
        "measured_per_gpu": _fig(
            "DeepSeek's measured decode tokens/s per H800", "tok/s", measured, "1850 tps/GPU",
            DEEPSEEK_MEASURED_TOKENS_PER_S_PER_GPU, None),
        "you_per_gpu_32": _fig(
            "1,000 tok/s over 32 GPUs, per GPU", "tok/s", you / g32, "30 tps/GPU", you / g32,
            "rounded down to 30 in the post"),
        "you_per_gpu_64": _fig(
            "1,000 tok/s over 64 GPUs, per GPU", "tok/s", you / g64, "30 tps/GPU", you / g64,
            "the post's 4-8 node range spans 15.6-31.3; it prints one figure, 30"),
        "fp8_multiplier": _fig(
            "FP8 KV multiplier on the bound", "", 2.0, "2x", fp8_ratio, None, display="ratio"),
    }
    return {"figures": figs, "inputs": {k: v for k, v in b.items() if k != "you_gpus"}}
