"""The JSON boundary used by the site: build-time rendering and the browser worker.

Request::

    {"params": {name: raw value}, "items": [{"key": str, "calc": str, "overrides": {...}}]}

Response::

    {"errors": {param: message}, "state": {param: value},
     "items": {key: {"outputs": {path: {"value": ..., "text": str}}} | {"error": message}}}

Each parameter is validated on its own: a bad one is reported in ``errors`` and replaced
by its default in ``state``, so the rest of a URL still applies. ``path`` is a dotted path
into the ``evaluate()`` result; leaves are formatted by :mod:`calc.fmt`.
"""

from __future__ import annotations

import json
from typing import Any

from . import fmt
from .api import CALCULATIONS, OUTPUTS, evaluate
from .errors import CalcError
from .schema import PARAMS


def defaults() -> dict[str, Any]:
    return {p.name: p.default for p in PARAMS.values()}


def param_schema() -> list[dict]:
    return [p.to_json() for p in PARAMS.values()]


def validate_state(raw: dict) -> tuple[dict, dict]:
    """(state with every parameter, {param: message} for the bad ones)."""
    state, errors = defaults(), {}
    for name, value in (raw or {}).items():
        if name not in PARAMS:
            errors[name] = f"{name}: unknown parameter"
            continue
        try:
            state[name] = PARAMS[name].validate(value)
        except CalcError as e:
            errors[name] = str(e)
    return state, errors


def _fmt_leaf(key: str, value: Any, parent: dict | None) -> str:
    if isinstance(value, (list, dict)):
        return ""
    if parent is not None and "unit" in parent and key in ("blog", "exact", "value"):
        return fmt.value(value, parent["unit"], parent.get("display"))
    spec = OUTPUTS.get(key)
    if spec is not None:
        return fmt.value(value, spec.unit, spec.display)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt.number(value)
    return "" if value is None else str(value)


def flatten(result: dict) -> dict[str, dict]:
    """Every leaf of an ``evaluate()`` result as ``{path: {"value", "text"}}``.

    A sweep result (it has ``series``) is one leaf: the whole chart data, text ``""``.
    """
    out: dict[str, dict] = {}

    def walk(prefix: str, obj: Any, parent: dict | None, key: str) -> None:
        if isinstance(obj, dict) and "series" not in obj:
            for k, v in obj.items():
                walk(f"{prefix}.{k}" if prefix else k, v, obj, k)
            return
        out[prefix] = {"value": obj, "text": _fmt_leaf(key, obj, parent)}

    if "series" in result:
        return {"chart": {"value": result, "text": ""}}
    walk("", result, None, "")
    return out


def compute(params: dict, items: list[dict]) -> dict:
    state, errors = validate_state(params)
    results: dict[str, dict] = {}
    for item in items:
        key, name = item["key"], item["calc"]
        if name not in CALCULATIONS:
            results[key] = {"error": f"unknown calculation {name!r}"}
            continue
        overrides = item.get("overrides") or {}
        try:
            res = evaluate(name, {**{k: state[k] for k in CALCULATIONS[name].params}, **overrides})
            results[key] = {"outputs": flatten(res)}
        except CalcError as e:
            results[key] = {"error": str(e)}
    return {"errors": errors, "state": state, "items": results}


def _json_default(o: Any) -> Any:
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def handle(request_json: str) -> str:
    """``compute`` behind JSON strings (what the browser worker calls)."""
    try:
        req = json.loads(request_json)
        resp = compute(req.get("params") or {}, req.get("items") or [])
    except (ValueError, KeyError, TypeError, AttributeError) as e:  # malformed request: say so, never a traceback
        resp = {"errors": {}, "state": defaults(), "items": {}, "fatal": f"bad request: {e}"}
    return json.dumps(resp, default=_json_default, allow_nan=False)
