"""Sweeps over any numeric parameter, and the command line's behaviour at the edges."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import calc
from calc.schema import PARAMS

ROOT = Path(__file__).resolve().parents[1]


def test_every_numeric_parameter_can_be_swept():
    numeric = {p.name for p in PARAMS.values() if p.kind in ("int", "float") and not p.name.startswith("sweep_")}
    assert set(PARAMS["sweep_param"].choices) == numeric


def test_integer_sweep_keeps_its_lower_end():
    """redundant_experts may be 0: a sweep from 0 starts at 0 (it used to be clamped to 1)."""
    r = calc.evaluate("sweep", {"sweep_calc": "capacity", "sweep_param": "redundant_experts", "sweep_from": 0,
                                "sweep_to": 64, "sweep_points": 5, "sweep_scale": "linear", "series_param": "none",
                                "sweep_output": "users_per_gpu", "ep": 144})
    assert r["x"] == [0, 16, 32, 48, 64]
    # more redundant copies never leave more room for users
    ys = r["series"][0]["y"]
    assert all(a >= b for a, b in zip(ys, ys[1:]))


def test_sweep_end_out_of_range_names_the_end():
    with pytest.raises(calc.ParamError) as e:
        calc.evaluate("sweep", {"sweep_param": "seq_len", "sweep_from": 0, "sweep_to": 10, "sweep_scale": "linear"})
    assert e.value.param == "sweep_from" and "Context length" in str(e.value) and "(got 0)" in str(e.value)


def test_log_sweep_gets_a_log_y_axis():
    assert calc.evaluate("sweep", {"sweep_points": 3})["y_scale"] == "log"
    assert calc.evaluate("sweep", {"sweep_points": 3, "sweep_scale": "linear"})["y_scale"] == "linear"


def test_closed_pipe_is_not_an_error():
    """`python -m calc sweep ... | head -1`: the reader closes early; no traceback, status 0.
    The output (20,000 rows) is far larger than a pipe's buffer, so the write does fail."""
    p = subprocess.Popen([sys.executable, "-m", "calc", "sweep", "--sweep-param", "accept_length", "--sweep-from", "1",
                          "--sweep-to", "16", "--sweep-points", "20000", "--sweep-scale", "linear",
                          "--series-param", "none"],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.read(10)
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait() == 0
    assert "Traceback" not in err
