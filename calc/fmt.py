"""Formatting of numbers with units.

One place decides how a value is written, so the command line, the pages rendered at
build time and the live browser update print the same text. Bytes are written in
decimal units (kB, MB, GB, TB: powers of 1000) unless the output asks for binary
units (KiB, MiB, GiB, TiB: powers of 1024); the unit symbol always says which.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

_DEC = [(10**12, "TB"), (10**9, "GB"), (10**6, "MB")]
_BIN = [(2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")]


def number(x: float, sig: int = 4) -> str:
    """A plain number: integers >= 1,000 with thousands separators, others to ``sig``
    significant digits (trailing zeros kept only as far as ``sig`` asks)."""
    if isinstance(x, bool):
        return str(x)
    if x is None or not math.isfinite(x):
        return "n/a"
    ax = abs(x)
    if ax >= 1000 or (float(x).is_integer() and ax >= 1) or x == 0:
        return f"{x:,.0f}"
    digits = sig - 1 - int(math.floor(math.log10(ax)))
    digits = max(0, digits)
    return f"{x:,.{digits}f}"


def bytes_(x: float, binary: bool = False) -> str:
    """Bytes with a decimal (default) or binary prefix, two decimals; below the
    first prefix, whole bytes with separators."""
    if not math.isfinite(x):
        return "n/a"
    for scale, sym in _BIN if binary else _DEC:
        if abs(x) >= scale:
            return f"{x / scale:,.2f} {sym}"
    return f"{x:,.0f} B"


def usd(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    if abs(x) >= 100:
        return f"${x:,.0f}"
    if abs(x) >= 0.1 or x == 0:
        return f"${x:,.2f}"
    return f"${number(x, 3)}"


def percent(fraction: float) -> str:
    if not math.isfinite(fraction):
        return "n/a"
    p = fraction * 100
    # round half up, as sources print (342/608 = 56.25% is DeepSeek's "56.3%"); format() rounds half to even
    q = Decimal(repr(p)).quantize(Decimal(1) if abs(p) >= 100 else Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{q:,.0f}%" if abs(p) >= 100 else f"{q:.1f}%"


def value(x, unit: str, display: str | None = None) -> str:
    """Format ``x`` (in SI base units) for an output of ``unit``.

    ``display`` refines the choice: ``"binary"`` for GiB-style bytes, ``"percent"``
    for a fraction, ``"ratio"`` for an "N x" multiple, ``"int"`` for a count.
    """
    if isinstance(x, str):
        return x
    if isinstance(x, bool):
        return "yes" if x else "no"
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    if unit == "B":
        return bytes_(x, binary=display == "binary")
    if unit == "B/s":
        return bytes_(x, binary=display == "binary") + "/s"
    if unit == "USD":
        return usd(x)
    if display == "percent":
        return percent(x)
    if display == "ratio":
        return f"{number(x, 3)}\u00d7"
    if display == "given":  # a published figure: up to two decimals, as given (226.75 nodes)
        text = f"{x:,.2f}".rstrip("0").rstrip(".")
        return f"{text} {unit}" if unit else text
    if display == "int":
        return f"{x:,.0f}" + (f" {unit}" if unit else "")
    if unit == "FLOP":
        for scale, sym in ((1e15, "PFLOP"), (1e12, "TFLOP"), (1e9, "GFLOP"), (1e6, "MFLOP")):
            if abs(x) >= scale:
                return f"{number(x / scale)} {sym}"
        return f"{number(x)} FLOP"
    if unit == "FLOP/s":
        return f"{number(x / 1e12)} TFLOP/s"
    if unit == "s":
        if abs(x) < 1:
            return f"{number(x * 1e3, 3)} ms"
        return f"{number(x, 3)} s"
    text = number(x)
    return f"{text} {unit}" if unit else text
