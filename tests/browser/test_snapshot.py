"""The Pyodide memory snapshot (issue 12): a returning visit restores the interpreter with
calc imported instead of booting Python. It never changes a number, a bad entry falls back to
a normal boot without a console error and is replaced, and two tabs storing one at once leave
one valid entry."""
from __future__ import annotations

import pytest

import conftest
from site_helpers import LIVE_TIMEOUT_MS, assert_outputs, collect_outputs, wait_live

PAGES = conftest.site_pages(conftest.build.SITE) if (conftest.build.SITE / "index.html").exists() else [""]
STORED = "() => document.documentElement.dataset.calcSnapshot === 'stored'"

ENTRY_JS = """async () => {
  const cache = await caches.open("calc-snapshot-v1");
  const keys = await cache.keys();
  const out = [];
  for (const k of keys) {
    const r = await cache.match(k);
    out.push({url: k.url, key: r.headers.get("x-snapshot-key"), checksum: r.headers.get("x-snapshot-checksum"),
              size: (await r.arrayBuffer()).byteLength});
  }
  return out;
}"""

# Rewrite the stored entry: `how` is "flip" (a damaged byte, same headers), "garbage" (bytes
# whose checksum is right but that are no snapshot), or "key" (another build's key).
SPOIL_JS = """async (how) => {
  const src = [...document.scripts].find((s) => s.src.includes("calc-static.js")).src;
  const { checksum } = await import(src.replace("calc-static.js", "calc-snapshot.mjs"));
  const cache = await caches.open("calc-snapshot-v1");
  const [req] = await cache.keys();
  const r = await cache.match(req);
  const headers = new Headers(r.headers);
  let bytes = new Uint8Array(await r.arrayBuffer());
  if (how === "flip") bytes[bytes.length >> 1] ^= 0xff;
  if (how === "garbage") { bytes = new Uint8Array(bytes.length).fill(7); headers.set("x-snapshot-checksum", checksum(bytes)); }
  if (how === "key") headers.set("x-snapshot-key", headers.get("x-snapshot-key").replace(/%7C%20[0-9a-f]{64}/, "%7C%20" + "0".repeat(64)));
  await cache.put(req, new Response(bytes, { headers }));
  return headers.get("x-snapshot-key");
}"""


def _outputs(page):
    return [(e["widget"], e["calc"], e["path"], e["text"], e["value"]) for e in collect_outputs(page)]


def _visit_and_store(page, url):
    page.goto(url)
    wait_live(page)
    page.wait_for_function(STORED, timeout=LIVE_TIMEOUT_MS)


def test_restored_and_fresh_workers_give_identical_outputs_on_every_page(new_context, base_url, calc_web):
    """A fresh worker walks every page (instant navigation, one boot); in another context,
    after a first visit stored the snapshot, every page is opened afresh and its worker is
    restored from the snapshot: every output equals the fresh worker's and calc's."""
    fresh = new_context().new_page()
    fresh.goto(base_url)
    wait_live(fresh)
    expected = {}
    for path in PAGES:
        if fresh.url != base_url + path:
            fresh.evaluate("(t) => [...document.querySelectorAll('.md-nav a[href]')].find(a => a.href === t).click()",
                           base_url + path)
            fresh.wait_for_url(base_url + path)
            wait_live(fresh)
        assert not fresh.evaluate("window.__calcTimings.worker.restored")
        expected[path] = _outputs(fresh)

    page = new_context().new_page()
    _visit_and_store(page, base_url)
    for path in PAGES:
        page.goto(base_url + path)
        wait_live(page)
        assert page.evaluate("window.__calcTimings.worker.restored"), f"/{path}: not restored from the snapshot"
        assert _outputs(page) == expected[path], f"/{path}: restored outputs differ from a fresh worker's"
        assert_outputs(page, calc_web, {})
    # and with a state of its own, through the restored interpreter
    page.goto(base_url + "speed-of-light/?gpu=b200&seq_len=8000")
    wait_live(page)
    assert page.evaluate("window.__calcTimings.worker.restored")
    assert_outputs(page, calc_web, {"gpu": "b200", "seq_len": 8000})


@pytest.mark.parametrize("how", ["flip", "garbage", "key"])
def test_a_bad_snapshot_falls_back_cleanly_and_is_replaced(new_context, base_url, calc_web, how):
    """A damaged entry (a flipped byte), one that is no snapshot (right checksum, wrong bytes:
    Pyodide refuses it) and one of another build (key): the page boots Python as usual, with
    calc's figures and no console error, and a valid snapshot replaces the entry; the next
    visit restores from it."""
    ctx = new_context()
    page = ctx.new_page()
    _visit_and_store(page, base_url + "speed-of-light/")
    good = page.evaluate(ENTRY_JS)
    assert len(good) == 1 and good[0]["size"] > 1_000_000
    page.evaluate(SPOIL_JS, how)

    page.reload()
    wait_live(page)
    assert not page.evaluate("window.__calcTimings.worker.restored")
    assert_outputs(page, calc_web, {})
    page.wait_for_function(STORED, timeout=LIVE_TIMEOUT_MS)
    now = page.evaluate(ENTRY_JS)
    assert len(now) == 1 and now[0]["key"] == good[0]["key"] and now[0]["size"] == good[0]["size"]

    page.reload()
    wait_live(page)
    assert page.evaluate("window.__calcTimings.worker.restored")
    assert_outputs(page, calc_web, {})


def test_two_tabs_making_a_snapshot_at_once_leave_one_valid_entry(new_context, base_url, calc_web):
    ctx = new_context()
    tabs = [ctx.new_page(), ctx.new_page()]
    for tab in tabs:
        tab.goto(base_url + "speed-of-light/", wait_until="commit")
    for tab in tabs:
        wait_live(tab)
        tab.wait_for_function(STORED, timeout=LIVE_TIMEOUT_MS)
        assert not tab.evaluate("window.__calcTimings.worker.restored")
    entries = tabs[0].evaluate(ENTRY_JS)
    assert len(entries) == 1, entries
    third = ctx.new_page()
    third.goto(base_url + "cost/")
    wait_live(third)
    assert third.evaluate("window.__calcTimings.worker.restored")
    assert_outputs(third, calc_web, {})
