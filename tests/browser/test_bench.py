"""The README's benchmark command runs against the built site: one short run of
bench/bench_site.py (one interleaved run, no throttled runs, five input changes) must finish
and report every measure. Its timings are not checked (benchmarks print ratios; tests do not
time), only that the benchmark still works with the site as built (for example under the
pages' Content-Security-Policy, which once stopped it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_site_runs_against_the_built_site():
    out = subprocess.run([sys.executable, "bench/bench_site.py", "--no-build", "--runs", "1", "--throttled-runs", "0",
                          "--changes", "5"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    raw = next(line for line in out.stdout.splitlines() if line.startswith("raw: "))
    data = json.loads(raw[len("raw: "):])
    for key in ("bare", "cold", "warm", "fallback", "offline", "embed"):
        assert len(data[key]) == 1 and data[key][0] > 0, key
    assert "Input -> updated outputs" in out.stdout
