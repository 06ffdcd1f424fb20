"""The Calculator beside the bounds (issues 7 and 10): the estimate with its error band and
what binds it, and a collapsed group with the whole bill's workload (prefill and decode GPUs,
cost per million input tokens, cached and not, and output tokens), linked to the bill page.
"""
from __future__ import annotations

import pytest

import conftest
from site_helpers import assert_outputs, query_params, updates, wait_live, wait_update

PAGES = conftest.site_pages(conftest.build.SITE) if (conftest.build.SITE / "index.html").exists() else []
WORKLOAD = ["prompt_len", "output_len", "cache_hit_share", "requests_per_s", "target_tokens_per_s_per_user",
            "decode_rate", "prefill_gpu_hour_usd"]
BILL = ["prefill_gpus", "decode_gpus", "usd_per_million_input_tokens", "usd_per_million_cached_input_tokens",
        "usd_per_million_output_tokens"]


@pytest.fixture
def calculator(page, base_url):
    if "calculator/" not in PAGES:
        pytest.skip("no calculator page")
    page.goto(base_url + "calculator/")
    wait_live(page)
    return page


def _result(page, calc: str, output: str):
    loc = page.locator(f"#tool .calc-results [data-calc='{calc}'][data-output='{output}']")
    assert loc.count() == 1, f"{calc}.{output}: {loc.count()} elements in the results"
    return loc.first


def _band(page, low: str, high: str) -> tuple[float, float, str]:
    box = page.locator(f"#tool .calc-results .calc-range[data-calc='estimate']:has([data-output='{low}'])")
    assert box.count() == 1
    lo = float(box.locator(f"[data-output='{low}']").get_attribute("data-value"))
    hi = float(box.locator(f"[data-output='{high}']").get_attribute("data-value"))
    return lo, hi, box.inner_text()


def test_results_show_the_estimate_with_its_band_and_what_binds(calculator, calc_web):
    """The estimate's tokens/s per GPU and per user, its band (low to high, the estimate
    inside) in tokens/s and in dollars, and the resource that binds it, all equal to calc's."""
    import calc

    page = calculator
    est = calc.evaluate("estimate", {})
    tps = _result(page, "estimate", "tokens_per_s_per_gpu")
    assert float(tps.get_attribute("data-value")) == pytest.approx(est["tokens_per_s_per_gpu"], rel=1e-9)
    assert "tok/s" in tps.inner_text()
    assert _result(page, "estimate", "tokens_per_s_per_user").inner_text().endswith("tok/s")
    assert _result(page, "estimate", "binding").inner_text() == calc_web.compute(
        {}, [{"key": "e", "calc": "estimate", "overrides": {}}])["items"]["e"]["outputs"]["binding"]["text"]
    lo, hi, text = _band(page, "tokens_per_s_per_gpu_low", "tokens_per_s_per_gpu_high")
    assert lo < est["tokens_per_s_per_gpu"] < hi
    assert " to " in text and text.count("tok/s") == 2
    lo, hi, text = _band(page, "usd_per_million_tokens_low", "usd_per_million_tokens_high")
    assert lo < est["usd_per_million_tokens"] < hi and text.startswith("$")
    # the phone summary names the estimate too
    assert page.locator("#tool .calc-summary [data-calc='estimate'][data-output='tokens_per_s_per_gpu']").count() == 1
    assert_outputs(page, calc_web, {})


def test_workload_group_is_collapsed_and_drives_the_whole_bill(calculator, calc_web):
    """The group "Workload and the whole bill" starts closed and holds the bill's workload
    inputs; its results (prefill and decode GPUs, three costs per million tokens) are calc's
    bill for the page state. A longer prompt with more cache hits changes them, goes into
    the URL, and an input of the tool above (the accelerator) reaches the bill's decode half."""
    page = calculator
    group = page.locator("#tool details.calc-group", has_text="Workload and the whole bill")
    assert group.count() == 1
    assert group.get_attribute("open") is None
    for name in WORKLOAD:
        assert group.locator(f"[name='{name}']").count() == 1, name
    for out in BILL:
        assert "$" in _result(page, "bill", out).inner_text() or "GPUs" in _result(page, "bill", out).inner_text()

    decode_before = _result(page, "bill", "decode_gpus").get_attribute("data-value")
    input_before = float(_result(page, "bill", "usd_per_million_input_tokens").get_attribute("data-value"))
    group.locator("summary").click()
    before = updates(page)
    page.locator("#tool-prompt_len").fill("8192")
    wait_update(page, before)
    before = updates(page)
    page.locator("#tool-cache_hit_share").fill("0.9")
    wait_update(page, before)
    state = {"prompt_len": 8192, "cache_hit_share": 0.9}
    assert_outputs(page, calc_web, state)
    assert query_params(page.url).get("prompt_len") == "8192"
    assert _result(page, "bill", "decode_gpus").get_attribute("data-value") != decode_before
    # a longer prompt never makes a computed input token cheaper (issue 10's law)
    assert float(_result(page, "bill", "usd_per_million_input_tokens").get_attribute("data-value")) >= input_before

    decode_h800 = _result(page, "bill", "decode_gpus").get_attribute("data-value")
    before = updates(page)
    page.locator("#tool-gpu").select_option("h200")
    wait_update(page, before)
    assert_outputs(page, calc_web, {**state, "gpu": "h200"})
    assert _result(page, "bill", "decode_gpus").get_attribute("data-value") != decode_h800


@pytest.mark.parametrize("path", ["calculator/", "cost/"])
def test_calculator_and_cost_link_to_the_whole_bill(page, base_url, path):
    """Issue 10: the Cost page and the Calculator link to "The whole bill" in their text."""
    if path not in PAGES or "bill/" not in PAGES:
        pytest.skip("no such page")
    page.goto(base_url + path)
    wait_live(page)
    link = page.locator(".md-content article a[href*='bill/']:not([data-widget] a)")
    assert link.count() >= 1
    href = link.first.get_attribute("href")
    link.first.click()
    # the page reached, whatever fragment the theme's scroll tracking carried over (a loaded
    # machine once saw "bill/#from-throughput-to-dollars", the Cost page's own section)
    page.wait_for_url(lambda url: url.split("#")[0].endswith("/bill/"))
    page.wait_for_function("() => document.querySelector('.md-content h1')?.textContent.includes('The whole bill')")
    assert href.rstrip("/").endswith("bill"), href


def test_home_page_links_every_page(site, pages):
    """The home page's way through names every page of the site (the bill page was missing)."""
    import re

    html = (site / "index.html").read_text("utf-8")
    article = html[html.index('<article'):html.index('</article>')]
    linked = {h.split("#")[0].lstrip("./").rstrip("/") for h in re.findall(r'href="([^"]+)"', article)}
    missing = [p for p in pages if p and p.rstrip("/") not in linked]
    assert not missing, f"home page links none of {missing}"


def test_cost_band_labels_say_which_end_is_cheaper(page, base_url):
    """Cost's estimate widget: the line named the lowest cost shows the smaller figure (it
    read "Cost at the band's high end $0.243 ... low end $0.378")."""
    if "cost/" not in PAGES:
        pytest.skip("no cost page")
    page.goto(base_url + "cost/")
    wait_live(page)
    rows = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#cost-estimate dt')]
        .map((dt) => [dt.textContent.trim(), Number(dt.nextElementSibling.getAttribute('data-value'))]))""")
    assert rows["Lowest cost in the band"] < rows["Highest cost in the band"], rows


def test_phone_summary_names_the_inputs_to_fix(page, base_url):
    """On a phone the sticky summary shows "(stale)" numbers far from the fields; a link with
    bad values makes it name those inputs (with the fields' own labels), and once the value
    is fixed the line goes away."""
    if "calculator/" not in PAGES:
        pytest.skip("no calculator page")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base_url + "calculator/?seq_len=abc&batch_per_gpu=-3")
    wait_live(page)
    why = page.locator("#tool [data-summary-why]")
    why.wait_for(state="visible")
    text = why.inner_text()
    from calc import PARAMS as label
    assert "Not updated" in text and "\u201c" + label["seq_len"].label + "\u201d" in text
    assert "\u201c" + label["batch_per_gpu"].label + "\u201d" in text and "are not valid" in text
    assert why.bounding_box()["y"] < 844  # in the sticky bar, on screen
    before = updates(page)
    for name in ("seq_len", "batch_per_gpu"):
        page.locator(f"#tool [name='{name}']").fill("4000" if name == "seq_len" else "64")
        page.locator(f"#tool [name='{name}']").press("Tab")
    wait_update(page, before)
    page.wait_for_function("() => document.querySelector('#tool [data-summary-why]').hidden")
