#!/usr/bin/env python3
"""Browser benchmark of the built site (prints a table; not a test).

    .venv/bin/python bench/bench_site.py [--no-build] [--runs 3] [--changes 200]
    ./dev.sh bench

In one run, in the system Chromium against the site served on 127.0.0.1:
  * bare Pyodide boot: an empty page from the same server starts a module worker that only
    calls loadPyodide() (the floor for any Pyodide site);
  * site cold time-to-live (fresh browser context: empty cache) and warm (same context, reload);
  * page-to-page time-to-live with instant navigation (no second Python boot);
  * input -> updated output latency, median and p95 over N changes;
  * the longest main-thread task (PerformanceObserver 'longtask');
  * gzip bytes of the project's own assets (JS, CSS, calc wheel) beside the Pyodide core.
Times are medians over --runs; ratios are against the bare boot.
"""
from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

BARE_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>bare Pyodide boot</title></head>
<body><p>bare Pyodide boot</p><script>
const w = new Worker("bare-worker.mjs", {type: "module"});
w.onmessage = (e) => { window.__bareReady = performance.now(); window.__bareInfo = e.data; };
</script></body></html>"""
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
  const start = performance.now();
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
    const t1 = await done;
    times.push(t1 - t0);
  }
  return {times, start, end: performance.now()};
}
"""


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def p95(xs):
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def wait_live(page, timeout=120000):
    page.wait_for_function(
        "() => document.documentElement.dataset.calcState === 'live'"
        " && document.documentElement.dataset.calcLivePath === location.pathname",
        timeout=timeout,
    )


def nav_pages(page) -> list[str]:
    return page.evaluate(
        "() => [...new Set([...document.querySelectorAll('.md-sidebar--primary .md-nav a[href]')]"
        ".filter(a => a.offsetParent !== null && !a.href.includes('#')).map(a => a.href))]"
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Browser benchmark of the built site")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--changes", type=int, default=200)
    ap.add_argument("--page", default="calculator/", help="page used for cold/warm/latency")
    args = ap.parse_args(argv)

    if not args.no_build or not (build.SITE / "index.html").exists():
        build.build()
    bench_dir = build.SITE / "_bench"
    bench_dir.mkdir(exist_ok=True)
    (bench_dir / "bare.html").write_text(BARE_HTML)
    (bench_dir / "bare-worker.mjs").write_text(BARE_WORKER)
    server, base = build.serve_in_thread(build.SITE)

    from playwright.sync_api import sync_playwright

    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)

            # Bare boot and site visits interleaved run by run, so a slow spell of the machine
            # weighs on both sides of the ratio alike.
            bare, cold, warm, cold_boot = [], [], [], []
            longest_load = []
            for _ in range(args.runs):
                ctx = browser.new_context()
                page = ctx.new_page()
                page.goto(base + "_bench/bare.html")
                page.wait_for_function("() => window.__bareReady", timeout=120000)
                bare.append(page.evaluate("window.__bareReady"))
                ctx.close()

                ctx = browser.new_context()
                ctx.add_init_script(LONGTASK_INIT)
                page = ctx.new_page()
                page.goto(base + args.page)
                wait_live(page)
                cold.append(page.evaluate("window.__calcTimings.live"))
                cold_boot.append(page.evaluate("window.__calcTimings.worker.boot_ms"))
                longest_load.append(page.evaluate("Math.max(0, ...window.__longtasks.map(t => t.duration))"))
                page.reload()
                wait_live(page)
                warm.append(page.evaluate("window.__calcTimings.live"))
                ctx.close()

            # Page to page (instant navigation), then input latency, in one visit.
            ctx = browser.new_context()
            ctx.add_init_script(LONGTASK_INIT)
            page = ctx.new_page()
            page.goto(base)
            wait_live(page)
            hops = []
            targets = [u for u in nav_pages(page) if u != page.url]
            for url in targets + [base]:
                t0 = page.evaluate(
                    "(u) => { const a = [...document.querySelectorAll('.md-nav a[href]')]"
                    ".find(a => a.href === u && a.offsetParent !== null); const t = performance.now(); a.click(); return t; }",
                    url,
                )
                page.wait_for_url(url)
                wait_live(page)
                hops.append(page.evaluate("window.__calcTimings.live") - t0)
            boots = page.evaluate("window.__calcBoots")

            page.goto(base + args.page)
            wait_live(page)
            selector = page.evaluate(
                "() => { const i = document.querySelector('[data-widget] input[name=seq_len]')"
                " || document.querySelector('[data-widget] input[data-kind]'); return i ? '#' + i.id : null; }"
            )
            latency = {"times": []}
            lt_interact = 0.0
            if selector:
                start_value = float(page.eval_on_selector(selector, "e => e.value"))
                values = [int(start_value * (1 + (i % 20) / 10)) if start_value >= 10 else round(start_value + (i % 20) / 10, 2)
                          for i in range(1, args.changes + 1)]
                page.evaluate("window.__longtasks = []")
                latency = page.evaluate(LATENCY_JS, [selector, values])
                lt_interact = page.evaluate("Math.max(0, ...window.__longtasks.map(t => t.duration))")
            ctx.close()
            browser.close()
    finally:
        server.shutdown()
        shutil.rmtree(bench_dir, ignore_errors=True)

    b = median(bare)
    own = sorted(
        [f for f in (build.SITE / "assets").glob("calc*") if f.suffix in (".js", ".mjs", ".css")]
        + list((build.SITE / "pyodide" / "wheels").rglob("*.whl"))
    )
    own_bytes = sum(gz(f) for f in own if f.exists())
    core = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"]
    core_bytes = sum(gz(build.SITE / "pyodide" / f) for f in core)
    t = latency["times"]

    rows = [
        ("Bare Pyodide boot (empty page, module worker)", f"{b:.0f} ms", "1.00"),
        ("Site cold visit: time to live", f"{median(cold):.0f} ms", f"{median(cold) / b:.2f}"),
        ("  of which Pyodide boot inside the worker", f"{median(cold_boot):.0f} ms", f"{median(cold_boot) / b:.2f}"),
        ("Site warm visit (reload): time to live", f"{median(warm):.0f} ms", f"{median(warm) / b:.2f}"),
        (f"Page to page (instant nav, {len(hops)} hops): time to live, median",
         f"{median(hops):.0f} ms", f"{median(hops) / b:.3f}"),
        ("Page to page: slowest hop", f"{max(hops) if hops else float('nan'):.0f} ms", ""),
        ("Python boots during the navigation visit", str(boots), ""),
        (f"Input -> updated outputs, median ({len(t)} changes)", f"{median(t):.1f} ms", ""),
        (f"Input -> updated outputs, p95 ({len(t)} changes)", f"{p95(t):.1f} ms", ""),
        ("Longest main-thread task, cold load", f"{median(longest_load):.0f} ms", ""),
        ("Longest main-thread task, during the input changes", f"{lt_interact:.0f} ms", ""),
        ("Project's own assets (JS, CSS, calc wheel), gzip", f"{own_bytes / 1024:.1f} KiB", ""),
        ("Pyodide core (for comparison), gzip", f"{core_bytes / 1024:.0f} KiB", ""),
    ]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    print(f"\nSite benchmark, {time.strftime('%Y-%m-%d')}, Chromium headless, {args.runs} runs, page /{args.page}\n")
    print(f"| {'measure'.ljust(w0)} | {'value'.rjust(w1)} | ratio to bare boot |")
    print(f"|{'-' * (w0 + 2)}|{'-' * (w1 + 1)}:|-------------------:|")
    for name, value, ratio in rows:
        print(f"| {name.ljust(w0)} | {value.rjust(w1)} | {ratio.rjust(18)} |")
    print(f"\nraw: bare={['%.0f' % x for x in bare]} cold={['%.0f' % x for x in cold]} "
          f"warm={['%.0f' % x for x in warm]} hops={['%.0f' % x for x in hops]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
