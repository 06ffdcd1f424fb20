"""calc must run on CPython 3.11 (the oldest Python it supports), not only on the 3.12 of the
build venv: run the command line there and compare with this process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import calc

ROOT = Path(__file__).resolve().parents[1]


def _python311() -> str | None:
    cands = [Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions" / "3.11.7" / "bin" / "python"]
    cands += sorted((Path.home() / ".pyenv" / "versions").glob("3.11*/bin/python"))
    which = shutil.which("python3.11")
    if which:
        cands.append(Path(which))
    for c in cands:
        if c.exists():
            return str(c)
    return None


PY311 = _python311()


def _close(a, b) -> bool:
    """Nested equality with floats compared to 1e-12 relative."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12)
    return a == b


@pytest.mark.skipif(PY311 is None, reason="no CPython 3.11 on this machine")
@pytest.mark.parametrize("args", [
    ["sol", "--model", "deepseek-v3", "--gpu", "h800", "--seq-len", "5000"],
    ["tight", "--accept-length", "1.85"],
    ["validate"],
])
def test_cli_on_python311_matches_this_process(args):
    env = {k: v for k, v in os.environ.items() if k != "PYENV_VERSION"}
    out = subprocess.run([PY311, "-m", "calc", *args, "--json"], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    got = json.loads(out.stdout)
    params = {}
    it = iter(args[1:])
    for flag, value in zip(it, it):
        params[flag[2:].replace("-", "_")] = value
    # equal up to the last bits: Python 3.12's sum() of floats is compensated, 3.11's is not
    assert _close(got, json.loads(json.dumps(calc.evaluate(args[0], params))))
    version = subprocess.run([PY311, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
    assert version.stdout.strip() == "(3, 11)"
