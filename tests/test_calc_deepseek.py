"""facts.md section 3 ("DeepSeek's official inference figures", primary source: the Day-6
overview, deepseek-ai/open-infra-index 202502OpenSourceWeek/day_6_one_more_thing_
deepseekV3R1_inference_system_overview.md, 2025-03-01) recomputed by ``evaluate``; plus the
speed-of-light figures of section 5 at the calculator's own inputs and the blog's section 4.2
TP-vs-EP comparison.
"""

from __future__ import annotations

import pytest

from _calc_util import rounds_to

from calc import evaluate
from calc.web import flatten


@pytest.fixture(scope="module")
def day():
    return evaluate("deepseek_day")


def test_daily_cost_87072_facts_section3(day):
    """facts.md section 3: average 226.75 nodes x 8 H800 x $2/GPU-h x 24 h = $87,072
    (Day-6 overview; $2/GPU-h from the V3 technical report section 1)."""
    assert day["avg_nodes"] == 226.75
    assert day["gpus"] == 226.75 * 8 == 1814
    assert day["daily_cost_usd"] == 87_072
    assert day["daily_cost_usd"] == day["published_cost_usd"]


def test_margin_545_percent_from_562027_facts_section3(day):
    """facts.md section 3: theoretical revenue $562,027/day at R1 prices, cost profit margin
    545% (Day-6 overview)."""
    assert day["published_revenue_usd"] == 562_027
    assert day["margin"] == pytest.approx((562_027 - 87_072) / 87_072, rel=1e-12)
    assert rounds_to(day["margin"] * 100, "545")
    assert day["published_margin"] == 5.45


def test_revenue_recomputed_from_rounded_token_counts_facts_section3(day):
    """facts.md section 3: 608 B input (342 B cache hits) and 168 B output tokens at
    $0.14 / $0.55 / $2.19 per million. The counts are rounded to the billion, so the
    recomputed revenue lands within a few hundred dollars of the published $562,027."""
    expected = (342e9 * 0.14 + (608e9 - 342e9) * 0.55 + 168e9 * 2.19) / 1e6
    assert day["revenue_recomputed_usd"] == pytest.approx(expected, rel=1e-12)
    assert abs(day["revenue_recomputed_usd"] - 562_027) < 500
    assert rounds_to(day["margin_recomputed"] * 100, "546")


def test_cache_hit_share_56_3_percent_facts_section3(day):
    """facts.md section 3: 342 B of 608 B input tokens (56.3%) hit the on-disk KV cache
    (Day-6 overview)."""
    assert day["cache_hit_share"] == 342 / 608
    assert rounds_to(day["cache_hit_share"] * 100, "56.3")
    assert flatten(day)["cache_hit_share"]["text"] == "56.3%"


def test_implied_nodes_131_4_plus_95_5_facts_section3(day):
    """facts.md section 3 checks [C]: 168e9 / 86,400 / 14,800 = 131.4 decode nodes;
    608e9 / 86,400 / 73,700 = 95.5 prefill nodes; sum 226.9 ~ 226.75 (Day-6 overview inputs)."""
    assert rounds_to(day["decode_nodes"], "131.4")
    assert rounds_to(day["prefill_nodes"], "95.5")
    assert rounds_to(day["nodes_check"], "226.9")
    assert day["nodes_check"] == pytest.approx(226.75, abs=0.2)
    assert day["seconds_per_day"] == 86_400


def test_decode_cost_0_30_per_million_facts_section3(day):
    """facts.md section 3: decode alone at $2/GPU-h and 14.8k tok/s per 8-GPU node (1,850
    per GPU): $0.30 per million output tokens (Day-6 overview; V3 report section 1)."""
    assert day["decode_tokens_per_s_per_gpu"] == 1850
    assert rounds_to(day["decode_usd_per_million_tokens"], "0.30")
    assert day["decode_usd_per_million_tokens"] == pytest.approx(2 / (1850 * 3600) * 1e6, rel=1e-12)


def test_deepseek_day_text_facts_section3(day):
    """facts.md section 3 figures as the site prints them."""
    t = {k: v["text"] for k, v in flatten(day).items()}
    assert t["daily_cost_usd"] == "$87,100"  # house style: money to 3 significant figures
    assert t["published_cost_usd"] == "$87,072"  # a published figure keeps its digits
    assert t["published_revenue_usd"] == "$562,027"
    assert t["margin"] == "545%"
    assert t["decode_usd_per_million_tokens"] == "$0.300"
    assert t["decode_nodes"] == "131\u00a0nodes"  # counts of things: whole numbers
    assert t["nodes_check"] == "227\u00a0nodes"
    assert t["avg_nodes"] == "226.75\u00a0nodes"  # the published average, as given


def test_deepseek_day_scales_with_gpu_price():
    """Cost is linear in the GPU-hour price ($87,072 at DeepSeek's $2)."""
    d = evaluate("deepseek_day", {"gpu_hour_usd": 3.0})
    assert d["daily_cost_usd"] == pytest.approx(87_072 * 1.5, rel=1e-12)
    assert d["margin"] < 5.45


def test_cost_calculation_0_30_facts_section3():
    """facts.md section 3: 1,850 tok/s per GPU at $2/GPU-h = $0.30 per million tokens
    (Day-6 overview; V3 report section 1); ``evaluate("cost")`` defaults to those inputs."""
    c = evaluate("cost")
    assert c["gpu_hour_usd"] == 2.0
    assert rounds_to(c["usd_per_million_tokens"], "0.30")
    assert c["tokens_per_gpu_hour"] == 1850 * 3600
    c2 = evaluate("cost", {"tokens_per_s_per_gpu": 1850, "gpu_hour_usd": 2})
    assert c2 == c
    # halving the throughput doubles the cost
    c3 = evaluate("cost", {"tokens_per_s_per_gpu": 925})
    assert c3["usd_per_million_tokens"] == pytest.approx(2 * c["usd_per_million_tokens"], rel=1e-12)


def test_sol_h800_9534_38_facts_section5():
    """facts.md section 5: DeepSeek-V3 on H800 at 5,000 tokens, BF16 KV: 3.35e12 / 351.36e6
    = 9,534.38 tok/s/GPU (config_671B.json; H800 3.35 TB/s, facts.md section 2)."""
    s = evaluate("sol", {"model": "deepseek-v3", "gpu": "h800", "seq_len": 5000})
    assert s["kv_bytes_per_token"] == 70_272
    assert s["kv_bytes_per_user"] == 351_360_000
    assert s["hbm_bw"] == 3.35e12
    assert rounds_to(s["tokens_per_s_per_gpu"], "9534.38")
    assert s["measured_tokens_per_s_per_gpu"] == 1850
    assert s["over_measured"] > 5


def test_sol_b200_22769_facts_section5():
    """facts.md section 5: B200 (8.0 TB/s) at 351.36 MB per user: 22,769 tok/s/GPU."""
    s = evaluate("sol", {"model": "deepseek-v3", "gpu": "b200", "seq_len": 5000})
    assert rounds_to(s["tokens_per_s_per_gpu"], "22,769")


def test_sol_defaults_are_the_blogs_setting():
    """The calculator opens on the blog's case: DeepSeek-V3, H800, 5,000 tokens, BF16, no MTP."""
    assert evaluate("sol") == evaluate("sol", {"model": "deepseek-v3", "gpu": "h800", "seq_len": 5000,
                                              "kv_dtype": "bf16", "accept_length": 1})


def test_comm_tp32_vs_ep32_4x_blog_section4_2():
    """Seed blog section 4.2 ("TP MOE is inefficient"): TP32 puts all 32 GPUs in each
    token's all-reduce, EP32 at most top-k = 8 (DeepSeek-V3 num_experts_per_tok, config_671B.json):
    a 4x saving."""
    c = evaluate("comm", {"moe_gpus": 32})
    assert c["reduction_gpus_tp"] == 32
    assert c["reduction_gpus_ep"] == 8
    assert c["reduction_ratio"] == 4
    # bytes: ring all-reduce of a BF16 hidden state vs FP8 dispatch + BF16 combine
    assert c["tp_bytes_per_token_per_layer"] == 4 * 31 * 7168
    assert c["ep_bytes_per_token_per_layer"] == pytest.approx(3 * 8 * 7168 * 31 / 32, rel=1e-12)
    assert c["tp_bytes_per_token"] == 58 * c["tp_bytes_per_token_per_layer"]


def test_comm_ep_smaller_than_topk():
    """With fewer EP ranks than experts per token, every rank takes part: min(top-k, ep)."""
    c = evaluate("comm", {"moe_gpus": 4})
    assert c["reduction_gpus_ep"] == 4 and c["reduction_ratio"] == 1


def test_capacity_blog_section4_1_h200_ep8_experts_only():
    """Seed blog section 4.1 in exact units: H200, EP8, with *all* weights counted (the post
    counts experts only), fewer users fit than the experts-only 195.5 in bytes throughout
    (usable HBM from nvidia-smi, 143,771 MiB: sgl-project/sglang issue #3196)."""
    c = evaluate("capacity", {"model": "deepseek-v3", "gpu": "h200", "ep": 8, "tp": 1})
    assert c["routed_experts_per_gpu"] == 32
    assert c["fits"] is True
    assert 0 < c["users_per_gpu"] < 195.5
    assert c["users_per_gpu"] == pytest.approx(c["kv_budget_bytes_per_gpu"] / 351.36e6, rel=1e-12)
    assert c["kv_budget_bytes_per_gpu"] == pytest.approx(143_771 * 2**20 - c["weight_bytes_per_gpu"], rel=1e-12)
    # with the KV budget full, steps/s is HBM bandwidth / HBM capacity (the post's "34", 31.84 in bytes)
    assert rounds_to(c["steps_per_s"], "31.84")
