"""Helpers shared by the browser tests: read the page's widgets and outputs, compute the
expected values with calc in the test process, and compare."""
from __future__ import annotations

import json
import math
import os
from urllib.parse import parse_qsl, urlsplit

# Time allowed for Pyodide to boot (a cold boot takes ~3 s here; slow CI machines get slack).
LIVE_TIMEOUT_MS = int(os.environ.get("CALC_LIVE_TIMEOUT_MS", "90000"))

# Every [data-output] element with the calculation and overrides it resolves to.
COLLECT_OUTPUTS_JS = r"""
() => [...document.querySelectorAll('[data-output]')].map((el) => {
  const calcEl = el.closest('[data-calc]');
  const chain = [];
  for (let e = el; e; e = e.parentElement) if (e.hasAttribute && e.hasAttribute('data-params')) chain.push(e);
  const overrides = {};
  for (const e of chain.reverse()) Object.assign(overrides, JSON.parse(e.getAttribute('data-params')));
  const isChart = el.hasAttribute('data-chart');
  const widget = el.closest('[data-widget]');
  return {
    path: el.getAttribute('data-output'),
    calc: calcEl ? calcEl.getAttribute('data-calc') : null,
    overrides,
    chart: isChart ? JSON.parse(el.getAttribute('data-value')) : null,
    svg: isChart ? !!el.querySelector('svg') : null,
    text: isChart ? null : el.textContent,
    value: el.getAttribute('data-value'),
    stale: el.hasAttribute('data-stale'),
    widget: widget ? widget.id : null,
  };
})
"""

COLLECT_CONTROLS_JS = r"""
() => [...document.querySelectorAll('[data-widget] [name]')]
  .filter((c) => c.matches('input, select') && !c.hasAttribute('data-link'))
  .map((c) => ({
    id: c.id, name: c.name, tag: c.tagName.toLowerCase(), value: c.value,
    widget: c.closest('[data-widget]').id,
    invalid: c.getAttribute('aria-invalid'),
    options: c.tagName === 'SELECT' ? [...c.options].map((o) => o.value) : null,
  }))
"""

BAD_TEXT = ("NaN", "Infinity", "Traceback", "undefined")


def item_key(entry) -> str:
    return entry["calc"] + "|" + json.dumps(entry["overrides"], sort_keys=True)


def collect_outputs(page) -> list[dict]:
    return page.evaluate(COLLECT_OUTPUTS_JS)


def collect_controls(page) -> list[dict]:
    return page.evaluate(COLLECT_CONTROLS_JS)


def expected_for(calc_web, params: dict, entries: list[dict]) -> dict:
    items, seen = [], set()
    for e in entries:
        k = item_key(e)
        if k not in seen:
            seen.add(k)
            items.append({"key": k, "calc": e["calc"], "overrides": e["overrides"]})
    return calc_web.compute(params, items)


def close(a, b, rel=1e-9) -> bool:
    """Raw values equal up to float noise (the browser runs a different libm)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, rel) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], rel) for k in a)
    return a == b


def parse_attr(raw: str | None, like):
    if raw is None:
        return None
    if isinstance(like, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def mismatches(entries: list[dict], response: dict, check_text: bool = True) -> list[str]:
    """What differs between the page's outputs and calc's response ([] when all equal)."""
    bad = []
    for e in entries:
        where = f"{e['widget'] or 'prose'}: {e['calc']}{e['overrides'] or ''} {e['path']}"
        item = response["items"].get(item_key(e))
        if item is None or "error" in item:
            bad.append(f"{where}: calc gives an error: {item}")
            continue
        out = item["outputs"].get(e["path"])
        if out is None:
            bad.append(f"{where}: calc has no such output")
            continue
        if e["chart"] is not None:
            if not close(e["chart"], out["value"]):
                bad.append(f"{where}: chart data differs")
            if not e["svg"]:
                bad.append(f"{where}: chart not drawn")
            continue
        got = parse_attr(e["value"], out["value"])
        if not close(got, out["value"]):
            bad.append(f"{where}: data-value {e['value']!r} != {out['value']!r}")
        if check_text and e["text"] != out["text"]:
            bad.append(f"{where}: text {e['text']!r} != {out['text']!r}")
    return bad


def assert_outputs(page, calc_web, params: dict, check_text: bool = True) -> list[dict]:
    entries = collect_outputs(page)
    response = expected_for(calc_web, params, entries)
    bad = mismatches(entries, response, check_text)
    assert not bad, f"{page.url}: outputs differ from calc for {params}:\n  " + "\n  ".join(bad)
    return entries


def wait_live(page, timeout: int = LIVE_TIMEOUT_MS) -> None:
    try:
        page.wait_for_function(
            "() => { const d = document.documentElement.dataset;"
            " return (d.calcState === 'live' && d.calcLivePath === location.pathname) || d.calcState === 'failed'; }",
            timeout=timeout,
        )
    except Exception as e:
        info = page.evaluate(
            "() => JSON.stringify({data: {...document.documentElement.dataset}, path: location.pathname,"
            " boots: window.__calcBoots, timings: window.__calcTimings,"
            " page: window.__calcPage && {gen: window.__calcPage.gen, inflight: window.__calcPage.inflight,"
            " dirty: window.__calcPage.dirty, seen: window.__calcPage.seen}})"
        )
        raise AssertionError(f"{page.url} did not go live: {info}") from e
    state = page.evaluate("document.documentElement.dataset.calcState")
    assert state == "live", f"{page.url}: calcState is {state!r}, not live"


def updates(page) -> int:
    return int(page.evaluate("Number(document.documentElement.dataset.calcUpdates || 0)"))


def wait_update(page, before: int, timeout: int = 15000) -> None:
    page.wait_for_function(
        "(before) => Number(document.documentElement.dataset.calcUpdates || 0) > before"
        " && window.__calcPage && !window.__calcPage.inflight && !window.__calcPage.dirty",
        arg=before,
        timeout=timeout,
    )


def set_control(page, control: dict, value) -> None:
    before = updates(page)
    loc = page.locator(f"#{control['id']}")
    # a reader opens a collapsed group (<details>) to reach the inputs inside it
    loc.evaluate("(e) => { const d = e.closest('details'); if (d) d.open = true; }")
    if control["tag"] == "select":
        loc.select_option(str(value))
    else:
        loc.fill(str(value))
    wait_update(page, before)


def query_params(url: str) -> dict:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def schema_by_name(calc_web) -> dict:
    return {p["name"]: p for p in calc_web.param_schema()}


def alternative(calc_web, param: dict, current):
    """A valid value of `param` different from `current` (None if there is none)."""
    name = param["name"]
    if param["kind"] == "choice":
        for c in param["choices"]:
            if c != current:
                return c
        return None
    cands = []
    if isinstance(current, (int, float)) and not isinstance(current, bool):
        cands += [current * 2, current / 2, current + (param.get("step") or 1), current - (param.get("step") or 1)]
    cands += [param.get("max"), param.get("min")]
    for c in cands:
        if c is None:
            continue
        if param["kind"] == "int":
            c = int(round(c))
        elif float(c).is_integer():
            c = float(c)
        if c == current:
            continue
        if name not in calc_web.compute({name: c}, [])["errors"]:
            return c
    return None


def bad_values(param: dict) -> list[str]:
    if param["kind"] == "choice":
        return ["no-such-choice"]
    out = ["", "abc"]
    if param.get("max") is not None:
        out.append(repr(param["max"] * 10 + 1))
    elif param.get("min") is not None:
        out.append(repr(param["min"] - 1))
    return out


def assert_clean_text(page) -> None:
    text = page.inner_text("body")
    for word in BAD_TEXT:
        assert word not in text, f"{page.url}: page text contains {word!r}"
    values = page.evaluate(
        "[...document.querySelectorAll('[data-value]')].map(e => [e.getAttribute('data-value'), e.textContent])")
    for v, text in values:
        assert v not in ("NaN", "Infinity", "-Infinity", "undefined"), f"{page.url}: data-value {v!r}"
        # null: not applicable (e.g. no comparison with a measurement of another setting), said in words
        assert v != "null" or text.strip(), f"{page.url}: data-value null with no text"


def depends(calc_mod, entry: dict, name: str) -> bool:
    return name in calc_mod.CALCULATIONS[entry["calc"]].params and name not in entry["overrides"]
