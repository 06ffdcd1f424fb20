"""Units and formatting (DESIGN.md: "Formatting of numbers and units (decimal GB vs binary
GiB, thousands separators, significant digits) lives in calc"), and no "nan"/"inf" in any
text calc produces."""

from __future__ import annotations

import json
import math
import re

import pytest

from _calc_util import rounds_to

from calc import CALCULATIONS, GPUS, MODELS, evaluate, fmt, units
from calc.web import flatten

NONFINITE = re.compile(r"\b(nan|inf|infinity)\b", re.I)


def test_decimal_and_binary_constants():
    assert (units.KB, units.MB, units.GB, units.TB) == (10**3, 10**6, 10**9, 10**12)
    assert (units.KiB, units.MiB, units.GiB, units.TiB) == (2**10, 2**20, 2**30, 2**40)
    assert units.gb(1) == 1e9 and units.gib(1) == 2**30
    assert units.to_gb(2**30) == pytest.approx(1.073741824)
    assert units.to_gib(10**9) == pytest.approx(0.9313225746)
    assert units.GBIT == 125_000_000  # 1 Gb/s = 125 MB/s (400 Gb/s IB = 50 GB/s, facts.md section 2)
    assert 400 * units.GBIT == 50e9
    assert units.DTYPE_BYTES == {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "fp4": 0.5}


def test_612_gib_is_656_gb_facts_section5():
    """facts.md section 5: "612 GB" is a GiB figure: 611.4 GiB = 656.46 GB, and 612 GiB is
    657.1 GB, not 612 GB."""
    b = 656_463_101_952  # routed + shared experts of DeepSeek-V3 at FP8 (config_671B.json)
    assert rounds_to(units.to_gib(b), "611.4")
    assert rounds_to(units.to_gb(b), "656.46")
    assert rounds_to(units.to_gb(units.gib(612)), "657.1")


def test_hbm_is_the_usable_bytes_nvidia_smi_and_rocm_smi_report_facts_section2():
    """facts.md section 2 correction: spec-sheet HBM "GB" is GiB-scale; presets store what
    nvidia-smi / rocm-smi report: H100/H800 81,559 MiB (modal-labs/modal-client PR #2797),
    H200 143,771 MiB (sgl-project/sglang #3196), B200 183,359 MiB (NVIDIA/TensorRT-LLM
    #10278), MI300X 206,141,652,992 B (rocm-smi). Bandwidths stay decimal."""
    MiB = 2**20
    assert GPUS["h800"].hbm_bytes == GPUS["h100"].hbm_bytes == 81_559 * MiB
    assert rounds_to(GPUS["h800"].hbm_bytes, "85.52", units.GB)
    assert GPUS["h200"].hbm_bytes == 143_771 * MiB
    assert rounds_to(GPUS["h200"].hbm_bytes, "150.75", units.GB)
    assert GPUS["b200"].hbm_bytes == 183_359 * MiB
    assert rounds_to(GPUS["b200"].hbm_bytes, "192.27", units.GB)
    assert GPUS["mi300x"].hbm_bytes == 206_141_652_992
    assert GPUS["h800"].hbm_bw == 3.35e12 and GPUS["h200"].hbm_bw == 4.8e12 and GPUS["b200"].hbm_bw == 8e12
    assert GPUS["h800"].scale_up_bw == 200e9  # 400 GB/s bidirectional NVLink, per direction
    assert GPUS["h800"].scale_out_bw == 50e9  # 400 Gb/s IB
    for g in GPUS.values():  # every preset says what its spec sheet printed and where the bytes come from
        assert "GiB-scale" in g.hbm_spec and g.hbm_source, g.name
        assert ("MiB" in g.hbm_source or "rocm-smi" in g.hbm_source or "GiB" in g.hbm_source), g.name
        # usable is below the GiB figure on the spec sheet, never above
        spec_gib = float(g.hbm_spec.split()[0])
        assert g.hbm_bytes <= spec_gib * units.GiB * 1.001, g.name


def test_h800_sustained_clock_flashmla_deep_dive():
    """deepseek-ai/FlashMLA docs/20250422-new-kernel-deep-dive.md: clocks throttle to about
    1,600 MHz, so the practical BF16 peak is about 865 TFLOPS (of 989 at 1,830 MHz)."""
    g = GPUS["h800"]
    assert g.sustained_clock_mhz == 1600 and g.boost_clock_mhz == 1830
    assert round(g.sustained_flops("bf16") / 1e12) == 865


def test_b200_sustained_clock_flashinfer_pr_2899():
    """flashinfer-ai/flashinfer PR 2899 (B200): under back-to-back kernels "SM clocks drop from
    1965 MHz to ~1580 MHz (19% reduction)". The estimate computes at that clock on the B200 and
    carries the ratio to the other Blackwell GPUs (assumed, and said so); the bounds keep the
    boost clock."""
    g = GPUS["b200"]
    assert (g.boost_clock_mhz, g.sustained_clock_mhz) == (1965, 1580)
    assert g.clock_ratio == pytest.approx(0.804, abs=5e-4)
    assert GPUS["b300"].clock_ratio == g.clock_ratio and GPUS["b300"].clock_source.startswith("assumed")
    assert GPUS["mi300x"].clock_ratio == 1.0  # nothing published: the estimate keeps the peak


def test_gb200_and_gb300_top_clocks_published_and_the_b200_ratio_under_load():
    """marin-community/marin, .agents/logbooks/mfu30-gemm.md (2026-09-30, GB200): "Enforced power
    limit 1200 W per GPU; max SM clock 2062 MHz (the 2.5 PF/s spec assumes it)". The clock under
    decode load is not published for the GB200: the B200's ratio (flashinfer PR 2899) is
    assumed and said so. The same log's training runs held a median of 1,500-1,950 MHz, and
    the assumed clock lies in that range."""
    g, b = GPUS["gb200"], GPUS["b200"]
    assert g.boost_clock_mhz == 2062 and g.bf16_flops == 2500e12
    assert g.clock_ratio == pytest.approx(b.clock_ratio, rel=1e-12)
    assert 1500 <= g.sustained_clock_mhz <= 1950
    assert "max SM clock 2062 MHz" in g.clock_source and "assumed" in g.clock_source
    # facebookexperimental/triton PR 2023: a GB300 at "default_limit == max_limit == 1400 W", "the locked
    # 2070 MHz clock"; under load the same assumed ratio
    g3 = GPUS["gb300"]
    assert g3.boost_clock_mhz == 2070 and g3.clock_ratio == pytest.approx(b.clock_ratio, rel=1e-12)
    assert "locked 2070 MHz clock" in g3.clock_source and "assumed" in g3.clock_source


def test_mi355x_infinity_fabric_7_links_of_153_6_gb_s():
    """AMD MI355X: 7 Infinity Fabric links of 153.6 GB/s (issue 7 item 6): 1,075.2 GB/s in
    both directions together, 537.6 per direction."""
    assert GPUS["mi355x"].scale_up_bw == pytest.approx(7 * 153.6e9 / 2)


@pytest.mark.parametrize("x,text", [
    (351_360_000, "351.36 MB"),
    (656_463_101_952, "656.46 GB"),
    (3.35e12, "3.35 TB"),
    (70_272, "70,272 B"),
    (999_999, "999,999 B"),
    (0, "0 B"),
    (1.5e15, "1,500.00 TB"),
])
def test_bytes_decimal(x, text):
    text = text.replace(" ", fmt.NBSP)  # value and unit never split across lines
    assert fmt.bytes_(x) == text
    assert "iB" not in fmt.bytes_(x)


@pytest.mark.parametrize("x,text", [
    (351_360_000, "335.08 MiB"),
    (656_463_101_952, "611.38 GiB"),
    (2**40, "1.00 TiB"),
    (2048, "2.00 KiB"),
    (100, "100 B"),
])
def test_bytes_binary(x, text):
    assert fmt.bytes_(x, binary=True) == text.replace(" ", fmt.NBSP)


def test_binary_output_is_labelled_binary():
    """kv_bytes_per_user_binary is shown in MiB, the decimal one in MB (facts.md section 5:
    351.36 MB = 335.08 MiB)."""
    t = {k: v["text"] for k, v in flatten(evaluate("kv", {"seq_len": 5000})).items()}
    assert t["kv_bytes_per_user"] == "351.36\u00a0MB"
    assert t["kv_bytes_per_user_binary"] == "335.08\u00a0MiB"


@pytest.mark.parametrize("x,text", [
    (9534.380692, "9,534"),
    (10029.94, "10,030"),
    (22768.67, "22,769"),
    (1_234_567, "1,234,567"),
    (34.0425531, "34.04"),
    (131.381, "131.4"),
    (0.30030030, "0.3003"),
    (5.0, "5"),
    (0, "0"),
    (-1234.4, "-1,234"),
    (float("nan"), "n/a"),
    (float("inf"), "n/a"),
])
def test_number(x, text):
    assert fmt.number(x) == text


def test_usd_percent_and_value():
    # money: 3 significant figures with a thousands separator; published figures as given
    assert fmt.usd(87_072) == "$87,100"
    assert fmt.usd(87_072, given=True) == "$87,072"
    assert fmt.usd(562_027, given=True) == "$562,027"
    assert fmt.usd(0.3003) == "$0.300"
    assert fmt.usd(0.13) == "$0.130"
    assert fmt.usd(0.05) == "$0.0500"
    assert fmt.usd(0.0582687) == "$0.0583"
    assert fmt.usd(2) == "$2.00"
    assert fmt.usd(999.7) == "$1,000"
    assert fmt.percent(5.4547) == "545%"
    assert fmt.percent(0.654241) == "65.4%"
    assert fmt.percent(342 / 608) == "56.3%"  # DeepSeek's "56.3%": round half up
    assert fmt.value(3.35e12, "B/s") == "3.35\u00a0TB/s"
    assert fmt.value(2**30, "B", "binary") == "1.00\u00a0GiB"
    assert fmt.value(4.0, "", "ratio") == "4\u00d7"
    assert fmt.value(8, "GPUs", "int") == "8\u00a0GPUs"
    assert fmt.value(0.5777, "users", "users") == "0.58\u00a0users"
    assert fmt.value(175.7, "users", "users") == "176\u00a0users"
    assert fmt.value(37.0, "FLOP/B") == "37.0\u00a0FLOP/B" and fmt.value(295.2, "FLOP/B") == "295\u00a0FLOP/B"
    assert fmt.value(1026.4e9, "params") == "1,026\u00a0B"
    assert fmt.value(34.04, "/s") == "34.04/s"
    assert fmt.value(True, "") == "yes" and fmt.value(False, "") == "no"
    assert fmt.value(None, "tok/s") == "n/a"
    assert fmt.value(0.012, "s") == "12\u00a0ms"
    assert fmt.value(1.5e15, "FLOP/s") == "1,500\u00a0TFLOP/s"
    assert fmt.value(9534.38, "tok/s") == "9,534\u00a0tok/s"
    assert fmt.value(55.7916, "USD/TB-month") == "$55.8/TB-month"  # a price per something keeps its "per"
    for bad in (float("nan"), float("inf"), -float("inf")):
        for unit, disp in (("B", None), ("B/s", None), ("USD", None), ("", "percent"), ("tok/s", None)):
            text = fmt.value(bad, unit, disp)
            assert text.startswith("n/a") and not NONFINITE.search(text), (unit, text)


def _all_results():
    for name in CALCULATIONS:
        yield name, evaluate(name)


def test_no_nan_or_inf_in_any_output_text():
    """Every calculation at its defaults, flattened as the page shows it: no "nan", "inf"
    or "Infinity" in any text, and every number finite (DESIGN.md: never NaN or Infinity)."""
    for name, res in _all_results():
        json.dumps(res, allow_nan=False, default=str)  # raises on NaN / Infinity
        for path, leaf in flatten(res).items():
            assert not NONFINITE.search(leaf["text"]), (name, path, leaf["text"])
            v = leaf["value"]
            if isinstance(v, float):
                assert math.isfinite(v), (name, path)
        if "series" in res:
            for s in res["series"]:
                assert all(y is None or math.isfinite(y) for y in s["y"]), name


@pytest.mark.parametrize("model", sorted(MODELS))
def test_no_nan_or_inf_for_any_model(model):
    """The same for every model preset on every accelerator (sol, capacity, kv)."""
    for gpu in GPUS:
        for name in ("kv", "sol", "capacity"):
            res = evaluate(name, {"model": model, "gpu": gpu})
            json.dumps(res, allow_nan=False)
            for path, leaf in flatten(res).items():
                assert not NONFINITE.search(leaf["text"]), (name, model, gpu, path, leaf["text"])


def test_model_that_does_not_fit_shows_no_nan():
    """Llama 3.1 405B replicated (tp=1) does not fit one H100: zero users, zero tokens/s,
    no cost (not infinity), and text without nan/inf."""
    res = evaluate("capacity", {"model": "llama-3.1-405b", "gpu": "h100", "tp": 1})
    assert res["fits"] is False
    assert res["users_per_gpu"] == 0 and res["tokens_per_s_per_gpu"] == 0
    assert res["kv_budget_bytes_per_gpu"] == 0
    assert res["usd_per_million_tokens"] is None
    for leaf in flatten(res).values():
        assert not NONFINITE.search(leaf["text"])
