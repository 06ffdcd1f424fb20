"""The built HTML itself, without a browser: math is rendered at build time and nothing in
a page points at another origin."""

from __future__ import annotations

import re

from conftest import site_pages


def test_math_is_rendered_at_build_time(site):
    """No raw \\( \\) or \\[ \\] delimiters are left for a script to render, and the pages with
    formulas carry KaTeX's HTML (so they read correctly before any script and from file://)."""
    with_math = 0
    for path in site_pages(site):
        text = (site / path / "index.html").read_text("utf-8")
        assert not re.search(r'class="arithmatex">\\[(\[]', text), f"unrendered math on /{path}"
        assert "katex.min.js" not in text and "auto-render" not in text
        if 'class="arithmatex"' in text:
            assert 'class="katex' in text
            with_math += 1
    assert with_math >= 5  # speed of light, placement, cost, tightening, reference at least


def test_no_page_references_another_origin(site):
    """Scripts, styles, images and fonts come from the site itself (links in prose may point
    to sources; they are <a href>, not loaded)."""
    for path in site_pages(site):
        text = (site / path / "index.html").read_text("utf-8")
        for tag in re.findall(r'<(?:script|link|img|iframe|source)\b[^>]*>', text):
            if 'rel="canonical"' in tag:  # metadata naming the page's own address, never fetched
                continue
            url = re.search(r'(?:src|href)="([^"]+)"', tag)
            assert not (url and re.match(r"(https?:)?//", url.group(1))), f"/{path}: {tag} loads another origin"


def test_calc_wheel_ships_bytecode_for_the_shipped_pyodide(site):
    """The browser imports calc from bytecode, not source (tools/compile-wheel.mjs): every
    module of the calc package is an unchecked hash-based .pyc (PEP 552: flags = 1, nothing
    compares it with a source file) whose magic number is the one of the Python the site's
    Pyodide runs, and the wheel's RECORD lists exactly its members."""
    import base64
    import hashlib
    import json
    import struct
    import zipfile
    from pathlib import Path as _P

    wheels = list((site / "pyodide" / "wheels").rglob("calc-*.whl"))
    assert len(wheels) == 1
    lock = json.loads((site / "pyodide" / "pyodide-lock.json").read_text())
    assert lock["packages"]["calc"]["sha256"] == hashlib.sha256(wheels[0].read_bytes()).hexdigest()
    # The build compiled them in Pyodide and imported every module from the result; it records
    # that Python's version and magic number (the browser tests then run the wheel in Chromium).
    bytecode = json.loads((site / "build-info.json").read_text())["bytecode"]
    assert bytecode["python"].startswith("3.14") and bytecode["imported"] >= 20
    magic = bytes.fromhex(bytecode["magic"])
    assert len(magic) == 4 and magic[2:] == b"\r\n"
    with zipfile.ZipFile(wheels[0]) as whl:
        names = whl.namelist()
        modules = [n for n in names if n.startswith("calc/")]
        assert modules and all(n.endswith(".pyc") for n in modules), "source files left in the wheel"
        assert {_P(n).stem for n in modules} >= {"__init__", "web", "api", "tight", "estimate", "validate"}
        for n in modules:
            head = whl.read(n)[:16]
            assert head[:4] == magic, f"{n}: magic {head[:4].hex()} is not Pyodide's {magic.hex()}"
            assert struct.unpack("<I", head[4:8])[0] == 1, f"{n}: not an unchecked hash-based .pyc"
        record = next(n for n in names if n.endswith(".dist-info/RECORD"))
        listed = {}
        for line in whl.read(record).decode().splitlines():
            name, digest, _size = line.rsplit(",", 2)
            listed[name] = digest
        assert set(listed) == set(names)
        for n in names:
            if n != record:
                want = base64.urlsafe_b64encode(hashlib.sha256(whl.read(n)).digest()).rstrip(b"=").decode()
                assert listed[n] == f"sha256={want}", n
