"""The whole bill (issue 10): time to first token, the context cache, disaggregated sizing, the
price check and DeepSeek's day rebuilt from its traffic, each against a hand-computed case."""

from __future__ import annotations

import math

import pytest

from _calc_util import cli_json, rounds_to

import calc
from calc.bill import KV_LINK_EFFICIENCY, DeepSeekTraffic, decode_rate, deepseek_traffic, ttft
from calc.context_cache import (
    CACHE_READ_BYTES_PER_S_PER_GPU, STORAGE_NODE_BYTES, STORAGE_NODE_READ_BYTES_PER_S, cache_hit_cost,
)
from calc.cost import DeepSeekDay
from calc.prefill import PrefillInputs, prefill_estimate
from calc.presets import GPUS, MODELS
from calc.prices import PRICE_LISTS
from calc.tight import TightInputs, tight_bound

V3 = MODELS["deepseek-v3"]
H800 = GPUS["h800"]
KV = 70_272  # DeepSeek-V3 BF16 KV bytes per token (facts.md section 1)


# ---- time to first token ------------------------------------------------------------------------

def test_ttft_parts_by_hand():
    """A 4K prompt, half cached, 16K tokens per GPU per pass, at 5,000 tokens/s per GPU:
    read 2,048 x 70,272 B at 5.369 GB/s (3FS's 40 GiB/s per node / 8) = 26.8 ms; one pass of
    16,384 / 5,000 = 3.2768 s; KV 4,096 x 70,272 B over 50 GB/s x 0.7636 (Mooncake measured
    142.25 GiB/s on 200 GB/s of ports) = 7.54 ms."""
    x = PrefillInputs(prompt_len=4096, cache_hit_share=0.5, chunk_tokens=16384)
    r = ttft(x, 5000.0, KV, H800, CACHE_READ_BYTES_PER_S_PER_GPU)
    assert CACHE_READ_BYTES_PER_S_PER_GPU == 40 * 2 ** 30 / 8
    assert KV_LINK_EFFICIENCY == pytest.approx(142.25 * 2 ** 30 / 200e9)
    assert r["cache_read_s"] == pytest.approx(2048 * KV / (40 * 2 ** 30 / 8), rel=1e-12)
    assert r["prefill_passes"] == 1 and r["prefill_s"] == pytest.approx(16384 / 5000, rel=1e-12)
    assert r["kv_transfer_s"] == pytest.approx(4096 * KV / (50e9 * KV_LINK_EFFICIENCY), rel=1e-12)
    assert r["ttft_s"] == pytest.approx(r["cache_read_s"] + r["prefill_s"] + r["kv_transfer_s"], rel=1e-12)
    assert r["ttft_s"] == pytest.approx(0.02681 + 3.2768 + 0.00754, abs=1e-4)


def test_ttft_long_prompt_needs_several_passes():
    """Chunked prefill: 40,000 computed tokens in passes of 16,384 take ceil(2.44) = 3 passes."""
    x = PrefillInputs(prompt_len=40_000, cache_hit_share=0.0, chunk_tokens=16384)
    r = ttft(x, 4000.0, KV, H800, CACHE_READ_BYTES_PER_S_PER_GPU)
    assert r["prefill_passes"] == 3 and r["prefill_s"] == pytest.approx(3 * 16384 / 4000, rel=1e-12)
    assert r["cache_read_s"] == 0


def test_ttft_calculation_uses_the_prefill_estimate():
    p = {"prompt_len": 2048, "cache_hit_share": 0.25}
    r = calc.evaluate("ttft", p)
    est = prefill_estimate(V3, H800, PrefillInputs(prompt_len=2048, cache_hit_share=0.25))
    assert r["tokens_per_s_per_gpu"] == pytest.approx(est["tokens_per_s_per_gpu"], rel=1e-12)
    assert r["prefill_s"] == pytest.approx(16384 / est["tokens_per_s_per_gpu"], rel=1e-12)


# ---- context cache ------------------------------------------------------------------------------------

def test_cache_hit_storage_and_read_by_hand():
    """At $10 per TB-month and 24 h: storage 70,272 B / 10^12 x 24 / 730 x 10 x 10^6 = $0.02310
    per million; the read takes 70,272 B / (6.6 TiB/s / 180 nodes) of a 3FS node holding
    16 x 14 TiB, which costs 246.3 TB x $10 a month: $0.00163 per million."""
    c = cache_hit_cost(V3, "bf16", 2.0, 0.0, 10.0, 24.0)
    assert c["storage_usd"] == pytest.approx(KV / 1e12 * 24 / 730 * 10 * 1e6, rel=1e-12)
    assert c["storage_usd"] == pytest.approx(0.02310, abs=1e-5)
    assert STORAGE_NODE_BYTES == 16 * 14 * 2 ** 40 and STORAGE_NODE_READ_BYTES_PER_S == 6.6 * 2 ** 40 / 180
    node_usd_per_s = 16 * 14 * 2 ** 40 / 1e12 * 10 / (730 * 3600)
    assert c["read_usd"] == pytest.approx(KV / (6.6 * 2 ** 40 / 180) * node_usd_per_s * 1e6, rel=1e-12)
    assert c["expansion_usd"] == 0 and c["total_usd"] == pytest.approx(c["storage_usd"] + c["read_usd"])


def test_cache_hit_expansion_priced_as_gpu_time():
    """An expansion of 1 us per cached token at $2 per GPU-hour: 1e-6 x 2 / 3,600 x 10^6 = $0.000556 per million."""
    assert cache_hit_cost(V3, "bf16", 2.0, 1e-6, 0.0, 24.0)["total_usd"] == pytest.approx(2 / 3600, rel=1e-12)


def test_context_cache_calculation_hit_cheaper_than_miss_at_defaults():
    r = calc.evaluate("context_cache")
    assert 0 < r["usd_per_million_cached_input_tokens"] < r["usd_per_million_input_tokens"]
    assert r["hit_over_miss"] == pytest.approx(r["usd_per_million_cached_input_tokens"] / r["usd_per_million_input_tokens"])
    # at the break-even disk price a hit costs exactly its list price
    be = calc.evaluate("context_cache", {"storage_usd_per_tb_month": r["storage_break_even_usd_per_tb_month"]})
    assert be["usd_per_million_cached_input_tokens"] == pytest.approx(PRICE_LISTS["deepseek-r1-2025"]
                                                                      .usd_per_million_cached_input, rel=1e-9)


# ---- decode half ---------------------------------------------------------------------------------------

def test_decode_rate_is_the_largest_batch_meeting_the_target():
    """The tight bound at the largest batch whose tokens/s per user is still >= the target:
    one more sequence per GPU would be slower than the target (or not fit)."""
    p = {**{k: calc.PARAMS[k].default for k in calc.PARAMS}, "target_tokens_per_s_per_user": 60.0}
    p = calc.api._prep(tuple(p), p)
    d = decode_rate(V3, H800, p, 4608)
    assert d.target_met and d.tokens_per_s_per_user >= 60
    nxt = tight_bound(V3, H800, TightInputs.from_params({**p, "seq_len": 4608, "batch_per_gpu": d.batch_per_gpu + 1}))
    assert nxt["batch_per_gpu"] == d.batch_per_gpu or nxt["tokens_per_s_per_user"] < 60


def test_decode_given_rate():
    r = calc.evaluate("bill", {"decode_rate": "given", "tokens_per_s_per_gpu": 1850, "requests_per_s": 100,
                               "output_len": 1000})
    assert r["decode_tokens_per_s_per_gpu"] == 1850 and r["decode_basis"] == "given"
    assert r["decode_gpus"] == pytest.approx(100 * 1000 / 1850, rel=1e-12)
    assert r["usd_per_million_output_tokens"] == pytest.approx(2 / (1850 * 3600) * 1e6, rel=1e-12)


# ---- the bill -----------------------------------------------------------------------------------------

def test_bill_sizing_by_hand():
    """prefill GPUs = requests/s x computed tokens per request / prefill tokens/s per GPU;
    decode GPUs = requests/s x output_len / decode tokens/s per GPU; USD per million
    output tokens = $2 / (decode rate x 3,600) x 10^6."""
    p = {"requests_per_s": 500, "prompt_len": 3000, "cache_hit_share": 0.4, "output_len": 800}
    r = calc.evaluate("bill", p)
    pf = calc.evaluate("prefill", {"prompt_len": 3000, "cache_hit_share": 0.4})
    assert r["computed_tokens_per_request"] == pytest.approx(1800)
    assert r["prefill_gpus"] == pytest.approx(500 * 1800 / pf["tokens_per_s_per_gpu"], rel=1e-12)
    assert r["decode_gpus"] == pytest.approx(500 * 800 / r["decode_tokens_per_s_per_gpu"], rel=1e-12)
    assert r["prefill_to_decode_ratio"] == pytest.approx(r["prefill_gpus"] / r["decode_gpus"])
    assert r["usd_per_million_output_tokens"] == pytest.approx(2 / (r["decode_tokens_per_s_per_gpu"] * 3600) * 1e6)
    assert r["decode_seq_len"] == 3400  # 3,000 + 800 / 2
    # the GPU time of a computed token splits between it and the hits it expands
    t = 1 / pf["tokens_per_s_per_gpu"]
    miss = r["usd_per_million_input_tokens"]
    hit_gpu = r["cache_expansion_usd_per_million"]
    assert (1800 * miss + 1200 * hit_gpu) == pytest.approx(1800 * t * 2 / 3600 * 1e6, rel=1e-9)
    day = (r["prefill_gpus"] * 2 + r["decode_gpus"] * 2) * 24 + 500 * 1200 * 86400 * r["cache_storage_usd_per_million"] / 1e6
    assert r["daily_cost_usd"] == pytest.approx(day, rel=1e-12)


def test_price_check_margins_by_hand():
    """Margin as DeepSeek defines it, (price - cost) / cost, against R1's $0.55 / $0.14 / $2.19
    (DeepSeek API docs; the Day-6 overview's footnote)."""
    r = calc.evaluate("price_check")
    assert (r["list_usd_per_million_input_tokens"], r["list_usd_per_million_cached_input_tokens"],
            r["list_usd_per_million_output_tokens"]) == (0.55, 0.14, 2.19)
    assert r["margin_input"] == pytest.approx(0.55 / r["usd_per_million_input_tokens"] - 1, rel=1e-12)
    assert r["margin_cached_input"] == pytest.approx(0.14 / r["usd_per_million_cached_input_tokens"] - 1, rel=1e-12)
    assert r["margin_output"] == pytest.approx(2.19 / r["usd_per_million_output_tokens"] - 1, rel=1e-12)
    assert "2025" in r["price_list_date"] and "api-docs.deepseek.com" in r["price_list_source"]


def test_price_lists_have_dates_and_sources():
    for p in PRICE_LISTS.values():
        assert p.date and p.source and p.usd_per_million_cached_input < p.usd_per_million_input


def test_bill_reports_a_layout_that_does_not_fit():
    """Llama 3.1 405B in BF16 does not fit one H800 for prefill at TP 1, nor for decode: the
    bill says so (no GPU counts, no costs) instead of dividing by zero."""
    r = calc.evaluate("bill", {"model": "llama-3.1-405b"})
    assert r["prefill_weights_fit"] is False and r["prefill_gpus"] is None and r["decode_gpus"] is None
    assert r["usd_per_million_output_tokens"] is None


# ---- DeepSeek's day ------------------------------------------------------------------------------------

def test_deepseek_traffic_from_published_figures():
    """Day-6 overview: 608 B input, 342 B cache hits, 168 B output tokens in 24 h; average KV
    length per output token 4,989. With one prompt per output sequence, P / O = 608 / 168 and
    P + (O - 1) / 2 = 4,989: O = 4,989.5 / (608/168 + 0.5) = 1,211.3, P = 4,383.8;
    168e9 / 86,400 / 1,211.3 = 1,605.2 requests/s."""
    w = deepseek_traffic()
    assert DeepSeekDay().input_tokens == 608e9 and DeepSeekDay().output_tokens == 168e9
    assert DeepSeekTraffic().avg_kv_len == 4989
    assert w["output_len"] == pytest.approx(4989.5 / (608 / 168 + 0.5), rel=1e-12)
    assert w["prompt_len"] + (w["output_len"] - 1) / 2 == pytest.approx(4989, rel=1e-12)
    assert rounds_to(w["output_len"], "1211.3") and rounds_to(w["prompt_len"], "4383.8")
    assert w["cache_hit_share"] == 342 / 608
    assert rounds_to(w["requests_per_s"], "1605.2")


def test_deepseek_day_rebuilt_against_226_75_nodes():
    """DeepSeek's day (Day-6 overview: 226.75 nodes of 8 H800 on average; 73.7k input tokens/s
    per prefill node including cache hits, 14.8k output tokens/s per decode node): at the
    published per-node rates the traffic needs 95.5 prefill + 131.4 decode nodes. Our prefill
    estimate needs fewer prefill nodes than the published rate implies (the day's prefill nodes
    ran below capacity), and the decode tight bound far fewer decode nodes (a bound)."""
    r = calc.evaluate("deepseek_rebuild")
    assert r["avg_nodes"] == 226.75
    assert rounds_to(r["published_prefill_nodes"], "95.5") and rounds_to(r["published_decode_nodes"], "131.4")
    assert r["published_prefill_nodes"] == pytest.approx(608e9 / 86400 / 73_700, rel=1e-12)
    assert r["published_decode_nodes"] == pytest.approx(168e9 / 86400 / 14_800, rel=1e-12)
    assert r["published_prefill_tokens_per_s_per_gpu"] == pytest.approx(73_700 * 266 / 608 / 8, rel=1e-12)
    x = PrefillInputs(prompt_len=round(r["prompt_len"]), cache_hit_share=342 / 608, chunk_tokens=16384, ep=32,
                      redundant_experts=32, microbatches=2)
    est = prefill_estimate(V3, H800, x)["tokens_per_s_per_gpu"]
    assert r["prefill_tokens_per_s_per_gpu"] == pytest.approx(est, rel=1e-12)
    assert r["prefill_nodes_implied"] == pytest.approx(266e9 / 86400 / est / 8, rel=1e-12)
    assert r["nodes_implied"] == pytest.approx(r["prefill_nodes_implied"] + r["decode_nodes_implied"])
    # the published prefill rate is below our estimate (the estimate is a capacity) ...
    assert 0.5 < r["prefill_utilisation"] < 1
    # ... and DeepSeek's measured decode rate below the tight bound
    assert r["decode_basis"] == "tight bound" and r["decode_utilisation"] < 1
    assert r["nodes_implied"] < r["avg_nodes"]
    # with DeepSeek's measured decode rate instead of the bound
    g = calc.evaluate("deepseek_rebuild", {"decode_rate": "given", "tokens_per_s_per_gpu": 1850})
    assert g["decode_nodes_implied"] == pytest.approx(r["published_decode_nodes"], rel=1e-12)


def test_deepseek_cache_reads_per_node_well_below_3fs_peak():
    """342 B hits a day over the published 95.5 prefill nodes, 70,272 B each: 2.91 GB/s per
    node, against 3FS's peak of 40 GiB/s per KVCache client node."""
    r = calc.evaluate("deepseek_rebuild")
    assert r["cache_read_bytes_per_s_per_node"] == pytest.approx(342e9 / 86400 / r["published_prefill_nodes"] * KV)
    assert r["cache_read_bytes_per_s_per_node"] < r["cache_read_peak_bytes_per_s_per_node"] / 10


def test_cli_bill_and_ttft_json():
    b = cli_json("bill")
    assert {"prefill_gpus", "decode_gpus", "usd_per_million_input_tokens", "usd_per_million_cached_input_tokens",
            "usd_per_million_output_tokens"} <= set(b)
    t = cli_json("ttft")
    assert t["ttft_s"] > 0 and math.isfinite(t["ttft_s"])


def test_bill_chart_is_a_chart():
    c = calc.evaluate("bill_chart")
    assert c["x"][0] == 0 and c["x"][-1] == 1 and len(c["series"]) == 2
    assert all(len(s["y"]) == len(c["x"]) for s in c["series"])
    listed = c["series"][1]["y"]
    assert listed[0] == pytest.approx(0.55) and listed[-1] == pytest.approx((4095 * 0.14 + 0.55) / 4096)


def test_cli_on_python311_matches_this_process():
    """calc runs on CPython 3.11 too: the bill and the prefill validation give this process's figures."""
    import json
    import os
    import subprocess

    from test_calc_python311 import PY311, ROOT, _close

    if PY311 is None:
        pytest.skip("no CPython 3.11 on this machine")
    env = {k: v for k, v in os.environ.items() if k != "PYENV_VERSION"}
    for name in ("bill", "validate_prefill", "deepseek_rebuild"):
        out = subprocess.run([PY311, "-m", "calc", name, "--json"], cwd=ROOT, env=env, capture_output=True, text=True,
                             check=True)
        assert _close(json.loads(out.stdout), json.loads(json.dumps(calc.evaluate(name)))), name
