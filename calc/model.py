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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError


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


def _int(cfg: dict, key: str, default: int = 0) -> int:
    v = cfg.get(key, default)
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v) or v < 0:
        raise ConfigError(f"config field '{key}' must be a non-negative integer, got {v!r}")
    return int(v)


def from_hf_config(cfg: dict, name: str = "custom", source: str = "user config.json") -> ModelConfig:
    """Build a :class:`ModelConfig` from a Hugging Face style ``config.json`` dict.

    MLA is recognised by ``kv_lora_rank``; otherwise attention is GQA/MHA with
    ``num_key_value_heads`` (defaulting to ``num_attention_heads``) and ``head_dim``
    (defaulting to ``hidden_size // num_attention_heads``). MoE is recognised by
    ``n_routed_experts`` / ``num_local_experts`` / ``num_experts``. Raises
    :class:`ConfigError` naming every missing or contradictory field.
    """
    if not isinstance(cfg, dict):
        raise ConfigError(f"config must be a JSON object, got {type(cfg).__name__}")
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
            raise ConfigError(f"config field '{k}' must be positive, got {g[k]!r}")
    kw["intermediate_size"] = _int(g, "intermediate_size")
    mla = bool(g.get("kv_lora_rank"))
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
        kw["attention_bias"] = bool(g.get("attention_bias", False))
    experts = _int(g, "n_routed_experts")
    if experts:
        kw["n_routed_experts"] = experts
        kw["num_experts_per_tok"] = _int(g, "num_experts_per_tok")
        if not 0 < kw["num_experts_per_tok"] <= experts:
            raise ConfigError(
                f"num_experts_per_tok ({g.get('num_experts_per_tok')!r}) must be between 1 and the "
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
    window = g.get("sliding_window")
    layer_types = g.get("layer_types")
    if window and layer_types:
        if len(layer_types) != kw["num_hidden_layers"]:
            raise ConfigError(
                f"layer_types has {len(layer_types)} entries but num_hidden_layers is {kw['num_hidden_layers']}"
            )
        kw["sliding_window"] = _int(g, "sliding_window")
        kw["num_sliding_layers"] = sum(1 for t in layer_types if t == "sliding_attention")
    elif window and g.get("use_sliding_window", True) and not g.get("max_window_layers"):
        kw["sliding_window"] = _int(g, "sliding_window")
        kw["num_sliding_layers"] = kw["num_hidden_layers"]
    kw["num_nextn_predict_layers"] = _int(g, "num_nextn_predict_layers")
    kw["tie_word_embeddings"] = bool(g.get("tie_word_embeddings", False))
    qc = g.get("quantization_config") or {}
    fmt = str(qc.get("fmt") or qc.get("quant_method") or "").lower()
    if "fp8" in fmt or "e4m3" in fmt:
        kw["linear_weight_bytes"] = kw["expert_weight_bytes"] = 1.0
    elif "mxfp4" in fmt:
        kw["expert_weight_bytes"] = 4.25 / 8
    return ModelConfig(name=name, label=str(g.get("_name_or_path") or name), source=source, **kw)


def load_config_file(path: str | Path) -> ModelConfig:
    """Read ``config.json`` from disk; errors name the file and the problem."""
    p = Path(path)
    try:
        text = p.read_text()
    except OSError as e:
        raise ConfigError(f"cannot read config file {str(p)!r}: {e.strerror or e}") from None
    try:
        cfg = json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigError(f"config file {str(p)!r} is not valid JSON: {e.msg} at line {e.lineno}") from None
    return from_hf_config(cfg, name=p.stem if p.stem != "config" else "custom", source=str(p))
