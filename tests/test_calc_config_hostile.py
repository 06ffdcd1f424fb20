"""Hostile ``config.json`` files (issue 11): a corpus generated here, each given to the
command line (``--config PATH``) in its own process under a memory limit and a time limit.
Each must end with exit status 2 and one line on stderr naming the file's problem, never a
traceback, a hang or a read of gigabytes. A good config still loads (the control)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys

import pytest

from _calc_util import ROOT

from calc import ConfigError, evaluate, from_hf_config, load_config_file
from calc.errors import MAX_MESSAGE

GOOD = {"num_hidden_layers": 2, "hidden_size": 64, "vocab_size": 100, "num_attention_heads": 8,
        "num_key_value_heads": 2, "intermediate_size": 128}
#: generous bounds: a config is a few kB; one read, one parse, one line
TIME_LIMIT_S = 60
MEMORY_LIMIT_BYTES = 1 << 30


def _good(**changes) -> str:
    return json.dumps({**GOOD, **changes})


def _text(body: str) -> bytes:
    return body.encode("utf-8")


#: (id, file bytes, words the one line must contain)
CORPUS: list[tuple[str, bytes, list[str]]] = [
    ("nested-objects-2000", _text('{"a":' * 2000 + "1" + "}" * 2000), ["deep"]),
    ("nested-arrays-2000", _text(_good()[:-1] + ', "x": ' + "[" * 2000 + "]" * 2000 + "}"), ["deep"]),
    ("nested-100", _text(_good()[:-1] + ', "x": ' + "[" * 100 + "]" * 100 + "}"), ["deep"]),
    ("nan-literal", _text(_good()[:-1] + ', "hidden_size": NaN}'), ["NaN"]),
    ("infinity-literal", _text(_good()[:-1] + ', "num_hidden_layers": Infinity}'), ["Infinity"]),
    ("minus-infinity", _text(_good()[:-1] + ', "vocab_size": -Infinity}'), ["Infinity"]),
    ("1e400", _text(_good()[:-1] + ', "num_hidden_layers": 1e400}'), ["1e400"]),
    ("5000-digit-integer", _text(_good()[:-1] + ', "vocab_size": ' + "7" * 5000 + "}"), ["5,000 digits"]),
    ("layers-1e308", _text(_good(num_hidden_layers=1e308)), ["num_hidden_layers"]),
    ("layers-10e400-digits", _text(_good()[:-1] + ', "num_hidden_layers": 1' + "0" * 400 + "}"), ["digits"]),
    ("layers-text", _text(_good(num_hidden_layers="two")), ["num_hidden_layers"]),
    ("layers-list", _text(_good(num_hidden_layers=[2])), ["num_hidden_layers"]),
    ("layers-object", _text(_good(num_hidden_layers={"n": 2})), ["num_hidden_layers"]),
    ("layers-bool", _text(_good(num_hidden_layers=True)), ["num_hidden_layers"]),
    ("layers-negative", _text(_good(num_hidden_layers=-2)), ["num_hidden_layers"]),
    ("hidden-huge", _text(_good(hidden_size=10**15)), ["hidden_size"]),
    ("head-dim-0", _text(_good(head_dim=0)), ["head_dim"]),
    ("head-dim-text", _text(_good(head_dim="64")), ["head_dim"]),
    ("quantization-not-object", _text(_good(quantization_config="fp8")), ["quantization_config"]),
    ("quantization-fmt-list", _text(_good(quantization_config={"fmt": ["fp8"]})), ["fmt"]),
    ("layer-types-not-list", _text(_good(sliding_window=16, layer_types="sliding_attention")), ["layer_types"]),
    ("layer-types-numbers", _text(_good(sliding_window=16, layer_types=[1, 2])), ["layer_types"]),
    ("attention-bias-text", _text(_good(attention_bias="yes")), ["attention_bias"]),
    ("tie-embeddings-number", _text(_good(tie_word_embeddings=2)), ["tie_word_embeddings"]),
    ("name-nested", _text(_good(_name_or_path=[[["x"]]])), ["_name_or_path"]),
    ("experts-per-token-text", _text(_good(num_local_experts=8, num_experts_per_tok="2")), ["num_experts_per_tok"]),
    ("not-utf8", b'{"num_hidden_layers": 2, "_name_or_path": "\xff\xfe\xfd"}', ["UTF-8"]),
    ("latin1", json.dumps(dict(GOOD, _name_or_path="caf\u00e9"), ensure_ascii=False).encode("latin-1"), ["UTF-8"]),
    ("utf16-bom", _good().encode("utf-16"), ["UTF-16"]),
    ("utf16-no-bom", _good().encode("utf-16-le"), ["UTF-16"]),
    ("utf32", _good().encode("utf-32"), ["UTF-16 or UTF-32"]),
    ("truncated", _text(_good()[:25]), ["not valid JSON"]),
    ("empty", b"", ["not valid JSON"]),
    ("array", _text("[1, 2, 3]"), ["object"]),
    ("string", _text('"config"'), ["object"]),
    ("null-bytes", b"\x00" * 64, ["UTF-16"]),
    ("lone-surrogate-name", _text(_good()[:-1] + ', "_name_or_path": "\\ud800", "head_dim": 0}'), ["head_dim"]),
    ("newline-in-error-value", _text(_good(num_hidden_layers="2\n3\r\n4")), ["num_hidden_layers"]),
]


def _run(path: str) -> subprocess.CompletedProcess:
    def limit():  # in the child: a hard memory ceiling
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "calc", "sol", "--config", path], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=TIME_LIMIT_S, preexec_fn=limit)


def _assert_one_line(r: subprocess.CompletedProcess, *words: str) -> str:
    assert r.returncode == 2, (r.returncode, r.stdout[:300], r.stderr[:600])
    assert r.stdout == ""
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr[:600]
    line = lines[0]
    assert len(line) <= len("calc: error: ") + MAX_MESSAGE, line
    for w in words:
        assert w.lower() in line.lower(), (w, line)
    return line


@pytest.mark.parametrize("name,data,words", CORPUS, ids=[c[0] for c in CORPUS])
def test_hostile_config_file(tmp_path, name, data, words):
    path = tmp_path / "config.json"
    path.write_bytes(data)
    _assert_one_line(_run(str(path)), *words)


def test_config_symlink_to_dev_zero_is_refused_unread(tmp_path):
    """A link to /dev/zero was read whole (5.6 GB in 8.5 s); now refused before reading."""
    path = tmp_path / "config.json"
    path.symlink_to("/dev/zero")
    _assert_one_line(_run(str(path)), "not a regular file")


def test_config_fifo_without_writer_does_not_hang(tmp_path):
    """A FIFO nobody writes to made the loader wait forever; now it is refused at once."""
    path = tmp_path / "config.json"
    os.mkfifo(path)
    _assert_one_line(_run(str(path)), "not a regular file")


def test_config_directory_and_missing_path(tmp_path):
    _assert_one_line(_run(str(tmp_path)), "folder")
    _assert_one_line(_run(str(tmp_path / "nope.json")), "cannot be read", "No such file")


def test_config_larger_than_10_mb_is_refused_unread(tmp_path):
    """The size is checked before reading (a sparse 11 GB file costs nothing to make)."""
    path = tmp_path / "config.json"
    with open(path, "wb") as f:
        f.truncate(11 * 10**9)
    _assert_one_line(_run(str(path)), "MB")


def test_config_path_with_control_characters_is_one_line(tmp_path):
    path = tmp_path / "a\nb\u202e\x1b[31m.json"
    path.write_text("{")
    line = _assert_one_line(_run(str(path)), "not valid JSON")
    assert "\x1b" not in line and "\u202e" not in line


def test_config_very_long_path_is_cut(tmp_path):
    deep = tmp_path
    for i in range(12):
        deep = deep / ("d" * 30 + str(i))
    deep.mkdir(parents=True)
    _assert_one_line(_run(str(deep / "missing.json")), "cannot be read")


def test_good_config_still_loads(tmp_path):
    """The control: a plain, valid config (UTF-8 with a byte-order mark too) loads."""
    path = tmp_path / "config.json"
    path.write_bytes(b"\xef\xbb\xbf" + _good(_name_or_path="tiny").encode())
    m = load_config_file(path)
    assert m.num_hidden_layers == 2 and m.label == "tiny"
    r = subprocess.run([sys.executable, "-m", "calc", "kv", "--config", str(path), "--json"], capture_output=True,
                       text=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=TIME_LIMIT_S)
    assert r.returncode == 0 and json.loads(r.stdout)["kv_bytes_per_token_per_layer"] == 2 * 2 * 8 * 2


@pytest.mark.parametrize("cfg,field", [
    (dict(GOOD, num_hidden_layers=10**400), "num_hidden_layers"),
    (dict(GOOD, num_hidden_layers=float("inf")), "num_hidden_layers"),
    (dict(GOOD, vocab_size=float("nan")), "vocab_size"),
    (dict(GOOD, head_dim=0), "head_dim"),
    (dict(GOOD, quantization_config=[1]), "quantization_config"),
    (dict(GOOD, layer_types=7, sliding_window=8), "layer_types"),
])
def test_config_dict_through_evaluate_is_config_error(cfg, field):
    """A config dict given to evaluate() (the API) gets the same checks: a ConfigError
    naming the field, in one short line, instead of OverflowError or a division by zero."""
    with pytest.raises(ConfigError) as e:
        evaluate("sol", {"model": cfg})
    assert field in str(e.value) and len(str(e.value)) <= MAX_MESSAGE
    with pytest.raises(ConfigError):
        from_hf_config(cfg)
