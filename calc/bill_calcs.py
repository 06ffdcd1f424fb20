"""Calculations and outputs of prefill, time to first token, the context cache, the whole bill,
the price check, DeepSeek's day rebuilt and the prefill validation (issue 10).

Registered into :data:`calc.api.CALCULATIONS` and :data:`calc.api.OUTPUTS` when
:mod:`calc.api` imports this module (its last line), so the command line, the site and the
tests see them like every other calculation.
"""

from __future__ import annotations

from . import bill as _bill
from .api import _ESTIMATE_PARAMS, OUTPUTS, Calculation, OutputSpec, register
from .prefill import (
    PrefillInputs, attention_flops_per_pair, prefill_bound, prefill_estimate, prefill_fits,
    prefill_weight_bytes_per_gpu,
)
from .prefill_validate import validate_prefill
from .presets import GPUS, MODELS
from .prices import PRICE_LISTS

# ---- parameter groups ----------------------------------------------------------------------------

WORKLOAD = ("prompt_len", "cache_hit_share")
PREFILL_LAYOUT = ("prefill_gpu", "prefill_ep", "prefill_tp", "prefill_redundant_experts", "prefill_chunk_tokens",
                  "prefill_microbatches", "expert_routing", "gemm_dtype", "attn_dtype", "expert_dtype", "kv_dtype")
CACHE = ("cache_read_gb_per_s", "storage_usd_per_tb_month", "cache_retention_h")
#: The decode half reads every parameter of the decode estimate (and so of the tight bound),
#: except the context length and batch, which the bill derives, and those the prefill layout
#: already lists (element types); its expert parallelism is its own (``decode_ep``,
#: ``decode_redundant_experts``: DeepSeek's EP144 with 32 redundant experts by default, as
#: ``prefill_ep`` is DeepSeek's EP32); then how to pick the decode rate.
DECODE_LAYOUT = ("decode_ep", "decode_redundant_experts") + tuple(
    n for n in _ESTIMATE_PARAMS
    if n not in ("model", "seq_len", "batch_per_gpu", "gpu_hour_usd", "ep", "redundant_experts")
    and n not in PREFILL_LAYOUT) + ("decode_rate", "tokens_per_s_per_gpu", "target_tokens_per_s_per_user")
PRICES = ("prefill_gpu_hour_usd", "gpu_hour_usd", "price_list")
BILL_PARAMS = (("model",) + WORKLOAD + ("output_len", "requests_per_s") + PREFILL_LAYOUT + CACHE + DECODE_LAYOUT
               + PRICES)


def _pgpu(p: dict):
    return GPUS[p["prefill_gpu"]]


# ---- outputs ----------------------------------------------------------------------------------------

for _o in [
    # prefill
    OutputSpec("prefill_bound_tokens_per_s_per_gpu", "tok/s", "Prefill bound",
               help="computed prompt tokens/s per GPU at the best measured efficiencies; no deployment exceeds it"),
    OutputSpec("prefill_tokens_per_s_per_gpu", "tok/s", "Prefill estimate",
               help="computed (cache-miss) prompt tokens/s per GPU a deployment should reach"),
    OutputSpec("prefill_binding", "", "Prefill bound binds on"),
    OutputSpec("prefill_error_band", "", "Estimate error band (leave-one-out)", display="percent",
               help="largest leave-one-out error of the estimate against the measured prefill throughputs"),
    OutputSpec("prefill_overhead", "", "Fitted overhead factor", display="percent",
               help="measured over modelled throughput, fitted to the measured deployments"),
    OutputSpec("input_tokens_per_s_per_gpu_incl_hits", "tok/s", "Input tokens/s per GPU, cache hits included",
               help="as DeepSeek counts its 73.7k per node: computed tokens plus the cached tokens they bring"),
    OutputSpec("attention_flops_per_pair", "FLOP", "Prefill attention FLOPs per query-key pair per layer",
               help="MLA in MHA mode: 2 x heads x (192 + 128) for DeepSeek-V3"),
    OutputSpec("absorbed_attention_flops_per_pair", "FLOP", "Absorbed (decode) form, per pair per layer",
               help="MLA in MQA mode: 2 x heads x (576 + 512) for DeepSeek-V3"),
    OutputSpec("linear_flops_per_token", "FLOP", "Linear-layer FLOPs per computed token"),
    OutputSpec("attention_flops_per_token", "FLOP", "Attention FLOPs per computed token",
               help="MHA-mode MLA, causal, including the cached prefix the token attends to"),
    OutputSpec("expansion_flops_per_token", "FLOP", "Cached latents expanded, FLOPs per computed token"),
    OutputSpec("scale_out_bytes_per_token", "B", "RDMA bytes per computed token", help="DeepEP normal mode, all MoE layers"),
    OutputSpec("scale_up_bytes_per_token", "B", "NVLink bytes per computed token"),
    OutputSpec("weight_bytes_per_microbatch", "B", "Weights read per micro-batch"),
    OutputSpec("compute_time_per_token_s", "s", "Compute time per computed token"),
    OutputSpec("memory_time_per_token_s", "s", "Weight-read time per computed token"),
    OutputSpec("network_time_per_token_s", "s", "Network time per computed token"),
    OutputSpec("pass_time_s", "s", "Time of one forward pass", help="prompt tokens per GPU per pass / tokens/s per GPU"),
    OutputSpec("cached_tokens_per_request", "tokens", "Cached tokens per request"),
    OutputSpec("computed_tokens_per_request", "tokens", "Computed tokens per request"),
    # time to first token
    OutputSpec("ttft_s", "s", "Time to first token", help="queueing aside: cache read + prefill passes + KV transfer"),
    OutputSpec("cache_read_s", "s", "Reading the cached prefix"),
    OutputSpec("prefill_s", "s", "Prefill passes"),
    OutputSpec("kv_transfer_s", "s", "KV transfer to the decode GPU"),
    OutputSpec("prefill_passes", "", "Forward passes the prompt needs", display="int"),
    OutputSpec("kv_transfer_bytes", "B", "KV bytes sent to decode"),
    OutputSpec("kv_link_bytes_per_s", "B/s", "KV link rate"),
    # context cache
    OutputSpec("usd_per_million_input_tokens", "USD", "Cost per million input tokens (cache miss)"),
    OutputSpec("usd_per_million_cached_input_tokens", "USD", "Cost per million input tokens (cache hit)"),
    OutputSpec("usd_per_million_output_tokens", "USD", "Cost per million output tokens"),
    OutputSpec("usd_per_million_blended_input_tokens", "USD", "Cost per million input tokens, hits and misses together"),
    OutputSpec("cache_expansion_usd_per_million", "USD", "Cache hit: expanding latents, per million"),
    OutputSpec("cache_read_usd_per_million", "USD", "Cache hit: serving the read, per million",
               help="the storage servers' time to read it back"),
    OutputSpec("cache_storage_usd_per_million", "USD", "Cache hit: keeping it on disk, per million"),
    OutputSpec("hit_over_miss", "", "Hit cost over miss cost", display="percent"),
    OutputSpec("storage_break_even_usd_per_tb_month", "USD/TB-month", "Disk price at which a hit costs its list price",
               help="per TB-month, at this retention; above it the hit price does not cover the disk"),
    OutputSpec("kv_bytes_per_token_stored", "B", "Cached KV per token"),
    # the bill
    OutputSpec("prefill_gpus", "GPUs", "Prefill GPUs"),
    OutputSpec("decode_gpus", "GPUs", "Decode GPUs"),
    OutputSpec("total_gpus", "GPUs", "GPUs in all"),
    OutputSpec("prefill_to_decode_ratio", "", "Prefill GPUs per decode GPU", display="ratio"),
    OutputSpec("usd_per_request", "USD", "Cost per request"),
    OutputSpec("decode_tokens_per_s_per_user", "tok/s", "Decode tokens/s per user"),
    OutputSpec("decode_batch_per_gpu", "sequences", "Decode batch per GPU"),
    OutputSpec("decode_basis", "", "Decode rate is"),
    OutputSpec("decode_target_met", "", "Target speed per user reached"),
    OutputSpec("prefill_weights_fit", "", "Prefill weights fit in HBM"),
    OutputSpec("prefill_weight_bytes_per_gpu", "B", "Weights per prefill GPU"),
    OutputSpec("decode_seq_len", "tokens", "Average KV length while decoding", display="int"),
    # price check
    OutputSpec("price_list_label", "", "List prices of"),
    OutputSpec("price_list_date", "", "Valid"),
    OutputSpec("price_list_source", "", "Source"),
    OutputSpec("list_usd_per_million_input_tokens", "USD", "List price per million input tokens (cache miss)"),
    OutputSpec("list_usd_per_million_cached_input_tokens", "USD", "List price per million input tokens (cache hit)"),
    OutputSpec("list_usd_per_million_output_tokens", "USD", "List price per million output tokens"),
    OutputSpec("margin_input", "", "Margin on input tokens (cache miss)", display="percent",
               help="(list price - cost) / cost, DeepSeek's cost profit margin"),
    OutputSpec("margin_cached_input", "", "Margin on input tokens (cache hit)", display="percent"),
    OutputSpec("margin_output", "", "Margin on output tokens", display="percent"),
    OutputSpec("margin_blended_input", "", "Margin on input tokens, hits and misses together", display="percent"),
    OutputSpec("margin_request", "", "Margin on a whole request", display="percent"),
    # DeepSeek's day rebuilt
    OutputSpec("prompt_len", "tokens", "Prompt length (implied)", display="int"),
    OutputSpec("output_len", "tokens", "Output length (implied)", display="int"),
    OutputSpec("requests_per_s", "req/s", "Requests per second (implied)"),
    OutputSpec("prefill_nodes_implied", "nodes", "Prefill nodes at the estimate"),
    OutputSpec("decode_nodes_implied", "nodes", "Decode nodes at the decode rate"),
    OutputSpec("nodes_implied", "nodes", "Nodes implied"),
    OutputSpec("decode_estimate_tokens_per_s_per_gpu", "tok/s", "Decode estimate per GPU",
               help="the decode estimate for DeepSeek's published layout at 21 tokens/s per user"),
    OutputSpec("decode_estimate_batch_per_gpu", "sequences", "Decode estimate's batch per GPU"),
    OutputSpec("decode_nodes_estimate", "nodes", "Decode nodes at the estimate"),
    OutputSpec("decode_tight_tokens_per_s_per_gpu", "tok/s", "Decode tight bound per GPU",
               help="no deployment decodes faster: the fewest decode nodes possible"),
    OutputSpec("decode_tight_batch_per_gpu", "sequences", "Tight bound's batch per GPU"),
    OutputSpec("decode_nodes_tight", "nodes", "Decode nodes at the tight bound"),
    OutputSpec("published_prefill_nodes", "nodes", "Prefill nodes at the published 73.7k per node"),
    OutputSpec("published_decode_nodes", "nodes", "Decode nodes at the published 14.8k per node"),
    OutputSpec("published_prefill_tokens_per_s_per_gpu", "tok/s", "Published prefill rate, computed tokens per GPU",
               help="73.7k per node x (1 - 342/608) / 8"),
    OutputSpec("prefill_utilisation", "", "Published prefill rate over the estimate", display="percent",
               help="prefill nodes the estimate needs over prefill nodes at the published rate"),
    OutputSpec("decode_utilisation", "", "Published decode rate over the modelled one", display="percent",
               help="decode nodes at the modelled rate over decode nodes at the published 14.8k per node"),
    OutputSpec("nodes_implied_share", "", "Implied over published nodes", display="percent"),
    OutputSpec("nodes_with_measured_decode", "nodes", "Nodes, estimated prefill + measured decode"),
    OutputSpec("cache_read_bytes_per_s_per_node", "B/s", "Cache reads per prefill node (day average)",
               display="binary"),
    OutputSpec("cache_read_peak_bytes_per_s_per_node", "B/s", "3FS peak read per client node", display="binary"),
    # validation
    OutputSpec("estimate_tokens_per_s_per_gpu", "tok/s", "Prefill estimate"),
    OutputSpec("loo_estimate_tokens_per_s_per_gpu", "tok/s", "Prefill estimate, fitted without this row"),
    OutputSpec("bound_tokens_per_s_per_gpu", "tok/s", "Prefill bound"),
    OutputSpec("loo_error", "", "Leave-one-out error", display="signed_percent"),
    OutputSpec("measured_over_bound", "", "Measured / bound", display="percent"),
    OutputSpec("prefill_overhead_real", "", "Overhead factor, real routing", display="percent"),
    OutputSpec("prefill_overhead_balanced", "", "Overhead factor, balanced routing", display="percent"),
    OutputSpec("max_estimate_error", "", "Largest estimate error", display="percent"),
    OutputSpec("max_loo_error", "", "Largest leave-one-out error", display="percent"),
    OutputSpec("all_below_prefill_bound", "", "Every measurement at or below the prefill bound"),
    OutputSpec("measurements", "rows", "Measurements", display="int"),
    OutputSpec("loo_mape", "", "Mean leave-one-out error", display="percent",
               help="mean absolute leave-one-out error of the estimate over the rows it claims"),
    OutputSpec("estimate_rows", "rows", "Rows the estimate claims", display="int"),
]:
    OUTPUTS.setdefault(_o.name, _o)


# ---- calculations -----------------------------------------------------------------------------------

def _prefill(p: dict) -> dict:
    m, g = p["model"], _pgpu(p)
    x = PrefillInputs.from_params(p)
    est = prefill_estimate(m, g, x)
    b = prefill_bound(m, g, x)
    w = est["work"]
    return {
        "tokens_per_s_per_gpu": est["tokens_per_s_per_gpu"],
        "prefill_bound_tokens_per_s_per_gpu": b["tokens_per_s_per_gpu"],
        "prefill_binding": b["binding"],
        "prefill_error_band": est["error_band"],
        "prefill_overhead": est["overhead"],
        "input_tokens_per_s_per_gpu_incl_hits": est["tokens_per_s_per_gpu"] * x.prompt_len / w.computed_tokens,
        "cached_tokens_per_request": w.cached_tokens,
        "computed_tokens_per_request": w.computed_tokens,
        "attention_flops_per_pair": attention_flops_per_pair(m)[0],
        "absorbed_attention_flops_per_pair": attention_flops_per_pair(m)[1],
        "linear_flops_per_token": w.dense_linear_flops + w.moe_linear_flops,
        "attention_flops_per_token": w.attention_flops,
        "expansion_flops_per_token": w.expansion_flops,
        "scale_out_bytes_per_token": w.scale_out_bytes,
        "scale_up_bytes_per_token": w.scale_up_bytes,
        "weight_bytes_per_microbatch": w.weight_bytes_per_microbatch,
        "compute_time_per_token_s": est["compute_time_s"],
        "memory_time_per_token_s": est["memory_time_s"],
        "network_time_per_token_s": est["network_time_s"],
        "pass_time_s": x.chunk_tokens / est["tokens_per_s_per_gpu"],
        "prefill_weight_bytes_per_gpu": prefill_weight_bytes_per_gpu(m, x),
        "prefill_weights_fit": prefill_fits(m, g, x),
    }


def _ttft(p: dict) -> dict:
    m, g = p["model"], _pgpu(p)
    x = PrefillInputs.from_params(p)
    est = prefill_estimate(m, g, x)
    from .kv import kv_size

    r = _bill.ttft(x, est["tokens_per_s_per_gpu"], kv_size(m, x.kv_dtype).bytes_per_token, g,
                   p["cache_read_gb_per_s"] * 1e9)
    r["tokens_per_s_per_gpu"] = est["tokens_per_s_per_gpu"]
    return r


def _context_cache(p: dict) -> dict:
    m, g = p["model"], _pgpu(p)
    c = _bill.input_costs(m, g, PrefillInputs.from_params(p), p)
    hit = c.hit
    return {
        "usd_per_million_cached_input_tokens": hit["total_usd"],
        "usd_per_million_input_tokens": c.miss_usd,
        "hit_over_miss": hit["total_usd"] / c.miss_usd,
        "cache_expansion_usd_per_million": hit["expansion_usd"],
        "cache_read_usd_per_million": hit["read_usd"],
        "cache_storage_usd_per_million": hit["storage_usd"],
        "kv_bytes_per_token_stored": hit["kv_bytes_per_token"],
        "list_usd_per_million_cached_input_tokens": PRICE_LISTS[p["price_list"]].usd_per_million_cached_input,
        "storage_break_even_usd_per_tb_month": c.break_even_usd_per_tb_month,
    }


def _bill_calc(p: dict) -> dict:
    r = _bill.bill(p["model"], p["gpu"], _pgpu(p), p)
    return r


_PRICE_OUT = ("price_list_label", "price_list_date", "price_list_source", "list_usd_per_million_input_tokens",
              "usd_per_million_input_tokens", "margin_input", "list_usd_per_million_cached_input_tokens",
              "usd_per_million_cached_input_tokens", "margin_cached_input", "list_usd_per_million_output_tokens",
              "usd_per_million_output_tokens", "margin_output", "margin_blended_input", "margin_request")


def _price_check(p: dict) -> dict:
    r = _bill.bill(p["model"], p["gpu"], _pgpu(p), p)
    r["price_list_source"] = PRICE_LISTS[p["price_list"]].source
    return {k: r[k] for k in _PRICE_OUT}


REBUILD_PARAMS = ("gpu_hour_usd", "decode_rate", "tokens_per_s_per_gpu") + CACHE


def _rebuild(p: dict) -> dict:
    from .api import _prep

    q = _prep(BILL_PARAMS, {k: v for k, v in p.items()})
    return _bill.deepseek_rebuild(MODELS["deepseek-v3"], GPUS["h800"], q)


def _bill_chart(p: dict) -> dict:
    return _bill.bill_chart(p["model"], _pgpu(p), p)


def _validate_prefill(p: dict) -> dict:
    return validate_prefill()


_BILL_OUT = _bill.BILL_OUTPUTS

register(Calculation(
    "prefill", "Prefill throughput", ("model",) + WORKLOAD + PREFILL_LAYOUT,
    ("tokens_per_s_per_gpu", "prefill_bound_tokens_per_s_per_gpu", "prefill_binding", "prefill_error_band",
     "prefill_overhead", "input_tokens_per_s_per_gpu_incl_hits", "cached_tokens_per_request",
     "computed_tokens_per_request", "attention_flops_per_pair", "absorbed_attention_flops_per_pair",
     "linear_flops_per_token", "attention_flops_per_token", "expansion_flops_per_token",
     "scale_out_bytes_per_token", "scale_up_bytes_per_token", "weight_bytes_per_microbatch",
     "compute_time_per_token_s", "memory_time_per_token_s", "network_time_per_token_s", "pass_time_s",
     "prefill_weight_bytes_per_gpu", "prefill_weights_fit"),
    _prefill, "Computed prompt tokens/s per GPU: estimate, bound and what binds"))
register(Calculation(
    "ttft", "Time to first token", ("model",) + WORKLOAD + PREFILL_LAYOUT + ("cache_read_gb_per_s",),
    ("ttft_s", "cache_read_s", "prefill_s", "kv_transfer_s", "prefill_passes", "kv_transfer_bytes",
     "kv_link_bytes_per_s", "tokens_per_s_per_gpu"),
    _ttft, "Cache read + prefill passes + KV transfer to decode, queueing aside"))
register(Calculation(
    "context_cache", "Context cache: a hit against a miss",
    ("model",) + WORKLOAD + PREFILL_LAYOUT + ("storage_usd_per_tb_month", "cache_retention_h", "prefill_gpu_hour_usd",
                                            "price_list"),
    ("usd_per_million_cached_input_tokens", "usd_per_million_input_tokens", "hit_over_miss",
     "cache_expansion_usd_per_million", "cache_read_usd_per_million", "cache_storage_usd_per_million",
     "kv_bytes_per_token_stored", "list_usd_per_million_cached_input_tokens", "storage_break_even_usd_per_tb_month"),
    _context_cache, "USD per million cached input tokens (expansion, disk read, storage) against a computed one"))
register(Calculation(
    "bill", "The whole bill", BILL_PARAMS, _BILL_OUT, _bill_calc,
    "Prefill and decode GPUs for a workload; USD per million input (miss, hit) and output tokens"))
register(Calculation(
    "price_check", "Cost against list prices", BILL_PARAMS, _PRICE_OUT, _price_check,
    "Cost per million tokens of each kind next to a published list price, as a margin"))
register(Calculation(
    "deepseek_rebuild", "DeepSeek's day rebuilt from its traffic", REBUILD_PARAMS,
    _bill.REBUILD_OUTPUTS, _rebuild,
    "Prefill and decode nodes implied by the published traffic against the published 226.75"))
register(Calculation(
    "bill_chart", "Cost per million input tokens against the cache-hit share",
    ("model", "prompt_len") + PREFILL_LAYOUT + ("storage_usd_per_tb_month", "cache_retention_h", "prefill_gpu_hour_usd",
                                                 "price_list"), ("x", "series"),
    _bill_chart, "Our cost and a list price, all input tokens together, as the cache-hit share grows"))
register(Calculation(
    "validate_prefill", "Prefill bound and estimate against measured deployments", (),
    ("rows", "chart", "prefill_overhead_real", "prefill_overhead_balanced", "prefill_error_band", "max_estimate_error",
     "max_loo_error", "loo_mape", "all_below_prefill_bound", "measurements", "estimate_rows", "targets"),
    _validate_prefill, "Measured prefill throughputs, each at or below the bound, estimate error leave-one-out"))


# ---- plain-text tables for the command line ----------------------------------------------------------

def _plain_validate_prefill(result: dict) -> str:
    from . import fmt
    from .cli import _table

    rows = []
    for r in result["rows"].values():
        loo = fmt.signed_percent(r["loo_error"]) if "loo_error" in r else "bound only"
        rows.append((r["label"], f"{r['prompt_len']:,}", fmt.value(r["measured_tokens_per_s_per_gpu"], "tok/s"),
                     fmt.value(r["estimate_tokens_per_s_per_gpu"], "tok/s"), fmt.percent(r["estimate_error"]), loo,
                     fmt.value(r["bound_tokens_per_s_per_gpu"], "tok/s"), fmt.percent(r["measured_over_bound"]),
                     r["binding"]))
    table = _table(rows, ("measurement", "prompt", "measured", "estimate", "error", "leave-one-out",
                          "bound", "measured/bound", "binds"))
    notes = [f"{r['label']}: {r['why_bound_only']}" for r in result["rows"].values() if r["why_bound_only"]]
    summary = (f"overhead factor: real routing {fmt.percent(result['prefill_overhead_real'])}, balanced "
               f"{fmt.percent(result['prefill_overhead_balanced'])}; largest error {fmt.percent(result['max_estimate_error'])}, "
               f"leave-one-out {fmt.percent(result['max_loo_error'])} (mean {fmt.percent(result['loo_mape'])}); every "
               f"measurement at or below the bound: {'yes' if result['all_below_prefill_bound'] else 'NO'}")
    return "\n".join(["computed prompt tokens/s per GPU", table, "", summary, "bound only:"] + ["  " + n for n in notes])


def _plain_chart(result: dict) -> str:
    from . import fmt
    from .cli import _table

    head = (result["x_label"],) + tuple(s["label"] for s in result["series"])
    rows = [(fmt.number(x),) + tuple(fmt.value(s["y"][i], result["y_unit"]) for s in result["series"])
            for i, x in enumerate(result["x"])]
    return f"{result['y_label']} against {result['x_label']}\n" + _table(rows, head)


#: calculation -> plain-text renderer, consulted by :func:`calc.cli.render_plain`
PLAIN_RENDERERS = {"validate_prefill": _plain_validate_prefill, "bill_chart": _plain_chart}
