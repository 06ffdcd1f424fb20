"""Errors ``calc`` raises for bad input. All are ``ValueError`` subclasses whose
``str()`` is one line of plain words, at most :data:`MAX_MESSAGE` characters, fit to show a
reader next to the input it is about ("Context length must be a whole number from 1 to
10,000,000 tokens (got 0)"). A value is echoed only as far as :func:`show` writes it: one
line, printable characters, truncated."""

from __future__ import annotations

import math

#: the longest message calc ever gives (the page shows it next to an input, the CLI on one line)
MAX_MESSAGE = 200
#: the longest echo of a value given
MAX_ECHO = 24


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "\u2026"


def printable(text: str, limit: int = MAX_ECHO) -> str:
    """``text`` on one line with every unprintable character (line breaks, control and
    format characters such as bidirectional overrides, lone surrogates) written as its
    escape, at most ``limit`` characters."""
    out = []
    for ch in text[: limit + 1]:
        out.append(ch if ch.isprintable() else ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
    return clip("".join(out), limit)


def show(value: object, limit: int = MAX_ECHO) -> str:
    """A value as an error message echoes it: numbers in plain notation, text as given
    (trimmed, escaped, truncated), other types by their kind. Never long, never more than
    one line, never an exception (a 5,000-digit integer is "a 5,000-digit number")."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) < 10**15:
            return f"{value:,}"
        digits = int(abs(value).bit_length() * math.log10(2)) + 1  # str() refuses > 4,300 digits
        return f"a {digits:,}-digit number"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "infinity" if value > 0 else "minus infinity"
        return f"{value:,.0f}" if value.is_integer() and abs(value) < 1e15 else f"{value:.6g}"
    if isinstance(value, str):
        text = value.strip()
        return printable(text, limit) if text else "nothing"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "a " + printable(type(value).__name__, limit)


class CalcError(ValueError):
    """Base class for every input error."""

    def __init__(self, message: str):
        super().__init__(clip(" ".join(str(message).splitlines()), MAX_MESSAGE))


def _label(param: str) -> str:
    try:
        from .schema import PARAMS  # the schema imports this module: import late
    except ImportError:  # pragma: no cover - partial import during start-up
        return param
    p = PARAMS.get(param)
    return p.label if p is not None else param


class ParamError(CalcError):
    """A parameter value is not allowed. Carries the parameter name (``param``), the value
    given (``value``), a description of what is allowed (``allowed``, a phrase such as "a
    whole number from 1 to 10,000,000 tokens") and the parameter's human label (``label``).

    The message reads "<label> must be <allowed> (got <value>)"; ``message`` replaces it
    where that sentence does not fit (an unknown parameter)."""

    def __init__(self, param: str, value: object, allowed: str, reason: str | None = None, *,
                 label: str | None = None, message: str | None = None):
        self.param = param
        self.value = value
        self.allowed = allowed
        self.reason = reason
        self.label = label or _label(param)
        if message is None:
            got = "got " + show(value) + (f"; {reason}" if reason else "")
            message = f"{self.label} must be {allowed} ({got})"
        super().__init__(message)


class ConfigError(CalcError):
    """A model ``config.json`` cannot be read, is not JSON, is missing fields or contradicts
    itself."""
