"""Command line: ``calc CALCULATION [--param value ...] [--json]`` (installed by
``./dev.sh`` as the ``calc`` console script; ``python -m calc`` is the same).

Flags are the schema's parameter names with dashes (``--seq-len 5000``); ``calc sol --help``
lists the parameters ``sol`` reads. Plain output is an aligned table with units; ``--json``
prints one JSON object with values in SI base units. A bad input exits with status 2 and one
line naming the flag and the parameter's label ("--seq-len: Context length must be ..."),
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Any, Sequence

from . import fmt
from .api import CALCULATIONS, OUTPUTS, evaluate
from .api import MEASURED_SEQ_LEN
from .errors import MAX_MESSAGE, CalcError, ParamError, clip, printable
from .model import load_config_file
from .schema import PARAMS, choices_text
from .web import flatten


PROG = "calc"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, at most ~200 characters, exit 2
        self.exit(2, f"{PROG}: error: {_tidy(message)}\n")


def _tidy(message: str) -> str:
    """argparse's message in one short line: an unknown calculation named with the known
    ones, echoed arguments escaped and cut."""
    m = re.match(r"argument CALCULATION: invalid choice: (.*?) \(choose from", message)
    if m:
        name = m.group(1).strip("'\"")
        return clip(f"{printable(name)} is not a calculation; one of {choices_text(tuple(CALCULATIONS))} "
                    f"({PROG} --help describes them)", MAX_MESSAGE)
    m = re.match(r"unrecognized arguments: (.*)", message, re.S)
    if m:
        return clip("unknown option(s): " + printable(m.group(1), 60) + f" ({PROG} CALCULATION --help lists them)",
                    MAX_MESSAGE)
    return clip(printable(message, MAX_MESSAGE), MAX_MESSAGE)


_METAVAR = {"choice": "NAME", "int": "N", "float": "X", "str": "TEXT"}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _param_help(name: str) -> str:
    p = PARAMS[name]
    unit = f" [{p.unit}]" if p.unit else ""
    text = f"{p.label}{unit}: {p.help}; {p.allowed()} (default {p.default})"
    return text.replace("%", "%%")  # argparse formats help with %


def _help_epilog() -> str:
    lines = [f"'{PROG} CALCULATION --help' lists the parameters that calculation reads.", "",
             "every parameter (flag [unit] (default): label: help; allowed values):"]
    for p in PARAMS.values():
        unit = f" [{p.unit}]" if p.unit else ""
        lines.append(f"  {_flag(p.name)}{unit} (default {p.default}): {p.label}: {p.help}; {p.allowed()}")
    lines.append("  --config PATH: a Hugging Face style config.json to use as the model (replaces --model)")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The command line: one sub-command per calculation, each with its own parameters.

    Every sub-command accepts every parameter flag, so a value given for a parameter the
    calculation does not read is still checked (and then not used); its ``--help`` lists
    only the parameters it reads."""
    ap = _Parser(prog=PROG, usage=f"{PROG} CALCULATION [--parameter VALUE ...] [--json]",
                 description="LLM decode throughput and serving cost calculator.",
                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_help_epilog())
    sub = ap.add_subparsers(dest="calculation", metavar="CALCULATION", title="calculations",
                            parser_class=_Parser, required=True)
    for c in CALCULATIONS.values():
        reads = set(c.params)
        sp = sub.add_parser(c.name, help=f"{c.title}: {c.help}".replace("%", "%%"),
                            usage=f"{PROG} {c.name} [--parameter VALUE ...] [--json]",
                            description=f"{c.title}: {c.help}.",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        group = sp.add_argument_group("parameters" if reads else "parameters (this calculation reads none)")
        for name in c.params:
            group.add_argument(_flag(name), dest=name, default=None, metavar=_METAVAR[PARAMS[name].kind],
                               help=_param_help(name))
        if "model" in reads:
            group.add_argument("--config", default=None, metavar="PATH",
                               help="a Hugging Face style config.json to use as the model (replaces --model)")
        for name in PARAMS:  # accepted and checked, not listed: this calculation does not read them
            if name not in reads:
                sp.add_argument(_flag(name), dest=name, default=None, help=argparse.SUPPRESS)
        if "model" not in reads:
            sp.add_argument("--config", default=None, help=argparse.SUPPRESS)
        sp.add_argument("--json", action="store_true", help="print one JSON object (SI base units)")
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
        gm = result["gap_geomean"]
        steps = tuple(gm)  # the steps, in order
        grows = [(r["label"],) + tuple(f"{r[k]:.3f}" for k in steps) + (f"{r['measured_over_tight']:.3f}",)
                 for r in result["rows"].values() if r["group"] == "decode"]
        grows.append(("geometric mean",) + tuple(f"{gm[k]:.3f}" for k in steps)
                     + (f"{result['geomean_measured_over_tight']:.3f}",))
        out.append("from the tight bound to the measurement, decode rows (each step a factor on tokens/s per GPU; "
                   "their product is measured / tight):\n"
                   + _table(grows, ("deployment",) + tuple(OUTPUTS[k].label.lower() for k in steps)
                            + ("measured / tight",)))
        frows = [(r["label"], fmt.value(r["measured_first_token_s"], "s"), fmt.value(r["estimate_prefill_s"], "s"),
                  fmt.value(r["estimate_prefill_pause_s"], "s"), fmt.value(r["estimate_max_prefill_pause_s"], "s"),
                  _signed(r["estimate_error"]), _signed(r["estimate_at_max_pause_error"]))
                 for r in result["rows"].values() if r["group"] == "decode" and r["measured_first_token_s"]]
        if frows:
            out.append("prefill pauses against the benchmarks' own first-token times (a newcomer's prompt is "
                       "prefilled before its first token, so that time caps the pause):\n"
                       + _table(frows, ("deployment", "first token, measured", "prefill, estimated",
                                        "pause per step", "pause at most", "error", "error at most pause")))
        out.append(f"estimate: leave-one-out (fitted without the row); all fitted (NVIDIA) rows: overhead factor "
                   f"{result['overhead_factor']:.3f}, fixed {result['step_overhead_s'] * 1e3:.2f} ms per step, "
                   f"Blackwell attention share {result['blackwell_attention_share']:.2f}, CPU time without overlap "
                   f"{result['cpu_step_s'] * 1e3:.2f} ms per step; in-sample MAPE "
                   f"{fmt.percent(result['estimate_mape_in_sample'])}")
        out.append(f"estimate band: NVIDIA GPUs -{fmt.percent(result['error_low'])} / +{fmt.percent(result['error_high'])} "
                   f"({result['nvidia_rows']} rows; mean error {fmt.percent(result['estimate_mape_nvidia'])}, largest "
                   f"{fmt.percent(result['estimate_max_abs_error_nvidia'])}); AMD GPUs -{fmt.percent(result['amd_error_low'])}"
                   f" / +{fmt.percent(result['amd_error_high'])} (the NVIDIA band widened by {result['amd_rows']} AMD "
                   f"row{'' if result['amd_rows'] == 1 else 's'}, checked, not fitted)")
        if "prefill" in result:  # the prefill validation's table (calc.bill_calcs), before the targets
            out.append("prefill: " + PLAIN_RENDERERS["validate_prefill"](result["prefill"]))
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
        rows = [(r["label"], fmt.value(r["value"], r["unit"], r.get("display")), r["gpu"], r["date"], r["source"])
                for r in result["rows"].values()]
        return _table(rows, ("measurement", "value", "gpu", "date", "source"))
    if name == "intensity":
        rows = [(r["label"], fmt.value(r["attn_intensity"], "FLOP/B"), fmt.value(r["ridge"], "FLOP/B"), r["attn_bound"])
                for r in result["rows"].values()]
        return (f"attention FLOPs per cached token per layer: {fmt.value(result['attention_flops_per_cached_token'], 'FLOP')}\n"
                + _table(rows, ("accelerator", "intensity", "ridge point", "attention bound by")))
    rows = []
    note = ""
    if name == "sol" and result.get("over_measured") is None:
        note = ("\nNot compared with DeepSeek's measured 1,850 tok/s per GPU: that figure is for DeepSeek-V3/R1 "
                f"on H800 at an average context of {MEASURED_SEQ_LEN:,} tokens.")
    for path, leaf in flatten(result).items():
        if isinstance(leaf["value"], (list, dict)):
            continue
        spec = OUTPUTS.get(path.rsplit(".", 1)[-1])
        label = spec.label if spec and "." not in path else path
        rows.append((label, leaf["text"], path))
    return _table(rows, ("output", "value", "name")) + note


def _signed(fraction: float) -> str:
    return ("+" if fraction > 0 else "") + fmt.percent(fraction)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit status: 0 done, 2 a bad input (one line on stderr
    naming it), 1 an internal error (one line, never a traceback), 130 interrupted."""
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show a character gets its escape
        if hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # pragma: no cover - a stream already in use
                pass
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - a bug of ours: say so in one line
        print(clip(f"{PROG}: internal error ({type(e).__name__}: {printable(str(e), 80)}); please report it",
                   MAX_MESSAGE), file=sys.stderr)
        return 1


def _main(argv: Sequence[str] | None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    params: dict[str, Any] = {k: v for k, v in vars(args).items() if k in PARAMS and v is not None}
    try:
        if args.config is not None:
            params["model"] = load_config_file(args.config)
        result = evaluate(args.calculation, params)
    except ParamError as e:
        flag = f"{_flag(e.param)}: " if e.param in PARAMS else ""
        print(f"{PROG}: error: {flag}{e}", file=sys.stderr)
        return 2
    except CalcError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    if args.json:
        text = json.dumps(result, default=_json_default, allow_nan=False, indent=1)
    else:
        text = render_plain(args.calculation, result)
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
