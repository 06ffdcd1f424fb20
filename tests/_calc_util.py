"""Helpers shared by the ``tests/test_calc_*.py`` files (not a test module).

Puts the repository root on ``sys.path`` so ``import calc`` works without installing the
package, runs the command line in a subprocess, and checks a value against a figure the
way a source printed it (round half up to the printed number of decimals).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FACTS = "shared/reference/facts.md"


def rounds_to(value: float, printed: str, scale: float = 1.0) -> bool:
    """True when ``value / scale`` rounded half up to the decimals of ``printed`` equals
    ``printed`` ("0.927", "11.41", "131.4", "10,030")."""
    text = printed.replace(",", "")
    exp = Decimal(text).as_tuple().exponent
    got = Decimal(repr(value / scale)).quantize(Decimal(1).scaleb(exp), rounding=ROUND_HALF_UP)
    return got == Decimal(text)


def run_cli(*args: str, cwd: str | os.PathLike | None = None) -> subprocess.CompletedProcess:
    """``python -m calc ARGS`` with this interpreter; the package is found via PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONWARNINGS", None)
    return subprocess.run([sys.executable, "-m", "calc", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=120)


def cli_json(*args: str) -> dict:
    r = run_cli(*args, "--json")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return json.loads(r.stdout)


def assert_one_line_error(r: subprocess.CompletedProcess, *names: str) -> str:
    """Exit status 2, nothing on stdout, exactly one stderr line, no traceback, and the
    line names each of ``names`` (case-insensitive)."""
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == ""
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip("\n").splitlines()
    assert len(lines) == 1, r.stderr
    line = lines[0]
    for n in names:
        assert n.lower() in line.lower(), (n, line)
    return line
