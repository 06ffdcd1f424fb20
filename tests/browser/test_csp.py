"""The strict Content-Security-Policy (issue 11): a ``<meta>`` on every built page, written by
the build (``site_csp.py``) from whatever inline scripts exist then; every page loads, goes
live and navigates under it without a single violation report; the header value documented
for hosts works too, and the Python worker needs its ``'wasm-unsafe-eval'``."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest

import conftest
import site_csp
from site_helpers import wait_live

ROOT = Path(__file__).resolve().parents[2]
HEADER_FILE = ROOT / "build" / "csp-header.txt"

#: collects every violation report, from the very start of each document
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} ${e.sample || ''}`.trim());
});
"""

META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


def _policy_of(text: str) -> str:
    import html

    found = META.findall(text)
    assert len(found) == 1, f"{len(found)} CSP meta elements"
    return html.unescape(found[0])


def _directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_every_page_carries_the_strict_policy(site):
    """Every HTML page: one policy meta before any script; scripts and styles from the site
    itself or by hash, never 'unsafe-inline' or 'unsafe-eval'; every executable inline
    script's hash listed; no inline style attribute left; no frame-ancestors (a <meta> cannot
    carry it, and the site may be embedded)."""
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        text = page.read_text("utf-8")
        policy = _policy_of(text)
        d = _directives(policy)
        assert d["default-src"] == ["'self'"], page
        assert d["object-src"] == ["'none'"] and d["base-uri"] == ["'self'"], page
        assert d["worker-src"] == ["'self'"], page
        assert "frame-ancestors" not in d
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, page
        assert text.index("Content-Security-Policy") < text.index("<script"), page
        for script in site_csp._inline_scripts(text):
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in d["script-src"], (page, script[:60])
        assert not re.search(r"<[a-z][^>]*\sstyle=", text), page


def test_one_policy_for_every_page(site):
    """The same policy on every page (instant navigation runs later pages under the first
    page's policy), and build/csp-header.txt is it plus 'wasm-unsafe-eval' for the worker."""
    policies = {_policy_of(p.read_text("utf-8")) for p in site.rglob("*.html")}
    assert len(policies) == 1
    (meta,) = policies
    header = HEADER_FILE.read_text().strip()
    assert header == meta.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def test_every_page_live_under_the_policy_without_violations(context, base_url, pages, guard):
    """Each page loaded fresh (its worker booted, its charts drawn, its math laid out), then
    every page again through instant navigation in one document: no violation report."""
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(30000)
    for path in pages:
        page.goto(base_url + path)
        wait_live(page)
        assert _violations(page) == [], (path, _violations(page))
    page.goto(base_url)
    wait_live(page)
    for path in pages:
        if not path:
            continue
        target = base_url + path
        page.evaluate("(t) => [...document.querySelectorAll('.md-nav a[href]')].find(a => a.href === t).click()", target)
        page.wait_for_url(target)
        wait_live(page)
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert _violations(page) == []
    page.goto(base_url + "404.html")
    assert _violations(page) == []


def test_math_keeps_its_layout_without_inline_styles(context, base_url, pages):
    """KaTeX's inline styles now come from classes: every moved declaration computes to the
    same value as the inline style did (a twin element given the declarations through CSSOM,
    which the policy allows, is the reference), so the math is laid out as before."""
    page = context.new_page()
    checked = 0
    for path in pages:
        page.goto(base_url + path)
        bad = page.evaluate(r"""() => {
          const css = document.querySelector('style[data-csp-inline-styles]');
          if (!css) return {checked: 0, bad: []};
          const rules = {};
          for (const m of css.textContent.matchAll(/\.(csp-s[0-9a-f]+)\{([^}]*)\}/g)) rules[m[1]] = m[2];
          const bad = [];
          let checked = 0;
          for (const el of document.querySelectorAll('[class*="csp-s"]')) {
            const cls = [...el.classList].find((c) => c in rules);
            const decls = rules[cls].split(';').map((d) => d.replace('!important', '').split(':'));
            const twin = el.cloneNode(false);
            twin.classList.remove(cls);
            twin.style.cssText = decls.map(([k, v]) => `${k}:${v}`).join(';');
            el.parentNode.insertBefore(twin, el);
            const a = getComputedStyle(el), b = getComputedStyle(twin);
            for (const [k] of decls) if (a.getPropertyValue(k) !== b.getPropertyValue(k)) bad.push(`${cls} ${k}: ${a.getPropertyValue(k)} != ${b.getPropertyValue(k)}`);
            twin.remove();
            checked++;
          }
          return {checked, bad};
        }""")
        assert bad["bad"] == [], (path, bad["bad"][:5])
        checked += bad["checked"]
    assert checked > 100, checked


def _with_header(context, policy: str) -> None:
    """Serve every response with the policy as a header as well (what a host would add)."""
    def handler(route):
        try:
            if not route.request.url.startswith("http://127.0.0.1"):
                route.abort()
                return
            response = route.fetch()
            route.fulfill(response=response, headers={**response.headers, "content-security-policy": policy})
        except Exception as e:  # the context closing under a request still in flight
            if "closed" not in str(e) and "disposed" not in str(e):
                raise

    context.route("**/*", handler)


def test_documented_header_works_for_pages_and_the_worker(browser, base_url, guard):
    """With build/csp-header.txt sent as a header on every response, the worker script too,
    pages go live without violations: the worker compiles WebAssembly under its own policy."""
    header = HEADER_FILE.read_text().strip()
    ctx = conftest._guarded_context(browser, guard)
    try:
        _with_header(ctx, header)
        ctx.add_init_script(WATCH_VIOLATIONS)
        page = ctx.new_page()
        page.set_default_timeout(30000)
        page.goto(base_url + "calculator/")
        wait_live(page)
        assert _violations(page) == []
    finally:
        ctx.close()
    guard.check()


def test_worker_without_wasm_unsafe_eval_cannot_start(browser, base_url):
    """The control: the page policy alone sent as the worker's header (no
    'wasm-unsafe-eval') stops Pyodide from compiling its WebAssembly, and the page does not
    go live. So the header's extra source is needed, and the policy is really enforced.
    (Pyodide then never settles; a boot timeout is the runtime's to add.)"""
    meta = HEADER_FILE.read_text().strip().replace(" 'wasm-unsafe-eval'", "")
    ctx = browser.new_context()
    try:
        _with_header(ctx, meta)
        page = ctx.new_page()
        with page.expect_event("console", predicate=lambda m: "WebAssembly" in m.text and "Content Security" in m.text,
                               timeout=120_000):
            page.goto(base_url + "calculator/")
        assert page.evaluate("document.documentElement.dataset.calcState") != "live"
    finally:
        ctx.close()
