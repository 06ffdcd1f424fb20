"""Prefill (issue 10): each term of the bound against a hand-computed case, the validation
against measured prefill throughputs (every one at or below the bound, the estimate within
+/-25% leave-one-out), and the command line."""

from __future__ import annotations

import json
import math

import pytest

from _calc_util import assert_one_line_error, cli_json, run_cli

import calc
from calc.prefill import (
    ATTENTION_EFFICIENCY_BEST, DEEPGEMM_PREFILL_H800, FA3_CAUSAL_TFLOPS, GEMM_EFFICIENCY_BEST, MEMORY_EFFICIENCY_BEST,
    NVLINK_EFFICIENCY_BEST, RDMA_EFFICIENCY, RDMA_EFFICIENCY_BEST, PrefillInputs, attention_efficiency, causal_pairs,
    domains_reached, gemm_efficiency_measured, gpus_reached, prefill_bound, prefill_estimate, prefill_fits,
    prefill_weight_bytes_per_gpu, prefill_work,
)
from calc.prefill_validate import MEASUREMENTS, fit, validate_prefill
from calc.presets import GPUS, MODELS

V3 = MODELS["deepseek-v3"]
H800 = GPUS["h800"]
# DeepSeek's prefill layout (Day-6 overview): EP32, 32 redundant experts, two micro-batches; profile: 4K, 16K/GPU
PROFILE = PrefillInputs(prompt_len=4096, chunk_tokens=16384, ep=32, redundant_experts=32, microbatches=2)


# ---- counting, term by term --------------------------------------------------------------------

def test_causal_pairs_by_hand():
    """sum over queries i = lo+1..hi of min(i, window): 4,096 x 4,097 / 2 = 8,390,656 for a
    4K prompt; 1 + 2 + 3 + 4 + 6 x 4 = 34 for ten queries under a window of 4; the last
    2,048 queries of 4,096: 8,390,656 - 2,048 x 2,049 / 2 = 6,292,480."""
    assert causal_pairs(0, 4096) == 8_390_656
    assert causal_pairs(0, 10, 4) == 34
    assert causal_pairs(2048, 4096) == 6_292_480
    assert causal_pairs(5, 5) == 0


def test_linear_flops_exclude_the_output_head():
    """Linear FLOPs per computed token = 2 x (activated parameters - output head):
    2 x (36,625,603,584 - 926,679,040) = 71,397,849,088 for DeepSeek-V3; of it the routed
    experts are 2 x 58 layers x 8 x 44,040,192 = 40,869,298,176."""
    w = prefill_work(V3, H800, PROFILE)
    assert w.dense_linear_flops + w.moe_linear_flops == 71_397_849_088
    assert w.moe_linear_flops == 2 * 58 * 8 * 44_040_192


def test_mla_prefill_attention_is_mha_mode_causal():
    """MLA is not absorbed in prefill: per (query, key) pair per layer
    2 x 128 heads x (128 + 64 + 128) = 81,920 FLOPs (192-wide QK, 128-wide V), against
    2 x 128 x (576 + 512) = 278,528 absorbed. A 4K prompt: 81,920 x 61 x 8,390,656 / 4,096
    = 10.237 GFLOP per token."""
    w = prefill_work(V3, H800, PROFILE)
    assert w.attention_flops == pytest.approx(81_920 * 61 * 8_390_656 / 4096, rel=1e-12)
    assert 81_920 * 3.4 == pytest.approx(278_528, rel=1e-3)  # absorbed would cost 3.4x per pair


def test_cache_hit_expands_its_latent_and_new_tokens_attend_to_it():
    """Half of a 4K prompt cached: 2,048 computed tokens attend over 6,292,480 pairs, and each
    of the 2,048 cached latents is expanded once: 2 x 512 x 128 x (128 + 128) x 61 =
    2,046,820,352 FLOPs per cached token (one cached token per computed one here)."""
    x = PrefillInputs(prompt_len=4096, cache_hit_share=0.5)
    w = prefill_work(V3, H800, x)
    assert (w.cached_tokens, w.computed_tokens) == (2048, 2048)
    assert w.attention_flops == pytest.approx(81_920 * 61 * 6_292_480 / 2048, rel=1e-12)
    assert w.expansion_flops == 2 * 512 * 128 * 256 * 61


def test_the_last_prompt_token_is_always_computed():
    """A whole prompt in the cache still computes its last token (its logits give the first
    output token): prompt 100, share 1 -> 99 cached, 1 computed."""
    assert PrefillInputs(prompt_len=100, cache_hit_share=1.0).split() == (99.0, 1.0)


def test_gqa_attention_pairs_per_layer():
    """GQA: 4 x heads x head_dim per pair (QK and AV): Llama 3.1 8B, 32 heads x 128:
    16,384 per pair per layer; a 1K prompt: 16,384 x 32 layers x 1,024 x 1,025 / 2 / 1,024."""
    w = prefill_work(MODELS["llama-3.1-8b"], H800, PrefillInputs(prompt_len=1024, ep=1, redundant_experts=0))
    assert w.attention_flops == pytest.approx(16_384 * 32 * 1025 / 2, rel=1e-12)
    assert w.expansion_flops == 0


def test_node_limited_routing_domains_by_hand():
    """DeepSeek-V3 picks 4 of 8 expert groups; at EP32 on 4 nodes each node holds 2 groups and
    is missed only when neither is picked, C(6,4)/C(8,4) = 15/70: 4 x 55/70 = 3.143 nodes.
    Kimi K2 (no groups): 4 x (1 - (3/4)^8) = 3.600. GPUs reached at EP32: the picked groups'
    16 GPUs, 16 x (1 - (15/16)^8) = 6.004."""
    assert domains_reached(V3, 4) == pytest.approx(4 * 55 / 70, rel=1e-12)
    assert domains_reached(MODELS["kimi-k2"], 4) == pytest.approx(4 * (1 - 0.75 ** 8), rel=1e-12)
    assert gpus_reached(V3, 32) == pytest.approx(16 * (1 - (15 / 16) ** 8), rel=1e-12)
    assert domains_reached(V3, 1) == 1


def test_deepep_normal_mode_rdma_bytes_by_hand():
    """Per computed token, 58 MoE layers x remote nodes (3.143 x 3/4) x 7,168 x (FP8 dispatch
    1 + 4/128 B + BF16 combine 2 B) = 58 x 2.357 x 21,728 = 2,970,528 B on RDMA."""
    w = prefill_work(V3, H800, PROFILE)
    assert w.scale_out_bytes == pytest.approx(58 * (4 * 55 / 70) * 0.75 * 7168 * (1 + 4 / 128 + 2), rel=1e-12)
    assert w.scale_out_bytes == pytest.approx(2_970_528, rel=1e-9)


def test_weights_read_once_per_micro_batch():
    """Per micro-batch a GPU reads its 9 routed experts per MoE layer (288 / 32) at 1 B per
    parameter, 58 x 9 x 44,040,192 = 22,988,980,224 B, plus attention, dense layers, shared
    experts, router and head, 17,117,633,536 B: 40,106,613,760 B. Memory time per token with
    two micro-batches of a 16K chunk: 2 x that / 16,384 / (3.35 TB/s x 3,000/3,350)."""
    w = prefill_work(V3, H800, PROFILE)
    assert w.weight_bytes_per_microbatch == pytest.approx(40_106_613_760, rel=1e-9)
    b = prefill_bound(V3, H800, PROFILE)
    assert b["memory_time_s"] == pytest.approx(2 * 40_106_613_760 / 16384 / 3000e9, rel=1e-9)


def test_bound_of_deepseeks_profile_layout_is_the_network():
    """deepseek-ai/profile-data prefill layout on H800: the bound is the RDMA time,
    2,970,528 B / (50 GB/s x 0.9, DeepEP's best) = 66.0 us: 15,149 tokens/s per GPU, against
    compute (1,550 TFLOPS FP8 for 71.4 GFLOP, 756 TFLOPS BF16 for 10.2 GFLOP) of 59.7 us."""
    b = prefill_bound(V3, H800, PROFILE)
    assert b["binding"] == "network"
    assert b["tokens_per_s_per_gpu"] == pytest.approx(50e9 * RDMA_EFFICIENCY_BEST / 2_970_528, rel=1e-9)
    compute = 71_397_849_088 / (1979e12 * GEMM_EFFICIENCY_BEST) + 81_920 * 61 * 8_390_656 / 4096 / (
        989e12 * ATTENTION_EFFICIENCY_BEST)
    assert b["compute_time_s"] == pytest.approx(compute, rel=1e-12)


def test_best_efficiencies_are_the_published_figures():
    """DeepGEMM 1,550 of 1,979 TFLOPS; FlashAttention-3 756 of 989; FlashMLA 3,000 of 3,350 GB/s;
    DeepEP V2 90 GB/s logical with half local = 45 of 50 GB/s; DeepEP V2 740 of 900 GB/s NVLink;
    DeepEP V1 EP32 58/57 GB/s logical, 3/4 remote, of 50 GB/s."""
    assert GEMM_EFFICIENCY_BEST == 1550 / 1979
    assert ATTENTION_EFFICIENCY_BEST == 756 / 989
    assert MEMORY_EFFICIENCY_BEST == 3000 / 3350
    assert RDMA_EFFICIENCY_BEST == pytest.approx(0.9)
    assert NVLINK_EFFICIENCY_BEST == 740 / 900
    assert RDMA_EFFICIENCY == pytest.approx((58 + 57) / 2 * 0.75 / 50)


def test_measured_kernel_efficiencies():
    """DeepGEMM at DeepSeek-V3's prefill shapes (README 2025-03-25), FLOP-weighted: 1,267.6
    TFLOPS = 64.1% of 1,979; FlashAttention-3 causal at 4K = 579/989, between points linear in
    log2 of the length (3K: (521 + 579) / 2 / 989), flat outside."""
    flops = sum(n * k * u for n, k, _, u in DEEPGEMM_PREFILL_H800)
    assert gemm_efficiency_measured() == pytest.approx(flops / sum(n * k * u / t for n, k, t, u in DEEPGEMM_PREFILL_H800)
                                                       / 1979, rel=1e-12)
    assert gemm_efficiency_measured() * 1979 == pytest.approx(1267.6, abs=0.1)
    assert dict(FA3_CAUSAL_TFLOPS)[4096] == 579
    assert attention_efficiency(4096) == pytest.approx(579 / 989)
    assert attention_efficiency(2 ** 11.5) == pytest.approx((521 + 579) / 2 / 989)
    assert attention_efficiency(10) == attention_efficiency(512) == pytest.approx(292 / 989)
    assert attention_efficiency(10 ** 6) == pytest.approx(616 / 989)


def test_weights_per_gpu_and_fit():
    """DeepSeek-V3 prefill at EP32: 9 x 58 experts x 44,040,192 B + 17,117,633,536 B of other
    weights + the 1,853,358,080 B embedding = 41.96 GB, fits in 80 GB; Llama 3.1 405B in BF16
    on one GPU does not."""
    assert prefill_weight_bytes_per_gpu(V3, PROFILE) == pytest.approx(
        22_988_980_224 + 17_117_633_536 + 1_853_358_080, rel=1e-12)
    assert prefill_fits(V3, H800, PROFILE)
    assert not prefill_fits(MODELS["llama-3.1-405b"], H800, PrefillInputs(ep=1, redundant_experts=0))


def test_estimate_is_model_times_fitted_overhead():
    f = fit()
    e = prefill_estimate(V3, H800, PROFILE)
    b = prefill_bound(V3, H800, PROFILE)
    assert e["overhead"] == f.overhead["real"]
    assert e["tokens_per_s_per_gpu"] < b["tokens_per_s_per_gpu"]
    balanced = prefill_estimate(V3, H800, PrefillInputs(**{**PROFILE.__dict__, "routing": "balanced"}))
    assert balanced["tokens_per_s_per_gpu"] > e["tokens_per_s_per_gpu"]


# ---- validation -------------------------------------------------------------------------------------

def test_measured_figures_are_the_published_ones():
    """The measured rows, as published: DeepSeek profile 62,713 per 8-GPU node (LMSYS
    2025-05-05 from deepseek-ai/profile-data); SGLang H100 EP32 57,674 / 54,543 / 50,302 per
    node at 1K / 2K / 4K, 59,337 with simulated perfect EPLB (LMSYS 2025-05-05); Kimi K2 224k on
    32 H200 (LMSYS 2025-07-20); GB200 18,471 and 26,156 per GPU (LMSYS 2025-09-25); DeepSeek
    production 73.7k per node including cache hits, 342 B of 608 B hits (Day-6 overview)."""
    m = {r.key: r.measured_tokens_per_s_per_gpu for r in MEASUREMENTS}
    assert m["deepseek-profile"] * 8 == 62_713
    assert [m[k] * 8 for k in ("sglang-h100-1k", "sglang-h100-2k", "sglang-h100-4k", "sglang-h100-4k-balanced")] == [
        57_674, 54_543, 50_302, 59_337]
    assert m["sglang-kimi-k2-h200"] * 32 == 224_000
    assert (m["sglang-gb200-fp8"], m["sglang-gb200-fp4"]) == (18_471, 26_156)
    assert m["deepseek-production"] * 8 == pytest.approx(73_700 * 266 / 608)
    assert m["ant-h20-tp8"] * 8 == 16_500  # LMSYS 2025-09-26, Ant Group on H20


def test_every_measurement_is_at_or_below_the_prefill_bound():
    """A bound must hold: every measured prefill throughput, in scope of the estimate or not."""
    v = validate_prefill()
    assert v["all_below_prefill_bound"]
    for key, r in v["rows"].items():
        assert r["measured_tokens_per_s_per_gpu"] <= r["bound_tokens_per_s_per_gpu"], key


def test_estimate_within_25_percent_leave_one_out():
    """At least four capacity measurements; the estimate within +/-25% of each, with the
    overhead factor fitted on all of them and fitted without the row (leave-one-out)."""
    v = validate_prefill()
    rows = [r for r in v["rows"].values() if r["scope"] == "estimate"]
    assert len(rows) >= 4
    for r in rows:
        assert abs(r["estimate_error"]) <= 0.25, r["label"]
        assert abs(r["loo_error"]) <= 0.25, r["label"]
    assert v["max_loo_error"] == max(abs(r["loo_error"]) for r in rows)
    assert v["prefill_error_band"] == v["max_loo_error"]


def test_leave_one_out_refits_without_the_row():
    """Each row's leave-one-out factor is the geometric mean of measured / modelled over the
    other rows of its routing kind, recomputed here."""
    from calc.prefill_validate import _modelled

    rows = [m for m in MEASUREMENTS if m.scope == "estimate"]
    f = fit()
    for m in rows:
        others = [o.measured_tokens_per_s_per_gpu / _modelled(o) for o in rows if o.routing == m.routing and o.key != m.key]
        assert f.loo_overhead[m.key] == pytest.approx(math.exp(sum(map(math.log, others)) / len(others)), rel=1e-12)


def test_bound_only_rows_say_why():
    for m in MEASUREMENTS:
        assert (m.scope == "bound") == bool(m.why_bound_only), m.key
        assert m.source and m.stated


# ---- command line -----------------------------------------------------------------------------------

def test_cli_prefill_json():
    out = cli_json("prefill")
    assert set(out) == set(calc.CALCULATIONS["prefill"].outputs)
    assert out["tokens_per_s_per_gpu"] == pytest.approx(calc.evaluate("prefill")["tokens_per_s_per_gpu"], rel=1e-12)
    assert out["tokens_per_s_per_gpu"] < out["prefill_bound_tokens_per_s_per_gpu"]


def test_cli_validate_prefill_prints_the_table():
    r = run_cli("validate_prefill")
    assert r.returncode == 0 and r.stderr == ""
    for m in MEASUREMENTS:
        assert m.label in r.stdout
    assert "leave-one-out" in r.stdout and "bound only" in r.stdout
    json.loads(run_cli("validate_prefill", "--json").stdout)


@pytest.mark.parametrize("args,name", [
    (("prefill", "--prompt-len", "0"), "prompt_len"),
    (("prefill", "--cache-hit-share", "1.5"), "cache_hit_share"),
    (("prefill", "--prefill-gpu", "h9000"), "prefill_gpu"),
    (("prefill", "--prefill-microbatches", "3"), "prefill_microbatches"),
    (("ttft", "--prompt-len", "abc"), "prompt_len"),
    (("bill", "--requests-per-s", "0"), "requests_per_s"),
    (("bill", "--output-len", "-5"), "output_len"),
    (("bill", "--price-list", "nope"), "price_list"),
])
def test_cli_bad_input_one_line_exit_2(args, name):
    assert_one_line_error(run_cli(*args), name)
