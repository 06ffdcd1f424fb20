"""Runtime edge cases found in review: a bad input must keep its outputs stale while other
inputs change; the URL carries only non-default values; an unknown choice in the URL leaves
the select showing the value in use; a worker that dies after booting fails the page
visibly; copy-link carries an edit the URL has not caught up with."""

from __future__ import annotations

from site_helpers import collect_outputs, query_params, updates, wait_live, wait_update

PAGE = "speed-of-light/"


def _outputs(page, widget="sol"):
    return {e["path"]: e for e in collect_outputs(page) if e["widget"] == widget}


def test_bad_input_stays_stale_while_another_input_changes(page, base_url):
    page.goto(base_url + PAGE)
    wait_live(page)
    seq = page.locator("#sol-seq_len")
    before = updates(page)
    seq.fill("32000")
    wait_update(page, before)
    good = _outputs(page)
    assert not any(e["stale"] for e in good.values())

    before = updates(page)
    seq.fill("32000x")  # invalid
    wait_update(page, before)
    before = updates(page)
    page.locator("#sol-gpu").select_option("h200")  # valid change elsewhere
    wait_update(page, before)

    now = _outputs(page)
    # every output of the widget depends on seq_len: all keep their last good values, stale
    for path, e in now.items():
        assert e["stale"], f"{path} not stale"
        assert (e["text"], e["value"]) == (good[path]["text"], good[path]["value"]), f"{path} was overwritten"
    assert page.locator("#sol-seq_len").get_attribute("aria-invalid") == "true"

    # fixing the input applies the whole state, gpu included
    before = updates(page)
    seq.fill("32000")
    wait_update(page, before)
    fixed = _outputs(page)
    assert not any(e["stale"] for e in fixed.values())
    assert float(fixed["hbm_bw"]["value"]) == 4.8e12  # H200


def test_url_keeps_only_non_default_values(page, base_url, calc_web):
    page.goto(base_url + PAGE)
    wait_live(page)
    defaults = calc_web.defaults()
    before = updates(page)
    page.locator("#sol-gpu").select_option("b200")
    wait_update(page, before)
    before = updates(page)
    page.locator("#sol-gpu").select_option(defaults["gpu"])  # back to the default
    wait_update(page, before)
    before = updates(page)
    page.locator("#sol-seq_len").fill("8000")
    wait_update(page, before)
    assert query_params(page.url) == {"seq_len": "8000"}


def test_unknown_choice_in_url_shows_the_value_in_use(page, base_url, calc_web):
    page.goto(base_url + PAGE + "?gpu=nope&seq_len=8000")
    wait_live(page)
    sel = page.locator("#sol-gpu")
    assert sel.input_value() == calc_web.defaults()["gpu"]
    assert sel.get_attribute("aria-invalid") == "true"
    assert page.locator("#sol-seq_len").input_value() == "8000"


def test_copy_link_carries_the_latest_edit(page, base_url):
    page.goto(base_url + PAGE)
    wait_live(page)
    page.locator("#sol-seq_len").fill("12000")
    # click at once, before the answer has updated the URL
    page.locator("#sol [data-copy-link]").click()
    href = page.locator("#sol [data-copy-link]").get_attribute("data-href")
    assert query_params(href) == {"seq_len": "12000"}
    assert href.endswith("#sol")


def test_worker_dying_after_boot_fails_the_page_visibly(page, base_url, guard):
    page.goto(base_url + PAGE)
    wait_live(page)
    # simulate a crash of the worker: its error event after boot
    page.evaluate("window.__calcWorker.onerror({preventDefault() {}, message: 'worker crashed'})")
    assert page.evaluate("document.documentElement.dataset.calcState") == "failed"
    assert page.locator("#sol-seq_len").is_disabled()
    box = page.locator("#sol [data-item-error]")
    assert box.is_visible() and "worker crashed" in box.inner_text()


def test_inputs_work_after_instant_navigation_and_back_restores_state(page, base_url, calc_web):
    """After moving to another page without a reload, its inputs are bound once (one update
    per edit, the outputs calc gives); going back shows the earlier page's linked state."""
    from site_helpers import assert_outputs

    page.goto(base_url + PAGE + "?seq_len=8000")
    wait_live(page)
    target = base_url + "placement/"
    page.evaluate("(t) => [...document.querySelectorAll('.md-nav a[href]')].find(a => a.href === t).click()", target)
    page.wait_for_url(target)
    wait_live(page)
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
    before = updates(page)
    page.locator("#placement-ep").fill("64")
    wait_update(page, before)
    assert updates(page) == before + 1, "one edit answered more than once (listeners bound twice?)"
    assert query_params(page.url) == {"ep": "64"}
    assert_outputs(page, calc_web, {"ep": 64})

    page.go_back()
    page.wait_for_url(base_url + PAGE + "?seq_len=8000")
    wait_live(page)
    assert page.locator("#sol-seq_len").input_value() == "8000"
    assert_outputs(page, calc_web, {"seq_len": 8000})


def test_failed_state_fits_a_phone_header(page, base_url, guard):
    """When Python cannot run, the header's indicator says "Built-in values" and, on a phone,
    leaves "(live calculation unavailable)" to the widgets' own labels: the page stays as
    wide as the screen (the indicator once pushed the header 59 px past a 390 px screen)."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base_url + PAGE)
    wait_live(page)
    page.evaluate("window.__calcWorker.onerror({preventDefault() {}, message: 'worker crashed'})")
    assert page.evaluate("document.documentElement.dataset.calcState") == "failed"
    status = page.locator("#calc-status")
    assert status.inner_text().strip() == "\u25cb Built-in values"
    assert "(live calculation unavailable)" in status.text_content()
    assert "(live calculation unavailable)" in page.locator("#sol [data-state-label]").inner_text()
    assert page.evaluate("document.scrollingElement.scrollWidth - document.documentElement.clientWidth") <= 0
