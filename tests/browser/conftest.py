"""Fixtures for the browser tests: the built site served on 127.0.0.1, the system Chromium,
and guards that fail a test on any console error, page error, or request leaving 127.0.0.1.

The site is built once per session (``python build.py``) unless SITE_PREBUILT=1 says that
``./dev.sh test`` has just built it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import build  # noqa: E402  (the project's build.py: server and paths)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ALLOWED_HOSTS = {"127.0.0.1"}


def site_pages(site: Path) -> list[str]:
    """URL paths of every content page of the built site ('' for the home page)."""
    pages = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        if rel.startswith(("pyodide", "assets", "search", "vendor")):
            continue
        text = html.read_text("utf-8")
        if 'class="md-content"' not in text:
            continue
        pages.append("" if rel == "." else rel + "/")
    return pages


@pytest.fixture(scope="session")
def site() -> Path:
    index = build.SITE / "index.html"
    if not (os.environ.get("SITE_PREBUILT") == "1" and index.exists()):
        subprocess.run([sys.executable, str(ROOT / "build.py"), "build"], check=True, cwd=str(ROOT))
    assert index.exists(), "the build did not produce site/index.html"
    return build.SITE


@pytest.fixture(scope="session")
def base_url(site):
    server, url = build.serve_in_thread(site, "127.0.0.1", 0)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def pages(site) -> list[str]:
    found = site_pages(site)
    assert "" in found, "no home page found in the built site"
    return found


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium; ./dev.sh does it)")
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


class Guard:
    """Records console errors, page errors and requests that leave 127.0.0.1."""

    def __init__(self):
        self.errors: list[str] = []
        self.external: list[str] = []
        self.requests: list[str] = []
        self.allow_console: list[str] = []

    def on_console(self, msg):
        if msg.type == "error" and not any(a in msg.text for a in self.allow_console):
            self.errors.append(f"console.error: {msg.text}")

    def on_pageerror(self, err):
        self.errors.append(f"page error: {err}")

    def on_request(self, request):
        self.requests.append(request.url)
        if not _local(request.url):
            self.external.append(request.url)

    def route(self, route):
        url = route.request.url
        if _local(url):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def check(self):
        problems = []
        if self.errors:
            problems.append("console/page errors:\n  " + "\n  ".join(self.errors))
        if self.external:
            problems.append("requests leaving 127.0.0.1:\n  " + "\n  ".join(sorted(set(self.external))))
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)


def _local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "file"):
        return True
    return parts.hostname in ALLOWED_HOSTS


@pytest.fixture
def guard():
    return Guard()


def _guarded_context(browser, guard, **kwargs):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, **kwargs)
    ctx.route("**/*", guard.route)
    ctx.on("page", lambda p: _watch(p, guard))
    return ctx


def _watch(page, guard):
    page.on("console", guard.on_console)
    page.on("pageerror", guard.on_pageerror)
    page.on("request", guard.on_request)


@pytest.fixture
def context(browser, guard):
    ctx = _guarded_context(browser, guard)
    yield ctx
    ctx.close()
    guard.check()


@pytest.fixture
def new_context(browser, guard):
    """Factory for more guarded contexts in one test (e.g. a fresh visit for a copied link)."""
    made = []

    def make(**kwargs):
        ctx = _guarded_context(browser, guard, **kwargs)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()
    guard.check()


@pytest.fixture
def page(context):
    p = context.new_page()
    p.set_default_timeout(30000)
    return p


@pytest.fixture(scope="session")
def calc_web():
    """calc's JSON boundary, computed in the test process (the reference)."""
    import calc.web

    return calc.web


def dump(obj) -> str:
    return json.dumps(obj, sort_keys=True)
