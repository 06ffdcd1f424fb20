"""Command line: ``python -m calc CALCULATION [--param value ...] [--json]``.

Flags are the schema's parameter names with dashes (``--seq-len 5000``). Plain output is
an aligned table with units; ``--json`` prints one JSON object with values in SI base
units. A bad input exits with status 2 and one line naming the parameter.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Sequence

from . import fmt
from .api import CALCULATIONS, OUTPUTS, evaluate
from .errors import CalcError
from .model import load_config_file
from .schema import PARAMS
from .web import flatten


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"calc: error: {message}\n")


def _help_epilog() -> str:
    lines = ["calculations:"]
    w = max(map(len, CALCULATIONS))
    for c in CALCULATIONS.values():
        lines.append(f"  {c.name:<{w}}  {c.title}: {c.help}")
    lines.append("")
    lines.append("parameters (flag, unit, default: help):")
    for p in PARAMS.values():
        unit = f" [{p.unit}]" if p.unit else ""
        lines.append(f"  --{p.name.replace('_', '-')}{unit} (default {p.default}): {p.help}; {p.allowed()}")
    lines.append("  --config PATH: a Hugging Face style config.json to use as the model")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="python -m calc", description="LLM decode throughput and serving cost calculator.",
                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_help_epilog())
    ap.add_argument("calculation", choices=list(CALCULATIONS), metavar="CALCULATION",
                    help="one of: " + ", ".join(CALCULATIONS))
    for p in PARAMS.values():
        unit = f" [{p.unit}]" if p.unit else ""
        ap.add_argument("--" + p.name.replace("_", "-"), dest=p.name, default=None, metavar="VALUE",
                        help=f"{p.help}{unit}; default {p.default}")
    ap.add_argument("--config", default=None, metavar="PATH", help="model config.json (replaces --model)")
    ap.add_argument("--json", action="store_true", help="print one JSON object (SI base units)")
    return ap


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...] | None = None) -> str:
    allrows = ([header] if header else []) + rows
    widths = [max(len(r[i]) for r in allrows) for i in range(len(allrows[0]))]
    out = []
    for j, r in enumerate(allrows):
        cells = []
        for i, c in enumerate(r):
            right = i > 0 and i < len(r) - 1 and header is not None and header[i] not in ("reason", "printed", "source")
            cells.append(c.rjust(widths[i]) if right else c.ljust(widths[i]))
        out.append("  ".join(cells).rstrip())
        if header and j == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def render_plain(name: str, result: dict) -> str:
    from .bill_calcs import PLAIN_RENDERERS  # issue 10's tables (prefill validation, bill chart)

    if name in PLAIN_RENDERERS:
        return PLAIN_RENDERERS[name](result)
    if name == "blog":
        rows = []
        for f in result["figures"].values():
            rows.append((f["label"], fmt.value(f["blog"], f["unit"], f["display"]), f["printed"],
                         fmt.value(f["exact"], f["unit"], f["display"]), f["reason"] or ""))
        return _table(rows, ("figure", "blog", "printed", "exact", "reason"))
    if name == "presets":
        m = [(k, v["attention"], str(v["layers"]), fmt.value(v["total_params"], "params"),
              fmt.value(v["active_params"], "params"), v["source"]) for k, v in result["models"].items()]
        g = [(k, fmt.bytes_(v["hbm_bytes"]), fmt.bytes_(v["hbm_bw"]) + "/s", fmt.number(v["bf16_flops"] / 1e12),
              fmt.number(v["fp8_flops"] / 1e12), v["source"]) for k, v in result["gpus"].items()]
        return (_table(m, ("model", "attention", "layers", "total params", "active params", "source")) + "\n\n"
                + _table(g, ("gpu", "HBM", "HBM bandwidth", "BF16 TFLOPS", "FP8 TFLOPS", "source")))
    if name == "frontier":
        s = result["series"][0]
        rows = [(f"{b:,}", fmt.value(x, "tok/s"), fmt.value(y, "tok/s")) for b, x, y in zip(s["batch"], result["x"], s["y"])]
        return f"{s['label']}: throughput against interactivity as the batch grows\n" + _table(
            rows, ("batch per GPU", "tokens/s per user", "tokens/s per GPU"))
    if name == "sweep":
        head = (f"{result['x_label']} [{result['x_unit']}]",) + tuple(s["label"] or result["y_label"] for s in result["series"])
        rows = []
        yo = OUTPUTS[result["y_name"]]
        for i, x in enumerate(result["x"]):
            rows.append((fmt.number(x),) + tuple(
                fmt.value(s["y"][i], yo.unit, yo.display) if s["y"][i] is not None else "n/a" for s in result["series"]))
        return f"{result['y_label']} against {result['x_label']}\n" + _table(rows, head)
    if name == "compare_gpus":
        rows = [(r["label"], fmt.bytes_(r["hbm_bytes"]), fmt.bytes_(r["hbm_bw"]) + "/s",
                 fmt.value(r["tokens_per_s_per_gpu"], "tok/s"), fmt.value(r["usd_per_million_tokens"], "USD"))
                for r in result["rows"].values()]
        return _table(rows, ("accelerator", "HBM", "bandwidth", "tokens/s per GPU", "USD per M tokens"))
    if name == "validate":
        out = []
        for group, title in (("decode", "decode-only deployments (the targets count these)"),
                             ("mixed", "prefill and decode on the same GPUs (shown, not counted: the estimate is "
                                       "decode-only)")):
            rows = [(r["label"], fmt.value(r["measured_tokens_per_s_per_gpu"], "tok/s"),
                     fmt.value(r["estimate_tokens_per_s_per_gpu"], "tok/s"), _signed(r["estimate_error"]),
                     fmt.value(r["tight_tokens_per_s_per_gpu"], "tok/s"), fmt.percent(r["measured_over_tight"]),
                     fmt.value(r["naive_tokens_per_s_per_gpu"], "tok/s"), r["naive_includes"], r["binding"])
                    for r in result["rows"].values() if r["group"] == group]
            out.append(title + ":\n" + _table(rows, ("deployment", "measured", "estimate", "error", "tight bound",
                                                      "measured/tight", "speed of light", "SOL includes", "binds")))
        out.append(f"estimate: leave-one-out (overheads fitted without the row); all rows: overhead factor "
                   f"{result['overhead_factor']:.3f}, fixed {result['step_overhead_s'] * 1e3:.2f} ms per step; "
                   f"in-sample MAPE {fmt.percent(result['estimate_mape_in_sample'])}")
        trows = []
        for t in result["targets"].values():
            v, tg = t["value"], t["target"]
            if isinstance(v, bool):
                val, want = ("yes" if v else "no"), "yes"
            elif t["label"].startswith("geometric"):
                val, want = f"{v:.3f}", f">= {tg}"
            else:
                val, want = fmt.percent(v), "<= " + fmt.percent(tg)
            trows.append((t["label"], val, want, "met" if t["met"] else "NOT MET"))
        out.append("targets:\n" + _table(trows, ("target", "value", "wanted", "")))
        return "\n\n".join(out)
    if name == "measured":
        rows = [(r["label"], fmt.value(r["value"], r["unit"]), r["gpu"], r["date"], r["source"])
                for r in result["rows"].values()]
        return _table(rows, ("measurement", "value", "gpu", "date", "source"))
    if name == "intensity":
        rows = [(r["label"], fmt.value(r["attn_intensity"], "FLOP/B"), fmt.value(r["ridge"], "FLOP/B"), r["attn_bound"])
                for r in result["rows"].values()]
        return (f"attention FLOPs per cached token per layer: {fmt.value(result['attention_flops_per_cached_token'], 'FLOP')}\n"
                + _table(rows, ("accelerator", "intensity", "ridge point", "attention bound by")))
    rows = []
    for path, leaf in flatten(result).items():
        if isinstance(leaf["value"], (list, dict)):
            continue
        spec = OUTPUTS.get(path.rsplit(".", 1)[-1])
        label = spec.label if spec and "." not in path else path
        rows.append((label, leaf["text"], path))
    return _table(rows, ("output", "value", "name"))


def _signed(fraction: float) -> str:
    return ("+" if fraction > 0 else "") + fmt.percent(fraction)


def main(argv: Sequence[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    params: dict[str, Any] = {k: v for k, v in vars(args).items() if k in PARAMS and v is not None}
    try:
        if args.config:
            params["model"] = load_config_file(args.config)
        result = evaluate(args.calculation, params)
    except CalcError as e:
        print(f"calc: error: {e}", file=sys.stderr)
        return 2
    text = (json.dumps(result, default=_json_default, allow_nan=False, indent=1) if args.json
            else render_plain(args.calculation, result))
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (| head): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _json_default(o: Any) -> Any:
    from .model import ModelConfig
    if isinstance(o, ModelConfig):
        return o.name
    raise TypeError(type(o).__name__)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
