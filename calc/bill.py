"""The whole bill: input tokens (computed or read from the context cache), output tokens,
time to first token, and how many prefill and decode GPUs a workload needs.

A request brings ``prompt_len`` input tokens and gets ``output_len`` output tokens. A share
``cache_hit_share`` of the input is a prefix already stored on disk (DeepSeek's "context
caching on disk", 3FS): those tokens skip prefill and are read back instead. With
prefill-decode disaggregation each half runs on its own GPUs and layout:

* prefill GPUs = requests/s x computed tokens per request / prefill tokens/s per GPU
  (:func:`calc.prefill.prefill_estimate`);
* decode GPUs = requests/s x ``output_len`` / decode tokens/s per GPU (:func:`decode_rate`:
  the decode estimate, :func:`calc.estimate.estimate`, at the largest batch that still gives
  each user ``target_tokens_per_s_per_user``; or the tight bound there, a floor on cost; or
  a given rate);
* USD per million tokens of each kind = GPU-hour price x GPU-hours per million tokens.

A cache hit costs (:func:`calc.context_cache.cache_hit_cost`): expanding its latent for the
new tokens' attention (prefill GPU time), keeping it on disk for ``cache_retention_h`` hours
and serving the read (``storage_usd_per_tb_month``). That charges each hit for one stored
token's retention, as if every stored token were read about once before it is evicted:
DeepSeek's day wrote about 434 B tokens (266 B computed input + 168 B output) and read back
342 B.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from . import measured
from .context_cache import CACHE_READ_BYTES_PER_S_PER_NODE, cache_hit_cost
from .cost import DeepSeekDay, DeepSeekTraffic, deepseek_traffic, usd_per_million_tokens
from .estimate import EstimateInputs, estimate
from .kv import kv_size
from .model import ModelConfig
from .prefill import PrefillInputs, prefill_bound, prefill_estimate, prefill_fits
from .presets import Accelerator
from .prices import PRICE_LISTS
from .tight import TightInputs, largest_batch_at_speed, max_batch, tight_bound
from .units import MILLION, SECONDS_PER_DAY

#: KV transfer from a prefill GPU to a decode GPU over RDMA at the share of the NIC's line rate
#: Mooncake's transfer engine reached between H800 nodes: 142.25 GiB/s of 200 GB/s
#: (:data:`calc.measured.KV_LINK_EFFICIENCY`).
KV_LINK_EFFICIENCY = measured.KV_LINK_EFFICIENCY


# ---- decode half --------------------------------------------------------------------------------

#: What the decode rate can be: ``estimate`` (what a deployment delivers, the default),
#: ``tight`` (the tight bound: no deployment is faster, so its cost is a floor), ``given``.
DECODE_BASIS = {"estimate": "estimate", "tight": "tight bound", "given": "given"}


@dataclass(frozen=True)
class DecodeRate:
    tokens_per_s_per_gpu: float
    tokens_per_s_per_user: float
    batch_per_gpu: float
    basis: str  # what the rate is: "estimate", "tight bound" or "given"
    target_met: bool


def decode_rate(model: ModelConfig, gpu: Accelerator, p: dict, seq_len: int,
                estimate_inputs: EstimateInputs | None = None) -> DecodeRate:
    """Output tokens/s per GPU for the decode half, the one place the bill asks for it.

    ``decode_rate == "estimate"`` (the default): the decode estimate
    (:func:`calc.estimate.estimate`, its fitted overheads and inputs from ``p`` or
    ``estimate_inputs``) at the largest batch whose tokens/s per user is still at least
    ``target_tokens_per_s_per_user``, capped by what fits in HBM; if even one sequence is
    slower, one sequence. ``"tight"``: the tight bound (:func:`calc.tight.tight_bound`) the same
    way; no deployment beats it, so the cost it gives is a floor. ``"given"``:
    ``tokens_per_s_per_gpu`` as typed (DeepSeek's measured 1,850 by default)."""
    target = p["target_tokens_per_s_per_user"]
    choice = p.get("decode_rate", "estimate")
    if choice == "given":
        tps = p["tokens_per_s_per_gpu"]
        return DecodeRate(tps, target, tps / target, DECODE_BASIS["given"], True)
    base = {k: v for k, v in p.items() if k != "batch_per_gpu"}
    base["seq_len"] = seq_len
    # the bill's decode layout has its own expert parallelism (DeepSeek: EP144), like prefill's
    for own, shared in (("decode_ep", "ep"), ("decode_redundant_experts", "redundant_experts")):
        if own in p:
            base[shared] = p[own]

    def inputs(b: int) -> TightInputs:
        return TightInputs.from_params({**base, "batch_per_gpu": b})

    if choice == "tight":
        def run(b: int) -> dict:
            return tight_bound(model, gpu, inputs(b))
    else:
        e = estimate_inputs or EstimateInputs.from_params(p)

        def run(b: int) -> dict:
            return estimate(model, gpu, inputs(b), e)

    cap = max(1, math.floor(max_batch(model, gpu, inputs(1))))
    r = run(largest_batch_at_speed(run, cap, target))
    return DecodeRate(r["tokens_per_s_per_gpu"], r["tokens_per_s_per_user"], r["batch_per_gpu"],
                      DECODE_BASIS[choice], r["tokens_per_s_per_user"] >= target)


# ---- time to first token ----------------------------------------------------------------------------

def ttft(x: PrefillInputs, prefill_tokens_per_s_per_gpu: float, kv_bytes_per_token: float, gpu: Accelerator,
         cache_read_bytes_per_s: float) -> dict:
    """Time to first token of one prompt, queueing aside:

    * reading its cached prefix from disk: ``cached x KV bytes / read rate``;
    * prefilling its computed tokens: the prompt rides in forward passes of ``chunk_tokens``
      per GPU, each taking ``chunk_tokens / tokens/s per GPU``; a prompt longer than a chunk
      needs ``ceil(computed / chunk_tokens)`` passes (chunked prefill), a shorter one still
      waits for its whole pass;
    * sending the prompt's KV to its decode GPU: ``prompt_len x KV bytes / (NIC x efficiency)``
      (the first token is streamed from the decode side once its KV has arrived).
    """
    cached, computed = x.split()
    passes = math.ceil(computed / x.chunk_tokens - 1e-12)
    prefill_s = passes * x.chunk_tokens / prefill_tokens_per_s_per_gpu
    read_s = cached * kv_bytes_per_token / cache_read_bytes_per_s
    link = gpu.scale_out_bw * KV_LINK_EFFICIENCY
    transfer_s = x.prompt_len * kv_bytes_per_token / link
    return {"ttft_s": read_s + prefill_s + transfer_s, "cache_read_s": read_s, "prefill_s": prefill_s,
            "kv_transfer_s": transfer_s, "prefill_passes": passes, "kv_transfer_bytes": x.prompt_len * kv_bytes_per_token,
            "kv_link_bytes_per_s": link}


# ---- prices --------------------------------------------------------------------------------------

def _margin(price: float, cost: float) -> float | None:
    """Cost profit margin, as DeepSeek defines it: (price - cost) / cost (none for a free token)."""
    return (price - cost) / cost if cost > 0 else None


def expansion_seconds_per_hit(model: ModelConfig, gpu: Accelerator, x: PrefillInputs) -> float:
    """Prefill GPU seconds one cache hit costs (its latent expanded for MHA-mode attention):
    its share of the estimate's time per computed token. A prompt without hits is probed at
    half its tokens cached, to say what a hit would cost."""
    probe = x if x.split()[0] > 0 else replace(x, cache_hit_share=0.5)
    cached, computed = probe.split()
    if cached <= 0:  # a one-token prompt has nothing to cache
        return 0.0
    est = prefill_estimate(model, gpu, probe)
    return est["seconds_per_token"] * est["expansion_share"] * computed / cached


@dataclass(frozen=True)
class InputCosts:
    """What one prompt's input tokens cost on the prefill GPUs and the cache disks."""

    estimate: dict  # calc.prefill.prefill_estimate
    miss_usd: float  # USD per million computed (cache-miss) tokens
    hit: dict  # calc.context_cache.cache_hit_cost: USD per million cache hits, by part
    break_even_usd_per_tb_month: float  # disk price at which a hit costs its list price


def input_costs(model: ModelConfig, gpu: Accelerator, x: PrefillInputs, p: dict) -> InputCosts:
    """USD per million input tokens, cache miss and cache hit, the one place the bill, its chart
    and the context-cache calculation price them. The prefill GPU time per computed token
    (the estimate's) is split between the token itself and the expansion of the cached latents
    it attends to (:func:`expansion_seconds_per_hit`), so a miss pays for its own work and a hit
    for its expansion; a hit also pays for its disk (:func:`calc.context_cache.cache_hit_cost`).
    Reads ``prefill_gpu_hour_usd``, ``storage_usd_per_tb_month``, ``cache_retention_h`` and
    ``price_list`` from ``p``."""
    cached, computed = x.split()
    est = prefill_estimate(model, gpu, x)
    t = est["seconds_per_token"]
    share = est["expansion_share"] if cached > 0 else 0.0
    price = p["prefill_gpu_hour_usd"]
    miss = usd_per_million_tokens(1 / (t * (1 - share)), price)
    exp_s = t * share * computed / cached if cached > 0 else expansion_seconds_per_hit(model, gpu, x)
    hit = cache_hit_cost(model, x.kv_dtype, price, exp_s, p["storage_usd_per_tb_month"], p["cache_retention_h"])
    # the disk price at which a hit costs exactly its list price: the disk parts scale with it
    per_dollar = cache_hit_cost(model, x.kv_dtype, 0.0, 0.0, 1.0, p["cache_retention_h"])["total_usd"]
    room = PRICE_LISTS[p["price_list"]].usd_per_million_cached_input - hit["expansion_usd"]
    return InputCosts(est, miss, hit, room / per_dollar if room > 0 else 0.0)


# ---- the bill ---------------------------------------------------------------------------------------

def bill(model: ModelConfig, decode_gpu: Accelerator, prefill_gpu: Accelerator, p: dict) -> dict:
    """Prefill and decode GPUs for the workload, and USD per million tokens of each kind.

    ``p`` holds schema-named values: the workload (``prompt_len``, ``output_len``,
    ``cache_hit_share``, ``requests_per_s``, ``target_tokens_per_s_per_user``), the prefill
    layout (``prefill_*``, ``expert_routing``), the decode layout (the tight bound's
    parameters) and the prices."""
    x = PrefillInputs.from_params(p)
    cached, computed = x.split()
    costs = input_costs(model, prefill_gpu, x, p)
    est, hit = costs.estimate, costs.hit
    bound = prefill_bound(model, prefill_gpu, x)
    pf_tps = est["tokens_per_s_per_gpu"]
    pf_price = p["prefill_gpu_hour_usd"]
    input_per_req = out_usd = 0.0
    read_bw = p["cache_read_gb_per_s"] * 1e9

    seq_len = max(1, round(x.prompt_len + p["output_len"] / 2))  # average KV length while decoding
    d = decode_rate(model, decode_gpu, p, seq_len)
    pf_ok = prefill_fits(model, prefill_gpu, x)  # the prefill GPU holds its weights
    d_ok = d.tokens_per_s_per_gpu > 0  # the decode GPU holds its weights and one sequence
    r, out_len = p["requests_per_s"], p["output_len"]
    prices = PRICE_LISTS[p["price_list"]]
    kv_bytes = kv_size(model, x.kv_dtype).bytes_per_token
    out: dict = {k: None for k in BILL_OUTPUTS}
    out.update({
        "prefill_bound_tokens_per_s_per_gpu": bound["tokens_per_s_per_gpu"],
        "prefill_error_band": est["error_band"],
        "prefill_weights_fit": pf_ok,
        "decode_tokens_per_s_per_gpu": d.tokens_per_s_per_gpu,
        "decode_tokens_per_s_per_user": d.tokens_per_s_per_user,
        "decode_batch_per_gpu": d.batch_per_gpu,
        "decode_basis": d.basis,
        "decode_target_met": d.target_met and d_ok,
        "decode_seq_len": seq_len,
        "cached_tokens_per_request": cached,
        "computed_tokens_per_request": computed,
        "cache_read_usd_per_million": hit["read_usd"],
        "cache_storage_usd_per_million": hit["storage_usd"],
        "price_list_label": prices.label,
        "price_list_date": prices.date,
        "list_usd_per_million_input_tokens": prices.usd_per_million_input,
        "list_usd_per_million_cached_input_tokens": prices.usd_per_million_cached_input,
        "list_usd_per_million_output_tokens": prices.usd_per_million_output,
    })
    blended_price = (computed * prices.usd_per_million_input + cached * prices.usd_per_million_cached_input) / x.prompt_len
    list_request = (computed * prices.usd_per_million_input + cached * prices.usd_per_million_cached_input
                    + out_len * prices.usd_per_million_output) / MILLION
    if pf_ok:
        miss_usd = costs.miss_usd
        input_per_req = computed * miss_usd + cached * hit["total_usd"]
        out.update({
            "prefill_gpus": r * computed / pf_tps,
            "usd_per_million_input_tokens": miss_usd,
            "usd_per_million_cached_input_tokens": hit["total_usd"],
            "usd_per_million_blended_input_tokens": input_per_req / x.prompt_len,
            "cache_expansion_usd_per_million": hit["expansion_usd"],
            "storage_break_even_usd_per_tb_month": costs.break_even_usd_per_tb_month,
            "prefill_tokens_per_s_per_gpu": pf_tps,
            "input_tokens_per_s_per_gpu_incl_hits": pf_tps * x.prompt_len / computed,
            "ttft_s": ttft(x, pf_tps, kv_bytes, prefill_gpu, read_bw)["ttft_s"],
            "margin_input": _margin(prices.usd_per_million_input, miss_usd),
            "margin_cached_input": _margin(prices.usd_per_million_cached_input, hit["total_usd"]),
            "margin_blended_input": _margin(blended_price, input_per_req / x.prompt_len),
        })
    if d_ok:
        out_usd = usd_per_million_tokens(d.tokens_per_s_per_gpu, p["gpu_hour_usd"])
        out.update({
            "decode_gpus": r * out_len / d.tokens_per_s_per_gpu,
            "usd_per_million_output_tokens": out_usd,
            "margin_output": _margin(prices.usd_per_million_output, out_usd),
        })
    if pf_ok and d_ok:
        pg, dg = out["prefill_gpus"], out["decode_gpus"]
        request_usd = (input_per_req + out_len * out_usd) / MILLION
        day_storage_usd = r * cached * SECONDS_PER_DAY * hit["storage_usd"] / MILLION
        out.update({
            "total_gpus": pg + dg,
            "prefill_to_decode_ratio": pg / dg,
            "usd_per_request": request_usd,
            "daily_cost_usd": (pg * pf_price + dg * p["gpu_hour_usd"]) * 24 + day_storage_usd,
            "margin_request": _margin(list_request, request_usd),
        })
    return out


BILL_OUTPUTS = (
    "prefill_gpus", "decode_gpus", "total_gpus", "prefill_to_decode_ratio", "usd_per_million_input_tokens",
    "usd_per_million_cached_input_tokens", "usd_per_million_output_tokens", "usd_per_million_blended_input_tokens",
    "usd_per_request", "daily_cost_usd", "ttft_s", "prefill_tokens_per_s_per_gpu", "prefill_bound_tokens_per_s_per_gpu",
    "prefill_error_band", "prefill_weights_fit", "input_tokens_per_s_per_gpu_incl_hits", "decode_tokens_per_s_per_gpu",
    "decode_tokens_per_s_per_user", "decode_batch_per_gpu", "decode_basis", "decode_target_met", "decode_seq_len",
    "cache_expansion_usd_per_million", "cache_read_usd_per_million", "cache_storage_usd_per_million",
    "storage_break_even_usd_per_tb_month", "cached_tokens_per_request", "computed_tokens_per_request",
    "price_list_label", "price_list_date", "list_usd_per_million_input_tokens",
    "list_usd_per_million_cached_input_tokens", "list_usd_per_million_output_tokens", "margin_input",
    "margin_cached_input", "margin_output", "margin_blended_input", "margin_request",
)


# ---- DeepSeek's day, rebuilt from its traffic --------------------------------------------------------

REBUILD_OUTPUTS = (
    "prompt_len", "output_len", "cache_hit_share", "requests_per_s", "prefill_tokens_per_s_per_gpu",
    "prefill_nodes_implied", "decode_tokens_per_s_per_gpu", "decode_tokens_per_s_per_user", "decode_batch_per_gpu",
    "decode_basis", "decode_nodes_implied", "nodes_implied", "avg_nodes", "published_prefill_nodes",
    "published_decode_nodes", "decode_estimate_tokens_per_s_per_gpu", "decode_estimate_batch_per_gpu",
    "decode_nodes_estimate", "decode_tight_tokens_per_s_per_gpu", "decode_tight_batch_per_gpu", "decode_nodes_tight",
    "published_prefill_tokens_per_s_per_gpu", "prefill_utilisation", "decode_utilisation", "nodes_implied_share",
    "nodes_with_measured_decode", "cache_read_bytes_per_s_per_node", "cache_read_peak_bytes_per_s_per_node", "ttft_s",
    "usd_per_million_input_tokens", "usd_per_million_cached_input_tokens", "usd_per_million_output_tokens",
    "margin_input", "margin_cached_input", "margin_output", "margin_request", "computed_tokens_per_request",
    "cached_tokens_per_request",
)


def deepseek_decode(model: ModelConfig, gpu: Accelerator, p: dict, basis: str) -> DecodeRate:
    """DeepSeek's decode on its published day, at ``basis`` (``estimate``, ``tight`` or
    ``given``), with the settings of the Validation page's DeepSeek production row
    (:data:`calc.validate.DEPLOYMENTS`), so that both pages model the same deployment:
    EP144, 32 redundant experts, two micro-batches, the first FlashMLA kernel, the published
    average KV length, at the middle of the published 20-22 tokens/s per user. The estimate
    takes the row's choices for what the overview leaves out (no MTP); the bound the highest
    over them (MTP off or at accept length 1.9), as the validation does."""
    from .validate import DEPLOYMENTS, combinations

    dep = next(x for x in DEPLOYMENTS if x.key == "deepseek-production")
    s = {k: v for k, v in dep.settings.items() if k != "batch_per_gpu"}
    q = {k: v for k, v in p.items() if k not in ("decode_ep", "decode_redundant_experts")}
    q.update(s, decode_rate=basis, target_tokens_per_s_per_user=dep.per_user)
    if basis == "estimate":
        q.update(dep.estimate_settings)
        e = replace(EstimateInputs.from_params(q), **dep.estimate_inputs)
        return decode_rate(model, gpu, q, s["seq_len"], e)
    rates = [decode_rate(model, gpu, {**q, **combo}, s["seq_len"]) for combo in combinations(dep.unknown)]
    return max(rates, key=lambda r: r.tokens_per_s_per_gpu)


def deepseek_rebuild(model: ModelConfig, gpu: Accelerator, p: dict, d: DeepSeekDay = DeepSeekDay(),
                     t: DeepSeekTraffic = DeepSeekTraffic()) -> dict:
    """DeepSeek's day rebuilt from its published traffic with this calculator's prefill
    estimate and decode rate, against the published 226.75-node average.

    Assumptions: the workload of :func:`calc.cost.deepseek_traffic`; prefill as published (H800,
    EP32, 32 redundant experts, two micro-batches, real expert routing) at the profile's 16K
    tokens per GPU, as the prefill validation's production row; decode as the decode
    validation's production row (:func:`deepseek_decode`); both halves busy all day (no idle
    capacity). Decode nodes are given three ways: at the estimate (what the deployment should
    deliver), at the tight bound (no deployment is faster: the fewest nodes possible) and at
    the published 14.8k per node; ``decode_rate`` picks the one the totals and costs use."""
    w = deepseek_traffic(d, t)
    seconds = w["seconds"]
    q = dict(p)
    q.update(prompt_len=max(1, round(w["prompt_len"])), output_len=max(1, round(w["output_len"])),
             cache_hit_share=w["cache_hit_share"], requests_per_s=w["requests_per_s"],
             prefill_ep=t.prefill_ep, prefill_redundant_experts=t.redundant_experts, prefill_tp=1,
             prefill_chunk_tokens=t.chunk_tokens, prefill_microbatches=2, expert_routing="real",
             kv_dtype="bf16", prefill_gpu_hour_usd=p["gpu_hour_usd"], price_list="deepseek-r1-2025")
    x = PrefillInputs.from_params(q)
    est = prefill_estimate(model, gpu, x)
    cached, computed = x.split()
    miss_tokens_per_s = (d.input_tokens - d.cache_hit_tokens) / seconds
    prefill_nodes = miss_tokens_per_s / est["tokens_per_s_per_gpu"] / d.gpus_per_node
    out_per_s = d.output_tokens / seconds

    def decode_nodes(rate: DecodeRate) -> float:
        return out_per_s / rate.tokens_per_s_per_gpu / d.gpus_per_node

    modelled = {basis: deepseek_decode(model, gpu, q, basis) for basis in ("estimate", "tight")}
    choice = p.get("decode_rate", "estimate")
    dr = modelled[choice] if choice in modelled else deepseek_decode(model, gpu, q, choice)
    nodes = decode_nodes(dr)
    measured_decode_nodes = out_per_s / d.decode_tokens_per_s_per_node
    published_prefill_nodes = d.input_tokens / seconds / d.prefill_tokens_per_s_per_node
    # the costs at the chosen decode rate
    b = bill(model, gpu, gpu, {**q, "decode_rate": "given", "tokens_per_s_per_gpu": dr.tokens_per_s_per_gpu})
    hits_per_s = d.cache_hit_tokens / seconds
    read_per_node = hits_per_s / published_prefill_nodes * kv_size(model, "bf16").bytes_per_token
    return {
        "prompt_len": w["prompt_len"],
        "output_len": w["output_len"],
        "cache_hit_share": w["cache_hit_share"],
        "requests_per_s": w["requests_per_s"],
        "prefill_tokens_per_s_per_gpu": est["tokens_per_s_per_gpu"],
        "prefill_nodes_implied": prefill_nodes,
        "decode_tokens_per_s_per_gpu": dr.tokens_per_s_per_gpu,
        "decode_tokens_per_s_per_user": dr.tokens_per_s_per_user,
        "decode_batch_per_gpu": dr.batch_per_gpu,
        "decode_basis": dr.basis,
        "decode_nodes_implied": nodes,
        "nodes_implied": prefill_nodes + nodes,
        "avg_nodes": d.avg_nodes,
        "published_prefill_nodes": published_prefill_nodes,
        "published_decode_nodes": measured_decode_nodes,
        "decode_estimate_tokens_per_s_per_gpu": modelled["estimate"].tokens_per_s_per_gpu,
        "decode_estimate_batch_per_gpu": modelled["estimate"].batch_per_gpu,
        "decode_nodes_estimate": decode_nodes(modelled["estimate"]),
        "decode_tight_tokens_per_s_per_gpu": modelled["tight"].tokens_per_s_per_gpu,
        "decode_tight_batch_per_gpu": modelled["tight"].batch_per_gpu,
        "decode_nodes_tight": decode_nodes(modelled["tight"]),
        "published_prefill_tokens_per_s_per_gpu": miss_tokens_per_s / published_prefill_nodes / d.gpus_per_node,
        "prefill_utilisation": prefill_nodes / published_prefill_nodes,
        "decode_utilisation": nodes / measured_decode_nodes,
        "nodes_implied_share": (prefill_nodes + nodes) / d.avg_nodes,
        "nodes_with_measured_decode": prefill_nodes + measured_decode_nodes,
        "cache_read_bytes_per_s_per_node": read_per_node,
        "cache_read_peak_bytes_per_s_per_node": CACHE_READ_BYTES_PER_S_PER_NODE,
        "ttft_s": b["ttft_s"],
        "usd_per_million_input_tokens": b["usd_per_million_input_tokens"],
        "usd_per_million_cached_input_tokens": b["usd_per_million_cached_input_tokens"],
        "usd_per_million_output_tokens": b["usd_per_million_output_tokens"],
        "margin_input": b["margin_input"],
        "margin_cached_input": b["margin_cached_input"],
        "margin_output": b["margin_output"],
        "margin_request": b["margin_request"],
        "computed_tokens_per_request": computed,
        "cached_tokens_per_request": cached,
    }


# ---- chart: cost per million input tokens against the cache-hit share ---------------------------------

def bill_chart(model: ModelConfig, prefill_gpu: Accelerator, p: dict, points: int = 21) -> dict:
    """USD per million input tokens (all of them, hits and misses together) and per million
    tokens of the whole request, against the cache-hit share, beside the chosen list price."""
    xs = [i / (points - 1) for i in range(points)]
    ours, listed = [], []
    prices = PRICE_LISTS[p["price_list"]]
    for h in xs:
        q = dict(p, cache_hit_share=h)
        x = PrefillInputs.from_params(q)
        cached, computed = x.split()
        c = input_costs(model, prefill_gpu, x, p)
        ours.append((computed * c.miss_usd + cached * c.hit["total_usd"]) / x.prompt_len)
        listed.append((computed * prices.usd_per_million_input + cached * prices.usd_per_million_cached_input)
                      / x.prompt_len)
    return {
        "x": xs, "x_name": "cache_hit_share", "x_label": "Cache-hit share of input tokens", "x_unit": "",
        "y_name": "usd_per_million_blended_input_tokens", "y_label": "Cost per million input tokens", "y_unit": "USD",
        "series": [
            {"label": "Our cost (prefill estimate + cache)", "key": "cost", "y": ours},
            {"label": "List price: " + prices.label, "key": "price", "y": listed},
        ],
    }
