"""facts.md section 1 (model architectures): KV-cache bytes per token for every model preset,
DeepSeek-V3's parameter split, every preset's totals against its stated totals, and the
size of DeepSeek-V3's expert weights at FP8.

Each test names the facts.md table it reproduces and the primary source of the figure.
"""

from __future__ import annotations

import pytest

from _calc_util import rounds_to  # noqa: F401  (also puts the repo root on sys.path)

import calc
from calc import MODELS, evaluate
from calc.kv import INDEXER_SCALE_BYTES, kv_size
from calc.units import GB, GiB

# ---- KV bytes per token --------------------------------------------------------------------

#: facts.md section 1, table "KV-cache bytes per token at BF16", with each row's primary source.
KV_BYTES_PER_TOKEN_BF16 = {
    "deepseek-v3": (70_272, "deepseek-ai/DeepSeek-V3 inference/configs/config_671B.json"),
    "deepseek-r1": (70_272, "deepseek-ai/DeepSeek-R1 config.json (V3 architecture)"),
    "kimi-k2": (70_272, "MoonshotAI/Kimi-K2 README + HF config"),
    "deepseek-v2": (69_120, "deepseek-ai/DeepSeek-V3 repo config_236B.json"),
    "deepseek-v2-lite": (31_104, "config_16B.json"),
    "deepseek-v3.2": (78_324, "deepseek-ai/DeepSeek-V3.2-Exp inference/config_671B_v3.2.json"),
    "llama-3.1-8b": (131_072, "meta-llama/llama-models models/sku_list.py"),
    "llama-3.1-70b": (327_680, "meta-llama/llama-models models/sku_list.py"),
    "llama-3.1-405b": (516_096, "meta-llama/llama-models models/sku_list.py"),
    "llama-2-70b": (327_680, "meta-llama/Llama-2-70b-hf config.json (80 layers, 8 KV heads of 128)"),
    "qwen3-8b": (147_456, "Qwen/Qwen3-8B config.json (36 layers, 8 KV heads of 128)"),
    "qwen3-235b-a22b": (192_512, "QwenLM/Qwen3 tech report Table 2 + HF config"),
    "qwen3-30b-a3b": (98_304, "QwenLM/Qwen3 tech report Table 2 + HF config"),
    "mixtral-8x7b": (131_072, "mistralai config / arXiv 2401.04088"),
    "gpt-oss-120b": (36_864, "openai/gpt-oss gpt_oss/torch/model.py (18 full-attention layers)"),
}


def test_kv_table_covers_every_model_preset():
    """facts.md section 1: the KV table has a row for every model preset calc ships."""
    assert set(KV_BYTES_PER_TOKEN_BF16) == set(MODELS)


@pytest.mark.parametrize("model", sorted(KV_BYTES_PER_TOKEN_BF16))
def test_kv_bytes_per_token_bf16_facts_section1(model):
    """facts.md section 1 "KV-cache bytes per token at BF16"; primary source per row in
    KV_BYTES_PER_TOKEN_BF16 (each model's own config)."""
    expected, _source = KV_BYTES_PER_TOKEN_BF16[model]
    assert kv_size(MODELS[model], "bf16").bytes_per_token == expected
    out = evaluate("kv", {"model": model, "seq_len": 1000, "kv_dtype": "bf16"})
    assert out["kv_bytes_per_token"] == expected
    if model != "gpt-oss-120b":  # no windowed layers: per user = per token x length
        assert out["kv_bytes_per_user"] == expected * 1000


def test_mla_kv_has_no_k_and_v_factor_facts_section1():
    """facts.md section 1 (MLA formula): (kv_lora_rank + qk_rope_head_dim) x 2 B x layers,
    one latent shared by all heads, no separate K and V (LMCache PR #694, reverted in #715).
    Primary source: deepseek-ai/DeepSeek-V3 config_671B.json: 1,152 B per layer x 61."""
    m = MODELS["deepseek-v3"]
    kv = kv_size(m, "bf16")
    assert kv.elements_per_token_per_layer == 512 + 64
    assert kv.bytes_per_token_per_layer == 1_152
    assert kv.bytes_per_token == 1_152 * 61
    assert kv.bytes_per_token != 2 * 1_152 * 61  # the LMCache #694 mistake


def test_gqa_head_dim_comes_from_config_facts_section1():
    """facts.md section 1 (GQA formula): head_dim from the config, not hidden/heads
    (LMCache #688). Qwen3-30B-A3B (QwenLM/Qwen3 HF config): hidden 2048 / 32 heads = 64,
    but head_dim is 128, so 2 x 4 x 128 x 2 B x 48 = 98,304 (64 would give 49,152)."""
    m = MODELS["qwen3-30b-a3b"]
    assert m.hidden_size // m.num_attention_heads == 64
    assert m.head_dim == 128
    assert kv_size(m).bytes_per_token == 98_304


def test_deepseek_v32_indexer_bytes_facts_section1():
    """facts.md section 1: DeepSeek-V3.2 caches 576 bf16 elements + an FP8 indexer key of
    128 B + a 4 B scale per layer = 1,284 B per layer, 78,324 B per token
    ([P] deepseek-ai/DeepSeek-V3.2-Exp inference/config_671B_v3.2.json)."""
    kv = kv_size(MODELS["deepseek-v3.2"], "bf16")
    assert INDEXER_SCALE_BYTES == 4
    assert kv.bytes_per_token_per_layer == 576 * 2 + 128 + 4 == 1_284
    assert kv.bytes_per_token == 1_284 * 61 == 78_324


@pytest.mark.parametrize("seq_len", [1, 64, 127, 128, 129, 1000, 5000, 131_072])
def test_gpt_oss_sliding_window_kv_facts_section1(seq_len):
    """facts.md section 1: gpt-oss-120b holds 36,864 B per token in its 18 full-attention
    layers plus 36,864 x min(L, 128) B per sequence for the 18 sliding-window layers
    ([P] openai/gpt-oss gpt_oss/torch/model.py: window 128, 8 KV heads x 64)."""
    m = MODELS["gpt-oss-120b"]
    kv = kv_size(m, "bf16")
    assert (kv.full_layers, kv.window_layers, kv.window) == (18, 18, 128)
    assert kv.bytes_per_user(seq_len) == 36_864 * seq_len + 36_864 * min(seq_len, 128)
    out = evaluate("kv", {"model": "gpt-oss-120b", "seq_len": seq_len})
    assert out["kv_bytes_per_user"] == 36_864 * seq_len + 36_864 * min(seq_len, 128)


# ---- DeepSeek-V3 parameter split --------------------------------------------------------------

#: facts.md section 1, "DeepSeek-V3 parameter split [C from the config shapes]" (shapes from
#: [P] deepseek-ai/DeepSeek-V3 inference/configs/config_671B.json and inference/model.py).
#: (part, printed figure, scale of the printed unit)
DSV3_SPLIT = [
    ("embedding", "0.927", 1e9),
    ("output_head", "0.927", 1e9),
    ("attention", "11.41", 1e9),
    ("dense_ffn", "1.19", 1e9),
    ("routed_experts", "653.91", 1e9),
    ("shared_experts", "2.55", 1e9),
    ("router", "0.106", 1e9),
]


@pytest.mark.parametrize("part,printed,scale", DSV3_SPLIT)
def test_deepseek_v3_param_split_facts_section1(part, printed, scale):
    """facts.md section 1 "DeepSeek-V3 parameter split" ([C] from deepseek-ai/DeepSeek-V3
    config_671B.json shapes): each part rounds to the printed figure."""
    b = MODELS["deepseek-v3"].param_breakdown()
    assert rounds_to(b[part], printed, scale), (part, b[part])


def test_deepseek_v3_attention_per_layer_and_expert_facts_section1():
    """facts.md section 1: MLA attention 187.1 M per layer, one expert (3 x 7168 x 2048)
    44.04 M, routed = 58 x 256 experts ([P] deepseek-ai/DeepSeek-V3 config_671B.json)."""
    m = MODELS["deepseek-v3"]
    assert rounds_to(m.attention_params_per_layer, "187.1", 1e6)
    assert m.expert_params == 3 * 7168 * 2048 == 44_040_192
    assert rounds_to(m.expert_params, "44.04", 1e6)
    assert (m.n_moe_layers, m.n_dense_layers) == (58, 3)
    assert m.param_breakdown()["routed_experts"] == 58 * 256 * 44_040_192
    assert m.param_breakdown()["shared_experts"] == 58 * 1 * 44_040_192
    assert m.param_breakdown()["router"] == 58 * 7168 * 256


def test_deepseek_v3_totals_facts_section1():
    """facts.md section 1: total 671.03 B (stated 671 B), activated 36.6 B (stated 37 B; 8
    routed + 1 shared, head in, embedding out), MTP module 11.6 B (stated 11.5 B).
    [C] from deepseek-ai/DeepSeek-V3 config_671B.json; stated figures from the V3 report."""
    m = MODELS["deepseek-v3"]
    assert rounds_to(m.total_params, "671.03", 1e9)
    assert rounds_to(m.active_params, "36.6", 1e9)
    assert rounds_to(m.mtp_params, "11.6", 1e9)
    # and via evaluate("presets"), what the site and CLI show
    s = evaluate("presets")["models"]["deepseek-v3"]
    assert s["total_params"] == m.total_params
    assert s["active_params"] == m.active_params
    assert (s["stated_total_params"], s["stated_active_params"]) == (671e9, 37e9)


def test_deepseek_r1_is_the_v3_architecture_facts_section1():
    """facts.md section 1: DeepSeek-V3 / R1 share one row ([P] deepseek-ai/DeepSeek-R1
    config.json)."""
    v3, r1 = MODELS["deepseek-v3"], MODELS["deepseek-r1"]
    assert r1.param_breakdown() == v3.param_breakdown()
    assert kv_size(r1).bytes_per_token == kv_size(v3).bytes_per_token


# ---- every preset against its stated totals ----------------------------------------------------

#: Stated (published) totals per preset, and the relative tolerance allowed. Totals are
#: computed from config shapes (layer norms and biases included, quantisation scales not);
#: stated totals are rounded to 3 significant figures, so 1% covers rounding and small
#: omissions. Kimi K2's "1T" is one significant figure (the shapes give 1.026 T): 3%.
#: Activated counts are stated to 2 significant figures and use two conventions (embedding
#: in: Llama/Qwen/Mixtral cards; embedding out, head in: DeepSeek), so either convention
#: may match, within 3%. Kimi K2: the technical report's 1.04 T / 32.6 B (arXiv 2507.20534),
#: not the README's rounded "1T"; the shapes give 1.026 T (1.3% lower).
STATED = {
    # model: (total, active, total_rel_tol, source)
    "deepseek-v3": (671e9, 37e9, 0.01, "DeepSeek-V3 technical report / config_671B.json"),
    "deepseek-r1": (671e9, 37e9, 0.01, "DeepSeek-R1 model card"),
    "deepseek-v3.2": (671e9, 37e9, 0.01, "DeepSeek-V3.2-Exp model card"),
    "deepseek-v2": (236e9, 21e9, 0.01, "DeepSeek-V2 paper / config_236B.json"),
    "deepseek-v2-lite": (15.7e9, 2.4e9, 0.01, "DeepSeek-V2-Lite model card / config_16B.json"),
    "kimi-k2": (1.04e12, 32.6e9, 0.015, "Kimi K2 technical report, arXiv 2507.20534"),
    "llama-3.1-8b": (8.03e9, 8.03e9, 0.01, "meta-llama/llama-models sku_list.py"),
    "llama-3.1-70b": (70.6e9, 70.6e9, 0.01, "meta-llama/llama-models sku_list.py"),
    "llama-3.1-405b": (405e9, 405e9, 0.01, "meta-llama/llama-models sku_list.py"),
    "llama-2-70b": (70e9, 70e9, 0.015, "meta-llama/Llama-2-70b-hf model card (70B, rounded)"),
    "qwen3-8b": (8.2e9, 8.2e9, 0.01, "Qwen/Qwen3-8B model card"),
    "qwen3-235b-a22b": (235e9, 22e9, 0.01, "QwenLM/Qwen3 tech report Table 2"),
    "qwen3-30b-a3b": (30.5e9, 3.3e9, 0.01, "QwenLM/Qwen3 tech report Table 2"),
    "gpt-oss-120b": (116.8e9, 5.1e9, 0.01, "openai/gpt-oss model card"),
    "mixtral-8x7b": (46.7e9, 12.9e9, 0.01, "arXiv 2401.04088"),
}
ACTIVE_REL_TOL = 0.03


def test_stated_table_covers_every_model_preset():
    assert set(STATED) == set(MODELS)


@pytest.mark.parametrize("model", sorted(STATED))
def test_preset_totals_match_stated_facts_section1(model):
    """facts.md section 1 (sources per row of the architecture table) and the issue's
    "tests hold them against the stated totals": derived total parameters within the
    stated tolerance of the published total; activated under either convention within 3%."""
    total, active, tol, _src = STATED[model]
    m = MODELS[model]
    assert m.stated_total_params == total
    assert m.stated_active_params == active
    assert m.total_params == pytest.approx(total, rel=tol)
    err = min(abs(m.active_params - active), abs(m.active_params_incl_embedding - active)) / active
    assert err <= ACTIVE_REL_TOL, (m.active_params, m.active_params_incl_embedding, active)
    # the breakdown adds up, and active never exceeds total
    assert sum(m.param_breakdown().values()) == m.total_params
    assert 0 < m.active_params <= m.active_params_incl_embedding <= m.total_params


def test_active_parameter_convention_beside_the_figure_model_cards():
    """Issue 7 item 6: model cards count the embedding (and head) in "activated" parameters:
    Llama-3.1-8B's 8.03 B (meta-llama/llama-models sku_list.py) and Qwen3-30B-A3B's 3.3 B
    (Qwen3 tech report Table 2) match the count with the embedding, not DeepSeek's count
    without it; every preset states its convention."""
    llama, qwen, v3 = MODELS["llama-3.1-8b"], MODELS["qwen3-30b-a3b"], MODELS["deepseek-v3"]
    assert rounds_to(llama.active_params_incl_embedding, "8.03", 1e9)
    assert not rounds_to(llama.active_params, "8.03", 1e9)
    assert rounds_to(qwen.active_params_incl_embedding, "3.4", 1e9) and rounds_to(qwen.active_params, "3.0", 1e9)
    assert "model card" in llama.active_convention and "model card" in qwen.active_convention
    assert "DeepSeek" in v3.active_convention
    for m in MODELS.values():
        assert m.active_convention, m.name
        assert m.summary()["active_convention"] == m.active_convention


@pytest.mark.parametrize("model", sorted(MODELS))
def test_preset_has_source_and_label(model):
    """facts.md preamble: every preset in calc carries its source."""
    m = MODELS[model]
    assert m.source.strip() and m.label.strip()
    assert m.name == model


# ---- expert weights at FP8 --------------------------------------------------------------------

def test_deepseek_v3_expert_weights_fp8_facts_section1():
    """facts.md section 1 (and section 5): routed + shared experts at FP8 = 656.46 GB =
    611.4 GiB ([C] from deepseek-ai/DeepSeek-V3 config_671B.json; FP8 e4m3 weights,
    embedding and head BF16)."""
    m = MODELS["deepseek-v3"]
    assert (m.expert_weight_bytes, m.linear_weight_bytes, m.embedding_weight_bytes) == (1.0, 1.0, 2.0)
    wb = m.weight_bytes()
    experts = wb["routed_experts"] + wb["shared_experts"]
    assert experts == 58 * 257 * 44_040_192
    assert rounds_to(experts, "656.46", GB)
    assert rounds_to(experts, "611.4", GiB)


def test_deepseek_v3_resident_weights_ep144_facts_section1():
    """facts.md section 1: per-GPU weights in DeepSeek's decode layout (EP144 with 32
    redundant experts: 2 routed + 1 shared per GPU, attention replicated) are about 24 GB:
    7.7 GB experts + 12.7 GB attention/dense/gates + 3.7 GB embedding/head
    ([P] deepseek-ai/open-infra-index Day-6 overview for the layout)."""
    out = evaluate("capacity", {"model": "deepseek-v3", "gpu": "h800", "ep": 144, "tp": 1,
                                "redundant_experts": 32})
    assert out["routed_experts_per_gpu"] == 2
    wb = MODELS["deepseek-v3"].weight_bytes()
    experts = out["expert_weight_bytes_per_gpu"] + wb["shared_experts"]
    assert rounds_to(experts, "7.7", GB)
    assert rounds_to(wb["attention"] + wb["dense_ffn"] + wb["router"], "12.7", GB)
    assert rounds_to(wb["embedding"] + wb["output_head"], "3.7", GB)
    assert rounds_to(out["weight_bytes_per_gpu"], "24", GB)


@pytest.mark.parametrize("ep,routed_per_gpu", [(144, 2), (32, 9)])
def test_deepseek_expert_layout_with_32_redundant_facts_section3(ep, routed_per_gpu):
    """facts.md section 3 ([P] Day-6 overview): 256 routed + 32 redundant experts; decode
    EP144 holds 2 routed (+ 1 shared) per GPU, prefill EP32 holds 9 routed (+ 1 shared)."""
    out = evaluate("capacity", {"model": "deepseek-v3", "ep": ep, "redundant_experts": 32})
    assert out["routed_experts_per_gpu"] == routed_per_gpu
    assert out["expert_weight_bytes_per_gpu"] == 58 * routed_per_gpu * 44_040_192 * 1.0
    without = evaluate("capacity", {"model": "deepseek-v3", "ep": 32, "redundant_experts": 0})
    assert without["routed_experts_per_gpu"] == 8


def test_public_api_exports():
    """The names the other front ends import exist."""
    for name in ("evaluate", "from_hf_config", "load_config_file", "PARAMS", "CALCULATIONS", "OUTPUTS",
                 "MODELS", "GPUS", "ParamError", "ConfigError", "CalcError"):
        assert hasattr(calc, name), name
    assert issubclass(calc.ParamError, ValueError) and issubclass(calc.ConfigError, ValueError)
