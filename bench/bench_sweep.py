"""Benchmark: how many evaluations per second a 10,000-point sweep runs at in CPython.

Runs ``calc.evaluate("sweep", ...)`` with 10,000 points for the speed-of-light (``sol``) and
the placement (``capacity``) calculations, each over a float parameter (``accept_length``)
and an integer one (``seq_len``, over a range wide enough that all 10,000 rounded points are
distinct), and compares each with a baseline measured in the same process: a direct loop of
the underlying function (``calc.decode.speed_of_light`` / ``calc.placement.place``) over the
same x values. The ratio says what the schema, validation and result dicts cost on top.

Prints a table; it is not a test (timings are reported, nothing is asserted about them).

    python bench/bench_sweep.py [--points N] [--repeat R]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import calc  # noqa: E402
import calc.api  # noqa: E402
from calc.decode import speed_of_light  # noqa: E402
from calc.placement import place  # noqa: E402

MODEL, GPU = "deepseek-v3", "h800"

#: (calculation, swept parameter, from, to, output)
CASES = [
    ("sol", "accept_length", 1.0, 16.0, "tokens_per_s_per_gpu"),
    ("sol", "seq_len", 1_000, 1_000_000, "tokens_per_s_per_gpu"),
    ("capacity", "accept_length", 1.0, 16.0, "tokens_per_s_per_gpu"),
    ("capacity", "seq_len", 1_000, 1_000_000, "tokens_per_s_per_gpu"),
]


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def sweep_params(calc_name: str, x: str, lo: float, hi: float, y: str, points: int) -> dict:
    return {"sweep_calc": calc_name, "sweep_param": x, "sweep_output": y, "sweep_from": lo, "sweep_to": hi,
            "sweep_points": points, "sweep_scale": "linear", "series_param": "none",
            "model": MODEL, "gpu": GPU}


def baseline(calc_name: str, x: str, xs: list) -> list[float]:
    """The same points through the model functions directly, no schema or dicts."""
    m, g = calc.MODELS[MODEL], calc.GPUS[GPU]
    seq_len, accept = 5000, 1.0
    out = []
    if calc_name == "sol":
        for v in xs:
            if x == "seq_len":
                out.append(speed_of_light(m, g, v, "bf16", accept).tokens_per_s_per_gpu)
            else:
                out.append(speed_of_light(m, g, seq_len, "bf16", v).tokens_per_s_per_gpu)
    else:
        for v in xs:
            if x == "seq_len":
                out.append(place(m, g, v, 32, 1, "bf16", accept).tokens_per_s_per_gpu)
            else:
                out.append(place(m, g, seq_len, 32, 1, "bf16", v).tokens_per_s_per_gpu)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5, help="runs per measurement; the best is reported")
    args = ap.parse_args(argv)
    # The work budget guards the browser's worker; this benchmark measures throughput past it.
    calc.api.SWEEP_BUDGET = max(calc.api.SWEEP_BUDGET, args.points * max(calc.api.SWEEP_COST.values()))

    rows = []
    for calc_name, x, lo, hi, y in CASES:
        p = sweep_params(calc_name, x, lo, hi, y, args.points)
        t_sweep, res = best_of(lambda: calc.evaluate("sweep", p), args.repeat)
        xs = res["x"]
        if len(xs) != args.points:
            print(f"error: {calc_name}/{x} sweep gave {len(xs)} distinct points, not {args.points}", file=sys.stderr)
            return 1
        t_base, ys = best_of(lambda: baseline(calc_name, x, xs), args.repeat)
        # same numbers both ways, or the comparison means nothing
        got = res["series"][0]["y"]
        bad = [i for i, (a, b) in enumerate(zip(got, ys)) if abs(a - b) > 1e-9 * max(abs(a), abs(b), 1e-300)]
        if bad:
            print(f"error: {calc_name}/{x}: sweep and baseline differ at {len(bad)} points", file=sys.stderr)
            return 1
        n = len(xs)
        rows.append((calc_name, x, f"{n:,}", f"{t_sweep * 1e3:,.1f}", f"{n / t_sweep:,.0f}",
                     f"{t_base * 1e3:,.1f}", f"{n / t_base:,.0f}", f"{t_sweep / t_base:.2f}x"))

    head = ("calculation", "swept", "points", "sweep ms", "evals/s", "baseline ms", "baseline evals/s",
            "sweep / baseline")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    impl = platform.python_implementation()
    print(f"{impl} {platform.python_version()} on {platform.machine()}; model {MODEL}, gpu {GPU}; "
          f"best of {args.repeat}; baseline = direct loop of calc.decode.speed_of_light / calc.placement.place")
    print("  ".join(h.rjust(w) if i > 1 else h.ljust(w) for i, (h, w) in enumerate(zip(head, widths))))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.rjust(w) if i > 1 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))
    print()
    print(sweep_costs(args.points // 5, args.repeat))
    return 0


def sweep_costs(points: int, repeat: int) -> str:
    """Time per point of a one-line sweep of each sweepable calculation, relative to the
    speed of light: what calc.api.SWEEP_COST (the sweep work budget's weights) should be."""
    rows, base = [], None
    for name in calc.PARAMS["sweep_calc"].choices:
        if name not in calc.CALCULATIONS:
            continue
        x = "gpu_hour_usd" if name == "cost" else "seq_len"
        y = "usd_per_million_tokens" if name == "cost" else (
            "kv_bytes_per_user" if name == "kv" else "tokens_per_s_per_gpu")
        p = sweep_params(name, x, 1 if name == "cost" else 1_000, 100 if name == "cost" else 1_000_000, y, points)
        t, _ = best_of(lambda: calc.evaluate("sweep", p), repeat)
        per = t / points
        base = per if name == "sol" else base
        rows.append((name, per))
    base = base or rows[0][1]
    lines = [f"cost per point, {points:,}-point one-line sweeps (SWEEP_COST in calc/api.py is this, rounded up):",
             "calculation  us/point  relative  SWEEP_COST"]
    for name, per in rows:
        lines.append(f"{name:<11}  {per * 1e6:8.1f}  {per / base:8.2f}  {calc.api.SWEEP_COST.get(name, '-'):>10}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
