"""Hostile input (issue 11): the cases a review found, each a test, then a fuzz of every
schema parameter through ``evaluate()``, the JSON boundary (``calc.web``) and the command
line. The rule for every front end: a value is checked against the range where the model
means something; every result is finite and sensible; every error is one line of at most
200 characters naming the parameter by its label; never a traceback.

The fuzz is derandomized (the same inputs on every run, so CI is repeatable) and sized by
``CALC_FUZZ_EXAMPLES`` (default 300 per test; ``CALC_FUZZ_EXAMPLES=5000`` for a long run).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import math
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _calc_util import assert_one_line_error, run_cli

from calc import CALCULATIONS, OUTPUTS, PARAMS, CalcError, ParamError, evaluate
from calc.api import SWEEP_BUDGET, SWEEP_COST
from calc.cli import main as cli_main
from calc.errors import MAX_MESSAGE
from calc.web import compute, handle

N = int(os.environ.get("CALC_FUZZ_EXAMPLES", "300"))
FUZZ = settings(derandomize=True, max_examples=N, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])

#: the CLI may prefix a message with its flag ("calc: error: --tokens-per-s-per-gpu: ")
CLI_PREFIX = len("calc: error: --tokens-per-s-per-gpu: ")


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def assert_message(msg: str, label: str | None = None) -> None:
    """One line, short, in words: no traceback, no Python range syntax, no repr noise."""
    assert isinstance(msg, str) and msg
    assert len(msg) <= MAX_MESSAGE, (len(msg), msg[:300])
    assert "\n" not in msg and "\r" not in msg
    assert "Traceback" not in msg
    if " must be " in msg:  # the allowed values in words, never ">= 1 and <= 10,000,000"
        allowed = msg.split(" must be ", 1)[1].rsplit(" (got", 1)[0]
        assert ">=" not in allowed and "<=" not in allowed, msg
    if label is not None:
        assert msg.startswith(label), (label, msg)


# ---- the review's cases, one test each --------------------------------------------------------

REVIEW_CLI = [
    # (argv, flag and label the line must name)
    (["validate", "--mem-efficiency", "1e-310"], ["--mem-efficiency", PARAMS["mem_efficiency"].label]),  # ZeroDivisionError
    (["deepseek_day", "--gpu-hour-usd", "1e-30"], ["--gpu-hour-usd", PARAMS["gpu_hour_usd"].label]),  # decimal.InvalidOperation
    (["validate", "--compute-efficiency", "1e-30"], ["--compute-efficiency", PARAMS["compute_efficiency"].label]),
    (["cost", "--tokens-per-s-per-gpu", "1e-310", "--json"], ["--tokens-per-s-per-gpu", "Throughput per GPU"]),  # inf
    (["tight", "--net-efficiency", "1e-310", "--json"], ["--net-efficiency", PARAMS["net_efficiency"].label]),
    (["sweep", "--sweep-from", "1e-310"], ["--sweep-from", "From"]),  # OverflowError
    (["sol", "--seq-len", "5" * 5000], ["--seq-len", "Context length"]),
    (["sol", "--seq-len", "\uff15\uff10\uff10\uff10"], ["--seq-len", "Context length"]),  # full-width digits
    (["sol", "--seq-len", "\u0665\u0660\u0660\u0660"], ["--seq-len", "Context length"]),  # Arabic-Indic digits
    (["sol", "--ep", "abc"], ["--ep", "Expert-parallel degree"]),  # sol does not read ep: still checked
    (["sol", "--batch-per-gpu", "0"], ["--batch-per-gpu", "Batch per GPU"]),
    (["sol", "--seq-len", "1,5"], ["--seq-len", "(got 1,5)"]),  # not 15
]


@pytest.mark.parametrize("argv,names", REVIEW_CLI, ids=[" ".join(a)[:60] for a, _ in REVIEW_CLI])
def test_review_cli_cases_exit_2_with_one_line(argv, names):
    """Issue 11: each of these printed a traceback (or was silently accepted); now exit 2
    and one line naming the flag and the parameter's label."""
    line = assert_one_line_error(run_cli(*argv), *names)
    assert len(line) <= CLI_PREFIX + MAX_MESSAGE


def test_review_a_100kb_value_gives_a_short_line():
    """Issue 11: "a 100 KB value gives a 100 KB line"; now the value is cut."""
    line = assert_one_line_error(run_cli("sol", "--seq-len", "7" * 100_000), "--seq-len", "Context length")
    assert len(line) <= CLI_PREFIX + MAX_MESSAGE
    with pytest.raises(ParamError) as e:
        evaluate("sol", {"gpu": "x" * 100_000})
    assert_message(str(e.value), "Accelerator must be one of")


@pytest.mark.parametrize("calc_name,params", [
    ("sol", {"seq_len": 10**400}),  # OverflowError before
    ("cost", {"tokens_per_s_per_gpu": 1e-310}),  # inf before
    ("tight", {"net_efficiency": 1e-310}),
    ("validate", {"mem_efficiency": 5e-324}),
    ("deepseek_day", {"gpu_hour_usd": 1e-30}),
    ("sol", {"ep": "abc"}),  # a parameter sol does not read: silently accepted before
    ("kv", {"gpu_hour_usd": float("nan")}),
    ("sol", {"seq_len": "\u0665\u0660\u0660\u0660"}),  # Unicode digits were accepted
    ("sol", {"seq_len": "1,5"}),  # was read as 15
    ("sweep", {"sweep_from": 1e-310}),
    ("sweep", {"sweep_points": 100_000, "sweep_calc": "tight", "sweep_param": "batch_per_gpu",
               "sweep_to": 1_000_000}),  # ran for minutes in the browser
])
def test_review_api_cases_raise_param_error(calc_name, params):
    """Issue 11: evaluate() gave inf or raised something other than ParamError for these."""
    with pytest.raises(ParamError) as e:
        evaluate(calc_name, params)
    assert e.value.param in params
    assert_message(str(e.value), PARAMS[e.value.param].label)


def test_sweep_over_budget_is_refused_naming_what_fits():
    """A sweep larger than the work budget is refused before it runs, naming the points that fit."""
    with pytest.raises(ParamError) as e:
        evaluate("sweep", {"sweep_points": 100_000})
    assert e.value.param == "sweep_points"
    most = SWEEP_BUDGET // (5 * SWEEP_COST["sol"])
    assert f"at most {most:,} for 5 lines" in str(e.value)
    r = evaluate("sweep", {"sweep_points": most})  # exactly the budget runs
    assert len(r["x"]) == most and len(r["series"]) == 5


def test_web_keeps_one_bad_value_to_itself():
    """The JSON boundary: extreme values are refused per parameter; no item fails for them."""
    resp = json.loads(handle(json.dumps({"params": {"mem_efficiency": "5e-324", "gpu_hour_usd": "1e-30",
                                                    "seq_len": "8" * 60_000},
                                         "items": [{"key": c, "calc": c} for c in ("sol", "cost", "validate")]})))
    assert set(resp["errors"]) == {"mem_efficiency", "gpu_hour_usd", "seq_len"}
    for name, msg in resp["errors"].items():
        assert_message(msg, PARAMS[name].label)
    assert all("outputs" in resp["items"][c] for c in ("sol", "cost", "validate"))


def test_web_unknown_parameters_are_one_message():
    """A link with a thousand unknown keys gives one short message, not a thousand."""
    params = {f"k{i}": "1" for i in range(1000)}
    resp = compute(params, [])
    assert len(resp["errors"]) == 1
    (msg,) = resp["errors"].values()
    assert_message(msg)
    assert "998 more" in msg


def test_web_an_unexpected_exception_fails_only_its_item(monkeypatch):
    """A bug in one calculation (any exception, not only CalcError) fails that item alone,
    with one line; the other items are computed."""
    import calc.api

    def boom(p):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setitem(calc.api.CALCULATIONS, "cost", dataclasses.replace(calc.api.CALCULATIONS["cost"], fn=boom))
    resp = json.loads(handle(json.dumps({"params": {}, "items": [{"key": "a", "calc": "cost"},
                                                                 {"key": "b", "calc": "sol"}]})))
    assert "fatal" not in resp
    assert_message(resp["items"]["a"]["error"])
    assert "ZeroDivisionError" in resp["items"]["a"]["error"]
    assert "outputs" in resp["items"]["b"]


def test_cli_internal_error_is_one_line(monkeypatch, capsys):
    """Should calc itself fail (a bug), the command line says so in one line, status 1."""
    import calc.cli

    def boom(*a, **k):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(calc.cli, "evaluate", boom)
    assert cli_main(["sol"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "RuntimeError" in err


# ---- every parameter's messages -----------------------------------------------------------------

BAD_NUMBERS = ["", "  ", "abc", "nan", "inf", "-inf", "1e400", "-1e400", "1e-400x", "0x10", "\uff15", "1,5", "1,0000",
               "9" * 50, "\u202e5", "5\n6", "<img src=x onerror=alert(1)>", True, None, [5], {"a": 1},
               float("nan"), float("inf"), 10**400, -10**400]


@pytest.mark.parametrize("name", list(PARAMS))
def test_every_parameter_refuses_hostile_values_in_one_line(name):
    p = PARAMS[name]
    bad = list(BAD_NUMBERS) + ["no-such-choice", "x" * 100_000]
    if p.kind in ("int", "float"):
        bad += [p.min - 1 if p.min is not None else None, p.max * 10 + 1 if p.max is not None else None]
    for raw in bad:
        if p.kind == "str" and isinstance(raw, str) and len(raw) <= 200:
            continue  # any short text is a valid series list as far as the schema goes
        with pytest.raises(ParamError) as e:
            p.validate(raw)
        assert e.value.param == name
        assert_message(str(e.value), p.label + " must be ")


# ---- fuzz: hostile values through evaluate(), web and the command line -------------------------

HOSTILE_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
NUMBERISH = st.from_regex(r"\A[ +\-]?[0-9٠-٩０-９,._]{0,12}([eE][+\-]?[0-9]{1,4})?\Z")


def hostile(name: str) -> st.SearchStrategy:
    """Any value for a parameter: valid ones, edges, and hostile ones of every type."""
    p = PARAMS[name]
    out = [HOSTILE_TEXT, NUMBERISH, st.sampled_from([s for s in BAD_NUMBERS if isinstance(s, str)]),
           st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=-10**500, max_value=10**500),
           st.booleans(), st.none(), st.lists(st.integers(), max_size=2)]
    if p.kind == "choice":
        out.append(st.sampled_from(p.choices).map(lambda c: st_case(c)))
        out.append(st.sampled_from(p.choices))
    elif p.kind in ("int", "float"):
        out.append(valid(name))
        out.append(st.sampled_from([p.min, p.max, p.min - 1e-9, p.max + 1e-9, p.max * (1 + 1e-15)]))
    return st.one_of(out)


def st_case(c: str) -> str:
    return f"  {c.upper()} "


def valid(name: str) -> st.SearchStrategy:
    """A value inside the schema's range (the model must give a finite, sensible result)."""
    p = PARAMS[name]
    if p.kind == "choice":
        return st.sampled_from(p.choices)
    if p.kind == "int":
        return st.integers(min_value=int(p.min), max_value=int(p.max))
    if p.kind == "float":
        lo = p.min
        return st.one_of(st.floats(min_value=lo, max_value=p.max, allow_nan=False),
                         st.sampled_from([lo, p.max]))
    return st.sampled_from([p.default])


CALCS = sorted(CALCULATIONS)
NONNEG_UNITS = {"B", "B/s", "tok/s", "USD", "/s", "s", "FLOP", "FLOP/s", "tok", "users", "GPUs", "experts",
                "sequences", "nodes", "tokens", "params", "FLOP/B", "tokens/step"}


def assert_sensible(result) -> None:
    """Finite numbers everywhere; no negative bytes, times, rates, counts or prices."""
    stack = [("", result)]
    while stack:
        key, o = stack.pop()
        if isinstance(o, dict):
            stack.extend(o.items())
        elif isinstance(o, (list, tuple)):
            stack.extend((key, v) for v in o)
        elif isinstance(o, float) or (isinstance(o, int) and not isinstance(o, bool)):
            assert math.isfinite(o), (key, o)
            spec = OUTPUTS.get(key)
            if spec is not None and spec.unit in NONNEG_UNITS:
                assert o >= 0, (key, o)


@FUZZ
@given(st.sampled_from(CALCS), st.dictionaries(st.sampled_from(sorted(PARAMS)), st.just(None), max_size=6),
       st.data())
def test_fuzz_evaluate_hostile(calc_name, names, data):
    """evaluate() with hostile values for any parameters: a finite, sensible result or a
    ParamError/ConfigError with a one-line message; never another exception."""
    params = {n: data.draw(hostile(n), label=n) for n in names}
    try:
        r = evaluate(calc_name, params)
    except CalcError as e:
        assert_message(str(e))
        if isinstance(e, ParamError):
            assert e.param in params or e.param in ("sweep_points", "series_values", "sweep_to", "sweep_from",
                                                    "sweep_param", "sweep_output", "sweep_calc")
        return
    assert_sensible(r)


def valid_params(calc_name: str, data) -> dict:
    """Valid values for the parameters ``calc_name`` reads (and a few it does not); for a
    sweep, a consistent sweep within the work budget."""
    names = data.draw(st.lists(st.sampled_from(sorted(PARAMS)), max_size=8, unique=True), label="names")
    sweep_names = {n for n in PARAMS if n.startswith("sweep_") or n.startswith("series_")}
    params = {n: data.draw(valid(n), label=n) for n in names if n not in sweep_names}
    if calc_name == "sweep":
        sc = data.draw(st.sampled_from([c for c in PARAMS["sweep_calc"].choices if c in CALCULATIONS]))
        calc = CALCULATIONS[sc]
        x = data.draw(st.sampled_from([n for n in calc.params if PARAMS[n].kind in ("int", "float")]))
        y = data.draw(st.sampled_from([o for o in PARAMS["sweep_output"].choices if o in calc.outputs]))
        scale = data.draw(st.sampled_from(["log", "linear"]))
        xp = PARAMS[x]
        lo = max(xp.min, 1e-300) if scale == "log" else xp.min
        ends = st.floats(min_value=lo, max_value=xp.max, allow_nan=False)
        if xp.kind == "int":
            ends = st.integers(min_value=math.ceil(lo), max_value=int(xp.max))
        series = data.draw(st.sampled_from(PARAMS["series_param"].choices))
        values = ""
        if series != "none":
            values = ",".join(data.draw(st.lists(st.sampled_from(PARAMS[series].choices), min_size=1, max_size=5)))
        n_series = 1 if series == "none" else len([v for v in values.split(",") if v])
        most = SWEEP_BUDGET // (n_series * SWEEP_COST[sc])
        params.update(sweep_calc=sc, sweep_param=x, sweep_output=y, sweep_scale=scale,
                      sweep_from=data.draw(ends), sweep_to=data.draw(ends), series_param=series,
                      series_values=values or PARAMS["series_values"].default,
                      sweep_points=data.draw(st.integers(min_value=2, max_value=min(most, 300))))
    return params


@FUZZ
@given(st.sampled_from(CALCS), st.data())
def test_fuzz_evaluate_valid_never_fails(calc_name, data):
    """Inside the schema's ranges every calculation answers: no error at all, every number
    finite, nothing negative that cannot be; the JSON boundary formats it all."""
    params = valid_params(calc_name, data)
    r = evaluate(calc_name, params)
    assert_sensible(r)
    resp = compute({k: v for k, v in params.items()}, [{"key": "k", "calc": calc_name}])
    assert resp["errors"] == {}, resp["errors"]
    assert "outputs" in resp["items"]["k"], resp["items"]["k"]
    for leaf in resp["items"]["k"]["outputs"].values():
        if isinstance(leaf["value"], (int, float)):
            assert not re.search(r"\b(nan|inf|infinity)\b", leaf["text"], re.I), leaf
    json.dumps(resp, allow_nan=False)


@FUZZ
@given(st.dictionaries(st.one_of(st.sampled_from(sorted(PARAMS)), HOSTILE_TEXT),
                       st.one_of(HOSTILE_TEXT, NUMBERISH, st.floats(), st.integers(), st.booleans(), st.none()),
                       max_size=8),
       st.lists(st.sampled_from(CALCS + ["nope"]), min_size=1, max_size=3))
def test_fuzz_web_handle(params, calcs):
    """calc.web.handle (what the browser worker calls) with hostile parameters: valid JSON
    back, every message one short line under its parameter's name, every item either
    outputs or its own one-line error, never ``fatal``."""
    req = {"params": params, "items": [{"key": f"{c}{i}", "calc": c} for i, c in enumerate(calcs)]}
    resp = json.loads(handle(json.dumps(req)), parse_constant=lambda c: pytest.fail(c))
    assert "fatal" not in resp
    assert set(resp["errors"]) <= set(params)
    for msg in resp["errors"].values():
        assert_message(msg)
    for item in resp["items"].values():
        assert ("outputs" in item) != ("error" in item)
        if "error" in item:
            assert_message(item["error"])


def _run_cli_in_process(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = cli_main(argv)
        except SystemExit as e:  # argparse: --help or a usage error
            rc = e.code if isinstance(e.code, int) else 2
    return rc, out.getvalue(), err.getvalue()


@FUZZ
@given(st.sampled_from(CALCS), st.dictionaries(st.sampled_from(sorted(PARAMS)), st.just(None), max_size=4),
       st.booleans(), st.data())
def test_fuzz_cli(calc_name, names, as_json, data):
    """The command line with hostile values for any flags: status 0 with finite output, or
    status 2 with one line on stderr and nothing on stdout; never a traceback (status 1)."""
    argv = [calc_name]
    for n in names:
        v = data.draw(st.one_of(HOSTILE_TEXT, NUMBERISH, valid(n).map(str)), label=n)
        argv.append(f"{_flag(n)}={v}")
    if as_json:
        argv.append("--json")
    rc, out, err = _run_cli_in_process(argv)
    assert rc in (0, 2), (argv, rc, err)
    assert "Traceback" not in err
    if rc == 2:
        assert out == "" and err.count("\n") == 1, (argv, err)
        assert len(err.strip()) <= CLI_PREFIX + MAX_MESSAGE
    elif as_json:
        assert_sensible(json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in JSON for {argv}")))
    else:
        assert out.strip() and err == ""
