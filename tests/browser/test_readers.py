"""Every reader, every screen (issue 8): phone to wide screen, light and dark, print,
accessibility (axe-core), plain words, zeros that say why, named scenarios.

Pages are discovered from the built site, as in test_site.py. Screenshots at 390 px and
1280 px in both schemes go to test-results/screenshots/ (gitignored); the two the README
shows go to docs-img/.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import conftest
from site_helpers import expected_for, updates, wait_live, wait_update

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-results" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = conftest.site_pages(conftest.build.SITE) if (conftest.build.SITE / "index.html").exists() else [""]
WIDTHS = (1280, 768, 390, 320)
MIN_CHART_TEXT_PX = 11


def page_id(path: str) -> str:
    return path.strip("/") or "home"


def pages_param():
    return pytest.mark.parametrize("path", PAGES, ids=[page_id(p) for p in PAGES])


# Geometry of the page as the reader sees it at the current viewport.
LAYOUT_JS = r"""
() => {
  const doc = document.documentElement;
  const vw = doc.clientWidth;
  const out = {vw, docScroll: doc.scrollWidth, bodyScroll: document.body.scrollWidth, outside: [], smallText: [],
               charts: 0, textOutside: []};
  for (const el of document.querySelectorAll('[data-output]')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not displayed (a closed group, the phone summary on a wide screen)
    if (r.left < -0.5 || r.right > vw + 0.5) {
      out.outside.push({output: el.dataset.output, left: Math.round(r.left), right: Math.round(r.right), text: el.textContent.slice(0, 40)});
    }
  }
  for (const svg of document.querySelectorAll('svg.calc-svg')) {
    out.charts += 1;
    const box = svg.getBoundingClientRect();
    const scale = box.width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim()) continue;
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (px < 11) out.smallText.push({text: t.textContent, px: Math.round(px * 10) / 10});
      const r = t.getBoundingClientRect();
      if (r.width && (r.left < box.left - 1 || r.right > box.right + 1)) out.textOutside.push(t.textContent);
    }
  }
  return out;
}
"""


def _settle(page) -> None:
    """Let resize observers redraw charts and reflow tables (two animation frames)."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50))))")


def _layout_problems(page, width: int) -> list[str]:
    g = page.evaluate(LAYOUT_JS)
    if g["docScroll"] > g["vw"] or g["outside"] or g["smallText"] or g["textOutside"]:
        # The theme animates some widths (the search box: 0.25 s) after a resize: judge the
        # page once that is over, not mid-transition.
        page.wait_for_timeout(600)
        g = page.evaluate(LAYOUT_JS)
    bad = []
    if g["docScroll"] > g["vw"] or g["bodyScroll"] > g["vw"]:
        bad.append(f"{width}px: the page scrolls sideways ({g['docScroll']} px wide in {g['vw']} px)")
    for o in g["outside"]:
        bad.append(f"{width}px: output {o['output']} ({o['text']!r}) at {o['left']}..{o['right']} px, outside 0..{g['vw']}")
    for t in g["smallText"]:
        bad.append(f"{width}px: chart text {t['text']!r} is {t['px']} px (< {MIN_CHART_TEXT_PX})")
    for t in g["textOutside"]:
        bad.append(f"{width}px: chart text {t!r} runs outside its chart")
    return bad


def _open_groups(page) -> None:
    page.evaluate("document.querySelectorAll('.calc-widget details').forEach((d) => { d.open = true; })")


# --------------------------------------------------------------------------- layout


def test_every_id_is_unique_in_every_page(site, pages):
    """Anchors must lead somewhere definite: no widget shares its id with a heading."""
    import collections

    for path in pages:
        html = (site / path / "index.html").read_text("utf-8")
        ids = collections.Counter(re.findall(r'\sid="([^"]+)"', html))
        twice = sorted(k for k, n in ids.items() if n > 1)
        assert not twice, f"{path or 'home'}: ids used more than once: {twice}"


@pages_param()
def test_layout_from_320_px_to_wide_and_screenshots(page, base_url, path):
    """At 1280, 768, 390 and 320 px: the document never scrolls sideways, every result
    ([data-output]) lies inside the viewport's width, chart text is at least 11 CSS px and
    stays inside its chart (charts are redrawn for the new width). Collapsed groups are
    opened first, so their contents are checked too. Saves screenshots at 390 and 1280 px
    in the light and the dark scheme."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.emulate_media(color_scheme="light")
    page.goto(base_url + path)
    wait_live(page)
    _open_groups(page)
    bad = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _settle(page)
        bad += _layout_problems(page, width)
        if width in (390, 1280):
            page.screenshot(path=str(SHOTS / f"{page_id(path)}-{width}-light.png"), full_page=True)
    page.emulate_media(color_scheme="dark")
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        _settle(page)
        bad += _layout_problems(page, width)
        page.screenshot(path=str(SHOTS / f"{page_id(path)}-{width}-dark.png"), full_page=True)
    assert not bad, f"{path or 'home'}:\n  " + "\n  ".join(bad)


def test_readme_screenshots_phone_and_desktop(page, base_url, pages):
    """The two pictures the README shows: the Calculator on a phone (390 px, results in the
    compact summary while an input is in view) and on a desktop (1280 px)."""
    path = next((p for p in pages if "calculator" in p), None)
    if path is None:
        pytest.skip("no calculator page")
    out = ROOT / "docs-img"
    out.mkdir(exist_ok=True)
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base_url + path)
    wait_live(page)
    page.evaluate("window.scrollTo(0, document.querySelector('#tool').getBoundingClientRect().top + scrollY - 56)")
    _settle(page)
    page.screenshot(path=str(out / "calculator-phone.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.evaluate("window.scrollTo(0, 0)")
    _settle(page)
    page.screenshot(path=str(out / "calculator.png"))
    for name in ("calculator-phone.png", "calculator.png"):
        assert (out / name).stat().st_size > 10_000


def test_results_stay_in_view_while_inputs_change(page, base_url, pages):
    """Calculator: with the last input group in view, the key results are on screen too: the
    results column on a wide screen (sticky), the compact summary on a phone."""
    path = next((p for p in pages if "calculator" in p), None)
    if path is None:
        pytest.skip("no calculator page")
    page.goto(base_url + path)
    wait_live(page)
    in_view = """(sel) => { const e = document.querySelector(sel); const r = e.getBoundingClientRect();
                  return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; }"""
    for width, results in ((1280, ".calc-results [data-output='tokens_per_s_per_gpu'][data-calc='tight']"),
                           (390, ".calc-summary [data-output='tokens_per_s_per_gpu'][data-calc='tight']")):
        page.set_viewport_size({"width": width, "height": 800})
        field = page.locator("#tool-net_efficiency")
        field.scroll_into_view_if_needed()
        _settle(page)
        assert page.evaluate(in_view, "#tool-net_efficiency")
        assert page.evaluate(in_view, results), f"{width}px: the tight bound is off screen while editing"
        before = updates(page)
        field.fill("0.5")
        wait_update(page, before)
        assert page.evaluate(in_view, results)
        before = updates(page)
        field.fill("1")
        wait_update(page, before)


# --------------------------------------------------------------------------- schemes and print


def test_dark_mode_toggle_persists_across_pages(page, base_url, pages):
    """The header toggle goes from the system's scheme to light to dark; the choice holds on
    the next page (instant navigation) and after a full reload; widgets follow it."""
    page.emulate_media(color_scheme="light")
    page.goto(base_url)
    wait_live(page)
    scheme = "document.body.getAttribute('data-md-color-scheme')"
    assert page.evaluate(scheme) == "default"
    for _ in range(3):
        if page.evaluate(scheme) == "slate":
            break
        page.locator("form[data-md-component='palette'] label:not([hidden])").click()
    assert page.evaluate(scheme) == "slate"
    other = next(p for p in pages if p and "calculator" in p) if any("calculator" in p for p in pages) else pages[-1]
    page.locator(f".md-nav a[href$='{other}']").first.click()
    page.wait_for_url(base_url + other)
    wait_live(page)
    assert page.evaluate(scheme) == "slate"
    page.reload()
    wait_live(page)
    assert page.evaluate(scheme) == "slate"
    bg = page.evaluate("getComputedStyle(document.querySelector('.calc-widget')).backgroundColor")
    rgb = [int(v) for v in re.findall(r"\d+", bg)[:3]]
    assert sum(rgb) / 3 < 80, f"widget background {bg} is not dark"


CONTROLS_VISIBLE_JS = r"""
() => [...document.querySelectorAll('input, select, textarea, button, summary, label.md-header__button, .calc-status')]
  .filter((e) => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
                   return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'; })
  .map((e) => e.outerHTML.slice(0, 80))
"""


def test_print_shows_no_controls_and_full_width_charts(page, base_url, pages):
    """In print media no control is visible (inputs, selects, buttons, the scenario picker,
    the status indicator), results stay, and charts span the text column."""
    shown = "[...document.querySelectorAll('.calc-results [data-output]')].filter(e => e.getBoundingClientRect().height > 0).length"
    for path in pages:
        page.goto(base_url + path)
        wait_live(page)
        on_screen = page.evaluate(shown)
        page.emulate_media(media="print")
        visible = page.evaluate(CONTROLS_VISIBLE_JS)
        assert not visible, f"{path or 'home'}: controls visible in print: {visible}"
        widths = page.evaluate("""() => [...document.querySelectorAll('svg.calc-svg')].map((s) =>
            [s.getBoundingClientRect().width, s.closest('.md-content__inner').getBoundingClientRect().width])""")
        for svg_w, col_w in widths:
            assert svg_w > 0.85 * col_w, f"{path}: chart {svg_w:.0f} px wide in a {col_w:.0f} px column"
        assert page.evaluate(shown) == on_screen, f"{path or 'home'}: results missing in print"
        page.emulate_media(media="screen")


# --------------------------------------------------------------------------- accessibility


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pages_param()
def test_axe_no_serious_or_critical_violations(browser, guard, base_url, path, scheme):
    """axe-core (pinned in package.json, injected by the test, never shipped in the site)
    finds no serious or critical violation, colour contrast included, in either scheme."""
    assert AXE.exists(), "node_modules/axe-core is missing: run npm ci (./dev.sh does it)"
    ctx = conftest._guarded_context(browser, guard, color_scheme=scheme)
    try:
        page = ctx.new_page()
        page.set_default_timeout(30000)
        page.goto(base_url + path)
        wait_live(page)
        want = "slate" if scheme == "dark" else "default"
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == want
        # evaluated through the debugging protocol: the page's CSP refuses an inline <script>
        page.evaluate(AXE.read_text("utf-8"))
        assert page.evaluate("typeof window.axe") == "object"
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n').slice(1, 2).join(''))}));
        }""")
    finally:
        ctx.close()
    guard.check()
    lines = [f"{v['impact']} {v['id']}: {v['help']}\n      " + "\n      ".join(v["nodes"]) for v in result]
    assert not result, f"{path or 'home'} ({scheme}):\n  " + "\n  ".join(lines)


# --------------------------------------------------------------------------- plain words


TEXT_OUTSIDE_CODE_JS = r"""
() => {
  const body = document.querySelector('.md-content') || document.body;
  const copy = body.cloneNode(true);
  // Code blocks and command lines are code: they may use parameter names.
  copy.querySelectorAll('pre, script, style').forEach((e) => e.remove());
  copy.querySelectorAll('code').forEach((e) => { if (/^(python -m calc|calc |--)/.test(e.textContent.trim())) e.remove(); });
  copy.querySelectorAll('.katex-mathml').forEach((e) => e.remove());
  document.body.appendChild(copy);
  copy.style.position = 'absolute'; copy.style.left = '-99999px';
  const text = copy.innerText;
  copy.remove();
  return text;
}
"""


@pages_param()
def test_no_parameter_ids_where_a_label_belongs(page, base_url, calc_web, path):
    """No page text outside code blocks and command lines contains a schema parameter id
    (seq_len, gpu_hour_usd, ...): the pages say "Context length", "GPU price". Ids that are
    ordinary English words (model, overlap) cannot be told apart from prose and are skipped.
    Dropdowns show the schema's human names, the option values stay the ids."""
    page.goto(base_url + path)
    wait_live(page)
    _open_groups(page)
    text = page.evaluate(TEXT_OUTSIDE_CODE_JS)
    schema = {p["name"]: p for p in calc_web.param_schema()}
    words = {"model", "overlap"}
    found = sorted(n for n in schema if n not in words and re.search(r"(?<![\w-])" + re.escape(n) + r"(?![\w-])", text))
    assert not found, f"{path or 'home'}: parameter ids in the page text: {found}"
    options = page.evaluate("""() => [...document.querySelectorAll('[data-widget] select[name] option')]
        .map((o) => [o.parentElement.name, o.value, o.textContent.trim()])""")
    for name, value, shown in options:
        labels = schema[name].get("choice_labels")
        if labels:
            assert shown == labels[schema[name]["choices"].index(value)], (name, value, shown)
        if name in ("gpu", "kv_dtype", "gemm_dtype", "attn_dtype"):  # (a model may be named as its id: gpt-oss-120b)
            assert shown != value, f"{name}: option {value!r} shows its id"


# --------------------------------------------------------------------------- zeros that say why


def test_llama_70b_on_one_h800_says_the_weights_do_not_fit(page, base_url, calc_web, pages):
    """Calculator: Llama 3.1 70B on one H800 (attention tensor-parallel degree 1) gives zero
    throughput and a line that says the weights do not fit and names the input that fixes
    it; following it (raising that degree to the value named) gives a non-zero bound."""
    import calc

    path = next((p for p in pages if "calculator" in p), None)
    if path is None:
        pytest.skip("no calculator page")
    page.goto(base_url + path)
    wait_live(page)
    before = updates(page)
    page.locator("#tool-model").select_option("llama-3.1-70b")
    wait_update(page, before)
    state = {"model": "llama-3.1-70b", "gpu": "h800", "tp": 1}
    note = page.locator(".calc-results [data-output='note']")
    assert note.is_visible()
    text = note.inner_text()
    expected = expected_for(calc_web, {"model": "llama-3.1-70b"}, [{"calc": "notes", "overrides": {}}])
    assert text == expected["items"]["notes|{}"]["outputs"]["note"]["text"]
    assert "weights do not fit" in text
    tp_label = calc.PARAMS["tp"].label
    assert tp_label in text and calc.PARAMS["gpu"].label in text
    tight = page.locator(".calc-results [data-output='tokens_per_s_per_gpu'][data-calc='tight']")
    assert tight.get_attribute("data-value") == "0"
    assert calc.evaluate("tight", state)["tokens_per_s_per_gpu"] == 0
    fix = int(re.search(re.escape(tp_label) + r"\u201d to (\d+)", text).group(1))
    before = updates(page)
    page.locator("#tool-tp").fill(str(fix))
    wait_update(page, before)
    assert float(tight.get_attribute("data-value")) > 0
    assert "do not fit" not in note.inner_text()


# --------------------------------------------------------------------------- scenarios


def test_scenario_sets_the_whole_state_and_matches_validation(page, base_url, calc_web, pages):
    """Choosing a named scenario sets every input at once (the URL holds it); its tight bound
    is the Validation page's figure for that deployment; editing an input turns the picker
    back to Custom; opening the scenario's URL shows the scenario chosen."""
    import calc
    from calc.scenarios import SCENARIOS

    path = next((p for p in pages if "calculator" in p), None)
    if path is None or not any("validation" in p for p in pages):
        pytest.skip("no calculator or validation page")
    page.goto(base_url + "validation/")
    wait_live(page)
    key = "sglang-h100-ep72"
    published = page.locator(f"[data-output='rows.{key}.tight_tokens_per_s_per_gpu']").first.inner_text()

    page.goto(base_url + path)
    wait_live(page)
    picker = page.locator("#tool-scenario")
    assert picker.input_value() == "defaults"
    before = updates(page)
    picker.select_option(key)
    wait_update(page, before)
    page.wait_for_function("() => !window.__calcPage.inflight && !window.__calcPage.dirty")
    tight = page.locator(".calc-results [data-output='tokens_per_s_per_gpu'][data-calc='tight']")
    assert tight.inner_text() == published
    state = SCENARIOS[key].state()
    for name in calc.CALCULATIONS["tight"].params:
        field = page.locator(f"#tool-{name}")
        if field.count():
            shown = calc_web.compute({name: field.input_value()}, [])["state"][name]
            assert shown == state[name], (name, shown, state[name])
    assert SCENARIOS[key].description.split(".")[0] in page.locator("[data-scenario-about]").inner_text()
    url = page.url
    before = updates(page)
    page.locator("#tool-seq_len").fill("3000")
    wait_update(page, before)
    assert picker.input_value() == ""
    page.goto(url)
    wait_live(page)
    assert page.locator("#tool-scenario").input_value() == key


# --------------------------------------------------------------------------- same figure, same settings


@pytest.mark.parametrize("path,link,widget,output", [
    ("placement/", "open it at the worked example", "placement", "tokens_per_s_per_gpu"),
    ("fp8-mtp/", "open it in that state", "multipliers", "combined_multiplier"),
])
def test_text_figure_and_widget_agree_through_the_link_beside_it(page, base_url, path, link, widget, output):
    """Where a widget starts from other settings than the text's figure, the page says so and
    links the widget in the text's state; there the widget shows the text's figure."""
    if path not in PAGES:
        pytest.skip(f"no {path} page")
    page.goto(base_url + path)
    wait_live(page)
    prose = page.locator(f".md-content [data-output='{output}'][data-params]:not([data-widget] *)")
    figures = {prose.nth(i).inner_text() for i in range(prose.count())}
    in_widget = page.locator(f"#{widget} .calc-results [data-output='{output}']")
    assert in_widget.inner_text() not in figures  # the widget starts elsewhere, as the text says
    gen = page.evaluate("window.__calcPage.gen")
    page.get_by_text(link).click()
    # the link carries a query and the widget's anchor; the theme's scroll tracking may then
    # rewrite the anchor to the heading in view, so only the query is waited for
    page.wait_for_url(re.compile(r"\?[^#]+"))
    # the same path with a new query: wait for the page bound after the navigation to answer
    page.wait_for_function("(gen) => { const p = window.__calcPage; return p && p.gen > gen && p.seen && !p.inflight && !p.dirty; }",
                           arg=gen)
    assert in_widget.inner_text() in figures, (in_widget.inner_text(), figures)
    assert page.evaluate("window.__calcBoots") == 1


def test_parameter_counts_read_the_same_on_the_site_and_the_command_line(site):
    """House style, one place (calc.fmt): Kimi K2's 1,026 billion parameters read "1,026 B"
    on the Reference page and in `python -m calc presets`."""
    import subprocess
    import sys

    import calc

    text = calc.fmt.value(calc.MODELS["kimi-k2"].total_params, "params")
    assert text == "1,026\u00a0B"
    cli = subprocess.run([sys.executable, "-m", "calc", "presets"], capture_output=True, text=True, cwd=ROOT)
    assert text in cli.stdout
    html = (site / "reference" / "index.html").read_text("utf-8")
    assert text in html.replace("&nbsp;", "\u00a0")
