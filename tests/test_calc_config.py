"""Your own model (issue 2 item 3): Hugging Face style ``config.json`` files in the
DeepSeek (MLA) and Llama/Qwen/Mixtral (GQA, with and without MoE) styles load through
``calc.from_hf_config`` (a dict) and ``python -m calc --config PATH`` (a file).

The config dicts below are written out as the models publish them on Hugging Face, extra
fields included, so unrelated keys must be ignored.
"""

from __future__ import annotations

import json

import pytest

from _calc_util import cli_json, rounds_to

import calc
from calc import MODELS, ConfigError, evaluate, from_hf_config, load_config_file
from calc.kv import kv_size

#: deepseek-ai/DeepSeek-V3 config.json on Hugging Face (facts.md section 1 [P]).
DEEPSEEK_V3_HF = {
    "architectures": ["DeepseekV3ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
    "aux_loss_alpha": 0.001, "bos_token_id": 0, "eos_token_id": 1, "ep_size": 1,
    "first_k_dense_replace": 3, "hidden_act": "silu", "hidden_size": 7168, "initializer_range": 0.02,
    "intermediate_size": 18432, "kv_lora_rank": 512, "max_position_embeddings": 163840,
    "model_type": "deepseek_v3", "moe_intermediate_size": 2048, "moe_layer_freq": 1, "n_group": 8,
    "n_routed_experts": 256, "n_shared_experts": 1, "norm_topk_prob": True, "num_attention_heads": 128,
    "num_experts_per_tok": 8, "num_hidden_layers": 61, "num_key_value_heads": 128,
    "num_nextn_predict_layers": 1, "q_lora_rank": 1536, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64,
    "quantization_config": {"activation_scheme": "dynamic", "fmt": "e4m3", "quant_method": "fp8",
                            "weight_block_size": [128, 128]},
    "rms_norm_eps": 1e-06,
    "rope_scaling": {"beta_fast": 32, "beta_slow": 1, "factor": 40, "mscale": 1.0, "mscale_all_dim": 1.0,
                     "original_max_position_embeddings": 4096, "type": "yarn"},
    "rope_theta": 10000, "routed_scaling_factor": 2.5, "scoring_func": "sigmoid", "tie_word_embeddings": False,
    "topk_group": 4, "topk_method": "noaux_tc", "torch_dtype": "bfloat16", "transformers_version": "4.33.1",
    "use_cache": True, "v_head_dim": 128, "vocab_size": 129280,
}

#: meta-llama/Llama-3.1-8B config.json (no head_dim key: derived as hidden / heads = 128).
LLAMA_31_8B_HF = {
    "architectures": ["LlamaForCausalLM"], "attention_bias": False, "bos_token_id": 128000,
    "eos_token_id": 128001, "hidden_act": "silu", "hidden_size": 4096, "intermediate_size": 14336,
    "max_position_embeddings": 131072, "mlp_bias": False, "model_type": "llama", "num_attention_heads": 32,
    "num_hidden_layers": 32, "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
    "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                     "original_max_position_embeddings": 8192, "rope_type": "llama3"},
    "rope_theta": 500000.0, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "vocab_size": 128256,
}

#: Qwen/Qwen3-30B-A3B config.json (MoE via num_experts, head_dim 128 != 2048 / 32).
QWEN3_30B_A3B_HF = {
    "architectures": ["Qwen3MoeForCausalLM"], "attention_bias": False, "decoder_sparse_step": 1,
    "head_dim": 128, "hidden_act": "silu", "hidden_size": 2048, "intermediate_size": 6144,
    "max_position_embeddings": 40960, "max_window_layers": 48, "mlp_only_layers": [],
    "model_type": "qwen3_moe", "moe_intermediate_size": 768, "norm_topk_prob": True,
    "num_attention_heads": 32, "num_experts": 128, "num_experts_per_tok": 8, "num_hidden_layers": 48,
    "num_key_value_heads": 4, "output_router_logits": False, "rms_norm_eps": 1e-06, "rope_scaling": None,
    "rope_theta": 1000000.0, "router_aux_loss_coef": 0.001, "sliding_window": None,
    "tie_word_embeddings": False, "torch_dtype": "bfloat16", "use_cache": True, "use_sliding_window": False,
    "vocab_size": 151936,
}

#: mistralai/Mixtral-8x7B-v0.1 config.json (MoE via num_local_experts, no moe_intermediate_size).
MIXTRAL_HF = {
    "architectures": ["MixtralForCausalLM"], "hidden_act": "silu", "hidden_size": 4096,
    "intermediate_size": 14336, "max_position_embeddings": 32768, "model_type": "mixtral",
    "num_attention_heads": 32, "num_experts_per_tok": 2, "num_hidden_layers": 32, "num_key_value_heads": 8,
    "num_local_experts": 8, "output_router_logits": False, "rms_norm_eps": 1e-05, "rope_theta": 1e6,
    "router_aux_loss_coef": 0.02, "sliding_window": None, "tie_word_embeddings": False,
    "torch_dtype": "bfloat16", "vocab_size": 32000,
}

#: mistralai/Mistral-7B-v0.1 config.json: dense, every layer a 4,096-token sliding window.
MISTRAL_7B_HF = {
    "architectures": ["MistralForCausalLM"], "hidden_act": "silu", "hidden_size": 4096,
    "intermediate_size": 14336, "max_position_embeddings": 32768, "model_type": "mistral",
    "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05,
    "rope_theta": 10000.0, "sliding_window": 4096, "tie_word_embeddings": False, "vocab_size": 32000,
}


def _same_model(a, b):
    assert a.param_breakdown() == b.param_breakdown()
    assert a.total_params == b.total_params
    assert a.active_params == b.active_params
    assert a.weight_bytes() == b.weight_bytes()
    assert a.mtp_params == b.mtp_params
    assert kv_size(a).bytes_per_token == kv_size(b).bytes_per_token
    assert kv_size(a).bytes_per_user(5000) == kv_size(b).bytes_per_user(5000)


def test_deepseek_v3_hf_dict_equals_preset_facts_section1():
    """facts.md section 1: DeepSeek-V3's own config.json ([P] deepseek-ai/DeepSeek-V3) loaded
    as a dict gives the preset's KV bytes (70,272/token) and parameter counts (671.03 B)."""
    m = from_hf_config(DEEPSEEK_V3_HF)
    assert m.is_mla and m.is_moe
    _same_model(m, MODELS["deepseek-v3"])
    assert kv_size(m).bytes_per_token == 70_272
    assert rounds_to(m.total_params, "671.03", 1e9)


def test_deepseek_v3_hf_dict_through_evaluate_facts_section5():
    """A config dict as ``params['model']``: 9,534 tok/s/GPU on H800 at 5,000 tokens, the same
    as the preset (facts.md section 5)."""
    a = evaluate("sol", {"model": DEEPSEEK_V3_HF, "gpu": "h800", "seq_len": 5000})
    b = evaluate("sol", {"model": "deepseek-v3", "gpu": "h800", "seq_len": 5000})
    assert a == b
    assert rounds_to(a["tokens_per_s_per_gpu"], "9,534")
    ca = evaluate("capacity", {"model": DEEPSEEK_V3_HF, "gpu": "h200", "ep": 8})
    cb = evaluate("capacity", {"model": "deepseek-v3", "gpu": "h200", "ep": 8})
    assert ca == cb


def test_deepseek_v3_config_file_via_cli_facts_section5(tmp_path):
    """``--config PATH`` with DeepSeek-V3's config.json gives the preset's figures."""
    p = tmp_path / "config.json"
    p.write_text(json.dumps(DEEPSEEK_V3_HF, indent=2))
    kv = cli_json("kv", "--config", str(p), "--seq-len", "5000")
    assert kv["kv_bytes_per_token"] == 70_272
    assert kv["kv_bytes_per_user"] == 351_360_000
    sol = cli_json("sol", "--config", str(p), "--gpu", "h800", "--seq-len", "5000")
    assert rounds_to(sol["tokens_per_s_per_gpu"], "9534.38")
    cap_file = cli_json("capacity", "--config", str(p), "--gpu", "h200", "--ep", "8")
    cap_preset = cli_json("capacity", "--model", "deepseek-v3", "--gpu", "h200", "--ep", "8")
    assert cap_file == cap_preset


def test_config_replaces_model_flag(tmp_path):
    """--config wins over --model."""
    p = tmp_path / "llama.json"
    p.write_text(json.dumps(LLAMA_31_8B_HF))
    out = cli_json("kv", "--config", str(p), "--model", "deepseek-v3")
    assert out["kv_bytes_per_token"] == 131_072


@pytest.mark.parametrize("cfg,preset,kv_bytes,label", [
    (LLAMA_31_8B_HF, "llama-3.1-8b", 131_072, "dense GQA, head_dim derived"),
    (QWEN3_30B_A3B_HF, "qwen3-30b-a3b", 98_304, "MoE via num_experts, explicit head_dim"),
    (MIXTRAL_HF, "mixtral-8x7b", 131_072, "MoE via num_local_experts"),
])
def test_gqa_hf_configs_match_presets_facts_section1(cfg, preset, kv_bytes, label):
    """facts.md section 1 KV table and the models' own configs ([P] meta-llama/llama-models,
    QwenLM/Qwen3 HF config, mistralai config): Llama/Qwen/Mixtral-style configs, with and
    without MoE fields, load and agree with the presets."""
    m = from_hf_config(cfg)
    assert m.attention == "gqa"
    assert m.is_moe == (preset != "llama-3.1-8b")
    assert kv_size(m).bytes_per_token == kv_bytes
    p = MODELS[preset]
    assert m.total_params == p.total_params
    assert m.active_params == p.active_params
    assert m.total_params == pytest.approx(p.stated_total_params, rel=0.01)


def test_mixtral_moe_width_falls_back_to_intermediate_size():
    m = from_hf_config(MIXTRAL_HF)
    assert (m.n_routed_experts, m.num_experts_per_tok, m.moe_intermediate_size) == (8, 2, 14336)
    assert m.n_moe_layers == 32 and m.n_dense_layers == 0


@pytest.mark.parametrize("cfg", [LLAMA_31_8B_HF, QWEN3_30B_A3B_HF, MIXTRAL_HF, MISTRAL_7B_HF],
                         ids=["llama", "qwen3-moe", "mixtral", "mistral"])
def test_gqa_config_file_via_cli(tmp_path, cfg):
    p = tmp_path / "config.json"
    p.write_text(json.dumps(cfg))
    m = load_config_file(p)
    assert m.name == "custom" and m.source == str(p)
    for calc_name in ("kv", "sol", "capacity"):
        out = cli_json(calc_name, "--config", str(p))
        assert out == json.loads(json.dumps(evaluate(calc_name, {"model": cfg})))


def test_file_name_becomes_model_name(tmp_path):
    p = tmp_path / "my-model.json"
    p.write_text(json.dumps(LLAMA_31_8B_HF))
    assert load_config_file(p).name == "my-model"


@pytest.mark.parametrize("seq_len", [1, 100, 4095, 4096, 4097, 32768])
def test_mistral_all_layers_windowed(seq_len):
    """facts.md section 1: sliding-window layers hold at most ``window`` tokens per sequence
    (Mistral-7B: every layer, window 4,096; 2 x 8 x 128 x 2 B x 32 = 131,072 B per token)."""
    m = from_hf_config(MISTRAL_7B_HF)
    kv = kv_size(m)
    assert (kv.full_layers, kv.window_layers, kv.window) == (0, 32, 4096)
    assert kv.bytes_per_user(seq_len) == 131_072 * min(seq_len, 4096)


def test_qwen_use_sliding_window_false_is_not_windowed():
    """Qwen configs carry sliding_window with use_sliding_window false: no window."""
    cfg = dict(QWEN3_30B_A3B_HF, sliding_window=4096, use_sliding_window=False)
    assert kv_size(from_hf_config(cfg)).window_layers == 0


def test_mla_without_q_lora_deepseek_v2_lite_facts_section1():
    """facts.md section 1: DeepSeek-V2-Lite (q_lora_rank 0: a plain query projection;
    [P] config_16B.json) gives 31,104 B per token and 15.7 B parameters."""
    cfg = {"num_hidden_layers": 27, "hidden_size": 2048, "intermediate_size": 10944,
           "moe_intermediate_size": 1408, "vocab_size": 102400, "num_attention_heads": 16, "q_lora_rank": None,
           "kv_lora_rank": 512, "qk_rope_head_dim": 64, "qk_nope_head_dim": 128, "v_head_dim": 128,
           "n_routed_experts": 64, "n_shared_experts": 2, "num_experts_per_tok": 6, "first_k_dense_replace": 1}
    m = from_hf_config(cfg)
    assert kv_size(m).bytes_per_token == 31_104
    _same_model(m, MODELS["deepseek-v2-lite"])


def test_config_errors_are_value_errors_naming_fields():
    """Issue 2 item 3: errors are ValueError subclasses naming the missing or bad fields."""
    with pytest.raises(ConfigError, match="num_hidden_layers.*vocab_size"):
        from_hf_config({"hidden_size": 1, "num_attention_heads": 1})
    with pytest.raises(ValueError, match="num_key_value_heads"):
        from_hf_config(dict(LLAMA_31_8B_HF, num_key_value_heads=5))
    with pytest.raises(ConfigError, match="num_experts_per_tok"):
        from_hf_config(dict(MIXTRAL_HF, num_experts_per_tok=9))
    with pytest.raises(ConfigError, match="v_head_dim"):
        from_hf_config({k: v for k, v in DEEPSEEK_V3_HF.items() if k != "v_head_dim"})
    with pytest.raises(ConfigError, match="JSON object"):
        from_hf_config([1, 2])  # type: ignore[arg-type]
    # and through evaluate, too
    with pytest.raises(calc.CalcError, match="num_key_value_heads"):
        evaluate("kv", {"model": dict(LLAMA_31_8B_HF, num_key_value_heads=3)})


def test_load_config_file_errors(tmp_path):
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config_file(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_config_file(bad)
