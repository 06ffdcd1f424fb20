"""KV-cache size.

Formulas (bytes, for one token of context, summed over layers):

* MLA (DeepSeek-V2/V3, Kimi K2): one compressed latent of ``kv_lora_rank`` plus the
  decoupled RoPE key of ``qk_rope_head_dim`` per layer, shared by every head:
  ``(kv_lora_rank + qk_rope_head_dim) * elem_bytes * layers``. There is no separate K and
  V factor (LMCache PR #694 added one by mistake and #715 reverted it).
  DeepSeek-V3: 576 * 2 B * 61 = 70,272 B at BF16.
* GQA/MHA: ``2 (K and V) * num_key_value_heads * head_dim * elem_bytes * layers``, with
  head_dim from the config (not hidden/heads; LMCache #688).
* Sliding-window layers keep at most ``sliding_window`` tokens per sequence.
* DSA indexer (DeepSeek-V3.2): each layer also caches one FP8 key of ``index_head_dim``
  bytes plus a 4-byte FP32 scale per token, whatever the main KV element type.

Element sizes: bf16 2 B, fp8 1 B, fp4 0.5 B: ``fp8`` here is the plain halving, every value
in one byte, no scales. A real FP8 layout costs more: FlashMLA's FP8 MLA cache keeps the
RoPE part in BF16 and adds one FP32 scale per 128 latent values, 512 + 4 x 4 + 64 x 2 = 656 B
per token per layer for DeepSeek-V3 instead of 576 (see :func:`flashmla_fp8_bytes_per_token_per_layer`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import ModelConfig
from .units import DTYPE_BYTES

INDEXER_SCALE_BYTES = 4  # one fp32 scale per cached indexer key


@dataclass(frozen=True)
class KVSize:
    elements_per_token_per_layer: int  # elements of the main KV per token per (full) layer
    bytes_per_token_per_layer: float  # full-attention layer, including any indexer key
    full_layers: int
    window_layers: int
    window: int
    bytes_per_token: float  # per token of context, all full-attention layers
    bytes_per_window_token: float  # per token held by windowed layers (up to `window` tokens)

    def bytes_per_user(self, seq_len: int) -> float:
        """KV bytes one sequence of ``seq_len`` tokens holds."""
        return self.bytes_per_token * seq_len + self.bytes_per_window_token * min(seq_len, self.window)


FLASHMLA_FP8_SCALE_BLOCK = 128  # latent values per FP32 scale (deepseek-ai/FlashMLA, FP8 KV cache)


def flashmla_fp8_bytes_per_token_per_layer(model: ModelConfig) -> float | None:
    """Bytes per token per layer of FlashMLA's FP8 MLA cache: the latent in FP8 with one FP32
    scale per 128 values, the RoPE key kept in BF16 (656 B for DeepSeek-V3). A DSA model
    (DeepSeek-V3.2) also keeps its indexer key, FP8 with its scale (132 B), in either layout,
    so it is counted here too: comparing BF16 *with* the indexer key against FP8 *without* it
    would give 1,284 / 656 = 1.96x; like for like it is 1,284 / 788 = 1.63x. ``None`` for
    non-MLA models."""
    if not model.is_mla:
        return None
    scales = -(-model.kv_lora_rank // FLASHMLA_FP8_SCALE_BLOCK) * 4
    indexer = model.index_head_dim * 1 + INDEXER_SCALE_BYTES if model.index_n_heads else 0
    return model.kv_lora_rank * 1 + scales + model.qk_rope_head_dim * 2 + indexer


def kv_size(model: ModelConfig, kv_dtype: str = "bf16") -> KVSize:
    eb = DTYPE_BYTES[kv_dtype]
    if model.is_mla:
        elems = model.kv_lora_rank + model.qk_rope_head_dim
    else:
        elems = 2 * model.num_key_value_heads * model.head_dim
    per_layer = elems * eb
    if model.index_n_heads:
        per_layer += model.index_head_dim * 1 + INDEXER_SCALE_BYTES
    full = model.n_full_attention_layers
    win_layers = model.num_sliding_layers
    return KVSize(
        elements_per_token_per_layer=elems,
        bytes_per_token_per_layer=per_layer,
        full_layers=full,
        window_layers=win_layers,
        window=model.sliding_window if win_layers else 0,
        bytes_per_token=per_layer * full,
        bytes_per_window_token=per_layer * win_layers,
    )
