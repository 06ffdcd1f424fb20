"""Model architectures and the parameter counts derived from them.

Field names follow the models' own Hugging Face ``config.json`` files, so a user's
config loads with :func:`from_hf_config`. Parameter counts are never typed in: they
are computed from the shapes below and tested against each model's stated totals.

Shapes used (one transformer layer; ``h`` = hidden_size):

* MLA attention (DeepSeek-V2/V3 ``inference/model.py``):
  ``wq_a = h*q_lora`` and ``wq_b = q_lora*heads*(nope+rope)`` (or ``wq = h*heads*(nope+rope)``
  when ``q_lora_rank`` is 0), ``wkv_a = h*(kv_lora+rope)``, ``wkv_b = kv_lora*heads*(nope+v)``,
  ``wo = heads*v*h``, plus the two LoRA norms.
* GQA/MHA attention: ``q = h*heads*head_dim``, ``k = v = h*kv_heads*head_dim``,
  ``o = heads*head_dim*h`` (biases where the config says so).
* Gated FFN (SwiGLU), dense or one expert: ``3 * h * intermediate``.
* Router: ``h * n_routed_experts`` per MoE layer.
* DSA indexer (DeepSeek-V3.2): ``wq_b = q_lora*index_heads*index_dim``, ``wk = h*index_dim``,
  ``weights_proj = h*index_heads``.
"""

from __future__ import annotations

import json
import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError, printable, show


@dataclass(frozen=True)
class ModelConfig:
    """A decoder-only transformer, dense or Mixture-of-Experts, MLA or GQA attention."""

    name: str
    label: str
    source: str
    num_hidden_layers: int
    hidden_size: int
    vocab_size: int
    num_attention_heads: int
    attention: str  # "mla" or "gqa"
    intermediate_size: int = 0  # dense FFN width
    # GQA / MHA
    num_key_value_heads: int = 0
    head_dim: int = 0
    attention_bias: bool = False
    # MLA
    q_lora_rank: int = 0
    kv_lora_rank: int = 0
    qk_rope_head_dim: int = 0
    qk_nope_head_dim: int = 0
    v_head_dim: int = 0
    # MoE
    n_routed_experts: int = 0
    num_experts_per_tok: int = 0
    moe_intermediate_size: int = 0
    n_shared_experts: int = 0
    first_k_dense_replace: int = 0
    topk_group: int = 0  # node-limited routing: groups (nodes) a token may reach
    n_group: int = 0
    # sliding-window attention
    sliding_window: int = 0
    num_sliding_layers: int = 0
    # DSA indexer (DeepSeek-V3.2)
    index_n_heads: int = 0
    index_head_dim: int = 0
    index_topk: int = 0
    # multi-token prediction
    num_nextn_predict_layers: int = 0
    tie_word_embeddings: bool = False
    # storage precision of the released weights, bytes per parameter
    linear_weight_bytes: float = 2.0  # attention / dense FFN / shared experts
    expert_weight_bytes: float = 2.0  # routed experts
    embedding_weight_bytes: float = 2.0  # embedding and output head
    #: side of the square weight blocks that share one scale (DeepSeek's FP8: 128), 0 if none
    weight_block: int = 0
    stated_total_params: float = 0.0  # as published, for tests and display
    stated_active_params: float = 0.0
    active_convention: str = ""  # how the stated activated count treats embedding and head
    notes: str = ""

    # ---- structure -------------------------------------------------------------
    @property
    def is_moe(self) -> bool:
        return self.n_routed_experts > 0

    @property
    def is_mla(self) -> bool:
        return self.attention == "mla"

    @property
    def n_moe_layers(self) -> int:
        return self.num_hidden_layers - self.first_k_dense_replace if self.is_moe else 0

    @property
    def n_dense_layers(self) -> int:
        return self.num_hidden_layers - self.n_moe_layers

    @property
    def n_full_attention_layers(self) -> int:
        return self.num_hidden_layers - self.num_sliding_layers

    # ---- parameter counts (derived) -------------------------------------------
    @property
    def attention_params_per_layer(self) -> int:
        h = self.hidden_size
        if self.is_mla:
            qk = self.qk_nope_head_dim + self.qk_rope_head_dim
            if self.q_lora_rank:
                q = h * self.q_lora_rank + self.q_lora_rank + self.q_lora_rank * self.num_attention_heads * qk
            else:
                q = h * self.num_attention_heads * qk
            kv = (
                h * (self.kv_lora_rank + self.qk_rope_head_dim)
                + self.kv_lora_rank
                + self.kv_lora_rank * self.num_attention_heads * (self.qk_nope_head_dim + self.v_head_dim)
            )
            o = self.num_attention_heads * self.v_head_dim * h
            idx = 0
            if self.index_n_heads:
                idx = (
                    self.q_lora_rank * self.index_n_heads * self.index_head_dim
                    + h * self.index_head_dim
                    + 2 * self.index_head_dim  # k_norm
                    + h * self.index_n_heads
                )
            return q + kv + o + idx
        q = h * self.num_attention_heads * self.head_dim
        kv = 2 * h * self.num_key_value_heads * self.head_dim
        o = self.num_attention_heads * self.head_dim * h
        bias = 0
        if self.attention_bias:
            bias = (self.num_attention_heads + 2 * self.num_key_value_heads) * self.head_dim + h
        return q + kv + o + bias

    @property
    def expert_params(self) -> int:
        """One routed (or shared) expert: a gated FFN of width moe_intermediate_size."""
        return 3 * self.hidden_size * self.moe_intermediate_size

    def param_breakdown(self) -> dict[str, int]:
        """Parameters by part. Layer norms are counted with attention."""
        h = self.hidden_size
        L = self.num_hidden_layers
        norms = 2 * h * L + h
        emb = self.vocab_size * h
        head = 0 if self.tie_word_embeddings else self.vocab_size * h
        dense_ffn = self.n_dense_layers * 3 * h * self.intermediate_size
        routed = self.n_moe_layers * self.n_routed_experts * self.expert_params
        shared = self.n_moe_layers * self.n_shared_experts * self.expert_params
        router = self.n_moe_layers * h * self.n_routed_experts
        return {
            "embedding": emb,
            "output_head": head,
            "attention": L * self.attention_params_per_layer + norms,
            "dense_ffn": dense_ffn,
            "routed_experts": routed,
            "shared_experts": shared,
            "router": router,
        }

    @property
    def total_params(self) -> int:
        return sum(self.param_breakdown().values())

    @property
    def active_params(self) -> int:
        """Parameters a token passes through: attention, dense FFN, top-k routed and the
        shared experts, router, output head. The embedding is a lookup, not a matmul, and is
        left out (DeepSeek's convention for its 37 B)."""
        b = self.param_breakdown()
        active_routed = self.n_moe_layers * self.num_experts_per_tok * self.expert_params
        head = b["output_head"] or b["embedding"]
        return b["attention"] + b["dense_ffn"] + active_routed + b["shared_experts"] + b["router"] + head

    @property
    def active_params_incl_embedding(self) -> int:
        """Activated parameters counting the embedding table too (the convention of
        Llama, Qwen and Mixtral model cards)."""
        b = self.param_breakdown()
        return self.active_params + (b["embedding"] if b["output_head"] else 0)

    @property
    def mtp_params(self) -> int:
        """Unique parameters of the multi-token-prediction modules: per module a projection
        of 2h -> h, two norms and one MoE layer (embedding and head are shared)."""
        if not self.num_nextn_predict_layers:
            return 0
        h = self.hidden_size
        layer = self.attention_params_per_layer + 2 * h
        if self.is_moe:
            layer += (self.n_routed_experts + self.n_shared_experts) * self.expert_params + h * self.n_routed_experts
        else:
            layer += 3 * h * self.intermediate_size
        return self.num_nextn_predict_layers * (2 * h * h + 2 * h + layer + h)

    # ---- weight bytes ------------------------------------------------------------
    def weight_bytes(self) -> dict[str, float]:
        """Bytes of the released weights by part (scales of block-quantised formats
        are not counted: 0.02% for DeepSeek's 128x128 FP8 blocks)."""
        b = self.param_breakdown()
        lw, ew, bw = self.linear_weight_bytes, self.expert_weight_bytes, self.embedding_weight_bytes
        return {
            "embedding": b["embedding"] * bw,
            "output_head": b["output_head"] * bw,
            "attention": b["attention"] * lw,
            "dense_ffn": b["dense_ffn"] * lw,
            "routed_experts": b["routed_experts"] * ew,
            "shared_experts": b["shared_experts"] * lw,
            "router": b["router"] * lw,
        }

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "attention": self.attention.upper(),
            "layers": self.num_hidden_layers,
            "hidden_size": self.hidden_size,
            "routed_experts": self.n_routed_experts,
            "experts_per_token": self.num_experts_per_tok,
            "total_params": self.total_params,
            "active_params": self.active_params,
            "stated_total_params": self.stated_total_params,
            "stated_active_params": self.stated_active_params,
            "active_params_incl_embedding": self.active_params_incl_embedding,
            "active_convention": self.active_convention,
            "source": self.source,
        }


# ---- loading a Hugging Face config.json ------------------------------------------------

#: config.json keys that other model families use for the same field
_ALIASES = {
    "n_routed_experts": ("num_local_experts", "num_experts"),
    "moe_intermediate_size": ("intermediate_size_moe",),
    "n_shared_experts": ("num_shared_experts",),
}

_REQUIRED = ("num_hidden_layers", "hidden_size", "vocab_size", "num_attention_heads")

#: Largest value each integer field may take: generous beside any published model (61-126
#: layers, hidden sizes up to ~25k, vocabularies up to ~260k, up to 384 routed experts), small
#: enough that every parameter count and byte total stays a finite float. Others: 10**7.
_MAX_FIELD = {
    "num_hidden_layers": 10_000, "num_attention_heads": 100_000, "num_key_value_heads": 100_000,
    "n_routed_experts": 1_000_000, "num_experts_per_tok": 1_000_000, "n_shared_experts": 10_000,
    "first_k_dense_replace": 10_000, "num_nextn_predict_layers": 1_000, "vocab_size": 100_000_000,
    "index_topk": 10**9, "sliding_window": 10**9, "max_window_layers": 10_000,
}
_MAX_DEFAULT = 10**7


def _int(cfg: dict, key: str, default: int = 0) -> int:
    """An integer field: a whole number from 0 to its maximum (``_MAX_FIELD``)."""
    v = cfg.get(key, default)
    if v is None:
        return default
    hi = _MAX_FIELD.get(key, _MAX_DEFAULT)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= hi or v != int(v):
        raise ConfigError(f"config field '{key}' must be a whole number from 0 to {hi:,} (got {show(v)})")
    return int(v)


def _bool(cfg: dict, key: str) -> bool:
    v = cfg.get(key)
    if v is not None and not isinstance(v, bool):
        raise ConfigError(f"config field '{key}' must be true or false (got {show(v)})")
    return bool(v)


def _str(cfg: dict, key: str) -> str:
    v = cfg.get(key)
    if v is not None and not isinstance(v, str):
        raise ConfigError(f"config field '{key}' must be text (got {show(v)})")
    return v or ""


def from_hf_config(cfg: dict, name: str = "custom", source: str = "user config.json") -> ModelConfig:
    """Build a :class:`ModelConfig` from a Hugging Face style ``config.json`` dict.

    MLA is recognised by ``kv_lora_rank``; otherwise attention is GQA/MHA with
    ``num_key_value_heads`` (defaulting to ``num_attention_heads``) and ``head_dim``
    (defaulting to ``hidden_size // num_attention_heads``). MoE is recognised by
    ``n_routed_experts`` / ``num_local_experts`` / ``num_experts``. Every field read is
    type-checked and bounded (whole numbers within ``_MAX_FIELD``, true/false, text, a list
    of layer types, an object for ``quantization_config``). Raises :class:`ConfigError`
    naming the missing, mistyped or contradictory field, in one line.
    """
    if not isinstance(cfg, dict):
        raise ConfigError(f"config must be a JSON object, got {show(cfg)}")
    missing = [k for k in _REQUIRED if k not in cfg]
    if missing:
        raise ConfigError("config.json is missing required field(s): " + ", ".join(missing))
    g = dict(cfg)
    for key, alts in _ALIASES.items():
        if key not in g:
            for a in alts:
                if a in g:
                    g[key] = g[a]
                    break
    kw: dict[str, Any] = {}
    for k in ("num_hidden_layers", "hidden_size", "vocab_size", "num_attention_heads"):
        kw[k] = _int(g, k)
        if kw[k] <= 0:
            raise ConfigError(f"config field '{k}' must be positive, got {show(g[k])}")
    kw["intermediate_size"] = _int(g, "intermediate_size")
    mla = bool(_int(g, "kv_lora_rank"))
    kw["attention"] = "mla" if mla else "gqa"
    if mla:
        for k in ("kv_lora_rank", "qk_rope_head_dim", "qk_nope_head_dim", "v_head_dim"):
            if k not in g:
                raise ConfigError(f"MLA config (kv_lora_rank set) is missing field '{k}'")
            kw[k] = _int(g, k)
        kw["q_lora_rank"] = _int(g, "q_lora_rank")
        for k in ("index_n_heads", "index_head_dim", "index_topk"):
            kw[k] = _int(g, k)
    else:
        kvh = _int(g, "num_key_value_heads", kw["num_attention_heads"])
        if kvh == 0 or kw["num_attention_heads"] % kvh:
            raise ConfigError(
                f"num_key_value_heads ({kvh}) must divide num_attention_heads ({kw['num_attention_heads']})"
            )
        kw["num_key_value_heads"] = kvh
        hd = g.get("head_dim")
        if hd is None:
            if kw["hidden_size"] % kw["num_attention_heads"]:
                raise ConfigError("config has no head_dim and hidden_size is not a multiple of num_attention_heads")
            hd = kw["hidden_size"] // kw["num_attention_heads"]
        kw["head_dim"] = _int({"head_dim": hd}, "head_dim")
        if kw["head_dim"] == 0:  # no KV cache at all: every per-user figure would divide by zero
            raise ConfigError("config field 'head_dim' must be positive (got 0)")
        kw["attention_bias"] = _bool(g, "attention_bias")
    experts = _int(g, "n_routed_experts")
    if experts:
        kw["n_routed_experts"] = experts
        kw["num_experts_per_tok"] = _int(g, "num_experts_per_tok")
        if not 0 < kw["num_experts_per_tok"] <= experts:
            raise ConfigError(
                f"num_experts_per_tok ({show(g.get('num_experts_per_tok'))}) must be between 1 and the "
                f"number of experts ({experts})"
            )
        moe_inter = _int(g, "moe_intermediate_size") or kw["intermediate_size"]
        if not moe_inter:
            raise ConfigError("MoE config needs moe_intermediate_size (or intermediate_size)")
        kw["moe_intermediate_size"] = moe_inter
        kw["n_shared_experts"] = _int(g, "n_shared_experts")
        kw["first_k_dense_replace"] = _int(g, "first_k_dense_replace")
        if kw["first_k_dense_replace"] > kw["num_hidden_layers"]:
            raise ConfigError("first_k_dense_replace is larger than num_hidden_layers")
        if kw["first_k_dense_replace"] and not kw["intermediate_size"]:
            raise ConfigError("first_k_dense_replace > 0 needs intermediate_size for the dense layers")
        kw["topk_group"] = _int(g, "topk_group")
        kw["n_group"] = _int(g, "n_group")
    elif not kw["intermediate_size"]:
        raise ConfigError("dense config is missing field 'intermediate_size'")
    # sliding window: layer_types (gpt-oss, Qwen) or a window for every layer (Mistral)
    window = _int(g, "sliding_window")
    layer_types = g.get("layer_types")
    if layer_types is not None and (not isinstance(layer_types, list)
                                    or not all(isinstance(t, str) for t in layer_types)):
        raise ConfigError(f"config field 'layer_types' must be a list of layer type names (got {show(layer_types)})")
    use_window = g.get("use_sliding_window", True)
    if not isinstance(use_window, bool):
        raise ConfigError(f"config field 'use_sliding_window' must be true or false (got {show(use_window)})")
    if window and layer_types:
        if len(layer_types) != kw["num_hidden_layers"]:
            raise ConfigError(
                f"layer_types has {len(layer_types)} entries but num_hidden_layers is {kw['num_hidden_layers']}"
            )
        kw["sliding_window"] = window
        kw["num_sliding_layers"] = sum(1 for t in layer_types if t == "sliding_attention")
    elif window and use_window and not _int(g, "max_window_layers"):
        kw["sliding_window"] = window
        kw["num_sliding_layers"] = kw["num_hidden_layers"]
    kw["num_nextn_predict_layers"] = _int(g, "num_nextn_predict_layers")
    kw["tie_word_embeddings"] = _bool(g, "tie_word_embeddings")
    qc = g.get("quantization_config")
    if qc is not None and not isinstance(qc, dict):
        raise ConfigError(f"config field 'quantization_config' must be an object (got {show(qc)})")
    qc = qc or {}
    fmt = (_str(qc, "fmt") or _str(qc, "quant_method")).lower()
    if "fp8" in fmt or "e4m3" in fmt:
        kw["linear_weight_bytes"] = kw["expert_weight_bytes"] = 1.0
        block = qc.get("weight_block_size")
        if isinstance(block, list) and block and all(isinstance(v, int) and not isinstance(v, bool) and v > 0
                                                     for v in block):
            kw["weight_block"] = block[0]
    elif "mxfp4" in fmt:
        kw["expert_weight_bytes"] = 4.25 / 8
    label = printable(_str(g, "_name_or_path"), 80) or name
    return ModelConfig(name=name, label=label, source=source, **kw)


# ---- reading config.json from disk ----------------------------------------------------------

#: A config.json is a few kB; anything past this is refused before it is read.
MAX_CONFIG_BYTES = 10_000_000
#: Deepest nesting of arrays and objects accepted (real configs nest 2-3 levels).
MAX_CONFIG_DEPTH = 64
#: Most digits an integer in the file may have (the largest field needs 10).
MAX_CONFIG_DIGITS = 20


def _show_path(p: Path) -> str:
    """The file name as a message writes it: printable, at most 100 characters (the middle
    cut, so the name at the end survives)."""
    text = printable(str(p), 10_000)
    return text if len(text) <= 100 else text[:40] + "\u2026" + text[-59:]


def _read_limited(p: Path, where: str) -> bytes:
    """The bytes of a regular file of at most ``MAX_CONFIG_BYTES``. Opened without blocking
    (a FIFO with no writer would wait forever) and checked before reading: folders, devices
    (a link to /dev/zero), pipes and sockets are refused, and so is a file too large."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(p, flags)
    except OSError as e:
        raise ConfigError(f"config file {where} cannot be read: {e.strerror or type(e).__name__}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ConfigError(f"config file {where} is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise ConfigError(f"config file {where} is not a regular file (a device, pipe or socket)")
        if st.st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"config file {where} is {st.st_size / 1e6:,.0f} MB; a config.json is a few kB "
                              f"(at most {MAX_CONFIG_BYTES // 10**6} MB read)")
        chunks, total = [], 0
        while total <= MAX_CONFIG_BYTES:
            try:
                chunk = os.read(fd, min(1 << 20, MAX_CONFIG_BYTES + 1 - total))
            except BlockingIOError:  # pragma: no cover - regular files never block
                break
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > MAX_CONFIG_BYTES:
            raise ConfigError(f"config file {where} is larger than {MAX_CONFIG_BYTES // 10**6} MB")
        return b"".join(chunks)
    except OSError as e:
        raise ConfigError(f"config file {where} cannot be read: {e.strerror or type(e).__name__}") from None
    finally:
        os.close(fd)


def _decode(data: bytes, where: str) -> str:
    """UTF-8 text (a UTF-8 byte-order mark is dropped); UTF-16/32 and other encodings are
    refused with a message that says so."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) >= 2 and b"\x00" in data[:4]):
        raise ConfigError(f"config file {where} is UTF-16 or UTF-32 text; save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(f"config file {where} is not UTF-8 text (byte 0x{data[e.start]:02x} at offset "
                          f"{e.start:,}); save it as UTF-8") from None


def _parse(text: str, where: str) -> Any:
    """JSON as the standard says it: no NaN or Infinity, every number finite, integers of at
    most ``MAX_CONFIG_DIGITS`` digits, nesting at most ``MAX_CONFIG_DEPTH`` deep."""
    def constant(name: str) -> Any:
        raise ConfigError(f"config file {where} holds {name}, which is not a JSON number")

    def integer(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_CONFIG_DIGITS:
            raise ConfigError(f"config file {where} holds an integer of {len(digits.lstrip('-')):,} digits; "
                              f"no field needs more than {MAX_CONFIG_DIGITS}")
        return int(digits)

    def real(text_: str) -> float:
        x = float(text_)
        if not math.isfinite(x):
            raise ConfigError(f"config file {where} holds the number {printable(text_, 24)}, too large for a float")
        return x

    try:
        cfg = json.loads(text, parse_constant=constant, parse_int=integer, parse_float=real)
    except json.JSONDecodeError as e:
        raise ConfigError(f"config file {where} is not valid JSON: {e.msg} at line {e.lineno:,} "
                          f"column {e.colno:,}") from None
    except RecursionError:
        raise ConfigError(f"config file {where} nests arrays or objects more than {MAX_CONFIG_DEPTH} deep") from None
    stack = [(cfg, 1)]
    while stack:
        o, depth = stack.pop()
        if depth > MAX_CONFIG_DEPTH:
            raise ConfigError(f"config file {where} nests arrays or objects more than {MAX_CONFIG_DEPTH} deep")
        if isinstance(o, dict):
            stack.extend((v, depth + 1) for v in o.values())
        elif isinstance(o, list):
            stack.extend((v, depth + 1) for v in o)
    return cfg


def load_config_file(path: str | Path) -> ModelConfig:
    """Read a Hugging Face ``config.json`` from disk, refusing anything that is not a
    regular UTF-8 JSON file of at most 10 MB; every error is one line naming the file and
    the problem."""
    p = Path(path)
    where = _show_path(p)
    cfg = _parse(_decode(_read_limited(p, where), where), where)
    return from_hf_config(cfg, name=p.stem if p.stem != "config" else "custom", source=str(p))
