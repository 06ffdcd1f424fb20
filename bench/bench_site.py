#!/usr/bin/env python3
"""Browser benchmark of the built site (prints tables; not a test).

    .venv/bin/python bench/bench_site.py [--no-build] [--runs 7] [--throttled-runs 3] [--changes 200]
    ./dev.sh bench

In the system Chromium, against the site served on 127.0.0.1 by ./dev.sh serve's server
(precompressed files), every run interleaves, each in a fresh browser context:

  * bare Pyodide boot: an empty page whose module worker only calls loadPyodide() on the
    site's own Pyodide files (the floor for any Pyodide site): the baseline of every ratio;
  * cold visit: empty caches; time to live (first live result on the page) and the bytes
    transferred until then;
  * warm visit with the memory snapshot stored (reload of the same context);
  * warm visit with the snapshot refused: the stored entry damaged (one byte flipped), so the
    worker reads it, rejects it and boots as usual (the worst fallback);
  * offline visit: the same context with the network off (service worker + snapshot);
  * embedded widget: a host page on another origin with one <iframe> of a widget, cold; time
    from the host page's start to the widget's first live result.

Ratios are taken run by run against that run's bare boot (so a slow spell of this shared
machine weighs on both sides), then summarised by their median and range.

Then, once: page-to-page time to live with instant navigation, input -> output latency, the
longest main-thread task, asset sizes, and where the time of a cold and a warm visit goes.

Throttled (--throttled-runs): a cold visit through a server that adds 150 ms before each
response and shares 1.6 Mbit/s between all of them, with the precompressed files and
without (the same bytes a host that sends files as they are would send).
"""
from __future__ import annotations

import argparse
import gzip
import http.server
import json
import os
import platform
import shutil
import statistics
import sys
import threading
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from sitebuild import serve  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
LIVE = ("() => document.documentElement.dataset.calcState === 'live'"
        " && document.documentElement.dataset.calcLivePath === location.pathname")

BARE_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>bare Pyodide boot</title></head>
<body><p>bare Pyodide boot</p><script src="bare.js"></script></body></html>"""
BARE_JS = """const w = new Worker("bare-worker.mjs", {type: "module"});
w.onmessage = (e) => { window.__bareReady = performance.now(); window.__bareInfo = e.data; };
"""
BARE_WORKER = """import { loadPyodide } from "../pyodide/pyodide.mjs";
const indexURL = new URL("../pyodide/", import.meta.url).href;
const py = await loadPyodide({ indexURL, lockFileURL: indexURL + "pyodide-lock.json", stdout: () => {} });
self.postMessage(py.runPython("1 + 1"));
"""

LONGTASK_INIT = """
window.__longtasks = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longtasks.push({start: e.startTime, duration: e.duration});
  }).observe({ type: "longtask", buffered: true });
} catch (e) {}
"""

LATENCY_JS = """
async ([selector, values]) => {
  const input = document.querySelector(selector);
  const root = document.documentElement;
  const times = [];
  for (let i = 0; i < values.length; i++) {
    const before = root.dataset.calcUpdates;
    const done = new Promise((resolve) => {
      const mo = new MutationObserver(() => {
        if (root.dataset.calcUpdates !== before) { mo.disconnect(); resolve(performance.now()); }
      });
      mo.observe(root, { attributes: true, attributeFilter: ["data-calc-updates"] });
    });
    const t0 = performance.now();
    input.value = String(values[i]);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    times.push((await done) - t0);
  }
  return times;
}
"""

SPOIL_SNAPSHOT_JS = """async () => {
  const cache = await caches.open("calc-snapshot-v1");
  const [req] = await cache.keys();
  const r = await cache.match(req);
  const bytes = new Uint8Array(await r.arrayBuffer());
  bytes[bytes.length >> 1] ^= 0xff;
  await cache.put(req, new Response(bytes, { headers: r.headers }));
}"""

SNAPSHOT_SIZE_JS = """async () => {
  const cache = await caches.open("calc-snapshot-v1");
  const [req] = await cache.keys();
  return req ? (await (await cache.match(req)).arrayBuffer()).byteLength : 0;
}"""


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def p95(xs):
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def wait_live(page, timeout=180000):
    page.wait_for_function(LIVE, timeout=timeout)


# --------------------------------------------------------------------------- servers


class Bucket:
    """Bytes per second shared by every response of a server (a token bucket)."""

    def __init__(self, rate: float):
        self.rate = rate
        self.lock = threading.Lock()
        self.next_free = time.monotonic()

    def take(self, n: int) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_free)
            self.next_free = start + n / self.rate
            wait = self.next_free - now
        if wait > 0:
            time.sleep(wait)


def throttled_server(site: Path, rtt: float, rate: float, compressed: bool):
    """The site server with `rtt` seconds before each response and `rate` bytes/s shared."""
    bucket = Bucket(rate)

    class Handler(serve.SiteHandler):
        source = serve.DirSource(site)
        quiet = True

        def _serve(self, body):
            time.sleep(rtt)
            if not compressed and "Accept-Encoding" in self.headers:
                self.headers.replace_header("Accept-Encoding", "identity")
            return super()._serve(body)

        def _send(self, status, data, ctype, extra=None, send_body=True):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if send_body:
                for i in range(0, len(data), 16384):
                    chunk = data[i:i + 16384]
                    bucket.take(len(chunk))
                    self.wfile.write(chunk)

    server = serve.Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def host_server(folder: Path):
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


# --------------------------------------------------------------------------- measures


def transferred(page) -> list:
    """A list that collects the bytes of every finished request of `page` (its workers too)."""
    sizes = []

    def done(request):
        try:
            s = request.sizes()
            sizes.append(s["responseBodySize"] + s["responseHeadersSize"])
        except Exception:
            pass

    page.on("requestfinished", done)
    return sizes


def bare_boot(browser, base) -> float:
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(base + "_bench/bare.html")
    page.wait_for_function("() => window.__bareReady", timeout=180000)
    t = page.evaluate("window.__bareReady")
    ctx.close()
    return t


def cold_visit(browser, base, path, count_bytes=False):
    """(ctx, page, time to live, bytes until live) of a visit with empty caches. Counting the
    bytes asks the browser about every request, which slows a visit on this small machine:
    the timed visits do not count them."""
    ctx = browser.new_context()
    ctx.add_init_script(LONGTASK_INIT)
    page = ctx.new_page()
    sizes = transferred(page) if count_bytes else []
    page.goto(base + path)
    wait_live(page)
    live = page.evaluate("window.__calcTimings.live")
    return ctx, page, live, sum(sizes)


def embed_visit(browser, host, base, path):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(host + "host.html")
    frame = page.wait_for_selector("iframe").content_frame()
    frame.wait_for_function(LIVE, timeout=180000)
    t = page.evaluate("performance.timeOrigin")
    f = frame.evaluate("performance.timeOrigin + window.__calcTimings.live")
    ctx.close()
    return f - t


def row(name, values, bare_values=None, unit="ms", fmt="{:.0f}"):
    """(name, median, range, median ratio, ratio range)."""
    if not values:
        return (name, "-", "", "", "")
    med = fmt.format(median(values)) + (" " + unit if unit else "")
    rng = fmt.format(min(values)) + "–" + fmt.format(max(values))
    if bare_values:
        ratios = [v / b for v, b in zip(values, bare_values)]
        return (name, med, rng, f"{median(ratios):.2f}", f"{min(ratios):.2f}–{max(ratios):.2f}")
    return (name, med, rng, "", "")


def table(title, rows, header=("measure", "median", "range", "ratio to bare boot", "ratio range")):
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}\n")
    print("| " + " | ".join(str(h).ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 1) + (":" if i else "-") for i, w in enumerate(widths)) + "|")
    for r in rows:
        print("| " + " | ".join((str(c).ljust(w) if i == 0 else str(c).rjust(w)) for i, (c, w) in enumerate(zip(r, widths))) + " |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Browser benchmark of the built site")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--throttled-runs", type=int, default=3)
    ap.add_argument("--changes", type=int, default=200)
    ap.add_argument("--page", default="calculator/", help="page used for the visits and the latency")
    ap.add_argument("--embed", default="embed/speed-of-light/sol/?seq_len=8000", help="embedded view")
    args = ap.parse_args(argv)

    if not args.no_build or not (build.SITE / "index.html").exists():
        build.build()
    bench_dir = build.SITE / "_bench"
    bench_dir.mkdir(exist_ok=True)
    (bench_dir / "bare.html").write_text(BARE_HTML)
    (bench_dir / "bare.js").write_text(BARE_JS)
    (bench_dir / "bare-worker.mjs").write_text(BARE_WORKER)
    host_dir = bench_dir / "host"
    host_dir.mkdir(exist_ok=True)
    server, base = build.serve_in_thread(build.SITE)
    (host_dir / "host.html").write_text(
        "<!doctype html><html><head><meta charset=utf-8><title>host</title></head><body><p>A blog post.</p>"
        f'<iframe src="{base}{args.embed}" title="widget" width="100%" height="500" style="border:0"></iframe>'
        "</body></html>")
    hserver, host = host_server(host_dir)
    load_before = os.getloadavg()

    from playwright.sync_api import sync_playwright

    m = {k: [] for k in ("bare", "cold", "cold_bytes", "warm", "fallback", "offline", "embed")}
    breakdown = {"cold": [], "warm": []}
    snapshot_bytes = 0
    throttled = {"br": [], "br_bytes": [], "plain": [], "plain_bytes": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            version = browser.version
            longest_load = []
            for run in range(args.runs):
                print(f"run {run + 1}/{args.runs} ...", file=sys.stderr, flush=True)
                m["bare"].append(bare_boot(browser, base))

                ctx, page, live, _ = cold_visit(browser, base, args.page)
                m["cold"].append(live)
                breakdown["cold"].append(page.evaluate("window.__calcTimings"))
                longest_load.append(page.evaluate("Math.max(0, ...window.__longtasks.map(t => t.duration))"))
                page.wait_for_function("() => document.documentElement.dataset.calcSnapshot === 'stored'", timeout=180000)
                page.wait_for_function("() => document.documentElement.dataset.calcOffline === 'ready'", timeout=180000)
                snapshot_bytes = page.evaluate(SNAPSHOT_SIZE_JS)

                page.reload()
                wait_live(page)
                assert page.evaluate("window.__calcTimings.worker.restored"), "warm visit was not restored"
                m["warm"].append(page.evaluate("window.__calcTimings.live"))
                breakdown["warm"].append(page.evaluate("window.__calcTimings"))

                page.evaluate(SPOIL_SNAPSHOT_JS)
                page.reload()
                wait_live(page)
                assert not page.evaluate("window.__calcTimings.worker.restored"), "damaged snapshot was used"
                m["fallback"].append(page.evaluate("window.__calcTimings.live"))
                page.wait_for_function("() => document.documentElement.dataset.calcSnapshot === 'stored'", timeout=180000)

                ctx.set_offline(True)
                page.reload()
                wait_live(page)
                m["offline"].append(page.evaluate("window.__calcTimings.live"))
                ctx.set_offline(False)
                ctx.close()

                m["embed"].append(embed_visit(browser, host, base, args.embed))

            # The bytes of a cold visit (the same on every run): a visit of its own.
            ctx, page, _, nbytes = cold_visit(browser, base, args.page, count_bytes=True)
            m["cold_bytes"].append(nbytes)
            ctx.close()

            # Page to page (instant navigation), then input latency, in one visit.
            ctx = browser.new_context()
            ctx.add_init_script(LONGTASK_INIT)
            page = ctx.new_page()
            page.goto(base)
            wait_live(page)
            hops = []
            targets = page.evaluate(
                "() => [...new Set([...document.querySelectorAll('.md-sidebar--primary .md-nav a[href]')]"
                ".filter(a => a.offsetParent !== null && !a.href.includes('#')).map(a => a.href))]")
            for url in [u for u in targets if u != page.url] + [base]:
                t0 = page.evaluate(
                    "(u) => { const a = [...document.querySelectorAll('.md-nav a[href]')]"
                    ".find(a => a.href === u && a.offsetParent !== null); const t = performance.now(); a.click(); return t; }",
                    url)
                page.wait_for_url(url)
                wait_live(page)
                hops.append(page.evaluate("window.__calcTimings.live") - t0)
            boots = page.evaluate("window.__calcBoots")
            page.goto(base + args.page)
            wait_live(page)
            selector = page.evaluate(
                "() => { const i = document.querySelector('[data-widget] input[name=seq_len]')"
                " || document.querySelector('[data-widget] input[data-kind]'); return i ? '#' + i.id : null; }")
            latency, lt_interact = [], 0.0
            if selector:
                start = float(page.eval_on_selector(selector, "e => e.value"))
                values = [int(start * (1 + (i % 20) / 10)) if start >= 10 else round(start + (i % 20) / 10, 2)
                          for i in range(1, args.changes + 1)]
                page.evaluate("window.__longtasks = []")
                latency = page.evaluate(LATENCY_JS, [selector, values])
                lt_interact = page.evaluate("Math.max(0, ...window.__longtasks.map(t => t.duration))")
            ctx.close()

            # Throttled cold visits: with the precompressed copies and without, interleaved.
            for run in range(args.throttled_runs):
                print(f"throttled run {run + 1}/{args.throttled_runs} ...", file=sys.stderr, flush=True)
                for kind, compressed in (("br", True), ("plain", False)):
                    tserver, tbase = throttled_server(build.SITE, rtt=0.150, rate=1.6e6 / 8, compressed=compressed)
                    try:
                        ctx, page, live, nbytes = cold_visit(browser, tbase, args.page, count_bytes=True)
                        ctx.close()
                        throttled[kind].append(live)
                        throttled[kind + "_bytes"].append(nbytes)
                    finally:
                        tserver.shutdown()
                        tserver.server_close()
            browser.close()
    finally:
        server.shutdown()
        hserver.shutdown()
        shutil.rmtree(bench_dir, ignore_errors=True)
    load_after = os.getloadavg()

    bare = m["bare"]
    own = sorted([f for f in (build.SITE / "assets").glob("calc*") if f.suffix in (".js", ".mjs", ".css")]
                 + list((build.SITE / "pyodide" / "wheels").rglob("*.whl")))
    own_bytes = sum(gz(f) for f in own if f.exists())

    print(f"\nSite benchmark, {time.strftime('%Y-%m-%d %H:%M')}, Chromium {version} headless, page /{args.page}, "
          f"{args.runs} interleaved runs; {os.cpu_count()} cores ({platform.machine()}), "
          f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    rows = [
        row("Bare Pyodide boot (empty page, module worker)", bare, bare),
        row("Cold visit: time to live", m["cold"], bare),
        row("Warm visit, snapshot restored: time to live", m["warm"], bare),
        row("Warm visit, snapshot refused (damaged; fallback): time to live", m["fallback"], bare),
        row("Offline visit (service worker, network off): time to live", m["offline"], bare),
        row("Embedded widget on another origin, cold: time to live", m["embed"], bare),
        ("Bytes transferred on a cold visit (until live)", f"{m['cold_bytes'][0] / 1e6:.2f} MB", "", "", ""),
        ("Snapshot stored on the reader's machine", f"{snapshot_bytes / 1e6:.1f} MB", "", "", ""),
    ]
    table("Visits (time from navigation start to the first live result)", rows)

    tb = [t / 1000 for t in throttled["br"]]
    tp = [t / 1000 for t in throttled["plain"]]
    trows = [
        row("Cold visit, precompressed (brotli): time to live", tb, None, "s", "{:.1f}"),
        row("  bytes transferred", [b / 1e6 for b in throttled["br_bytes"]], None, "MB", "{:.2f}"),
        row("Cold visit, files as they are: time to live", tp, None, "s", "{:.1f}"),
        row("  bytes transferred", [b / 1e6 for b in throttled["plain_bytes"]], None, "MB", "{:.2f}"),
        ("Compressed / uncompressed time to live", f"{median(tb) / median(tp):.2f}" if tp else "-", "", "", ""),
    ]
    table(f"Throttled cold visits (1.6 Mbit/s shared, 150 ms before each response), {args.throttled_runs} runs",
          trows, ("measure", "median", "range", "", ""))

    def parts(kind):
        ts = breakdown[kind]
        keys = [("worker started", lambda t: t.get("worker_started")),
                ("runtime module loaded", lambda t: t.get("runtime_loaded")),
                ("worker: Pyodide modules + lock file", lambda t: t["worker"]["marks"].get("modules")),
                ("worker: snapshot read and checked", lambda t: t["worker"]["marks"].get("snapshot_read")),
                ("worker: snapshot restored", lambda t: t["worker"]["marks"].get("restored")),
                ("worker: restored answer checked", lambda t: t["worker"]["marks"].get("verified")),
                ("worker: Pyodide booted (loadPyodide)", lambda t: t["worker"]["marks"].get("pyodide_loaded")),
                ("worker: calc wheel on sys.path", lambda t: t["worker"]["marks"].get("calc_installed")),
                ("worker: calc imported", lambda t: t["worker"]["marks"].get("calc_imported")),
                ("worker: booted (restored or imported)", lambda t: t["worker"].get("boot_ms")),
                ("worker: ready", lambda t: t["worker"].get("ready_ms")),
                ("page: ready received", lambda t: t.get("ready")),
                ("page: first live result", lambda t: t.get("live"))]
        out = []
        for name, f in keys:
            vals = [v for v in (f(t) for t in ts) if v is not None]
            if vals:
                # worker marks count from the worker's start; shift them to the page's clock
                if name.startswith("worker:"):
                    vals = [v + (t.get("worker_started") or 0) for v, t in zip(vals, ts)]
                out.append(row(name, vals, None))
        return out

    table("Where the time of a cold visit goes (ms since navigation start, medians)", parts("cold"),
          ("step", "median", "range", "", ""))
    table("Where the time of a warm visit goes (ms since navigation start, medians)", parts("warm"),
          ("step", "median", "range", "", ""))

    other = [
        (f"Page to page (instant nav, {len(hops)} hops): time to live, median", f"{median(hops):.0f} ms", "", "", ""),
        ("Page to page: slowest hop", f"{max(hops) if hops else float('nan'):.0f} ms", "", "", ""),
        ("Python boots during the navigation visit", str(boots), "", "", ""),
        (f"Input -> updated outputs, median / p95 ({len(latency)} changes)",
         f"{median(latency):.1f} / {p95(latency):.1f} ms", "", "", ""),
        ("Longest main-thread task, cold load (median)", f"{median(longest_load):.0f} ms", "", "", ""),
        ("Longest main-thread task, during the input changes", f"{lt_interact:.0f} ms", "", "", ""),
        ("Project's own assets (JS, CSS, calc wheel), gzip", f"{own_bytes / 1024:.1f} KiB", "", "", ""),
    ]
    table("Once", other, ("measure", "value", "", "", ""))
    print(f"\nraw: {json.dumps({k: [round(x) for x in v] for k, v in m.items()})}")
    print(f"raw throttled: {json.dumps({k: [round(x) for x in v] for k, v in throttled.items()})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
