"""facts.md section 5 ("The seed blog's arithmetic, checked"): every figure of the seed blog
(shared/seed/deepseek-serving-cost-estimate.md), its blog value and its exact value, through
``evaluate("blog")`` and through ``python -m calc blog --json``.

Primary sources behind the exact values: deepseek-ai/DeepSeek-V3 inference/configs/
config_671B.json (61 layers, kv_lora 512 + rope 64), NVIDIA H800/H200/B200 spec sheets
(facts.md section 2), DeepSeek's Day-6 overview (14.8k tok/s per node).
"""

from __future__ import annotations

import math

import pytest

from _calc_util import cli_json, rounds_to, run_cli

from calc import MODELS, evaluate
from calc.kv import kv_size
from calc.units import GB, GiB, MB, MiB


@pytest.fixture(scope="module", params=["evaluate", "cli"])
def figs(request):
    if request.param == "evaluate":
        return evaluate("blog")["figures"]
    return cli_json("blog")["figures"]


def test_kv_per_user_334mb_vs_351mb_facts_section5(figs):
    """facts.md section 5: "334 MB per user at 5k tokens" vs 61 x 5,000 x 1,152 B =
    351.36 MB = 335.08 MiB (config_671B.json: 61 layers)."""
    f = figs["kv_bytes_per_user"]
    assert f["blog"] == 334 * MB
    assert f["exact"] == 61 * 5000 * 1152 == 351_360_000
    assert rounds_to(f["exact"], "351.36", MB)
    assert rounds_to(f["exact"], "335.08", MiB)
    assert f["unit"] == "B"
    assert "58" in f["reason"] and "61" in f["reason"]


def test_kv_334mb_is_58_layers_facts_section5():
    """facts.md section 5: 334 MB comes out with 58 layers (the MoE layer count): 334.08 MB."""
    m = MODELS["deepseek-v3"]
    per_layer = kv_size(m).bytes_per_token_per_layer
    assert rounds_to(per_layer * m.n_moe_layers * 5000, "334.08", MB)


def test_sol_h800_10030_vs_9534_facts_section5(figs):
    """facts.md section 5: 3.35 TB/s / 334 MB = 10,030 tok/s/GPU (right on the blog's
    input); with 351.36 MB: 9,534 (H800 3.35 TB/s, NVIDIA spec via facts.md section 2)."""
    f = figs["sol_h800"]
    assert rounds_to(f["blog"], "10,030")
    assert rounds_to(f["exact"], "9,534")
    assert f["blog"] == pytest.approx(3.35e12 / 334e6, rel=1e-12)
    assert "10030" in f["printed"]


def test_sol_over_measured_above_5x_facts_section5(figs):
    """facts.md section 5 / blog section 3: ">5x of the measured number" (1,850 from the
    Day-6 overview): true for both the blog and the exact bound."""
    f = figs["sol_over_measured"]
    assert f["blog"] > 5 and f["exact"] > 5
    assert f["blog"] == pytest.approx(10_029.94 / 1850, rel=1e-5)


def test_sol_b200_23952_vs_22769_facts_section5(figs):
    """facts.md section 5: B200 8 TB/s / 334 MB = 23,952 tok/s/GPU (printed "23952k", a
    typo); exact 22,769 (B200 8.0 TB/s, NVIDIA spec via facts.md section 2)."""
    f = figs["sol_b200"]
    assert rounds_to(f["blog"], "23,952")
    assert rounds_to(f["exact"], "22,769")
    assert "23952k" in f["printed"]
    assert "23952k" in f["reason"] or "typo" in f["reason"]


def test_moe_weights_612gb_vs_656gb_facts_section5(figs):
    """facts.md section 5: "612 GB of MoE weights" is routed + shared experts at FP8 in GiB
    (611.4 GiB = 656.46 GB; [C] from config_671B.json)."""
    f = figs["moe_weight_bytes"]
    assert f["blog"] == 612 * GB
    assert rounds_to(f["exact"], "656.46", GB)
    assert rounds_to(f["exact"], "611.4", GiB)
    assert round(f["exact"] / GiB) == 611 and "GiB" in f["reason"]


def test_moe_weights_per_gpu_76_5gb_vs_82_06gb_facts_section5(figs):
    """facts.md section 5: /8 = 76.5 GiB = 82.1 GB per GPU at EP8 (the ~16 GB/GPU of
    replicated non-expert weights left out)."""
    f = figs["moe_weight_bytes_per_gpu"]
    assert f["blog"] == 76.5 * GB
    assert rounds_to(f["exact"], "82.06", GB)
    assert rounds_to(f["exact"], "82.1", GB)
    assert rounds_to(f["exact"], "76.4", GiB)  # 611.4 / 8 = 76.4 GiB (the blog's 76.5 is 612/8)


def test_h200_capacity_141_is_gib_scale_nvidia_smi_143771_mib(figs):
    """facts.md section 2 correction: the H200's "141 GB" is GiB-scale; nvidia-smi prints
    143,771 MiB = 150.75e9 B (sgl-project/sglang issue #3196)."""
    f = figs["h200_hbm_bytes"]
    assert f["blog"] == 141 * GB
    assert f["exact"] == 143_771 * 2**20
    assert rounds_to(f["exact"], "150.75", GB)
    assert "GiB" in f["reason"]


def test_h200_full_reads_34_facts_section5(figs):
    """facts.md section 5: H200 4.8 TB/s / 141 GB = 34.04 full-HBM reads per second, printed
    34; over the usable 150.75 GB (nvidia-smi 143,771 MiB) it is 31.84."""
    f = figs["h200_reads_per_s"]
    assert f["blog"] == 34
    assert rounds_to(4.8e12 / 141e9, "34.04") and "34.04" in f["reason"]
    assert rounds_to(f["exact"], "31.84")


def test_h200_users_193_is_close_to_bytes_throughout_195_5_facts_section2(figs):
    """facts.md sections 2 and 5: (141 - 76.5) / 0.334 = 193 users. In bytes throughout
    (usable 150.75 GB from nvidia-smi, 82.06 GB of experts, 351.36 MB of KV) 195.5 fit, so
    the post's 193 is close; the decimal reading of 141 GB gave 167.8 and the audit says so."""
    f = figs["h200_users_per_gpu"]
    assert f["blog"] == 193
    assert math.floor((141 - 76.5) / 0.334) == 193
    assert rounds_to(f["exact"], "195.5")
    assert abs(f["exact"] - 193) < abs(167.8 - 193)
    assert "close" in f["reason"] and "167.8" in f["reason"]


def test_h200_tokens_6562_vs_6225_facts_section5(figs):
    """facts.md section 5: 34 x 193 = 6,562 tok/s/GPU (unrounded 6,574); in bytes
    throughout 31.84 x 195.5 = 6,225."""
    f = figs["h200_tokens_per_s_per_gpu"]
    assert f["blog"] == 34 * 193 == 6562
    assert f["exact"] == pytest.approx(6225, rel=1e-3)
    unrounded = 4.8e12 / 141e9 * (141e9 - 76.5e9) / 334e6
    assert round(unrounded) == 6574
    assert "6,574" in f["reason"] or "6574" in f["reason"]


def test_h200_over_h800_65_percent_printed_60_facts_section5(figs):
    """facts.md section 5: 6,562 / 10,030 is 65%, printed as 60%."""
    f = figs["h200_over_h800"]
    assert round(f["blog"] * 100) == 65
    assert f["printed"] == "60%"
    assert "65%" in f["reason"] and "60%" in f["reason"]
    assert f["display"] == "percent"


def test_measured_1850_facts_section5(figs):
    """facts.md section 5 / section 3: 14.8k / 8 = 1,850 exactly (DeepSeek Day-6 overview)."""
    f = figs["measured_per_gpu"]
    assert f["blog"] == f["exact"] == 1850


def test_prof_you_31_25_and_15_6_facts_section5(figs):
    """facts.md section 5: 1,000 tok/s over 32-64 GPUs is 31.3-15.6 tok/s/GPU, not 30."""
    assert figs["you_per_gpu_32"]["blog"] == 31.25 == figs["you_per_gpu_32"]["exact"]
    assert figs["you_per_gpu_64"]["blog"] == 15.625 == figs["you_per_gpu_64"]["exact"]
    assert rounds_to(figs["you_per_gpu_64"]["blog"], "15.6")
    assert rounds_to(figs["you_per_gpu_32"]["blog"], "31.3")
    for k in ("you_per_gpu_32", "you_per_gpu_64"):
        assert "30" in figs[k]["printed"]


def test_fp8_kv_doubles_the_bound_blog_section3(figs):
    """Seed blog section 3: "Use FP8 for KV cache, this can raise the SOL throughput by 2x"
    (exact for DeepSeek-V3's MLA cache)."""
    assert figs["fp8_multiplier"]["blog"] == 2
    assert figs["fp8_multiplier"]["exact"] == 2


def test_every_differing_figure_has_a_reason_facts_section5(figs):
    """Issue 2 item 8: each difference between blog and exact (or between the blog's value
    and what it printed) carries its reason as data."""
    assert len(figs) >= 13
    for key, f in figs.items():
        assert set(f) >= {"label", "unit", "blog", "printed", "exact", "reason"}, key
        assert isinstance(f["blog"], (int, float)) and isinstance(f["exact"], (int, float)), key
        assert math.isfinite(f["blog"]) and math.isfinite(f["exact"]), key
        assert isinstance(f["printed"], str) and f["printed"], key
        assert f["reason"] is None or isinstance(f["reason"], str)
        if not math.isclose(f["blog"], f["exact"], rel_tol=1e-9):
            assert f["reason"] and f["reason"].strip(), key
    # figures whose printed text differs from the blog's own value also say why
    for key in ("sol_b200", "h200_reads_per_s", "h200_over_h800", "you_per_gpu_32", "you_per_gpu_64"):
        assert figs[key]["reason"].strip(), key


def test_blog_inputs_are_the_posts_inputs():
    """Seed blog sections 3-4: 334 MB, 3.35 TB/s, 80 GB, 8 TB/s, 612 GB, EP8, 141 GB,
    4.8 TB/s, 14.8k tok/s per node, 1,000 tok/s."""
    inp = evaluate("blog")["inputs"]
    assert inp["kv_bytes_per_user"] == 334e6
    assert inp["h800_hbm_bw"] == 3.35e12 and inp["h800_hbm_bytes"] == 80e9
    assert inp["b200_hbm_bw"] == 8e12
    assert inp["moe_weight_bytes"] == 612e9 and inp["ep"] == 8
    assert inp["h200_hbm_bytes"] == 141e9 and inp["h200_hbm_bw"] == 4.8e12
    assert inp["measured_tokens_per_s_per_node"] == 14_800
    assert inp["seq_len"] == 5000


def test_blog_cli_matches_evaluate_exactly():
    """``python -m calc blog --json`` prints the same numbers as ``evaluate("blog")``."""
    api = evaluate("blog")
    cli = cli_json("blog")
    assert cli["figures"].keys() == api["figures"].keys()
    for k, f in api["figures"].items():
        for field in ("blog", "exact", "printed", "reason", "unit"):
            assert cli["figures"][k][field] == f[field], (k, field)


def test_blog_plain_table_shows_both_columns():
    """The plain ``blog`` table lists blog, printed and exact values with units."""
    r = run_cli("blog")
    assert r.returncode == 0 and r.stderr == ""
    head = r.stdout.splitlines()[0].split()
    assert head[:5] == ["figure", "blog", "printed", "exact", "reason"]
    out = r.stdout
    for text in ("334.00 MB", "351.36 MB", "10,030 tok/s", "9,534 tok/s", "23,952 tok/s", "22,769 tok/s",
                 "612.00 GB", "656.46 GB", "193 users", "6,562 tok/s", "65.4%", "60%", "1,850 tok/s", "31.25 tok/s"):
        text = text.replace(" ", "\u00a0")  # calc.fmt joins value and unit with a no-break space
        assert text in out, text
