"""The command line, run as ``python -m calc`` in a subprocess (issue 2 item 11): JSON and
plain output, ``--help``, and every error path (exit status 2, one stderr line naming the
parameter, never a traceback)."""

from __future__ import annotations

import json
import re

import pytest

from _calc_util import assert_one_line_error, cli_json, rounds_to, run_cli

from calc import CALCULATIONS, PARAMS, evaluate


def test_sol_json_figures_facts_section5():
    """facts.md section 5 via the issue's "done when" command:
    ``python -m calc sol --model deepseek-v3 --gpu h800 --seq-len 5000 --json`` gives
    70,272 B/token, 351.36 MB/user, 9,534.38 tok/s/GPU (config_671B.json; H800 3.35 TB/s)."""
    r = run_cli("sol", "--model", "deepseek-v3", "--gpu", "h800", "--seq-len", "5000", "--json")
    assert r.returncode == 0 and r.stderr == ""
    out = json.loads(r.stdout)  # one JSON object
    assert isinstance(out, dict)
    assert out["kv_bytes_per_token"] == 70_272
    assert out["kv_bytes_per_user"] == 351_360_000
    assert out["hbm_bw"] == 3.35e12
    assert rounds_to(out["tokens_per_s_per_gpu"], "9534.38")
    assert out == json.loads(json.dumps(evaluate("sol", {"seq_len": 5000})))


def test_json_keys_are_the_output_names():
    """--json keys are the calculation's declared output names (SI base units)."""
    for name in ("kv", "sol", "capacity", "cost", "comm", "deepseek_day"):
        out = cli_json(name)
        assert set(out) == set(CALCULATIONS[name].outputs), name


def test_sol_plain_table_with_units():
    """Plain output is an aligned table: header, rule, one row per output with its unit,
    values right-aligned, output names in the last column."""
    r = run_cli("sol", "--model", "deepseek-v3", "--gpu", "h800", "--seq-len", "5000")
    assert r.returncode == 0 and r.stderr == ""
    lines = r.stdout.rstrip("\n").splitlines()
    assert lines[0].split() == ["output", "value", "name"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    rows = lines[2:]
    assert len(rows) == len(CALCULATIONS["sol"].outputs)
    name_col = {row.rindex(" ") + 1 for row in rows}
    assert len(name_col) == 1, "names not aligned"
    value_end = {row.rstrip()[: next(iter(name_col))].rstrip().__len__() for row in rows}
    assert len(value_end) == 1, "values not right-aligned"
    text = r.stdout
    for s in ("70,272\u00a0B", "351.36\u00a0MB", "3.35\u00a0TB/s", "9,534\u00a0tok/s", "1,850\u00a0tok/s", "5.15\u00d7"):
        assert s in text, s
    names = [row.split()[-1] for row in rows]
    assert names == list(CALCULATIONS["sol"].outputs)


@pytest.mark.parametrize("calc_name", ["kv", "sol", "capacity", "comm", "cost", "deepseek_day", "compare_gpus",
                                       "blog", "presets", "sweep"])
def test_every_calculation_runs_plain_and_json(calc_name):
    """Each of the issue's calculations prints a table and a JSON object, no nan/inf."""
    r = run_cli(calc_name)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "" and r.stdout.strip()
    assert not re.search(r"\b(nan|inf|infinity)\b", r.stdout, re.I)
    j = run_cli(calc_name, "--json")
    assert j.returncode == 0, j.stderr
    json.loads(j.stdout, parse_constant=lambda c: pytest.fail(f"non-finite {c} in JSON"))


def test_help_lists_every_parameter_with_unit_and_default():
    """--help lists every schema parameter by its dashed flag, with unit and default."""
    r = run_cli("--help")
    assert r.returncode == 0
    text = r.stdout
    for p in PARAMS.values():
        flag = "--" + p.name.replace("_", "-")
        lines = [ln for ln in text.splitlines() if ln.strip().startswith(flag + " ")]
        assert lines, flag
        line = " ".join(lines)
        if p.unit:
            assert f"[{p.unit}]" in line, (flag, line)
        assert f"default {p.default}" in line, (flag, line)
    assert "--config" in text and "--json" in text
    for c in CALCULATIONS:
        assert c in text


def test_help_flag_is_accepted_with_a_calculation():
    r = run_cli("sol", "--help")
    assert r.returncode == 0 and "--seq-len" in r.stdout


def test_flags_are_schema_names_with_dashes():
    """A flag is the snake_case schema name with dashes (DESIGN.md)."""
    a = cli_json("capacity", "--hbm-reserve-gb", "10", "--redundant-experts", "32", "--ep", "144")
    b = evaluate("capacity", {"hbm_reserve_gb": 10, "redundant_experts": 32, "ep": 144})
    assert a == json.loads(json.dumps(b))


def test_cli_accepts_thousands_separators():
    a = cli_json("sol", "--seq-len", "5,000")
    assert a["kv_bytes_per_user"] == 351_360_000


# ---- error paths ----------------------------------------------------------------------------

ERRORS = [
    # (args, what the one stderr line must contain: the flag, the parameter's label, the
    # allowed values in words, the value given)
    (["sol", "--model", "deepseek-v9"], ["--model", "Model must be one of", "deepseek-v3", "(got deepseek-v9)"]),
    (["sol", "--gpu", "h900"], ["--gpu", "Accelerator must be one of", "h800", "(got h900)"]),
    (["sol", "--seq-len", "-5"], ["--seq-len", "Context length", "from 1 to 10,000,000", "(got -5)"]),
    (["sol", "--seq-len", "0"], ["--seq-len", "Context length must be a whole number from 1 to 10,000,000\u00a0tokens (got 0)"]),
    (["sol", "--seq-len", "abc"], ["--seq-len", "Context length", "whole number", "(got abc)"]),
    (["sol", "--seq-len", "2.5"], ["--seq-len", "whole number", "(got 2.5)"]),
    (["sol", "--seq-len", ""], ["--seq-len", "Context length", "(got nothing)"]),
    (["sol", "--seq-len", "nan"], ["--seq-len", "Context length", "(got nan)"]),
    (["sol", "--seq-len", "inf"], ["--seq-len", "Context length", "(got inf)"]),
    (["sol", "--seq-len", "1e300"], ["--seq-len", "10,000,000", "(got 1e300)"]),
    (["sol", "--accept-length", "100"], ["--accept-length", "Accepted tokens per step", "from 1 to 16"]),
    (["sol", "--accept-length", "0.5"], ["--accept-length", "from 1 to 16", "(got 0.5)"]),
    (["sol", "--gpu-hour-usd", "0"], ["--gpu-hour-usd", "GPU price", "from 0.01 to 1,000"]),
    (["sol", "--gpu-hour-usd", "-2"], ["--gpu-hour-usd", "GPU price", "(got -2)"]),
    (["sol", "--kv-dtype", "int4"], ["--kv-dtype", "KV cache type", "bf16", "(got int4)"]),
    (["capacity", "--ep", "0"], ["--ep", "Expert-parallel degree", "from 1 to 4,096"]),
    (["capacity", "--tp", "1.5"], ["--tp", "whole number"]),
    (["capacity", "--hbm-reserve-gb", "x"], ["--hbm-reserve-gb", "HBM reserve", "(got x)"]),
    (["cost", "--tokens-per-s-per-gpu", "0"], ["--tokens-per-s-per-gpu", "Throughput per GPU", "from 0.01"]),
    (["sweep", "--sweep-from", "0"], ["--sweep-from", "From (Context length)", "(got 0)"]),
    (["sweep", "--sweep-points", "1"], ["--sweep-points", "Points", "from 2"]),
    (["sweep", "--sweep-param", "ep"], ["--sweep-param", "Swept input", "(got ep)"]),
    (["sweep", "--sweep-output", "users_per_gpu"], ["--sweep-output", "Plotted output", "(got users_per_gpu)"]),
    (["sweep", "--series-values", "h800,nope"], ["--series-values", "nope"]),
    (["sweep", "--sweep-to", "1e12"], ["--sweep-to", "To (Context length)", "10,000,000"]),
    (["nocalc"], ["calculation", "nocalc"]),
    (["sol", "--bogus", "3"], ["--bogus"]),
    (["sol", "--seq-len"], ["--seq-len"]),
]


@pytest.mark.parametrize("args,names", ERRORS, ids=[" ".join(a) for a, _ in ERRORS])
def test_error_exits_2_with_one_line(args, names):
    """Issue 2: "A bad input exits with status 2 and one line naming the parameter; never a
    traceback" (unknown preset, negative or zero length, non-numeric, out of range, ...); issue
    8: in plain words, the parameter named by its label, never ">= 1 and <= ..."."""
    line = assert_one_line_error(run_cli(*args), *names)
    assert ">=" not in line and "<=" not in line
    assert len(line) <= len("calc: error: --tokens-per-s-per-gpu: ") + 200


@pytest.mark.parametrize("choice", PARAMS["sweep_calc"].choices)
def test_every_sweep_calc_choice_runs_or_fails_cleanly(choice):
    """Every choice the schema offers for sweep_calc either runs or is a clean one-line
    error naming sweep_calc (a choice whose module is not loaded must not be a traceback)."""
    r = run_cli("sweep", "--sweep-calc", choice, "--sweep-points", "3", "--series-param", "none",
                "--sweep-param", "gpu_hour_usd" if choice == "cost" else "seq_len",
                "--sweep-output", "usd_per_million_tokens" if choice == "cost" else "tokens_per_s_per_gpu",
                "--sweep-from", "1" if choice == "cost" else "1000", "--sweep-to", "4" if choice == "cost" else "8000")
    if choice in CALCULATIONS and r.returncode == 0:
        assert r.stdout.strip()
    elif choice in CALCULATIONS:
        assert_one_line_error(r)
    else:
        assert_one_line_error(r, "sweep_calc", choice)


def _write(tmp_path, text, name="config.json"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


GOOD_GQA = {"num_hidden_layers": 2, "hidden_size": 64, "vocab_size": 100, "num_attention_heads": 8,
            "num_key_value_heads": 2, "intermediate_size": 128}


def test_config_missing_file(tmp_path):
    """--config pointing at a file that does not exist: one line naming the file."""
    path = str(tmp_path / "nope.json")
    assert_one_line_error(run_cli("sol", "--config", path), "config", path)


def test_config_is_a_directory(tmp_path):
    assert_one_line_error(run_cli("sol", "--config", str(tmp_path)), "config")


def test_config_malformed_json(tmp_path):
    """--config at malformed JSON: one line naming the file and saying it is not JSON."""
    path = _write(tmp_path, '{"num_hidden_layers": 2,,}')
    assert_one_line_error(run_cli("sol", "--config", path), path, "JSON")


def test_config_not_an_object(tmp_path):
    path = _write(tmp_path, "[1, 2, 3]")
    assert_one_line_error(run_cli("kv", "--config", path), "config", "object")


def test_config_missing_required_fields(tmp_path):
    """--config missing required fields: the line names each missing field."""
    path = _write(tmp_path, json.dumps({"hidden_size": 64}))
    assert_one_line_error(run_cli("sol", "--config", path), "num_hidden_layers", "vocab_size", "num_attention_heads")


CONTRADICTORY = [
    (dict(GOOD_GQA, num_key_value_heads=3), ["num_key_value_heads", "num_attention_heads"]),
    (dict(GOOD_GQA, num_key_value_heads=0), ["num_key_value_heads"]),
    (dict(GOOD_GQA, num_local_experts=4, num_experts_per_tok=8), ["num_experts_per_tok", "4"]),
    (dict(GOOD_GQA, num_local_experts=4, num_experts_per_tok=0), ["num_experts_per_tok"]),
    (dict(GOOD_GQA, hidden_size=-64), ["hidden_size"]),
    (dict(GOOD_GQA, num_hidden_layers=0), ["num_hidden_layers"]),
    (dict(GOOD_GQA, num_hidden_layers="two"), ["num_hidden_layers"]),
    (dict(GOOD_GQA, num_hidden_layers=2.5), ["num_hidden_layers"]),
    ({k: v for k, v in GOOD_GQA.items() if k != "intermediate_size"}, ["intermediate_size"]),
    (dict(GOOD_GQA, hidden_size=60, num_attention_heads=8), ["head_dim"]),
    (dict(GOOD_GQA, sliding_window=16, layer_types=["sliding_attention"] * 3), ["layer_types", "num_hidden_layers"]),
    (dict(GOOD_GQA, num_local_experts=4, num_experts_per_tok=2, first_k_dense_replace=5),
     ["first_k_dense_replace"]),
    ({"num_hidden_layers": 2, "hidden_size": 64, "vocab_size": 100, "num_attention_heads": 8,
      "kv_lora_rank": 16, "qk_nope_head_dim": 8, "v_head_dim": 8, "intermediate_size": 128}, ["qk_rope_head_dim"]),
]


@pytest.mark.parametrize("cfg,names", CONTRADICTORY, ids=[n[0] for _, n in CONTRADICTORY])
def test_config_contradictory_or_invalid(tmp_path, cfg, names):
    """Issue 2 item 3: missing or contradictory config fields get a clear error naming them;
    from the command line, exit 2 with one line."""
    path = _write(tmp_path, json.dumps(cfg))
    assert_one_line_error(run_cli("sol", "--config", path), *names)
