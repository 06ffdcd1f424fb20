"""Embeddable views: one small page per widget (``embed/<page>/<widget id>/``) holding the
widget alone, for an ``<iframe>`` in another site's page.

Each view is cut out of the built page itself (so it carries the same pre-rendered numbers,
charts and inputs), with the theme's stylesheets, without the site's header, navigation or
footer. Its footer links back to the widget in the full explanation; the live runtime keeps
that link on the current state. ``?scheme=dark`` (or ``light``, ``auto``) picks the colours.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

EMBED_DIR = "embed"


class _WidgetFinder(HTMLParser):
    """Offsets of every element carrying data-widget (outermost only), with its id."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.text = text
        self.lines = [0]
        for m in re.finditer("\n", text):
            self.lines.append(m.end())
        self.found: list[tuple[str, int, int]] = []
        self._open: tuple[str, int, str] | None = None  # (id, start offset, tag)
        self._depth = 0

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.lines[line - 1] + col

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self._open is None:
            if "data-widget" in a:
                self._open = (a.get("id") or a["data-widget"], self._offset(), tag)
                self._depth = 1
        elif tag == self._open[2]:
            self._depth += 1

    def handle_endtag(self, tag):
        if self._open is not None and tag == self._open[2]:
            self._depth -= 1
            if self._depth == 0:
                start = self._open[1]
                end = self.text.index(">", self._offset()) + 1
                self.found.append((self._open[0], start, end))
                self._open = None


def find_widgets(page_html: str) -> list[tuple[str, str]]:
    """[(widget id, outer HTML)] of a built page."""
    finder = _WidgetFinder(page_html)
    finder.feed(page_html)
    finder.close()
    return [(wid, page_html[a:b]) for wid, a, b in finder.found]


def page_slug(rel_dir: str) -> str:
    """'speed-of-light' for speed-of-light/index.html; 'index' for the home page."""
    return rel_dir.strip("/") or "index"


# The widget's footer (Copy link, Embed and its snippet box) is the end of the widget; the
# view gets its own footer instead.
_FOOTER = re.compile(r'<div class="calc-widget-footer">.*?</div>\s*(?:<div class="calc-embed-box".*?</div>\s*)?(?=</div>\s*$)', re.S)


def _embed_footer(back_href: str, site_name: str) -> str:
    return ('<div class="calc-widget-footer calc-embed-footer">'
            f'<a class="calc-embed-back" href="{html.escape(back_href)}" target="_blank" rel="noopener" data-embed-back>'
            f'Open in the full explanation<span class="calc-sr-only"> (new tab)</span> \u2197</a>'
            f'<span class="calc-embed-site">{html.escape(site_name)}</span>'
            '<span class="calc-state-label" data-state-label>Built-in values</span>'
            '</div>')


def _head_links(page_html: str, depth: str) -> list[str]:
    """The page's stylesheet links (theme, palette, ours), made relative to the embed view."""
    links = []
    for tag in re.findall(r'<link rel="stylesheet" href="[^"]+"[^>]*>', page_html):
        href = re.search(r'href="([^"]+)"', tag).group(1)
        links.append(f'<link rel="stylesheet" href="{depth}{_site_relative(href)}">')
    return links


def _site_relative(href: str) -> str:
    """'../assets/x.css' or 'assets/x.css' (as written in a page one level down or at the
    root) -> 'assets/x.css'."""
    while href.startswith("../"):
        href = href[3:]
    return href[2:] if href.startswith("./") else href


def write_embed_pages(site: Path, site_url: str) -> int:
    """Write embed/<page>/<id>/index.html for every widget of every content page."""
    import shutil

    out_root = site / EMBED_DIR
    if out_root.exists():
        shutil.rmtree(out_root)
    count = 0
    seen: set[str] = set()
    # The home page's title is the site's name.
    site_name = html.unescape(re.search(r"<title>(.*?)</title>", (site / "index.html").read_text("utf-8"), re.S).group(1))
    for page in sorted(site.rglob("index.html")):
        rel_dir = page.parent.relative_to(site).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        if rel_dir.startswith((EMBED_DIR + "/", "pyodide/", "assets/", "search/", "vendor/")):
            continue
        text = page.read_text("utf-8")
        if 'class="md-content"' not in text:
            continue
        widgets = find_widgets(text)
        if not widgets:
            continue
        slug = page_slug(rel_dir)
        meta = "\n".join(re.findall(r'<meta name="calc-(?:build|wheel)" content="[^"]*">', text))
        for wid, outer in widgets:
            key = f"{slug}/{wid}"
            if key in seen:
                raise ValueError(f"two widgets with id {wid!r} on {rel_dir or 'the home page'}")
            seen.add(key)
            depth = "../" * (len(slug.split("/")) + 2)
            back = f"{depth}{rel_dir}#{wid}"
            body = _FOOTER.sub(lambda m: _embed_footer(back, site_name), outer, count=1)
            if "data-embed-back" not in body:
                raise ValueError(f"widget {key}: no footer found to replace")
            title_m = re.search(r'<p class="calc-widget-title"><a [^>]*>(.*?)</a>', outer, re.S)
            page_title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
            title = (html.unescape(title_m.group(1)) + " - " if title_m else "") + html.unescape(page_title)
            doc = EMBED_TEMPLATE.format(
                title=html.escape(title),
                canonical=html.escape(site_url + rel_dir + "#" + wid),
                meta=meta,
                styles="\n".join(_head_links(text, depth)),
                depth=depth,
                widget=body,
            )
            dst = out_root / slug / wid / "index.html"
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_text(doc, "utf-8")
            count += 1
    return count


# The view: the theme's and our stylesheets, the boot script (colour scheme, early worker),
# the widget, and calc-static.js (charts, then the live runtime). No inline script.
EMBED_TEMPLATE = """<!doctype html>
<html lang="en" class="calc-embed-root" data-calc-embed data-md-color-scheme="default" data-md-color-primary="indigo" data-md-color-accent="indigo">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
{meta}
<script src="{depth}assets/calc-boot.js"></script>
<title>{title}</title>
<link rel="canonical" href="{canonical}">
{styles}
</head>
<body class="calc-embed-body">
<main class="md-typeset calc-embed">
{widget}
</main>
<script src="{depth}assets/calc-static.js"></script>
</body>
</html>
"""
