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
