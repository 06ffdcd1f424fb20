"""The estimate and the validation against measured deployments (issue 7, sections 1-4):
every bound holds, the estimate stays inside the targets leave-one-out, and each correction
the review asked for is tested against its source."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import calc
from calc import estimate as est_mod
from calc import measured
from calc.validate import (DEPLOYMENTS, GAP_STEPS, SHARE_GRID, TARGET_GEOMEAN, TARGET_MAPE, TARGET_MAX_ERROR, Deployment,
                           _estimate_point, _observation, fit_estimate, validate)

V = calc.evaluate("validate", {})
DECODE = {k: r for k, r in V["rows"].items() if r["group"] == "decode"}


# ---- the rows and their sources ---------------------------------------------------------------

def test_at_least_twelve_decode_deployments_each_with_source_and_settings():
    """Issue 7 section 4: at least 12 measured deployments with the settings their sources
    state, on several GPUs and models, with and without MTP, small and large batches."""
    assert len(DECODE) >= 12 and V["decode_rows"] == len(DECODE)
    gpus = {r["gpu"] for r in DECODE.values()}
    models = {r["model"] for r in DECODE.values()}
    assert {"H800 SXM", "H100 SXM", "H200 SXM", "H20", "GB200 NVL72 (per GPU)"} <= gpus
    assert {"DeepSeek-V3", "Kimi K2", "Qwen3-30B-A3B", "Qwen3-8B"} <= models
    batches = [r["estimate_batch_per_gpu"] for r in DECODE.values()]
    assert min(batches) <= 8 and max(batches) >= 1000
    assert any("MTP x" in r["naive_includes"] for r in DECODE.values())
    for key, r in V["rows"].items():
        assert r["source"] and r["stated"] and r["assumed"], key


def test_measured_figures_match_their_sources():
    """Each measured figure as its source prints it (per node / 8, or per GPU)."""
    rows = V["rows"]
    assert rows["deepseek-production"]["measured_tokens_per_s_per_gpu"] == 14_800 / 8  # Day-6 overview
    assert rows["deepseek-profile"]["measured_tokens_per_s_per_gpu"] == 18_598 / 8  # LMSYS from profile-data
    assert rows["sglang-h100-ep72"]["measured_tokens_per_s_per_gpu"] == 22_282 / 8  # LMSYS 2025-05-05
    assert rows["sglang-gb200-bf16"]["measured_tokens_per_s_per_gpu"] == 7583  # LMSYS 2025-06-16
    assert rows["sglang-gb200-bf16-v2"]["measured_tokens_per_s_per_gpu"] == 9087  # LMSYS 2025-09-25
    assert rows["sglang-gb200-fp4"]["measured_tokens_per_s_per_gpu"] == 13_386  # LMSYS 2025-09-25
    assert rows["sglang-h200-64k"]["measured_tokens_per_s_per_gpu"] == 60.4  # LMSYS 2025-07-17
    assert rows["sglang-h200-64k-mtp"]["measured_tokens_per_s_per_gpu"] == 81.5
    assert rows["sglang-kimi-k2-h200"]["measured_tokens_per_s_per_gpu"] == 288_000 / 96  # LMSYS 2025-07-20
    assert [rows[k]["measured_tokens_per_s_per_gpu"] for k in ("ant-h20-bs48", "ant-h20-bs32", "ant-h20-bs12",
                                                               "ant-h20-ep32-bs8")] == [714, 675, 423, 293]
    assert rows["infersim-qwen3-30b-h20"]["measured_tokens_per_s_per_gpu"] == 2749  # alibaba/InferSim README
    assert rows["infersim-qwen3-8b-h20"]["measured_tokens_per_s_per_gpu"] == 2682
    assert rows["trtllm-b200"]["measured_tokens_per_s_per_gpu"] == 4600  # TensorRT-LLM tech blog 3


def test_trtllm_b200_row_as_its_source_states_and_kept_apart():
    """Issue 7 item 4 / NVIDIA TensorRT-LLM tech blog 3: FP8 KV *and FP8 attention*, about 500
    concurrent requests per GPU, 1K in / 2K out with prefill on the same GPUs: modelled with
    those settings and kept in the mixed group the decode targets do not count."""
    d = next(x for x in DEPLOYMENTS if x.key == "trtllm-b200")
    assert d.group == "mixed"
    assert d.settings["kv_dtype"] == "fp8" and d.settings["attn_dtype"] == "fp8"
    assert d.settings["batch_per_gpu"] == 500
    assert "trtllm-b200" not in DECODE


def test_settings_that_did_not_exist_are_not_offered():
    """Issue 7 item 3: FlashMLA had no FP8 cache in February 2025 (it came with V3.2 in
    September), so DeepSeek's production and profile rows try BF16 only, and use the first
    FlashMLA kernel's 580 TFLOPS."""
    for key in ("deepseek-production", "deepseek-profile"):
        d = next(x for x in DEPLOYMENTS if x.key == key)
        assert "kv_dtype" not in d.unknown and d.settings.get("kv_dtype", "bf16") == "bf16"
        assert d.settings["attn_efficiency"] == pytest.approx(580 / 865, abs=1e-4)


def test_ties_are_reported_not_a_winner():
    """Issue 7 item 3: where unpublished settings give the same bound, the row says "tie".
    A network-bound row whose KV type is unknown gives the same bound for BF16 and FP8."""
    from calc import validate as vmod
    d = Deployment("tie-test", "tie test", "h800", 1000, "test", dict(ep=144, seq_len=1000, batch_per_gpu=64),
                   "s", "a", unknown=dict(kv_dtype=("bf16", "fp8")))
    saved = vmod.DEPLOYMENTS
    try:
        vmod.DEPLOYMENTS = saved + (d,)
        vmod._validate_cached.cache_clear()
        r = vmod.validate(0.8955, 0.896, 0.8, 0.763)["rows"]["tie-test"]
    finally:
        vmod.DEPLOYMENTS = saved
        vmod._validate_cached.cache_clear()
    assert r["binding"] == "network" and r["tie"] is True
    assert r["tight_settings"].startswith("tie:") and "BF16" in r["tight_settings"] and "FP8" in r["tight_settings"]
    assert V["rows"]["deepseek-production"]["tie"] is False


# ---- the targets ----------------------------------------------------------------------------------

def test_every_measurement_at_or_below_the_tight_bound():
    """A bound must stay above every measurement, decode-only and mixed (all sources above)."""
    for key, r in V["rows"].items():
        assert r["measured_tokens_per_s_per_gpu"] <= r["tight_tokens_per_s_per_gpu"], key
        assert r["tight_tokens_per_s_per_gpu"] <= r["naive_tokens_per_s_per_gpu"] * (1 + 1e-9), key
    assert V["all_below_tight"] is True


def test_targets_printed_with_the_honest_figures():
    """Issue 7 section 4: geometric mean of measured / tight >= 0.5; estimate within +/-25% of
    every decode-only measurement and within 15% mean absolute error, leave-one-out. Each
    target reports its value and whether it is met, from the value itself; over the NVIDIA rows
    the estimate is fitted to, the mean error is within the target; the bound is much closer
    than the speed of light."""
    for t in V["targets"].values():
        if isinstance(t["target"], bool):
            assert t["met"] == (t["value"] is t["target"])
    g = V["targets"]["geomean_measured_over_tight"]
    assert g["value"] == V["geomean_measured_over_tight"] and g["met"] == (g["value"] >= TARGET_GEOMEAN)
    worst = max(DECODE, key=lambda k: abs(DECODE[k]["estimate_error"]))
    m = V["targets"]["estimate_max_abs_error"]
    assert V["estimate_worst_row"] == worst
    assert m["value"] == abs(DECODE[worst]["estimate_error"]) and m["met"] == (m["value"] <= TARGET_MAX_ERROR)
    t = V["targets"]["estimate_mape"]
    assert t["value"] == V["estimate_mape"] and t["met"] == (t["value"] <= TARGET_MAPE)
    assert V["estimate_mape_nvidia"] <= TARGET_MAPE  # the rows the estimate is fitted to
    assert V["geomean_measured_over_tight"] > 4 * V["geomean_measured_over_naive"]


def test_estimate_within_25_percent_on_nvidia_but_one_row():
    """Leave-one-out, the estimate stays within the issue's +/-25% on every NVIDIA decode row but
    one, vLLM's wide-EP run on H200 (vLLM blog 2025-12-17, 2.2k tok/s per GPU), measured below
    the estimate by more than that; the target reports it as not met rather than leaving the
    row out. The same engine on GB200 (vLLM blog 2026-02-03, 10,108 tok/s per GPU at 1,024
    requests per GPU, minosfuture/vllm runs/DS-R1/fp4/report) lands inside, so the gap is
    not the engine alone. The AMD row misses by far more (test below)."""
    outside = {k for k, r in DECODE.items() if r["vendor"] == "nvidia" and abs(r["estimate_error"]) > TARGET_MAX_ERROR}
    assert outside == {"vllm-h200-ep32"}, outside
    assert V["estimate_outside_nvidia_rows"] == ["vllm-h200-ep32"]
    assert abs(DECODE["vllm-gb200-ep8"]["estimate_error"]) <= 0.1
    v = DECODE["vllm-h200-ep32"]
    assert v["estimate_error"] > TARGET_MAX_ERROR
    assert v["measured_tokens_per_s_per_gpu"] <= v["tight_tokens_per_s_per_gpu"]
    assert not V["targets"]["estimate_max_abs_error"]["met"]


def test_bound_rule_top_of_stated_ranges_and_as_many_as_fit():
    """W1, validate's own rule: where a source gives a range, the bound takes its top and the
    estimate its middle (LMSYS 2025-09-26, Ant Group: accept length 1.8-1.9 with one draft,
    2.4-2.7 with two); where it leaves the batch out, the bound takes as many as fit
    (alibaba/InferSim README publishes no batch for its measured Qwen3 runs; 100 and 64 are
    its simulation scripts' inputs, kept for the estimate)."""
    from calc.tight import max_batch
    from calc.validate import gpu_of, tight_inputs
    dep = {d.key: d for d in DEPLOYMENTS}
    for key in ("ant-h20-bs48", "ant-h20-bs32"):
        assert dep[key].settings["accept_length"] == 1.9 and dep[key].estimate_settings["accept_length"] == 1.85
    assert dep["ant-h20-bs12"].settings["accept_length"] == 2.7
    assert dep["ant-h20-bs12"].estimate_settings["accept_length"] == 2.55
    assert dep["ant-h20-ep32-bs8"].unknown["accept_length"] == (1.0, 1.9)  # MTP not stated for EP32
    for key, b in (("infersim-qwen3-30b-h20", 100), ("infersim-qwen3-8b-h20", 64)):
        d = dep[key]
        cap = max_batch(calc.MODELS[d.model], gpu_of(d), tight_inputs(d.settings, {}))
        assert V["rows"][key]["batch_per_gpu"] == math.floor(cap) > b
        assert V["rows"][key]["estimate_batch_per_gpu"] == b


def test_profile_row_holds_in_either_counting_lmsys():
    """D3: LMSYS derived 18,598 tok/s per node from DeepSeek's profile without saying how it
    counted tokens, and the profile-data README does not say whether MTP was on. If MTP was on
    and one token was counted per step, the bound in that counting is the step with MTP's
    work done and one token per sequence: the figure must stay under that too."""
    r = V["rows"]["deepseek-profile"]
    assert r["tight_one_token_per_step"] is not None
    assert r["measured_tokens_per_s_per_gpu"] <= r["tight_one_token_per_step"] <= r["tight_tokens_per_s_per_gpu"]
    assert all(x["tight_one_token_per_step"] is None for k, x in V["rows"].items() if k != "deepseek-profile")


def test_fitted_defaults_equal_the_fit_over_all_rows():
    """The schema's overhead factor, fixed step time and Blackwell attention share are the fit
    over every fitted (NVIDIA) decode row at the default efficiencies (so the calculator's estimate is the
    validated one)."""
    assert V["overhead_factor"] == pytest.approx(est_mod.FITTED_OVERHEAD_FACTOR, abs=5e-4)
    assert V["step_overhead_s"] * 1e3 == pytest.approx(est_mod.FITTED_STEP_OVERHEAD_MS, abs=5e-3)
    assert V["blackwell_attention_share"] == pytest.approx(est_mod.FITTED_BLACKWELL_ATTENTION_SHARE, abs=1e-9)
    assert calc.PARAMS["overhead_factor"].default == est_mod.FITTED_OVERHEAD_FACTOR
    assert calc.PARAMS["blackwell_attention_share"].default == est_mod.FITTED_BLACKWELL_ATTENTION_SHARE
    assert V["overhead_factor"] >= 1 and V["step_overhead_s"] >= 0


def test_tensor_parallel_rows_from_inferencex():
    """SemiAnalysis InferenceX, published 2026-05-17 (H200) and 2026-05-22 (B200), SGLang v0.5.12 on
    8 GPUs, tensor parallel (experts sliced, no EP, no micro-batches), 1K/1K, mean time per
    output token at 8 and 64 requests (PRs #3288 and #3363 quote them): decode tok/s per GPU =
    requests / TPOT / 8. A regime no other row has (one node, small batches, TP experts). With 8
    users the B200 decodes barely faster than the H200 (10.96 against 11.73 ms per token); the
    estimate says so too, because each layer's fused MoE call costs a fixed time that no
    bandwidth shortens (:func:`test_fused_moe_call_costs_a_fixed_time`). All four rows land
    within the 25% target."""
    for key, conc, tpot in (("infx-h200-tp8-c8", 8, 11.73e-3), ("infx-h200-tp8-c64", 64, 29.77e-3),
                            ("infx-b200-tp8-c8", 8, 10.96e-3), ("infx-b200-tp8-c64", 64, 21.73e-3)):
        r = DECODE[key]
        assert r["measured_tokens_per_s_per_gpu"] == pytest.approx(conc / tpot / 8)
        assert r["batch_per_gpu"] * 8 == conc
        assert r["measured_tokens_per_s_per_gpu"] <= r["tight_tokens_per_s_per_gpu"]
        assert abs(r["estimate_error"]) <= TARGET_MAX_ERROR, (key, r["estimate_error"])
    b8, h8 = DECODE["infx-b200-tp8-c8"], DECODE["infx-h200-tp8-c8"]
    assert b8["measured_tokens_per_s_per_gpu"] < 1.1 * h8["measured_tokens_per_s_per_gpu"]
    assert b8["estimate_tokens_per_s_per_gpu"] < 1.25 * h8["estimate_tokens_per_s_per_gpu"]


def test_fused_moe_call_costs_a_fixed_time():
    """With the experts split by TP, each MoE layer is one fused MoE call. SGLang's Triton kernel at
    DeepSeek-R1's TP8 shape on a B200 (sgl-project/sglang PR #11816, 2025-10-19) takes 52.65 us
    for 1 token and 95.47 us for 8, although 1 token's 9 expert slices (5.5 MB each) would stream
    in 6 us: a straight line through its six timings gives a fixed time near 46 us and 0.74 of
    HBM bandwidth beyond it, and reproduces each timing within 5 us. vLLM's kernel on H200 (PR
    #36554, DeepSeek-R1 at its benchmark's default TP2 shape) gives 27 us and 0.82. The estimate
    charges each layer that line: for 8 users on 8 B200s, 58 calls of about 97 us. Without the
    fixed time the B200 estimate would be 1.6 times the H200's; measured it is 1.07."""
    b = measured.FUSED_MOE["blackwell"]
    assert b.points[0] == (1, 52.65) and b.points[3] == (8, 95.47) and b.expert_bytes == 3 * 7168 * 256
    fixed, share = b.fit()
    assert 40e-6 < fixed < 50e-6 and 0.70 < share < 0.78
    for t, us in b.points:
        assert (fixed + b.bytes(t) / (share * 8e12)) * 1e6 == pytest.approx(us, abs=5)
    h = measured.FUSED_MOE["hopper"]
    assert h.points[0] == (1, 77.42) and h.expert_bytes == 3 * 7168 * 1024
    hf, hs = h.fit()
    assert 20e-6 < hf < 35e-6 and 0.75 < hs < 0.9
    for t, us in h.points:
        assert (hf + h.bytes(t) / (hs * 4.8e12)) * 1e6 == pytest.approx(us, abs=7)
    # the estimate's expert kernel for 8 users on 8 B200s is that line at the layer's bytes
    from calc.tight import TightInputs, step_work
    x = TightInputs(seq_len=1383, batch_per_gpu=1, ep=8, tp=8, moe_parallel="tp", micro_batches=1, kv_dtype="fp8")
    g = calc.GPUS["b200"]
    k = next(k for k in step_work(calc.MODELS["deepseek-r1"], g, x, 1).kernels if k.name == "experts")
    t, _ = est_mod.kernel_time(k, g, x)
    assert t == pytest.approx(fixed + k.bytes / (g.hbm_bw * share), rel=1e-12)
    assert 90e-6 < t < 105e-6
    # a call limited by its arithmetic pays the fixed time too; the bound's best rates pay none
    heavy = dataclasses.replace(k, flops=k.flops * 1e4)
    th, side = est_mod.kernel_time(heavy, g, x)
    th_ep, side_ep = est_mod.kernel_time(heavy, g, dataclasses.replace(x, moe_parallel="ep"))
    assert side == side_ep == "compute" and th - th_ep == pytest.approx(fixed, rel=1e-9)
    assert est_mod.fixed_call_time(k, g, x, best=True) == 0.0
    # AITER (AMD's kernels) at the same shape on an MI355X: one timing for its 1-8 token bucket,
    # taken once at 8 tokens, then 16, 32, 64
    a = measured.FUSED_MOE["cdna4"]
    assert a.points == ((8, 77.4907), (16, 112.6776), (32, 158.4834), (64, 212.9873)) and a.top_k == 9
    af, ash = a.fit()
    assert 15e-6 < af < 35e-6 and 0.8 < ash < 0.9
    for t, us in a.points:
        assert (af + a.bytes(t) / (ash * 8e12)) * 1e6 == pytest.approx(us, abs=7)
    # and on 304 compute units (MI325X), at GLM-5's split shape, the nearest the file has to
    # DeepSeek's (a8w8_blockscale_tuned_fmoe_glm5_1.csv): 67 us for 1 token, where 9 slices of
    # 4.7 MB would stream in 7; a fixed time about twice the MI355X's
    c = measured.FUSED_MOE["cdna3"]
    assert c.points[0] == (1, 67.3825) and c.points[-1] == (64, 288.4137) and c.expert_bytes == 3 * 6144 * 256
    cf, csh = c.fit()
    assert 40e-6 < cf < 55e-6 and cf > 1.5 * af and 0.75 < csh < 0.85
    for t, us in c.points:
        assert (cf + c.bytes(t) / (csh * 6e12)) * 1e6 == pytest.approx(us, abs=35)
    assert measured.fused_moe_fit("cdna3") == (cf, csh) and measured.fused_moe_fit("mystery") == h.fit()


def test_amd_matmuls_at_amds_own_measured_rates():
    """ROCm/aiter a8w8_blockscale_tuned_gemm_ds_v3.csv (at e4048607a, 2026-08-22): AMD's tuner timed
    its FP8 block-scale matmuls on DeepSeek-V3's shapes. On 256 compute units (MI355X), DeepGEMM's
    own six decode shapes at M = 64 and 128 average 1,678 GB/s of weights, 0.21 of the MI355X's 8
    TB/s, where DeepGEMM reaches 0.67 of an H800's 3.35 TB/s; the same model's shapes split over 8
    GPUs, 942 GB/s (smaller matrices keep fewer compute units busy). On 304 (MI325X), where only the
    split shapes are timed, 837 GB/s. The estimate reads block-scaled FP8 weights at those rates on
    AMD GPUs (split shapes where attention is split over 8 GPUs or more), the same rate on the
    MI300X and the MI325X (one chip), and leaves other formats (Llama 2's per-tensor FP8 in
    MLPerf) and NVIDIA GPUs at DeepGEMM's."""
    full4 = measured.AITER_DECODE_GEMM[("cdna4", "full")]
    tp8_4, tp8_3 = measured.AITER_DECODE_GEMM[("cdna4", "tp8")], measured.AITER_DECODE_GEMM[("cdna3", "tp8")]
    assert (64, 2112, 7168, 20.6114) in full4 and (128, 7168, 16384, 56.7734) in full4 and len(full4) == 12
    assert {(n, k) for _, n, k, _ in full4} == {(r[1], r[2]) for r in measured.DEEPGEMM_DENSE_DECODE}
    assert {(n, k) for _, n, k, _ in tp8_4} == {(n, k) for _, n, k, _ in tp8_3} and len(tp8_3) == 16
    assert (64, 2112, 7168, 16.4758) in tp8_3 and (64, 512, 7168, 9.651) in tp8_4
    assert ("cdna3", "full") not in measured.AITER_DECODE_GEMM
    assert measured.aiter_decode_gemm_rate("cdna4", 1) == pytest.approx(1678e9, rel=1e-3)
    assert measured.aiter_decode_gemm_rate("cdna4", 8) == pytest.approx(942e9, rel=1e-3)
    assert measured.aiter_decode_gemm_rate("cdna3", 8) == pytest.approx(837e9, rel=1e-3)
    assert measured.aiter_decode_gemm_rate("cdna3", 1) == measured.aiter_decode_gemm_rate("cdna3", 8)
    assert measured.aiter_decode_gemm_rate("cdna4", 1) / 8e12 < measured.decode_gemm_memory_efficiency() / 3
    from calc.tight import TightInputs, step_work
    x = TightInputs(seq_len=1383, batch_per_gpu=1, ep=8, tp=8, moe_parallel="tp", micro_batches=1, kv_dtype="fp8")
    times = {}
    for g in ("mi300x", "mi325x", "mi355x", "h200"):
        gpu = calc.GPUS[g]
        k = next(k for k in step_work(calc.MODELS["deepseek-r1"], gpu, x, 1).kernels if k.name == "attn_in")
        assert k.weight_block == 128
        times[g], side = est_mod.kernel_time(k, gpu, x)
        assert side == "memory"
        if g != "h200":
            assert times[g] == pytest.approx(k.bytes / measured.aiter_decode_gemm_rate(gpu.arch, 8), rel=1e-9)
    assert times["mi300x"] == pytest.approx(times["mi325x"], rel=1e-12) and times["mi325x"] > 3 * times["h200"]
    # data-parallel attention on an MI355X: unsplit weights, the unsplit shapes' rate
    x1 = dataclasses.replace(x, tp=1, moe_parallel="ep")
    k1 = next(k for k in step_work(calc.MODELS["deepseek-r1"], calc.GPUS["mi355x"], x1, 1).kernels
              if k.name == "attn_in")
    assert est_mod.kernel_time(k1, calc.GPUS["mi355x"], x1)[0] == pytest.approx(
        k1.bytes / measured.aiter_decode_gemm_rate("cdna4", 1), rel=1e-9)
    # Llama 2 70B has no weight blocks: DeepGEMM's rate on any GPU
    ll = next(k for k in step_work(calc.MODELS["llama-2-70b"], calc.GPUS["mi300x"], x, 1).kernels if k.kind == "gemm")
    assert ll.weight_block == 0
    assert est_mod.kernel_time(ll, calc.GPUS["mi300x"], x)[0] == pytest.approx(
        ll.bytes / (5.3e12 * measured.decode_gemm_memory_efficiency()), rel=1e-9)

def test_tensor_parallel_all_reduce_pays_its_latency(monkeypatch):
    """An all-reduce of a few hundred KiB across 8 GPUs is latency, not bandwidth: SGLang's custom
    all-reduce takes 0.0059 ms for its smallest message on 8 H100 (sgl-project/sglang PR #2904),
    MSCCL++ 5.86 us for 2 KiB (PR #22734), while 8 tokens of DeepSeek's hidden state cross NVLink
    in under a microsecond. Each of the 122 all-reduces of DeepSeek-R1 on TP8 adds that latency
    to the step, as measured: the fitted overhead factor, which stands for the small kernels the
    model leaves out, does not scale it."""
    assert measured.ALLREDUCE_LATENCY.value == 5.9e-6 and "0.0059" in measured.ALLREDUCE_LATENCY.quote
    p = dict(model="deepseek-r1", gpu="h200", ep=8, tp=8, moe_parallel="tp", micro_batches=1, seq_len=1383,
             batch_per_gpu=1)
    with_latency = calc.evaluate("estimate", p)["step_time_s"]
    monkeypatch.setattr(est_mod, "ALLREDUCE_LATENCY_S", 0.0)
    without = calc.evaluate("estimate", p)["step_time_s"]
    assert with_latency - without == pytest.approx(122 * 5.9e-6, rel=1e-9)
    assert est_mod.FITTED_OVERHEAD_FACTOR > 1.1  # so scaling it would show


def test_serving_benchmark_rows_count_prefill_pauses():
    """InferenceX measures the time per output token with prefill on the same GPUs, so a step
    includes the pauses while other users' new prompts are prefilled: with U users on G GPUs,
    prompts of P tokens every O output tokens and a prefill rate r per GPU, (U - 1) P / (O r G)
    per step (calc.validate.prefill_pause_s). The prefill rate is calc's prefill estimate for one
    prompt per pass over the 8 GPUs (P / 8 tokens per GPU, as calc.prefill counts a pass). The
    row's estimate is b over the decode step plus that pause; rows whose decode ran alone have
    none, and the fitted overhead factor does not scale it."""
    from calc import validate as vmod
    from calc.prefill import PrefillInputs, prefill_estimate
    d = next(x for x in DEPLOYMENTS if x.key == "infx-h200-tp8-c64")
    assert d.interleaved_prefill == {"prompt_len": 922, "output_len": 922, "gpus": 8}
    r = vmod.prefill_rate(d)
    x = PrefillInputs(prompt_len=922, chunk_tokens=922 / 8, ep=8, tp=8, moe_parallel="tp", redundant_experts=0,
                      microbatches=1)
    assert r == prefill_estimate(calc.MODELS["deepseek-r1"], calc.GPUS["h200"], x)["tokens_per_s_per_gpu"]
    assert vmod.prefill_pause_s(d, 8) == pytest.approx(63 * 922 / (922 * r * 8), rel=1e-12)
    assert vmod.prefill_pause_s(d, 1 / 8) == 0.0  # one user waits on no one else's prompt
    plain = dataclasses.replace(d, interleaved_prefill={})
    fit = vmod.Fit(1.2, 2e-3, 0.45, est_mod.CPU_STEP_OVERHEAD_S)
    eff = dict(mem_efficiency=calc.PARAMS["mem_efficiency"].default,
               compute_efficiency=calc.PARAMS["compute_efficiency"].default,
               net_efficiency=calc.PARAMS["net_efficiency"].default, attn_efficiency=measured.ATTENTION_EFFICIENCY)
    a, b = _estimate_point(d, eff, fit), _estimate_point(plain, eff, fit)
    assert a["step_time_s"] == pytest.approx(b["step_time_s"] + vmod.prefill_pause_s(d, 8), rel=1e-12)
    assert a["tokens_per_s_per_gpu"] == pytest.approx(8 / a["step_time_s"], rel=1e-12)
    assert 1e-3 < vmod.prefill_pause_s(d, 8) < 4e-3  # under a tenth of the 29.77 ms step
    assert all(x.interleaved_prefill == {} for x in DEPLOYMENTS if not x.key.startswith(("infx-", "atom-")))
    o = _observation(d, eff, 0.45)
    assert o.pause_s == vmod.prefill_pause_s(d, 8) and o.predicted(1.5, 0.0, 0.0) - o.predicted(1.0, 0.0, 0.0) == \
        pytest.approx(0.5 * (o.modelled - o.fixed_s), rel=1e-12)


def test_first_token_times_cap_the_prefill_pauses():
    """A newcomer's prompt is prefilled before its first token arrives, so the benchmark's own mean
    time to first token T caps the prefill time, and (U - 1) T / O caps the pauses per step
    (calc.validate.max_prefill_pause_s). First-token times: InferenceX's published means quoted in
    SemiAnalysisAI/InferenceX PR #3288 (H200: 165.36 ms at 8 users, 359.75 ms at 64) and PR #3363
    (B200: 248.74 ms, 1,170.32 ms), and issue #890 (MI325X: 418.1 ms at 8 users, median 118.8 ms).
    The prefill estimate must fit inside each; and even with every newcomer's whole first-token time
    as a pause, the MI325X row stays far above its measurement: the pauses are not the AMD gap."""
    from calc import validate as vmod
    with_ttft = {k: r for k, r in DECODE.items() if r["measured_first_token_s"]}
    assert set(with_ttft) == {"infx-h200-tp8-c8", "infx-h200-tp8-c64", "infx-b200-tp8-c8", "infx-b200-tp8-c64",
                              "infx-h200-tp8-8k-c8", "infx-h200-tp8-8k-c64", "infx-b300-tp8-c8", "infx-b300-tp8-c64",
                              "infx-mi325x-tp8-c8", "infx-mi325x-tp8-8k-c8", "atom-mi355x-tp8-c8",
                              "atom-mi355x-tp8-c64"}
    assert with_ttft["infx-h200-tp8-c8"]["measured_first_token_s"] == pytest.approx(0.16536)
    assert with_ttft["infx-b200-tp8-c64"]["measured_first_token_s"] == pytest.approx(1.17032)
    for k, r in with_ttft.items():
        d = next(x for x in DEPLOYMENTS if x.key == k)
        assert r["estimate_prefill_s"] == pytest.approx(d.interleaved_prefill["prompt_len"]
                                                        / (vmod.prefill_rate(d) * 8), rel=1e-12)
        assert r["estimate_prefill_s"] < r["measured_first_token_s"], k
        users = r["estimate_batch_per_gpu"] * 8
        assert r["estimate_max_prefill_pause_s"] == pytest.approx(
            (users - 1) * r["measured_first_token_s"] / 922, rel=1e-12)
        assert d.interleaved_prefill["prompt_len"] == (7373 if "-8k-" in k else 922)
        assert r["estimate_max_prefill_pause_s"] > r["estimate_prefill_pause_s"]
        # the same decode step, only the pause replaced: slower, and by exactly the pause's difference
        b = r["estimate_batch_per_gpu"]
        step_hi = r["estimate_step_time_s"] - r["estimate_prefill_pause_s"] + r["estimate_max_prefill_pause_s"]
        assert r["estimate_at_max_pause_tokens_per_s_per_gpu"] == pytest.approx(b / step_hi, rel=1e-9)
        assert r["estimate_at_max_pause_error"] < r["estimate_error"]
    amd = with_ttft["infx-mi325x-tp8-c8"]
    assert amd["estimate_at_max_pause_error"] > 0.5  # still half again the measurement
    assert DECODE["infx-mi355x-dep8-c256"]["estimate_max_prefill_pause_s"] is None  # prefill on other GPUs


def test_pause_cap_counts_accepted_tokens_and_replaces_only_the_pause():
    """With MTP a step emits a tokens per user, so a request of O tokens lasts O / a steps and the
    arrivals per step (and both the pause and its cap) scale with a; replacing the pause keeps the
    tokens per step and changes the step by the difference of the pauses (calc.validate)."""
    from calc import validate as vmod
    d = next(x for x in DEPLOYMENTS if x.key == "infx-h200-tp8-c8")
    two = dataclasses.replace(d, estimate_settings={"accept_length": 2.0})
    assert vmod.max_prefill_pause_s(two, 1) == pytest.approx(2 * vmod.max_prefill_pause_s(d, 1), rel=1e-12)
    assert vmod.max_prefill_pause_s(d, 1) == pytest.approx(7 * 0.16536 / 922, rel=1e-12)
    assert vmod.prefill_pause_s(two, 1) == pytest.approx(2 * vmod.prefill_pause_s(d, 1), rel=1e-12)
    assert vmod.max_prefill_pause_s(dataclasses.replace(d, first_token_s=0.0), 1) is None
    r = {"step_time_s": 0.012, "prefill_pause_s": 0.002, "tokens_per_s_per_user": 2 / 0.012, "batch_per_gpu": 3}
    w = vmod._with_pause(r, 0.005)
    assert w["step_time_s"] == pytest.approx(0.015) and w["prefill_pause_s"] == 0.005
    assert w["tokens_per_s_per_user"] == pytest.approx(2 / 0.015) and w["tokens_per_s_per_gpu"] == pytest.approx(6 / 0.015)


def test_amd_row_checks_the_estimate_without_entering_its_fit():
    """SemiAnalysis InferenceX, issue #890 (2026-03-08): SGLang v0.5.9 for ROCm on 8 MI325X, the
    same TP8 1K/1K benchmark, 26.17 ms per output token at 8 requests: 38.2 tok/s per GPU, about
    half the estimate even with AMD's own kernel timings. The row is checked, not fitted: scaling its measurement moves no
    fitted number and no NVIDIA row's estimate or band; it stretches the NVIDIA band into the AMD
    band, and it counts in the targets. Every decode row is fitted exactly when it is on an
    NVIDIA GPU, so the fit and the NVIDIA band cover the same rows."""
    from calc import validate as vmod
    r = DECODE["infx-mi325x-tp8-c8"]
    assert r["vendor"] == "amd" and not r["fitted"]
    assert r["measured_tokens_per_s_per_gpu"] == pytest.approx(8 / 26.17e-3 / 8)
    assert r["estimate_error"] > 0.5  # the estimate is about twice the measurement
    assert r["measured_tokens_per_s_per_gpu"] <= r["tight_tokens_per_s_per_gpu"]
    assert V["targets"]["estimate_max_abs_error"]["value"] == pytest.approx(r["estimate_error"])
    assert all(x["fitted"] == (x["vendor"] == "nvidia") for x in DECODE.values())
    amd_errors = [x["estimate_error"] for x in DECODE.values() if x["vendor"] == "amd"]
    assert V["amd_rows"] == len(amd_errors) == 5
    assert V["amd_error_low"] == pytest.approx(1 - 1 / (1 + max(amd_errors))) and max(amd_errors) == r["estimate_error"]
    assert V["amd_error_low"] > V["error_low"] and V["amd_error_high"] == V["error_high"]
    saved = vmod.DEPLOYMENTS
    try:
        vmod.DEPLOYMENTS = tuple(dataclasses.replace(d, measured_tokens_per_s_per_gpu=2 * d.measured_tokens_per_s_per_gpu)
                                 if d.key == "infx-mi325x-tp8-c8" else d for d in saved)
        vmod._validate_cached.cache_clear()
        w = calc.evaluate("validate", {})
    finally:
        vmod.DEPLOYMENTS = saved
        vmod._validate_cached.cache_clear()
    for k in ("overhead_factor", "step_overhead_s", "blackwell_attention_share", "cpu_step_s", "error_low",
              "error_high"):
        assert w[k] == V[k], k
    for k, x in DECODE.items():
        if x["vendor"] == "nvidia":
            assert w["rows"][k]["estimate_tokens_per_s_per_gpu"] == x["estimate_tokens_per_s_per_gpu"], k
    assert w["amd_error_low"] < V["amd_error_low"]  # half the miss: the AMD band narrows with it
    assert w["rows"]["infx-mi325x-tp8-c8"]["estimate_tokens_per_s_per_gpu"] == r["estimate_tokens_per_s_per_gpu"]
    # the calculator gives AMD GPUs the AMD band, the rest the NVIDIA one
    amd = calc.evaluate("estimate", {"gpu": "mi325x"})
    nv = calc.evaluate("estimate", {"gpu": "h200"})
    assert (amd["error_low"], amd["error_high"]) == pytest.approx((V["amd_error_low"], V["amd_error_high"]), abs=1e-4)
    assert (nv["error_low"], nv["error_high"]) == pytest.approx((V["error_low"], V["error_high"]), abs=1e-4)


def test_second_amd_row_disaggregated_mi355x():
    """SemiAnalysis InferenceX PR #666 (merged 2026-02-19), results table: DeepSeek-R1 FP8 1K/1K on
    MI355X with SGLang and MoRI, prefill and decode disaggregated, two decode workers of 8 GPUs with
    data-parallel attention and the experts over 8 GPUs, 256 requests, 41.6448 ms per output token:
    16 per decode GPU, 384 tok/s per GPU. Decode runs alone there, so no prefill pauses. With
    AMD's own matmul and attention timings the estimate lands within a tenth, far closer than on
    the March MI325X TP8 row: the AMD gap is not one size for every setup. Checked, not fitted,
    like the MI325X row."""
    r = DECODE["infx-mi355x-dep8-c256"]
    assert r["measured_tokens_per_s_per_gpu"] == pytest.approx(256 / 41.6448e-3 / 16)
    assert r["vendor"] == "amd" and not r["fitted"] and r["batch_per_gpu"] == 16
    assert r["measured_tokens_per_s_per_gpu"] <= r["tight_tokens_per_s_per_gpu"]
    assert r["estimate_prefill_pause_s"] == 0.0
    assert abs(r["estimate_error"]) < 0.1 < 0.5 < DECODE["infx-mi325x-tp8-c8"]["estimate_error"]
    assert "fake" in r["stated"] and "PR #666" in r["source"]


def test_amd_prefill_matmuls_at_amds_own_measured_rates():
    """The same AITER table at M = 4,096 (the size of DeepGEMM's prefill rows): DeepGEMM's six
    shapes on an MI355X take 91 to 521 us, 0.26 of its 5 PFLOPS of FP8 weighted by FLOPs; the
    split shapes on an MI325X, 0.30 of its 2.6 PFLOPS. DeepGEMM reaches 0.73 of the H800's
    sustained peak. The prefill estimate takes those shares on AMD GPUs, so an 8K-token prompt
    on 8 MI325X prefills slower than before, as its measured first token says it does."""
    from calc import prefill as pf
    assert measured.AITER_PREFILL_GEMM["cdna4"][0] == (4096, 2112, 7168, 91.0323)
    assert measured.aiter_prefill_gemm_efficiency("cdna4") == pytest.approx(0.2645, abs=5e-4)
    assert measured.aiter_prefill_gemm_efficiency("cdna3") == pytest.approx(0.3019, abs=5e-4)
    for g in ("mi300x", "mi325x", "mi355x"):
        gpu = calc.GPUS[g]
        assert pf.gemm_efficiency(gpu) == measured.aiter_prefill_gemm_efficiency(gpu.arch)
        assert pf.gemm_efficiency(gpu) < pf.GEMM_EFFICIENCY_MEASURED / 2
    assert pf.gemm_efficiency(calc.GPUS["h200"]) == pf.GEMM_EFFICIENCY_MEASURED
    assert pf.gemm_efficiency(calc.GPUS["h20"]) == measured.h20_gemm_efficiency()
    r = DECODE["infx-mi325x-tp8-8k-c8"]
    assert r["estimate_prefill_s"] < r["measured_first_token_s"]
    assert r["estimate_prefill_s"] > DECODE["infx-h200-tp8-8k-c8"]["estimate_prefill_s"]


def test_mi355x_tensor_parallel_rows_from_amds_own_benchmark():
    """ROCm/ATOM PR #409 (merged 2026-03-29): AMD's own CI ran DeepSeek-R1-0528 FP8 with vLLM and the
    ATOM plugin on 8 MI355X (runner atom-mi355-8gpu), tensor parallel, FP8 cache, the same 1K/1K
    random benchmark as InferenceX: 11.98 ms per output token at 8 requests (first token 119.83
    ms), 21.27 ms at 64 (211.02 ms). Checked, not fitted. At 64 users the estimate, with AMD's
    kernel timings, lands within a few percent; at 8 it is about a seventh above (less with the
    first-token cap), the same direction as every AMD row at 8 users."""
    r8, r64 = DECODE["atom-mi355x-tp8-c8"], DECODE["atom-mi355x-tp8-c64"]
    assert r8["measured_tokens_per_s_per_gpu"] == pytest.approx(8 / 11.98e-3 / 8)
    assert r64["measured_tokens_per_s_per_gpu"] == pytest.approx(64 / 21.27e-3 / 8)
    for r in (r8, r64):
        assert r["vendor"] == "amd" and not r["fitted"] and "PR #409" in r["source"]
        assert "atom-mi355-8gpu" in r["source"] and "--kv-cache-dtype fp8" in r8["stated"]
        assert r["measured_tokens_per_s_per_gpu"] <= r["tight_tokens_per_s_per_gpu"]
        assert r["estimate_prefill_pause_s"] > 0
    assert abs(r64["estimate_error"]) < 0.1
    assert 0 < r8["estimate_error"] < 0.35 and 0 < r8["estimate_at_max_pause_error"] < r8["estimate_error"]
    eight_users = [x for x in DECODE.values() if x["vendor"] == "amd" and x["batch_per_gpu"] == 1]
    assert len(eight_users) == 3 and all(x["estimate_error"] > 0.1 for x in eight_users)


def test_longer_prompts_and_the_b300_from_the_same_benchmark():
    """SemiAnalysis InferenceX, published results quoted in SemiAnalysisAI/InferenceX PR #3288 (H200,
    2026-05-17: 8K/1K at 8 and 64 users, 13.88 and 49.33 ms per output token, first tokens 490.53
    and 2,245.58 ms) and PR #3175 (B300, 2026-05-22, the B200 recipe: 10.12 and 21.17 ms, first
    tokens 146.08 and 623.66 ms). Prompts of 8,192 tokens drawn from 80-100% average 7,373, so the
    average context is 7,373 + 922 / 2 and each newcomer's prefill pause is about five times longer
    (a longer prompt prefills at a higher rate per token). The estimate holds on both without a
    change to its model (leave-one-out: the 8K rows are held out with the 1K H200 rows of the same
    source, the B300 rows with the B200 rows of the same recipe). And SGLang v0.5.19 on 8 MI325X, 8K/1K at 8 users
    (PR #3318, 2026-09-10: 21.56 ms, first token 1,026.66 ms), checked, not fitted: well above with
    the prefill estimate's pauses, within 25% with each newcomer's whole first-token time as a
    pause, so the loose cap cannot rule the pauses out there, unlike on the March row."""
    from calc import validate as vmod
    h8, h64 = DECODE["infx-h200-tp8-8k-c8"], DECODE["infx-h200-tp8-8k-c64"]
    b8, b64 = DECODE["infx-b300-tp8-c8"], DECODE["infx-b300-tp8-c64"]
    assert h8["measured_tokens_per_s_per_gpu"] == pytest.approx(8 / 13.88e-3 / 8)
    assert h64["measured_tokens_per_s_per_gpu"] == pytest.approx(64 / 49.33e-3 / 8)
    assert b8["measured_tokens_per_s_per_gpu"] == pytest.approx(8 / 10.12e-3 / 8)
    assert b64["measured_tokens_per_s_per_gpu"] == pytest.approx(64 / 21.17e-3 / 8)
    d = next(x for x in DEPLOYMENTS if x.key == "infx-h200-tp8-8k-c8")
    assert d.settings["seq_len"] == 7373 + 461 and d.source == next(
        x for x in DEPLOYMENTS if x.key == "infx-h200-tp8-c8").source
    recipe = {x.key for x in DEPLOYMENTS if vmod._holdout(x) == vmod._holdout(
        next(y for y in DEPLOYMENTS if y.key == "infx-b300-tp8-c8"))}
    assert recipe == {"infx-b200-tp8-c8", "infx-b200-tp8-c64", "infx-b300-tp8-c8", "infx-b300-tp8-c64"}
    assert vmod.prefill_pause_s(d, 1) == pytest.approx(7 * 7373 / (922 * vmod.prefill_rate(d) * 8), rel=1e-12)
    for r in (h8, h64, b8, b64):
        assert r["fitted"] and abs(r["estimate_error"]) < 0.12
        assert r["measured_tokens_per_s_per_gpu"] <= r["tight_tokens_per_s_per_gpu"]
    # the pause with 64 users and 8K prompts is a real part of the step
    assert h64["estimate_prefill_pause_s"] > 0.2 * (h64["estimate_step_time_s"] - h64["estimate_prefill_pause_s"])
    m = DECODE["infx-mi325x-tp8-8k-c8"]
    assert m["vendor"] == "amd" and not m["fitted"] and "v0.5.19" in m["stated"]
    assert m["measured_tokens_per_s_per_gpu"] == pytest.approx(8 / 21.56e-3 / 8)
    assert m["estimate_error"] > 0.25 and abs(m["estimate_at_max_pause_error"]) < 0.25
    assert DECODE["infx-mi325x-tp8-c8"]["estimate_at_max_pause_error"] > 0.5


def test_band_is_the_range_of_the_leave_one_out_errors():
    """The estimate's band: measured has been up to error_low below and error_high above the
    estimate on NVIDIA GPUs; every NVIDIA decode row lies inside it, and the estimate
    calculation reports it."""
    lo, hi = V["error_low"], V["error_high"]
    for key, r in DECODE.items():
        if r["vendor"] != "nvidia":
            continue
        e, m = r["estimate_tokens_per_s_per_gpu"], r["measured_tokens_per_s_per_gpu"]
        assert e * (1 - lo) * (1 - 1e-9) <= m <= e * (1 + hi) * (1 + 1e-9), key
    r = calc.evaluate("estimate", {})
    assert (r["error_low"], r["error_high"]) == pytest.approx((lo, hi), abs=1e-4)
    assert r["tokens_per_s_per_gpu_low"] == pytest.approx(r["tokens_per_s_per_gpu"] * (1 - r["error_low"]))
    assert r["tokens_per_s_per_gpu_high"] == pytest.approx(r["tokens_per_s_per_gpu"] * (1 + r["error_high"]))
    assert 0 < lo < 0.25 and 0 < hi < 0.35


# ---- the estimate ------------------------------------------------------------------------------------

_models = st.sampled_from(sorted(set(calc.MODELS) - {"deepseek-v3.2"}))


@settings(max_examples=40, deadline=None)
@given(model=_models, gpu=st.sampled_from(sorted(calc.GPUS)), seq=st.integers(200, 40_000),
       batch=st.integers(1, 600), ep=st.sampled_from([1, 8, 16, 72, 144]), mb=st.sampled_from([1, 2]),
       acc=st.sampled_from([1.0, 1.8]))
def test_estimate_never_above_the_tight_bound(model, gpu, seq, batch, ep, mb, acc):
    """The estimate runs the same kernels at typical rates (never above the best measured),
    in sequence, with imbalance and overheads >= 0: it can never beat the bound."""
    p = dict(model=model, gpu=gpu, seq_len=seq, batch_per_gpu=batch, ep=ep, micro_batches=mb, accept_length=acc)
    r = calc.evaluate("estimate", p)
    assert r["tokens_per_s_per_gpu"] <= r["tight_tokens_per_s_per_gpu"] * (1 + 1e-9)
    assert math.isfinite(r["tokens_per_s_per_gpu"]) and r["tokens_per_s_per_gpu"] >= 0


def test_estimate_cli_json_outputs():
    """``python -m calc estimate --json`` gives tokens/s per GPU and per user, the binding
    resource and the relative band."""
    out = subprocess.run([sys.executable, "-m", "calc", "estimate", "--json", "--micro-batches", "2", "--ep", "144"],
                         capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    for k in ("tokens_per_s_per_gpu", "tokens_per_s_per_user", "binding", "error_low", "error_high"):
        assert k in data
    assert data["binding"] in ("memory", "compute", "network")
    assert data["tokens_per_s_per_gpu"] == pytest.approx(
        calc.evaluate("estimate", {"micro_batches": 2, "ep": 144})["tokens_per_s_per_gpu"])


def test_validate_cli_json_and_printed_targets():
    """``validate --json`` rows carry the estimate and its error; the plain output prints the
    targets and whether each is met."""
    out = subprocess.run([sys.executable, "-m", "calc", "validate", "--json"], capture_output=True, text=True,
                         check=True)
    data = json.loads(out.stdout)
    assert len(data["rows"]) == len(V["rows"])
    for r in data["rows"].values():
        assert "estimate_tokens_per_s_per_gpu" in r and "estimate_error" in r
    plain = subprocess.run([sys.executable, "-m", "calc", "validate"], capture_output=True, text=True, check=True).stdout
    assert "targets:" in plain
    for t in V["targets"].values():
        assert t["label"] in plain
    assert plain.count(" met") + plain.count("NOT MET") >= len(V["targets"])
    for t in V["targets"].values():
        if not t["met"]:
            assert "NOT MET" in plain
    # the first-token check: one line per row with a published first-token time, its cap beside it
    part = plain.split("first-token times")[1].split("estimate: leave-one-out")[0]
    capped = [r for r in V["rows"].values() if r["group"] == "decode" and r["measured_first_token_s"]]
    assert capped and all(r["label"] in part for r in capped)
    assert "MI355X, decode EP8" not in part  # prefill on other GPUs: nothing to cap


def test_two_batch_timeline_follows_deepseeks_pipeline_profile_data():
    """deepseek-ai/profile-data decode.jpg: per layer the compute stream runs SHARED(0),
    ATTN-0(1), MLP(0), ATTN-1(1), then the same with the micro-batches swapped, while
    DISPATCH and COMBINE of the other micro-batch run on the network."""
    r = calc.evaluate("estimate", {"micro_batches": 2, "ep": 128, "batch_per_gpu": 128, "seq_len": 4096})
    c = r["timeline_chart"]
    comp = [(b["label"], b["micro_batch"]) for b in c["blocks"] if b["lane"] == "compute"]
    assert comp == [("shared expert", 0), ("ATTN-0", 1), ("routed experts", 0), ("ATTN-1", 1),
                    ("shared expert", 1), ("ATTN-0", 0), ("routed experts", 1), ("ATTN-1", 0)]
    net = [(b["label"], b["micro_batch"]) for b in c["blocks"] if b["lane"] == "network"]
    assert net == [("dispatch", 0), ("combine", 0), ("dispatch", 1), ("combine", 1)]
    for b in c["blocks"]:
        assert 0 <= b["start"] < b["end"] <= c["total"] * (1 + 1e-9)
    # compute blocks never overlap each other: one stream
    cb = sorted((b["start"], b["end"]) for b in c["blocks"] if b["lane"] == "compute")
    assert all(a[1] <= b[0] * (1 + 1e-9) + 1e-9 for a, b in zip(cb, cb[1:]))


def test_random_expert_load_spread():
    """The busiest of ``ep`` GPUs with ``N`` token-expert pairs each: 1 + sqrt(2 ln ep / N);
    EP128 with 512 pairs: 1.14."""
    assert est_mod.random_imbalance(512, 128) == pytest.approx(1 + math.sqrt(2 * math.log(128) / 512))
    assert round(est_mod.random_imbalance(512, 128), 2) == 1.14
    assert est_mod.random_imbalance(512, 1) == 1.0


def test_experts_split_by_tp_take_one_micro_batch():
    """With the experts split by TP there is no all-to-all for a second micro-batch to hide, and
    SGLang splits the batch only for expert parallelism (its two-batch overlap needs DeepEP): the
    estimate takes one micro-batch whatever the setting, so the weights are read once."""
    base = dict(model="deepseek-r1", gpu="h200", tp=8, ep=8, batch_per_gpu=8, seq_len=1383, moe_parallel="tp")
    one = calc.evaluate("estimate", dict(base, micro_batches=1))
    two = calc.evaluate("estimate", dict(base, micro_batches=2))
    assert two["tokens_per_s_per_gpu"] == one["tokens_per_s_per_gpu"] and two["schedule"] == "none"
    ep = calc.evaluate("estimate", dict(base, moe_parallel="ep", micro_batches=2))
    assert ep["schedule"] == "two-batch"  # expert parallelism still splits the batch


def test_experts_split_by_tp_have_no_busiest_gpu():
    """With every expert sliced over the TP GPUs (``moe_parallel = tp``) each GPU does the same
    expert work, so no GPU waits for a busier one: the estimate applies no load imbalance and
    does not depend on the random-spread switch. Under expert parallelism at the same shape the
    busiest of 8 GPUs sets the pace (8 sequences, 64 token-expert pairs: 1 + sqrt(2 ln 8 / 8))."""
    base = dict(model="deepseek-r1", gpu="h200", tp=8, ep=8, batch_per_gpu=1, seq_len=1500, micro_batches=1)
    tp = calc.evaluate("estimate", dict(base, moe_parallel="tp"))
    ep = calc.evaluate("estimate", dict(base, moe_parallel="ep"))
    assert tp["imbalance"] == 1.0
    assert ep["imbalance"] == pytest.approx(1 + math.sqrt(2 * math.log(8) / 8))
    assert tp["tokens_per_s_per_gpu"] > ep["tokens_per_s_per_gpu"]
    from calc.estimate import EstimateInputs, estimate
    from calc.tight import TightInputs
    m, g = calc.api.resolve_model("deepseek-r1"), calc.api.resolve_gpu("h200")
    x = TightInputs(seq_len=1500, tp=8, ep=8, batch_per_gpu=1, moe_parallel="tp", micro_batches=1)
    on = estimate(m, g, x, EstimateInputs(random_imbalance=True, moe_imbalance=1.3))
    off = estimate(m, g, x, EstimateInputs(random_imbalance=False))
    assert on["tokens_per_s_per_gpu"] == off["tokens_per_s_per_gpu"]


def test_cpu_step_time_from_sglang_overlap_scheduler_measurement():
    """LMSYS 2025-07-17: 51.0 tok/s per GPU without the overlap scheduler and 60.4 with it, at
    2 requests per GPU: 2/51.0 - 2/60.4 = 6.1 ms of CPU time per step."""
    assert est_mod.CPU_STEP_OVERHEAD_S * 1e3 == pytest.approx(6.10, abs=0.01)
    assert V["cpu_step_s"] == est_mod.CPU_STEP_OVERHEAD_S


def test_no_row_leaks_into_its_own_estimate():
    """D2: a held-out row's measurement must not reach its estimate. The 60.4 tok/s row is the
    CPU time's own source, so its fold derives the CPU time from 51.0 and the fold's estimate
    of the overlapped step; a GB200 row's fold fits the Blackwell share without it; the
    production row's estimate uses its stated per-user speed. Scaling each row's measured
    figure leaves its leave-one-out estimate unchanged."""
    from calc import validate as vmod
    base = {k: V["rows"][k]["estimate_tokens_per_s_per_gpu"] for k in
            ("sglang-h200-64k", "sglang-gb200-bf16", "deepseek-production")}
    assert V["rows"]["sglang-h200-64k"]["cpu_step_s"] != pytest.approx(est_mod.CPU_STEP_OVERHEAD_S, rel=1e-3)
    saved = vmod.DEPLOYMENTS
    for key, before in base.items():
        try:
            vmod.DEPLOYMENTS = tuple(dataclasses.replace(d, measured_tokens_per_s_per_gpu=d.measured_tokens_per_s_per_gpu
                                                         * 1.5) if d.key == key else d for d in saved)
            vmod._validate_cached.cache_clear()
            after = vmod.validate(0.8955, 0.896, 0.8, 0.763)["rows"][key]["estimate_tokens_per_s_per_gpu"]
        finally:
            vmod.DEPLOYMENTS = saved
            vmod._validate_cached.cache_clear()
        assert after == pytest.approx(before, rel=1e-12), key


def test_rows_from_one_source_are_held_out_together():
    """Sibling loads of one benchmark share its engine and setup, so a row is held out with every
    row from its source: InferenceX's 8- and 64-user H200 runs, Ant Group's four H20 runs. Scaling
    one row's measurement leaves its siblings' leave-one-out estimates unchanged (with the
    sibling kept in their fit it would move them)."""
    from calc import validate as vmod
    for key, sibling in (("infx-h200-tp8-c64", "infx-h200-tp8-c8"), ("ant-h20-bs48", "ant-h20-bs32")):
        src = {d.key: d.source for d in DEPLOYMENTS}
        assert src[key] == src[sibling]
        before = V["rows"][sibling]["estimate_tokens_per_s_per_gpu"]
        saved = vmod.DEPLOYMENTS
        try:
            vmod.DEPLOYMENTS = tuple(dataclasses.replace(d, measured_tokens_per_s_per_gpu=d.measured_tokens_per_s_per_gpu
                                                         * 1.5) if d.key == key else d for d in saved)
            vmod._validate_cached.cache_clear()
            w = calc.evaluate("validate", {})
        finally:
            vmod.DEPLOYMENTS = saved
            vmod._validate_cached.cache_clear()
        assert w["rows"][sibling]["estimate_tokens_per_s_per_gpu"] == pytest.approx(before, rel=1e-12), sibling
        assert w["overhead_factor"] != V["overhead_factor"] or w["step_overhead_s"] != V["step_overhead_s"]


def test_blackwell_attention_share_fitted_leave_one_out():
    """D1: MLA decode attention on Blackwell has no published dense-kernel figure, so its share
    of Hopper's measured efficiency is fitted with the overheads, leave-one-out, on a grid
    of 0.01. FlashMLA's sparse FP8 kernel (deepseek-ai/FlashMLA README: 410 TFLOPS on H800,
    350 on B200, "not really optimized yet") is shown beside it, not used."""
    assert V["blackwell_attention_share"] in SHARE_GRID
    assert measured.FLASHMLA_SPARSE_B200_OVER_H800 == pytest.approx((350 / 2250) / (410 / 865), rel=1e-3)
    gb = [k for k, r in DECODE.items() if r["gpu"].startswith("GB200")]
    assert len(gb) == 4  # three SGLang runs (LMSYS) and vLLM (vLLM blog 2026-02-03)
    assert {DECODE[k]["blackwell_attention_share"] for k in gb} != {V["blackwell_attention_share"]}


def test_blackwell_attention_kernel_benchmark_beside_the_fitted_share():
    """BangBOOM/operator-test, mla-decoding/B200/README.md (FlashInfer's benchmark, backend
    trtllm-native: TensorRT-LLM's MLA decode kernel, FP8 query and cache, 128 heads, 8,192 cached
    tokens, batch 512): 544 us per call, "2147.483648" TFLOPS. Counted as calc counts MLA decode
    attention it is the same figure. Its share of the B200's FP8 peak over FlashMLA's share on the
    H800 is 0.63 at the boost clock and 0.78 at the clock flashinfer PR 2899 measured under
    back-to-back calls; the fitted share stays below both."""
    from calc.tight import attention_flops_per_cached_token
    m = calc.MODELS["deepseek-v3"]
    k = measured.TRTLLM_MLA_DECODE_B200.value
    assert k == pytest.approx(512 * 8192 * attention_flops_per_cached_token(m) / 544e-6, rel=1e-12)
    assert k / 1e12 == pytest.approx(2147.483648, rel=1e-9)
    lo, hi = V["blackwell_attention_share_kernel_low"], V["blackwell_attention_share_kernel_high"]
    assert lo == pytest.approx(2147.483648 / 4500 / measured.ATTENTION_EFFICIENCY, rel=1e-9)  # 660 of 865 on H800
    assert hi == pytest.approx(lo * 1965 / 1580, rel=1e-12)
    assert V["blackwell_attention_share"] < lo < hi


def test_mi355x_attention_share_from_the_aiter_kernel_benchmark():
    """BangBOOM/operator-test, mla-decoding/B200/README.md, MI355 column (AITER's mla_a8w8 decode
    kernel, FP8 query and cache, 128 heads, 8,192 cached tokens, batch 512): 1,108.9 us per call,
    "1053.504468" TFLOPS, 0.21 of the MI355X's 5 PFLOPS FP8. With no deployment to fit, the
    estimate's attention on CDNA4 takes that share of Hopper's (0.28); the bound keeps the best
    share measured anywhere. At the benchmark's shape the estimate's attention kernel takes the
    benchmark's 1,108.9 us; the bound's, under a third of it. AMD's own figures agree: ROCm/aiter
    PR 3072 (2026-05-07, MI355, 128 heads, batch 256, 23,333 cached tokens) times its assembly
    kernel at 1,422.000 us, 0.23 of the FP8 peak, within 15% of this benchmark's share."""
    from calc.estimate import kernel_time
    from calc.tight import TightInputs, attention_flops_per_cached_token
    m = calc.MODELS["deepseek-v3"]
    a = measured.AITER_MLA_DECODE_MI355X.value
    assert a == pytest.approx(512 * 8192 * attention_flops_per_cached_token(m) / 1108.9e-6, rel=1e-12)
    assert a / 1e12 == pytest.approx(1053.504468, rel=1e-8)
    share = V["cdna4_attention_share"]
    assert share == pytest.approx(a / 5000e12 / measured.ATTENTION_EFFICIENCY, rel=1e-12)
    assert 0.27 < share < 0.28
    # at the benchmark's own shape the estimate's attention kernel takes the benchmark's time
    x = TightInputs(ep=8, seq_len=8192, batch_per_gpu=512, kv_dtype="fp8", attn_dtype="fp8", micro_batches=1,
                    attn_efficiency=measured.ATTENTION_EFFICIENCY)
    from calc.tight import step_work
    att = next(k for k in step_work(m, calc.GPUS["mi355x"], x, 512).kernels if k.kind == "attention")
    assert att.flops == 512 * 8192 * attention_flops_per_cached_token(m)
    assert kernel_time(att, calc.GPUS["mi355x"], x) == (pytest.approx(1108.9e-6, rel=1e-9), "compute")
    assert kernel_time(att, calc.GPUS["mi355x"], x, best=True)[0] < 1108.9e-6 / 3
    assert measured.mla_decode_call_flops(256, 23333) / 1422.0e-6 == pytest.approx(a, rel=0.15)


def test_mi300x_attention_share_from_amds_aiter_tutorial():
    """ROCm/gpuaidev, docs/notebooks/gpu_dev_optimize/aiter_mla_decode_kernel.ipynb (AMD's tutorial,
    figure "MLA Decode Attn kernel Performance Comparison (batch size=128)"): AITER's MLA decode
    kernel, BF16 query and cache, 128 heads, 8,192 cached tokens, 1.43 ms per call on an MI300X,
    204 TFLOPS, 0.16 of its 1,307 BF16 TFLOPS. The estimate's attention on CDNA3 (MI300X and
    MI325X) takes that share of Hopper's, 0.20, and at the tutorial's shape the estimate's
    attention kernel takes the tutorial's 1.43 ms. A later AITER kernel agrees: ROCm/aiter PR 3188
    (2026-05-14), FP8 with 64 heads on an MI300X, "Peak: 367 TFLOPS at b128/ctx32k", 0.14 of the
    2,615 FP8 TFLOPS, within 15% of the tutorial's share of its peak."""
    from calc.estimate import kernel_time
    from calc.tight import TightInputs, attention_flops_per_cached_token, step_work
    m = calc.MODELS["deepseek-v3"]
    a = measured.AITER_MLA_DECODE_MI300X.value
    assert a == pytest.approx(128 * 8192 * attention_flops_per_cached_token(m) / 1.43e-3, rel=1e-12)
    assert 204e12 < a < 205e12
    share = V["cdna3_attention_share"]
    assert share == pytest.approx(a / 1307e12 / measured.ATTENTION_EFFICIENCY, rel=1e-12)
    assert 0.20 < share < 0.21
    assert 367e12 / 2615e12 == pytest.approx(a / 1307e12, rel=0.15)
    x = TightInputs(ep=8, seq_len=8192, batch_per_gpu=128, kv_dtype="bf16", attn_dtype="bf16", micro_batches=1,
                    attn_efficiency=measured.ATTENTION_EFFICIENCY)
    for g in ("mi300x", "mi325x"):
        att = next(k for k in step_work(m, calc.GPUS[g], x, 128).kernels if k.kind == "attention")
        assert kernel_time(att, calc.GPUS[g], x) == (pytest.approx(1.43e-3, rel=1e-9), "compute")
        assert kernel_time(att, calc.GPUS[g], x, best=True)[0] < 1.43e-3 / 4
    # Hopper is untouched: FlashMLA's own efficiency
    att = next(k for k in step_work(m, calc.GPUS["h800"], x, 128).kernels if k.kind == "attention")
    assert kernel_time(att, calc.GPUS["h800"], x)[0] < 1.43e-3 / 3


def test_deepep_low_latency_table_deepep_readme():
    """deepseek-ai/DeepEP README (V1 low-latency kernels, H800, 128 tokens): EP128 dispatch
    192 us at 39 GB/s, combine 369 us at 39 GB/s."""
    assert measured.DEEPEP_LL[128] == (192, 39, 369, 39)
    assert measured.deepep_ll_latency(144) == pytest.approx((192e-6, 369e-6))
    assert measured.deepep_message_bytes(7168) == (7408, 14336)


def test_deepep_low_latency_rates_hold_on_another_cluster_pplx_garden(monkeypatch):
    """perplexityai/pplx-garden docs/fabric-lib.md (arXiv 2510.27656), 'Decode (128 tokens) Dispatch
    and Combine', column DeepEP-CX7: EP32 159.1 us and 285.0 us against the README's 155 and 273.
    Across nodes (EP16 to EP64) DeepEP's published times hold within 5.0%. At those times the
    estimate for the vLLM H200 row falls by under 3%, under a fifth of the row's error: an
    all-to-all as slow as another cluster measured does not explain the gap."""
    assert measured.DEEPEP_LL_PPLX[32] == (159.1, 285.0) and measured.DEEPEP_LL[32][0::2] == (155, 273)
    s = V["deepep_ll_independent_slowdown"]
    assert s == pytest.approx(123.9 / 118 - 1, rel=1e-12)
    assert 0.049 < s < 0.051
    p = dict(model="deepseek-r1", gpu="h200", ep=32, seq_len=3000, batch_per_gpu=256, redundant_experts=32,
             micro_batches=2)
    readme = calc.evaluate("estimate", p)["tokens_per_s_per_gpu"]
    for ep, (d, c) in measured.DEEPEP_LL_PPLX.items():
        dl, dr, cl, cr = measured.DEEPEP_LL[ep]
        monkeypatch.setitem(measured.DEEPEP_LL, ep, (d, dr * dl / d, c, cr * cl / c))
    pplx = calc.evaluate("estimate", p)["tokens_per_s_per_gpu"]
    assert 0.01 < readme / pplx - 1 < 0.03
    assert readme / pplx - 1 < DECODE["vllm-h200-ep32"]["estimate_error"] / 5


def test_vllm_order_hides_more_than_deepseeks_for_the_vllm_h200_row():
    """vLLM's design notes (vllm-project/vllm docs/design/dbo.md): the two micro-batches swap only at
    yield points around each all-to-all ("when one is running compute, the other is waiting on
    communication"), as the blog's "After DBO" trace (2025-12-17) shows: ubatch_1's dispatch is sent
    and received around ubatch_0's experts. Per MoE layer that is max(shared + attention,
    dispatch) + max(experts, dispatch) + max(experts, combine) + max(shared + attention, combine),
    which at the row's shape hides more than DeepSeek's order and raises the estimate further
    above the measurement: the overlap as designed does not explain the row's gap."""
    p = dict(model="deepseek-r1", gpu="h200", ep=32, seq_len=3000, batch_per_gpu=256, redundant_experts=32,
             micro_batches=2)
    ds = calc.evaluate("estimate", dict(p, overlap_schedule="two-batch"))
    vl = calc.evaluate("estimate", dict(p, overlap_schedule="vllm-two-batch"))
    assert vl["schedule"] == "vllm-two-batch" and vl["timeline_chart"]["micro_batches"] == 2
    blocks = vl["timeline_chart"]["blocks"]
    dur = {}
    for b in blocks:
        dur.setdefault((b["lane"], b["label"], b["micro_batch"]), 0.0)
        dur[(b["lane"], b["label"], b["micro_batch"])] += b["end"] - b["start"]
    att = dur[("compute", "shared expert", 1)] + dur[("compute", "ATTN-0", 1)] + dur[("compute", "ATTN-1", 1)]
    mlp, d, c = dur[("compute", "routed experts", 0)], dur[("network", "dispatch", 0)], dur[("network", "combine", 0)]
    assert vl["timeline_chart"]["total"] == pytest.approx(max(att, d) + max(mlp, d) + max(mlp, c) + max(att, c))
    assert vl["timeline_chart"]["total"] < ds["timeline_chart"]["total"]
    assert vl["tokens_per_s_per_gpu"] > ds["tokens_per_s_per_gpu"] > 2200
    assert vl["tokens_per_s_per_gpu"] <= vl["tight_tokens_per_s_per_gpu"]
    r = DECODE["vllm-h200-ep32"]
    assert r["estimate_documented_order_error"] > r["estimate_error"] > TARGET_MAX_ERROR
    assert all(x["estimate_documented_order_error"] is None for k, x in DECODE.items() if k != "vllm-h200-ep32")


def test_deepgemm_and_flashmla_efficiencies():
    """deepseek-ai/DeepGEMM README (H800): decode-sized GEMMs reach 1,509-2,668 GB/s (the
    estimate takes their mean); the best matmul 1,550 of 1,730 TFLOPS (the bound's share for
    every matmul). FlashMLA: 3,000 GB/s and 660 TFLOPS of ~865 (the bound's memory share for
    every kernel, and attention's compute share)."""
    assert measured.decode_gemm_memory_efficiency() == pytest.approx(
        sum(r[4] for r in measured.DEEPGEMM_DENSE_DECODE) / 12 / 3350)
    assert measured.GEMM_EFFICIENCY == pytest.approx(1550 / 1730)
    assert measured.ATTENTION_EFFICIENCY == pytest.approx(660 / 865)
    assert measured.MEMORY_EFFICIENCY == pytest.approx(3000 / 3350)
    assert max(r[4] for r in measured.DEEPGEMM_DENSE_DECODE) / 3350 < measured.MEMORY_EFFICIENCY


def test_mtp_accept_lengths_from_the_v3_report():
    """D10: one source for DeepSeek's MTP, the V3 report section 5.4.3 (second token accepted
    85-90%): 1.85 for examples and estimates, 1.9 where a bound must take the top; validate
    uses the same constants, and no page types an accept length into a macro."""
    import pathlib
    import re
    from calc import validate as vmod
    assert measured.MTP_ACCEPT_TYPICAL == 1 + 0.85 and measured.MTP_ACCEPT_TOP == 1 + 0.90
    assert vmod.MTP_ACCEPT_TOP == measured.MTP_ACCEPT_TOP
    assert str(measured.MTP_ACCEPT_TYPICAL) in calc.PARAMS["accept_length"].help
    pages = pathlib.Path(__file__).resolve().parents[1] / "site_src" / "pages"
    for page in pages.glob("*.md"):
        for m in re.finditer(r'"accept_length":\s*([0-9.]+)', page.read_text()):
            assert float(m.group(1)) == 1, (page.name, m.group(0))


def test_v32_flashmla_fp8_gain_like_for_like():
    """Issue 7 item 2 / deepseek-ai/FlashMLA FP8 sparse layout: DeepSeek-V3.2 keeps its 132 B
    indexer key in both layouts, so FP8 gains 1,284 / (656 + 132) = 1.63x, not 1,284 / 656 =
    1.96x."""
    r = calc.evaluate("kv", {"model": "deepseek-v3.2"})
    assert r["flashmla_fp8_bytes_per_token_per_layer"] == 656 + 132
    assert r["flashmla_fp8_multiplier"] == pytest.approx(1284 / 788)
    assert round(r["flashmla_fp8_multiplier"], 2) == 1.63


# ---- from the tight bound to the measurement, step by step -------------------------------------

def test_gap_steps_multiply_to_measured_over_tight():
    """The Validation page's table accounts for the whole gap: the seven factors of each row
    multiply to its measured / tight, and their geometric means to the geometric mean."""
    for key, r in V["rows"].items():
        prod = math.prod(r[k] for k in GAP_STEPS)
        assert prod == pytest.approx(r["measured_over_tight"], rel=1e-9), key
    assert math.prod(V["gap_geomean"][k] for k in GAP_STEPS) == pytest.approx(V["geomean_measured_over_tight"], rel=1e-9)
    assert set(V["gap_geomean"]) == set(GAP_STEPS)


def test_gap_losses_only_lower_throughput():
    """The schedule, the clock, typical kernel rates and uneven expert load each remove
    something the bound allows: none may raise throughput; the schedule and kernel rates
    must cost something wherever a network or a grouped matmul is involved."""
    for key, r in DECODE.items():
        for k in ("gap_schedule", "gap_clock", "gap_kernel_rates", "gap_expert_load"):
            assert 0 < r[k] <= 1 + 1e-9, (key, k)
        assert r["gap_kernel_rates"] < 1, key  # no deployment runs every kernel at the best rate ever measured
    ep_rows = [k for k, d in ((d.key, d) for d in DEPLOYMENTS) if k in DECODE and d.settings.get("ep", 1) > 1]
    assert all(DECODE[k]["gap_schedule"] < 1 for k in ep_rows)


def test_gap_clock_costs_only_on_gpus_with_a_published_sustained_clock():
    """DeepSeek's H800s throttle to about 1,600 MHz (FlashMLA deep-dive, 2025-04-22): the
    clock step costs something on the Hopper rows and nothing where no sustained clock is
    published (H20, GB200: ratio 1). A slower clock slows arithmetic only: on a row where every
    kernel waits on memory (8 or 64 users over 8 H200s or B200s, InferenceX) it costs nothing."""
    for d in DEPLOYMENTS:
        if d.key not in DECODE:
            continue
        g = calc.GPUS[d.gpu]
        if d.key.startswith("infx-") and calc.GPUS[d.gpu].arch in ("hopper", "blackwell"):
            est = calc.evaluate("estimate", dict(d.settings, model=d.model, gpu=d.gpu))
            assert DECODE[d.key]["gap_clock"] == 1 and est["compute_share"] == 0, d.key
        elif g.sustained_clock_mhz:
            assert DECODE[d.key]["gap_clock"] < 1, d.key
        else:
            assert DECODE[d.key]["gap_clock"] == 1, d.key


def test_best_rate_schedule_never_beats_the_bound():
    """The schedule step runs the estimate's kernels at the bound's best rates: one after
    another it can only be slower than the bound's perfect overlap, for any configuration."""
    from calc.presets import GPUS, MODELS
    from calc.tight import TightInputs, tight_bound
    for model, gpu, ep, mb, acc in (("deepseek-v3", "h800", 144, 2, 1.0), ("deepseek-v3", "h20", 16, 1, 1.9),
                                    ("kimi-k2", "h200", 96, 2, 1.0), ("qwen3-8b", "h100", 1, 1, 1.0),
                                    ("deepseek-v3", "gb200", 48, 1, 1.0)):
        for batch in (1, 8, 64, 512):
            x = TightInputs(seq_len=4096, batch_per_gpu=batch, ep=ep, micro_batches=mb, accept_length=acc,
                            mem_efficiency=measured.MEMORY_EFFICIENCY, compute_efficiency=measured.GEMM_EFFICIENCY,
                            attn_efficiency=measured.ATTENTION_EFFICIENCY, sustained_clock=False)
            e = est_mod.EstimateInputs(kernel_rates="best", random_imbalance=False)
            best = est_mod.estimate(MODELS[model], GPUS[gpu], x, e)["tokens_per_s_per_gpu"]
            bound = tight_bound(MODELS[model], GPUS[gpu], x)["tokens_per_s_per_gpu"]
            assert best <= bound * (1 + 1e-9), (model, gpu, batch)
            typical = est_mod.estimate(MODELS[model], GPUS[gpu], x, dataclasses.replace(e, kernel_rates="typical"))
            assert typical["tokens_per_s_per_gpu"] <= best * (1 + 1e-9), (model, gpu, batch)


def test_gap_table_printed_by_validate():
    """``python -m calc validate`` prints the step table with the schema's labels and the
    geometric-mean row."""
    plain = subprocess.run([sys.executable, "-m", "calc", "validate"], capture_output=True, text=True,
                           check=True).stdout
    assert "from the tight bound to the measurement" in plain
    for k in GAP_STEPS:
        assert calc.OUTPUTS[k].label.lower() in plain
    line = next(ln for ln in plain.splitlines() if ln.startswith("geometric mean"))
    assert f"{V['geomean_measured_over_tight']:.3f}" in line


@settings(max_examples=30, deadline=None)
@given(model=_models, gpu=st.sampled_from(sorted(calc.GPUS)), seq=st.integers(200, 40_000),
       batch=st.integers(1, 600), ep=st.sampled_from([1, 8, 16, 72, 144]), mb=st.sampled_from([1, 2]),
       acc=st.sampled_from([1.0, 1.8]))
def test_estimate_steps_from_the_bound_multiply_to_estimate_over_tight(model, gpu, seq, batch, ep, mb, acc):
    """The Calculator's 'From the tight bound to the estimate': for any configuration the five
    factors multiply to estimate / tight, and the four losses never raise throughput."""
    p = dict(model=model, gpu=gpu, seq_len=seq, batch_per_gpu=batch, ep=ep, micro_batches=mb, accept_length=acc)
    r = calc.evaluate("estimate", p)
    if not r["tight_tokens_per_s_per_gpu"]:
        assert all(r[k] is None for k in est_mod.BOUND_TO_ESTIMATE)
        return
    assert math.prod(r[k] for k in est_mod.BOUND_TO_ESTIMATE) == pytest.approx(r["estimate_over_tight"], rel=1e-9)
    for k in ("gap_schedule", "gap_clock", "gap_kernel_rates", "gap_expert_load"):
        assert 0 < r[k] <= 1 + 1e-9, k


def test_all_to_all_calls_cost_a_fixed_time_first():
    """DeepEP publishes its low-latency times at 128 tokens per GPU only (EP32: 155 us to
    dispatch, 273 to combine). NVIDIA's AIConfigurator timed the same kernels on H200s at 1 to
    2,048 tokens (aiconfigurator-core 0.12.0 on PyPI, systems/data/h200_sxm/comm/sglang/
    0.5.6.post2/wideep_deepep_ll_perf.parquet): across 4 nodes, 32.0 us to dispatch and 41.8 to
    combine 8 tokens, 143.0 and 263.3 at 128, so a line through its points starts near 26 us for
    each. The estimate charges a line from that start to DeepEP's 128-token time; at 8 tokens it
    lands within a tenth of AIConfigurator's timings, where the rate alone gave a third to two
    fifths of them. Inside one node the part beyond the start is scaled by the GPU's NVLink over
    the H800's: at 128 tokens on one H200 node 42.5 / 56.8 us, where AIConfigurator measured 39.8 /
    72.4.
    AMD's MoRI (ROCm/mori PR #448, its first kernels on 8 MI355X): 30.9 / 20.2 us at 8 tokens,
    41.4 / 39.1 at 128; the estimate takes the line through its three points."""
    from calc.tight import TightInputs, _ep_comm
    assert measured.DEEPEP_LL_FLOOR[32] == (25.5, 26.3) and measured.DEEPEP_LL_FLOOR[8] == (14.9, 11.0)
    m, g = calc.MODELS["deepseek-v3"], calc.GPUS["h200"]
    x = TightInputs(seq_len=1000, ep=32, batch_per_gpu=8, micro_batches=1)
    d8, c8, _, _ = _ep_comm(m, g, x, 8)
    assert d8 * 1e6 == pytest.approx(32.0, rel=0.1) and c8 * 1e6 == pytest.approx(41.8, rel=0.1)
    d128, c128, _, _ = _ep_comm(m, g, x, 128)
    assert d128 * 1e6 == pytest.approx(155, rel=0.02) and c128 * 1e6 == pytest.approx(273, rel=0.02)
    rd, rc = measured.deepep_ll_rates(32)
    disp_b, comb_b = measured.deepep_message_bytes(7168)
    assert 8 * 8 * disp_b / rd < d8 / 3  # the rate alone
    d1, c1, _, _ = _ep_comm(m, g, x, 1)
    assert d1 > 25.5e-6 and c1 > 26.3e-6
    x8 = TightInputs(seq_len=1000, ep=8, batch_per_gpu=128, micro_batches=1)
    d, c, _, _ = _ep_comm(m, g, x8, 128)
    assert d * 1e6 == pytest.approx(14.9 + (77 - 14.9) / (450 / 200), rel=0.01)
    assert d * 1e6 == pytest.approx(39.8, rel=0.1) and c * 1e6 == pytest.approx(72.4, rel=0.25)
    # inside one NVLink domain: the one-node line; beyond EP64: EP64's
    assert measured.deepep_ll_floor(8, 8) == pytest.approx((14.9e-6, 11.0e-6)) and measured.deepep_ll_floor(
        72, 72) == measured.deepep_ll_floor(8, 8)
    assert measured.deepep_ll_floor(128, 8) == measured.deepep_ll_floor(64, 8) == pytest.approx((27.5e-6, 25.0e-6))
    # MoRI on AMD GPUs within one node
    for t, (dus, cus) in measured.MORI_EP8_V1.items():
        dm, cm = measured.mori_ep8_times(t)
        assert dm * 1e6 == pytest.approx(dus, abs=2.5) and cm * 1e6 == pytest.approx(cus, abs=2.5)
    a = calc.GPUS["mi355x"]
    xa = TightInputs(seq_len=1000, ep=8, batch_per_gpu=16, micro_batches=1)
    assert _ep_comm(m, a, xa, 16)[:2] == measured.mori_ep8_times(16)
    assert "PR #448" in DECODE["infx-mi355x-dep8-c256"]["assumed"]
