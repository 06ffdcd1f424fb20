"""The offline bundle: one zip archive of the built site that serves itself.

    ./dev.sh bundle                        # writes dist/llm-serving-economics.zip
    python3 llm-serving-economics.zip      # serves it live on http://127.0.0.1:8000/

Python runs a zip archive that has a ``__main__.py`` at its root (any Python 3.8+, standard
library only): here that is ``sitebuild/serve.py``, which serves the ``site/`` folder of the
archive straight out of it, with the MIME types the site needs. Unzipped, ``python3
llm-serving-economics/__main__.py`` does the same from the folder, and any static server
pointed at ``site/`` works too.
"""
from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

NAME = "llm-serving-economics"

README = """LLM serving economics, computed: the explainer site, for reading offline.

Open it live (needs only Python 3.8 or later, nothing to install):

    python3 {zip}

It serves the site on http://127.0.0.1:8000/ (another free port if 8000 is taken) and opens
your browser. Ctrl-C stops it. Every page recomputes its numbers in your browser (Python
compiled to WebAssembly); after the first visit the browser also keeps a copy for offline use.

Or unzip it and serve the site/ folder with any static server, for example:

    python3 -m zipfile -e {zip} {name} && python3 -m http.server 8000 --bind 127.0.0.1 --directory {name}/site
"""


def make_bundle(calc_src: Path, out: Path | None = None) -> Path:
    import build  # the project's build.py (imported lazily: it imports this package)

    out = Path(out or build.DIST / f"{NAME}.zip")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="calc-bundle-") as tmp:
        site = Path(tmp) / "site"
        # Built for the address the bundle serves on; any other port works as well (the
        # bundle's server rewrites sitemap.xml for the address used).
        build.build(calc_src, site_url=build.DEFAULT_SITE_URL, site=site, precompress=False)
        part = out.with_suffix(".zip.part")
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            z.write(Path(__file__).with_name("serve.py"), "__main__.py")
            z.writestr("README.txt", README.format(zip=out.name, name=NAME))
            for f in sorted(site.rglob("*")):
                if f.is_file() and f.suffix not in (".br", ".map") and f.name != "sitemap.xml.gz":
                    z.write(f, "site/" + f.relative_to(site).as_posix())
        shutil.move(part, out)
    return out
