"""A strict Content-Security-Policy for every page of the built site (a build step).

Run last by ``build.py`` on the finished ``site/`` folder, so it sees every page and every
inline script whoever wrote them (the theme's, ours, any added later):

1. ``style="..."`` attributes (KaTeX's math layout) become classes of one generated
   ``<style>`` block, identical on every page, with each declaration ``!important`` so it
   still wins over the stylesheets as the inline style did. No inline style is left, so
   ``style-src`` needs no ``'unsafe-inline'``: only ``'self'`` and that block's hash.
2. Every executable inline ``<script>`` is hashed (SHA-256); the policy lists the hashes
   of all pages, so one policy fits every page (Material's instant navigation runs a new
   page's scripts under the policy of the first).
3. A ``<meta http-equiv="Content-Security-Policy">`` goes right after ``<meta charset>``
   on every page, before any script.

A ``<meta>`` policy cannot set ``frame-ancestors`` (the site may be framed: embeds need
that) and does not govern workers, which take their policy from their own response headers.
:func:`header_policy` is the value for hosts that send the header: the same policy, plus
``'wasm-unsafe-eval'`` so the Pyodide worker may compile WebAssembly if the host sends the
header with the worker script too. The README's "Content-Security-Policy" section says how.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path

#: Start tags, attributes quoted or not (a ">" inside a quoted value does not end the tag).
_TAG = re.compile(r"""<[a-zA-Z][^\s/>]*(?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*/?>""")
_STYLE_ATTR = re.compile(r"""\sstyle\s*=\s*("([^"]*)"|'([^']*)')""", re.I)
_CLASS_ATTR = re.compile(r"""(\sclass\s*=\s*)("([^"]*)"|'([^']*)')""", re.I)
_SCRIPT = re.compile(r"<script(\s[^>]*)?>(.*?)</script\s*>", re.S | re.I)
_TYPE = re.compile(r"""\stype\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_JS_TYPES = {"", "module", "text/javascript", "application/javascript", "text/ecmascript", "application/ecmascript"}
_CHARSET = re.compile(r"<meta\s+charset=[\"']?[\w-]+[\"']?\s*/?>", re.I)
_OLD_META = re.compile(r"<meta\s+http-equiv=[\"']Content-Security-Policy[\"'][^>]*>\s*", re.I)
_OLD_BLOCK = re.compile(r"<style data-csp-inline-styles>.*?</style>\s*", re.S)


@dataclass(frozen=True)
class Policy:
    meta: str  # the <meta> value put in every page
    header: str  # the same for a response header (adds 'wasm-unsafe-eval' for the worker)
    script_hashes: tuple[str, ...]
    style_hashes: tuple[str, ...]
    pages: int
    styles_moved: int


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def policy(script_hashes: list[str], style_hashes: list[str], wasm: bool = False) -> str:
    """The directives: everything from the site's own origin only; inline scripts and
    styles only by hash; no plugins, no <base> or form target elsewhere; workers (the
    Python worker, the search worker, a service worker) from the site itself."""
    script = ["'self'"] + (["'wasm-unsafe-eval'"] if wasm else []) + script_hashes
    return "; ".join([
        "default-src 'self'",
        "script-src " + " ".join(script),
        "style-src " + " ".join(["'self'"] + style_hashes),
        "img-src 'self' data:",  # the theme's icons are data: SVGs in its stylesheet
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ])


def _declarations(style: str) -> str:
    decls = [d.strip() for d in html.unescape(style).split(";") if d.strip()]
    return ";".join(d if d.endswith("!important") else d + "!important" for d in decls)


def _move_styles(text: str, classes: dict[str, str]) -> tuple[str, int]:
    """Every style attribute of ``text`` replaced by a class (added to the tag's class
    attribute); ``classes`` maps declarations to class names and grows as new ones appear."""
    moved = 0

    def tag(m: re.Match) -> str:
        nonlocal moved
        t = m.group(0)
        sm = _STYLE_ATTR.search(t)
        if not sm:
            return t
        decls = _declarations(sm.group(2) if sm.group(2) is not None else sm.group(3))
        t = t[: sm.start()] + t[sm.end():]
        moved += 1
        if not decls:
            return t
        name = classes.setdefault(decls, "csp-s" + hashlib.sha256(decls.encode()).hexdigest()[:10])
        cm = _CLASS_ATTR.search(t)
        if cm:
            old = cm.group(3) if cm.group(3) is not None else cm.group(4)
            return t[: cm.start()] + f'{cm.group(1)}"{old} {name}"' + t[cm.end():]
        end = -2 if t.endswith("/>") else -1
        return t[:end] + f' class="{name}"' + t[end:]

    # scripts are left alone (a "<" in them is not a tag)
    parts, last = [], 0
    for m in _SCRIPT.finditer(text):
        parts.append(_TAG.sub(tag, text[last:m.start()]))
        parts.append(m.group(0))
        last = m.end()
    parts.append(_TAG.sub(tag, text[last:]))
    return "".join(parts), moved


def _inline_scripts(text: str) -> list[str]:
    out = []
    for m in _SCRIPT.finditer(text):
        attrs = m.group(1) or ""
        if re.search(r"\ssrc\s*=", attrs, re.I):
            continue
        tm = _TYPE.search(attrs)
        kind = next((g for g in tm.groups()[1:] if g is not None), "") if tm else ""
        if kind.strip().lower() in _JS_TYPES:
            out.append(m.group(2))
    return out


def apply(site: Path) -> Policy:
    """Put the policy into every HTML page under ``site`` (in place) and return it."""
    pages = sorted(p for p in site.rglob("*.html") if p.is_file())
    texts: dict[Path, str] = {}
    classes: dict[str, str] = {}
    moved = 0
    for p in pages:
        text = _OLD_BLOCK.sub("", _OLD_META.sub("", p.read_text("utf-8")))
        texts[p], n = _move_styles(text, classes)
        moved += n
    block = ""
    style_hashes: list[str] = []
    if classes:
        css = "".join(f".{name}{{{decls}}}" for decls, name in sorted(classes.items(), key=lambda kv: kv[1]))
        block = f"<style data-csp-inline-styles>{css}</style>"
        style_hashes.append(_sha256(css))
    scripts: list[str] = []
    for text in texts.values():
        for s in _inline_scripts(text):
            h = _sha256(s)
            if h not in scripts:
                scripts.append(h)
    meta_value = policy(scripts, style_hashes)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(meta_value, quote=False)}">'
    for p, text in texts.items():
        m = _CHARSET.search(text)
        if m:
            text = text[: m.end()] + "\n" + meta + block + text[m.end():]
        else:
            head = re.search(r"<head[^>]*>", text, re.I)
            at = head.end() if head else 0
            text = text[:at] + meta + block + text[at:]
        p.write_text(text, "utf-8")
    return Policy(meta=meta_value, header=policy(scripts, style_hashes, wasm=True), script_hashes=tuple(scripts),
                  style_hashes=tuple(style_hashes), pages=len(pages), styles_moved=moved)
