"""Formatting of numbers with units: the house style.

One place decides how a value is written, so the command line, the pages rendered at
build time and the live browser update print the same text. The rules:

- A value and its unit are joined by a no-break space (U+00A0), so a line never breaks
  between them ("9,534 tok/s" stays on one line on a phone).
- Bytes are written in decimal units (kB, MB, GB, TB: powers of 1000) unless the output
  asks for binary units (KiB, MiB, GiB, TiB: powers of 1024); the symbol always says which.
  Two decimals above the first prefix, whole bytes below it ("70,272 B").
- Money: three significant figures with a thousands separator ("$0.130", "$0.0583",
  "$87,100"); a published dollar figure keeps its digits (display ``"given"``).
- Counts of things (users, sequences, GPUs, nodes, experts) are whole numbers from ten up
  and two significant figures below, where a fraction is the point (0.58 users per GPU:
  less than one fits); ``display="int"`` forces a whole number.
- Other quantities: four significant figures, whole numbers from 1,000 up with a
  thousands separator; FLOP per byte to three significant figures.
- Model parameter counts in billions: "671.0 B", "1,026 B" (display of unit ``params``).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"

_DEC = [(10**12, "TB"), (10**9, "GB"), (10**6, "MB")]
_BIN = [(2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")]

#: significant figures per unit where the four of :func:`number` are too many
_SIG = {"FLOP/B": 3}

#: units that count things: whole numbers, or two significant figures below ten (an average
#: of 0.58 users per GPU says something a rounded 1 would hide)
COUNT_UNITS = frozenset({"users", "sequences", "GPUs", "nodes", "experts"})


def _finite(x) -> bool:
    return x is not None and not isinstance(x, bool) and math.isfinite(x)


def with_unit(text: str, unit: str) -> str:
    """``text`` and ``unit`` joined by a no-break space (``text`` alone without a unit; a
    unit that starts with "/" is attached: "34.04/s")."""
    if not unit:
        return text
    return f"{text}{unit}" if unit.startswith("/") else f"{text}{NBSP}{unit}"


def number(x: float, sig: int = 4) -> str:
    """A plain number: integers >= 1,000 with thousands separators, others to ``sig``
    significant digits (trailing zeros kept only as far as ``sig`` asks)."""
    if isinstance(x, bool):
        return str(x)
    if not _finite(x):
        return "n/a"
    ax = abs(x)
    if ax >= 1000 or (float(x).is_integer() and ax >= 1) or x == 0:
        return f"{x:,.0f}"
    digits = sig - 1 - int(math.floor(math.log10(ax)))
    digits = max(0, digits)
    text = f"{x:,.{digits}f}"
    if abs(float(text.replace(",", ""))) >= 1000:  # rounded up across 1,000 (999.96 -> 1,000)
        return f"{x:,.0f}"
    return text


def significant(x: float, sig: int = 3) -> str:
    """``x`` to ``sig`` significant figures, trailing zeros kept, thousands separated
    (3 figures: 0.13 -> "0.130", 87,072 -> "87,100", 2 -> "2.00")."""
    if not _finite(x):
        return "n/a"
    if x == 0:
        return "0"
    d = Decimal(repr(float(x)))
    exp = d.adjusted()  # power of ten of the leading digit
    q = d.quantize(Decimal(1).scaleb(exp - sig + 1), rounding=ROUND_HALF_UP)
    if q.adjusted() > exp:  # rounding carried into a new digit (9.996 -> 10.0)
        exp += 1
        q = d.quantize(Decimal(1).scaleb(exp - sig + 1), rounding=ROUND_HALF_UP)
    decimals = max(0, sig - 1 - exp)
    return f"{q:,.{decimals}f}"


def bytes_(x: float, binary: bool = False) -> str:
    """Bytes with a decimal (default) or binary prefix, two decimals; below the
    first prefix, whole bytes with separators."""
    if not _finite(x):
        return "n/a"
    for scale, sym in _BIN if binary else _DEC:
        if abs(x) >= scale:
            return with_unit(f"{x / scale:,.2f}", sym)
    return with_unit(f"{x:,.0f}", "B")


def usd(x: float, given: bool = False) -> str:
    """Dollars: three significant figures ("$0.0583", "$0.130", "$87,100"); ``given``
    keeps a published figure's digits (whole dollars from $100, else cents)."""
    if not _finite(x):
        return "n/a"
    sign = "-" if x < 0 else ""
    ax = abs(x)
    if given:
        return f"{sign}${ax:,.0f}" if ax >= 100 else f"{sign}${ax:,.2f}"
    return f"{sign}${significant(ax, 3)}"


def percent(fraction: float) -> str:
    if not _finite(fraction):
        return "n/a"
    p = fraction * 100
    # round half up, as sources print (342/608 = 56.25% is DeepSeek's "56.3%"); format() rounds half to even
    q = Decimal(repr(p)).quantize(Decimal(1) if abs(p) >= 100 else Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{q:,.0f}%" if abs(p) >= 100 else f"{q:.1f}%"


def signed_percent(fraction: float) -> str:
    """A relative error with its sign: "+11.6%", "-7.9%", "0.0%" (rounded as :func:`percent`)."""
    text = percent(fraction)
    return "+" + text if fraction > 0 and text != percent(0.0) else text


def count(x: float, unit: str = "") -> str:
    """A count of things: a whole number with separators."""
    if not _finite(x):
        return "n/a"
    return with_unit(f"{x:,.0f}", unit)


def value(x, unit: str, display: str | None = None) -> str:
    """Format ``x`` (in SI base units) for an output of ``unit``.

    ``display`` refines the choice: ``"binary"`` for GiB-style bytes, ``"percent"``
    for a fraction (``"signed_percent"``: an error, "+" when positive), ``"ratio"`` for an "N x" multiple, ``"int"`` (or ``"count"``) for a
    count of things, ``"users"`` for an average count where a fraction below ten
    matters, ``"given"`` for a published figure shown as published.
    """
    if isinstance(x, str):
        return x
    if isinstance(x, bool):
        return "yes" if x else "no"
    if not _finite(x):
        return "n/a"
    if unit == "B":
        return bytes_(x, binary=display == "binary")
    if unit == "B/s":
        return bytes_(x, binary=display == "binary") + "/s"
    if unit == "USD":
        return usd(x, given=display == "given")
    if unit.startswith("USD/"):  # a price per something: "$55.8/TB-month"
        return usd(x, given=display == "given") + unit[3:]
    if display == "percent":
        return percent(x)
    if display == "signed_percent":
        return signed_percent(x)
    if display == "ratio":
        return f"{number(x, 3)}\u00d7"
    if display == "given":  # a published figure: up to two decimals, as given (226.75 nodes)
        return with_unit(f"{x:,.2f}".rstrip("0").rstrip("."), unit)
    if display in ("int", "count"):
        return count(x, unit)
    if display == "billions":  # a published day's token counts: "608 B tok"
        return with_unit(number(x / 1e9) + "\u00a0B", unit)
    if display == "users" or (display is None and unit in COUNT_UNITS):
        return with_unit(significant(x, 2) if abs(x) < 10 else f"{x:,.0f}", unit)
    if unit == "params":  # model parameters, in billions
        return with_unit(number(x / 1e9), "B")
    if unit == "FLOP":
        for scale, sym in ((1e15, "PFLOP"), (1e12, "TFLOP"), (1e9, "GFLOP"), (1e6, "MFLOP")):
            if abs(x) >= scale:
                return with_unit(number(x / scale), sym)
        return with_unit(number(x), "FLOP")
    if unit == "FLOP/s":
        return with_unit(number(x / 1e12), "TFLOP/s")
    if unit == "s":
        if 0 < abs(x) < 1e-3:  # a kernel's or a link's latency: "45.8 us"
            return with_unit(number(x * 1e6, 3), "\u00b5s")
        if abs(x) < 1:
            return with_unit(number(x * 1e3, 3), "ms")
        return with_unit(number(x, 3), "s")
    if unit in _SIG:
        return with_unit(significant(x, _SIG[unit]), unit)
    return with_unit(number(x), unit)
