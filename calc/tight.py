"""The tight decode bound: weights, compute and network, not just KV reads.

A decode step is described as a list of kernels (:func:`step_work`), each with the HBM
bytes it reads and the FLOPs it does, plus the all-to-all traffic of expert parallelism.
The **bound** (:func:`tight_bound`) adds them up per resource and takes the slowest resource
at the best rate anyone has measured for it (a roofline of the whole step); no schedule,
kernel order or number of micro-batches can beat it. How kernels are sequenced, micro-batched
and overlapped belongs to the estimate (:mod:`calc.estimate`), which times the same kernels
one after another at their typical rates. Per GPU, with ``b`` sequences, ``q`` query tokens
per sequence per step (``q = ceil(accept_length)``: with one MTP draft each step verifies 2
tokens) and ``t = b q`` tokens (one micro-batch: splitting the batch only adds weight reads):

**Bytes read from HBM**

* KV: ``b x KV bytes per user x r``. ``r`` is the KV replication under attention TP: an
  MLA latent is shared by all heads, so every TP rank reads all of it (``r = tp``); GQA
  splits KV heads over ranks (``r = tp / min(tp, kv_heads)``). With DSA (DeepSeek-V3.2)
  attention reads only ``index_topk`` tokens' latents, plus every token's indexer key.
* Attention, dense-layer, shared-expert, router and output-head weights, divided over
  ``tp`` (embedding rows are a lookup and not counted).
* Routed experts: a GPU hosts ``E = ceil((n + redundant) / ep)`` experts per MoE layer
  and reads one only if some token routes to it. With ``T = t x ep`` tokens in the EP
  group, each choosing ``k`` of ``n`` experts, an expert is touched with probability
  ``1 - (1 - k/n)^T``.
* With MTP (``q > 1`` and a model with an MTP module), each of the ``q - 1`` draft passes
  runs the module (projection, one attention + MoE layer, the shared output head) on ``b``
  tokens, reading its weights and its own layer of KV cache.

**FLOPs**: linear layers ``2 x parameters x tokens``; absorbed MLA attention
``2 x heads x (kv_lora + rope + kv_lora)`` per cached token per layer per query token
(278,528 for DeepSeek-V3); GQA ``4 x heads x head_dim``; the DSA indexer
``2 x index_heads x index_dim``.

**Network** (per MoE layer). Decode uses DeepEP's *low-latency* mode (LMSYS 2025-05-05:
normal mode for prefill, low-latency for decode): one message per (token, chosen expert),
``h + h/128 x 4 + 16`` B in FP8 out and ``2 h`` B in BF16 back. Messages to GPUs of another
scale-up domain cross the NIC, those inside it NVLink (DeepEP since 2025-06). *Normal* mode
(prefill) sends one copy per remote node over the NIC and forwards it over NVLink to each GPU
holding one of the token's experts, counted exactly as the prefill model counts it
(:mod:`calc.expert_traffic`). TP
all-reduces (one after attention in every layer, one after each dense feed-forward layer and,
with the experts split by TP, one after each MoE layer): ``2 (p - 1)/p x tokens x h x 2 B`` per
GPU over the link at ``net_efficiency``; bandwidth only in the bound (the estimate adds a
measured latency per call).

**Step time** ``max(memory, compute, network)`` (``overlap = max``, the bound; CUDA-graph
decode runs kernels on more than one stream, e.g. SGLang's shared and routed experts, so no
kernel order can be assumed) or ``memory + compute + network`` (``sum``, nothing overlaps):

* memory ``= all bytes / (HBM bandwidth x mem_efficiency)``: every kernel streams at the best
  HBM rate measured, 3,000 of 3,350 GB/s (FlashMLA), matmuls included;
* compute ``= matmul FLOPs / (peak x compute_efficiency) + attention FLOPs / (peak x
  attn_efficiency)`` at the **boost** clock (someone may run cooler than DeepSeek's throttled
  H800s), with the best shares measured at the clock the kernel ran: 1,550 of 1,730 FP8
  TFLOPS for any matmul, grouped expert matmuls included (DeepGEMM), 660 of 865 BF16 TFLOPS
  in MLA decode attention (FlashMLA);
* network ``= max(NIC bytes / (NIC x 0.92), NVLink bytes / (NVLink x 0.822))``: DeepEP's best
  published RDMA rate at any size, 46 GB/s on a 50 GB/s NIC (low-latency, EP8, first table),
  and its best NVLink rate, 740 of 900 GB/s per direction (V2 normal mode on SM100; 158 of
  200 GB/s on H800). ``link_rates = spec``: both links at ``net_efficiency``.

``kernel_rates = peak`` sets every efficiency to 1. See :mod:`calc.measured` for the quotes.

With weights, compute and network switched off and ``mem_efficiency = 1`` the step reads
``b`` KV caches and the bound is the speed of light exactly, except with attention TP > 1
under MLA and with DSA (which reads only ``index_topk`` latents).

Not counted, all optimistic (the bound stays a bound): kernel launch and synchronisation
gaps; uneven expert load; activations; kernels of one kind reaching less than the best rate
measured for any kernel (decode matmuls read weights at 1,509-2,668 GB/s in DeepGEMM, not
3,000). Because ``q`` query tokens cost work while only ``accept_length`` are kept, MTP can
*lower* throughput once compute or network binds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Callable

from . import measured
from .expert_traffic import normal_mode_bytes, touch_probability
from .kv import kv_size
from .model import ModelConfig
from .presets import Accelerator
from .units import GB, NVFP4_BYTES

H800_NVLINK_PER_DIRECTION = measured.H800_NVLINK_BW  # the link DeepEP's intranode figures were measured on


@dataclass(frozen=True)
class TightInputs:
    seq_len: int
    batch_per_gpu: int
    ep: int = 1
    tp: int = 1
    kv_dtype: str = "bf16"
    accept_length: float = 1.0
    redundant_experts: int = 0
    reserve_bytes: float = 0.0
    mem_efficiency: float = 1.0
    compute_efficiency: float = 1.0
    attn_efficiency: float = 1.0
    net_efficiency: float = 1.0
    overlap: str = "max"
    count_weights: bool = True
    count_compute: bool = True
    count_network: bool = True
    moe_parallel: str = "ep"
    gemm_dtype: str = "fp8"
    attn_dtype: str = "bf16"
    expert_dtype: str = "native"
    micro_batches: int = 1  # the estimate's; the bound takes the whole batch at once
    ep_comm: str = "low_latency"
    link_rates: str = "measured"
    sustained_clock: bool = True  # the estimate's clock; the bound always uses the boost clock
    verify_tokens: int = 0  # tokens verified per sequence per step; 0: ceil(accept_length)
    kernel_rates: str = "measured"  # measured: best measured per kernel kind; peak: every efficiency 1

    @classmethod
    def from_params(cls, p: dict) -> "TightInputs":
        """From schema-named parameters (as :func:`calc.evaluate` passes them): on/off
        switches become booleans, ``hbm_reserve_gb`` becomes ``reserve_bytes``; parameters
        not given keep the defaults above."""
        kw = {f.name: p[f.name] for f in fields(cls) if f.name in p}
        for flag in ("count_weights", "count_compute", "count_network", "sustained_clock"):
            if isinstance(kw.get(flag), str):
                kw[flag] = kw[flag] == "on"
        if "hbm_reserve_gb" in p:
            kw["reserve_bytes"] = p["hbm_reserve_gb"] * GB
        return cls(**kw)


# ---- pieces of the model -------------------------------------------------------------------

def kv_replication(model: ModelConfig, tp: int) -> float:
    heads = 1 if model.is_mla else model.num_key_value_heads
    return tp / min(tp, heads)


def attention_flops_per_cached_token(model: ModelConfig) -> float:
    """FLOPs per cached token, per layer, per query token (absorbed MLA or GQA)."""
    if model.is_mla:
        return 2 * model.num_attention_heads * (2 * model.kv_lora_rank + model.qk_rope_head_dim)
    return 4 * model.num_attention_heads * model.head_dim


def attention_intensity(model: ModelConfig, kv_dtype: str, query_tokens: float = 1) -> float:
    """FLOP per KV byte of decode attention: the blog's open question. DeepSeek-V3 at BF16:
    278,528 / 1,152 = 241.8 FLOP/B."""
    kv = kv_size(model, kv_dtype)
    return attention_flops_per_cached_token(model) * query_tokens / kv.bytes_per_token_per_layer


def expert_bytes_per_param(model: ModelConfig, expert_dtype: str) -> float:
    if expert_dtype == "fp8":
        return 1.0
    if expert_dtype == "fp4":
        return NVFP4_BYTES
    return model.expert_weight_bytes


def attention_split(model: ModelConfig) -> tuple[float, float]:
    """Attention parameters per layer before and after the attention core (norms with the
    first). MLA: ``wq_a``, ``wq_b``, ``wkv_a`` and the key half of ``wkv_b`` (absorbed into
    the query) come before; the value half of ``wkv_b`` and ``wo`` after. GQA: q, k, v
    before, o after. They add up to :attr:`ModelConfig.attention_params_per_layer`."""
    h = model.hidden_size
    total = model.attention_params_per_layer
    if model.is_mla:
        after = model.kv_lora_rank * model.num_attention_heads * model.v_head_dim + model.num_attention_heads * model.v_head_dim * h
    else:
        after = model.num_attention_heads * model.head_dim * h
    return float(total - after), float(after)


def crossover(ridge: float, intensity_one_query: float) -> float | str:
    """Query tokens per step at which attention turns compute bound; below 1 it already is."""
    q = ridge / intensity_one_query
    return q if q >= 1 else "already compute bound"


def query_tokens(x: TightInputs) -> int:
    """Tokens each sequence puts through the model per step: the drafts plus one
    (``verify_tokens``), or ``ceil(accept_length)`` when not given (one draft: 2)."""
    return max(x.verify_tokens, math.ceil(x.accept_length - 1e-9), 1)


def uses_mtp(model: ModelConfig, accept_length: float) -> bool:
    """The model's own MTP module drafts tokens (DeepSeek-V3's one module) when more than
    one token is accepted per step."""
    return bool(model.num_nextn_predict_layers) and accept_length > 1 + 1e-9


def resident_weight_bytes(model: ModelConfig, ep: int, tp: int, redundant_experts: int, expert_dtype: str = "native",
                          moe_parallel: str = "ep") -> tuple[float, float]:
    """(routed-expert bytes, other bytes) one GPU holds (:func:`calc.placement.weights_per_gpu`):
    its ``ceil((n + redundant) / ep)`` experts per MoE layer in ``expert_dtype`` (a ``1 / ep``
    slice of every expert under MoE TP), everything else split over ``tp``. Decode and prefill
    GPUs both hold their weights this way."""
    from .placement import weights_per_gpu

    _, exp_b, other_b = weights_per_gpu(model, ep if moe_parallel == "ep" else 1, tp, redundant_experts)
    if model.is_moe and moe_parallel == "tp":
        exp_b = exp_b / ep
    if model.is_moe and expert_dtype != "native":
        exp_b = exp_b / model.expert_weight_bytes * expert_bytes_per_param(model, expert_dtype)
    return exp_b, other_b


def max_batch(model: ModelConfig, gpu: Accelerator, x: TightInputs) -> float:
    """Sequences per GPU that fit in HBM after weights and reserve. With ``count_weights``
    off the weights take no room either (the blog's assumption that they are tiny). With MTP
    the module's weights and its layer of KV cache take room too."""
    exp_b, other_b = resident_weight_bytes(model, x.ep, x.tp, x.redundant_experts, x.expert_dtype, x.moe_parallel)
    kv = kv_size(model, x.kv_dtype)
    per_user = kv.bytes_per_user(x.seq_len) * kv_replication(model, x.tp)
    mtp_b = 0.0
    if uses_mtp(model, x.accept_length):
        per_user += kv.bytes_per_token_per_layer * x.seq_len * model.num_nextn_predict_layers * kv_replication(model, x.tp)
        mtp_b = _mtp_weight_bytes(model, x)
    weights = (exp_b + other_b + mtp_b) if x.count_weights else 0.0  # off: the blog's "weights are tiny"
    return max(0.0, (gpu.hbm_bytes - x.reserve_bytes - weights) / per_user)


def largest_batch_at_speed(run: Callable[[int], dict], cap: int, tokens_per_s_per_user: float) -> int:
    """The largest batch in ``1 .. cap`` whose ``run(batch)["tokens_per_s_per_user"]`` is still
    at least ``tokens_per_s_per_user``, or 1 if even one sequence is slower. Tokens/s per user
    fall as the batch grows, so a binary search finds it (the bound and the estimate alike)."""
    lo, hi = 1, max(1, cap)
    if run(hi)["tokens_per_s_per_user"] >= tokens_per_s_per_user:
        return hi
    if run(lo)["tokens_per_s_per_user"] < tokens_per_s_per_user:
        return lo
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if run(mid)["tokens_per_s_per_user"] >= tokens_per_s_per_user:
            lo = mid
        else:
            hi = mid
    return lo


def _mtp_weight_bytes(model: ModelConfig, x: TightInputs) -> float:
    """Resident bytes of the MTP modules on one GPU: attention, projection and shared expert
    replicated (divided over TP), routed experts spread over EP like the main layers; the
    head and embedding are shared with the main model."""
    lw = model.linear_weight_bytes
    h = model.hidden_size
    per = (model.attention_params_per_layer + 2 * h * h + 4 * h) * lw / x.tp
    if model.is_moe:
        per += (model.n_shared_experts * model.expert_params + h * model.n_routed_experts) * lw / x.tp
        hosted = math.ceil((model.n_routed_experts + x.redundant_experts) / max(1, x.ep))
        per += hosted * model.expert_params * expert_bytes_per_param(model, x.expert_dtype)
    else:
        per += 3 * h * model.intermediate_size * lw / x.tp
    return per * model.num_nextn_predict_layers


# ---- one decode step as kernels --------------------------------------------------------------

@dataclass(frozen=True)
class Kernel:
    """One kernel of one micro-batch, repeated in ``count`` layers.

    ``kind``: ``attention`` (the attention core), ``gemm`` (a dense matmul at decode size),
    ``grouped_gemm`` (the routed experts). ``stage`` places it in DeepSeek's decode pipeline
    (profile-data decode.jpg): ``attn0`` (projections before the core), ``attn1`` (core,
    output projection, router), ``shared``, ``mlp`` (routed experts), ``dense`` (no
    communication to hide behind), ``head``. ``rows`` is tokens per expert (grouped GEMM).
    ``weight_block``: side of the FP8 weight blocks sharing a scale (DeepSeek's 128), 0 if none."""

    name: str
    kind: str
    stage: str
    count: int
    bytes: float
    flops: float
    dtype: str
    rows: float = 0.0
    weight_bytes: float = 0.0
    kv_bytes: float = 0.0
    weight_block: int = 0


@dataclass(frozen=True)
class Comm:
    """Network work of one micro-batch, repeated in ``count`` layers: seconds per occurrence
    at the measured (or spec x efficiency) rate, split into the part before the experts
    (dispatch) and after them (combine, or an all-reduce), and the bytes behind it."""

    name: str
    count: int
    dispatch_s: float
    combine_s: float
    scale_up_bytes: float
    scale_out_bytes: float
    stage: str = "moe"  # "moe": around the routed experts; "attn" / "dense": attention / dense-FFN TP all-reduce
    allreduce: bool = False  # a TP all-reduce (one call per layer), not an expert all-to-all

    @property
    def seconds(self) -> float:
        return self.dispatch_s + self.combine_s


@dataclass(frozen=True)
class StepWork:
    batch: int
    micro_batches: int
    query_tokens: int
    tokens_per_micro_batch: float
    kernels: tuple[Kernel, ...]
    comms: tuple[Comm, ...]
    experts_touched_per_layer: float
    kv_read_bytes: float  # per step, all micro-batches
    mtp: bool


#: GPU families whose expert all-to-all within one node is timed by MoRI-EP's own benchmark (the
#: MI355X's); other AMD GPUs take DeepEP's line, as no row here runs expert parallelism on them.
MORI_ARCHS = ("cdna4",)
#: Tokens per GPU of DeepEP's published low-latency table (its rates are measured there).
LL_TOKENS_MEASURED = 128


def _ll_reference(gpu: Accelerator, ep: int) -> tuple[int, float]:
    """Which row of DeepEP's H800 low-latency table stands for this GPU and EP size, and how
    much faster this GPU's link is than the H800's behind that row: inside one NVLink domain
    EP8's row and NVLink over H800's 200 GB/s, across domains the row of this EP size and the
    NIC over 50 GB/s."""
    if ep <= gpu.scale_up_domain:
        return 8, gpu.scale_up_bw / H800_NVLINK_PER_DIRECTION
    return ep, gpu.scale_out_bw / measured.DEEPEP_NIC_BW


def bound_link_rates(gpu: Accelerator, x: TightInputs) -> tuple[float, float]:
    """(NVLink, NIC) bytes/s per GPU per direction the bound allows: the best shares DeepEP
    has published at any size and in either mode (0.822 of NVLink, 0.92 of the NIC,
    :mod:`calc.measured`), or with ``link_rates = spec`` the link bandwidth x
    ``net_efficiency``."""
    if x.link_rates == "spec":
        return gpu.scale_up_bw * x.net_efficiency, gpu.scale_out_bw * x.net_efficiency
    return gpu.scale_up_bw * measured.NVLINK_BOUND_SHARE, gpu.scale_out_bw * measured.NIC_BOUND_SHARE


def link_time(gpu: Accelerator, x: TightInputs, up_bytes: float, out_bytes: float) -> float:
    """Seconds the bound allows for these NVLink and NIC bytes: the two links run at once."""
    up_r, out_r = bound_link_rates(gpu, x)
    return max(up_bytes / up_r if up_bytes else 0.0, out_bytes / out_r if out_bytes else 0.0)


def _ep_comm(model: ModelConfig, gpu: Accelerator, x: TightInputs, tokens: float
             ) -> tuple[float, float, float, float]:
    """(dispatch seconds, combine seconds, scale-up bytes, scale-out bytes) of one MoE
    layer's all-to-all for ``tokens`` tokens on one GPU. The seconds are the estimate's, at
    DeepEP's rates for this mode and EP size (never below what the bound allows for the same
    bytes); the bytes are what the bound charges to each link."""
    h, k = model.hidden_size, model.num_experts_per_tok
    if x.ep <= 1 or tokens <= 0:
        return 0.0, 0.0, 0.0, 0.0
    disp_b, comb_b = measured.deepep_message_bytes(h)
    share = disp_b / (disp_b + comb_b)
    d = min(gpu.scale_up_domain, x.ep)
    n_dom = math.ceil(x.ep / d)
    if x.ep_comm == "low_latency":
        # one message per chosen expert: 1/ep stay on this GPU, (d - 1)/ep cross NVLink to the
        # GPU's own domain, the rest cross the NIC
        sel = tokens * k
        up_b = sel * (d - 1) / x.ep * (disp_b + comb_b)
        out_b = sel * (x.ep - d) / x.ep * (disp_b + comb_b)
        floor = link_time(gpu, x, up_b, out_b)
        if x.link_rates != "measured":
            return floor * share, floor * (1 - share), up_b, out_b
        if gpu.arch in MORI_ARCHS and x.ep <= gpu.scale_up_domain:
            # MI355X-class GPUs in one node: MoRI-EP's own measured line (calc.measured.MORI_EP8_V1)
            td, tc = measured.mori_ep8_times(tokens)
        else:
            # a call's cost at no tokens (AIConfigurator), then DeepEP's bytes at the rate its
            # 128-token time leaves beyond that cost, scaled to this GPU's link
            ref_ep, scale = _ll_reference(gpu, x.ep)
            rd, rc = measured.deepep_ll_rates(ref_ep)
            ld, lc = measured.deepep_ll_floor(x.ep, gpu.scale_up_domain)
            t128 = LL_TOKENS_MEASURED * k
            td = ld + max(0.0, t128 * disp_b / rd - ld) / scale * sel / t128
            tc = lc + max(0.0, t128 * comb_b / rc - lc) / scale * sel / t128
        return max(td, floor * share), max(tc, floor * (1 - share)), up_b, out_b
    # normal mode: one copy per remote domain over the NIC, forwarded inside the domain to each
    # GPU holding one of the token's experts, counted as prefill counts it (calc.expert_traffic).
    # The estimate's seconds at DeepEP's normal-mode shares of each link (remote bytes only),
    # never below what the bound allows.
    up_l, out_l = normal_mode_bytes(model, x.ep, gpu.scale_up_domain, x.gemm_dtype)
    up_b, out_b = tokens * up_l, tokens * out_l
    floor = link_time(gpu, x, up_b, out_b)
    secs = floor
    if x.link_rates == "measured":
        secs = max(floor, up_b / (gpu.scale_up_bw * measured.NVLINK_NORMAL_EFFICIENCY),
                   out_b / (gpu.scale_out_bw * measured.RDMA_NORMAL_EFFICIENCY))
    bpe = measured.deepep_normal_bytes_per_element(x.gemm_dtype)
    share = bpe / (bpe + 2.0)  # dispatch's part of each copy; the combine is BF16
    return secs * share, secs * (1 - share), up_b, out_b


def _allreduce(gpu: Accelerator, x: TightInputs, group: int, tokens: float, h: int) -> tuple[float, float, float]:
    """Ring all-reduce of ``tokens`` (per GPU) BF16 hidden states over ``group`` GPUs: (the
    estimate's seconds at ``net_efficiency``, never below the bound's; NVLink bytes; NIC bytes)."""
    if group <= 1 or tokens <= 0:
        return 0.0, 0.0, 0.0
    b = 2 * (group - 1) / group * tokens * group * h * 2
    if group <= gpu.scale_up_domain:
        return max(b / (gpu.scale_up_bw * x.net_efficiency), link_time(gpu, x, b, 0.0)), b, 0.0
    return max(b / (gpu.scale_out_bw * x.net_efficiency), link_time(gpu, x, 0.0, b)), 0.0, b


def step_work(model: ModelConfig, gpu: Accelerator, x: TightInputs, batch: int) -> StepWork:
    """The kernels and network work of one micro-batch of a decode step with ``batch``
    sequences per GPU (see the module docstring for every term)."""
    h = model.hidden_size
    m = max(1, min(x.micro_batches, batch)) if batch > 0 else 1
    q = query_tokens(x)
    seqs = batch / m
    t = seqs * q
    kv = kv_size(model, x.kv_dtype)
    r = kv_replication(model, x.tp)
    lw, ew = model.linear_weight_bytes, model.embedding_weight_bytes
    wgt = 1.0 if x.count_weights else 0.0
    gemm, attn_dt = x.gemm_dtype, x.attn_dtype
    blk = model.weight_block if gemm == "fp8" else 0  # block-scaled FP8 matmuls (not the router or head)

    # KV bytes one sequence reads per full-attention layer, and the tokens attended
    if model.index_topk and x.seq_len > model.index_topk:
        idx_b = model.index_head_dim + 4
        main_b = kv.bytes_per_token_per_layer - idx_b
        kv_per_layer = main_b * model.index_topk + idx_b * x.seq_len
        attended = model.index_topk
    else:
        kv_per_layer = kv.bytes_per_token_per_layer * x.seq_len
        attended = x.seq_len
    apt = attention_flops_per_cached_token(model)

    def attn_flops(tokens: float, ctx: float) -> float:
        f = apt * ctx * tokens
        if model.index_n_heads:
            f += 2 * model.index_n_heads * model.index_head_dim * x.seq_len * tokens
        return f

    a_in, a_out = attention_split(model)
    a_in += 2 * h  # the layer's two norms (counted with attention, as in ModelConfig.param_breakdown)
    kernels: list[Kernel] = []
    comms: list[Comm] = []
    L = model.num_hidden_layers
    full, win = kv.full_layers, kv.window_layers
    n_moe = model.n_moe_layers
    router = h * model.n_routed_experts if model.is_moe else 0

    def attention_layer(name: str, count: int, tokens: float, seqs_: float, kv_bytes_seq: float, ctx: float,
                        router_params: float) -> None:
        kernels.append(Kernel(name + "attn_in", "gemm", "attn0", count, wgt * a_in * lw / x.tp,
                              2 * a_in * tokens, gemm, weight_bytes=wgt * a_in * lw / x.tp, weight_block=blk))
        kvb = seqs_ * kv_bytes_seq * r
        kernels.append(Kernel(name + "attn_core", "attention", "attn1", count, kvb, attn_flops(tokens, ctx),
                              attn_dt, kv_bytes=kvb))
        wb = wgt * (a_out + router_params) * lw / x.tp
        kernels.append(Kernel(name + "attn_out", "gemm", "attn1", count, wb, 2 * (a_out + router_params) * tokens,
                              gemm, weight_bytes=wb, weight_block=blk))

    # attention in every layer (windowed layers read at most `window` tokens)
    if full:
        attention_layer("", full, t, seqs, kv_per_layer, attended, 0)
    if win:
        attention_layer("win_", win, t, seqs, kv.bytes_per_token_per_layer * min(x.seq_len, kv.window),
                        min(x.seq_len, kv.window), 0)
    # router weights sit with the attention output of MoE layers
    if n_moe and router:
        kernels.append(Kernel("router", "gemm", "attn1", n_moe, wgt * router * lw / x.tp, 2 * router * t, gemm,
                              weight_bytes=wgt * router * lw / x.tp))

    experts_touched = 0.0

    def moe_layer(name: str, count: int, tokens: float) -> float:
        """Shared + routed experts and their communication; returns experts touched."""
        touched = 0.0
        if model.n_shared_experts:
            sp = model.n_shared_experts * model.expert_params
            kernels.append(Kernel(name + "shared", "gemm", "shared", count, wgt * sp * lw / x.tp, 2 * sp * tokens,
                                  gemm, weight_bytes=wgt * sp * lw / x.tp, weight_block=blk))
        n, k = model.n_routed_experts, model.num_experts_per_tok
        ebytes = model.expert_params * expert_bytes_per_param(model, x.expert_dtype)
        edt = "fp4" if x.expert_dtype == "fp4" else gemm
        group_tokens = tokens * x.ep
        p_touch = touch_probability(model, group_tokens)
        flops = 2 * model.expert_params * k * tokens
        if x.moe_parallel == "ep":
            hosted = math.ceil((n + x.redundant_experts) / x.ep)
            touched = hosted * p_touch
            rows = tokens * k * x.ep / (n + x.redundant_experts)
            wb = wgt * touched * ebytes
            kernels.append(Kernel(name + "experts", "grouped_gemm", "mlp", count, wb, flops, edt, rows=rows,
                                  weight_bytes=wb))
            if x.count_network:
                ds, cs, up, out = _ep_comm(model, gpu, x, tokens)
                comms.append(Comm(name + "dispatch+combine", count, ds, cs, up, out))
        else:
            touched = n * p_touch
            rows = tokens * x.ep * k / n
            wb = wgt * touched * ebytes / x.ep
            kernels.append(Kernel(name + "experts", "grouped_gemm", "mlp", count, wb, flops, edt, rows=rows,
                                  weight_bytes=wb))
            if x.count_network:
                secs, up, out = _allreduce(gpu, x, x.ep, tokens, h)
                comms.append(Comm(name + "all-reduce (MoE TP)", count, 0.0, secs, up, out, allreduce=True))
        return touched

    if model.is_moe and n_moe:
        experts_touched = moe_layer("", n_moe, t)
    dense_layers = L - n_moe
    if dense_layers:
        fp = 3 * h * model.intermediate_size
        kernels.append(Kernel("dense_ffn", "gemm", "dense", dense_layers, wgt * fp * lw / x.tp, 2 * fp * t, gemm,
                              weight_bytes=wgt * fp * lw / x.tp, weight_block=blk))
        if x.tp > 1 and x.count_network:  # the FFN's output, split over the TP GPUs, is summed
            secs, up, out = _allreduce(gpu, x, x.tp, t, h)
            comms.append(Comm("all-reduce (dense FFN TP)", dense_layers, 0.0, secs, up, out, stage="dense",
                              allreduce=True))
    if x.tp > 1 and x.count_network:
        secs, up, out = _allreduce(gpu, x, x.tp, t, h)
        comms.append(Comm("all-reduce (attention TP)", L, 0.0, secs, up, out, stage="attn", allreduce=True))
    head_p = model.vocab_size * h
    head_b = wgt * (head_p * ew + h * lw) / x.tp  # output head and the final norm
    kernels.append(Kernel("head", "gemm", "head", 1, head_b, 2 * (head_p + h) * t, gemm, weight_bytes=head_b))

    # MTP draft passes: q - 1 passes of the module over one token per sequence
    mtp = uses_mtp(model, x.accept_length)
    if mtp:
        passes = (q - 1) * model.num_nextn_predict_layers
        proj = 2 * h * h
        kernels.append(Kernel("mtp_proj", "gemm", "attn0", passes, wgt * proj * lw / x.tp, 2 * proj * seqs, gemm,
                              weight_bytes=wgt * proj * lw / x.tp, weight_block=blk))
        attention_layer("mtp_", passes, seqs, seqs, kv.bytes_per_token_per_layer * x.seq_len, x.seq_len, router)
        if model.is_moe:
            moe_layer("mtp_", passes, seqs)
        else:
            fp = 3 * h * model.intermediate_size
            kernels.append(Kernel("mtp_ffn", "gemm", "dense", passes, wgt * fp * lw / x.tp, 2 * fp * seqs, gemm,
                                  weight_bytes=wgt * fp * lw / x.tp, weight_block=blk))
        kernels.append(Kernel("mtp_head", "gemm", "head", passes, wgt * head_p * ew / x.tp, 2 * head_p * seqs, gemm,
                              weight_bytes=wgt * head_p * ew / x.tp))
    kv_read = m * sum(kk.kv_bytes * kk.count for kk in kernels)
    return StepWork(batch=batch, micro_batches=m, query_tokens=q, tokens_per_micro_batch=t, kernels=tuple(kernels),
                    comms=tuple(comms), experts_touched_per_layer=experts_touched, kv_read_bytes=kv_read, mtp=mtp)


def peak_for(gpu: Accelerator, dtype: str, sustained: bool) -> float:
    return gpu.sustained_flops(dtype) if sustained else gpu.flops(dtype)


def best_rates(k: Kernel, x: TightInputs) -> tuple[float, float]:
    """(memory, compute) efficiency the bound allows a kernel: every kernel streams HBM at
    ``mem_efficiency`` (the best rate measured for any kernel, FlashMLA's 3,000 of 3,350
    GB/s); attention computes at ``attn_efficiency`` (FlashMLA, 660 of 865 TFLOPS), every
    matmul, grouped or not, at ``compute_efficiency`` (DeepGEMM, 1,550 of 1,730 TFLOPS).
    ``kernel_rates = peak``: all 1."""
    if x.kernel_rates == "peak":
        return 1.0, 1.0
    if k.kind == "attention":
        return x.mem_efficiency, x.attn_efficiency
    return x.mem_efficiency, x.compute_efficiency


def roofline(k: Kernel, gpu: Accelerator, x: TightInputs, mem_eff: float, comp_eff: float,
             sustained: bool = False) -> tuple[float, float]:
    """(memory seconds, compute seconds) of one occurrence of ``k`` (at the boost clock unless
    ``sustained``)."""
    tm = k.bytes / (gpu.hbm_bw * mem_eff)
    tc = k.flops / (peak_for(gpu, k.dtype, sustained) * comp_eff) if (x.count_compute and k.flops) else 0.0
    return tm, tc


def tight_bound(model: ModelConfig, gpu: Accelerator, x: TightInputs) -> dict:
    """The bound: the step takes at least as long as its slowest resource, each at the best
    rate measured for it at the boost clock: ``max(memory, compute, network)`` (``overlap =
    max``; ``sum``: one after another). The whole batch is one micro-batch (more only add
    weight reads), so ``micro_batches`` and ``sustained_clock`` do not change it: they belong
    to the estimate."""
    x1 = replace(x, micro_batches=1)
    cap = max_batch(model, gpu, x1)
    b = min(x.batch_per_gpu, math.floor(cap))
    capped = x.batch_per_gpu > b
    w = step_work(model, gpu, x1, max(b, 0))
    ks = w.kernels if b > 0 else ()

    def tot(attr: str, pred=lambda k: True) -> float:
        return sum(getattr(k, attr) * k.count for k in ks if pred(k))

    mem_bytes = tot("bytes")
    weights_read = tot("weight_bytes")
    expert_w = tot("weight_bytes", lambda k: k.kind == "grouped_gemm" and not k.name.startswith("mtp_"))
    mtp_w = tot("weight_bytes", lambda k: k.name.startswith("mtp_"))
    kv_read = w.kv_read_bytes if b > 0 else 0.0
    attn_flops = tot("flops", lambda k: k.kind == "attention")
    linear_flops = tot("flops", lambda k: k.kind != "attention")
    mtp_flops = tot("flops", lambda k: k.name.startswith("mtp_"))
    comms = w.comms if (b > 0 and x.count_network) else ()
    up_bytes = sum(c.scale_up_bytes * c.count for c in comms)
    out_bytes = sum(c.scale_out_bytes * c.count for c in comms)

    mem_t = comp_t = attn_t = 0.0
    for k in ks:
        me, ce = best_rates(k, x)
        tm, tc = roofline(k, gpu, x, me, ce)
        mem_t += k.count * tm
        comp_t += k.count * tc
        if k.kind == "attention":
            attn_t += k.count * tc
    net_t = link_time(gpu, x, up_bytes, out_bytes)
    times = {"memory": mem_t, "compute": comp_t, "network": net_t}
    t_max = max(times.values())
    t_sum = sum(times.values())
    step = t_max if x.overlap == "max" else t_sum
    binding = "capacity" if b <= 0 else max(times, key=lambda r: times[r])
    acc = x.accept_length
    return {
        "batch_per_gpu": b,
        "max_batch_per_gpu": cap,
        "batch_capped": capped,
        "query_tokens_per_step": w.query_tokens,
        "kv_read_bytes": kv_read,
        "weight_read_bytes": weights_read,
        "expert_weight_read_bytes": expert_w,
        "mtp_weight_read_bytes": mtp_w,
        "experts_touched_per_layer": w.experts_touched_per_layer,
        "memory_bytes": mem_bytes,
        "linear_flops": linear_flops,
        "attention_flops": attn_flops,
        "mtp_flops": mtp_flops,
        "scale_up_bytes": up_bytes,
        "scale_out_bytes": out_bytes,
        "memory_time_s": mem_t,
        "compute_time_s": comp_t,
        "attention_compute_time_s": attn_t,
        "network_time_s": net_t,
        "step_time_s": step,
        "step_time_max_s": t_max,
        "step_time_sum_s": t_sum,
        "tokens_per_s_per_gpu": b * acc / step if step > 0 else 0.0,
        "tokens_per_s_per_gpu_max": b * acc / t_max if t_max > 0 else 0.0,
        "tokens_per_s_per_gpu_sum": b * acc / t_sum if t_sum > 0 else 0.0,
        "tokens_per_s_per_user": acc / step if step > 0 else 0.0,
        "binding": binding,
    }


def attention_bound(model: ModelConfig, gpu: Accelerator, kv_dtype: str, query_tokens: int, attn_dtype: str,
                    mem_efficiency: float, attn_efficiency: float, sustained: bool = True) -> dict:
    """Is decode attention limited by memory or by arithmetic *in practice*? Compare the
    attention's FLOP per KV byte with the ridge at the rates kernels reach in practice: the
    FLOP/s the attention kernel reaches (peak at the sustained clock x ``attn_efficiency``)
    over the bytes/s it reads (HBM bandwidth x ``mem_efficiency``). On an H800 with FlashMLA's
    measured rates (660 TFLOPS, 3,000 GB/s) that ridge is 220 FLOP/B: BF16 MLA at 241.8 FLOP/B
    is compute bound, as DeepSeek says. ``attn_bound_peak`` answers the other question, at the
    spec sheet's peak FLOP/s and bandwidth (ridge 295: memory bound); the two answers are for
    two different cases and are always reported as such. The tight bound uses neither: it
    charges memory and compute time separately at the boost clock."""
    peak = peak_for(gpu, attn_dtype, sustained)
    ridge = peak * attn_efficiency / (gpu.hbm_bw * mem_efficiency)
    ridge_peak = gpu.flops(attn_dtype) / gpu.hbm_bw
    inten = attention_intensity(model, kv_dtype, query_tokens)
    return {
        "attn_intensity": inten,
        "ridge": ridge,
        "ridge_peak": ridge_peak,
        "ridge_sustained": gpu.sustained_flops(attn_dtype) / gpu.hbm_bw,
        "attn_bound": "compute" if inten > ridge else "memory",
        "attn_bound_peak": "compute" if inten > ridge_peak else "memory",
        "mtp_crossover_accept_length": crossover(ridge, attention_intensity(model, kv_dtype, 1)),
    }
