"""An estimate of decode throughput: the tight model with what really happens on top.

The tight bound (:mod:`calc.tight`) lets memory, compute and network overlap perfectly at
the best rates ever measured, at the boost clock. Here the same kernels
(:func:`calc.tight.step_work`) run the way an engine runs them:

* **Kernels one after another** within a micro-batch, each at the rate its kind of kernel
  typically reaches (:mod:`calc.measured`), at the sustained clock where one is known: a
  kernel takes ``max(bytes / (HBM bandwidth x its memory efficiency), FLOPs / (sustained
  peak x its compute efficiency))``, plus a fixed time per call where a benchmark of the
  whole call measures one, never faster than the bound allows it. Decode-sized
  matmuls reach 0.67 of HBM bandwidth (the mean of DeepGEMM's M = 64 and 128 rows), the
  grouped expert matmul 0.61 of it (its 256-row shapes) or 0.50-0.62 of the sustained FP8
  peak depending on tokens per expert (DeepGEMM's masked layout), attention 0.90 of HBM
  bandwidth or the attention efficiency of the compute peak (FlashMLA on Hopper). On AMD GPUs,
  matmuls on block-scaled FP8 weights read them at the rate AMD's own tuned kernels reach
  (:data:`calc.measured.AITER_DECODE_GEMM`: on an MI355X 1,678 GB/s unsplit, 942 GB/s split
  over 8 GPUs; on an MI325X 837 GB/s split; about a fifth of the bandwidth or less). On
  Blackwell, attention reaches a fitted share of that efficiency
  (``blackwell_attention_share``, fitted to the GB200 deployments; TensorRT-LLM's kernel
  benchmarked alone on a B200 reaches more, :func:`calc.measured.blackwell_attention_share_kernel`);
  on CDNA4 (MI355X), where no deployment is measured, the share AITER's MLA decode kernel
  reached in the same benchmark (:func:`calc.measured.cdna4_attention_share`, 0.28); on CDNA3
  (MI300X, MI325X) the share the same library's kernel reached in AMD's own tutorial
  (:func:`calc.measured.cdna3_attention_share`, 0.20). With the experts split by TP, each MoE
  layer is one fused MoE call, timed on each GPU family by its own published benchmark
  (:data:`calc.measured.FUSED_MOE`): a fixed time per call (launch, routing alignment,
  activation: about 46 us on B200, 27 us on H200, 24 us on MI355X, 47 us on MI325X) plus the
  expert slices it reads at that benchmark's share of HBM bandwidth (0.74, 0.82, 0.86, 0.81).
  At a few tokens per step the fixed time is most of the call, which may be why 8 users on 8
  B200s decode barely faster than on 8 H200s.
* **Tensor-parallel all-reduces** cost their bytes over the link plus a latency per call: SGLang's
  custom all-reduce takes 5.9 us for its smallest message on 8 GPUs
  (:data:`calc.measured.ALLREDUCE_LATENCY`); DeepSeek on TP8 makes 122 calls per step.
* **Micro-batches and communication hidden only where the engine hides it.** With two
  micro-batches each reads the weights again, and DeepSeek's decode pipeline
  (deepseek-ai/profile-data decode.jpg) runs per MoE layer and per micro-batch
  ``max(shared + ATTN-0 of the other, dispatch) + routed experts + max(ATTN-1 of the other,
  combine)``. With one micro-batch and single-batch overlap (SGLang on H20 and GB200), the
  shared expert runs under the dispatch and the combine under the down projection; with
  none, everything is in series. DeepEP's low-latency rates are those measured at the EP
  size (128 tokens per GPU), and each call first costs a fixed time: a line from the cost at
  no tokens NVIDIA's AIConfigurator measured (:data:`calc.measured.DEEPEP_LL_FLOOR`, about 25
  us across nodes) to DeepEP's 128-token time, the part beyond that cost scaled by the GPU's link
  over the H800's; on MI355X-class GPUs within one node, MoRI's own measured line
  (:data:`calc.measured.MORI_EP8_V1`). With the experts split by TP there is no all-to-all to
  hide and engines do not split the batch: one micro-batch.
* **Expert load imbalance**: the busiest GPU sets the pace of the expert matmuls and of the
  all-to-all. Even when routing is balanced on average, tokens land on GPUs at random: with
  ``N`` token-expert pairs per GPU the busiest of ``ep`` GPUs gets about ``N + sqrt(2 N ln ep)``
  (the maximum of ``ep`` near-Poisson counts); on top of that a systematic factor
  ``moe_imbalance`` (max over mean load after EPLB). With the experts split by tensor
  parallelism instead (``moe_parallel = "tp"``) every GPU holds a slice of every expert and
  does the same work: no imbalance.
* **Overheads**: the time the kernel list does not explain (the small kernels it leaves out:
  norms, RoPE, quantisation, top-k, sampling; launch gaps; synchronisation), as a factor on
  the modelled step (``overhead_factor``; it does not scale the per-call costs above, which
  their benchmarks time whole) plus a fixed time per step (``step_overhead_s``);
  and, where an engine schedules the next step on the CPU without overlapping it, the CPU
  time per step SGLang measured with 2 requests per GPU (LMSYS 2025-07-17: 51.0 tok/s per
  GPU without its overlap scheduler, 60.4 with it: 6.1 ms).

Three numbers are fitted, leave-one-out, over the decode validation rows on NVIDIA GPUs
(:mod:`calc.validate`): the overhead factor, the fixed time per step and the Blackwell
attention share. The CPU time is recomputed inside each leave-one-out fold (the 60.4 tok/s
figure is itself a validation row). The error band is the spread of the leave-one-out errors,
kept per maker: NVIDIA GPUs take the band of the NVIDIA rows (the fit); AMD GPUs that band
widened by the AMD rows, which check the estimate without entering the fit (InferenceX: SGLang on
8 MI325X, tensor parallel, decoded at about half its estimate in March 2026 and seven tenths in
September; on MI355X, within a tenth with expert parallelism and prefill elsewhere; AMD's own
benchmark of vLLM on 8 MI355X: within a tenth at 64 users, seven eighths of it at 8).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from . import measured
from .model import ModelConfig
from .presets import Accelerator
from .tight import Kernel, StepWork, TightInputs, best_rates, link_time, max_batch, peak_for, step_work

#: SGLang's CPU time per step without its overlap scheduler (LMSYS 2025-07-17, H200, 2 requests
#: per GPU, 64K context, no MTP, tok/s per GPU).
SGLANG_NO_OVERLAP_TPS = 51.0
SGLANG_OVERLAP_TPS = 60.4  # the same run with the overlap scheduler: the sglang-h200-64k validation row
SGLANG_CPU_BATCH = 2
#: The CPU time per step the overlap scheduler hides: 2 / 51.0 - 2 / 60.4 = 6.1 ms. The
#: validation recomputes it without the 60.4 figure when that row is held out.
CPU_STEP_OVERHEAD_S = SGLANG_CPU_BATCH / SGLANG_NO_OVERLAP_TPS - SGLANG_CPU_BATCH / SGLANG_OVERLAP_TPS

#: The three fitted numbers over the fitted (NVIDIA) decode-only validation rows (calc.validate.fit at the
#: default efficiencies); the schema's defaults. A test keeps them equal to the fit. Each
#: row's own leave-one-out estimate uses numbers fitted without it.
FITTED_OVERHEAD_FACTOR = 1.178
FITTED_STEP_OVERHEAD_MS = 2.480
FITTED_BLACKWELL_ATTENTION_SHARE = 0.41
#: The error band: measured decode throughput has fallen up to this far below / above its
#: leave-one-out estimate, relative to the estimate (calc.validate, default efficiencies), over
#: the NVIDIA deployments. Kept as numbers so the calculator need not re-run the validation; a
#: test keeps them equal.
BAND_ERROR_LOW = 0.2370
BAND_ERROR_HIGH = 0.1432
#: For AMD GPUs: the NVIDIA band widened by the AMD deployments, which check the estimate without
#: entering its fit (five so far: SGLang on 8 MI325X ran at about half the estimate in March 2026 and
#: at seven tenths in September; on MI355X, within a tenth with expert parallelism and at 64 users
#: with tensor parallelism, at seven eighths with 8 users).
BAND_ERROR_LOW_AMD = 0.4807
BAND_ERROR_HIGH_AMD = 0.1432

#: Time of one TP all-reduce beyond its bytes over the link: the smallest message of SGLang's
#: custom all-reduce on 8 GPUs (:data:`calc.measured.ALLREDUCE_LATENCY`, 5.9 us).
ALLREDUCE_LATENCY_S = measured.ALLREDUCE_LATENCY.value

#: Mean of DeepGEMM's M = 4,096 dense shapes over the sustained FP8 peak (1,124 of 1,730): the
#: compute side of large matmuls (:data:`calc.measured.LARGE_GEMM_EFFICIENCY`).
LARGE_GEMM_EFFICIENCY = measured.LARGE_GEMM_EFFICIENCY


@dataclass(frozen=True)
class EstimateInputs:
    """What the estimate adds to the tight model's inputs."""

    moe_imbalance: float = 1.0  # systematic max/mean expert load per GPU after balancing
    overhead_factor: float = 1.0  # step time over the modelled kernels and exposed network
    step_overhead_s: float = 0.0  # fixed time per step the kernels do not explain
    schedule: str = "auto"  # auto | two-batch | vllm-two-batch | single-batch | none
    cpu_overlap: bool = True  # the engine prepares the next step while this one runs
    random_imbalance: bool = True  # add the statistical spread of per-GPU expert load
    blackwell_attention_share: float = FITTED_BLACKWELL_ATTENTION_SHARE  # of Hopper's attention efficiency
    cpu_step_s: float = CPU_STEP_OVERHEAD_S  # CPU time per step where cpu_overlap is off
    #: "typical": each kernel and link at the rate its kind typically reaches (the estimate);
    #: "best": at the bound's best measured rates, so that only the schedule (and the clock)
    #: separates the result from the bound (a step of :func:`stage_throughputs`)
    kernel_rates: str = "typical"

    @classmethod
    def from_params(cls, p: dict) -> "EstimateInputs":
        kw = {}
        if "moe_imbalance" in p:
            kw["moe_imbalance"] = p["moe_imbalance"]
        if "overhead_factor" in p:
            kw["overhead_factor"] = p["overhead_factor"]
        if "step_overhead_ms" in p:
            kw["step_overhead_s"] = p["step_overhead_ms"] * 1e-3
        if "overlap_schedule" in p:
            kw["schedule"] = p["overlap_schedule"]
        if "cpu_overlap" in p:
            kw["cpu_overlap"] = p["cpu_overlap"] == "on"
        if "blackwell_attention_share" in p:
            kw["blackwell_attention_share"] = p["blackwell_attention_share"]
        return cls(**kw)


def fixed_call_time(k: Kernel, gpu: Accelerator, x: TightInputs, best: bool = False) -> float:
    """Seconds one occurrence of ``k`` costs whatever it moves, from a published benchmark of
    the call: with the experts split by TP, the fused MoE call's fixed time
    (:func:`calc.measured.fused_moe_fit` for the GPU's family); nothing for other kernels, and
    nothing at the bound's best rates."""
    if k.kind == "grouped_gemm" and x.moe_parallel == "tp" and not best:
        return measured.fused_moe_fit(gpu.arch)[0]
    return 0.0


def kernel_time(k: Kernel, gpu: Accelerator, x: TightInputs, blackwell_attention_share: float = 1.0,
                best: bool = False) -> tuple[float, str]:
    """Seconds of one occurrence of ``k`` at its typical rates (never above the bound's, so
    the estimate can never beat the bound) and which side of its roofline limits it: the fixed
    time of the call (:func:`fixed_call_time`) plus the slower of its bytes and its FLOPs. With
    ``best``, at the bound's best measured rates instead."""
    peak = peak_for(gpu, k.dtype, x.sustained_clock)
    best_mem, best_comp = best_rates(k, x)
    if best:
        mem_eff, comp_eff = best_mem, best_comp
    elif k.kind == "attention":
        mem_eff, comp_eff = x.mem_efficiency, x.attn_efficiency
        if gpu.arch == "blackwell":
            comp_eff *= blackwell_attention_share
        elif gpu.arch in measured.MEASURED_ATTENTION_SHARE:
            comp_eff *= measured.MEASURED_ATTENTION_SHARE[gpu.arch]()
    elif k.kind == "grouped_gemm":
        mem_eff, comp_eff = measured.grouped_gemm_memory_efficiency(), measured.grouped_gemm_efficiency(k.rows)
        if x.moe_parallel == "tp":
            # experts split by TP: one fused MoE call per layer, its bytes at the rate that GPU
            # family's published kernel benchmark gives (calc.measured.FUSED_MOE)
            mem_eff = measured.fused_moe_fit(gpu.arch)[1]
    else:
        mem_eff, comp_eff = measured.decode_gemm_memory_efficiency(), LARGE_GEMM_EFFICIENCY
        if k.weight_block and gpu.arch in measured.AITER_GEMM_ARCHS:
            # AMD GPUs: block-scaled FP8 matmuls read weights at the rate AMD's own tuned kernels
            # reach at decode sizes and this split (calc.measured.AITER_DECODE_GEMM), not DeepGEMM's
            mem_eff = measured.aiter_decode_gemm_rate(gpu.arch, x.tp) / gpu.hbm_bw
    mem_eff, comp_eff = min(mem_eff, best_mem), min(comp_eff, best_comp)
    fixed = fixed_call_time(k, gpu, x, best)
    tm = k.bytes / (gpu.hbm_bw * mem_eff)
    tc = k.flops / (peak * comp_eff) if k.flops else 0.0
    return (fixed + tm, "memory") if tm >= tc else (fixed + tc, "compute")


def random_imbalance(pairs_per_gpu: float, ep: int) -> float:
    """Busiest over mean load when ``pairs_per_gpu`` token-expert pairs land at random on
    each of ``ep`` GPUs: ``1 + sqrt(2 ln(ep) / N)`` (the largest of ``ep`` near-Poisson
    counts of mean ``N``). EP128 with 512 pairs per GPU: 1.14."""
    if ep <= 1 or pairs_per_gpu <= 0:
        return 1.0
    return 1.0 + math.sqrt(2 * math.log(ep) / pairs_per_gpu)


def schedule_of(e: EstimateInputs, micro_batches: int) -> str:
    if e.schedule != "auto":
        return e.schedule
    return "two-batch" if micro_batches >= 2 else "none"


def estimate(model: ModelConfig, gpu: Accelerator, x: TightInputs, e: EstimateInputs) -> dict:
    """Tokens/s per GPU and per user of the estimate, with the step's timeline for one
    micro-batch pair (``timeline``: stages with their compute, memory and network time)."""
    if x.moe_parallel == "tp" and x.micro_batches > 1:
        # experts split by TP: no all-to-all for a second micro-batch to hide, and engines split
        # the batch only for expert parallelism (SGLang's two-batch overlap needs DeepEP)
        x = replace(x, micro_batches=1)
    cap = max_batch(model, gpu, x)
    b = min(x.batch_per_gpu, math.floor(cap))
    if b <= 0:  # the weights alone fill HBM: nothing to decode
        return {"tokens_per_s_per_gpu": 0.0, "tokens_per_s_per_user": 0.0, "binding": "capacity",
                "step_time_s": 0.0, "modelled_step_time_s": 0.0, "fixed_step_time_s": 0.0, "cpu_step_time_s": 0.0,
                "batch_per_gpu": 0,
                "schedule": schedule_of(e, x.micro_batches), "imbalance": 1.0, "timeline": [],
                "timeline_chart": {"kind": "timeline", "series": [], "lanes": ["compute", "network"],
                                   "lane_labels": {"compute": "Compute stream", "network": "Network"},
                                   "blocks": [], "micro_batches": 1, "x_label": "Time within one layer",
                                   "x_unit": "\u00b5s", "total": 0.0},
                "time_by_resource": {"memory": 0.0, "compute": 0.0, "network": 0.0, "overhead": 0.0}}
    w = step_work(model, gpu, x, b)
    m = w.micro_batches
    sched = schedule_of(e, m)
    k = model.num_experts_per_tok or 1

    def imbalance(tokens: float) -> float:
        # experts split by TP: every GPU holds a slice of every expert and does the same work
        if not model.is_moe or x.moe_parallel == "tp":
            return 1.0
        stat = random_imbalance(tokens * k, x.ep) if e.random_imbalance else 1.0
        return max(stat, 1.0) * e.moe_imbalance

    # time per occurrence by stage, for the main layers and the MTP passes separately
    by_stage: dict[tuple[str, bool], float] = {}
    by_side: dict[tuple[str, bool], dict[str, float]] = {}
    res = {"memory": 0.0, "compute": 0.0, "network": 0.0, "overhead": 0.0}
    # per-call costs measured whole (fused MoE fixed time, all-reduce latency): in the step, but
    # outside the overhead factor, which stands for what the kernel list leaves out
    fixed_total = 0.0
    counts: dict[tuple[str, bool], int] = {}
    main_moe_tokens = w.tokens_per_micro_batch
    mtp_tokens = b / m
    for kk in w.kernels:
        mtp = kk.name.startswith("mtp_")
        tk, side = kernel_time(kk, gpu, x, e.blackwell_attention_share, best=e.kernel_rates == "best")
        fixed_total += fixed_call_time(kk, gpu, x, best=e.kernel_rates == "best") * kk.count * m
        if kk.kind == "grouped_gemm":
            tk *= imbalance(mtp_tokens if mtp else main_moe_tokens)
        key = (kk.stage, mtp)
        by_stage[key] = by_stage.get(key, 0.0) + tk
        sides = by_side.setdefault(key, {"memory": 0.0, "compute": 0.0})
        sides[side] += tk
        counts[key] = kk.count
        res[side] += tk * kk.count * m
    comm = {}
    for c in w.comms:
        mtp = c.name.startswith("mtp_")
        f = imbalance(mtp_tokens if mtp else main_moe_tokens) if c.stage == "moe" else 1.0
        ds, cs = c.dispatch_s, c.combine_s
        if e.kernel_rates == "best" and c.seconds > 0:  # the bound's link rates, split as the estimate splits them
            floor = link_time(gpu, x, c.scale_up_bytes, c.scale_out_bytes)
            ds, cs = floor * ds / c.seconds, floor * cs / c.seconds
        elif c.allreduce and c.seconds > 0:  # each TP all-reduce call also pays its latency
            cs += ALLREDUCE_LATENCY_S
            fixed_total += ALLREDUCE_LATENCY_S * c.count * m
        comm[(c.stage, mtp)] = (ds * f, cs * f, c.count)

    def g(stage: str, mtp: bool = False) -> float:
        return by_stage.get((stage, mtp), 0.0)

    timeline = []
    total = 0.0

    def moe_layer_time(mtp: bool) -> tuple[float, list[dict], float]:
        """One MoE layer (both micro-batches) under the schedule, its stages, and how many
        times the stages repeat in the layer."""
        a0, a1, sh, mlp = g("attn0", mtp), g("attn1", mtp), g("shared", mtp), g("mlp", mtp)
        d, cmb, _ = comm.get(("moe", mtp), (0.0, 0.0, 0))
        ar = comm.get(("attn", mtp), (0.0, 0.0, 0))[1]
        a1 += ar  # an attention all-reduce sits between the core and the experts
        if sched == "two-batch" and m >= 2:
            st = [
                {"stage": "shared + ATTN-0 (other) | dispatch", "compute": sh + a0, "network": d},
                {"stage": "routed experts", "compute": mlp, "network": 0.0},
                {"stage": "ATTN-1 (other) | combine", "compute": a1, "network": cmb},
            ]
            per = sum(max(s["compute"], s["network"]) for s in st)
            return m * per, st, m
        if sched == "vllm-two-batch" and m >= 2:
            # both micro-batches in one pass: each all-to-all under the other micro-batch's work
            st = [
                {"stage": "shared + attention (other) | dispatch", "compute": sh + a0 + a1, "network": d},
                {"stage": "routed experts | dispatch (other)", "compute": mlp, "network": d},
                {"stage": "routed experts (other) | combine", "compute": mlp, "network": cmb},
                {"stage": "shared + attention | combine (other)", "compute": sh + a0 + a1, "network": cmb},
            ]
            per = sum(max(s["compute"], s["network"]) for s in st)
            return m / 2 * per, st, m / 2
        if sched == "single-batch":
            st = [
                {"stage": "ATTN-0", "compute": a0, "network": 0.0},
                {"stage": "ATTN-1", "compute": a1, "network": 0.0},
                {"stage": "shared | dispatch", "compute": sh, "network": d},
                {"stage": "routed experts (gate, up)", "compute": mlp * 2 / 3, "network": 0.0},
                {"stage": "down projection | combine", "compute": mlp / 3, "network": cmb},
            ]
        else:
            st = [
                {"stage": "ATTN-0", "compute": a0, "network": 0.0},
                {"stage": "ATTN-1", "compute": a1, "network": 0.0},
                {"stage": "shared", "compute": sh, "network": 0.0},
                {"stage": "dispatch", "compute": 0.0, "network": d},
                {"stage": "routed experts", "compute": mlp, "network": 0.0},
                {"stage": "combine", "compute": 0.0, "network": cmb},
            ]
        per = sum(max(s["compute"], s["network"]) for s in st)
        return m * per, st, m

    def exposed_network(stages: list[dict]) -> float:
        return sum(max(0.0, s["network"] - s["compute"]) for s in stages)

    def bound(stage: str) -> str:
        sd = by_side.get((stage, False), {"memory": 0.0, "compute": 0.0})
        return "compute" if sd["compute"] > sd["memory"] else "memory"

    n_moe = model.n_moe_layers if model.is_moe else 0
    n_dense = model.num_hidden_layers - n_moe
    if n_moe:
        lt, st, reps = moe_layer_time(False)
        total += n_moe * lt
        res["network"] += n_moe * reps * exposed_network(st)
        timeline = st
    if n_dense:
        ar = comm.get(("attn", False), (0.0, 0.0, 0))[1]
        dar = comm.get(("dense", False), (0.0, 0.0, 0))[1]  # the FFN's TP all-reduce
        per = g("attn0") + g("attn1") + ar + g("dense") + dar
        total += n_dense * m * per
        res["network"] += n_dense * m * (ar + dar)
        if not timeline:
            timeline = [{"stage": "attention", "compute": g("attn0") + g("attn1"), "network": ar},
                        {"stage": "feed-forward", "compute": g("dense"), "network": dar}]
    total += m * g("head")
    if w.mtp:
        passes = counts.get(("attn0", True), 1)
        if model.is_moe:
            lt, st, reps = moe_layer_time(True)
            res["network"] += passes * reps * exposed_network(st)
        else:
            lt = m * (g("attn0", True) + g("attn1", True) + g("dense", True))
        total += passes * (lt + m * g("head", True))
    modelled = total
    fixed_total = min(fixed_total, total)
    over = (total - fixed_total) * (e.overhead_factor - 1) + e.step_overhead_s
    total += over
    res["overhead"] += over
    if not e.cpu_overlap:
        total += e.cpu_step_s
        res["overhead"] += e.cpu_step_s
    # the resource that takes most of the step (exposed network only; kernels by their limiting side)
    binding = max(("memory", "compute", "network"), key=lambda r: res[r])
    chart = _timeline_chart(sched if n_moe else "dense", m, g, bound, comm.get(("moe", False), (0.0, 0.0, 0)),
                            comm.get(("attn", False), (0.0, 0.0, 0))[1])
    return {
        "tokens_per_s_per_gpu": b * x.accept_length / total,
        "tokens_per_s_per_user": x.accept_length / total,
        "step_time_s": total,
        "modelled_step_time_s": modelled,
        "fixed_step_time_s": fixed_total,
        "cpu_step_time_s": 0.0 if e.cpu_overlap else e.cpu_step_s,
        "batch_per_gpu": b,
        "binding": binding,
        "schedule": sched,
        "imbalance": imbalance(main_moe_tokens),
        "timeline": timeline,
        "timeline_chart": chart,
        "time_by_resource": res,
    }


#: The steps from the tight bound to the estimate, in order (:func:`steps_from_bound`).
BOUND_TO_ESTIMATE = ("gap_schedule", "gap_clock", "gap_kernel_rates", "gap_expert_load", "gap_overheads")


def stage_throughputs(model: ModelConfig, gpu: Accelerator, x: TightInputs, e: EstimateInputs) -> list[float]:
    """Tokens/s per GPU between the tight bound and the estimate, one loss switched on at a
    time (the bound and the estimate themselves are the caller's):

    1. the estimate's schedule with every kernel and link at the bound's best rates and the
       boost clock, no load imbalance, no overheads: kernels one after another, the
       micro-batches (each reads the weights), the network the schedule leaves exposed;
    2. the same at ``x``'s clock (the sustained clock unless switched off), after the
       schedule so that it counts only where arithmetic is on the step's path;
    3. each kind of kernel and link at its typical rate (DeepGEMM's decode shapes, DeepEP at
       the EP size, the Blackwell attention share);
    4. with uneven expert load.

    The estimate adds the overheads (factor, fixed time per step, CPU time where not hidden).
    Each step can only lower throughput; the overheads can raise it only where a factor
    below one is given."""
    sched = replace(e, kernel_rates="best", random_imbalance=False, moe_imbalance=1.0, overhead_factor=1.0,
                    step_overhead_s=0.0, cpu_overlap=True)
    rates = replace(sched, kernel_rates="typical")
    load = replace(rates, random_imbalance=e.random_imbalance, moe_imbalance=e.moe_imbalance)
    return [estimate(model, gpu, xx, ee)["tokens_per_s_per_gpu"]
            for xx, ee in ((replace(x, sustained_clock=False), sched), (x, sched), (x, rates), (x, load))]


def step_factors(throughputs: list[float], keys) -> dict:
    """Each throughput over the one before it, under ``keys`` (one fewer than the
    throughputs), rounded to 12 digits so that a step that changes nothing reads exactly one;
    ``None`` after a zero."""
    return {k: (round(throughputs[i + 1] / throughputs[i], 12) if throughputs[i] > 0 else None)
            for i, k in enumerate(keys)}


def steps_from_bound(model: ModelConfig, gpu: Accelerator, x: TightInputs, e: EstimateInputs,
                     tight_tokens_per_s: float, estimate_tokens_per_s: float) -> dict:
    """The steps of :func:`stage_throughputs` from the given tight bound to the given
    estimate (both for ``x`` and ``e``), as factors on tokens/s whose product is estimate /
    tight; every factor is ``None`` where the bound is zero (nothing fits)."""
    ys = [tight_tokens_per_s, *stage_throughputs(model, gpu, x, e), estimate_tokens_per_s]
    return step_factors(ys, BOUND_TO_ESTIMATE)


_STAGE_LABEL = {"attn0": "ATTN-0", "attn1": "ATTN-1", "shared": "shared expert", "mlp": "routed experts",
                "dense": "feed-forward"}


def _timeline_chart(sched: str, m: int, g, bound, moe_comm: tuple, attn_ar: float) -> dict:
    """One layer of the step as blocks on two lanes, the compute stream and the network, per
    micro-batch, before the fitted overheads: DeepSeek's decode pipeline
    (profile-data decode.jpg) for two micro-batches, the engine's order otherwise. Times in
    microseconds (the chart's unit)."""
    us = 1e6
    d, cmb = moe_comm[0], moe_comm[1]
    blocks: list[dict] = []
    t = 0.0

    def comp(stage: str, mb: int, start: float, dur: float | None = None, label: str | None = None) -> float:
        dur = g(stage) if dur is None else dur
        blocks.append({"lane": "compute", "start": start * us, "end": (start + dur) * us,
                       "label": label or _STAGE_LABEL[stage], "micro_batch": mb, "bound": bound(stage)})
        return start + dur

    def net(label: str, mb: int, start: float, dur: float) -> float:
        if dur > 0:
            blocks.append({"lane": "network", "start": start * us, "end": (start + dur) * us, "label": label,
                           "micro_batch": mb, "bound": "network"})
        return start + dur

    if sched == "two-batch" and m >= 2:
        for h in (0, 1):
            o = 1 - h
            e1 = comp("attn0", o, comp("shared", h, t))
            t = max(e1, net("dispatch", h, t, d))
            t = comp("mlp", h, t)
            e3 = comp("attn1", o, t, g("attn1") + attn_ar)
            t = max(e3, net("combine", h, t, cmb))
    elif sched == "vllm-two-batch" and m >= 2:
        # vLLM's dual-batch overlap (docs/design/dbo.md): the micro-batches swap at each all-to-all
        def attention(mb: int, start: float) -> float:
            return comp("attn1", mb, comp("attn0", mb, comp("shared", mb, start)), g("attn1") + attn_ar)

        t = max(attention(1, t), net("dispatch", 0, t, d))
        t = max(comp("mlp", 0, t), net("dispatch", 1, t, d))
        t = max(comp("mlp", 1, t), net("combine", 0, t, cmb))
        t = max(attention(0, t), net("combine", 1, t, cmb))
    elif sched == "dense":
        t = comp("attn0", 0, t)
        t = comp("attn1", 0, t)
        t = max(t, net("all-reduce", 0, t, attn_ar)) if attn_ar else t
        t = comp("dense", 0, t)
    else:
        t = comp("attn0", 0, t)
        t = comp("attn1", 0, t)
        if attn_ar:
            t = net("all-reduce", 0, t, attn_ar)
        if sched == "single-batch":
            e1 = comp("shared", 0, t)
            t = max(e1, net("dispatch", 0, t, d))
            t = comp("mlp", 0, t, g("mlp") * 2 / 3, "experts: gate, up")
            e2 = comp("mlp", 0, t, g("mlp") / 3, "experts: down")
            t = max(e2, net("combine", 0, t, cmb))
        else:
            t = comp("shared", 0, t)
            t = net("dispatch", 0, t, d)
            t = comp("mlp", 0, t)
            t = net("combine", 0, t, cmb)
    return {
        "kind": "timeline", "series": [], "lanes": ["compute", "network"],
        "lane_labels": {"compute": "Compute stream", "network": "Network"},
        "blocks": blocks, "micro_batches": m if sched in ("two-batch", "vllm-two-batch") else 1,
        "x_label": "Time within one layer", "x_unit": "\u00b5s", "total": t * us,
    }


def work_of(model: ModelConfig, gpu: Accelerator, x: TightInputs) -> StepWork:
    return step_work(model, gpu, x, min(x.batch_per_gpu, math.floor(max_batch(model, gpu, x))))
