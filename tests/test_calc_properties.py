"""Property tests (hypothesis) for the laws the model must obey (issue 2, "Done when"; DESIGN.md
"Tests"): more bandwidth never lowers a bound; FP8 KV halves KV bytes and FP4 quarters them;
tokens/s scale with accepted tokens per step in the speed-of-light model; users per GPU never
negative; longer contexts never raise the bound; every preset validates and evaluates; sweeps
return monotone x with the right number of points."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import _calc_util  # noqa: F401  (puts the repo root on sys.path)

from calc import CALCULATIONS, GPUS, MODELS, PARAMS, evaluate
from calc.api import sweep_xs
from calc.kv import INDEXER_SCALE_BYTES, kv_size

settings.register_profile("calc", deadline=None, max_examples=150,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("calc")

models = st.sampled_from(sorted(MODELS))
gpus = st.sampled_from(sorted(GPUS))
kv_dtypes = st.sampled_from(["bf16", "fp8", "fp4"])
seq_lens = st.integers(min_value=1, max_value=10_000_000)
accepts = st.floats(min_value=1, max_value=16, allow_nan=False)
eps = st.integers(min_value=1, max_value=4096)
tps = st.integers(min_value=1, max_value=1024)
reserves = st.floats(min_value=0, max_value=PARAMS["hbm_reserve_gb"].max, allow_nan=False)
redundant = st.integers(min_value=0, max_value=512)
factors = st.floats(min_value=1, max_value=100, allow_nan=False)

REL = 1e-12


def _le(a, b):
    """a <= b up to floating rounding."""
    return a <= b * (1 + REL) + 1e-300


# ---- bandwidth ------------------------------------------------------------------------------

@given(models, gpus, seq_lens, kv_dtypes, accepts, factors)
def test_more_bandwidth_never_lowers_sol(model, gpu, seq_len, kv_dtype, accept, f):
    """DESIGN.md: more HBM bandwidth never lowers the speed-of-light bound (it is linear)."""
    g = GPUS[gpu]
    faster = replace(g, hbm_bw=g.hbm_bw * f)
    p = {"model": model, "seq_len": seq_len, "kv_dtype": kv_dtype, "accept_length": accept}
    a = evaluate("sol", {**p, "gpu": g})["tokens_per_s_per_gpu"]
    b = evaluate("sol", {**p, "gpu": faster})["tokens_per_s_per_gpu"]
    assert _le(a, b)
    assert b == pytest.approx(a * f, rel=1e-9)


@given(models, gpus, seq_lens, kv_dtypes, accepts, eps, tps, factors)
def test_more_bandwidth_never_lowers_capacity(model, gpu, seq_len, kv_dtype, accept, ep, tp, f):
    """More HBM bandwidth never lowers capacity tokens/s (users fixed by HBM size)."""
    g = GPUS[gpu]
    p = {"model": model, "seq_len": seq_len, "kv_dtype": kv_dtype, "accept_length": accept, "ep": ep, "tp": tp}
    a = evaluate("capacity", {**p, "gpu": g})
    b = evaluate("capacity", {**p, "gpu": replace(g, hbm_bw=g.hbm_bw * f)})
    assert _le(a["tokens_per_s_per_gpu"], b["tokens_per_s_per_gpu"])
    assert a["users_per_gpu"] == b["users_per_gpu"]


@given(models, gpus, seq_lens, eps, tps, factors)
def test_more_hbm_never_lowers_users_or_capacity(model, gpu, seq_len, ep, tp, f):
    """More HBM capacity never lowers users per GPU or capacity tokens/s."""
    g = GPUS[gpu]
    p = {"model": model, "seq_len": seq_len, "ep": ep, "tp": tp}
    a = evaluate("capacity", {**p, "gpu": g})
    b = evaluate("capacity", {**p, "gpu": replace(g, hbm_bytes=g.hbm_bytes * f)})
    assert _le(a["users_per_gpu"], b["users_per_gpu"])
    assert _le(a["tokens_per_s_per_gpu"], b["tokens_per_s_per_gpu"])


# ---- KV element type ----------------------------------------------------------------------------

NO_INDEXER = sorted(m for m in MODELS if not MODELS[m].index_n_heads)


@pytest.mark.parametrize("model", NO_INDEXER)
def test_fp8_halves_and_fp4_quarters_kv_exactly(model):
    """Blog section 3 ("FP8 for KV cache ... 2x"), DESIGN.md "FP8 KV halves KV bytes": exactly
    half at FP8, a quarter at FP4, per token and per user, for every model without an
    indexer cache."""
    m = MODELS[model]
    b16, f8, f4 = (kv_size(m, d) for d in ("bf16", "fp8", "fp4"))
    assert f8.bytes_per_token * 2 == b16.bytes_per_token
    assert f4.bytes_per_token * 4 == b16.bytes_per_token
    assert f8.bytes_per_window_token * 2 == b16.bytes_per_window_token
    for L in (1, 127, 5000, 123_457):
        assert f8.bytes_per_user(L) * 2 == b16.bytes_per_user(L)
        assert f4.bytes_per_user(L) * 4 == b16.bytes_per_user(L)
    s = evaluate("sol", {"model": model, "kv_dtype": "fp8"})
    assert s["fp8_multiplier"] == 2.0
    assert evaluate("sol", {"model": model, "kv_dtype": "fp4"})["fp8_multiplier"] == 4.0


@given(models.filter(lambda m: m in NO_INDEXER), seq_lens, gpus)
def test_fp8_doubles_sol_for_any_length(model, seq_len, gpu):
    p = {"model": model, "seq_len": seq_len, "gpu": gpu}
    b = evaluate("sol", {**p, "kv_dtype": "bf16"})
    f = evaluate("sol", {**p, "kv_dtype": "fp8"})
    assert f["kv_bytes_per_user"] * 2 == b["kv_bytes_per_user"]
    assert f["tokens_per_s_per_gpu"] == pytest.approx(2 * b["tokens_per_s_per_gpu"], rel=REL)


def test_deepseek_v32_indexer_cache_keeps_its_fp8_size_facts_section1():
    """facts.md section 1: DeepSeek-V3.2 caches 576 elements of main KV plus an indexer key
    of 128 B (FP8) and a 4 B scale per layer ([P] DeepSeek-V3.2-Exp inference code: the
    indexer cache is FP8 whatever the main KV type). So FP8/FP4 halve/quarter only the main
    part: 1,284 -> 576 + 132 = 708 -> 288 + 132 = 420 B per layer."""
    m = MODELS["deepseek-v3.2"]
    idx = 128 + INDEXER_SCALE_BYTES
    b16, f8, f4 = (kv_size(m, d) for d in ("bf16", "fp8", "fp4"))
    assert b16.bytes_per_token_per_layer == 1152 + idx == 1284
    assert f8.bytes_per_token_per_layer == 576 + idx == 708
    assert f4.bytes_per_token_per_layer == 288 + idx == 420
    assert (b16.bytes_per_token, f8.bytes_per_token, f4.bytes_per_token) == (78_324, 43_188, 25_620)
    assert (f8.bytes_per_token - idx * 61) * 2 == b16.bytes_per_token - idx * 61
    assert (f4.bytes_per_token - idx * 61) * 4 == b16.bytes_per_token - idx * 61
    s = evaluate("sol", {"model": "deepseek-v3.2", "kv_dtype": "fp8"})
    assert s["fp8_multiplier"] == pytest.approx(78_324 / 43_188, rel=REL)
    assert 1.8 < s["fp8_multiplier"] < 2


# ---- accepted tokens per step (MTP) -----------------------------------------------------------------

@given(models, gpus, seq_lens, kv_dtypes, accepts)
def test_sol_scales_linearly_with_accept_length(model, gpu, seq_len, kv_dtype, accept):
    """Blog section 3 (MTP: "the SOL throughput can be multiplied by N"): the speed-of-light
    bound is exactly linear in accepted tokens per step."""
    p = {"model": model, "gpu": gpu, "seq_len": seq_len, "kv_dtype": kv_dtype}
    one = evaluate("sol", {**p, "accept_length": 1})
    n = evaluate("sol", {**p, "accept_length": accept})
    assert n["tokens_per_s_per_gpu"] == pytest.approx(accept * one["tokens_per_s_per_gpu"], rel=REL)
    assert n["user_steps_per_s"] == one["user_steps_per_s"]
    assert n["accept_multiplier"] == accept
    assert n["combined_multiplier"] == pytest.approx(one["fp8_multiplier"] * accept, rel=1e-9)


@given(models, gpus, seq_lens, accepts, eps)
def test_capacity_scales_linearly_with_accept_length(model, gpu, seq_len, accept, ep):
    p = {"model": model, "gpu": gpu, "seq_len": seq_len, "ep": ep}
    one = evaluate("capacity", {**p, "accept_length": 1})
    n = evaluate("capacity", {**p, "accept_length": accept})
    assert n["tokens_per_s_per_gpu"] == pytest.approx(accept * one["tokens_per_s_per_gpu"], rel=REL)
    assert n["users_per_gpu"] == one["users_per_gpu"]


# ---- users per GPU -----------------------------------------------------------------------------------

@given(models, gpus, seq_lens, kv_dtypes, eps, tps, reserves, redundant)
def test_users_per_gpu_never_negative(model, gpu, seq_len, kv_dtype, ep, tp, reserve, red):
    """Issue 2: users per GPU never negative, for any preset, accelerator, EP, TP, length,
    reserve; tokens/s and the KV budget likewise; nothing non-finite."""
    c = evaluate("capacity", {"model": model, "gpu": gpu, "seq_len": seq_len, "kv_dtype": kv_dtype, "ep": ep,
                              "tp": tp, "hbm_reserve_gb": reserve, "redundant_experts": red})
    assert c["users_per_gpu"] >= 0
    assert c["tokens_per_s_per_gpu"] >= 0
    assert c["kv_budget_bytes_per_gpu"] >= 0
    assert c["steps_per_s"] > 0
    for k, v in c.items():
        if isinstance(v, float):
            assert math.isfinite(v), k
    if not c["fits"]:
        assert c["users_per_gpu"] == 0 and c["tokens_per_s_per_gpu"] == 0
        assert c["usd_per_million_tokens"] is None
    else:
        assert c["users_per_gpu"] > 0
        assert c["weight_bytes_per_gpu"] + c["kv_budget_bytes_per_gpu"] == pytest.approx(
            GPUS[gpu].hbm_bytes - reserve * 1e9, rel=1e-9, abs=1)


@given(models, gpus, seq_lens, eps, eps, tps)
def test_more_ep_never_lowers_users(model, gpu, seq_len, ep1, ep2, tp):
    """Blog section 4.1: spreading the experts wider (higher EP) never leaves less HBM for KV."""
    lo, hi = sorted((ep1, ep2))
    p = {"model": model, "gpu": gpu, "seq_len": seq_len, "tp": tp}
    a = evaluate("capacity", {**p, "ep": lo})
    b = evaluate("capacity", {**p, "ep": hi})
    assert b["routed_experts_per_gpu"] <= a["routed_experts_per_gpu"]
    assert _le(b["weight_bytes_per_gpu"], a["weight_bytes_per_gpu"])
    assert _le(a["users_per_gpu"], b["users_per_gpu"])


@given(models, gpus, seq_lens, tps, tps)
def test_more_tp_never_adds_weights(model, gpu, seq_len, tp1, tp2):
    lo, hi = sorted((tp1, tp2))
    p = {"model": model, "gpu": gpu, "seq_len": seq_len}
    a = evaluate("capacity", {**p, "tp": lo})
    b = evaluate("capacity", {**p, "tp": hi})
    assert _le(b["non_expert_weight_bytes_per_gpu"], a["non_expert_weight_bytes_per_gpu"])
    assert _le(a["users_per_gpu"], b["users_per_gpu"])


# ---- longer context ---------------------------------------------------------------------------------

@given(models, gpus, seq_lens, seq_lens, kv_dtypes, accepts, eps)
def test_longer_seq_len_never_raises_the_bound(model, gpu, l1, l2, kv_dtype, accept, ep):
    """Longer context means more KV per user: the KV bytes never shrink and neither the
    speed-of-light bound nor capacity tokens/s (nor users) ever grow."""
    lo, hi = sorted((l1, l2))
    p = {"model": model, "gpu": gpu, "kv_dtype": kv_dtype, "accept_length": accept}
    s_lo = evaluate("sol", {**p, "seq_len": lo})
    s_hi = evaluate("sol", {**p, "seq_len": hi})
    assert s_lo["kv_bytes_per_user"] <= s_hi["kv_bytes_per_user"]
    assert _le(s_hi["tokens_per_s_per_gpu"], s_lo["tokens_per_s_per_gpu"])
    c_lo = evaluate("capacity", {**p, "seq_len": lo, "ep": ep})
    c_hi = evaluate("capacity", {**p, "seq_len": hi, "ep": ep})
    assert _le(c_hi["tokens_per_s_per_gpu"], c_lo["tokens_per_s_per_gpu"])
    assert _le(c_hi["users_per_gpu"], c_lo["users_per_gpu"])


@given(models, seq_lens, kv_dtypes)
def test_kv_per_user_formula(model, seq_len, kv_dtype):
    """facts.md section 1: per user = per token x L (full layers) + per token x min(L, window)
    (sliding-window layers)."""
    kv = kv_size(MODELS[model], kv_dtype)
    out = evaluate("kv", {"model": model, "seq_len": seq_len, "kv_dtype": kv_dtype})
    assert out["kv_bytes_per_user"] == kv.bytes_per_token * seq_len + kv.bytes_per_window_token * min(seq_len, kv.window)
    assert out["kv_bytes_per_user"] > 0


# ---- every preset validates and evaluates --------------------------------------------------------

@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_model_preset_validates(model):
    assert PARAMS["model"].validate(model) == model
    assert PARAMS["model"].validate(model.upper()) == model


@pytest.mark.parametrize("gpu", sorted(GPUS))
def test_every_gpu_preset_validates(gpu):
    assert PARAMS["gpu"].validate(gpu) == gpu
    g = GPUS[gpu]
    assert g.source and g.label
    assert g.hbm_bytes > 0 and g.hbm_bw > 0 and g.bf16_flops > 0 and g.fp8_flops >= g.bf16_flops
    assert g.scale_up_bw > 0 and g.scale_out_bw > 0


@pytest.mark.parametrize("model", sorted(MODELS))
@pytest.mark.parametrize("gpu", sorted(GPUS))
def test_every_preset_pair_evaluates_every_calculation(model, gpu):
    """Every model on every accelerator through every calculation, without error."""
    for name, c in CALCULATIONS.items():
        params = {k: v for k, v in (("model", model), ("gpu", gpu)) if k in c.params}
        if name == "sweep":
            params.update(series_param="none", sweep_points=5)
        res = evaluate(name, params)
        assert isinstance(res, dict) and res, name


def test_param_defaults_validate():
    """Every parameter's own default passes its own validation."""
    for p in PARAMS.values():
        v = p.validate(p.default)
        assert v == p.default or (p.kind == "choice" and v == str(p.default).lower()), p.name


# ---- sweeps -------------------------------------------------------------------------------------------

@given(st.floats(1, 8, allow_nan=False), st.floats(8.01, 16, allow_nan=False), st.integers(2, 400),
       st.sampled_from(["log", "linear"]))
def test_float_sweep_has_n_monotone_points(lo, hi, n, scale):
    """A sweep over a float parameter returns exactly sweep_points x values, strictly
    increasing, from sweep_from to sweep_to; one y per x."""
    res = evaluate("sweep", {"sweep_calc": "sol", "sweep_param": "accept_length", "sweep_from": lo, "sweep_to": hi,
                             "sweep_points": n, "sweep_scale": scale, "series_param": "none"})
    xs = res["x"]
    assert len(xs) == n
    assert all(a < b for a, b in zip(xs, xs[1:]))
    assert xs[0] == lo and xs[-1] == hi
    assert len(res["series"]) == 1 and len(res["series"][0]["y"]) == n
    ys = res["series"][0]["y"]
    assert all(a <= b for a, b in zip(ys, ys[1:]))  # sol rises with accept_length


@given(st.integers(1, 50_000), st.integers(1, 500_000), st.integers(2, 300), st.sampled_from(["log", "linear"]))
def test_integer_sweep_is_deduplicated_and_monotone(a, b, n, scale):
    """Integer parameters (seq_len) round and dedup: at most sweep_points distinct, strictly
    increasing whole values, ends at the rounded bounds; the bound falls along the sweep."""
    lo, hi = min(a, b), max(a, b)
    assume(hi > lo)
    res = evaluate("sweep", {"sweep_calc": "sol", "sweep_param": "seq_len", "sweep_from": lo, "sweep_to": hi,
                             "sweep_points": n, "sweep_scale": scale, "series_param": "none"})
    xs = res["x"]
    assert 1 <= len(xs) <= n
    assert all(isinstance(x, int) for x in xs)
    assert all(x < y for x, y in zip(xs, xs[1:]))
    assert xs[0] == lo and xs[-1] == hi
    if scale == "linear" and hi - lo >= n - 1:  # a step of at least 1: no two points round together
        assert len(xs) == n
    ys = res["series"][0]["y"]
    assert len(ys) == len(xs)
    assert all(_le(y2, y1) for y1, y2 in zip(ys, ys[1:]))


@given(st.integers(2, 1000))
def test_wide_linear_integer_sweep_keeps_every_point(n):
    """A linear seq_len sweep whose step is at least 1 keeps all n points."""
    res = evaluate("sweep", {"sweep_calc": "kv", "sweep_param": "seq_len", "sweep_output": "kv_bytes_per_user",
                             "sweep_from": 1, "sweep_to": 1 + 2 * (n - 1), "sweep_points": n,
                             "sweep_scale": "linear", "series_param": "none"})
    assert len(res["x"]) == n


def test_sweep_series_one_line_per_value():
    res = evaluate("sweep", {"series_param": "gpu", "series_values": "h800, b200 ,mi355x", "sweep_points": 7})
    assert [s["key"] for s in res["series"]] == ["h800", "b200", "mi355x"]
    assert [s["label"] for s in res["series"]] == [GPUS[g].label for g in ("h800", "b200", "mi355x")]
    assert all(len(s["y"]) == len(res["x"]) for s in res["series"])
    # each line is the sol bound at that point
    for s in res["series"]:
        for x, y in zip(res["x"], s["y"]):
            assert y == evaluate("sol", {"gpu": s["key"], "seq_len": x})["tokens_per_s_per_gpu"]
    res = evaluate("sweep", {"series_param": "kv_dtype", "series_values": "bf16,fp8", "sweep_points": 4})
    for y16, y8 in zip(res["series"][0]["y"], res["series"][1]["y"]):
        assert y8 == pytest.approx(2 * y16, rel=REL)


@pytest.mark.parametrize("scale", ["log", "linear"])
@pytest.mark.parametrize("n", [2, 3, 127, 10_000])
def test_sweep_to_the_parameter_maximum(scale, n):
    """A sweep ending exactly at a parameter's maximum (accept_length <= 16) is valid: float
    rounding of the spacing must not push the last x past it (found by hypothesis: a log
    sweep 1..16 over 127 points ended at 16.000000000000032 and was rejected)."""
    res = evaluate("sweep", {"sweep_param": "accept_length", "sweep_from": 1, "sweep_to": 16, "sweep_points": n,
                             "sweep_scale": scale, "series_param": "none"})
    assert res["x"][0] == 1 and res["x"][-1] == 16 and len(res["x"]) == n


def test_sweep_xs_helper():
    assert sweep_xs(1, 10, 10, "linear", False) == [float(i) for i in range(1, 11)]
    xs = sweep_xs(1, 1000, 4, "log", False)
    assert xs == pytest.approx([1, 10, 100, 1000])
    assert sweep_xs(1, 3, 10, "linear", True) == [1, 2, 3]
    assert sweep_xs(0.1, 0.3, 2, "linear", False) == [0.1, 0.3]  # not 0.30000000000000004
