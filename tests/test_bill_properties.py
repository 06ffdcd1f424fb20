"""Laws of prefill and the bill (issue 10), checked with hypothesis over models, accelerators,
layouts and workloads: a longer prompt never raises prefill tokens/s per GPU (bound and
estimate) and never shortens the time to first token; a higher cache-hit share never raises
the input cost; the estimate never exceeds the bound."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import _calc_util  # noqa: F401  (puts the repo root on sys.path)

import calc
from calc.bill import ttft
from calc.context_cache import CACHE_READ_BYTES_PER_S_PER_GPU
from calc.kv import kv_size
from calc.prefill import PrefillInputs, prefill_bound, prefill_estimate
from calc.presets import GPUS, MODELS

settings.register_profile("bill", deadline=None, max_examples=120, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("bill")

REL = 1e-9

models = st.sampled_from(sorted(MODELS))
gpus = st.sampled_from(sorted(GPUS))
prompts = st.integers(min_value=1, max_value=300_000)
shares = st.floats(min_value=0, max_value=1, allow_nan=False)
chunks = st.integers(min_value=1, max_value=65_536)
eps = st.sampled_from([1, 2, 4, 8, 16, 32, 64, 144])
tps = st.sampled_from([1, 2, 4, 8])
mbs = st.sampled_from([1, 2])
dtypes = st.sampled_from([("fp8", "bf16", "native", "bf16"), ("fp4", "fp8", "fp4", "fp8"), ("bf16", "bf16", "native", "bf16")])
routings = st.sampled_from(["real", "balanced"])


def _x(prompt, share, chunk, ep, tp, mb, dt, routing) -> PrefillInputs:
    g, a, e, k = dt
    return PrefillInputs(prompt_len=prompt, cache_hit_share=share, chunk_tokens=chunk, ep=ep, tp=tp, microbatches=mb,
                         gemm_dtype=g, attn_dtype=a, expert_dtype=e, kv_dtype=k, routing=routing)


@given(models, gpus, prompts, prompts, shares, chunks, eps, tps, mbs, dtypes, routings)
def test_longer_prompt_never_raises_prefill_tokens_per_s(model, gpu, p1, p2, share, chunk, ep, tp, mb, dt, routing):
    """More prompt tokens mean more attention per computed token (each attends to all before
    it); nothing per token gets cheaper. Bound and estimate, with any cached share."""
    lo, hi = sorted((p1, p2))
    m, g = MODELS[model], GPUS[gpu]
    a, b = _x(lo, share, chunk, ep, tp, mb, dt, routing), _x(hi, share, chunk, ep, tp, mb, dt, routing)
    assert prefill_estimate(m, g, b)["tokens_per_s_per_gpu"] <= prefill_estimate(m, g, a)["tokens_per_s_per_gpu"] * (1 + REL)
    assert prefill_bound(m, g, b)["tokens_per_s_per_gpu"] <= prefill_bound(m, g, a)["tokens_per_s_per_gpu"] * (1 + REL)


@given(models, gpus, prompts, prompts, shares, chunks, eps, tps, mbs, dtypes, routings,
       st.floats(min_value=0.01, max_value=1000, allow_nan=False))
def test_longer_prompt_never_shortens_ttft(model, gpu, p1, p2, share, chunk, ep, tp, mb, dt, routing, read_gb):
    """Cache read, prefill passes and KV transfer all grow (or stay) with the prompt."""
    lo, hi = sorted((p1, p2))
    m, g = MODELS[model], GPUS[gpu]
    a, b = _x(lo, share, chunk, ep, tp, mb, dt, routing), _x(hi, share, chunk, ep, tp, mb, dt, routing)
    kvb = kv_size(m, dt[3]).bytes_per_token

    def t(x):
        return ttft(x, prefill_estimate(m, g, x)["tokens_per_s_per_gpu"], kvb, g, read_gb * 1e9)["ttft_s"]

    assert t(b) >= t(a) * (1 - REL)


@given(models, gpus, prompts, shares, shares, chunks, eps, tps, mbs, dtypes, routings,
       st.floats(min_value=0.1, max_value=100, allow_nan=False))
def test_higher_cache_hit_share_never_raises_input_cost(model, gpu, prompt, h1, h2, chunk, ep, tp, mb, dt, routing,
                                                        price):
    """USD per million input tokens, hits and misses together, with the disk free: a cached
    token skips its linear layers and its own attention and costs only the expansion of its
    latent (far smaller), so the input bill never rises as more of it is cached."""
    lo, hi = sorted((h1, h2))
    g, a, e, k = dt
    p = dict(model=model, prefill_gpu=gpu, prompt_len=prompt, prefill_chunk_tokens=chunk, prefill_ep=ep,
             prefill_tp=tp, prefill_microbatches=mb, gemm_dtype=g, attn_dtype=a, expert_dtype=e, kv_dtype=k,
             expert_routing=routing, storage_usd_per_tb_month=0, prefill_gpu_hour_usd=price, decode_rate="given")
    r_lo = calc.evaluate("bill", {**p, "cache_hit_share": lo})
    r_hi = calc.evaluate("bill", {**p, "cache_hit_share": hi})
    assume(r_lo["prefill_weights_fit"])
    assert r_hi["usd_per_million_blended_input_tokens"] <= r_lo["usd_per_million_blended_input_tokens"] * (1 + REL)


@given(models, gpus, prompts, shares, chunks, eps, tps, mbs, dtypes, routings)
def test_estimate_never_exceeds_the_bound(model, gpu, prompt, share, chunk, ep, tp, mb, dt, routing):
    m, g = MODELS[model], GPUS[gpu]
    x = _x(prompt, share, chunk, ep, tp, mb, dt, routing)
    assert prefill_estimate(m, g, x)["tokens_per_s_per_gpu"] <= prefill_bound(m, g, x)["tokens_per_s_per_gpu"] * (1 + REL)


def test_input_cost_falls_along_the_default_chart():
    """At the defaults (disk at $10 per TB-month for 24 h) a hit is far cheaper than a miss and
    the chart's cost line falls from share 0 to share 1."""
    ys = calc.evaluate("bill_chart")["series"][0]["y"]
    assert all(b <= a for a, b in zip(ys, ys[1:]))


def test_default_read_rate_is_3fs():
    assert calc.PARAMS["cache_read_gb_per_s"].default == round(CACHE_READ_BYTES_PER_S_PER_GPU / 1e9, 3)
