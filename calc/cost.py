"""Cost per million output tokens, and DeepSeek's published day recomputed.

    USD per million tokens = GPU-hour price / (tokens/s per GPU x 3,600) x 10**6

Worked example: 1,850 tokens/s per H800 at $2 per GPU-hour (DeepSeek's own price,
V3 technical report section 1) gives $0.30 per million output tokens.

DeepSeek's day (open-infra-index, Day-6 overview, 2025-02-27/28): 226.75 nodes of 8 H800
on average at $2 per GPU-hour cost $87,072; 608 B input tokens (342 B of them cache hits)
and 168 B output tokens at R1 prices ($0.14 / $0.55 per million input, hit / miss;
$2.19 per million output) would bring $562,027, a 545% cost profit margin.
"""

from __future__ import annotations

from dataclasses import dataclass

from .units import MILLION, SECONDS_PER_DAY, SECONDS_PER_HOUR


def usd_per_million_tokens(tokens_per_s_per_gpu: float, gpu_hour_usd: float) -> float:
    return gpu_hour_usd / (tokens_per_s_per_gpu * SECONDS_PER_HOUR) * MILLION


@dataclass(frozen=True)
class DeepSeekDay:
    """Published inputs of DeepSeek's 24-hour figures (Day-6 overview)."""

    avg_nodes: float = 226.75
    peak_nodes: int = 278
    gpus_per_node: int = 8
    hours: float = 24
    input_tokens: float = 608e9
    cache_hit_tokens: float = 342e9
    output_tokens: float = 168e9
    usd_per_m_hit: float = 0.14
    usd_per_m_miss: float = 0.55
    usd_per_m_output: float = 2.19
    published_cost_usd: float = 87_072
    published_revenue_usd: float = 562_027
    published_margin: float = 5.45  # "545%"
    prefill_tokens_per_s_per_node: float = 73_700
    decode_tokens_per_s_per_node: float = 14_800


def deepseek_day(gpu_hour_usd: float = 2.0, d: DeepSeekDay = DeepSeekDay()) -> dict[str, float]:
    """DeepSeek's day recomputed from its inputs.

    The revenue recomputed from the rounded token counts (608 B, 342 B, 168 B) is
    $562,100, $73 above the published $562,027: the published counts are rounded to
    the nearest billion. The margin uses the published revenue.
    """
    gpus = d.avg_nodes * d.gpus_per_node
    cost = gpus * gpu_hour_usd * d.hours
    miss = d.input_tokens - d.cache_hit_tokens
    revenue = (d.cache_hit_tokens * d.usd_per_m_hit + miss * d.usd_per_m_miss
               + d.output_tokens * d.usd_per_m_output) / MILLION
    seconds = d.hours * 3600
    decode_nodes = d.output_tokens / seconds / d.decode_tokens_per_s_per_node
    prefill_nodes = d.input_tokens / seconds / d.prefill_tokens_per_s_per_node
    decode_per_gpu = d.decode_tokens_per_s_per_node / d.gpus_per_node
    return {
        "avg_nodes": d.avg_nodes,
        "input_tokens_per_day": d.input_tokens,
        "cache_hit_tokens_per_day": d.cache_hit_tokens,
        "gpus": gpus,
        "daily_cost_usd": cost,
        "published_cost_usd": d.published_cost_usd,
        "revenue_recomputed_usd": revenue,
        "published_revenue_usd": d.published_revenue_usd,
        "margin": (d.published_revenue_usd - cost) / cost,
        "margin_recomputed": (revenue - cost) / cost,
        "published_margin": d.published_margin,
        "cache_hit_share": d.cache_hit_tokens / d.input_tokens,
        "decode_nodes": decode_nodes,
        "prefill_nodes": prefill_nodes,
        "nodes_check": decode_nodes + prefill_nodes,
        "decode_tokens_per_s_per_gpu": decode_per_gpu,
        "decode_usd_per_million_tokens": usd_per_million_tokens(decode_per_gpu, gpu_hour_usd),
        "output_tokens_per_day": d.output_tokens,
        "seconds_per_day": float(SECONDS_PER_DAY) if d.hours == 24 else seconds,
    }


@dataclass(frozen=True)
class DeepSeekTraffic:
    """Published figures of DeepSeek's day beyond :class:`DeepSeekDay` (Day-6 overview,
    open-infra-index, 2025-03-01), read by the bill's rebuild (:func:`calc.bill.deepseek_rebuild`)
    and by the decode and prefill validation rows of the same day, so both use one set."""

    avg_kv_len: int = 4989  # "the average kvcache length per output token was 4,989 tokens"
    tokens_per_s_per_user_low: float = 20  # "The average output speed was 20-22 tokens per second"
    tokens_per_s_per_user_high: float = 22
    prefill_ep: int = 32  # "Routed Expert EP32, MLA/Shared Expert DP32 ... 32 redundant routed experts"
    decode_ep: int = 144  # "Routed Expert EP144 ... 32 redundant routed experts"
    redundant_experts: int = 32
    chunk_tokens: int = 16384  # the profile's "batch size of 16K tokens per GPU" (deepseek-ai/profile-data)

    @property
    def tokens_per_s_per_user_mid(self) -> float:
        """The middle of the published 20-22 tokens/s per user: 21."""
        return (self.tokens_per_s_per_user_low + self.tokens_per_s_per_user_high) / 2


def deepseek_traffic(d: DeepSeekDay = DeepSeekDay(), t: DeepSeekTraffic = DeepSeekTraffic()) -> dict:
    """Per-request workload implied by the published day.

    Assume every request has the same prompt length ``P`` and output length ``O``, and input
    tokens count each prompt once. Then ``P / O = 608 B / 168 B`` and the average KV length
    seen by an output token is ``P + (O - 1) / 2 = 4,989``, so
    ``O = (4,989 + 1/2) / (608/168 + 1/2)``."""
    ratio = d.input_tokens / d.output_tokens
    out_len = (t.avg_kv_len + 0.5) / (ratio + 0.5)
    prompt_len = ratio * out_len
    seconds = d.hours * 3600
    return {"prompt_len": prompt_len, "output_len": out_len, "cache_hit_share": d.cache_hit_tokens / d.input_tokens,
            "requests_per_s": d.output_tokens / seconds / out_len, "seconds": seconds}
