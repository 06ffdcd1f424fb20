"""Model and accelerator presets, each with its source.

Model presets are written as the fields of each model's own Hugging Face
``config.json`` and go through the same loader as a user's file
(:func:`calc.model.from_hf_config`), so the loader is exercised by every preset.
Accelerator figures are per GPU. HBM capacity is the usable byte count that ``nvidia-smi`` /
``rocm-smi`` print (spec sheets' "80 GB" is GiB-scale, see :class:`Accelerator`); bandwidth
is decimal (TB/s = 10**12 B/s) and FLOPS are dense (no sparsity), as on the spec sheets.
Each preset names its primary source: the model's own configuration file or report, the
vendor's spec sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .model import ModelConfig, from_hf_config
from .units import GB, GBIT, GiB, MiB, TB, TFLOPS

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

#: How each source counts "activated parameters" (shown beside the stated figure).
_CONV_DS = "embedding out, output head in (DeepSeek's count)"
_CONV_CARD = "embedding and output head counted (model card)"
_CONV_OUT = "embedding out (matches the card)"
_CONV_UNSTATED = "convention not stated"

_MODELS: dict[str, tuple[dict, dict]] = {
    "deepseek-v3": (_DS_V3, dict(label="DeepSeek-V3", source=_DS_V3_SRC,
                                 stated_total_params=671e9, stated_active_params=37e9, active_convention=_CONV_DS)),
    "deepseek-r1": (_DS_V3, dict(label="DeepSeek-R1", source="deepseek-ai/DeepSeek-R1 config.json (same architecture as V3)",
                                 stated_total_params=671e9, stated_active_params=37e9, active_convention=_CONV_DS)),
    "deepseek-v3.2": (
        dict(_DS_V3, index_n_heads=64, index_head_dim=128, index_topk=2048),
        dict(label="DeepSeek-V3.2", source="deepseek-ai/DeepSeek-V3.2-Exp inference/config_671B_v3.2.json",
             stated_total_params=671e9, stated_active_params=37e9, active_convention=_CONV_DS,
             notes="DSA indexer: each layer also caches a 128-dim FP8 indexer key plus a 4 B scale per token"),
    ),
    "deepseek-v2": (
        dict(num_hidden_layers=60, hidden_size=5120, intermediate_size=12288, moe_intermediate_size=1536,
             vocab_size=102400, num_attention_heads=128, q_lora_rank=1536, kv_lora_rank=512,
             qk_rope_head_dim=64, qk_nope_head_dim=128, v_head_dim=128, n_routed_experts=160,
             n_shared_experts=2, num_experts_per_tok=6, first_k_dense_replace=1, n_group=8, topk_group=3),
        dict(label="DeepSeek-V2", source="deepseek-ai/DeepSeek-V2 config.json (config_236B.json)",
             stated_total_params=236e9, stated_active_params=21e9, active_convention=_CONV_DS),
    ),
    "deepseek-v2-lite": (
        dict(num_hidden_layers=27, hidden_size=2048, intermediate_size=10944, moe_intermediate_size=1408,
             vocab_size=102400, num_attention_heads=16, q_lora_rank=0, kv_lora_rank=512,
             qk_rope_head_dim=64, qk_nope_head_dim=128, v_head_dim=128, n_routed_experts=64,
             n_shared_experts=2, num_experts_per_tok=6, first_k_dense_replace=1, n_group=1, topk_group=1),
        dict(label="DeepSeek-V2-Lite", source="deepseek-ai/DeepSeek-V2-Lite config.json (config_16B.json)",
             stated_total_params=15.7e9, stated_active_params=2.4e9, active_convention=_CONV_DS),
    ),
    "kimi-k2": (
        dict(num_hidden_layers=61, hidden_size=7168, intermediate_size=18432, moe_intermediate_size=2048,
             vocab_size=163840, num_attention_heads=64, q_lora_rank=1536, kv_lora_rank=512,
             qk_rope_head_dim=64, qk_nope_head_dim=128, v_head_dim=128, n_routed_experts=384,
             n_shared_experts=1, num_experts_per_tok=8, first_k_dense_replace=1, n_group=1, topk_group=1,
             quantization_config={"quant_method": "fp8", "fmt": "e4m3"}),
        dict(label="Kimi K2", source="MoonshotAI/Kimi-K2 HF config.json; totals from the technical report "
             "(arXiv 2507.20534, architecture table: 1.04 T total, 32.6 B activated; the README rounds to 1T and 32B)",
             stated_total_params=1.04e12, stated_active_params=32.6e9, active_convention=_CONV_UNSTATED),
    ),
    "llama-3.1-8b": (
        dict(num_hidden_layers=32, hidden_size=4096, intermediate_size=14336, vocab_size=128256,
             num_attention_heads=32, num_key_value_heads=8, head_dim=128),
        dict(label="Llama 3.1 8B", source="meta-llama/llama-models models/sku_list.py",
             stated_total_params=8.03e9, stated_active_params=8.03e9, active_convention=_CONV_CARD),
    ),
    "llama-3.1-70b": (
        dict(num_hidden_layers=80, hidden_size=8192, intermediate_size=28672, vocab_size=128256,
             num_attention_heads=64, num_key_value_heads=8, head_dim=128),
        dict(label="Llama 3.1 70B", source="meta-llama/llama-models models/sku_list.py",
             stated_total_params=70.6e9, stated_active_params=70.6e9, active_convention=_CONV_CARD),
    ),
    "llama-3.1-405b": (
        dict(num_hidden_layers=126, hidden_size=16384, intermediate_size=53248, vocab_size=128256,
             num_attention_heads=128, num_key_value_heads=8, head_dim=128),
        dict(label="Llama 3.1 405B", source="meta-llama/llama-models models/sku_list.py",
             stated_total_params=405e9, stated_active_params=405e9, active_convention=_CONV_CARD),
    ),
    "llama-2-70b": (
        dict(num_hidden_layers=80, hidden_size=8192, intermediate_size=28672, vocab_size=32000,
             num_attention_heads=64, num_key_value_heads=8, head_dim=128),
        dict(label="Llama 2 70B", source="meta-llama/Llama-2-70b-hf config.json (the MLPerf Inference model)",
             stated_total_params=70e9, stated_active_params=70e9, active_convention=_CONV_CARD),
    ),
    "qwen3-8b": (
        dict(num_hidden_layers=36, hidden_size=4096, intermediate_size=12288, vocab_size=151936,
             num_attention_heads=32, num_key_value_heads=8, head_dim=128, tie_word_embeddings=False),
        dict(label="Qwen3-8B", source="Qwen/Qwen3-8B HF config.json and model card (8.2 B, 6.95 B non-embedding)",
             stated_total_params=8.2e9, stated_active_params=8.2e9, active_convention=_CONV_CARD),
    ),
    "qwen3-235b-a22b": (
        dict(num_hidden_layers=94, hidden_size=4096, intermediate_size=12288, moe_intermediate_size=1536,
             vocab_size=151936, num_attention_heads=64, num_key_value_heads=4, head_dim=128,
             num_experts=128, num_experts_per_tok=8, use_sliding_window=False, sliding_window=None),
        dict(label="Qwen3-235B-A22B", source="QwenLM/Qwen3 technical report Table 2 and HF config.json",
             stated_total_params=235e9, stated_active_params=22e9, active_convention=_CONV_CARD),
    ),
    "qwen3-30b-a3b": (
        dict(num_hidden_layers=48, hidden_size=2048, intermediate_size=6144, moe_intermediate_size=768,
             vocab_size=151936, num_attention_heads=32, num_key_value_heads=4, head_dim=128,
             num_experts=128, num_experts_per_tok=8, use_sliding_window=False, sliding_window=None),
        dict(label="Qwen3-30B-A3B", source="QwenLM/Qwen3 technical report Table 2 and HF config.json",
             stated_total_params=30.5e9, stated_active_params=3.3e9, active_convention=_CONV_CARD),
    ),
    "gpt-oss-120b": (
        dict(num_hidden_layers=36, hidden_size=2880, intermediate_size=2880, vocab_size=201088,
             num_attention_heads=64, num_key_value_heads=8, head_dim=64, attention_bias=True,
             num_local_experts=128, num_experts_per_tok=4, sliding_window=128,
             layer_types=["sliding_attention", "full_attention"] * 18,
             quantization_config={"quant_method": "mxfp4"}),
        dict(label="gpt-oss-120b", source="openai/gpt-oss gpt_oss/torch/model.py and HF config.json",
             stated_total_params=116.8e9, stated_active_params=5.1e9, active_convention=_CONV_OUT,
             notes="MoE weights in MXFP4 (4.25 bits per parameter with the shared 8-bit scale per 32)"),
    ),
    "mixtral-8x7b": (
        dict(num_hidden_layers=32, hidden_size=4096, intermediate_size=14336, vocab_size=32000,
             num_attention_heads=32, num_key_value_heads=8, num_local_experts=8, num_experts_per_tok=2,
             sliding_window=None),
        dict(label="Mixtral 8x7B", source="mistralai/Mixtral-8x7B-v0.1 config.json; arXiv 2401.04088",
             stated_total_params=46.7e9, stated_active_params=12.9e9, active_convention=_CONV_CARD),
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
    """One GPU or accelerator. Link bandwidths are per GPU per direction.

    ``hbm_bytes`` is the memory a process can address, as ``nvidia-smi`` / ``rocm-smi``
    print it, in bytes. Spec sheets print HBM capacity as "80 GB", "141 GB", "192 GB"; those
    are GiB-scale figures (HBM stacks come in 16/24/36 GiB), and the usable total is a little
    below the GiB figure. ``hbm_spec`` keeps the spec-sheet text and ``hbm_source`` says where
    the byte count comes from and in which unit the source printed it. Bandwidths (TB/s) and
    FLOP/s are decimal, dense (no sparsity), at the boost clock the vendor quotes.

    ``sustained_clock_mhz`` is the clock a GPU holds under a long decode load: published for
    DeepSeek's own H800s, assumed the same for H100 and H200 (same die, same power limit);
    measured on a B200 by FlashInfer's developers, and its ratio assumed for the other
    Blackwell GPUs; unknown (ratio 1) elsewhere. The estimate's compute scales by ``sustained_clock_mhz /
    boost_clock_mhz`` (:meth:`sustained_flops`); the bounds never do (a GPU kept cooler may
    hold its boost clock).
    """

    name: str
    label: str
    hbm_bytes: float  # usable bytes (nvidia-smi / rocm-smi)
    hbm_bw: float  # bytes/s
    bf16_flops: float
    fp8_flops: float
    fp4_flops: float
    scale_up_bw: float  # bytes/s per direction per GPU (NVLink / Infinity Fabric)
    scale_up_domain: int  # GPUs that share the scale-up fabric
    scale_out_bw: float  # bytes/s per direction per GPU (NIC)
    source: str
    notes: str = ""
    hbm_spec: str = ""  # the spec sheet's capacity as printed, with its real unit
    hbm_source: str = ""  # where the usable byte count comes from
    boost_clock_mhz: float = 0.0  # the clock the peak FLOP/s assume
    sustained_clock_mhz: float = 0.0  # held under decode load (the estimate's clock); 0 = unknown
    clock_source: str = ""
    arch: str = ""  # hopper | blackwell | cdna3 | cdna4: which measured kernels carry over

    def flops(self, dtype: str) -> float:
        """Peak dense FLOP/s for a matmul element type (falls back to the next wider type)."""
        if dtype == "fp4" and self.fp4_flops:
            return self.fp4_flops
        if dtype in ("fp8", "fp4") and self.fp8_flops:
            return self.fp8_flops
        return self.bf16_flops

    @property
    def clock_ratio(self) -> float:
        """Sustained over boost clock (1 where no sustained clock is published)."""
        if self.sustained_clock_mhz and self.boost_clock_mhz:
            return self.sustained_clock_mhz / self.boost_clock_mhz
        return 1.0

    def sustained_flops(self, dtype: str) -> float:
        """Peak dense FLOP/s at the sustained clock: H800 at 1,600 of 1,830 MHz gives
        989 x 1,600 / 1,830 = 864.7 BF16 TFLOPS, DeepSeek's "~865" (FlashMLA deep-dive)."""
        return self.flops(dtype) * self.clock_ratio

    def summary(self) -> dict:
        return {
            "name": self.name, "label": self.label, "hbm_bytes": self.hbm_bytes, "hbm_bw": self.hbm_bw,
            "bf16_flops": self.bf16_flops, "fp8_flops": self.fp8_flops, "fp4_flops": self.fp4_flops,
            "scale_up_bw": self.scale_up_bw, "scale_up_domain": self.scale_up_domain,
            "scale_out_bw": self.scale_out_bw, "source": self.source, "notes": self.notes,
            "hbm_spec": self.hbm_spec, "hbm_source": self.hbm_source,
            "boost_clock_mhz": self.boost_clock_mhz, "sustained_clock_mhz": self.sustained_clock_mhz,
            "clock_ratio": self.clock_ratio, "clock_source": self.clock_source, "arch": self.arch,
        }


_SRC_NV = "NVIDIA product pages and DGX datasheets, via stas00/ml-engineering compute/accelerator/README.md"
_SRC_AMD = "AMD Instinct product pages, via stas00/ml-engineering compute/accelerator/README.md"

# Usable HBM as the vendors' own tools print it. nvidia-smi prints MiB (2**20 B).
_SMI_H100 = "nvidia-smi 81,559 MiB (modal-labs/modal-client PR #2797: 'H100: 81559MiB (85.52 GB)')"
_SMI_H800 = "nvidia-smi 81,559 MiB (public nvidia-smi tables of 8 x H800; same 80 GB HBM3 part as H100)"
_SMI_H20 = "nvidia-smi 97,871 MiB (public nvidia-smi tables of H20)"
_SMI_H200 = "nvidia-smi 143,771 MiB (sgl-project/sglang issue #3196)"
_SMI_B200 = "nvidia-smi 183,359 MiB (NVIDIA/TensorRT-LLM issue #10278)"
_SMI_B300 = "nvidia-smi 275,040 MiB (ai-dynamo/aiconfigurator systems/b300_sxm.yaml)"
_SMI_GB200 = "nvidia-smi 189,471 MiB (ai-dynamo/aiconfigurator systems/gb200.yaml)"
_SMI_GB300 = "nvidia-smi 284,208 MiB (ai-dynamo/aiconfigurator systems/gb300.yaml)"
_SMI_MI300X = "rocm-smi 'VRAM Total Memory (B): 206141652992' (public rocm-smi captures of MI300X; 16 MiB under 192 GiB)"
_GIB_ASSUMED = ("no rocm-smi capture found: taken as the GiB figure, like MI300X, whose rocm-smi total is "
                "within 16 MiB of 192 GiB")

# Clocks. The peak FLOP/s of H100/H800/H200 assume 1,830 MHz (989 TFLOPS / 1,830 MHz / 132 SMs =
# 4,096 FLOP per SM per clock, deepseek-ai/FlashMLA docs/20250929-hopper-fp8-sparse-deep-dive.md).
_CLK_H800 = ("deepseek-ai/FlashMLA docs/20250422-new-kernel-deep-dive.md: 'throttling (reducing to ~1600 MHz "
             "in our case), the practical peak FLOPs drops to ~865 TFlops' (H800, decode attention)")
_CLK_B200 = ("flashinfer-ai/flashinfer PR 2899 (2026-03-26, B200): under back-to-back kernels 'SM clocks drop "
             "from 1965 MHz to ~1580 MHz (19% reduction)', at about 1,000 W")
_CLK_BLACKWELL = ("assumed, for the estimate only: nothing is published for this GPU, so the B200's fall under load "
                  "is used (" + _CLK_B200 + "); only the ratio matters, and a higher power limit may hold a higher "
                  "clock; the bounds use the boost clock")
_CLK_GB200 = ("the top clock is published: 'Enforced power limit 1200 W per GPU; max SM clock 2062 MHz (the 2.5 PF/s "
              "spec assumes it)' (marin-community/marin, .agents/logbooks/mfu30-gemm.md, 2026-09-30, GB200 training "
              "logs). The clock under decode load is assumed, for the estimate only: the B200's fall under load in "
              "the same ratio (" + _CLK_B200 + "). The same log gives no decode figure; its training runs held a "
              "median of 1,500-1,950 MHz and its long bf16 matmuls 1,190-1,450 MHz, at the 1,200 W cap; the bounds "
              "use the top clock")
_CLK_GB300 = ("the top clock is published: a GB300's 'default_limit == max_limit == 1400 W' and 'the locked 2070 "
              "MHz clock' (facebookexperimental/triton PR 2023, 2026-07-14, a benchmark script that locks the SM "
              "clock at its maximum). The clock under decode load is assumed, for the estimate only: the B200's "
              "fall under load in the same ratio (" + _CLK_B200 + "); nothing is published for it; the bounds use "
              "the top clock")
_CLK_SAME_DIE = ("assumed, for the estimate only: nothing is published for this GPU, so DeepSeek's H800 figure is "
                 "used (" + _CLK_H800 + ") because it is the same GH100 die at the same 700 W limit; the bounds use "
                 "the boost clock")


def _gpu(name, label, hbm_bytes, bw_tbs, bf16, fp8, fp4, up_bidir_gbs, domain, nic_gbit, source, notes="",
         hbm_spec="", hbm_source="", boost=0.0, sustained=0.0, clock_source="", arch=""):
    return Accelerator(
        name=name, label=label, hbm_bytes=float(hbm_bytes), hbm_bw=bw_tbs * TB,
        bf16_flops=bf16 * TFLOPS, fp8_flops=fp8 * TFLOPS, fp4_flops=fp4 * TFLOPS,
        scale_up_bw=up_bidir_gbs / 2 * GB, scale_up_domain=domain, scale_out_bw=nic_gbit * GBIT,
        source=source, notes=notes, hbm_spec=hbm_spec, hbm_source=hbm_source,
        boost_clock_mhz=boost, sustained_clock_mhz=sustained, clock_source=clock_source,
        arch=arch or _ARCH[name],
    )


_ARCH = {"h100": "hopper", "h800": "hopper", "h20": "hopper", "h200": "hopper", "b200": "blackwell",
         "b300": "blackwell", "gb200": "blackwell", "gb300": "blackwell", "mi300x": "cdna3", "mi325x": "cdna3",
         "mi355x": "cdna4"}


GPUS: dict[str, Accelerator] = {g.name: g for g in [
    _gpu("h100", "H100 SXM", 81_559 * MiB, 3.35, 989, 1979, 0, 900, 8, 400, _SRC_NV,
         hbm_spec="80 GB (GiB-scale)", hbm_source=_SMI_H100, boost=1830, sustained=1600, clock_source=_CLK_SAME_DIE),
    _gpu("h800", "H800 SXM", 81_559 * MiB, 3.35, 989, 1979, 0, 400, 8, 400,
         _SRC_NV + "; NVLink 400 GB/s from DeepSeek ISCA'25 (arXiv 2505.09343) section 4.1",
         "China-market H100 with NVLink cut to 400 GB/s; DeepSeek measured about 160 GB/s usable",
         hbm_spec="80 GB (GiB-scale)", hbm_source=_SMI_H800, boost=1830, sustained=1600, clock_source=_CLK_H800),
    _gpu("h20", "H20", 97_871 * MiB, 4.0, 148, 296, 0, 900, 8, 400, _SRC_NV, "least certain of the presets",
         hbm_spec="96 GB (GiB-scale)", hbm_source=_SMI_H20),
    _gpu("h200", "H200 SXM", 143_771 * MiB, 4.8, 989, 1979, 0, 900, 8, 400, _SRC_NV,
         hbm_spec="141 GB (GiB-scale)", hbm_source=_SMI_H200, boost=1830, sustained=1600, clock_source=_CLK_SAME_DIE),
    _gpu("b200", "B200", 183_359 * MiB, 8.0, 2250, 4500, 9000, 1800, 8, 400, _SRC_NV,
         hbm_spec="180 GB usable of 192 GB physical (GiB-scale)", hbm_source=_SMI_B200, boost=1965, sustained=1580,
         clock_source=_CLK_B200),
    _gpu("b300", "B300 (HGX)", 275_040 * MiB, 8.0, 2250, 4500, 14000, 1800, 8, 800,
         _SRC_NV + "; dense FP4 from ai-dynamo/aiconfigurator systems/b300_sxm.yaml ('18 PFLOPS sparse | 14 PFLOPS dense')",
         "HGX B300 runs at 1,100 W: dense FP4 14 PFLOPS (other sources: 13-13.5), BF16/FP8 as B200; GB300 at "
         "1,400 W reaches 15 PFLOPS FP4; some sources give 7.7 TB/s",
         hbm_spec="288 GB (GiB-scale)", hbm_source=_SMI_B300, boost=1965, sustained=1580, clock_source=_CLK_BLACKWELL),
    _gpu("gb200", "GB200 NVL72 (per GPU)", 189_471 * MiB, 8.0, 2500, 5000, 10000, 1800, 72, 400, _SRC_NV,
         hbm_spec="186 GB (GiB-scale)", hbm_source=_SMI_GB200, boost=2062, sustained=2062 * 1580 / 1965,
         clock_source=_CLK_GB200),
    _gpu("gb300", "GB300 NVL72 (per GPU)", 284_208 * MiB, 8.0, 2500, 5000, 15000, 1800, 72, 800, _SRC_NV,
         hbm_spec="288 GB nominal (GiB-scale)", hbm_source=_SMI_GB300, boost=2070, sustained=2070 * 1580 / 1965,
         clock_source=_CLK_GB300),
    _gpu("mi300x", "MI300X", 206_141_652_992, 5.3, 1307, 2615, 0, 896, 8, 400, _SRC_AMD,
         hbm_spec="192 GB (GiB-scale)", hbm_source=_SMI_MI300X),
    _gpu("mi325x", "MI325X", 256 * GiB, 6.0, 1307, 2615, 0, 896, 8, 400, _SRC_AMD,
         hbm_spec="256 GB (GiB-scale)", hbm_source=_GIB_ASSUMED),
    _gpu("mi355x", "MI355X", 288 * GiB, 8.0, 2500, 5000, 10100, 7 * 153.6, 8, 400, _SRC_AMD,
         "scale-up: 7 AMD fabric (IF) links of 153.6 GB/s each", hbm_spec="288 GB (GiB-scale)", hbm_source=_GIB_ASSUMED),
]}
