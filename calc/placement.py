"""Where the weights go, and what that leaves for KV cache (the seed blog's section 4).

Per GPU, for an expert-parallel degree ``ep`` and an attention tensor-parallel degree ``tp``:

* routed experts per GPU per MoE layer = ceil((n_routed_experts + redundant) / ep);
  their bytes = MoE layers x experts per GPU x params per expert x bytes per parameter;
* everything else (attention, dense FFN layers, shared experts, router, embedding and
  output head) is split over ``tp`` (``tp = 1``: replicated on every GPU, as with DP
  attention);
* KV budget = HBM - reserve - weights; users per GPU = KV budget / KV bytes per user
  (an average, so fractional; never negative);
* every decode step reads all resident weights and all users' KV, so
  steps/s = HBM bandwidth / (weights + users x KV per user) and
  tokens/s per GPU = steps/s x users x accepted tokens per step.

With the KV budget full and no reserve, steps/s is the blog's "full-HBM reads per second"
(HBM bandwidth / HBM capacity: 4.8 TB/s / 141 GB = 34.04 on H200).

The TP-vs-EP communication comparison (blog section 4.2) counts, for one token at one MoE
layer, how many GPUs take part in combining its expert outputs: all ``tp`` GPUs of a TP
group (an all-reduce), but at most ``num_experts_per_tok`` under EP (only the GPUs that
host its chosen experts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .kv import kv_size
from .model import ModelConfig
from .presets import Accelerator


@dataclass(frozen=True)
class Placement:
    routed_experts_per_gpu: int
    expert_weight_bytes_per_gpu: float
    non_expert_weight_bytes_per_gpu: float
    weight_bytes_per_gpu: float
    hbm_bytes: float
    kv_budget_bytes_per_gpu: float
    kv_bytes_per_user: float
    users_per_gpu: float
    bytes_read_per_step: float
    steps_per_s: float
    tokens_per_s_per_gpu: float
    fits: bool


def weights_per_gpu(model: ModelConfig, ep: int, tp: int, redundant_experts: int = 0) -> tuple[int, float, float]:
    """(routed experts per GPU per layer, routed-expert bytes per GPU, other bytes per GPU)."""
    wb = model.weight_bytes()
    if model.is_moe:
        per_gpu = math.ceil((model.n_routed_experts + redundant_experts) / ep)
        expert_bytes = model.n_moe_layers * per_gpu * model.expert_params * model.expert_weight_bytes
    else:
        per_gpu, expert_bytes = 0, 0.0
    other = sum(v for k, v in wb.items() if k != "routed_experts") / tp
    return per_gpu, expert_bytes, other


def place(model: ModelConfig, gpu: Accelerator, seq_len: int, ep: int, tp: int = 1,
          kv_dtype: str = "bf16", accept_length: float = 1.0, reserve_bytes: float = 0.0,
          redundant_experts: int = 0) -> Placement:
    n_exp, exp_b, other_b = weights_per_gpu(model, ep, tp, redundant_experts)
    weights = exp_b + other_b
    per_user = kv_size(model, kv_dtype).bytes_per_user(seq_len)
    budget = gpu.hbm_bytes - reserve_bytes - weights
    users = max(0.0, budget / per_user)
    read = weights + users * per_user
    steps = gpu.hbm_bw / read if read > 0 else 0.0
    return Placement(
        routed_experts_per_gpu=n_exp,
        expert_weight_bytes_per_gpu=exp_b,
        non_expert_weight_bytes_per_gpu=other_b,
        weight_bytes_per_gpu=weights,
        hbm_bytes=gpu.hbm_bytes,
        kv_budget_bytes_per_gpu=max(0.0, budget),
        kv_bytes_per_user=per_user,
        users_per_gpu=users,
        bytes_read_per_step=read,
        steps_per_s=steps,
        tokens_per_s_per_gpu=steps * users * accept_length,
        fits=budget > 0,
    )


@dataclass(frozen=True)
class Reduction:
    gpus_tp: int
    gpus_ep: int
    ratio: float
    tp_bytes_per_token_per_layer: float
    ep_bytes_per_token_per_layer: float
    tp_bytes_per_token: float
    ep_bytes_per_token: float


def reduction_comparison(model: ModelConfig, tp: int, ep: int) -> Reduction:
    """GPUs in one token's MoE reduction, and the bytes sent for it.

    TP: a ring all-reduce of the BF16 hidden state over ``tp`` GPUs sends
    ``2 (tp-1)/tp x hidden x 2 B`` from each GPU, ``4 (tp-1) hidden`` bytes in all.
    EP: the token's hidden state goes to each of its ``k`` experts in FP8 (dispatch,
    1 B per element) and comes back in BF16 (combine, 2 B), ``3 k hidden`` bytes, of
    which the share ``(ep-1)/ep`` leaves the GPU under uniform routing.
    Source of the FP8-dispatch / BF16-combine split: DeepSeek's Day-6 overview.
    """
    k = model.num_experts_per_tok if model.is_moe else 1
    h = model.hidden_size
    gpus_ep = min(k, ep)
    tp_b = 4 * (tp - 1) * h
    ep_b = 3 * k * h * (ep - 1) / ep
    layers = model.n_moe_layers if model.is_moe else model.num_hidden_layers
    return Reduction(
        gpus_tp=tp, gpus_ep=gpus_ep, ratio=tp / gpus_ep,
        tp_bytes_per_token_per_layer=tp_b, ep_bytes_per_token_per_layer=ep_b,
        tp_bytes_per_token=tp_b * layers, ep_bytes_per_token=ep_b * layers,
    )
