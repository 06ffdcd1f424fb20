"""The built site in Chromium, against calc run in the test process.

Pages are discovered from the built site, so every page written later is covered: its
pre-rendered numbers, going live, every input of every widget, URL state, copy-link, bad
inputs and bad URL parameters, instant navigation (one Python boot), file:// reading.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest

import conftest
from site_helpers import (
    alternative,
    assert_clean_text,
    assert_outputs,
    bad_values,
    collect_controls,
    collect_outputs,
    depends,
    expected_for,
    mismatches,
    query_params,
    schema_by_name,
    set_control,
    wait_live,
)

ROOT = Path(__file__).resolve().parents[2]
PAGES = conftest.site_pages(conftest.build.SITE) if (conftest.build.SITE / "index.html").exists() else [""]


def page_id(path: str) -> str:
    return path.strip("/") or "home"


def pages_param():
    return pytest.mark.parametrize("path", PAGES, ids=[page_id(p) for p in PAGES])


# --------------------------------------------------------------------------- static


@pages_param()
def test_prerendered_numbers_equal_calc(browser, base_url, calc_web, guard, path):
    """With scripts off, every [data-output] already shows calc's default values."""
    ctx = browser.new_context(java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(base_url + path)
        entries = collect_outputs(page)
        response = expected_for(calc_web, {}, entries)
        bad = mismatches([dict(e, svg=True) for e in entries], response)
        assert not bad, "\n".join(bad)
        for word in ("NaN", "Infinity", "Traceback"):
            assert word not in page.inner_text("body"), word
        states = page.evaluate("[...document.querySelectorAll('[data-widget]')].map(w => w.dataset.state)")
        assert all(s == "static" for s in states), states
    finally:
        ctx.close()


def test_every_page_found(pages):
    assert len(pages) >= 2, pages


def test_no_external_urls_in_built_files(site):
    """Nothing in the built HTML/CSS/JS points the browser at another origin."""
    import re

    offenders = []
    for f in site.rglob("*"):
        if f.suffix not in (".html", ".css") or not f.is_file():
            continue
        text = f.read_text("utf-8", errors="replace")
        for m in re.finditer(r'(?:src|href)=["\'](https?:)?//(?!127\.0\.0\.1)([^"\'/]+)', text):
            offenders.append(f"{f.relative_to(site)}: {m.group(0)}")
        for m in re.finditer(r"url\((['\"]?)(https?:)?//", text):
            offenders.append(f"{f.relative_to(site)}: {m.group(0)}")
    # Links in prose to sources are fine (<a href>); scripts, styles, fonts and images are not.
    offenders = [o for o in offenders if "href=" not in o or ".css" in o or ".js" in o]
    assert not offenders, "\n".join(offenders)


# --------------------------------------------------------------------------- live


@pages_param()
def test_page_goes_live_and_matches_calc(page, base_url, calc_web, path):
    page.goto(base_url + path)
    wait_live(page)
    states = page.evaluate("[...document.querySelectorAll('[data-widget]')].map(w => w.dataset.state)")
    assert all(s == "live" for s in states), states
    assert_outputs(page, calc_web, {})
    assert page.evaluate("window.__calcBoots") == 1
    # The live indicator is shown on pages where the reader can change inputs, and only there.
    status = page.locator("#calc-status")
    if page.locator("[data-widget]").count():
        assert status.is_visible() and "Live" in status.inner_text()
    else:
        assert status.count() == 0
    assert_clean_text(page)


@pages_param()
def test_every_input_updates_every_output(page, base_url, calc_web, path):
    """Change each input of each widget to another valid value; every output on the page
    then equals calc for the accumulated state, and the URL holds that state."""
    page.goto(base_url + path)
    wait_live(page)
    controls = collect_controls(page)
    if not controls:
        pytest.skip("no widget inputs on this page")
    schema = schema_by_name(calc_web)
    state = dict(calc_web.defaults())
    params: dict = {}
    for control in controls:
        name = control["name"]
        new = alternative(calc_web, schema[name], state[name])
        if new is None:
            continue
        set_control(page, control, new)
        params[name] = new
        state = calc_web.compute(params, [])["state"]
        entries = assert_outputs(page, calc_web, params)
        assert not any(e["stale"] for e in entries), f"stale outputs after a valid {name}={new!r}"
        # Every other input for the same parameter shows the same value (one state per page).
        same = [c for c in collect_controls(page) if c["name"] == name]
        assert len({c["value"] for c in same}) == 1, same
        # The URL holds exactly the non-default state.
        linked = calc_web.compute(query_params(page.url), [])
        assert not linked["errors"], linked["errors"]
        assert linked["state"] == state, (page.url, params)
    assert params, "no input could be changed"
    assert_clean_text(page)


@pages_param()
def test_url_params_open_that_state(page, base_url, calc_web, path):
    page.goto(base_url + path)
    wait_live(page)
    ctx_controls = collect_controls(page)
    if not ctx_controls:
        pytest.skip("no widget inputs on this page")
    schema = schema_by_name(calc_web)
    defaults = calc_web.defaults()
    params = {}
    for c in ctx_controls:
        if c["name"] in params:
            continue
        alt = alternative(calc_web, schema[c["name"]], defaults[c["name"]])
        if alt is not None:
            params[c["name"]] = alt
    page.goto(base_url + path + "?" + urlencode(params))
    wait_live(page)
    assert_outputs(page, calc_web, params)
    state = calc_web.compute(params, [])["state"]
    for c in collect_controls(page):
        shown = calc_web.compute({c["name"]: c["value"]}, [])["state"][c["name"]]
        assert shown == state[c["name"]], (c, state[c["name"]])
        assert c["invalid"] != "true", c
    assert calc_web.compute(query_params(page.url), [])["state"] == state


def _first_page_with(pages_found, base_url, page, what="[data-widget] input"):
    for p in pages_found:
        page.goto(base_url + p)
        if page.locator(what).count():
            return p
    pytest.skip(f"no page has {what}")


def test_copy_link_reproduces_state(page, new_context, base_url, calc_web, pages):
    path = _first_page_with(pages, base_url, page)
    wait_live(page)
    schema = schema_by_name(calc_web)
    params = {}
    for c in collect_controls(page)[:3]:
        alt = alternative(calc_web, schema[c["name"]], calc_web.compute(params, [])["state"][c["name"]])
        if alt is not None:
            set_control(page, c, alt)
            params[c["name"]] = alt
    widget = page.locator("[data-widget]").first
    widget_id = widget.get_attribute("id")
    widget.locator("[data-copy-link]").click()
    link_field = widget.locator("[data-link]")
    link_field.wait_for(state="visible")
    link = link_field.input_value()
    assert link.startswith(base_url + path) and link.endswith("#" + widget_id), link
    before = [(e["path"], e["calc"], e["text"], e["value"]) for e in collect_outputs(page)]

    other = new_context().new_page()
    other.goto(link)
    wait_live(other)
    after = [(e["path"], e["calc"], e["text"], e["value"]) for e in collect_outputs(other)]
    assert after == before
    assert_outputs(other, calc_web, params)
    assert [c["value"] for c in collect_controls(other)] == [c["value"] for c in collect_controls(page)]


# --------------------------------------------------------------------------- bad input


@pages_param()
def test_bad_inputs_show_message_and_stale_outputs(page, base_url, calc_web, path):
    import calc

    page.goto(base_url + path)
    wait_live(page)
    controls = collect_controls(page)
    if not controls:
        pytest.skip("no widget inputs on this page")
    schema = schema_by_name(calc_web)
    seen = set()
    for control in controls:
        name = control["name"]
        if name in seen or control["tag"] == "select":
            continue
        seen.add(name)
        good = collect_outputs(page)
        for bad in bad_values(schema[name]):
            set_control(page, control, bad)
            message = calc_web.compute({name: bad}, [])["errors"].get(name)
            assert message, f"calc accepts {name}={bad!r}?"
            field = page.locator(f"#{control['id']}")
            assert field.get_attribute("aria-invalid") == "true"
            shown = page.locator(f"#{control['id']}-error")
            assert shown.is_visible(), f"no message for {name}={bad!r}"
            assert shown.inner_text() == message
            assert message.startswith(schema[name]["label"] + " must be ")  # the label, not the id
            assert len(message) <= 200
            now = collect_outputs(page)
            for b, a in zip(good, now):
                if depends(calc, b, name):
                    assert a["stale"], f"{a['path']} not marked stale after {name}={bad!r}"
                    assert (a["text"], a["value"]) == (b["text"], b["value"]), "a dependent output changed"
            assert_clean_text(page)
        # Back to a good value: message gone, nothing stale.
        set_control(page, control, control["value"])
        assert page.locator(f"#{control['id']}").get_attribute("aria-invalid") is None
        assert not page.locator(f"#{control['id']}-error").is_visible()
        assert not any(e["stale"] for e in collect_outputs(page))
        assert_outputs(page, calc_web, {})


@pages_param()
def test_bad_url_params_are_reported_and_the_rest_applies(page, base_url, calc_web, path):
    page.goto(base_url + path)
    wait_live(page)
    controls = collect_controls(page)
    if not controls:
        pytest.skip("no widget inputs on this page")
    schema = schema_by_name(calc_web)
    numeric = [c for c in controls if c["tag"] == "input"]
    choice = [c for c in controls if c["tag"] == "select"]
    params = {"no_such_param": "1"}
    bad_names = []
    if numeric:
        params[numeric[0]["name"]] = "abc"
        bad_names.append(numeric[0]["name"])
    if choice:
        params[choice[0]["name"]] = "no-such-choice"
        bad_names.append(choice[0]["name"])
    good = [c for c in controls if c["name"] not in bad_names]
    if good:
        alt = alternative(calc_web, schema[good[0]["name"]], calc_web.defaults()[good[0]["name"]])
        if alt is not None:
            params[good[0]["name"]] = alt
    page.goto(base_url + path + "?" + urlencode(params))
    wait_live(page)
    expected = calc_web.compute(params, [])
    for name in bad_names:
        control = next(c for c in controls if c["name"] == name)
        assert page.locator(f"#{control['id']}").get_attribute("aria-invalid") == "true"
        err = page.locator(f"#{control['id']}-error")
        assert err.is_visible() and err.inner_text() == expected["errors"][name]
    notice = page.locator("[data-calc-page-errors]")
    assert notice.is_visible() and expected["errors"]["no_such_param"] in notice.inner_text()
    # The valid rest of the URL applies (bad values fall back to their defaults).
    assert_outputs(page, calc_web, params)
    assert_clean_text(page)


# --------------------------------------------------------------------------- navigation


def test_instant_navigation_boots_python_once(page, base_url, calc_web, guard, pages):
    """Moving through every page by its navigation link keeps one document and one worker."""
    page.goto(base_url)
    wait_live(page)
    for path in pages:
        if path == "":
            continue
        target = base_url + path
        link = page.evaluate_handle(
            "(t) => [...document.querySelectorAll('.md-nav a[href]')]"
            ".find(a => a.href === t && a.offsetParent !== null) || null",
            target,
        ).as_element()
        assert link is not None, f"no visible navigation link to {target}"
        link.click()
        page.wait_for_url(target)
        wait_live(page)
        assert_outputs(page, calc_web, {})
    assert page.evaluate("window.__calcBoots") == 1
    # The document was never reloaded, and the Pyodide core was fetched once.
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    wasm = [u for u in guard.requests if u.endswith("pyodide.asm.wasm")]
    assert len(wasm) == 1, wasm


# --------------------------------------------------------------------------- file://


def test_file_url_shows_built_numbers_and_notice(browser, calc_web, site):
    ctx = browser.new_context()
    errors = []
    try:
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((site / "index.html").as_uri())
        notice = page.locator("[data-calc-notice]")
        notice.wait_for(state="visible")
        assert "./dev.sh serve" in notice.inner_text()
        assert page.evaluate("document.documentElement.dataset.calcState") == "static"
        entries = collect_outputs(page)
        bad = mismatches(entries, expected_for(calc_web, {}, entries))
        assert not bad, "\n".join(bad)
        assert not errors, errors
    finally:
        ctx.close()


# The README's pictures (phone and desktop) are taken by test_readers.py.

