"""Errors ``calc`` raises for bad input. All are ``ValueError`` subclasses whose
``str()`` is a one-line message fit to show a reader."""

from __future__ import annotations


class CalcError(ValueError):
    """Base class for every input error."""


class ParamError(CalcError):
    """A parameter value is not allowed. Carries the parameter name, the value given
    and a description of what is allowed."""

    def __init__(self, param: str, value: object, allowed: str, reason: str | None = None):
        self.param = param
        self.value = value
        self.allowed = allowed
        shown = repr(value) if not isinstance(value, str) else repr(value)
        why = f" ({reason})" if reason else ""
        super().__init__(f"{param}: {shown} is not allowed{why}; allowed: {allowed}")


class ConfigError(CalcError):
    """A model ``config.json`` is missing fields or contradicts itself."""
