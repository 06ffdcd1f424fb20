"""What ./dev.sh serve sends, without a browser: precompressed copies with the right
Content-Encoding (and each copy decodes to its file), the MIME types the site needs, the
sitemap for the address used, the site's 404 page, and the service worker's file list."""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import urllib.error
import urllib.request

import pytest

import conftest


def get(url, **headers):
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.fixture(scope="module")
def served(site):
    server, url = conftest.build.serve_in_thread(site)
    yield url
    server.shutdown()
    server.server_close()


def test_every_compressed_copy_decodes_to_its_file(site):
    import brotli

    copies = list(site.rglob("*.br")) + [g for g in site.rglob("*.gz") if g.name != "sitemap.xml.gz"]
    assert any(c.name == "pyodide.asm.wasm.br" for c in copies)
    for copy in copies:
        original = copy.with_suffix("")
        data = copy.read_bytes()
        decoded = brotli.decompress(data) if copy.suffix == ".br" else gzip.decompress(data)
        assert decoded == original.read_bytes(), f"{copy.name} does not decode to {original.name}"
        assert len(data) < original.stat().st_size


@pytest.mark.parametrize("coding", ["br", "gzip", "identity"])
def test_wasm_is_sent_precompressed_with_its_type(served, site, coding):
    import brotli

    status, headers, body = get(served + "pyodide/pyodide.asm.wasm", **{"Accept-Encoding": coding})
    assert status == 200
    assert headers["Content-Type"] == "application/wasm"
    assert headers.get("Vary") == "Accept-Encoding"
    raw = (site / "pyodide" / "pyodide.asm.wasm").read_bytes()
    if coding == "br":
        assert headers["Content-Encoding"] == "br" and brotli.decompress(body) == raw
        assert len(body) < 0.35 * len(raw)
    elif coding == "gzip":
        assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == raw
    else:
        assert "Content-Encoding" not in headers and body == raw
    # revalidation: the same ETag gets a 304 without a body
    status, _, body = get(served + "pyodide/pyodide.asm.wasm", **{"Accept-Encoding": coding,
                                                                    "If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""


def test_module_scripts_and_sitemap(served):
    status, headers, _ = get(served + "pyodide/pyodide.mjs")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    status, _, body = get(served + "sitemap.xml")
    locs = re.findall(r"<loc>([^<]+)</loc>", body.decode())
    assert locs and all(loc.startswith(served) for loc in locs)


def test_missing_page_gets_the_sites_404(served):
    status, headers, body = get(served + "no-such-page/")
    assert status == 404 and b"404" in body and headers["Content-Type"].startswith("text/html")
    home = json.loads((conftest.build.SITE / "build-info.json").read_text())["site_url"]
    assert f'<a href="{home}">Go to the home page</a>'.encode() in body  # a way back, not a dead end


def test_service_worker_lists_every_file_of_the_build_with_its_hash(site):
    text = (site / "calc-sw.js").read_text()
    files = json.loads(re.search(r"^const FILES = (.*);$", text, re.M).group(1))
    listed = {f[0]: f for f in files}
    for must in ("index.html", "404.html", "speed-of-light/index.html", "pyodide/pyodide.asm.wasm",
                 "pyodide/pyodide-lock.json", "assets/calc-worker.mjs", "sitemap.xml", "search/search_index.json"):
        assert must in listed, must
    assert any(p.startswith("pyodide/wheels/") and p.endswith(".whl") for p in listed)
    assert any(p.startswith("embed/") for p in listed)
    assert any(p.startswith("assets/javascripts/bundle.") for p in listed)
    for path, sha, size in files:
        data = (site / path).read_bytes()
        assert len(data) == size, path
        if sha:
            assert hashlib.sha256(data).hexdigest() == sha, path
    assert not any(p.endswith((".br", ".gz", ".map")) for p in listed)
