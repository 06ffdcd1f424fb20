#!/usr/bin/env python3
"""Build (and serve) the explainer site.

    python build.py            # build everything into site/ (for http://127.0.0.1:8000/)
    python build.py --site-url https://example.org/llm-serving/   # build for where it is published
    python build.py serve      # build, then serve site/ on 127.0.0.1:8000
    python build.py serve --no-build --port 8123
    python build.py bundle     # build, then write dist/llm-serving-economics.zip

The public base URL comes from ``--site-url``, else the ``SITE_URL`` environment variable, else
``http://127.0.0.1:8000/``; a subpath (``https://example.org/llm-serving/``) is fine: every
link and asset in the site is relative, and only ``sitemap.xml`` (which Material's instant
navigation reads), the canonical links and ``404.html`` use the base URL.

Steps of a build (all offline):

1. build the ``calc`` wheel (``pip wheel --no-deps``) and compile its modules to bytecode
   with the Pyodide the site ships (``tools/compile-wheel.mjs``: the browser imports
   ``calc`` without compiling it);
2. render the Jinja2 templates in ``site_src/pages`` (Markdown + the widget macros of
   ``site_src/macros.j2``) with ``calc``'s values into ``build/docs`` and copy
   ``site_src/assets`` beside them;
3. ``mkdocs build`` (Material theme, config in ``mkdocs.yml``) into ``site/``, then render
   the math with KaTeX;
4. vendor the Pyodide core from ``node_modules/pyodide`` into ``site/pyodide/`` and write
   ``site/pyodide/pyodide-lock.json`` holding the ``calc`` wheel with its sha256
   (``pyodide_lock``'s ``add_wheels_to_spec``);
5. write one embeddable page per widget (``site/embed/<page>/<widget>/``);
6. put a strict Content-Security-Policy ``<meta>`` in every page, embeds included
   (``site_csp.py``: inline scripts hashed, KaTeX's inline styles moved to classes);
7. last, once no file changes any more: precompressed copies of the large files and the
   offline service worker (``site/calc-sw.js``) with the list and hashes of every file it
   keeps, under a cache name that changes with any file.

Run with the project's venv (Python >= 3.12, ``requirements-dev.txt``); ``./dev.sh`` does it.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import importlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import site_csp

ROOT = Path(__file__).resolve().parent
SITE_SRC = ROOT / "site_src"
BUILD = ROOT / "build"
DOCS = BUILD / "docs"
SITE = ROOT / "site"
PYODIDE_NPM = ROOT / "node_modules" / "pyodide"
DIST = ROOT / "dist"
DEFAULT_SITE_URL = "http://127.0.0.1:8000/"
# Only what the browser needs to boot Pyodide from a module worker.
PYODIDE_CORE = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
STDLIB_STORED = "python_stdlib.stored.zip"  # see repack_stored()

if str(ROOT) not in sys.path:  # sitebuild/ beside this file, whatever the working folder
    sys.path.insert(0, str(ROOT))
from sitebuild.serve import MIME_TYPES  # noqa: E402,F401  (re-exported: the MIME types the site needs)


def log(msg: str) -> None:
    print(f"[build] {msg}", flush=True)


# ---------------------------------------------------------------------------
# calc access (import from --calc-src, default: the repo itself)
# ---------------------------------------------------------------------------

def load_calc(calc_src: Path):
    if str(calc_src) not in sys.path:
        sys.path.insert(0, str(calc_src))
    calc = importlib.import_module("calc")
    web = importlib.import_module("calc.web")
    return calc, web


# ---------------------------------------------------------------------------
# Jinja2 rendering
# ---------------------------------------------------------------------------

def html_block(text: str) -> str:
    """Collapse a macro's HTML into lines without indentation or blank lines, so that
    Python-Markdown keeps it as one raw HTML block (and never as an indented code block)."""
    return "\n".join(line.strip() for line in str(text).splitlines() if line.strip())


def raw_attr(value) -> str:
    """The data-value attribute text of a raw output value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"non-finite output value {value!r}")
        return json.dumps(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, allow_nan=False)


class PageContext:
    """What the macros can ask for while rendering (one instance per build)."""

    def __init__(self, calc, web):
        self.calc = calc
        self.web = web
        self.defaults = web.defaults()
        self.schema = {p["name"]: p for p in web.param_schema()}
        self._cache: dict[str, dict] = {}

    def item(self, calc_name: str, overrides: dict | None = None) -> dict:
        overrides = dict(overrides or {})
        if calc_name not in self.calc.CALCULATIONS:
            raise KeyError(f"unknown calculation {calc_name!r}; known: {sorted(self.calc.CALCULATIONS)}")
        key = calc_name + json.dumps(overrides, sort_keys=True)
        if key not in self._cache:
            res = self.web.compute({}, [{"key": "k", "calc": calc_name, "overrides": overrides}])
            item = res["items"]["k"]
            if "error" in item:
                raise ValueError(f"calc {calc_name!r} with {overrides!r} failed at build time: {item['error']}")
            self._cache[key] = item["outputs"]
        return self._cache[key]

    def output(self, calc_name: str, path: str, overrides: dict | None = None) -> dict:
        outputs = self.item(calc_name, overrides)
        if path not in outputs:
            raise KeyError(f"calc {calc_name!r} has no output {path!r}; it has: {sorted(outputs)}")
        return outputs[path]

    def raw(self, calc_name: str, path: str, overrides: dict | None = None):
        """The raw value at `path`; a non-leaf path gives the nested value rebuilt from its leaves."""
        outputs = self.item(calc_name, overrides)
        if path in outputs:
            return outputs[path]["value"]
        # A non-leaf path: walk the nested result itself (preset keys such as
        # "deepseek-v3.2" contain dots, so leaves cannot be split back into a tree).
        state = {k: v for k, v in self.web.compute({}, [])["state"].items()
                 if k in self.calc.CALCULATIONS[calc_name].params}
        node = self.calc.evaluate(calc_name, {**state, **dict(overrides or {})})
        rest = path
        while rest:
            for key in sorted(node, key=len, reverse=True) if isinstance(node, dict) else ():
                if rest == key or rest.startswith(key + "."):
                    node, rest = node[key], rest[len(key) + 1:]
                    break
            else:
                raise KeyError(f"calc {calc_name!r} has no output {path!r}; it has: {sorted(outputs)}")
        return node

    def text(self, calc_name: str, path: str, overrides: dict | None = None) -> str:
        return self.output(calc_name, path, overrides)["text"]

    def calc_outputs(self, calc_name: str) -> list[str]:
        """The output paths a widget shows by default: the calculation's declared outputs
        that are plain values (sweeps/charts and nested dicts left to the author)."""
        outputs = self.item(calc_name)
        names = list(self.calc.CALCULATIONS[calc_name].outputs)
        return [n for n in names if n in outputs and not isinstance(outputs[n]["value"], (dict, list))]

    def calc_params(self, calc_name: str) -> list[str]:
        return list(self.calc.CALCULATIONS[calc_name].params)

    def output_label(self, path: str) -> str:
        spec = self.calc.OUTPUTS.get(path) or self.calc.OUTPUTS.get(path.split(".")[-1])
        return spec.label if spec else path

    def output_help(self, path: str) -> str:
        spec = self.calc.OUTPUTS.get(path) or self.calc.OUTPUTS.get(path.split(".")[-1])
        return spec.help if spec else ""

    def param(self, name: str) -> dict:
        if name not in self.schema:
            raise KeyError(f"unknown parameter {name!r}; known: {sorted(self.schema)}")
        return self.schema[name]


def make_env(ctx: PageContext):
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(SITE_SRC)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["html_block"] = html_block
    env.filters["raw_attr"] = raw_attr
    env.globals.update(
        ctx=ctx,
        calc=ctx.calc,
        defaults=ctx.defaults,
        CALCULATIONS=ctx.calc.CALCULATIONS,
        OUTPUTS=ctx.calc.OUTPUTS,
        PARAMS=ctx.schema,
    )
    env.globals["raw"] = ctx.raw
    env.globals["value"] = ctx.text
    macros = env.get_template("macros.j2").module
    for name in dir(macros):
        if not name.startswith("_"):
            env.globals[name] = getattr(macros, name)
    return env


def render_pages(ctx: PageContext, docs: Path = DOCS) -> list[Path]:
    env = make_env(ctx)
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    shutil.copytree(SITE_SRC / "assets", docs / "assets")
    # The boot script: inlined at the top of <head> in every page (overrides/main.html), and
    # the same file served for the embeddable views, which load it as a script file.
    shutil.copy2(SITE_SRC / "overrides" / "partials" / "calc-boot.js", docs / "assets" / "calc-boot.js")
    pages_dir = SITE_SRC / "pages"
    written = []
    for src in sorted(pages_dir.rglob("*")):
        rel = src.relative_to(pages_dir)
        dst = docs / rel
        if src.is_dir():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix == ".md":
            template = env.get_template(f"pages/{rel.as_posix()}")
            dst.write_text(template.render(), encoding="utf-8")
            written.append(dst)
        else:
            shutil.copy2(src, dst)
    return written


# ---------------------------------------------------------------------------
# Vendored browser files
# ---------------------------------------------------------------------------

def vendor_npm_assets(docs: Path = DOCS) -> None:
    """Copy vendored npm files that pages use (KaTeX's CSS and fonts; the math itself is
    rendered at build time, see :func:`render_math`) into the docs folder."""
    katex = ROOT / "node_modules" / "katex" / "dist"
    if katex.is_dir():
        dst = docs / "vendor" / "katex"
        dst.mkdir(parents=True, exist_ok=True)
        shutil.copy2(katex / "katex.min.css", dst / "katex.min.css")
        shutil.copytree(katex / "fonts", dst / "fonts", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.ttf", "*.woff"))


_MATH = re.compile(r'<(span|div) class="arithmatex">\\([(\[])(.*?)\\[)\]]</\1>', re.S)


def render_math(site: Path = SITE) -> int:
    """Replace the arithmatex spans in the built HTML with KaTeX's HTML, rendered here with
    the vendored npm package (one Node call for the whole site). The pages then need no
    math script at all: formulas read correctly before any script runs and from file://."""
    pages = sorted(site.rglob("*.html"))
    found: list[tuple[Path, list]] = []
    items = []
    for page in pages:
        text = page.read_text("utf-8")
        spans = list(_MATH.finditer(text))
        if spans:
            found.append((page, spans))
            items += [{"tex": html.unescape(m.group(3)).strip(), "display": m.group(2) == "["} for m in spans]
    if not items:
        return 0
    out = subprocess.run(["node", str(ROOT / "tools" / "katex-render.cjs")], input=json.dumps(items),
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"KaTeX failed on the site's math:\n{out.stderr.strip()}")
    rendered = iter(json.loads(out.stdout))
    for page, spans in found:
        text = page.read_text("utf-8")
        parts, last = [], 0
        for m in spans:
            tag = m.group(1)
            parts += [text[last:m.start()], f'<{tag} class="arithmatex">{next(rendered)}</{tag}>']
            last = m.end()
        parts.append(text[last:])
        page.write_text("".join(parts), "utf-8")
    return len(items)


def build_wheel(calc_src: Path, work: Path = BUILD) -> Path:
    out = work / "wheel"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
           "--disable-pip-version-check", "-q", "-w", str(out), str(calc_src)]
    # Fixed timestamps: the same calc source gives the same wheel (and the same sha256/URL).
    env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    subprocess.run(cmd, check=True, cwd=str(calc_src), env=env)
    wheels = sorted(out.glob("calc-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one calc wheel in {out}, found {wheels}")
    return wheels[0]


def compile_wheel(wheel: Path, work: Path = BUILD) -> tuple[Path, dict]:
    """The wheel with every module compiled to bytecode by the Pyodide the site ships
    (tools/compile-wheel.mjs), so the reader's browser does not compile calc at each cold
    start (about half of calc's import time there). The result is kept in ``work``, keyed by
    the source wheel's and Pyodide's versions, and checked by importing every module.
    Returns the wheel and what the compiler reports (Python version, magic number, modules)."""
    pyodide_version = json.loads((PYODIDE_NPM / "package.json").read_text())["version"]
    key = hashlib.sha256(wheel.read_bytes() + pyodide_version.encode()
                         + (ROOT / "tools" / "compile-wheel.mjs").read_bytes()).hexdigest()[:16]
    out = work / "wheel-pyc" / key / wheel.name
    if not (out.exists() and out.with_suffix(".json").exists()):
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        run = subprocess.run(["node", str(ROOT / "tools" / "compile-wheel.mjs"), str(wheel), str(tmp)],
                             capture_output=True, text=True, cwd=ROOT)
        if run.returncode:
            raise SystemExit(f"compiling the calc wheel with Pyodide failed:\n{run.stderr.strip()[-2000:]}")
        out.with_suffix(".json").write_text(run.stdout.strip().splitlines()[-1])
        tmp.replace(out)
    return out, json.loads(out.with_suffix(".json").read_text())


def repack_stored(src: Path, dst: Path) -> None:
    """Copy a zip with every member stored uncompressed (same names, dates and contents).

    Pyodide's python_stdlib.zip deflates each module on its own (2.5 MB, and brotli cannot
    shrink it further); stored, the whole archive compresses far better (1.6 MB with brotli).
    build.py writes it as python_stdlib.stored.zip beside the original, with its brotli and
    gzip copies; the worker takes it only when it arrives compressed, else the original (a
    host that sends files as they are would otherwise send 9.7 MB instead of 2.5 MB)."""
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            out = zipfile.ZipInfo(info.filename, info.date_time)
            out.external_attr = info.external_attr
            out.compress_type = zipfile.ZIP_STORED
            zout.writestr(out, zin.read(info))


def vendor_pyodide(wheel: Path, site: Path = SITE) -> dict:
    from pyodide_lock import PyodideLockSpec
    from pyodide_lock.utils import add_wheels_to_spec

    if not PYODIDE_NPM.is_dir():
        raise SystemExit("node_modules/pyodide is missing: run `npm ci` (./dev.sh does it)")
    dst = site / "pyodide"
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for name in PYODIDE_CORE:
        shutil.copy2(PYODIDE_NPM / name, dst / name)

    # The wheel goes under a folder named after its hash, so a changed wheel is a new URL.
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    wheel_dir = dst / "wheels" / digest[:16]
    wheel_dir.mkdir(parents=True)
    site_wheel = wheel_dir / wheel.name
    shutil.copy2(wheel, site_wheel)

    upstream = PyodideLockSpec.from_json(PYODIDE_NPM / "pyodide-lock.json")
    # Keep only what this site actually ships (the upstream packages are not vendored).
    upstream.packages = {}
    spec = add_wheels_to_spec(upstream, [site_wheel], base_path=dst)
    spec.to_json(dst / "pyodide-lock.json")
    pkg = spec.packages["calc"]
    if pkg.sha256 != digest:
        raise RuntimeError("sha256 in lock file does not match the wheel")
    return {"wheel": pkg.file_name, "sha256": pkg.sha256}


def fill_core_sizes(site: Path) -> None:
    """Write the Pyodide version (the snapshot's key) and the sizes of the vendored core (the
    download progress) into the worker."""
    worker = site / "assets" / "calc-worker.mjs"
    text = worker.read_text("utf-8")
    marker = re.compile(r"^const CORE = \{.*\};$", re.M)
    if len(marker.findall(text)) != 1:
        raise SystemExit(f"{worker}: expected one line 'const CORE = {{}};' for the Pyodide version and sizes")
    sizes = {name: (site / "pyodide" / name).stat().st_size
             for name in (*PYODIDE_CORE, STDLIB_STORED) if (site / "pyodide" / name).is_file()}
    core = {"pyodide": json.loads((PYODIDE_NPM / "package.json").read_text())["version"], "sizes": sizes}
    worker.write_text(marker.sub(lambda m: f"const CORE = {json.dumps(core)};", text), "utf-8")


def normalize_site_url(url: str) -> str:
    """The public base URL of the site, absolute, ending with '/': 'https://example.org/sub'
    becomes 'https://example.org/sub/'. Raises SystemExit with one line if it is not one."""
    from urllib.parse import urlsplit

    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SystemExit(f"--site-url/SITE_URL must be an absolute http(s) URL without query or "
                         f"fragment, like https://example.org/llm-serving/ (got {url!r})")
    return url if url.endswith("/") else url + "/"


def build_id(wheel_sha256: str, site_url: str) -> str:
    """A short id of everything a page is built from (the calc wheel, site_src, the site
    configuration, the base URL, the Pyodide and theme versions). Pages carry it, so the
    runtime can tell a page of another build (after a new deployment) from its own."""
    from importlib.metadata import version

    h = hashlib.sha256()
    parts = [wheel_sha256, site_url, version("mkdocs-material"),
             json.loads((PYODIDE_NPM / "package.json").read_text())["version"]]
    for p in parts:
        h.update(p.encode() + b"\0")
    for f in sorted([*SITE_SRC.rglob("*"), ROOT / "mkdocs.yml", ROOT / "build.py"]):
        if f.is_file():
            h.update(f.relative_to(ROOT).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def mkdocs_build(site: Path = SITE, docs: Path = DOCS, env_extra: dict | None = None) -> None:
    cmd = [sys.executable, "-m", "mkdocs", "build", "--clean", "--quiet", "-f", str(ROOT / "mkdocs.yml"),
           "--site-dir", str(site)]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true",
               CALC_DOCS_DIR=str(docs), **(env_extra or {}))
    subprocess.run(cmd, check=True, cwd=str(ROOT), env=env)


def build(calc_src: Path = ROOT, site_url: str | None = None, site: Path = SITE,
          work: Path | None = None, precompress: bool = True) -> dict:
    """Build the whole site into `site` for the public base URL `site_url` (default:
    $SITE_URL, else http://127.0.0.1:8000/). Intermediate files go to `work` (default:
    build/ for the default site folder, else a temporary folder)."""
    import tempfile

    from sitebuild import compress, embeds, offline

    t0 = time.perf_counter()
    site_url = normalize_site_url(site_url or os.environ.get("SITE_URL") or DEFAULT_SITE_URL)
    site = Path(site).resolve()
    tmp = None
    if work is None:
        if site == SITE.resolve():
            work = BUILD
        else:
            tmp = tempfile.TemporaryDirectory(prefix="calc-build-")
            work = Path(tmp.name)
    docs = work / "docs"
    try:
        calc, web = load_calc(calc_src)
        wheel, bytecode = compile_wheel(build_wheel(calc_src, work), work)
        wheel_sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
        bid = build_id(wheel_sha, site_url)
        ctx = PageContext(calc, web)
        pages = render_pages(ctx, docs)
        vendor_npm_assets(docs)
        log(f"rendered {len(pages)} pages into {docs}")
        mkdocs_build(site, docs, {"SITE_URL": site_url, "CALC_BUILD": bid, "CALC_WHEEL": wheel_sha})
        log(f"mkdocs build -> {site} for {site_url}")
        # MkDocs copies the theme override's non-template files; the boot script is inlined
        # by main.html and served as assets/calc-boot.js, so its copy here is not wanted.
        shutil.rmtree(site / "partials", ignore_errors=True)
        log(f"rendered {render_math(site)} formulas with KaTeX")
        info = vendor_pyodide(wheel, site)
        log(f"calc wheel {info['wheel']} sha256={info['sha256'][:16]}...; Pyodide core vendored")
        fill_core_sizes(site)
        log(f"wrote {embeds.write_embed_pages(site, site_url)} embeddable widget views")
        # Last step that touches HTML: every inline script and style present now is covered.
        policy = site_csp.apply(site)
        (work / "csp-header.txt").write_text(policy.header + "\n")
        log(f"Content-Security-Policy in {policy.pages} pages: {len(policy.script_hashes)} inline scripts hashed, "
            f"{policy.styles_moved} inline styles moved to classes; header value in {work / 'csp-header.txt'}")
        info = {
            "pyodide": json.loads((PYODIDE_NPM / "package.json").read_text())["version"],
            "site_url": site_url,
            "build": bid,
            "bytecode": bytecode,
            **info,
        }
        (site / "build-info.json").write_text(json.dumps(info, indent=1))
        # Every step that writes or changes a file of the site goes above this line: the
        # compressed copies and the service worker's list of files (with their hashes) are
        # made from the finished files.
        if precompress:
            repack_stored(site / "pyodide" / "python_stdlib.zip", site / "pyodide" / STDLIB_STORED)
            fill_core_sizes(site)
            n, saved = compress.precompress_site(site, cache=BUILD / "compress-cache")
            log(f"precompressed {n} files (brotli and gzip)")
        info["cache_version"] = offline.write_service_worker(site, SITE_SRC / "sw" / "calc-sw.js")
        log(f"service worker: cache {info['cache_version']}")
    finally:
        if tmp is not None:
            tmp.cleanup()
    log(f"done in {time.perf_counter() - t0:.1f}s")
    return info


# ---------------------------------------------------------------------------
# Serving
# ---------------------------------------------------------------------------

# The server itself (MIME types, precompressed files, sitemap for any port, 404.html) is in
# sitebuild/serve.py, standard library only: the offline bundle runs the same code.

def make_server(root: Path = SITE, host: str = "127.0.0.1", port: int = 0, quiet: bool = True):
    from sitebuild import serve

    return serve.make_server(serve.DirSource(root), host, port, quiet=quiet)


def serve_in_thread(root: Path = SITE, host: str = "127.0.0.1", port: int = 0):
    """Start a quiet server in a daemon thread; returns (server, base_url)."""
    server = make_server(root, host, port, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://{host}:{server.server_address[1]}/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", default="build", choices=["build", "serve", "bundle"])
    parser.add_argument("--site-url", default=None,
                        help="public base URL the site is published at, e.g. https://example.org/llm-serving/ "
                             f"(default: $SITE_URL, else {DEFAULT_SITE_URL})")
    parser.add_argument("--site-dir", type=Path, default=SITE, help="where to write the site (default: site/)")
    parser.add_argument("--out", type=Path, default=None,
                        help="bundle: the archive to write (default: dist/llm-serving-economics.zip)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--no-build", action="store_true", help="serve the existing site/")
    parser.add_argument("--no-precompress", action="store_true",
                        help="skip the brotli/gzip copies of large files (faster; for quick local builds)")
    parser.add_argument("--calc-src", type=Path, default=Path(os.environ.get("CALC_SRC", ROOT)),
                        help="project folder holding the calc package (default: this repo)")
    args = parser.parse_args(argv)
    calc_src = args.calc_src.resolve()
    if args.command == "bundle":
        from sitebuild import bundle

        out = bundle.make_bundle(calc_src, args.out)
        print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB); open it live with:\n"
              f"  python3 {out.name}", flush=True)
        return 0
    if args.command == "build" or not args.no_build:
        build(calc_src, site_url=args.site_url, site=args.site_dir, precompress=not args.no_precompress)
    if args.command == "serve":
        server = make_server(args.site_dir, args.host, args.port, quiet=False)
        print(f"Serving {args.site_dir} on http://{args.host}:{server.server_address[1]}/ "
              "(Ctrl-C to stop)", flush=True)
        from sitebuild.serve import serve_until_interrupted

        serve_until_interrupted(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
