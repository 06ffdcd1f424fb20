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
    are reported beside it. The page names the case with each answer: in practice (sustained
    clock, measured kernel rates) compute; at peak spec memory; never both for one case."""
    r = calc.evaluate("intensity", {"model": "deepseek-v3"})
    h800 = r["rows"]["h800"]
    assert h800["ridge"] == pytest.approx(660 / 3.0, rel=2e-3)
    assert h800["ridge_peak"] == pytest.approx(295.22, abs=0.01)
    assert h800["ridge_sustained"] == pytest.approx(864.7 / 3.35, rel=1e-3)
    assert h800["attn_bound"] == "compute"
    assert h800["attn_intensity"] < h800["ridge_sustained"]  # the throttled roofline alone would say memory
    # at the spec sheet's peak the same kernel reads as memory bound: a different case, its own output
    assert h800["attn_bound_peak"] == "memory"
    assert calc.OUTPUTS["attn_bound"].label != calc.OUTPUTS["attn_bound_peak"].label
    assert "in practice" in calc.OUTPUTS["attn_bound"].label and "peak" in calc.OUTPUTS["attn_bound_peak"].label
    # FP8 cache and MTP only raise the intensity
    assert calc.evaluate("intensity", {"kv_dtype": "fp8"})["rows"]["h800"]["attn_bound"] == "compute"
    mtp = calc.measured.MTP_ACCEPT_TYPICAL
    assert calc.evaluate("intensity", {"accept_length": mtp})["rows"]["h800"]["attn_bound"] == "compute"
    assert r["rows"]["h800"]["mtp_crossover_accept_length"] == "already compute bound"
    # at peak clocks with perfect kernels the answer would flip: the clock and the kernel decide
    peak = calc.evaluate("intensity", {"sustained_clock": "off", "attn_efficiency": 1, "mem_efficiency": 1})
    assert peak["rows"]["h800"]["attn_bound"] == "memory"


def test_gqa_attention_flops():
    """GQA: QK and AV each 2 x heads x head_dim FLOPs per cached token per layer."""
    assert attention_flops_per_cached_token(MODELS["llama-3.1-70b"]) == 4 * 64 * 128


def test_compute_term_hand_computed_at_the_boost_clock():
    """Compute time = matmul FLOPs / (boost-clock peak x matmul efficiency) + attention FLOPs /
    (boost-clock peak x attention efficiency). Every matmul, the routed experts' grouped one
    included, gets the best matmul share (W4), and the clock is the boost clock whatever
    ``sustained_clock`` says: a GPU kept cooler than DeepSeek's may hold it (W6)."""
    x = TightInputs(seq_len=1000, batch_per_gpu=4, ep=256, compute_efficiency=0.5, attn_efficiency=0.25,
                    count_weights=False, count_network=False)
    r = tight_bound(V3, H800, x)
    lin = 2 * V3.active_params * 4
    att = 278_528 * 1000 * 61 * 4
    assert r["linear_flops"] == pytest.approx(lin) and r["attention_flops"] == att
    assert r["compute_time_s"] == pytest.approx(lin / (1979e12 * 0.5) + att / (989e12 * 0.25), rel=2e-3)
    for clock in (False, True):
        other = tight_bound(V3, H800, TightInputs(seq_len=1000, batch_per_gpu=4, ep=256, compute_efficiency=0.5,
                                                  attn_efficiency=0.25, count_weights=False, count_network=False,
                                                  sustained_clock=clock))
        assert other["compute_time_s"] == r["compute_time_s"]


def test_memory_term_every_kernel_at_the_best_streaming_rate():
    """W4: the bound streams every byte, weights included, at the best HBM rate any kernel has
    reached (FlashMLA, 3,000 of 3,350 GB/s), not at a grouped GEMM's rate at its ridge."""
    r = calc.evaluate("tight", {"ep": 128, "batch_per_gpu": 64})
    assert r["memory_time_s"] == pytest.approx(r["memory_bytes"] / (3.35e12 * 3000 / 3350), rel=1e-4)


def test_ep_network_low_latency_mode_deepep_readme():
    """Decode uses DeepEP's low-latency kernels (LMSYS 2025-05-05): one message per (token,
    chosen expert), FP8 out (7,168 + 224 scale + 16 B) and BF16 back (14,336 B), counted the
    way DeepEP's tests/test_low_latency.py counts them. At EP128 on 8-GPU H800 nodes, 120/128
    of the messages cross the NIC and 7/128 NVLink; the bound allows DeepEP's best published
    low-latency RDMA rate at any size, 46 of ~50 GB/s (first README, EP8), and its best NVLink
    rate, 158 of 200 GB/s (D4)."""
    t = 128
    r = tight_bound(V3, H800, TightInputs(seq_len=1000, batch_per_gpu=t, ep=128, count_weights=False,
                                          count_compute=False))
    per = 7408 + 14336
    out = 58 * t * 8 * 120 / 128 * per
    up = 58 * t * 8 * 7 / 128 * per
    assert r["scale_out_bytes"] == pytest.approx(out)
    assert r["scale_up_bytes"] == pytest.approx(up)
    assert r["network_time_s"] == pytest.approx(max(out / 46e9, up / 158e9))
    # DeepEP's own latencies for 128 tokens reproduce its 39 GB/s at EP128 (to its rounding)
    assert 128 * 8 * 7408 / 192e-6 / 1e9 == pytest.approx(39.5, abs=0.1)
    assert 128 * 8 * 14336 / 369e-6 / 1e9 == pytest.approx(39.8, abs=0.1)


def test_bound_network_rate_at_least_every_deepep_low_latency_figure():
    """D4: a rate measured at 128 tokens is no ceiling for 240 tokens. The bound's NIC rate
    (0.92 of the line rate) is at least every pure-RDMA figure of DeepEP's first low-latency
    table at any EP size (DeepEP's 50 GB/s NIC); its NVLink rate at least DeepEP's best."""
    from calc import measured
    nic = 50e9 * measured.LL_RDMA_BEST_SHARE
    for ep, (_, d, _, c) in measured.DEEPEP_LL_V1.items():
        assert max(d, c) * 1e9 <= nic, ep
    assert 200e9 * measured.NVLINK_BEST_SHARE >= max(measured.DEEPEP_NORMAL[8][1:]) * 1e9
    # the estimate keeps the rate measured at the EP size, so it never beats the bound
    e = calc.evaluate("estimate", {"ep": 128, "batch_per_gpu": 240, "micro_batches": 1})
    assert e["tokens_per_s_per_gpu"] <= e["tight_tokens_per_s_per_gpu"]


def test_ep_network_inside_one_nvlink_domain():
    """EP inside one NVLink domain (GB200 NVL72, EP48): every message but the GPU's own crosses
    NVLink, at DeepEP's best NVLink share in any mode (740 of 900 GB/s, DeepEP V2) of the GPU's 900 GB/s per direction."""
    t = 100
    r = tight_bound(V3, GPUS["gb200"], TightInputs(seq_len=1000, batch_per_gpu=t, ep=48, count_weights=False,
                                                   count_compute=False))
    assert r["scale_out_bytes"] == 0
    up = 58 * t * 8 * 47 / 48 * (7408 + 14336)
    assert r["scale_up_bytes"] == pytest.approx(up)
    assert r["network_time_s"] == pytest.approx(up / (900e9 * 740 / 900))


def test_ep_network_normal_mode_hand_computed():
    """DeepEP normal mode (prefill's kernels), EP16 on 8-GPU H800 nodes: 2 nodes, counted as
    the prefill model counts it (calc.expert_traffic). DeepSeek-V3 picks 4 of 8 expert groups,
    4 groups per node: a node is missed only if none of its groups is picked, 1/70, so a token
    reaches 2 x 69/70 nodes, half of them remote, one FP8 copy out (7,168 x (1 + 4/128) B, as
    DeepEP's test_internode.py counts it, no per-token metadata) and one BF16 copy back. Inside
    the node it goes once to each GPU holding one of its experts: 8 GPUs hold its 4 groups,
    8 (1 - (7/8)^8) = 5.25 of them, 7/8 not its own."""
    t = 10
    x = TightInputs(seq_len=1000, batch_per_gpu=t, ep=16, count_weights=False, count_compute=False,
                    ep_comm="normal", link_rates="spec", net_efficiency=1.0)
    r = tight_bound(V3, H800, x)
    per = 7168 * (1 + 4 / 128) + 2 * 7168
    out = 58 * t * (2 * 69 / 70) * 0.5 * per
    up = 58 * t * 8 * (1 - (7 / 8) ** 8) * (7 / 8) * per
    assert r["scale_out_bytes"] == pytest.approx(out)
    assert r["scale_up_bytes"] == pytest.approx(up)
    assert r["network_time_s"] == pytest.approx(max(out / 50e9, up / 200e9))  # spec rates, net_efficiency 1


def test_normal_mode_is_the_prefill_models_traffic():
    """One model of DeepEP's normal mode: the tight bound's normal-mode bytes per token per MoE
    layer are prefill's (DeepSeek-V3 at EP32: 3.14 x 3/4 x 21,728 = 51,216 B over RDMA), and
    with measured link rates the bound lets it run at the best shares DeepEP measured for any
    kernel (DeepEP V2 README: 740 of 900 GB/s NVLink; README first table: 46 of 50 GB/s RDMA
    in low-latency mode, above V2's normal-mode 45)."""
    from calc import measured
    from calc.prefill import PrefillInputs, prefill_work

    t = 4
    r = tight_bound(V3, H800, TightInputs(seq_len=1000, batch_per_gpu=t, ep=32, count_weights=False,
                                          count_compute=False, ep_comm="normal"))
    w = prefill_work(V3, H800, PrefillInputs(prompt_len=1000, ep=32))
    assert r["scale_out_bytes"] == pytest.approx(t * w.scale_out_bytes, rel=1e-12)
    assert r["scale_up_bytes"] == pytest.approx(t * w.scale_up_bytes, rel=1e-12)
    assert w.scale_out_bytes / 58 == pytest.approx(51_216, rel=1e-12)
    assert r["network_time_s"] == pytest.approx(max(
        r["scale_out_bytes"] / (50e9 * max(measured.RDMA_NORMAL_EFFICIENCY_BEST, measured.LL_RDMA_BEST_SHARE)),
        r["scale_up_bytes"] / (200e9 * measured.NVLINK_NORMAL_EFFICIENCY_BEST)), rel=1e-12)


def test_node_limited_routing_caps_remote_nodes():
    """Normal mode, EP64 over 8 H800 nodes: DeepSeek-V3's 8 expert groups map one to a node,
    and a token may use topk_group = 4 of them (V3 report 2.1.2, node-limited routing): it
    reaches exactly 4 nodes (8 x (1 - C(7,4)/C(8,4))), where 8 experts spread uniformly would
    reach 8 (1 - (7/8)^8) = 5.25; 7/8 of them are remote."""
    t = 1
    per = 7168 * (1 + 4 / 128) + 2 * 7168
    r = tight_bound(V3, H800, TightInputs(seq_len=1000, batch_per_gpu=t, ep=64, count_weights=False,
                                          count_compute=False, ep_comm="normal"))
    assert r["scale_out_bytes"] == pytest.approx(58 * t * 4 * 7 / 8 * per)
    # EP256 over 32 nodes: each group spans 4 nodes; the token's 2 experts per picked group
    # reach 4 (1 - (3/4)^2) of its group's nodes: 4 groups x 1.75 = 7 nodes
    r = tight_bound(V3, H800, TightInputs(seq_len=1000, batch_per_gpu=t, ep=256, count_weights=False,
                                          count_compute=False, ep_comm="normal"))
    assert r["scale_out_bytes"] == pytest.approx(58 * t * 7.0 * 31 / 32 * per)


def test_no_node_limit_without_groups():
    """Kimi K2 has n_group = topk_group = 1: no grouping, so no cap on nodes reached (normal mode)."""
    k2 = MODELS["kimi-k2"]
    r = tight_bound(k2, H800, TightInputs(seq_len=1000, batch_per_gpu=1, ep=144, count_weights=False,
                                          count_compute=False, ep_comm="normal"))
    reach = 18 * (1 - (17 / 18) ** 8)
    assert r["scale_out_bytes"] == pytest.approx(60 * reach * 17 / 18 * (7168 * (1 + 4 / 128) + 2 * 7168))


def test_tp_allreduce_term_hand_computed():
    """TP2 on a dense model: per layer two ring all-reduces of the group's 2t tokens of BF16
    hidden state (after attention and after the feed-forward), each 2 (2-1)/2 x 2t x h x 2 B per
    GPU, over NVLink."""
    t = 3
    r = tight_bound(MODELS["llama-3.1-8b"], GPUS["h100"],
                    TightInputs(seq_len=100, batch_per_gpu=t, tp=2, count_weights=False, count_compute=False))
    assert r["scale_up_bytes"] == pytest.approx(32 * 2 * 1 * (2 * t) * 4096 * 2)


def test_mla_kv_is_replicated_under_attention_tp():
    """An MLA latent serves all heads, so TP ranks cannot split it: each reads it all."""
    a = tight_bound(V3, GPUS["b200"], TightInputs(seq_len=1000, batch_per_gpu=2, ep=256, tp=1, **OFF))
    b = tight_bound(V3, GPUS["b200"], TightInputs(seq_len=1000, batch_per_gpu=2, ep=256, tp=4, **OFF))
    assert b["kv_read_bytes"] == 4 * a["kv_read_bytes"]


def test_bound_is_the_roofline_of_the_whole_step():
    """W5: SGLang's DeepseekV2MoE runs shared and routed experts on two CUDA streams in
    CUDA-graph decode, so kernels need not run in sequence. The bound is the slowest resource
    over the whole step, max(memory, compute, network); ``overlap = sum`` adds them."""
    r = calc.evaluate("tight", {})
    mem, comp, net = r["memory_time_s"], r["compute_time_s"], r["network_time_s"]
    assert r["step_time_max_s"] == max(mem, comp, net) == r["step_time_s"]
    assert r["step_time_sum_s"] == pytest.approx(mem + comp + net)
    assert r["binding"] == max(("memory", "compute", "network"),
                               key=lambda k: {"memory": mem, "compute": comp, "network": net}[k])
    s = calc.evaluate("tight", {"overlap": "sum"})
    assert s["step_time_s"] == pytest.approx(mem + comp + net)
    assert s["tokens_per_s_per_gpu"] < r["tokens_per_s_per_gpu"]


def test_bound_does_not_depend_on_the_schedule():
    """W2: the bound is one micro-batch (a second only reads the weights again), so no
    schedule beats it: the audit's cases, H200 EP8 with 64 per GPU at 2K context (the old
    two-micro-batch bound 947 tok/s; one micro-batch in series at the same rates 1,685) and
    Qwen3-8B on one H20 at 64 per GPU (old 2,784 against InferSim's measured 2,682)."""
    p = dict(model="deepseek-v3", gpu="h200", ep=8, batch_per_gpu=64, seq_len=2048)
    r = calc.evaluate("tight", p)
    assert r["tokens_per_s_per_gpu"] >= 1685
    for mb in (1, 2):
        one = calc.evaluate("estimate", dict(p, micro_batches=mb, overhead_factor=1, step_overhead_ms=0,
                                             overlap_schedule="none", sustained_clock="off"))
        assert one["tokens_per_s_per_gpu"] <= r["tokens_per_s_per_gpu"]
    assert "micro_batches" not in calc.CALCULATIONS["tight"].params
    assert "sustained_clock" not in calc.CALCULATIONS["tight"].params
    q = calc.evaluate("tight", dict(model="qwen3-8b", gpu="h20", ep=1, batch_per_gpu=64, seq_len=5120))
    assert q["tokens_per_s_per_gpu"] > 2682


def test_two_micro_batches_read_the_weights_twice_in_the_estimate_profile_data():
    """deepseek-ai/profile-data README: decode "leverages two micro-batches"; in the estimate
    each reads the weights again (the same weight bytes per micro-batch, the KV split)."""
    from calc.tight import step_work
    one = step_work(V3, H800, TightInputs(seq_len=5000, batch_per_gpu=64, ep=128, micro_batches=1), 64)
    two = step_work(V3, H800, TightInputs(seq_len=5000, batch_per_gpu=64, ep=128, micro_batches=2), 64)
    w = lambda s: sum(k.weight_bytes * k.count for k in s.kernels if k.kind == "gemm")  # noqa: E731
    assert w(two) == pytest.approx(w(one))  # per micro-batch: twice per step
    assert two.kv_read_bytes == pytest.approx(one.kv_read_bytes)
    e1 = calc.evaluate("estimate", {"batch_per_gpu": 64, "ep": 128, "micro_batches": 1, "overlap_schedule": "none"})
    e2 = calc.evaluate("estimate", {"batch_per_gpu": 64, "ep": 128, "micro_batches": 2, "overlap_schedule": "none"})
    assert e2["tokens_per_s_per_gpu"] < e1["tokens_per_s_per_gpu"]


def test_mtp_module_weights_and_flops_counted():
    """With MTP (accept length > 1) DeepSeek-V3's MTP module runs once per draft: its
    projection (2h x h), one MLA + MoE layer and the shared output head are read and computed,
    and its own layer of KV cache takes room."""
    base = dict(batch_per_gpu=32, ep=128)
    off = calc.evaluate("tight", dict(base, accept_length=1.0))
    on = calc.evaluate("tight", dict(base, accept_length=calc.measured.MTP_ACCEPT_TYPICAL))
    assert off["mtp_weight_read_bytes"] == 0 and off["mtp_flops"] == 0
    h = 7168
    head = 129_280 * h * 2  # BF16 output head, read again by the draft pass
    assert on["mtp_weight_read_bytes"] > head + 2 * h * h  # head, projection, attention, experts
    assert on["mtp_flops"] >= 2 * (129_280 * h + 2 * h * h) * 32
    assert on["max_batch_per_gpu"] < off["max_batch_per_gpu"]  # one more layer of KV per user
    two = calc.evaluate("tight", dict(base, accept_length=calc.measured.MTP_ACCEPT_TYPICAL, verify_tokens=3))
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


def test_tensor_parallel_sums_every_split_layer_output():
    """Under tensor parallelism each GPU holds a slice of a layer's output, summed by an all-reduce:
    one after attention in every layer, one after each dense feed-forward layer and one after each
    MoE layer whose experts are split by TP. Qwen3-8B (36 dense layers) on TP2 runs 72 all-reduces
    per step; DeepSeek-R1 (3 dense + 58 MoE layers) on TP8 with TP experts runs 61 + 3 + 58 = 122."""
    from calc.tight import step_work

    def all_reduces(model, x):
        w = step_work(MODELS[model], GPUS["h200"], x, x.batch_per_gpu)
        return sum(c.count for c in w.comms if "all-reduce" in c.name)

    assert all_reduces("qwen3-8b", TightInputs(seq_len=2048, tp=2, ep=1, batch_per_gpu=8)) == 72
    assert all_reduces("deepseek-r1", TightInputs(seq_len=2048, tp=8, ep=8, batch_per_gpu=1, moe_parallel="tp")) == 122
    assert all_reduces("qwen3-8b", TightInputs(seq_len=2048, tp=1, ep=1, batch_per_gpu=8)) == 0
