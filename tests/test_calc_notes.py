"""The ``note`` output: every zero or n/a says why and which input fixes it (calc.notes),
in the same words on the command line and on the pages."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from calc import PARAMS, evaluate, fmt

ROOT = Path(__file__).resolve().parents[1]


def _fix_value(note: str, name: str) -> int:
    m = re.search("\u201c" + re.escape(PARAMS[name].label) + r"\u201d to ([\d,]+)", note)
    assert m, (name, note)
    return int(m.group(1).replace(",", ""))


@pytest.mark.parametrize("calc_name", ["capacity", "tight"])
def test_llama_70b_on_one_h800_weights_do_not_fit(calc_name):
    """Llama 3.1 70B in BF16 (141 GB of weights) on one 80 GB H800: zero throughput, the
    note says the weights do not fit and names the input that fixes it, with a value that
    really does fix it."""
    state = {"model": "llama-3.1-70b", "gpu": "h800"}
    r = evaluate(calc_name, state)
    assert r["tokens_per_s_per_gpu"] == 0 and r["usd_per_million_tokens"] is None
    note = r["note"]
    assert note.startswith("The weights do not fit")
    assert PARAMS["tp"].label in note and PARAMS["gpu"].label in note
    tp = _fix_value(note, "tp")
    assert tp == 2
    fixed = evaluate(calc_name, {**state, "tp": tp})
    assert fixed["tokens_per_s_per_gpu"] > 0 and not fixed["note"].startswith(("The weights", "No user"))
    assert evaluate(calc_name, {**state, "gpu": "b200"})["tokens_per_s_per_gpu"] > 0  # named in the note
    assert "B200" in note


def test_million_tokens_no_user_fits_and_the_fix_is_exact():
    """At 1,000,000 tokens of context one DeepSeek-V3 user's BF16 KV cache (70 GB) is larger
    than what an H800 keeps after the weights: the placement bound's fraction of a user and
    the tight bound's zero are both explained, and the longest context the note names is
    the longest that fits one user."""
    cap = evaluate("capacity", {"seq_len": 1_000_000})
    tight = evaluate("tight", {"seq_len": 1_000_000})
    assert 0 < cap["users_per_gpu"] < 1 and tight["tokens_per_s_per_gpu"] == 0
    for note in (cap["note"], tight["note"]):
        assert note.startswith("No user fits")
        assert PARAMS["seq_len"].label in note and PARAMS["kv_dtype"].label in note
    assert "fraction" in cap["note"] and fmt.value(cap["users_per_gpu"], "users") in cap["note"]
    longest = int(re.search(r"to ([\d,]+) tokens or fewer", cap["note"]).group(1).replace(",", ""))
    assert evaluate("capacity", {"seq_len": longest})["users_per_gpu"] >= 1
    assert evaluate("capacity", {"seq_len": longest + 1})["users_per_gpu"] < 1
    assert evaluate("capacity", {"seq_len": 1_000_000, "kv_dtype": "fp8"})["users_per_gpu"] >= 1


def test_expert_parallel_fix_for_deepseek_on_one_gpu():
    r = evaluate("capacity", {"ep": 1})
    ep = _fix_value(r["note"], "ep")
    assert evaluate("capacity", {"ep": ep})["users_per_gpu"] >= 1
    assert evaluate("capacity", {"ep": ep - 1})["users_per_gpu"] < 1


def test_no_note_when_nothing_needs_saying():
    assert evaluate("capacity", {})["note"] == ""
    assert evaluate("tight", {"batch_per_gpu": 64})["note"] == ""


def test_tight_note_says_when_the_batch_is_capped():
    r = evaluate("tight", {"batch_per_gpu": 1000})
    assert r["batch_capped"] and f"so the batch is {r['batch_per_gpu']:,}" in r["note"]
    assert PARAMS["batch_per_gpu"].label in r["note"]


def test_command_line_prints_the_same_note():
    r = subprocess.run([sys.executable, "-m", "calc", "capacity", "--model", "llama-3.1-70b", "--gpu", "h800"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    note = evaluate("capacity", {"model": "llama-3.1-70b", "gpu": "h800"})["note"]
    assert note[:60] in r.stdout


def test_attention_tensor_parallel_copies_are_named_and_undone():
    """With MLA every attention-TP rank keeps each sequence's whole latent (calc.tight
    kv_replication): at TP 1,024 DeepSeek-V3's 5,000-token cache, 351 MB per user, takes
    360 GB per GPU counted per sequence. The note says so (it never calls 351 MB more than
    65 GB) and offers the largest smaller degree that fits, which does fit."""
    r = evaluate("tight", {"tp": 1024})
    assert r["batch_per_gpu"] == 0 and r["note"].startswith("No user fits")
    assert "1,024 GPUs" in r["note"] and "MLA latent" in r["note"]
    assert "359.79\u00a0GB" in r["note"] and "351.36\u00a0MB" in r["note"]
    lower = _fix_value(r["note"], "tp")
    assert lower < 1024
    assert evaluate("tight", {"tp": lower})["batch_per_gpu"] >= 1
    assert evaluate("tight", {"tp": lower + 1})["batch_per_gpu"] == 0
    # GQA: past its KV heads the group stores the cache more than once.
    g = evaluate("tight", {"model": "llama-3.1-70b", "tp": 16, "seq_len": 2_000_000})
    assert "8 KV heads" in g["note"] and "2 times" in g["note"]


def test_errors_carry_their_sign():
    """An estimate's error is estimate / measured - 1: the pages print it with its sign, as
    the CLI's validation table does ("+11.6%", "-7.9%"), so over- and underestimates differ
    at a glance."""
    assert fmt.value(0.116, "", "signed_percent") == "+11.6%"
    assert fmt.value(-0.079, "", "signed_percent") == "-7.9%"
    assert fmt.value(0.0, "", "signed_percent") == "0.0%"
    assert fmt.value(1.04, "", "signed_percent") == "+104%"
    from calc.api import OUTPUTS
    assert OUTPUTS["estimate_error"].display == "signed_percent"
