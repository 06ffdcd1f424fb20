"""Unit constants and conversions.

Convention used everywhere in ``calc``: every quantity is stored in SI base units
(bytes, bytes per second, FLOP, FLOP per second, seconds, tokens, US dollars).
Vendor spec sheets quote bandwidth in decimal TB/s (10**12 B/s). Their HBM capacity
("80 GB", "141 GB") is GiB-scale, so presets store the usable bytes that ``nvidia-smi`` /
``rocm-smi`` report instead (see :class:`calc.presets.Accelerator`). Binary units
(GiB = 2**30 B) appear only where a source used them (the seed blog's "612 GB" of expert
weights is really 611.4 GiB) and are always labelled ``GiB``.
"""

from __future__ import annotations

KB = 10**3
MB = 10**6
GB = 10**9
TB = 10**12

KiB = 2**10
MiB = 2**20
GiB = 2**30
TiB = 2**40

TFLOPS = 10**12  # FLOP per second
GBIT = 10**9 / 8  # one gigabit in bytes (network links are quoted in Gb/s)

SECONDS_PER_HOUR = 3600
SECONDS_PER_DAY = 86_400
MILLION = 10**6

#: bytes per element for the KV-cache element types the calculator supports.
#: fp4 counts the 4-bit payload only (block scales are ignored, see kv.py).
DTYPE_BYTES = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "fp4": 0.5}


def gb(x: float) -> float:
    """Decimal gigabytes to bytes."""
    return x * GB


def gib(x: float) -> float:
    """Binary gibibytes to bytes."""
    return x * GiB


def to_gb(n_bytes: float) -> float:
    return n_bytes / GB


def to_gib(n_bytes: float) -> float:
    return n_bytes / GiB
