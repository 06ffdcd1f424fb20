"""Prefill: how many input tokens per second one GPU can process, bound and estimate.

Prefill runs the whole prompt through the model in large batches ("chunks"): with
``C`` prompt tokens per GPU per forward pass (DeepSeek's profile uses 16,384), every
weight is read once per chunk and the matmuls are large, so prefill is compute bound
where decode is memory bound. Per GPU, per prompt token that is computed (a cache miss):

**FLOPs**

* Linear layers: ``2 x (activated parameters - output head)``. The output head runs for
  the last prompt position only (its logits give the first output token), under 0.01% of
  the work at 1,000 tokens, so it is left out.
* Attention. MLA is *not* absorbed in prefill. In decode, DeepSeek multiplies the
  key/value up-projection into the query and output projections ("absorbed", FlashMLA's
  MQA mode, 576-wide keys and 512-wide values for all 128 heads): the latent cache is read
  once per step and attention is cheap in bytes. In prefill every cached token is also a
  query, the work is FLOPs, not bytes, and the absorbed shapes cost
  ``2 x (576 + 512) = 2,176`` FLOPs per head per (query, key) pair against
  ``2 x (192 + 128) = 640`` in MHA mode, where each token's latent is expanded once into
  per-head keys (128 no-RoPE + 64 RoPE = 192 wide) and values (128 wide). FlashMLA's
  support matrix lists dense prefill in "MHA" mode with ``head_dim_k = 192 / 128`` and
  ``head_dim_v = 128`` (deepseek-ai/FlashMLA README); NVIDIA's roofline analysis finds the
  non-absorbed form better "for the prefill phase with input length 256 or larger"
  (NVIDIA/TensorRT-LLM tech blog 3). Counted as the kernels count it:
  ``2 x heads x (qk_nope + qk_rope + v_head)`` per pair, causal (the query at position
  ``i`` attends to ``i`` keys, about half of the square). GQA: ``4 x heads x head_dim``
  per pair; sliding-window layers at most ``window`` keys; DeepSeek-V3.2's sparse
  attention ``index_topk`` keys in MQA mode plus its FP8 indexer over every key.
* A cache hit skips the linear layers, but in MHA mode its latent must still be expanded
  (``2 x kv_lora x heads x (qk_nope + v_head)`` per cached token per layer) for the new
  tokens to attend to it; the new tokens' attention covers the cached prefix too.

**Bytes** (HBM): the GPU's weights once per micro-batch per chunk (its hosted experts,
``ceil((n + redundant) / ep)`` per MoE layer, touched with probability
``1 - (1 - k/n)^(C x ep)``, plus attention, dense, shared experts, router and head).

**Network**, per computed token per MoE layer, DeepEP's normal (high-throughput) kernels:
each token goes once to every remote scale-up domain (node) holding one of its experts
over RDMA, and is forwarded inside the node over NVLink ("NVLink forwarding"); dispatch in
FP8 with one FP32 scale per 128 values (``1 + 4/128`` B per element, as DeepEP's own test
counts it), combine in BF16 (2 B). Under node-limited routing (DeepSeek-V3: 4 of 8 expert
groups) a token reaches the domains of its 4 groups. Attention TP adds a ring all-reduce
of the hidden state per layer.

**Time** per computed token: compute (FLOPs over peak times a kernel efficiency), memory
(weights over HBM bandwidth, per chunk), network (bytes over link bandwidth).

* *Bound*: every resource at the best efficiency anyone has measured (constants below),
  all GPUs' experts perfectly balanced, perfect overlap: ``max(compute, memory, network)``.
  No deployment may exceed it.
* *Estimate*: measured per-kernel efficiencies at prefill shapes (DeepGEMM at M = 4,096;
  FlashAttention-3's causal curve, which rises with the sequence length), compute on the
  108 of 132 SMs left while DeepEP's kernels hold 24, two micro-batches overlapping compute with communication
  (``max``) or one (``sum``), then one overhead factor fitted to measured deployments
  (normalisation, RoPE, quantisation, permutation and routing kernels, launch gaps,
  pipeline bubbles, and for real traffic the uneven load of the experts), one for real
  expert routing and one for simulated perfect balance, checked leave-one-out
  (:mod:`calc.prefill_validate`).

Not counted (optimistic, the bound stays a bound): the MTP module's own pass over the
prompt; element-wise kernels; KV-cache writes (under 0.1% of the bytes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from .kv import kv_size
from .model import ModelConfig
from .presets import Accelerator
from .tight import NVFP4_BYTES

# ---- measured kernel and link figures ------------------------------------------------------
# Fractions of a preset's peak, so they apply to any accelerator. Written as plain constants
# (with their sources) so they can move onto the Accelerator preset later.

#: DeepGEMM, best FP8 GEMM on H800: "up to 1550 TFLOPS" (deepseek-ai/DeepGEMM README,
#: news 2025-04-18) of 1,979 dense FP8 TFLOPS.
GEMM_EFFICIENCY_BEST = 1550 / 1979
#: Best attention forward pass on Hopper that we know: FlashAttention-3, 756 TFLOPS BF16
#: (head dim 256, no causal mask, 16k tokens, H100 SXM5; Dao-AILab/flash-attention README
#: figure assets/flash3_fp16_fwd.png) of 989. FlashMLA reaches 660 (H800, decode) and its
#: MHA prefill kernel 1,460 of 2,250 on B200: both lower fractions.
ATTENTION_EFFICIENCY_BEST = 756 / 989
#: Best HBM read rate measured: FlashMLA 3,000 GB/s of H800's 3,350 (deepseek-ai/FlashMLA README).
MEMORY_EFFICIENCY_BEST = 3000 / 3350
#: DeepEP normal kernels, bottleneck RDMA bandwidth at EP32 on H800 with one 400 Gb/s CX7 per
#: GPU (~50 GB/s): 58 GB/s dispatch, 57 GB/s combine (deepseek-ai/DeepEP docs/legacy.md, table
#: since 2025-04-22). DeepEP counts every (token, destination node) pair, its own node included
#: (tests/legacy/test_internode.py, num_rdma_token_sent); in that test a token reaches
#: 4 x (1 - (3/4)^8) = 3.60 of 4 nodes, 0.90 of them its own, so 3/4 of the counted bytes
#: really cross the NIC: 58 x 3/4 = 43.5 GB/s, 0.87 of the line rate (combine 0.855).
#: DeepEP V2 "EP 8 x 2": 90 GB/s logical, half of it remote, 45 GB/s = 0.90 (the best).
RDMA_EFFICIENCY = (58 * 0.75 / 50 + 57 * 0.75 / 50) / 2
RDMA_EFFICIENCY_BEST = 90 * 0.5 / 50
#: DeepEP intranode normal kernels on H800: 153 GB/s dispatch, 158 GB/s combine over NVLink
#: (docs/legacy.md) of 200 GB/s per direction (400 GB/s bidirectional); V2 on SM100:
#: 740 GB/s of 900 (README), the best fraction.
NVLINK_EFFICIENCY = (153 + 158) / 2 / 200
NVLINK_EFFICIENCY_BEST = 740 / 900
#: Prefill compute runs on 108 of H800's 132 SMs while DeepEP's communication kernels hold
#: 24 (deepseek-ai/profile-data README, assets/prefill.jpg: "Computation 108 SMs",
#: "Communication 24 SMs").
COMPUTE_SM_SHARE = 108 / 132

#: DeepGEMM on H800 at prefill shapes (M = 4,096 tokens), TFLOPS (deepseek-ai/DeepGEMM README
#: as of commit 55ab91f, 2025-03-25, "Normal GEMMs" and "Grouped GEMMs (contiguous layout)"):
#: (N, K, TFLOPS, uses per token per MoE layer of DeepSeek-V3).
DEEPGEMM_PREFILL_H800 = (
    (2112, 7168, 1009, 1),   # q_a + kv_a projection
    (24576, 1536, 1125, 1),  # q_b
    (32768, 512, 751, 1),    # kv_b (latent -> per-head keys and values)
    (7168, 16384, 1426, 1),  # o projection
    (4096, 7168, 1265, 1),   # shared expert gate + up
    (7168, 2048, 1168, 1),   # shared expert down
    (4096, 7168, 1346, 8),   # routed experts gate + up (grouped, contiguous)
    (7168, 2048, 1214, 8),   # routed experts down (grouped, contiguous)
)


def gemm_efficiency_measured() -> float:
    """DeepGEMM's TFLOPS at DeepSeek-V3's prefill shapes, weighted by each GEMM's FLOPs
    (time-weighted: total FLOPs over total time), as a fraction of the 1,979 FP8 peak."""
    flops = sum(n * k * u for n, k, _, u in DEEPGEMM_PREFILL_H800)
    time = sum(n * k * u / t for n, k, t, u in DEEPGEMM_PREFILL_H800)
    return flops / time / 1979


GEMM_EFFICIENCY_MEASURED = gemm_efficiency_measured()

#: FlashAttention-3 forward, causal, head dim 128, BF16, H100 SXM5, TFLOPS by sequence length
#: (Dao-AILab/flash-attention README, assets/flash3_fp16_fwd.png, panel (d)); 16k tokens per
#: batch, as in a 16k-token prefill chunk. DeepSeek's 192/128 heads are near head dim 128.
FA3_CAUSAL_TFLOPS = ((512, 292), (1024, 423), (2048, 521), (4096, 579), (8192, 602), (16384, 616))
H100_BF16_TFLOPS = 989


def attention_efficiency(seq_len: float) -> float:
    """FlashAttention-3's causal efficiency at ``seq_len`` keys: linear in log2(length)
    between the measured points, flat outside them (fraction of the BF16 peak)."""
    pts = [(math.log2(s), t / H100_BF16_TFLOPS) for s, t in FA3_CAUSAL_TFLOPS]
    x = math.log2(max(1.0, seq_len))
    if x <= pts[0][0]:
        return pts[0][1]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return pts[-1][1]


# ---- inputs ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PrefillInputs:
    prompt_len: int = 4096
    cache_hit_share: float = 0.0
    chunk_tokens: int = 16384  # prompt tokens per GPU per forward pass
    ep: int = 32
    tp: int = 1  # attention (and dense-layer) tensor parallelism; 1 = data-parallel attention
    redundant_experts: int = 32
    microbatches: int = 2
    routing: str = "real"  # expert routing: "real" (measured traffic, EPLB) or "balanced" (simulated)
    gemm_dtype: str = "fp8"
    attn_dtype: str = "bf16"
    expert_dtype: str = "native"
    kv_dtype: str = "bf16"

    #: schema name -> field name
    _PARAM_NAMES = {"prompt_len": "prompt_len", "cache_hit_share": "cache_hit_share",
                    "prefill_chunk_tokens": "chunk_tokens", "prefill_ep": "ep", "prefill_tp": "tp",
                    "prefill_redundant_experts": "redundant_experts", "prefill_microbatches": "microbatches",
                    "expert_routing": "routing", "gemm_dtype": "gemm_dtype", "attn_dtype": "attn_dtype",
                    "expert_dtype": "expert_dtype", "kv_dtype": "kv_dtype"}

    @classmethod
    def from_params(cls, p: dict) -> "PrefillInputs":
        """From schema-named parameters (``prefill_ep`` -> ``ep`` ...); missing ones keep
        the defaults above."""
        names = {f.name for f in fields(cls)}
        kw = {field: p[name] for name, field in cls._PARAM_NAMES.items() if name in p and field in names}
        if "microbatches" in kw:
            kw["microbatches"] = int(kw["microbatches"])
        return cls(**kw)

    def split(self) -> tuple[float, float]:
        """(cached, computed) tokens of one prompt, as averages over many prompts (so not
        rounded): ``cached = prompt_len x cache_hit_share``. At least the last prompt token is
        always computed (its logits give the first output token)."""
        computed = max(1.0, self.prompt_len * (1 - self.cache_hit_share))
        computed = min(computed, float(self.prompt_len))
        return self.prompt_len - computed, computed


# ---- counting ----------------------------------------------------------------------------------

def _causal_prefix(x: float, window: float) -> float:
    """(query, key) pairs of the queries at positions 1 .. x: ``sum(min(i, window))``."""
    if x <= window:
        return x * (x + 1) / 2
    return window * (window + 1) / 2 + (x - window) * window


def causal_pairs(lo: float, hi: float, window: float = math.inf) -> float:
    """(query, key) pairs of the queries at positions ``lo + 1 .. hi`` when the query at
    position ``i`` attends to ``min(i, window)`` keys (itself included): the causal mask,
    about half of the square. Defined for fractional ``lo`` (an average cached prefix)."""
    if hi <= lo:
        return 0.0
    return _causal_prefix(hi, window) - _causal_prefix(lo, window)


def attention_flops_per_pair(model: ModelConfig) -> tuple[float, float]:
    """FLOPs per (query, key) pair per layer: (prefill's form, decode's absorbed form).

    MLA in prefill (MHA mode): ``2 x heads x (qk_nope + qk_rope + v_head)``, 81,920 for
    DeepSeek-V3; absorbed (MQA mode, decode): ``2 x heads x (kv_lora + qk_rope + kv_lora)``,
    278,528. GQA has one form: ``4 x heads x head_dim``."""
    if model.is_mla:
        mha = 2 * model.num_attention_heads * (model.qk_nope_head_dim + model.qk_rope_head_dim + model.v_head_dim)
        return mha, 2 * model.num_attention_heads * (2 * model.kv_lora_rank + model.qk_rope_head_dim)
    gqa = 4 * model.num_attention_heads * model.head_dim
    return gqa, gqa


def _comb(n: int, r: int) -> float:
    return math.comb(n, r) if 0 <= r <= n else 0.0


def domains_reached(model: ModelConfig, n_dom: int) -> float:
    """Scale-up domains (nodes) one token's experts reach, on average.

    Node-limited routing (``n_group > 1``): a token picks ``topk_group`` of ``n_group``
    expert groups, and each picked group receives at least one of its experts (DeepSeek-V3
    scores a group by the sum of its two best affinities, so a picked group holds strong
    experts). With ``q = n_group / n_dom`` whole groups per domain, a domain is missed only
    if none of its groups is picked: ``n_dom x (1 - C(n_group - q, topk) / C(n_group, topk))``;
    DeepSeek-V3 at EP32 on 4 nodes: 4 x (1 - 15/70) = 3.14. With more domains than groups,
    a group spans ``m`` domains and the token's ``k / topk`` experts per group spread over
    them. Without grouping: ``n (1 - (1 - 1/n)^k)`` (experts uniform over domains)."""
    if n_dom <= 1:
        return 1.0
    k = model.num_experts_per_tok
    g, s = model.n_group, model.topk_group
    if g > 1 and s and k >= s:
        if n_dom <= g and g % n_dom == 0:
            q = g // n_dom
            return n_dom * (1 - _comb(g - q, s) / _comb(g, s))
        if n_dom > g:
            m = math.ceil(n_dom / g)
            return min(n_dom, s * m * (1 - (1 - 1 / m) ** (k / s)))
    return n_dom * (1 - (1 - 1 / n_dom) ** k)


def gpus_reached(model: ModelConfig, ep: int) -> float:
    """GPUs of the EP group that receive one token (hold at least one of its experts),
    on average: experts spread evenly, the token's ``k`` experts inside its picked groups'
    share ``topk / n_group`` of the GPUs."""
    if ep <= 1:
        return 1.0
    k = model.num_experts_per_tok
    share = model.topk_group / model.n_group if model.n_group > 1 and model.topk_group else 1.0
    gsel = max(1.0, ep * share)
    return gsel * (1 - (1 - 1 / gsel) ** k)


def _expert_bytes_per_param(model: ModelConfig, expert_dtype: str) -> float:
    if expert_dtype == "fp8":
        return 1.0
    if expert_dtype == "fp4":
        return NVFP4_BYTES
    return model.expert_weight_bytes


def _dispatch_bytes_per_element(gemm_dtype: str) -> float:
    """FP8 with one FP32 scale per 128 values (DeepEP's test counts (1 + 4/128) / 2 of BF16);
    NVFP4 with one FP8 scale per 16 (SGLang fuses NVFP4 quantisation into DeepEP's dispatch,
    LMSYS 2025-09-25); otherwise BF16."""
    if gemm_dtype == "fp8":
        return 1 + 4 / 128
    if gemm_dtype == "fp4":
        return NVFP4_BYTES
    return 2.0


@dataclass(frozen=True)
class PrefillWork:
    """Work on one GPU per computed prompt token (FLOPs, network bytes) and per micro-batch
    (weight bytes)."""

    cached_tokens: float  # per prompt (an average, so fractional)
    computed_tokens: float
    dense_linear_flops: float  # attention projections, dense layers, shared experts, router
    moe_linear_flops: float  # routed experts
    expansion_flops: float  # cached latents expanded into keys and values, per computed token
    attention_parts: tuple  # ((FLOPs, keys per query, "attn" | "fp8"), ...) per computed token
    weight_bytes_per_microbatch: float
    scale_up_bytes: float
    scale_out_bytes: float
    kv_bytes_per_token: float

    @property
    def attention_flops(self) -> float:
        return sum(f for f, _, _ in self.attention_parts)

    @property
    def linear_flops(self) -> float:
        return self.dense_linear_flops + self.moe_linear_flops + self.expansion_flops


def prefill_work(model: ModelConfig, gpu: Accelerator, x: PrefillInputs) -> PrefillWork:
    h = model.hidden_size
    cached, computed = x.split()
    P = x.prompt_len
    b = model.param_breakdown()
    head = b["output_head"] or b["embedding"]
    routed_active = model.n_moe_layers * model.num_experts_per_tok * model.expert_params if model.is_moe else 0
    linear = 2 * (model.active_params - head)
    moe_linear = 2 * routed_active
    dense_linear = linear - moe_linear

    # attention, per computed token: (FLOPs, keys per query, peak used)
    kv = kv_size(model, x.kv_dtype)
    parts = []
    expansion = 0.0
    if model.is_mla and model.index_topk:  # DSA: sparse MQA-mode attention + FP8 indexer over every key
        per_pair = attention_flops_per_pair(model)[1]
        pairs = causal_pairs(cached, P, model.index_topk) / computed
        parts.append((per_pair * pairs * kv.full_layers, pairs, "attn"))
        ipairs = causal_pairs(cached, P) / computed
        parts.append((2 * model.index_n_heads * model.index_head_dim * ipairs * kv.full_layers, ipairs, "fp8"))
    else:
        per_pair = attention_flops_per_pair(model)[0]
        if model.is_mla:  # MHA mode: 192-wide QK (128 no-RoPE + 64 RoPE), 128-wide V per head
            expansion = (2 * model.kv_lora_rank * model.num_attention_heads
                         * (model.qk_nope_head_dim + model.v_head_dim) * model.num_hidden_layers * cached / computed)
        if kv.full_layers:
            pairs = causal_pairs(cached, P) / computed
            parts.append((per_pair * pairs * kv.full_layers, pairs, "attn"))
        if kv.window_layers:
            pairs = causal_pairs(cached, P, kv.window) / computed
            parts.append((per_pair * pairs * kv.window_layers, pairs, "attn"))

    # weights read once per micro-batch of chunk_tokens / microbatches tokens per GPU
    wb = model.weight_bytes()
    other = (wb["attention"] + wb["dense_ffn"] + wb["shared_experts"] + wb["router"] + wb["output_head"]) / x.tp
    experts = 0.0
    if model.is_moe:
        n, k = model.n_routed_experts, model.num_experts_per_tok
        hosted = math.ceil((n + x.redundant_experts) / x.ep)
        touched = 1 - (1 - k / n) ** (x.chunk_tokens / x.microbatches * x.ep)
        experts = model.n_moe_layers * hosted * touched * model.expert_params * _expert_bytes_per_param(
            model, x.expert_dtype)

    # network per computed token
    up = out = 0.0
    if model.is_moe and x.ep > 1:
        d = min(gpu.scale_up_domain, x.ep)
        n_dom = math.ceil(x.ep / d)
        per_copy = h * (_dispatch_bytes_per_element(x.gemm_dtype) + 2.0)
        if n_dom > 1:
            out += model.n_moe_layers * domains_reached(model, n_dom) * (n_dom - 1) / n_dom * per_copy
        up += model.n_moe_layers * gpus_reached(model, x.ep) * (d - 1) / d * per_copy
    if x.tp > 1:
        ar = model.num_hidden_layers * 2 * (x.tp - 1) / x.tp * x.tp * h * 2
        if x.tp <= gpu.scale_up_domain:
            up += ar
        else:
            out += ar

    return PrefillWork(
        cached_tokens=cached, computed_tokens=computed,
        dense_linear_flops=dense_linear, moe_linear_flops=moe_linear, expansion_flops=expansion,
        attention_parts=tuple(parts), weight_bytes_per_microbatch=other + experts,
        scale_up_bytes=up, scale_out_bytes=out, kv_bytes_per_token=kv.bytes_per_token,
    )


def prefill_weight_bytes_per_gpu(model: ModelConfig, x: PrefillInputs) -> float:
    """Weights one prefill GPU holds: attention, dense layers, shared experts, router,
    embedding and head split over ``tp``; its ``ceil((n + redundant) / ep)`` routed experts
    per MoE layer."""
    wb = model.weight_bytes()
    other = (wb["attention"] + wb["dense_ffn"] + wb["shared_experts"] + wb["router"] + wb["embedding"]
             + wb["output_head"]) / x.tp
    if not model.is_moe:
        return other
    hosted = math.ceil((model.n_routed_experts + x.redundant_experts) / x.ep)
    return other + model.n_moe_layers * hosted * model.expert_params * _expert_bytes_per_param(model, x.expert_dtype)


def prefill_fits(model: ModelConfig, gpu: Accelerator, x: PrefillInputs) -> bool:
    """The prefill GPU's weights fit in its HBM (activations and the chunk's KV not counted)."""
    return prefill_weight_bytes_per_gpu(model, x) <= gpu.hbm_bytes


# ---- bound and model ---------------------------------------------------------------------------

def _times(model: ModelConfig, gpu: Accelerator, x: PrefillInputs, best: bool) -> dict:
    """Seconds per computed token of each resource on one GPU."""
    w = prefill_work(model, gpu, x)
    gemm_peak = gpu.flops(x.gemm_dtype)
    attn_peak = gpu.flops(x.attn_dtype)
    if best:
        e_gemm, e_attn, e_mem = GEMM_EFFICIENCY_BEST, ATTENTION_EFFICIENCY_BEST, MEMORY_EFFICIENCY_BEST
        e_up, e_out, sm = NVLINK_EFFICIENCY_BEST, RDMA_EFFICIENCY_BEST, 1.0
    else:
        e_gemm = GEMM_EFFICIENCY_MEASURED
        e_attn = 0.0  # per attention part, from its keys per query
        e_mem = MEMORY_EFFICIENCY_BEST
        e_up, e_out = NVLINK_EFFICIENCY, RDMA_EFFICIENCY
        comm = model.is_moe and x.ep > 1
        sm = COMPUTE_SM_SHARE if (comm and x.microbatches >= 2) else 1.0
    linear_t = w.linear_flops / (gemm_peak * e_gemm * sm)
    attn_t = 0.0
    for flops, keys, kind in w.attention_parts:
        # FlashAttention-3's causal curve is indexed by sequence length s, where a query sees
        # (s + 1) / 2 keys on average: look it up at 2 x keys per query.
        eff = e_attn if best else attention_efficiency(2 * keys)
        attn_t += flops / ((attn_peak if kind == "attn" else gpu.flops("fp8")) * eff * sm)
    mem_t = w.weight_bytes_per_microbatch * x.microbatches / x.chunk_tokens / (gpu.hbm_bw * e_mem)
    up_t = w.scale_up_bytes / (gpu.scale_up_bw * e_up)
    out_t = w.scale_out_bytes / (gpu.scale_out_bw * e_out)
    return {"work": w, "linear": linear_t, "attention": attn_t, "compute": linear_t + attn_t,
            "memory": mem_t, "network": max(up_t, out_t), "scale_up": up_t, "scale_out": out_t,
            "expansion": w.expansion_flops / (gemm_peak * e_gemm * sm)}


def prefill_bound(model: ModelConfig, gpu: Accelerator, x: PrefillInputs) -> dict:
    """The prefill bound: computed prompt tokens/s per GPU with every resource at the best
    measured efficiency and perfect overlap, and the resource that binds."""
    t = _times(model, gpu, x, best=True)
    res = {"compute": t["compute"], "memory": t["memory"], "network": t["network"]}
    step = max(res.values())
    return {"tokens_per_s_per_gpu": 1 / step, "binding": max(res, key=res.get), "seconds_per_token": step,
            **{f"{k}_time_s": v for k, v in res.items()}}


def prefill_model(model: ModelConfig, gpu: Accelerator, x: PrefillInputs) -> dict:
    """The estimate before its fitted overhead factor: measured kernel efficiencies, the SM
    split and the micro-batch overlap (``max`` of compute and network with two micro-batches,
    their sum with one)."""
    t = _times(model, gpu, x, best=False)
    compute_side = max(t["compute"], t["memory"])
    if x.microbatches >= 2:
        step = max(compute_side, t["network"])
    else:
        step = compute_side + t["network"]
    parts = {"compute": t["compute"], "memory": t["memory"], "network": t["network"]}
    return {"tokens_per_s_per_gpu": 1 / step, "seconds_per_token": step, "binding": max(parts, key=parts.get),
            "expansion_share": t["expansion"] / t["compute"] if t["compute"] else 0.0, "work": t["work"],
            **{f"{k}_time_s": v for k, v in parts.items()}}


def prefill_estimate(model: ModelConfig, gpu: Accelerator, x: PrefillInputs) -> dict:
    """Computed prompt tokens/s per GPU a deployment should reach: :func:`prefill_model`
    times the overhead factor fitted to measured deployments, with the leave-one-out error
    band of :func:`calc.prefill_validate.fit`."""
    from .prefill_validate import fit

    f = fit()
    m = prefill_model(model, gpu, x)
    overhead = f.overhead[x.routing]
    tps = m["tokens_per_s_per_gpu"] * overhead
    return {**m, "tokens_per_s_per_gpu": tps, "seconds_per_token": 1 / tps, "overhead": overhead,
            "error_band": f.error_band}
