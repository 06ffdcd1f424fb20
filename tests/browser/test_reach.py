"""Reach (issue 9): the site published at a subpath on a stock static server, offline after
one visit, a rebuilt site never mixed with the old one, embeds on another origin, honest
numbers while Python starts (pending state, bounded boot with Retry), the offline bundle.
"""
from __future__ import annotations

import http.server
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

import pytest

import conftest
from site_helpers import (
    LIVE_TIMEOUT_MS,
    alternative,
    assert_outputs,
    close,
    collect_controls,
    collect_outputs,
    schema_by_name,
    set_control,
    wait_live,
)

ROOT = Path(__file__).resolve().parents[2]
BUILD_PY = ROOT / "build.py"
OFFLINE_READY = "() => document.documentElement.dataset.calcOffline === 'ready'"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


def run_build(*args) -> None:
    subprocess.run([sys.executable, str(BUILD_PY), "build", *map(str, args)], check=True, cwd=str(ROOT),
                   stdout=subprocess.DEVNULL)


def pages_with_inputs(site: Path) -> list[str]:
    """Content pages whose widgets have a text input (from the built HTML, no browser)."""
    out = []
    for path in conftest.site_pages(site):
        text = (site / path / "index.html").read_text("utf-8")
        if re.search(r'data-widget="[^"]+"', text) and 'data-kind="' in text:
            out.append(path)
    return out


def change_one_input(page, calc_web) -> dict:
    """Change the first numeric input to another valid value; returns the new params."""
    control = next(c for c in collect_controls(page) if c["tag"] == "input")
    schema = schema_by_name(calc_web)
    new = alternative(calc_web, schema[control["name"]], calc_web.defaults()[control["name"]])
    set_control(page, control, new)
    return {control["name"]: new}


def nav_link(page, target: str):
    return page.evaluate_handle(
        "(t) => [...document.querySelectorAll('.md-nav a[href]')].find(a => a.href === t && a.offsetParent !== null) || null",
        target,
    ).as_element()


# --------------------------------------------------------------------------- publish


@pytest.fixture(scope="module")
def subpath_site(tmp_path_factory):
    """The site built for http://127.0.0.1:PORT/llm-serving/ and served at that subpath by
    Python's stock `http.server` (no sitemap rewriting, no project code), on a random port."""
    port = free_port()
    root = tmp_path_factory.mktemp("published")
    url = f"http://127.0.0.1:{port}/llm-serving/"
    run_build("--site-url", url, "--site-dir", root / "llm-serving", "--no-precompress")
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
        yield url, root / "llm-serving"
    finally:
        proc.terminate()
        proc.wait(10)


def test_subpath_build_on_a_stock_static_server_boots_python_once(new_context, calc_web, subpath_site):
    """Built with --site-url for a subpath and served by `python -m http.server`: clicking
    through at least five pages keeps one document and one Python boot, every page goes
    live with calc's figures, and no request fails."""
    url, site_dir = subpath_site
    assert "<loc>" + url + "speed-of-light/</loc>" in (site_dir / "sitemap.xml").read_text()
    page = new_context().new_page()
    failed = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}: {r.failure}"))
    page.goto(url)
    wait_live(page)
    targets = [url + p for p in conftest.site_pages(site_dir) if p]
    assert len(targets) >= 5, targets
    for target in targets:
        link = nav_link(page, target)
        assert link is not None, f"no navigation link to {target}"
        link.click()
        page.wait_for_url(target)
        wait_live(page)
        assert_outputs(page, calc_web, {})
    assert page.evaluate("window.__calcBoots") == 1
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # never reloaded
    assert not failed, failed


# --------------------------------------------------------------------------- offline


def test_offline_after_one_visit_every_page_opens_goes_live_and_recomputes(new_context, base_url, calc_web, site, guard):
    """One online visit, then with the network off: three other pages open (full loads),
    go live, recompute when an input changes, and instant navigation still works."""
    ctx = new_context()
    page = ctx.new_page()
    page.goto(base_url + "speed-of-light/")
    wait_live(page)
    page.wait_for_function(OFFLINE_READY, timeout=120000)
    assert "works offline" in page.locator("#calc-status").inner_text()

    ctx.set_offline(True)
    others = [p for p in pages_with_inputs(site) if p != "speed-of-light/"][:3]
    assert len(others) == 3, others
    for path in others:
        page.goto(base_url + path)
        wait_live(page)
        params = change_one_input(page, calc_web)
        assert_outputs(page, calc_web, params)
    target = base_url + "reference/"
    nav_link(page, target).click()
    page.wait_for_url(target)
    wait_live(page)
    assert_outputs(page, calc_web, {})
    # A page that does not exist gets the site's own 404 page, offline too.
    guard.allow_console.append("the server responded with a status of 404")
    response = page.goto(base_url + "no-such-page/")
    assert response.status == 404 and "404" in page.title() + page.inner_text("body")


def _built_and_shown(page) -> dict:
    """The page's pre-rendered numbers (its HTML as served to it, through the service worker)
    beside the numbers it shows, and the build of the page and of its Python package."""
    return page.evaluate("""async () => {
      const html = await (await fetch(location.href)).text();
      const doc = new DOMParser().parseFromString(html, "text/html");
      const values = (d) => [...d.querySelectorAll("[data-output]")].map((e) => e.getAttribute("data-value"));
      return {built: values(doc), shown: values(document),
              pageWheel: document.querySelector('meta[name="calc-wheel"]').content,
              servedWheel: doc.querySelector('meta[name="calc-wheel"]').content,
              workerWheel: document.documentElement.dataset.calcWheel};
    }""")


def _same_numbers(a: list, b: list) -> bool:
    def parse(v):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return len(a) == len(b) and all(close(parse(x), parse(y)) for x, y in zip(a, b))


def _assert_one_build(page, wheel: str) -> list:
    got = _built_and_shown(page)
    assert got["pageWheel"] == got["servedWheel"] == got["workerWheel"] == wheel, got
    # Default state: the live numbers are the build's own pre-rendered ones.
    assert _same_numbers(got["built"], got["shown"]), "live numbers differ from the page's own build"
    return got["built"]


def test_a_rebuilt_site_replaces_the_offline_copy_whole(new_context, tmp_path):
    """Build A, visit (offline copy saved); rebuild B with a changed calc: the next visit is
    still all A (page, numbers, Python package) and tells the reader a newer version is ready;
    its Reload switches every part to B. No page ever mixes the two builds."""
    site_dir = tmp_path / "site"
    run_build("--site-dir", site_dir, "--no-precompress")
    wheel_a = json.loads((site_dir / "build-info.json").read_text())["sha256"]
    server, base = conftest.build.serve_in_thread(site_dir)
    try:
        page = new_context().new_page()
        page.goto(base + "speed-of-light/")
        wait_live(page)
        page.wait_for_function(OFFLINE_READY, timeout=120000)
        built_a = _assert_one_build(page, wheel_a)

        # Build B: the same project with another default context length.
        src = tmp_path / "calc_b"
        shutil.copytree(ROOT / "calc", src / "calc", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy2(ROOT / "pyproject.toml", src / "pyproject.toml")
        with open(src / "calc" / "schema.py", "a") as f:
            f.write("\nimport dataclasses as _dc\n"
                    "PARAMS['seq_len'] = _dc.replace(PARAMS['seq_len'], default=PARAMS['seq_len'].default * 2)\n")
        run_build("--site-dir", site_dir, "--no-precompress", "--calc-src", src)
        wheel_b = json.loads((site_dir / "build-info.json").read_text())["sha256"]
        assert wheel_b != wheel_a

        page.reload()
        wait_live(page)
        assert _assert_one_build(page, wheel_a) == built_a  # still the saved build A, whole
        page.locator("[data-calc-update]").wait_for(state="visible", timeout=120000)
        target = base + "placement/"
        nav_link(page, target).click()
        page.wait_for_url(target)
        wait_live(page)
        _assert_one_build(page, wheel_a)

        page.locator("[data-calc-update-reload]").click()
        page.wait_for_function(f"() => document.documentElement.dataset.calcWheel === '{wheel_b}'", timeout=LIVE_TIMEOUT_MS)
        wait_live(page)
        _assert_one_build(page, wheel_b)
        page.goto(base + "speed-of-light/")
        wait_live(page)
        built_b = _assert_one_build(page, wheel_b)
        assert not _same_numbers(built_a, built_b), "build B should change the page's numbers"
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- embeds

RESIZE_SCRIPT = (ROOT / "README.md").read_text("utf-8")


def _snippet(page, base_url, path, query, widget) -> str:
    page.goto(base_url + path + "?" + query)
    wait_live(page)
    page.locator(f"#{widget} [data-embed]").click()
    code = page.locator(f"#{widget}-embed-code")
    code.wait_for(state="visible")
    return code.input_value()


@pytest.fixture
def host_server(tmp_path):
    """Another origin (another port) serving host pages from tmp_path."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _embed_frames(page, n):
    page.wait_for_function(f"() => document.querySelectorAll('iframe').length === {n}")
    frames = []
    for handle in page.query_selector_all("iframe"):
        frame = handle.content_frame()
        assert frame is not None
        frames.append((handle, frame))
    return frames


def test_embeds_on_another_origin_go_live_with_their_own_state(new_context, base_url, calc_web, host_server):
    """A blog page on another origin embeds two widgets with different states, with the
    snippets the Embed control gives: both show the widget alone, go live with calc's figures
    for their state, link back to the full explanation, and fit the height in the snippet."""
    folder, host = host_server
    page = new_context().new_page()
    one = _snippet(page, base_url, "speed-of-light/", "gpu=b200&seq_len=8000", "sol")
    two = _snippet(page, base_url, "placement/", "ep=64", "placement")
    assert one.startswith("<iframe src=\"" + base_url + "embed/speed-of-light/sol/?")
    # The snippet carries the README's resize script, word for word.
    readme_script = re.search(r"<script>\n?(addEventListener\(\"message\".*?)\n?</script>", RESIZE_SCRIPT, re.S)
    assert readme_script and one.endswith("<script>" + readme_script.group(1).strip() + "</script>")
    (folder / "post.html").write_text(
        "<!doctype html><html><head><meta charset=utf-8><title>A blog post</title></head><body>"
        f"<p>Here is the bound, live:</p>{one}<p>And the placement:</p>{two}</body></html>")
    page.set_viewport_size({"width": 900, "height": 2400})  # both frames in view
    page.goto(host + "post.html")
    frames = _embed_frames(page, 2)
    for (handle, frame), params in zip(frames, [{"gpu": "b200", "seq_len": 8000}, {"ep": 64}]):
        wait_live(frame)
        assert frame.evaluate("!document.querySelector('.md-header, .md-sidebar, .md-footer')"), "site chrome in the embed"
        assert frame.evaluate("document.querySelectorAll('[data-widget]').length") == 1
        assert_outputs(frame, calc_web, params)
        back = frame.locator("[data-embed-back]")
        assert back.get_attribute("target") == "_blank"
        href = back.evaluate("a => a.href")
        for k, v in params.items():
            assert f"{k}={v}" in href, href
        assert frame.evaluate("document.documentElement.scrollHeight") <= int(handle.get_attribute("height")) + 2
    # On a phone the widgets grow taller than the snippet's height; the script follows them.
    page.set_viewport_size({"width": 390, "height": 2400})
    for handle, frame in frames:
        deadline = time.monotonic() + 20
        while True:
            height = handle.evaluate("f => f.getBoundingClientRect().height")
            want = frame.evaluate("document.documentElement.scrollHeight")
            if abs(height - want) <= 2 and height > int(handle.get_attribute("height")):
                break
            assert time.monotonic() < deadline, (height, want, handle.get_attribute("height"))
            page.wait_for_timeout(100)


def test_embed_dark_scheme_and_optional_resize_script(new_context, base_url, calc_web, host_server):
    """`?scheme=dark` gives the dark palette; the optional resize script from the README makes
    the frame as tall as the widget."""
    folder, host = host_server
    script = re.search(r"<script>\n?(addEventListener\(\"message\".*?)</script>", RESIZE_SCRIPT, re.S)
    assert script, "README has no resize script"
    src = base_url + "embed/speed-of-light/sol/?seq_len=8000&scheme=dark"
    (folder / "dark.html").write_text(
        "<!doctype html><html><head><meta charset=utf-8><title>dark</title></head><body>"
        f'<iframe src="{src}" title="bound" width="100%" height="150" style="border:0"></iframe>'
        f"<script>{script.group(1)}</script></body></html>")
    page = new_context().new_page()
    page.goto(host + "dark.html")
    (handle, frame), = _embed_frames(page, 1)
    wait_live(frame)
    assert frame.evaluate("document.documentElement.dataset.mdColorScheme") == "slate"
    bg = frame.evaluate("getComputedStyle(document.body).backgroundColor")
    rgb = [int(x) for x in re.findall(r"\d+", bg)[:3]]
    assert sum(rgb) < 3 * 100, f"not a dark background: {bg}"
    assert_outputs(frame, calc_web, {"seq_len": 8000})
    assert "scheme=dark" in frame.url  # kept in the frame's address as the state changes
    page.wait_for_function("() => document.querySelector('iframe').getBoundingClientRect().height > 200")
    height = page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")
    assert abs(height - frame.evaluate("document.documentElement.scrollHeight")) <= 2


# --------------------------------------------------------------------------- honest boot


def _hold_wasm(ctx):
    """Route that keeps the Pyodide wasm request unanswered until release() is called."""
    held, state = [], {"release": False}

    def handler(route):
        if route.request.url.endswith("pyodide.asm.wasm") and not state["release"]:
            held.append(route)
        else:
            route.fallback()

    def release():
        state["release"] = True
        for r in held:
            try:
                r.fallback()
            except Exception:  # the request went away with its worker
                pass
        held.clear()

    ctx.route("**/*", handler)
    return held, release


PENDING_AT_FIRST_PAINT = """
window.__calcFirstPaint = null;
document.addEventListener("DOMContentLoaded", () => {
  const outs = [...document.querySelectorAll("[data-output]:not([data-chart])")];
  window.__calcFirstPaint = {
    pending: document.documentElement.hasAttribute("data-calc-pending"),
    marked: outs.filter((e) => getComputedStyle(e, "::after").content.includes("pending")).length,
    outputs: outs.length,
  };
});
"""


def test_shared_link_never_shows_default_figures_as_current(new_context, base_url, calc_web):
    """Opened from a link whose state differs from the defaults, every output is marked
    pending from the first paint until the first live result, which then shows the link's
    figures."""
    ctx = new_context(service_workers="block")
    ctx.add_init_script(PENDING_AT_FIRST_PAINT)
    held, release = _hold_wasm(ctx)
    page = ctx.new_page()
    params = {"gpu": "b200", "seq_len": 8000}
    page.goto(base_url + "speed-of-light/?" + urlencode(params))
    first = page.evaluate("window.__calcFirstPaint")
    assert first["pending"] and first["outputs"] > 0 and first["marked"] == first["outputs"], first
    page.wait_for_function("() => document.documentElement.dataset.calcState === 'booting'")
    assert held, "the wasm request was not held"
    marked = page.evaluate("[...document.querySelectorAll('[data-output]:not([data-chart])')]"
                           ".every((e) => getComputedStyle(e, '::after').content.includes('pending'))")
    assert marked
    assert "Downloading Python" in page.locator("#calc-status").inner_text()
    release()
    wait_live(page)
    assert not page.evaluate("document.documentElement.hasAttribute('data-calc-pending')")
    entries = assert_outputs(page, calc_web, params)
    assert not any(e["stale"] for e in entries)


def test_a_boot_that_never_completes_fails_visibly_with_retry(new_context, base_url, calc_web):
    """The wasm request never answered: within the bound (20 s without download progress, plus
    slack for a loaded machine) the page is in a failed state, says why, keeps the built
    numbers readable (marked as the defaults), and its Retry goes live once the network works."""
    ctx = new_context(service_workers="block")
    held, release = _hold_wasm(ctx)
    page = ctx.new_page()
    page.goto(base_url + "speed-of-light/?seq_len=8000")
    built = [(e["text"], e["value"]) for e in collect_outputs(page)]
    t0 = time.monotonic()
    page.wait_for_function("() => document.documentElement.dataset.calcState === 'failed'", timeout=45000)
    assert time.monotonic() - t0 < 45
    notice = page.locator("[data-calc-failed]")
    assert notice.is_visible() and "stopped downloading" in notice.inner_text()
    assert page.locator("#sol [data-item-error] [data-retry]").is_visible()
    assert [(e["text"], e["value"]) for e in collect_outputs(page)] == built  # still readable
    assert page.evaluate("document.documentElement.hasAttribute('data-calc-defaults')")
    release()
    notice.locator("[data-retry]").click()
    wait_live(page)
    assert_outputs(page, calc_web, {"seq_len": 8000})
    assert not page.locator("[data-calc-failed]").count()
    assert page.evaluate("window.__calcBoots") == 2


# --------------------------------------------------------------------------- bundle


def test_bundle_opens_live_with_only_a_stock_python(new_context, calc_web, tmp_path):
    """`build.py bundle` writes one zip; `python3 -I -S that.zip` (standard library only) serves
    it: pages go live and navigate instantly on whatever port it got."""
    out = tmp_path / "bundle.zip"
    subprocess.run([sys.executable, str(BUILD_PY), "bundle", "--out", str(out)], check=True, cwd=str(ROOT),
                   stdout=subprocess.DEVNULL)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-I", "-S", str(out), "--port", str(port), "--no-browser"],
                            cwd=str(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_port(port)
        base = f"http://127.0.0.1:{port}/"
        page = new_context().new_page()
        page.goto(base)
        wait_live(page)
        for path in ("speed-of-light/", "calculator/"):
            nav_link(page, base + path).click()
            page.wait_for_url(base + path)
            wait_live(page)
            assert_outputs(page, calc_web, {})
        assert page.evaluate("window.__calcBoots") == 1
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    finally:
        proc.terminate()
        proc.wait(10)
