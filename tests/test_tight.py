"""The tighter bound (issue 4): each term against a hand-computed case, the laws it must
obey, and the validation against measured deployments (facts.md section 4)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import calc
from calc.presets import GPUS, MODELS
from calc.tight import TightInputs, attention_flops_per_cached_token, attention_intensity, tight_bound

V3 = MODELS["deepseek-v3"]
H800 = GPUS["h800"]
OFF = dict(count_weights=False, count_compute=False, count_network=False)

# A toy MoE small enough to check by hand: 4 experts, top-1, 2 layers, GQA 1 KV head.
TOY = calc.from_hf_config(dict(
    num_hidden_layers=2, hidden_size=8, vocab_size=16, num_attention_heads=2, num_key_value_heads=1, head_dim=4,
    intermediate_size=8, moe_intermediate_size=4, num_local_experts=4, num_experts_per_tok=1), name="toy")


def test_kv_term_alone_equals_speed_of_light_exactly():
    """With weights, compute and network off and efficiencies at 1, the tight bound is the
    blog's speed of light: 3.35 TB/s / 351.36 MB = 9,534.38 tok/s per H800 (facts.md s5)."""
    x = TightInputs(seq_len=5000, batch_per_gpu=10, ep=32, **OFF)
    r = tight_bound(V3, H800, x)
    assert r["kv_read_bytes"] == 10 * 351_360_000
    sol = calc.evaluate("sol", {"model": "deepseek-v3", "gpu": "h800", "seq_len": 5000})
    assert r["tokens_per_s_per_gpu"] == pytest.approx(sol["tokens_per_s_per_gpu"], rel=1e-12)
    assert r["tokens_per_s_per_gpu"] == pytest.approx(9534.38, abs=0.01)


def test_evaluate_tight_with_terms_off_equals_sol_for_every_preset():
    """Every preset but DeepSeek-V3.2, whose sparse attention reads only index_topk
    tokens' latents (tested below)."""
    for model in calc.MODELS:
        if model == "deepseek-v3.2":
            continue
        for gpu in ("h800", "b200", "mi355x"):
            p = dict(model=model, gpu=gpu, seq_len=3000, batch_per_gpu=1, mem_efficiency=1.0,
                     count_weights="off", count_compute="off", count_network="off")
            t = calc.evaluate("tight", p)["tokens_per_s_per_gpu"]
            s = calc.evaluate("sol", dict(model=model, gpu=gpu, seq_len=3000))["tokens_per_s_per_gpu"]
            assert t == pytest.approx(s, rel=1e-12), (model, gpu)


def test_dsa_reads_only_topk_latents_past_2048_tokens():
    """DeepSeek-V3.2 (DSA): past index_topk = 2,048 tokens, attention reads 2,048 latents
    (576 x 2 B) plus every token's indexer key (128 B FP8 + 4 B scale) per layer."""
    m = MODELS["deepseek-v3.2"]
    r = tight_bound(m, H800, TightInputs(seq_len=10_000, batch_per_gpu=1, ep=256, **OFF))
    assert r["kv_read_bytes"] == (1152 * 2048 + 132 * 10_000) * 61
    short = tight_bound(m, H800, TightInputs(seq_len=2000, batch_per_gpu=1, ep=256, **OFF))
    assert short["kv_read_bytes"] == 1284 * 2000 * 61


def test_expert_touch_probability_hand_computed():
    """4 experts, top-1, EP4 (one expert per GPU), 1 sequence per GPU: the EP group has 4
    tokens; an expert is untouched with probability (3/4)^4, so it is read with
    probability 1 - 81/256 = 0.68359375."""
    x = TightInputs(seq_len=10, batch_per_gpu=1, ep=4, count_compute=False, count_network=False)
    r = tight_bound(TOY, GPUS["h100"], x)
    assert r["experts_touched_per_layer"] == pytest.approx(1 - (3 / 4) ** 4)
    expert_bytes = 3 * 8 * 4 * 2  # 3 x hidden x moe_intermediate x 2 B (BF16)
    assert r["expert_weight_read_bytes"] == pytest.approx(2 * (1 - 81 / 256) * expert_bytes)


def test_non_expert_weights_read_once_and_split_by_tp():
    """Attention + dense + shared experts + router + output head, divided by TP; the
    embedding is a lookup and not read whole. DeepSeek-V3: 11.414 + 1.189 + 2.554 + 0.106
    (FP8) + 1.853 (BF16 head) GB (facts.md section 1 parameter split)."""
    wb = V3.weight_bytes()
    other = wb["attention"] + wb["dense_ffn"] + wb["shared_experts"] + wb["router"] + wb["output_head"]
    assert other / 1e9 == pytest.approx(17.12, abs=0.01)
    for tp in (1, 2):
        x = TightInputs(seq_len=1000, batch_per_gpu=1, ep=256, tp=tp, count_compute=False, count_network=False)
        r = tight_bound(V3, GPUS["b200"], x)
        assert r["weight_read_bytes"] - r["expert_weight_read_bytes"] == pytest.approx(other / tp)


def test_mla_attention_flops_and_intensity():
    """Absorbed MLA: 2 x 128 x (512 + 64 + 512) = 278,528 FLOP per cached token per layer on
    1,152 B of BF16 KV, 241.8 FLOP/B; FP8 KV ~484 (facts.md section 5, last item)."""
    assert attention_flops_per_cached_token(V3) == 278_528
    assert attention_intensity(V3, "bf16") == pytest.approx(241.78, abs=0.01)
    assert attention_intensity(V3, "fp8") == pytest.approx(483.56, abs=0.01)


def test_mla_decode_on_h800_is_compute_bound_flashmla_deep_dive():
    """deepseek-ai/FlashMLA docs/20250422-new-kernel-deep-dive.md: clocks throttle to ~1,600
    MHz (~865 TFLOPS) and with 128 heads "the kernel is compute-bound". At the rates the
    kernel reaches (660 TFLOPS, 3,000 GB/s) the ridge is 220 FLOP/B, below MLA's 241.8: compute.
    The spec-sheet ridge (989 / 3.35 = 295) and the throttled one (258) are reported beside it
    but do not decide, so every page gives one answer."""
    r = calc.evaluate("intensity", {"model": "deepseek-v3"})
    h800 = r["rows"]["h800"]
    assert h800["ridge"] == pytest.approx(660 / 3.0, rel=2e-3)
    assert h800["ridge_peak"] == pytest.approx(295.22, abs=0.01)
    assert h800["ridge_sustained"] == pytest.approx(864.7 / 3.35, rel=1e-3)
    assert h800["attn_bound"] == "compute"
    assert h800["attn_intensity"] < h800["ridge_sustained"]  # the throttled roofline alone would say memory
    # the tight bound's own answer for the same case is the same word
    assert calc.evaluate("tight", {"model": "deepseek-v3", "gpu": "h800"})["attn_bound"] == "compute"
    # FP8 cache and MTP only raise the intensity
    assert calc.evaluate("intensity", {"kv_dtype": "fp8"})["rows"]["h800"]["attn_bound"] == "compute"
    assert calc.evaluate("intensity", {"accept_length": 1.85})["rows"]["h800"]["attn_bound"] == "compute"
    assert r["rows"]["h800"]["mtp_crossover_accept_length"] == "already compute bound"
    # at peak clocks with perfect kernels the answer would flip: the clock and the kernel decide
    peak = calc.evaluate("intensity", {"sustained_clock": "off", "attn_efficiency": 1, "mem_efficiency": 1})
    assert peak["rows"]["h800"]["attn_bound"] == "memory"


def test_gqa_attention_flops():
    """GQA: QK and AV each 2 x heads x head_dim FLOPs per cached token per layer."""
    assert attention_flops_per_cached_token(MODELS["llama-3.1-70b"]) == 4 * 64 * 128


def test_compute_term_hand_computed():
    """Compute time = 2 x activated params x tokens / (sustained FP8 peak x matmul
    efficiency) + attention FLOPs / (sustained BF16 peak x attention efficiency); H800 at
    1,600 of 1,830 MHz (FlashMLA deep-dive). The routed experts' grouped matmul runs at its own
    best measured rate, 1,233 of 1,730 TFLOPS (DeepGEMM README, masked layout)."""
    x = TightInputs(seq_len=1000, batch_per_gpu=4, ep=256, compute_efficiency=0.5, attn_efficiency=0.25,
                    count_weights=False, count_network=False)
    r = tight_bound(V3, H800, x)
    lin = 2 * V3.active_params * 4
    att = 278_528 * 1000 * 61 * 4
    assert r["linear_flops"] == pytest.approx(lin) and r["attention_flops"] == att
    clk = 1600 / 1830
    grouped = 2 * V3.expert_params * 8 * 4 * 58
    assert r["compute_time_s"] == pytest.approx((lin - grouped) / (1979e12 * clk * 0.5)
                                                + grouped / (1979e12 * clk * 1233 / 1730)
                                                + att / (989e12 * clk * 0.25), rel=2e-3)
    off = tight_bound(V3, H800, TightInputs(seq_len=1000, batch_per_gpu=4, ep=256, compute_efficiency=0.5,
                                            attn_efficiency=0.25, count_weights=False, count_network=False,
                                            sustained_clock=False))
    assert off["compute_time_s"] == pytest.approx(r["compute_time_s"] * clk)


def test_ep_network_low_latency_mode_deepep_readme():
    """Decode uses DeepEP's low-latency kernels (LMSYS 2025-05-05): one message per (token,
    chosen expert), FP8 out (7,168 + 224 scale + 16 B) and BF16 back (14,336 B), counted the
    way DeepEP's tests/test_low_latency.py counts them, at its measured per-GPU rates on H800
    with a 400 Gb/s NIC: EP128 39 GB/s both ways (192 and 369 us for 128 tokens)."""
    t = 128
    r = tight_bound(V3, H800, TightInputs(seq_len=1000, batch_per_gpu=t, ep=128, count_weights=False,
                                          count_compute=False))
    per = 7408 + 14336
    assert r["scale_out_bytes"] == pytest.approx(58 * t * 8 * 127 / 128 * per)
    assert r["network_time_s"] == pytest.approx(58 * t * 8 * (7408 / 39e9 + 14336 / 39e9))
    # DeepEP's own latencies for 128 tokens reproduce its 39 GB/s (to its rounding)
    assert 128 * 8 * 7408 / 192e-6 / 1e9 == pytest.approx(39.5, abs=0.1)
    assert 128 * 8 * 14336 / 369e-6 / 1e9 == pytest.approx(39.8, abs=0.1)
    # EP144 uses the EP128 row (the largest measured size not above it: rates only fall with EP)
    r144 = tight_bound(V3, H800, TightInputs(seq_len=1000, batch_per_gpu=t, ep=144, count_weights=False,
                                             count_compute=False))
    assert r144["network_time_s"] == pytest.approx(r["network_time_s"])


def test_ep_network_inside_one_nvlink_domain_scales_deepep_ep8():
    """EP inside one NVLink domain: DeepEP's EP8 low-latency rates on H800 (98 / 127 GB/s over
    200 GB/s NVLink per direction) scaled by the GPU's own NVLink: 4.5x on GB200 NVL72."""
    t = 100
    r = tight_bound(V3, GPUS["gb200"], TightInputs(seq_len=1000, batch_per_gpu=t, ep=48, count_weights=False,
                                                   count_compute=False))
    assert r["scale_out_bytes"] == 0
    assert r["network_time_s"] == pytest.approx(58 * t * 8 * (7408 / (98e9 * 4.5) + 14336 / (127e9 * 4.5)))


def test_ep_network_normal_mode_hand_computed():
    """DeepEP normal mode (prefill), EP16 on 8-GPU H800 nodes: 2 nodes. A token's 8 experts
    reach 2 (1 - 2^-8) nodes on average (node limit 4 does not bind), of which half are
    remote; each remote node gets one FP8 copy out and one BF16 copy back. Inside the node,
    7/8 of the 8 destinations cross NVLink."""
    t = 10
    x = TightInputs(seq_len=1000, batch_per_gpu=t, ep=16, count_weights=False, count_compute=False,
                    ep_comm="normal", link_rates="spec", net_efficiency=1.0)
    r = tight_bound(V3, H800, x)
    per = 7408 + 14336
    out = 58 * t * (2 * (1 - 0.5**8)) * 0.5 * per
    up = 58 * t * 8 * (7 / 8) * per
    assert r["scale_out_bytes"] == pytest.approx(out)
    assert r["scale_up_bytes"] == pytest.approx(up)
    assert r["network_time_s"] == pytest.approx(max(out / 50e9, up / 200e9))


def test_node_limited_routing_caps_remote_nodes():
    """Normal mode, EP64 over 8 H800 nodes: DeepSeek-V3's 8 expert groups map one to a node,
    and a token may use topk_group = 4 of them (V3 report 2.1.2, node-limited routing).
    Uniformly, 8 experts would reach 8 (1 - (7/8)^8) = 5.25 nodes; the limit caps it at 4, of
    which 7/8 are remote."""
    t = 1
    per = 7408 + 14336
    r = tight_bound(V3, H800, TightInputs(seq_len=1000, batch_per_gpu=t, ep=64, count_weights=False,
                                          count_compute=False, ep_comm="normal"))
    assert r["scale_out_bytes"] == pytest.approx(58 * t * 4 * 7 / 8 * per)
    # EP256 over 32 nodes: each group spans 4 nodes, so the cap (16) does not bind at ~7.1
    r = tight_bound(V3, H800, TightInputs(seq_len=1000, batch_per_gpu=t, ep=256, count_weights=False,
                                          count_compute=False, ep_comm="normal"))
    reach = 32 * (1 - (31 / 32) ** 8)
    assert r["scale_out_bytes"] == pytest.approx(58 * t * reach * 31 / 32 * per)


def test_no_node_limit_without_groups():
    """Kimi K2 has n_group = topk_group = 1: no grouping, so no cap on nodes reached (normal mode)."""
    k2 = MODELS["kimi-k2"]
    r = tight_bound(k2, H800, TightInputs(seq_len=1000, batch_per_gpu=1, ep=144, count_weights=False,
                                          count_compute=False, ep_comm="normal"))
    reach = 18 * (1 - (17 / 18) ** 8)
    assert r["scale_out_bytes"] == pytest.approx(60 * reach * 17 / 18 * (7408 + 14336))


def test_tp_allreduce_term_hand_computed():
    """Attention TP2: per layer a ring all-reduce of the group's 2t tokens of BF16 hidden
    state, 2 (2-1)/2 x 2t x h x 2 B per GPU, over NVLink."""
    t = 3
    r = tight_bound(MODELS["llama-3.1-8b"], GPUS["h100"],
                    TightInputs(seq_len=100, batch_per_gpu=t, tp=2, count_weights=False, count_compute=False))
    assert r["scale_up_bytes"] == pytest.approx(32 * 1 * (2 * t) * 4096 * 2)


def test_mla_kv_is_replicated_under_attention_tp():
    """An MLA latent serves all heads, so TP ranks cannot split it: each reads it all."""
    a = tight_bound(V3, GPUS["b200"], TightInputs(seq_len=1000, batch_per_gpu=2, ep=256, tp=1, **OFF))
    b = tight_bound(V3, GPUS["b200"], TightInputs(seq_len=1000, batch_per_gpu=2, ep=256, tp=4, **OFF))
    assert b["kv_read_bytes"] == 4 * a["kv_read_bytes"]


def test_kernels_in_sequence_and_network_beside_them():
    """The compute stream runs its kernels one after another, each at its own roofline, so its
    time lies between the larger of total memory and total compute time and their sum; the
    network runs beside it (max) or after it (sum)."""
    r = calc.evaluate("tight", {})
    k, mem, comp, net = r["kernel_time_s"], r["memory_time_s"], r["compute_time_s"], r["network_time_s"]
    assert max(mem, comp) <= k * (1 + 1e-12) and k <= (mem + comp) * (1 + 1e-12)
    assert r["step_time_max_s"] == max(k, net)
    assert r["step_time_sum_s"] == pytest.approx(k + net)
    s = calc.evaluate("tight", {"overlap": "sum"})
    assert s["step_time_s"] == pytest.approx(k + net)
    assert s["tokens_per_s_per_gpu"] < r["tokens_per_s_per_gpu"]
    assert r["binding"] in ("memory", "compute", "network")
    if net > k:
        assert r["binding"] == "network"


def test_two_micro_batches_read_the_weights_twice_profile_data():
    """deepseek-ai/profile-data README: decode "leverages two micro-batches"; each reads the
    weights again, so weight bytes double while KV bytes stay the same."""
    one = calc.evaluate("tight", {"batch_per_gpu": 64, "micro_batches": 1, "ep": 128})
    two = calc.evaluate("tight", {"batch_per_gpu": 64, "micro_batches": 2, "ep": 128})
    assert two["kv_read_bytes"] == pytest.approx(one["kv_read_bytes"])
    non_expert = one["weight_read_bytes"] - one["expert_weight_read_bytes"]
    assert two["weight_read_bytes"] - two["expert_weight_read_bytes"] == pytest.approx(2 * non_expert)
    assert two["tokens_per_s_per_gpu"] < one["tokens_per_s_per_gpu"]


def test_mtp_module_weights_and_flops_counted():
    """With MTP (accept length > 1) DeepSeek-V3's MTP module runs once per draft: its
    projection (2h x h), one MLA + MoE layer and the shared output head are read and computed,
    and its own layer of KV cache takes room."""
    base = dict(batch_per_gpu=32, ep=128)
    off = calc.evaluate("tight", dict(base, accept_length=1.0))
    on = calc.evaluate("tight", dict(base, accept_length=1.8))
    assert off["mtp_weight_read_bytes"] == 0 and off["mtp_flops"] == 0
    h = 7168
    head = 129_280 * h * 2  # BF16 output head, read again by the draft pass
    assert on["mtp_weight_read_bytes"] > head + 2 * h * h  # head, projection, attention, experts
    assert on["mtp_flops"] >= 2 * (129_280 * h + 2 * h * h) * 32
    assert on["max_batch_per_gpu"] < off["max_batch_per_gpu"]  # one more layer of KV per user
    two = calc.evaluate("tight", dict(base, accept_length=1.8, verify_tokens=3))
    assert two["mtp_flops"] == pytest.approx(2 * on["mtp_flops"])  # two draft passes


def test_batch_is_capped_by_hbm():
    r = calc.evaluate("tight", {"batch_per_gpu": 100000})
    assert r["batch_capped"] is True
    assert r["batch_per_gpu"] == math.floor(r["max_batch_per_gpu"])
    cap = calc.evaluate("capacity", {})
    # same weights and KV accounting as the capacity calculation
    assert r["max_batch_per_gpu"] == pytest.approx(cap["users_per_gpu"])


_models = st.sampled_from(sorted(calc.MODELS))
_gpus = st.sampled_from(sorted(calc.GPUS))


@settings(max_examples=60, deadline=None)
@given(model=_models, gpu=_gpus, seq=st.integers(100, 20000), ep=st.sampled_from([1, 8, 32, 72, 144]),
       acc=st.sampled_from([1.0, 1.8, 2.5]), b1=st.integers(1, 400), b2=st.integers(1, 400))
def test_more_batch_never_lowers_per_gpu_and_never_raises_per_user(model, gpu, seq, ep, acc, b1, b2):
    lo, hi = sorted((b1, b2))
    p = dict(model=model, gpu=gpu, seq_len=seq, ep=ep, accept_length=acc)
    a = calc.evaluate("tight", dict(p, batch_per_gpu=lo))
    b = calc.evaluate("tight", dict(p, batch_per_gpu=hi))
    if a["batch_per_gpu"] == 0:
        return
    assert b["tokens_per_s_per_gpu"] >= a["tokens_per_s_per_gpu"] * (1 - 1e-9)
    assert b["tokens_per_s_per_user"] <= a["tokens_per_s_per_user"] * (1 + 1e-9)


@settings(max_examples=40, deadline=None)
@given(model=st.sampled_from(sorted(set(calc.MODELS) - {"deepseek-v3.2"})), gpu=_gpus, seq=st.integers(100, 50000))
def test_tight_never_above_speed_of_light(model, gpu, seq):
    """Adding terms can only lengthen the step (efficiencies <= 1). DeepSeek-V3.2 is left
    out: its sparse attention reads fewer KV bytes than the dense speed of light assumes."""
    p = dict(model=model, gpu=gpu, seq_len=seq)
    t = calc.evaluate("tight", p)["tokens_per_s_per_gpu"]
    s = calc.evaluate("sol", p)["tokens_per_s_per_gpu"]
    assert t <= s * (1 + 1e-12)


def test_frontier_chart_marks_deepseek_interactivity():
    r = calc.evaluate("frontier", {})
    s = r["series"][0]
    assert len(r["x"]) == len(s["y"]) == len(s["batch"]) >= 10
    assert r["marks"][0]["from"] == 20 and r["marks"][0]["to"] == 22  # Day-6 overview: 20-22 tok/s per user
    # x (per user) falls and y (per GPU) rises as the batch grows
    assert all(a >= b for a, b in zip(r["x"], r["x"][1:]))
    assert all(a <= b * (1 + 1e-9) for a, b in zip(s["y"], s["y"][1:]))


def test_flashmla_fp8_layout_is_656_bytes():
    """deepseek-ai/FlashMLA FP8 KV cache: 512 FP8 latent values, 4 FP32 scales (one per 128),
    64 BF16 RoPE values = 656 B per token per layer, so FP8 gains 1,152 / 656 = 1.76x, not 2x."""
    r = calc.evaluate("kv", {"model": "deepseek-v3"})
    assert r["flashmla_fp8_bytes_per_token_per_layer"] == 656
    assert r["flashmla_fp8_multiplier"] == pytest.approx(1152 / 656)
    assert calc.evaluate("kv", {"model": "llama-3.1-8b"})["flashmla_fp8_multiplier"] is None
