"""Precompressed copies of the site's large files: ``X.br`` (brotli) and ``X.gz`` (gzip)
beside ``X``, for servers that pick a copy by the browser's ``Accept-Encoding`` (``./dev.sh
serve``, nginx ``brotli_static``/``gzip_static``, and the hosts described in the README).

The Pyodide core is most of the bytes (the 9.6 MB wasm goes down to 2.7 MB with brotli).
Brotli at its best level is slow (about 25 s for the wasm), so every copy is cached by the
sha256 of its source under ``build/compress-cache`` and made once.
"""
from __future__ import annotations

import gzip
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Types worth compressing (already-compressed formats such as the wheel, PNG, WOFF2 are not).
COMPRESSIBLE = {".wasm", ".mjs", ".js", ".css", ".html", ".json", ".svg", ".xml", ".txt", ".zip"}
MIN_SIZE = 4096          # smaller files gain little and cost a file each
KEEP_IF_BELOW = 0.9      # keep a copy only if it saves at least 10 %
SKIP_PARTS = ("_bench",)


def _brotli(data: bytes) -> bytes:
    import brotli

    return brotli.compress(data, quality=11, lgwin=24)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


CODINGS = ((".br", _brotli), (".gz", _gzip))


def candidates(site: Path) -> list[Path]:
    out = []
    for f in sorted(site.rglob("*")):
        if not f.is_file() or f.suffix not in COMPRESSIBLE or f.stat().st_size < MIN_SIZE:
            continue
        rel = f.relative_to(site).parts
        if any(p in SKIP_PARTS for p in rel):
            continue
        # Zips are compressed already, except the standard library repacked stored (build.py).
        if f.suffix == ".zip" and not f.name.endswith(".stored.zip"):
            continue
        out.append(f)
    return out


def _compressed(data: bytes, ext: str, fn, cache: Path) -> bytes:
    key = hashlib.sha256(data).hexdigest()
    hit = cache / (key + ext)
    if hit.is_file():
        return hit.read_bytes()
    out = fn(data)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / f".{key}{ext}.{os.getpid()}.tmp"
    tmp.write_bytes(out)
    os.replace(tmp, hit)  # atomic: parallel builds may share the cache
    return out


def precompress_site(site: Path, cache: Path) -> tuple[int, int]:
    """Write X.br and X.gz beside every large compressible file of `site` (removing stale
    copies first). Returns (number of files with a copy, bytes saved by brotli)."""
    for old in list(site.rglob("*.br")) + [g for g in site.rglob("*.gz") if g.name != "sitemap.xml.gz"]:
        old.unlink()
    files = candidates(site)

    def one(f: Path) -> tuple[int, int]:
        data = f.read_bytes()
        kept, saved = 0, 0
        for ext, fn in CODINGS:
            out = _compressed(data, ext, fn, cache)
            if len(out) <= KEEP_IF_BELOW * len(data):
                Path(str(f) + ext).write_bytes(out)
                kept = 1
                if ext == ".br":
                    saved = len(data) - len(out)
        return kept, saved

    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        results = list(pool.map(one, files))
    return sum(k for k, _ in results), sum(s for _, s in results)
