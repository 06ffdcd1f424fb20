#!/usr/bin/env python3
"""Build (and serve) the explainer site.

    python build.py            # build everything into site/
    python build.py serve      # build, then serve site/ on 127.0.0.1:8000
    python build.py serve --no-build --port 8123

Steps of a build (all offline):

1. render the Jinja2 templates in ``site_src/pages`` (Markdown + the widget macros of
   ``site_src/macros.j2``) with ``calc``'s values into ``build/docs`` and copy
   ``site_src/assets`` beside them;
2. ``mkdocs build`` (Material theme, config in ``mkdocs.yml``) into ``site/``;
3. build the ``calc`` wheel (``pip wheel --no-deps``);
4. render the math with KaTeX, then put a strict Content-Security-Policy ``<meta>`` in every
   page (``site_csp.py``: inline scripts hashed, KaTeX's inline styles moved to classes);
5. vendor the Pyodide core from ``node_modules/pyodide`` into ``site/pyodide/`` and write
   ``site/pyodide/pyodide-lock.json`` holding the ``calc`` wheel with its sha256
   (``pyodide_lock``'s ``add_wheels_to_spec``).

Run with the project's venv (Python >= 3.12, ``requirements-dev.txt``); ``./dev.sh`` does it.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import html
import http.server
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
# Only what the browser needs to boot Pyodide from a module worker.
PYODIDE_CORE = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")

MIME_TYPES = {
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".svg": "image/svg+xml",
    ".css": "text/css",
    ".html": "text/html",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".xml": "application/xml",
    ".png": "image/png",
}


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


def render_pages(ctx: PageContext) -> list[Path]:
    env = make_env(ctx)
    if DOCS.exists():
        shutil.rmtree(DOCS)
    DOCS.mkdir(parents=True)
    shutil.copytree(SITE_SRC / "assets", DOCS / "assets")
    pages_dir = SITE_SRC / "pages"
    written = []
    for src in sorted(pages_dir.rglob("*")):
        rel = src.relative_to(pages_dir)
        dst = DOCS / rel
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

def vendor_npm_assets() -> None:
    """Copy vendored npm files that pages use (KaTeX's CSS and fonts; the math itself is
    rendered at build time, see :func:`render_math`) into the docs folder."""
    katex = ROOT / "node_modules" / "katex" / "dist"
    if katex.is_dir():
        dst = DOCS / "vendor" / "katex"
        dst.mkdir(parents=True, exist_ok=True)
        shutil.copy2(katex / "katex.min.css", dst / "katex.min.css")
        shutil.copytree(katex / "fonts", dst / "fonts", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.ttf", "*.woff"))


_MATH = re.compile(r'<(span|div) class="arithmatex">\\([(\[])(.*?)\\[)\]]</\1>', re.S)


def render_math() -> int:
    """Replace the arithmatex spans in the built HTML with KaTeX's HTML, rendered here with
    the vendored npm package (one Node call for the whole site). The pages then need no
    math script at all: formulas read correctly before any script runs and from file://."""
    pages = sorted(SITE.rglob("*.html"))
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


def build_wheel(calc_src: Path) -> Path:
    out = BUILD / "wheel"
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


def vendor_pyodide(wheel: Path) -> dict:
    from pyodide_lock import PyodideLockSpec
    from pyodide_lock.utils import add_wheels_to_spec

    if not PYODIDE_NPM.is_dir():
        raise SystemExit("node_modules/pyodide is missing: run `npm ci` (./dev.sh does it)")
    dst = SITE / "pyodide"
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


def mkdocs_build() -> None:
    cmd = [sys.executable, "-m", "mkdocs", "build", "--clean", "--quiet", "-f", str(ROOT / "mkdocs.yml")]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true")
    subprocess.run(cmd, check=True, cwd=str(ROOT), env=env)


def build(calc_src: Path = ROOT) -> dict:
    t0 = time.perf_counter()
    calc, web = load_calc(calc_src)
    ctx = PageContext(calc, web)
    pages = render_pages(ctx)
    vendor_npm_assets()
    log(f"rendered {len(pages)} pages into {DOCS.relative_to(ROOT)}")
    mkdocs_build()
    log(f"mkdocs build -> {SITE.relative_to(ROOT)}")
    log(f"rendered {render_math()} formulas with KaTeX")
    # Last step that touches HTML: every inline script and style present now is covered.
    policy = site_csp.apply(SITE)
    (BUILD / "csp-header.txt").write_text(policy.header + "\n")
    log(f"Content-Security-Policy in {policy.pages} pages: {len(policy.script_hashes)} inline scripts hashed, "
        f"{policy.styles_moved} inline styles moved to classes; header value in build/csp-header.txt")
    wheel = build_wheel(calc_src)
    info = vendor_pyodide(wheel)
    log(f"calc wheel {info['wheel']} sha256={info['sha256'][:16]}...; Pyodide core vendored")
    (SITE / "build-info.json").write_text(json.dumps({
        "pyodide": json.loads((PYODIDE_NPM / "package.json").read_text())["version"],
        **info,
    }, indent=1))
    log(f"done in {time.perf_counter() - t0:.1f}s")
    return info


# ---------------------------------------------------------------------------
# Serving
# ---------------------------------------------------------------------------

class SiteHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}
    quiet = False

    def do_GET(self):
        # Material's instant navigation only intercepts links listed in sitemap.xml, compared
        # with the page's scheme, host name *and port*: serve the sitemap for the origin
        # actually used (any port), whatever site_url the build was made with.
        path = self.path.split("?", 1)[0]
        if path.endswith("/sitemap.xml"):
            file = Path(self.translate_path(path))
            if file.is_file():
                host = self.headers.get("Host") or "%s:%s" % self.server.server_address[:2]
                body = re.sub(r"<loc>https?://[^/<]+", "<loc>http://" + host, file.read_text("utf-8"))
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
        super().do_GET()

    def end_headers(self):
        # Always revalidate: a rebuilt site must never mix with cached files.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        if not self.quiet:
            super().log_message(format, *args)


class QuietSiteHandler(SiteHandler):
    quiet = True


def make_server(root: Path = SITE, host: str = "127.0.0.1", port: int = 0, quiet: bool = True):
    handler = functools.partial(QuietSiteHandler if quiet else SiteHandler, directory=str(root))
    http.server.ThreadingHTTPServer.allow_reuse_address = True
    server = http.server.ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve_in_thread(root: Path = SITE, host: str = "127.0.0.1", port: int = 0):
    """Start a quiet server in a daemon thread; returns (server, base_url)."""
    server = make_server(root, host, port, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://{host}:{server.server_address[1]}/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", default="build", choices=["build", "serve"])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--no-build", action="store_true", help="serve the existing site/")
    parser.add_argument("--calc-src", type=Path, default=Path(os.environ.get("CALC_SRC", ROOT)),
                        help="project folder holding the calc package (default: this repo)")
    args = parser.parse_args(argv)
    calc_src = args.calc_src.resolve()
    if args.command == "build" or not args.no_build:
        build(calc_src)
    if args.command == "serve":
        server = make_server(SITE, args.host, args.port, quiet=False)
        print(f"Serving {SITE.relative_to(ROOT)}/ on http://{args.host}:{server.server_address[1]}/ "
              "(Ctrl-C to stop)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
