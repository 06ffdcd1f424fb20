"""Model and accelerator presets, each with its source.

Model presets are written as the fields of each model's own Hugging Face
``config.json`` and go through the same loader as a user's file
(:func:`calc.model.from_hf_config`), so the loader is exercised by every preset.
Accelerator figures are per GPU, decimal units as on the vendors' spec sheets
(HBM in GB = 10**9 B, bandwidth in TB/s = 10**12 B/s), dense FLOPS (no sparsity).
Each preset names its primary source: the model's own configuration file or report, the
vendor's spec sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .model import ModelConfig, from_hf_config
from .units import GB, GBIT, TB, TFLOPS

# ---- models ---------------------------------------------------------------------------

_DS_V3_SRC = "deepseek-ai/DeepSeek-V3 inference/configs/config_671B.json and HF config.json"
_DS_V3 = dict(
    num_hidden_layers=61, hidden_size=7168, intermediate_size=18432, moe_intermediate_size=2048,
    vocab_size=129280, num_attention_heads=128, q_lora_rank=1536, kv_lora_rank=512,
    qk_rope_head_dim=64, qk_nope_head_dim=128, v_head_dim=128, n_routed_experts=256,
    n_shared_experts=1, num_experts_per_tok=8, first_k_dense_replace=3, n_group=8, topk_group=4,
    num_nextn_predict_layers=1, tie_word_embeddings=False,
    quantization_config={"quant_method": "fp8", "fmt": "e4m3", "weight_block_size": [128, 128]},
)

_MODELS: dict[str, tuple[dict, dict]] = {
    "deepseek-v3": (_DS_V3, dict(label="DeepSeek-V3", source=_DS_V3_SRC,
                                 stated_total_params=671e9, stated_active_params=37e9)),
    "deepseek-r1": (_DS_V3, dict(label="DeepSeek-R1", source="deepseek-ai/DeepSeek-R1 config.json (same architecture as V3)",
                                 stated_total_params=671e9, stated_active_params=37e9)),
    "deepseek-v3.2": (
        dict(_DS_V3, index_n_heads=64, index_head_dim=128, index_topk=2048),
        dict(label="DeepSeek-V3.2", source="deepseek-ai/DeepSeek-V3.2-Exp inference/config_671B_v3.2.json",
             stated_total_params=671e9, stated_active_params=37e9,
             notes="DSA indexer: each layer also caches a 128-dim FP8 indexer key plus a 4 B scale per token"),
    ),
    "deepseek-v2": (
        dict(num_hidden_layers=60, hidden_size=5120, intermediate_size=12288, moe_intermediate_size=1536,
             vocab_size=102400, num_attention_heads=128, q_lora_rank=1536, kv_lora_rank=512,
             qk_rope_head_dim=64, qk_nope_head_dim=128, v_head_dim=128, n_routed_experts=160,
             n_shared_experts=2, num_experts_per_tok=6, first_k_dense_replace=1, n_group=8, topk_group=3),
        dict(label="DeepSeek-V2", source="deepseek-ai/DeepSeek-V2 config.json (config_236B.json)",
             stated_total_params=236e9, stated_active_params=21e9),
    ),
    "deepseek-v2-lite": (
        dict(num_hidden_layers=27, hidden_size=2048, intermediate_size=10944, moe_intermediate_size=1408,
             vocab_size=102400, num_attention_heads=16, q_lora_rank=0, kv_lora_rank=512,
             qk_rope_head_dim=64, qk_nope_head_dim=128, v_head_dim=128, n_routed_experts=64,
             n_shared_experts=2, num_experts_per_tok=6, first_k_dense_replace=1, n_group=1, topk_group=1),
        dict(label="DeepSeek-V2-Lite", source="deepseek-ai/DeepSeek-V2-Lite config.json (config_16B.json)",
             stated_total_params=15.7e9, stated_active_params=2.4e9),
    ),
    "kimi-k2": (
        dict(num_hidden_layers=61, hidden_size=7168, intermediate_size=18432, moe_intermediate_size=2048,
             vocab_size=163840, num_attention_heads=64, q_lora_rank=1536, kv_lora_rank=512,
             qk_rope_head_dim=64, qk_nope_head_dim=128, v_head_dim=128, n_routed_experts=384,
             n_shared_experts=1, num_experts_per_tok=8, first_k_dense_replace=1, n_group=1, topk_group=1,
             quantization_config={"quant_method": "fp8", "fmt": "e4m3"}),
        dict(label="Kimi K2", source="MoonshotAI/Kimi-K2 README and HF config.json",
             stated_total_params=1.0e12, stated_active_params=32e9),
    ),
    "llama-3.1-8b": (
        dict(num_hidden_layers=32, hidden_size=4096, intermediate_size=14336, vocab_size=128256,
             num_attention_heads=32, num_key_value_heads=8, head_dim=128),
        dict(label="Llama 3.1 8B", source="meta-llama/llama-models models/sku_list.py",
             stated_total_params=8.03e9, stated_active_params=8.03e9),
    ),
    "llama-3.1-70b": (
        dict(num_hidden_layers=80, hidden_size=8192, intermediate_size=28672, vocab_size=128256,
             num_attention_heads=64, num_key_value_heads=8, head_dim=128),
        dict(label="Llama 3.1 70B", source="meta-llama/llama-models models/sku_list.py",
             stated_total_params=70.6e9, stated_active_params=70.6e9),
    ),
    "llama-3.1-405b": (
        dict(num_hidden_layers=126, hidden_size=16384, intermediate_size=53248, vocab_size=128256,
             num_attention_heads=128, num_key_value_heads=8, head_dim=128),
        dict(label="Llama 3.1 405B", source="meta-llama/llama-models models/sku_list.py",
             stated_total_params=405e9, stated_active_params=405e9),
    ),
    "qwen3-235b-a22b": (
        dict(num_hidden_layers=94, hidden_size=4096, intermediate_size=12288, moe_intermediate_size=1536,
             vocab_size=151936, num_attention_heads=64, num_key_value_heads=4, head_dim=128,
             num_experts=128, num_experts_per_tok=8, use_sliding_window=False, sliding_window=None),
        dict(label="Qwen3-235B-A22B", source="QwenLM/Qwen3 technical report Table 2 and HF config.json",
             stated_total_params=235e9, stated_active_params=22e9),
    ),
    "qwen3-30b-a3b": (
        dict(num_hidden_layers=48, hidden_size=2048, intermediate_size=6144, moe_intermediate_size=768,
             vocab_size=151936, num_attention_heads=32, num_key_value_heads=4, head_dim=128,
             num_experts=128, num_experts_per_tok=8, use_sliding_window=False, sliding_window=None),
        dict(label="Qwen3-30B-A3B", source="QwenLM/Qwen3 technical report Table 2 and HF config.json",
             stated_total_params=30.5e9, stated_active_params=3.3e9),
    ),
    "gpt-oss-120b": (
        dict(num_hidden_layers=36, hidden_size=2880, intermediate_size=2880, vocab_size=201088,
             num_attention_heads=64, num_key_value_heads=8, head_dim=64, attention_bias=True,
             num_local_experts=128, num_experts_per_tok=4, sliding_window=128,
             layer_types=["sliding_attention", "full_attention"] * 18,
             quantization_config={"quant_method": "mxfp4"}),
        dict(label="gpt-oss-120b", source="openai/gpt-oss gpt_oss/torch/model.py and HF config.json",
             stated_total_params=116.8e9, stated_active_params=5.1e9,
             notes="MoE weights in MXFP4 (4.25 bits per parameter with the shared 8-bit scale per 32)"),
    ),
    "mixtral-8x7b": (
        dict(num_hidden_layers=32, hidden_size=4096, intermediate_size=14336, vocab_size=32000,
             num_attention_heads=32, num_key_value_heads=8, num_local_experts=8, num_experts_per_tok=2,
             sliding_window=None),
        dict(label="Mixtral 8x7B", source="mistralai/Mixtral-8x7B-v0.1 config.json; arXiv 2401.04088",
             stated_total_params=46.7e9, stated_active_params=12.9e9),
    ),
}


def _build_model(key: str) -> ModelConfig:
    cfg, meta = _MODELS[key]
    m = from_hf_config(cfg, name=key, source=meta["source"])
    fields = {k: v for k, v in meta.items() if k != "source"}
    if m.linear_weight_bytes == 1.0:
        fields["notes"] = (fields.get("notes", "") + " FP8 weights (e4m3, 128x128 blocks); embedding and head BF16.").strip()
    return replace(m, **fields)


MODELS: dict[str, ModelConfig] = {k: _build_model(k) for k in _MODELS}


# ---- accelerators -----------------------------------------------------------------------

@dataclass(frozen=True)
class Accelerator:
    """One GPU or accelerator. Link bandwidths are per GPU per direction."""

    name: str
    label: str
    hbm_bytes: float
    hbm_bw: float  # bytes/s
    bf16_flops: float
    fp8_flops: float
    fp4_flops: float
    scale_up_bw: float  # bytes/s per direction per GPU (NVLink / Infinity Fabric)
    scale_up_domain: int  # GPUs that share the scale-up fabric
    scale_out_bw: float  # bytes/s per direction per GPU (NIC)
    source: str
    notes: str = ""

    def flops(self, dtype: str) -> float:
        """Peak dense FLOP/s for a matmul element type (falls back to the next wider type)."""
        if dtype == "fp4" and self.fp4_flops:
            return self.fp4_flops
        if dtype in ("fp8", "fp4") and self.fp8_flops:
            return self.fp8_flops
        return self.bf16_flops

    def summary(self) -> dict:
        return {
            "name": self.name, "label": self.label, "hbm_bytes": self.hbm_bytes, "hbm_bw": self.hbm_bw,
            "bf16_flops": self.bf16_flops, "fp8_flops": self.fp8_flops, "fp4_flops": self.fp4_flops,
            "scale_up_bw": self.scale_up_bw, "scale_up_domain": self.scale_up_domain,
            "scale_out_bw": self.scale_out_bw, "source": self.source, "notes": self.notes,
        }


_SRC_NV = "NVIDIA product pages and DGX datasheets, via stas00/ml-engineering compute/accelerator/README.md"
_SRC_AMD = "AMD Instinct product pages, via stas00/ml-engineering compute/accelerator/README.md"


def _gpu(name, label, hbm_gb, bw_tbs, bf16, fp8, fp4, up_bidir_gbs, domain, nic_gbit, source, notes=""):
    return Accelerator(
        name=name, label=label, hbm_bytes=hbm_gb * GB, hbm_bw=bw_tbs * TB,
        bf16_flops=bf16 * TFLOPS, fp8_flops=fp8 * TFLOPS, fp4_flops=fp4 * TFLOPS,
        scale_up_bw=up_bidir_gbs / 2 * GB, scale_up_domain=domain, scale_out_bw=nic_gbit * GBIT,
        source=source, notes=notes,
    )


GPUS: dict[str, Accelerator] = {g.name: g for g in [
    _gpu("h100", "H100 SXM", 80, 3.35, 989, 1979, 0, 900, 8, 400, _SRC_NV),
    _gpu("h800", "H800 SXM", 80, 3.35, 989, 1979, 0, 400, 8, 400,
         _SRC_NV + "; NVLink 400 GB/s from DeepSeek ISCA'25 (arXiv 2505.09343) section 4.1",
         "China-market H100 with NVLink cut to 400 GB/s; DeepSeek measured about 160 GB/s usable"),
    _gpu("h20", "H20", 96, 4.0, 148, 296, 0, 900, 8, 400, _SRC_NV, "least certain of the presets"),
    _gpu("h200", "H200 SXM", 141, 4.8, 989, 1979, 0, 900, 8, 400, _SRC_NV),
    _gpu("b200", "B200", 180, 8.0, 2250, 4500, 9000, 1800, 8, 400,
         _SRC_NV + "; usable HBM from MLPerf system descriptions (mlcommons inference_results)",
         "180 GB usable of 192 GB physical"),
    _gpu("b300", "B300", 288, 8.0, 2250, 4500, 15000, 1800, 8, 800, _SRC_NV,
         "some sources give 7.7 TB/s; FP4 figures disagree (12,600-15,000 TFLOPS)"),
    _gpu("gb200", "GB200 NVL72 (per GPU)", 186, 8.0, 2500, 5000, 10000, 1800, 72, 400,
         _SRC_NV + "; capacity from MLPerf system descriptions (mlcommons inference_results)"),
    _gpu("gb300", "GB300 NVL72 (per GPU)", 279, 8.0, 2500, 5000, 15000, 1800, 72, 800, _SRC_NV,
         "279 GB usable of 288 GB nominal (least certain)"),
    _gpu("mi300x", "MI300X", 192, 5.3, 1307, 2615, 0, 896, 8, 400, _SRC_AMD),
    _gpu("mi325x", "MI325X", 256, 6.0, 1307, 2615, 0, 896, 8, 400, _SRC_AMD),
    _gpu("mi355x", "MI355X", 288, 8.0, 2500, 5000, 10100, 1071, 8, 400, _SRC_AMD),
]}
