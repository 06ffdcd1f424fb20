"""Speed-of-light decode throughput (the seed blog's section 3).

Assume each decode step reads every user's KV cache from HBM once and nothing else
(weights, compute and network are free). Then one GPU can serve

    tokens/s per GPU = HBM bandwidth / KV bytes per user * accepted tokens per step

because HBM bandwidth / KV bytes per user is the number of user-steps per second, and
every step emits ``accept_length`` tokens (1 without Multi-Token Prediction). FP8 KV halves
the bytes per user and so doubles the bound.

Worked example (DeepSeek-V3 on H800, 5,000 tokens, BF16 KV): 3.35e12 / 351.36e6 = 9,534
tokens/s per GPU. The blog's 10,030 uses 334 MB per user (see :mod:`calc.blog`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .cost import DeepSeekDay
from .kv import kv_size
from .model import ModelConfig
from .presets import Accelerator

#: DeepSeek's measured decode throughput: 14.8k output tokens/s per H800 node of 8 GPUs,
#: a 24-hour average (open-infra-index, Day-6 overview, 2025-03-01; :class:`calc.cost.DeepSeekDay`).
DEEPSEEK_DECODE_TOKENS_PER_S_PER_NODE = DeepSeekDay().decode_tokens_per_s_per_node
DEEPSEEK_GPUS_PER_NODE = DeepSeekDay().gpus_per_node
DEEPSEEK_MEASURED_TOKENS_PER_S_PER_GPU = DEEPSEEK_DECODE_TOKENS_PER_S_PER_NODE / DEEPSEEK_GPUS_PER_NODE


@dataclass(frozen=True)
class SpeedOfLight:
    kv_bytes_per_token: float
    kv_bytes_per_user: float
    hbm_bw: float
    user_steps_per_s: float
    tokens_per_s_per_gpu: float


def speed_of_light(model: ModelConfig, gpu: Accelerator, seq_len: int, kv_dtype: str = "bf16",
                   accept_length: float = 1.0) -> SpeedOfLight:
    kv = kv_size(model, kv_dtype)
    per_user = kv.bytes_per_user(seq_len)
    steps = gpu.hbm_bw / per_user
    return SpeedOfLight(
        kv_bytes_per_token=kv.bytes_per_token,
        kv_bytes_per_user=per_user,
        hbm_bw=gpu.hbm_bw,
        user_steps_per_s=steps,
        tokens_per_s_per_gpu=steps * accept_length,
    )
