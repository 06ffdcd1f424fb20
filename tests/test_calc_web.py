"""The JSON boundary the site uses (``calc.web``): the request/response round trip, bad
parameters reported one by one while the rest still apply (DESIGN.md: "A bad URL parameter
is reported the same way and the rest of the URL still applies"), malformed requests answered
with ``fatal`` instead of an exception."""

from __future__ import annotations

import json

import pytest

from _calc_util import rounds_to

from calc import CALCULATIONS, PARAMS, evaluate
from calc.web import defaults, flatten, handle, param_schema, validate_state


def _handle(req: dict) -> dict:
    text = handle(json.dumps(req))
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"non-finite {c} in response"))


def test_round_trip_matches_evaluate_facts_section5():
    """handle() gives evaluate()'s values and calc.fmt's text (facts.md section 5: DeepSeek-V3
    on H800 at 5,000 tokens: 351.36 MB per user, 9,534 tok/s per GPU)."""
    resp = _handle({"params": {"seq_len": 5000, "gpu": "h800"},
                    "items": [{"key": "a", "calc": "sol"}, {"key": "b", "calc": "kv"}]})
    assert resp["errors"] == {}
    assert "fatal" not in resp
    out = resp["items"]["a"]["outputs"]
    ref = evaluate("sol", {"seq_len": 5000, "gpu": "h800"})
    for k, v in ref.items():
        assert out[k]["value"] == v
    assert out["tokens_per_s_per_gpu"]["text"] == "9,534\u00a0tok/s"
    assert out["kv_bytes_per_user"]["text"] == "351.36\u00a0MB"
    assert rounds_to(out["tokens_per_s_per_gpu"]["value"], "9534.38")
    assert resp["items"]["b"]["outputs"]["kv_bytes_per_user_binary"]["text"] == "335.08\u00a0MiB"
    assert resp["state"]["seq_len"] == 5000 and resp["state"]["gpu"] == "h800"


def test_state_has_every_parameter():
    resp = _handle({"params": {}, "items": []})
    assert set(resp["state"]) == set(PARAMS)
    assert resp["state"] == json.loads(json.dumps(defaults()))


def test_overrides_apply_per_item():
    resp = _handle({"params": {"gpu": "h800"},
                    "items": [{"key": "h800", "calc": "sol"},
                              {"key": "b200", "calc": "sol", "overrides": {"gpu": "b200"}}]})
    assert rounds_to(resp["items"]["h800"]["outputs"]["tokens_per_s_per_gpu"]["value"], "9,534")
    assert rounds_to(resp["items"]["b200"]["outputs"]["tokens_per_s_per_gpu"]["value"], "22,769")


@pytest.mark.parametrize("name,raw,must", [
    ("seq_len", -1, ["from 1 to 10,000,000", "(got -1)"]),
    ("seq_len", 0, ["Context length must be a whole number from 1 to 10,000,000\u00a0tokens (got 0)"]),
    ("seq_len", "abc", ["(got abc)"]),
    ("seq_len", "", ["(got nothing)"]),
    ("seq_len", 2.5, ["whole number", "(got 2.5)"]),
    ("accept_length", 99, ["to 16", "(got 99)"]),
    ("gpu", "h900", ["one of", "h800", "(got h900)"]),
    ("model", "gpt-5", ["one of", "deepseek-v3", "(got gpt-5)"]),
    ("kv_dtype", "int8", ["bf16, fp8, fp4"]),
    ("gpu_hour_usd", 0, ["from 0.01 to 1,000"]),
    ("ep", True, ["(got true)"]),
])
def test_bad_param_reported_others_applied(name, raw, must):
    """One bad parameter: reported under its own name with the parameter's name and allowed
    range in the message, replaced by its default; the other parameters still apply."""
    other = {"gpu": "b200"} if name != "gpu" else {"seq_len": 10000}
    resp = _handle({"params": {name: raw, **other}, "items": [{"key": "s", "calc": "sol"}]})
    assert set(resp["errors"]) == {name}
    msg = resp["errors"][name]
    assert msg.startswith(PARAMS[name].label + " must be ")  # the label, not the id (issue 8)
    assert PARAMS[name].allowed() in msg
    assert len(msg) <= 200 and ">=" not in msg and "<=" not in msg
    for m in must:
        assert m in msg, (m, msg)
    assert resp["state"][name] == PARAMS[name].default
    for k, v in other.items():
        assert resp["state"][k] == v
    expected = evaluate("sol", {**{k: resp["state"][k] for k in CALCULATIONS["sol"].params}})
    assert resp["items"]["s"]["outputs"]["tokens_per_s_per_gpu"]["value"] == expected["tokens_per_s_per_gpu"]
    assert expected == evaluate("sol", other)


def test_several_bad_params_each_reported():
    resp = _handle({"params": {"seq_len": -3, "gpu": "nope", "accept_length": 1.8, "bogus": 1},
                    "items": [{"key": "s", "calc": "sol"}]})
    assert set(resp["errors"]) == {"seq_len", "gpu", "bogus"}
    assert "bogus" in resp["errors"]["bogus"]
    assert resp["state"]["accept_length"] == 1.8
    base = evaluate("sol")["tokens_per_s_per_gpu"]
    assert resp["items"]["s"]["outputs"]["tokens_per_s_per_gpu"]["value"] == pytest.approx(1.8 * base, rel=1e-12)


def test_validate_state_directly():
    state, errors = validate_state({"seq_len": "8,192", "model": " Kimi-K2 "})
    assert errors == {}
    assert state["seq_len"] == 8192 and state["model"] == "kimi-k2"


def test_item_errors_are_per_item():
    resp = _handle({"params": {},
                    "items": [{"key": "ok", "calc": "cost"},
                              {"key": "unknown", "calc": "nope"},
                              {"key": "bad", "calc": "sol", "overrides": {"seq_len": -1}},
                              {"key": "badsweep", "calc": "sweep", "overrides": {"sweep_param": "ep"}}]})
    assert rounds_to(resp["items"]["ok"]["outputs"]["usd_per_million_tokens"]["value"], "0.30")
    assert "nope" in resp["items"]["unknown"]["error"]
    assert "Context length" in resp["items"]["bad"]["error"]
    assert "Swept input" in resp["items"]["badsweep"]["error"]


@pytest.mark.parametrize("request_text", [
    "{not json", "", "null", "[1, 2]", '"text"', "42",
    '{"params": [1, 2]}', '{"params": "seq_len=5"}', '{"items": [1]}', '{"items": [{"calc": "sol"}]}',
    '{"items": {"a": 1}}', '{"items": [{"key": "a", "calc": "sol", "overrides": [1]}]}',
])
def test_malformed_request_is_fatal_not_an_exception(request_text):
    """A malformed request gives a response with a ``fatal`` message (never an exception),
    and the response is valid JSON with the default state."""
    resp = json.loads(handle(request_text))
    assert isinstance(resp, dict)
    if "fatal" in resp:
        assert resp["fatal"].startswith("bad request")
        assert resp["items"] == {}
    assert set(resp["state"]) == set(PARAMS)


def test_clearly_malformed_requests_say_fatal():
    for text in ("{not json", "null", "[1, 2]", '{"params": [1, 2]}', '{"items": [1]}'):
        assert "fatal" in json.loads(handle(text)), text


def test_every_calculation_through_handle():
    """Every calculation answers through the JSON boundary at defaults (finite JSON)."""
    items = [{"key": c, "calc": c} for c in CALCULATIONS]
    resp = _handle({"params": {}, "items": items})
    for c in CALCULATIONS:
        assert "outputs" in resp["items"][c], (c, resp["items"][c])


def test_flatten_paths():
    """flatten() gives dotted paths into the result; blog figures format with their own unit."""
    f = flatten(evaluate("blog"))
    assert f["figures.kv_bytes_per_user.blog"]["text"] == "334.00\u00a0MB"
    assert f["figures.kv_bytes_per_user.exact"]["text"] == "351.36\u00a0MB"
    assert f["figures.sol_h800.blog"]["text"] == "10,030\u00a0tok/s"
    assert f["figures.h200_over_h800.blog"]["text"] == "65.4%"
    sweep = flatten(evaluate("sweep"))
    assert list(sweep) == ["chart"] and sweep["chart"]["text"] == ""


def test_param_schema_is_json():
    s = param_schema()
    assert [p["name"] for p in s] == list(PARAMS)
    json.dumps(s, allow_nan=False)
    for p in s:
        assert p["allowed"] and "help" in p and "unit" in p
