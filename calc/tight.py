"""A tighter decode bound: weights, compute and network, not just KV reads.

Per GPU and per decode step, with ``b`` sequences per GPU, ``q`` query tokens per
sequence per step (``q = ceil(accept_length)``: with one MTP draft each step verifies 2
tokens) and ``t = b q`` tokens:

**Bytes read from HBM**

* KV: ``b x KV bytes per user x r``. ``r`` is the KV replication under attention TP: an
  MLA latent is shared by all heads, so every TP rank reads all of it (``r = tp``); GQA
  splits KV heads over ranks (``r = tp / min(tp, kv_heads)``). With DSA (DeepSeek-V3.2)
  attention reads only ``index_topk`` tokens' latents, plus every token's indexer key.
* Attention, dense-layer, shared-expert, router and output-head weights: all read once per
  step, divided over ``tp`` (embedding rows are a lookup and not counted).
* Routed experts: a GPU hosts ``E = ceil((n + redundant) / ep)`` experts per MoE layer
  and reads one only if some token in the step routes to it. With ``T = t x ep`` tokens in
  the EP group, each choosing ``k`` of ``n`` experts, an expert is touched with probability
  ``1 - (1 - k/n)^T``.

**FLOPs**

* Linear layers: ``2 x activated parameters x t``.
* Absorbed MLA attention: per cached token per layer per query token
  ``2 x heads x (kv_lora + rope + kv_lora)`` (QK over the 576-wide latent, then AV over the
  512-wide latent): 278,528 for DeepSeek-V3. GQA: ``4 x heads x head_dim``. The DSA
  indexer adds ``2 x index_heads x index_dim`` per cached token.

**Network** (per MoE layer, per GPU)

* EP: each token's hidden state goes to its ``k`` experts in FP8 (1 B per element) and
  comes back in BF16 (2 B): ``3 h`` bytes per destination. Within the scale-up domain of
  ``D`` GPUs, a share ``1 - 1/D`` of destinations crosses NVLink. Across ``N`` domains,
  a token reaches ``N (1 - (1 - 1/N)^k)`` domains on average (capped under node-limited
  routing, see :func:`_expected_domains`) and sends each remote one a single copy over the NIC.
* MoE TP and attention TP: a ring all-reduce of the BF16 hidden state,
  ``2 (p - 1) / p x tokens x h x 2 B`` per GPU per all-reduce.

**Step time**: memory ``bytes / (HBM bandwidth x mem_efficiency)``, compute
``FLOPs / (peak x compute_efficiency)``, network ``bytes / (link x net_efficiency)``;
``max`` (perfect overlap) or ``sum`` (none). Tokens/s per GPU ``= b x accept_length /
step``, per user ``= accept_length / step``.

With weights, compute and network switched off and ``mem_efficiency = 1``, the step reads
``b`` KV caches and the bound is HBM bandwidth / KV bytes per user x accept_length: the
speed-of-light figure exactly, with two exceptions: attention TP > 1 with MLA (every rank
reads the whole latent) and DSA (DeepSeek-V3.2 reads only ``index_topk`` latents, which the
dense speed of light does not know).

Not counted, all optimistic (the bound stays a bound): the MTP draft module's own weights and
FLOPs; kernel launch and synchronisation overheads; uneven expert load; one
``compute_efficiency`` covers every matmul and attention. Because ``q = ceil(accept_length)``
query tokens cost work while only ``accept_length`` are kept, MTP can *lower* throughput once
compute binds.

Default efficiencies: FlashMLA reaches 3,000 GB/s of H800's 3,350 memory-bound and
DeepGEMM 1,350+ of 1,979 FP8 TFLOPS (deepseek-ai/open-infra-index README).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from .kv import kv_size
from .model import ModelConfig
from .presets import Accelerator
from .units import GB

NVFP4_BYTES = 4.5 / 8  # 4-bit values + one FP8 scale per 16


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
    net_efficiency: float = 1.0
    overlap: str = "max"
    count_weights: bool = True
    count_compute: bool = True
    count_network: bool = True
    moe_parallel: str = "ep"
    gemm_dtype: str = "fp8"
    attn_dtype: str = "bf16"
    expert_dtype: str = "native"

    @classmethod
    def from_params(cls, p: dict) -> "TightInputs":
        """From schema-named parameters (as :func:`calc.evaluate` passes them): on/off
        switches become booleans, ``hbm_reserve_gb`` becomes ``reserve_bytes``; parameters
        not given keep the defaults above."""
        kw = {f.name: p[f.name] for f in fields(cls) if f.name in p}
        for flag in ("count_weights", "count_compute", "count_network"):
            if isinstance(kw.get(flag), str):
                kw[flag] = kw[flag] == "on"
        if "hbm_reserve_gb" in p:
            kw["reserve_bytes"] = p["hbm_reserve_gb"] * GB
        return cls(**kw)


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
    278,528 / 1,152 = 241.8 FLOP/B against an H800 ridge of 989 / 3.35 = 295 FLOP/B."""
    kv = kv_size(model, kv_dtype)
    return attention_flops_per_cached_token(model) * query_tokens / kv.bytes_per_token_per_layer


def expert_bytes_per_param(model: ModelConfig, expert_dtype: str) -> float:
    if expert_dtype == "fp8":
        return 1.0
    if expert_dtype == "fp4":
        return NVFP4_BYTES
    return model.expert_weight_bytes


def _expected_domains(n_domains: int, k: int, n_group: int, topk_group: int) -> float:
    """Scale-up domains one token's ``k`` experts land in, on average, under uniform routing:
    ``N (1 - (1 - 1/N)^k)``. Node-limited routing (``n_group > 1``) lets a token use only
    ``topk_group`` of the ``n_group`` expert groups; a group spans ``ceil(N / n_group)``
    domains, so the token reaches at most ``topk_group x ceil(N / n_group)`` of them
    (DeepSeek-V3: 4 groups; at EP64 on 8-GPU nodes, 4 nodes). ``n_group <= 1`` means no
    grouping and no limit (Kimi K2, DeepSeek-V2-Lite)."""
    if n_domains <= 1:
        return 1.0
    reach = n_domains * (1 - (1 - 1 / n_domains) ** k)
    if n_group > 1 and topk_group:
        reach = min(reach, topk_group * math.ceil(n_domains / n_group))
    return reach


def crossover(ridge: float, intensity_one_query: float) -> float | str:
    """Query tokens per step at which attention turns compute bound; below 1 it already is."""
    q = ridge / intensity_one_query
    return q if q >= 1 else "already compute bound"


def max_batch(model: ModelConfig, gpu: Accelerator, x: TightInputs) -> float:
    """Sequences per GPU that fit in HBM after weights and reserve. With ``count_weights``
    off the weights take no room either (the blog's assumption that they are tiny)."""
    from .placement import weights_per_gpu

    _, exp_b, other_b = weights_per_gpu(model, x.ep if x.moe_parallel == "ep" else 1, x.tp, x.redundant_experts)
    if model.is_moe and x.moe_parallel == "tp":
        exp_b = exp_b / x.ep
    if model.is_moe and x.expert_dtype != "native":
        exp_b = exp_b / model.expert_weight_bytes * expert_bytes_per_param(model, x.expert_dtype)
    per_user = kv_size(model, x.kv_dtype).bytes_per_user(x.seq_len) * kv_replication(model, x.tp)
    weights = (exp_b + other_b) if x.count_weights else 0.0  # switched off: the blog's "weights are tiny"
    return max(0.0, (gpu.hbm_bytes - x.reserve_bytes - weights) / per_user)


def tight_bound(model: ModelConfig, gpu: Accelerator, x: TightInputs) -> dict:
    h = model.hidden_size
    cap = max_batch(model, gpu, x)
    b = min(x.batch_per_gpu, math.floor(cap))
    capped = x.batch_per_gpu > b
    q = math.ceil(x.accept_length - 1e-9)
    t = b * q
    kv = kv_size(model, x.kv_dtype)
    r = kv_replication(model, x.tp)

    # ---- bytes --------------------------------------------------------------------
    if model.index_topk and x.seq_len > model.index_topk:
        idx_b = model.index_head_dim + 4
        main_b = kv.bytes_per_token_per_layer - idx_b
        kv_user_read = (main_b * model.index_topk + idx_b * x.seq_len) * kv.full_layers
        attended = model.index_topk
    else:
        kv_user_read = kv.bytes_per_user(x.seq_len)
        attended = x.seq_len
    kv_read = b * kv_user_read * r
    wb = model.weight_bytes()
    other_w = (wb["attention"] + wb["dense_ffn"] + wb["shared_experts"] + wb["router"] + wb["output_head"]) / x.tp
    expert_w = 0.0
    experts_touched = 0.0
    if model.is_moe and b > 0:
        ebytes = model.expert_params * expert_bytes_per_param(model, x.expert_dtype)
        n, k = model.n_routed_experts, model.num_experts_per_tok
        if x.moe_parallel == "ep":
            hosted = math.ceil((n + x.redundant_experts) / x.ep)
            group_tokens = t * x.ep
            # a redundant copy splits its expert's tokens; count each hosted copy as one expert
            p_touch = 1 - (1 - k / n) ** group_tokens
            experts_touched = hosted * p_touch
            expert_w = model.n_moe_layers * experts_touched * ebytes
        else:  # every GPU holds 1/ep of every expert, reads the slices of touched experts
            group_tokens = t * x.ep
            p_touch = 1 - (1 - k / n) ** group_tokens
            experts_touched = n * p_touch
            expert_w = model.n_moe_layers * experts_touched * ebytes / x.ep
    weights_read = (other_w + expert_w) if (x.count_weights and b > 0) else 0.0
    mem_bytes = kv_read + weights_read

    # ---- FLOPs ----------------------------------------------------------------------
    linear_flops = 2 * model.active_params * t
    attn_per_tok = attention_flops_per_cached_token(model)
    attn_flops = attn_per_tok * attended * kv.full_layers * t
    attn_flops += attn_per_tok * min(x.seq_len, kv.window) * kv.window_layers * t
    if model.index_n_heads:
        attn_flops += 2 * model.index_n_heads * model.index_head_dim * x.seq_len * kv.full_layers * t
    gemm_peak = gpu.flops(x.gemm_dtype)
    attn_peak = gpu.flops(x.attn_dtype)

    # ---- network --------------------------------------------------------------------
    up_bytes = out_bytes = 0.0
    moe_layers = model.n_moe_layers
    if model.is_moe and b > 0:
        k = model.num_experts_per_tok
        if x.moe_parallel == "ep" and x.ep > 1:
            d = min(gpu.scale_up_domain, x.ep)
            n_dom = math.ceil(x.ep / d)
            up_bytes += moe_layers * t * k * (1 - 1 / d) * 3 * h
            if n_dom > 1:
                reach = _expected_domains(n_dom, k, model.n_group, model.topk_group)
                out_bytes += moe_layers * t * reach * (n_dom - 1) / n_dom * 3 * h
        elif x.moe_parallel == "tp" and x.ep > 1:
            ar = moe_layers * 2 * (x.ep - 1) / x.ep * (t * x.ep) * h * 2
            if x.ep <= gpu.scale_up_domain:
                up_bytes += ar
            else:
                out_bytes += ar
    if x.tp > 1 and b > 0:
        ar = model.num_hidden_layers * 2 * (x.tp - 1) / x.tp * (t * x.tp) * h * 2
        if x.tp <= gpu.scale_up_domain:
            up_bytes += ar
        else:
            out_bytes += ar

    mem_t = mem_bytes / (gpu.hbm_bw * x.mem_efficiency)
    comp_t = (linear_flops / (gemm_peak * x.compute_efficiency) + attn_flops / (attn_peak * x.compute_efficiency)
              if x.count_compute else 0.0)
    net_t = (max(up_bytes / (gpu.scale_up_bw * x.net_efficiency),
                 out_bytes / (gpu.scale_out_bw * x.net_efficiency)) if x.count_network else 0.0)
    times = {"memory": mem_t, "compute": comp_t, "network": net_t}
    t_max = max(times.values())
    t_sum = sum(times.values())
    step = t_max if x.overlap == "max" else t_sum
    binding = max(times, key=lambda k_: times[k_]) if b > 0 else "capacity"
    tps_gpu = b * x.accept_length / step if step > 0 else 0.0
    tps_user = x.accept_length / step if step > 0 else 0.0
    intensity = attention_intensity(model, x.kv_dtype, q)
    ridge = attn_peak / gpu.hbm_bw
    return {
        "batch_per_gpu": b,
        "max_batch_per_gpu": cap,
        "batch_capped": capped,
        "query_tokens_per_step": q,
        "kv_read_bytes": kv_read,
        "weight_read_bytes": weights_read,
        "expert_weight_read_bytes": expert_w if x.count_weights else 0.0,
        "experts_touched_per_layer": experts_touched,
        "memory_bytes": mem_bytes,
        "linear_flops": linear_flops,
        "attention_flops": attn_flops,
        "scale_up_bytes": up_bytes,
        "scale_out_bytes": out_bytes,
        "memory_time_s": mem_t,
        "compute_time_s": comp_t,
        "network_time_s": net_t,
        "step_time_s": step,
        "step_time_max_s": t_max,
        "step_time_sum_s": t_sum,
        "tokens_per_s_per_gpu": tps_gpu,
        "tokens_per_s_per_gpu_max": b * x.accept_length / t_max if t_max > 0 else 0.0,
        "tokens_per_s_per_gpu_sum": b * x.accept_length / t_sum if t_sum > 0 else 0.0,
        "tokens_per_s_per_user": tps_user,
        "binding": binding,
        "attn_intensity": intensity,
        "ridge": ridge,
        "attn_bound": "compute" if intensity > ridge else "memory",
        "mtp_crossover_accept_length": crossover(ridge, attention_intensity(model, x.kv_dtype, 1)),
    }
