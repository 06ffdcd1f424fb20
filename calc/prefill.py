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

With the experts split by tensor parallelism instead (``moe_parallel="tp"``, SGLang's
``--tp-size 8`` on one node), every GPU holds a slice of every expert: no dispatch, a ring
all-reduce of the hidden state after every MoE layer.

**Time** per computed token: compute (FLOPs over the GPU's peak times a kernel efficiency, as
in the decode bound and estimate: the bound at the boost clock, the estimate at the sustained
one, :meth:`calc.presets.Accelerator.sustained_flops`; each matmul at its own format's peak,
:func:`linear_parts`), memory (weights over HBM bandwidth,
per chunk; weights that do not fit in HBM over the CPU-GPU link, as SGLang's offloading on
GB200 does), network (bytes over link bandwidth).

* *Bound*: every resource at the best efficiency anyone has measured (:mod:`calc.measured`:
  DeepGEMM's 1,550 TFLOPS, FlashAttention-3's 756, FlashMLA's 3,000 GB/s, DeepEP V2's best
  link shares),
  all GPUs' experts perfectly balanced, perfect overlap: ``max(compute, memory, network)``;
  MLA attention in whichever form is cheaper per computed token (absorbed when a long cached
  prefix would otherwise be expanded for few new tokens). No deployment may exceed it.
* *Estimate*: measured per-kernel efficiencies at prefill shapes (DeepGEMM at M = 4,096 on
  H800, and on H20 as Alibaba's InferSim measured it; FP4 matmuls and FP8 attention at the
  speedups SGLang measured on GB200; FlashAttention-3's causal curve, which rises with the
  sequence length), MLA in the expanded form prefill kernels run, compute on the
  108 of 132 SMs left while DeepEP's kernels hold 24, two micro-batches overlapping compute with communication
  (``max``) or one (``sum``), then one overhead factor fitted to measured deployments
  (normalisation, RoPE, quantisation, permutation and routing kernels, launch gaps,
  pipeline bubbles, and for real traffic the uneven load of the experts), one for real
  expert routing and one for balanced load (simulated, or experts split by TP), checked leave-one-out
  (:mod:`calc.prefill_validate`).

Not counted (optimistic, the bound stays a bound): the MTP module's own pass over the
prompt; element-wise kernels; KV-cache writes (under 0.1% of the bytes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from . import measured
from .kv import kv_size
from .expert_traffic import domains_reached, gpus_reached, normal_mode_bytes, touch_probability  # noqa: F401
from .model import ModelConfig
from .presets import Accelerator
from .tight import attention_flops_per_cached_token, expert_bytes_per_param, resident_weight_bytes

# ---- measured kernel and link figures ------------------------------------------------------
# Every figure comes from calc.measured, where it is quoted with its source. Compute
# efficiencies are shares of the GPU's peak at the sustained clock (where they were measured),
# as in the decode bound: the bound applies them to the boost clock's peak, the estimate to the
# sustained one (on an H800, DeepGEMM's 1,550 TFLOPS).

#: DeepSeek-V3's matmuls per MoE layer at prefill size, as DeepGEMM's tables name their shapes
#: (deepseek-ai/DeepGEMM README, 2025-03-25, M = 4,096 "Normal GEMMs" and the contiguous grouped
#: layout): (N, K, uses per token, grouped).
V3_PREFILL_GEMMS = (
    (2112, 7168, 1, False),   # q_a + kv_a projection
    (24576, 1536, 1, False),  # q_b
    (32768, 512, 1, False),   # kv_b (latent -> per-head keys and values)
    (7168, 16384, 1, False),  # o projection
    (4096, 7168, 1, False),   # shared expert gate + up
    (7168, 2048, 1, False),   # shared expert down
    (4096, 7168, 8, True),    # routed experts gate + up (grouped, contiguous)
    (7168, 2048, 8, True),    # routed experts down (grouped, contiguous)
)


def gemm_efficiency_measured() -> float:
    """DeepGEMM's rate at DeepSeek-V3's prefill shapes, weighted by each matmul's FLOPs
    (total FLOPs over total time: 1,267.6 TFLOPS), as a share of the sustained FP8 peak it
    was measured at (1,730): 0.733."""
    flops = sum(n * k * u for n, k, u, _ in V3_PREFILL_GEMMS)
    time = sum(n * k * u / measured.deepgemm_prefill_flops(n, k, g) for n, k, u, g in V3_PREFILL_GEMMS)
    return flops / time / measured.H800_SUSTAINED_FP8


GEMM_EFFICIENCY_MEASURED = gemm_efficiency_measured()


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
    #: "ep": whole experts on each GPU, tokens sent to them (DeepEP normal mode); "tp": a
    #: ``1 / ep`` slice of every expert on every GPU, outputs summed by an all-reduce (SGLang's
    #: ``--tp-size`` without expert parallelism)
    moe_parallel: str = "ep"
    #: number formats of named matmuls where a deployment departs from ``gemm_dtype``:
    #: ``(("o_proj", "fp4"), ...)``, names as :func:`linear_parts` gives them
    linear_dtypes: tuple = ()

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
    278,528, the decode bound's (:func:`calc.tight.attention_flops_per_cached_token`). GQA has
    one form: ``4 x heads x head_dim``."""
    absorbed = attention_flops_per_cached_token(model)
    if model.is_mla:
        mha = 2 * model.num_attention_heads * (model.qk_nope_head_dim + model.qk_rope_head_dim + model.v_head_dim)
        return mha, absorbed
    return absorbed, absorbed



def expert_gemm_dtype(x: PrefillInputs) -> str:
    """The routed experts' matmul format: ``expert_dtype`` where it names a format
    (NVFP4 experts run on FP4 tensor cores), else ``gemm_dtype``."""
    return x.expert_dtype if x.expert_dtype in ("bf16", "fp8", "fp4") else x.gemm_dtype


def linear_parts(model: ModelConfig, x: PrefillInputs) -> tuple[tuple[str, float, str], ...]:
    """FLOPs per computed token of each matmul group, with its number format:
    ``(name, FLOPs, dtype)``. MLA models name their attention projections
    (``q_a`` with ``kv_a``: ``2 h (q_lora + kv_lora + rope)``; ``q_b``: ``2 q_lora heads
    (nope + rope)``; ``kv_b``: ``2 kv_lora heads (nope + v)``; ``o_proj``: ``2 heads v h``, per
    layer); the rest of the dense work (shared experts, dense layers, router) is ``dense``,
    the routed experts ``experts``. Formats are ``gemm_dtype`` unless ``linear_dtypes`` names
    another; the experts take :func:`expert_gemm_dtype`. The parts add up to
    ``2 x (activated parameters - output head)``."""
    b = model.param_breakdown()
    head = b["output_head"] or b["embedding"]
    routed = 2 * model.n_moe_layers * model.num_experts_per_tok * model.expert_params if model.is_moe else 0
    dense = 2 * (model.active_params - head) - routed
    over = dict(x.linear_dtypes)
    parts = []
    if model.is_mla and model.q_lora_rank:
        h, H, L = model.hidden_size, model.num_attention_heads, model.num_hidden_layers
        qk = model.qk_nope_head_dim + model.qk_rope_head_dim
        attn = {
            "attn_a": 2 * h * (model.q_lora_rank + model.kv_lora_rank + model.qk_rope_head_dim) * L,
            "q_b": 2 * model.q_lora_rank * H * qk * L,
            "kv_b": 2 * model.kv_lora_rank * H * (model.qk_nope_head_dim + model.v_head_dim) * L,
            "o_proj": 2 * H * model.v_head_dim * h * L,
        }
        for name, f in attn.items():
            parts.append((name, float(f), over.get(name, x.gemm_dtype)))
        dense -= sum(attn.values())
    parts.append(("dense", float(dense), over.get("dense", x.gemm_dtype)))
    if routed:
        parts.append(("experts", float(routed), over.get("experts", expert_gemm_dtype(x))))
    return tuple(parts)

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
    linear_parts: tuple = ()  # ((name, FLOPs, dtype), ...) per computed token, see linear_parts
    #: MLA attention in the absorbed (MQA) form instead: no expansion of cached latents
    absorbed_attention_flops: float = 0.0

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
    lin = linear_parts(model, x)
    moe_linear = sum(f for name, f, _ in lin if name == "experts")
    dense_linear = sum(f for name, f, _ in lin if name != "experts")

    # attention, per computed token: (FLOPs, keys per query, peak used)
    kv = kv_size(model, x.kv_dtype)
    parts = []
    expansion = absorbed = 0.0
    if model.is_mla and model.index_topk:  # DSA: sparse MQA-mode attention + FP8 indexer over every key
        per_pair = attention_flops_per_pair(model)[1]
        pairs = causal_pairs(cached, P, model.index_topk) / computed
        parts.append((per_pair * pairs * kv.full_layers, pairs, "attn"))
        ipairs = causal_pairs(cached, P) / computed
        parts.append((2 * model.index_n_heads * model.index_head_dim * ipairs * kv.full_layers, ipairs, "fp8"))
    else:
        per_pair, per_pair_absorbed = attention_flops_per_pair(model)
        if model.is_mla:  # MHA mode: 192-wide QK (128 no-RoPE + 64 RoPE), 128-wide V per head
            expansion = (2 * model.kv_lora_rank * model.num_attention_heads
                         * (model.qk_nope_head_dim + model.v_head_dim) * model.num_hidden_layers * cached / computed)
        if kv.full_layers:
            pairs = causal_pairs(cached, P) / computed
            parts.append((per_pair * pairs * kv.full_layers, pairs, "attn"))
            if model.is_mla:
                absorbed = per_pair_absorbed * pairs * kv.full_layers
        if kv.window_layers:
            pairs = causal_pairs(cached, P, kv.window) / computed
            parts.append((per_pair * pairs * kv.window_layers, pairs, "attn"))

    # weights read once per micro-batch of chunk_tokens / microbatches tokens per GPU
    wb = model.weight_bytes()
    other = (wb["attention"] + wb["dense_ffn"] + wb["shared_experts"] + wb["router"] + wb["output_head"]) / x.tp
    experts = 0.0
    if model.is_moe:
        n = model.n_routed_experts
        touched = touch_probability(model, x.chunk_tokens / x.microbatches * x.ep)
        if x.moe_parallel == "tp":  # a 1/ep slice of every expert
            hosted = n / x.ep
        else:
            hosted = math.ceil((n + x.redundant_experts) / x.ep)
        experts = model.n_moe_layers * hosted * touched * model.expert_params * expert_bytes_per_param(
            model, x.expert_dtype)

    # network per computed token: DeepEP's normal kernels in every MoE layer, or with the
    # experts split by TP a ring all-reduce of the layer's output over the ``ep`` GPUs
    up = out = 0.0

    def allreduce(layers: int, group: int) -> None:
        nonlocal up, out
        ar = layers * 2 * (group - 1) / group * group * h * 2
        if group <= gpu.scale_up_domain:
            up += ar
        else:
            out += ar

    if model.is_moe and x.ep > 1:
        if x.moe_parallel == "tp":
            allreduce(model.n_moe_layers, x.ep)
        else:
            up_l, out_l = normal_mode_bytes(model, x.ep, gpu.scale_up_domain, x.gemm_dtype)
            up += model.n_moe_layers * up_l
            out += model.n_moe_layers * out_l
    if x.tp > 1:
        allreduce(model.num_hidden_layers, x.tp)

    return PrefillWork(
        cached_tokens=cached, computed_tokens=computed,
        dense_linear_flops=dense_linear, moe_linear_flops=moe_linear, expansion_flops=expansion,
        attention_parts=tuple(parts), weight_bytes_per_microbatch=other + experts,
        scale_up_bytes=up, scale_out_bytes=out, kv_bytes_per_token=kv.bytes_per_token,
        linear_parts=lin, absorbed_attention_flops=absorbed,
    )


def prefill_weight_bytes_per_gpu(model: ModelConfig, x: PrefillInputs) -> float:
    """Weights one prefill GPU holds (:func:`calc.tight.resident_weight_bytes`): attention,
    dense layers, shared experts, router, embedding and head split over ``tp``; its
    ``ceil((n + redundant) / ep)`` routed experts per MoE layer."""
    return sum(resident_weight_bytes(model, x.ep, x.tp, x.redundant_experts, x.expert_dtype, x.moe_parallel))


def prefill_fits(model: ModelConfig, gpu: Accelerator, x: PrefillInputs) -> bool:
    """The prefill GPU's weights fit in its HBM (activations and the chunk's KV not counted)."""
    return prefill_weight_bytes_per_gpu(model, x) <= gpu.hbm_bytes


# ---- bound and model ---------------------------------------------------------------------------

def gemm_efficiency(gpu: Accelerator) -> float:
    """The estimate's share of the sustained peak for prefill-size matmuls on ``gpu``: measured
    on the H20 itself (InferSim's DeepGEMM runs, :func:`calc.measured.h20_gemm_efficiency`,
    0.88); on AMD GPUs, AMD's own block-scale matmuls at prefill size
    (:func:`calc.measured.aiter_prefill_gemm_efficiency`: 0.26 on the MI355X, 0.30 on the
    MI325X); else DeepGEMM's own H800 figures carried over as a share (0.733)."""
    if gpu.name == "h20":
        return measured.h20_gemm_efficiency()
    if gpu.arch in measured.AITER_PREFILL_GEMM:
        return measured.aiter_prefill_gemm_efficiency(gpu.arch)
    return GEMM_EFFICIENCY_MEASURED


def host_offload_bytes(model: ModelConfig, gpu: Accelerator, x: PrefillInputs) -> float:
    """Weight bytes that do not fit in HBM: at least this much lives in host memory and comes
    back over the CPU-GPU link every forward pass (SGLang's "Scaling Down by Offloading" on
    GB200, LMSYS 2025-09-25). Zero where the weights fit."""
    return max(0.0, prefill_weight_bytes_per_gpu(model, x) - gpu.hbm_bytes)


def _times(model: ModelConfig, gpu: Accelerator, x: PrefillInputs, best: bool) -> dict:
    """Seconds per computed token of each resource on one GPU.

    Matmuls run at their own format's peak (:func:`linear_parts`). The estimate takes the
    measured matmul share (:func:`gemm_efficiency`); FP4 matmuls reach 1.9 / 2 of it and FP8
    attention 1.8 / 2 of the BF16 attention share (the speedups measured on GB200,
    :data:`calc.measured.FP4_GEMM_SPEEDUP`). The bound takes the best shares measured anywhere.

    MLA attention: the estimate counts the expanded (MHA) form the prefill kernels use; the
    bound takes, per computed token, the cheaper of the expanded form (cached latents expanded,
    then 192/128-wide heads) and the absorbed form (576/512-wide heads over the latents, no
    expansion), so that no engine choosing per batch can beat it."""
    w = prefill_work(model, gpu, x)
    # the bound at the boost clock (a GPU kept cooler may hold it), the estimate at the sustained one
    peak = gpu.flops if best else gpu.sustained_flops
    attn_peak = peak(x.attn_dtype)
    e_mem = measured.MEMORY_EFFICIENCY
    if best:
        e_gemm, e_attn = measured.GEMM_EFFICIENCY, measured.PREFILL_ATTENTION_EFFICIENCY_BEST
        if gpu.name == "h20":  # InferSim measured DeepGEMM above the H800's best share on H20
            e_gemm = max(e_gemm, measured.INFERSIM_H20_GEMM_BEST.value / measured.H20_FP8_PEAK)
        e_up, e_out, sm = measured.NVLINK_NORMAL_EFFICIENCY_BEST, measured.RDMA_NORMAL_EFFICIENCY_BEST, 1.0
    else:
        e_gemm = gemm_efficiency(gpu)
        e_attn = 0.0  # per attention part, from its keys per query
        e_up, e_out = measured.NVLINK_NORMAL_EFFICIENCY, measured.RDMA_NORMAL_EFFICIENCY
        comm = model.is_moe and x.ep > 1 and x.moe_parallel == "ep"
        sm = measured.PREFILL_COMPUTE_SM_SHARE if (comm and x.microbatches >= 2) else 1.0

    def gemm_rate(dtype: str) -> float:
        eff = e_gemm
        if not best and dtype == "fp4":
            eff *= measured.FP4_GEMM_SPEEDUP.value / 2
        return peak(dtype) * eff * sm

    def attn_eff(keys: float) -> float:
        # FlashAttention-3's causal curve is indexed by sequence length s, where a query sees
        # (s + 1) / 2 keys on average: look it up at 2 x keys per query.
        if best:
            return e_attn
        eff = measured.prefill_attention_efficiency(2 * keys)
        return eff * measured.FP8_ATTENTION_SPEEDUP.value / 2 if x.attn_dtype == "fp8" else eff

    linear_t = sum(f / gemm_rate(dt) for _, f, dt in w.linear_parts)
    expansion_t = w.expansion_flops / gemm_rate(x.gemm_dtype)
    attn_t = 0.0
    for flops, keys, kind in w.attention_parts:
        attn_t += flops / ((attn_peak if kind == "attn" else peak("fp8")) * attn_eff(keys) * sm)
    form = "expanded" if model.is_mla else ""
    if best and w.absorbed_attention_flops:
        absorbed_t = w.absorbed_attention_flops / (attn_peak * e_attn * sm)
        if absorbed_t < attn_t + expansion_t:
            attn_t, expansion_t, form = absorbed_t, 0.0, "absorbed"
    mem_t = w.weight_bytes_per_microbatch * x.microbatches / x.chunk_tokens / (gpu.hbm_bw * e_mem)
    host_t = 0.0
    if gpu.name in ("gb200", "gb300"):
        host_t = host_offload_bytes(model, gpu, x) * x.microbatches / x.chunk_tokens / measured.GB200_HOST_LINK.value
    up_t = w.scale_up_bytes / (gpu.scale_up_bw * e_up)
    out_t = w.scale_out_bytes / (gpu.scale_out_bw * e_out)
    return {"work": w, "linear": linear_t + expansion_t, "attention": attn_t, "compute": linear_t + expansion_t + attn_t,
            "memory": max(mem_t, host_t), "hbm": mem_t, "host": host_t, "network": max(up_t, out_t),
            "scale_up": up_t, "scale_out": out_t, "expansion": expansion_t, "attention_form": form}


def prefill_bound(model: ModelConfig, gpu: Accelerator, x: PrefillInputs) -> dict:
    """The prefill bound: computed prompt tokens/s per GPU with every resource at the best
    measured efficiency and perfect overlap, and the resource that binds."""
    t = _times(model, gpu, x, best=True)
    res = {"compute": t["compute"], "memory": t["memory"], "network": t["network"]}
    step = max(res.values())
    return {"tokens_per_s_per_gpu": 1 / step, "binding": max(res, key=res.get), "seconds_per_token": step,
            "attention_form": t["attention_form"], **{f"{k}_time_s": v for k, v in res.items()}}


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


def overhead_kind(x: PrefillInputs) -> str:
    """Which fitted overhead factor applies: "balanced" where no GPU waits for a busier one's
    experts (simulated perfect balance, or experts split by TP so that every GPU holds a slice
    of every expert), else "real" (whole experts per GPU under real traffic)."""
    return "balanced" if x.routing == "balanced" or x.moe_parallel == "tp" else "real"


def prefill_estimate(model: ModelConfig, gpu: Accelerator, x: PrefillInputs) -> dict:
    """Computed prompt tokens/s per GPU a deployment should reach: :func:`prefill_model`
    times the overhead factor fitted to measured deployments, with the leave-one-out error
    band of :func:`calc.prefill_validate.fit`."""
    from .prefill_validate import fit

    f = fit()
    m = prefill_model(model, gpu, x)
    overhead = f.overhead[overhead_kind(x)]
    tps = m["tokens_per_s_per_gpu"] * overhead
    return {**m, "tokens_per_s_per_gpu": tps, "seconds_per_token": 1 / tps, "overhead": overhead,
            "error_band": f.error_band}
