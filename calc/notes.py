"""Why a result is zero or n/a, and which input fixes it: the ``note`` output.

A zero throughput with nothing beside it reads like a bug. Two things make the capacity
and tight results zero (and their cost n/a):

* the weights do not fit: a GPU's share of the weights is more than its HBM (less the
  reserve), so no KV cache fits at all;
* fewer than one user fits: the weights fit, but one user's KV cache at this context
  length is larger than what is left. The placement bound (the blog's argument) averages
  users, so it still gives a fraction of a user; the tight bound counts whole sequences and
  gives zero.

Each note names the inputs, by their schema labels, that fix it, with the value that does
(found by bisection: weights per GPU never grow with the parallel degrees), so the command
line and the page say the same words. A result with nothing to explain has the note "".
"""

from __future__ import annotations

from typing import Callable

from . import fmt
from .kv import kv_size
from .model import ModelConfig
from .presets import GPUS, Accelerator
from .schema import PARAMS


def _q(name: str) -> str:
    """An input named as the page labels it."""
    return f"\u201c{PARAMS[name].label}\u201d"


def _smallest(lo: int, hi: int, ok: Callable[[int], bool]) -> int | None:
    """The smallest integer in (lo, hi] for which ``ok`` holds, ``ok`` monotone; None if none."""
    if not ok(hi):
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _join(options: list[str]) -> str:
    if len(options) <= 1:
        return "".join(options)
    return ", ".join(options[:-1]) + " or " + options[-1]


def _fixes(users: Callable[[dict], float], p: dict, model: ModelConfig, gpu: Accelerator) -> list[str]:
    """Inputs that make at least one user fit, each with the value that does it."""
    def fits(q: dict) -> bool:
        return users(q) >= 1 - 1e-12

    out = []
    if model.is_moe:
        ep = _smallest(p["ep"], int(PARAMS["ep"].max), lambda v: fits(dict(p, ep=v)))
        if ep is not None:
            out.append(f"raise {_q('ep')} to {ep:,} or more")
    # Not bisection: past the KV-head count a larger tensor-parallel degree copies the KV cache
    # (calc.tight), so more is not always better. Every degree up to 64, then powers of two.
    top = int(PARAMS["tp"].max)
    degrees = sorted(set(range(p["tp"] + 1, min(64, top) + 1)) | {2**k for k in range(7, 11) if p["tp"] < 2**k <= top})
    tp = next((v for v in degrees if fits(dict(p, tp=v))), None)
    if tp is not None:
        out.append(f"raise {_q('tp')} to {tp:,}")
    else:  # copies of the KV cache can be what does not fit: the largest smaller degree that fits
        lower = next((v for v in range(p["tp"] - 1, 0, -1) if fits(dict(p, tp=v))), None)
        if lower is not None:
            out.append(f"lower {_q('tp')} to {lower:,}")
    if p["kv_dtype"] == "bf16" and fits(dict(p, kv_dtype="fp8")):
        out.append(f"choose FP8 in {_q('kv_dtype')}")
    longest = _smallest(0, p["seq_len"], lambda v: not fits(dict(p, seq_len=v)))
    if longest is not None and longest > 1:
        out.append(f"shorten {_q('seq_len')} to {longest - 1:,} tokens or fewer")
    if p.get("hbm_reserve_gb", 0) > 0 and fits(dict(p, hbm_reserve_gb=0.0)):
        out.append(f"lower {_q('hbm_reserve_gb')}")
    bigger = [g.label for g in sorted(GPUS.values(), key=lambda g: g.hbm_bytes)
              if g.hbm_bytes > gpu.hbm_bytes and fits(dict(p, gpu=g))]
    if bigger:
        out.append(f"pick an {_q('gpu')} with more memory, such as {_join(bigger[:3])}")
    return out


def fit_note(users: Callable[[dict], float], weights: float, p: dict, whole_users: bool) -> str:
    """The note for one placement: ``users(p)`` is users (sequences) per GPU for a state
    ``p`` (model and gpu resolved), ``weights`` this GPU's weight bytes. ``whole_users``:
    the result counts whole sequences (tight) rather than an average (placement)."""
    model, gpu = p["model"], p["gpu"]
    n = users(p)
    room = gpu.hbm_bytes - p.get("hbm_reserve_gb", 0.0) * 1e9
    if n <= 0:
        fixes = _fixes(users, p, model, gpu)
        reserve = " after the reserve" if p.get("hbm_reserve_gb", 0) > 0 else ""
        text = (f"The weights do not fit: {fmt.bytes_(weights)} per GPU, more than the "
                f"{fmt.bytes_(room)} of HBM{reserve}, so no user fits and throughput is zero.")
        return text + (f" To fix it, {_join(fixes)}." if fixes else "")
    if n >= 1:
        return ""
    per_user = kv_size(model, p["kv_dtype"]).bytes_per_user(p["seq_len"])
    left = room - weights
    fixes = _fixes(users, p, model, gpu)
    counted = ("The batch is zero, so throughput is zero." if whole_users else
               f"The placement bound counts the fraction ({fmt.value(n, 'users', 'users')}); a real GPU "
               "serves whole users, and the tight bound gives zero.")
    from .tight import kv_replication

    # Attention split over tp GPUs: each keeps the whole latent (MLA), or the group stores a
    # GQA cache more than once past its KV heads, so one sequence per GPU costs more than one
    # cache on every GPU (the tight bound counts it so; the placement bound does not).
    copies = kv_replication(p["model"], p["tp"]) if whole_users else 1.0
    split = ""
    if copies > 1:
        why = ("every one of them keeps all of it (an MLA latent serves every head)" if p["model"].is_mla else
               f"more than its {p['model'].num_key_value_heads:,} KV heads, the group stores it {copies:,.0f} times")
        split = (f", and with attention split over {p['tp']:,} GPUs, {why}: counted per GPU, one sequence "
                 f"takes {fmt.bytes_(per_user * copies)}")
    text = (f"No user fits: one user's KV cache at {p['seq_len']:,} tokens takes {fmt.bytes_(per_user)}{split}, "
            f"more than the {fmt.bytes_(left)} of HBM left per GPU after the weights. {counted}")
    return text + (f" To fit one, {_join(fixes)}." if fixes else "")


def capacity_note(p: dict) -> str:
    """The note of the ``capacity`` calculation (the placement bound of calc.placement)."""
    from .placement import place

    def users(q: dict) -> float:
        return place(q["model"], q["gpu"], q["seq_len"], q["ep"], q["tp"], q["kv_dtype"], q["accept_length"],
                     q["hbm_reserve_gb"] * 1e9, q["redundant_experts"]).users_per_gpu

    pl = place(p["model"], p["gpu"], p["seq_len"], p["ep"], p["tp"], p["kv_dtype"], p["accept_length"],
               p["hbm_reserve_gb"] * 1e9, p["redundant_experts"])
    return fit_note(users, pl.weight_bytes_per_gpu, p, whole_users=False)


def tight_note(p: dict, result: dict) -> str:
    """The note of the ``tight`` calculation: no sequence fits, or the batch was capped."""
    from .tight import TightInputs, max_batch

    def users(q: dict) -> float:
        return max_batch(q["model"], q["gpu"], TightInputs.from_params(dict(q, batch_per_gpu=1)))

    b = result["batch_per_gpu"]
    if b >= 1:
        if result.get("batch_capped"):
            fit = "sequence fits" if b == 1 else "sequences fit"
            return (f"Only {b:,} {fit} in HBM per GPU, so the batch is {b:,}, not the "
                    f"{p['batch_per_gpu']:,} asked for in {_q('batch_per_gpu')}.")
        return ""
    weights = _weights_tight(p) if p.get("count_weights", "on") == "on" else 0.0
    return fit_note(users, weights, p, whole_users=True)


def _weights_tight(p: dict) -> float:
    """This GPU's weight bytes as the tight bound stores them (expert type, expert split)."""
    from .placement import weights_per_gpu
    from .tight import TightInputs, expert_bytes_per_param

    x = TightInputs.from_params(dict(p, batch_per_gpu=1))
    model = p["model"]
    _, exp_b, other_b = weights_per_gpu(model, x.ep if x.moe_parallel == "ep" else 1, x.tp, x.redundant_experts)
    if model.is_moe and x.moe_parallel == "tp":
        exp_b = exp_b / x.ep
    if model.is_moe and x.expert_dtype != "native":
        exp_b = exp_b / model.expert_weight_bytes * expert_bytes_per_param(model, x.expert_dtype)
    return exp_b + other_b


def combined_note(capacity: str, tight: str) -> str:
    """One note for a page that shows both bounds (the Calculator): the shared text once,
    or each with the bound it belongs to."""
    if capacity == tight or not tight:
        return capacity
    if not capacity:
        return tight
    return f"Placement bound: {capacity} Tight bound: {tight}"
