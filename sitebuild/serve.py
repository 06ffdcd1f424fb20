"""A small static server for the built site, standard library only (Python 3.8+).

Used by ``build.py serve`` (serving ``site/``) and, copied as ``__main__.py`` into the offline
bundle, by ``python3 llm-serving-economics.zip`` (serving the site straight out of the zip).

What it does beyond ``python -m http.server``:

* sends ``.mjs`` as JavaScript and ``.wasm`` as ``application/wasm`` whatever the platform's
  MIME table says;
* serves the brotli or gzip copy written beside a large file (``X.br``, ``X.gz``) when the
  browser accepts it, with ``Content-Encoding`` and ``Vary: Accept-Encoding``;
* rewrites ``sitemap.xml`` for the address actually used (Material's instant navigation only
  follows links listed there, compared by scheme, host *and port*), so a build made for one
  base URL also navigates instantly on any port here;
* answers a missing file with the site's own ``404.html``;
* asks the browser to revalidate everything (``Cache-Control: no-cache``, with ETags), so a
  rebuilt site never mixes with cached files.
"""
from __future__ import annotations

import email.utils
import http.server
import json
import os
import posixpath
import re
import sys
import threading
import zipfile
from urllib.parse import unquote, urlsplit

MIME_TYPES = {
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".svg": "image/svg+xml",
    ".css": "text/css",
    ".html": "text/html; charset=utf-8",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".xml": "application/xml",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
    ".map": "application/json",
    ".gz": "application/gzip",
}
# Content codings we may have precompressed copies for, in order of preference.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def mime_type(path: str) -> str:
    return MIME_TYPES.get(posixpath.splitext(path)[1].lower(), "application/octet-stream")


class DirSource:
    """Files of a folder (the built site/)."""

    def __init__(self, root):
        self.root = os.path.abspath(str(root))

    def stat(self, rel: str):
        """(size, mtime) of a file, None if it is not a file."""
        path = os.path.join(self.root, *rel.split("/"))
        try:
            st = os.stat(path)
        except OSError:
            return None
        if not os.path.isfile(path):
            return None
        return st.st_size, st.st_mtime

    def is_dir(self, rel: str) -> bool:
        return os.path.isdir(os.path.join(self.root, *rel.split("/"))) if rel else True

    def read(self, rel: str) -> bytes:
        with open(os.path.join(self.root, *rel.split("/")), "rb") as f:
            return f.read()


class ZipSource:
    """Files under a folder of a zip archive (the offline bundle serves itself)."""

    def __init__(self, zip_path: str, prefix: str):
        self.zip = zipfile.ZipFile(zip_path)
        self.prefix = prefix.rstrip("/") + "/"
        self.infos = {i.filename[len(self.prefix):]: i for i in self.zip.infolist()
                      if i.filename.startswith(self.prefix) and not i.filename.endswith("/")}
        self.dirs = {posixpath.dirname(n) for n in self.infos}
        for d in list(self.dirs):
            while d:
                d = posixpath.dirname(d)
                self.dirs.add(d)
        self.lock = threading.Lock()
        import time
        self.mtime = os.path.getmtime(zip_path) if os.path.exists(zip_path) else time.time()

    def stat(self, rel: str):
        info = self.infos.get(rel)
        return (info.file_size, self.mtime) if info else None

    def is_dir(self, rel: str) -> bool:
        return rel.rstrip("/") in self.dirs

    def read(self, rel: str) -> bytes:
        with self.lock:
            return self.zip.read(self.infos[rel])


class SiteHandler(http.server.BaseHTTPRequestHandler):
    """GET/HEAD of the files of ``source`` (set on a subclass or with functools.partial)."""

    source = None
    quiet = False
    protocol_version = "HTTP/1.1"
    _site_url = None

    def do_GET(self):
        self._serve(body=True)

    def do_HEAD(self):
        self._serve(body=False)

    # --------------------------------------------------------------------- helpers
    def _site_url_of_build(self):
        cls = type(self)
        if cls._site_url is None:
            url = ""
            try:
                url = json.loads(self.source.read("build-info.json").decode("utf-8")).get("site_url", "")
            except (KeyError, OSError, ValueError):
                url = ""
            cls._site_url = url
        return cls._site_url

    def _rel(self):
        """The site-relative path of the request ('' for the root), None if it escapes."""
        path = unquote(urlsplit(self.path).path)
        parts = []
        for seg in path.split("/"):
            if seg in ("", "."):
                continue
            if seg == ".." or "\\" in seg or "\0" in seg:
                return None
            parts.append(seg)
        rel = "/".join(parts)
        return rel + ("/" if path.endswith("/") and rel else "")

    def _send(self, status, body, ctype, extra=None, send_body=True):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _not_found(self, send_body):
        try:
            body = self.source.read("404.html")
            ctype = "text/html; charset=utf-8"
        except (KeyError, OSError):
            body, ctype = b"Not found\n", "text/plain; charset=utf-8"
        self._send(404, body, ctype, send_body=send_body)

    def _serve(self, body: bool):
        rel = self._rel()
        if rel is None:
            return self._not_found(body)
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        elif self.source.stat(rel) is None and self.source.is_dir(rel):
            # A folder without its slash: redirect, as static hosts do (relative links need it).
            parts = urlsplit(self.path)
            location = parts.path + "/" + ("?" + parts.query if parts.query else "")
            self._send(301, b"", "text/plain", {"Location": location}, send_body=False)
            return None
        st = self.source.stat(rel)
        if st is None:
            return self._not_found(body)
        if rel == "sitemap.xml" or rel.endswith("/sitemap.xml"):
            return self._sitemap(rel, body)

        ctype = mime_type(rel)
        accept = self.headers.get("Accept-Encoding", "")
        accepted = {a.split(";")[0].strip().lower() for a in accept.split(",")}
        served, coding = rel, None
        for name, ext in ENCODINGS:
            if name in accepted and self.source.stat(rel + ext) is not None:
                served, coding = rel + ext, name
                break
        size, mtime = self.source.stat(served)
        etag = '"%x-%x%s"' % (int(mtime * 1000), size, "-" + coding if coding else "")
        headers = {"ETag": etag, "Last-Modified": email.utils.formatdate(mtime, usegmt=True)}
        if any(self.source.stat(rel + ext) is not None for _, ext in ENCODINGS):
            headers["Vary"] = "Accept-Encoding"
        if coding:
            headers["Content-Encoding"] = coding
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            return None
        self._send(200, self.source.read(served), ctype, headers, send_body=body)
        return None

    def _sitemap(self, rel, body):
        text = self.source.read(rel).decode("utf-8")
        host = self.headers.get("Host") or "%s:%s" % self.server.server_address[:2]
        here = "http://" + host + "/"
        built_for = self._site_url_of_build()
        if built_for:
            # Links of a build for https://example.org/sub/ become http://host/ links.
            text = text.replace("<loc>" + built_for, "<loc>" + here)
        else:
            text = re.sub(r"<loc>https?://[^/<]+/", "<loc>" + here, text)
        self._send(200, text.encode("utf-8"), "application/xml", send_body=body)

    def end_headers(self):
        # Always revalidate: a rebuilt site must never mix with cached files.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        if not self.quiet:
            super().log_message(format, *args)


class Server(http.server.ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A browser closing a kept-alive connection is normal, not worth a traceback.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
            return
        super().handle_error(request, client_address)


def make_server(source, host: str = "127.0.0.1", port: int = 0, quiet: bool = True):
    handler = type("Handler", (SiteHandler,), {"source": source, "quiet": quiet})
    return Server((host, port), handler)


def serve_until_interrupted(server) -> None:
    """Serve until Ctrl-C, then close the socket (the dev server and the bundle share it)."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def bundle_main(argv=None) -> int:
    """Entry point of the offline bundle: ``python3 llm-serving-economics.zip [--port N]``."""
    import argparse
    import webbrowser

    here = os.path.dirname(os.path.abspath(__file__))  # the zip archive itself, or its unzipped folder
    ap = argparse.ArgumentParser(prog="python3 " + os.path.basename(here),
                                 description="Serve the LLM serving economics site from this archive, live and offline.")
    ap.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0 = any free port)")
    ap.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    args = ap.parse_args(argv)
    source = ZipSource(here, "site") if zipfile.is_zipfile(here) else DirSource(os.path.join(here, "site"))
    try:
        server = make_server(source, "127.0.0.1", args.port, quiet=True)
    except OSError:
        server = make_server(source, "127.0.0.1", 0, quiet=True)  # port taken: any free one
    url = "http://127.0.0.1:%d/" % server.server_address[1]
    print("Serving the site live on %s (Ctrl-C to stop)" % url, flush=True)
    if not args.no_browser:
        threading.Timer(0.5, lambda: webbrowser.open(url)).start()
    serve_until_interrupted(server)
    return 0


if __name__ == "__main__":
    sys.exit(bundle_main())
