"""Measured deployments, and the bounds and the estimate held against them.

Each row is a published per-GPU output throughput with the settings its source states
(``stated``) and what we had to assume (``assumed``). Two groups:

* ``decode``: decode measured on its own (prefill elsewhere, or the decode phase isolated).
  The targets count only these.
* ``mixed``: prefill and decode on the same GPUs in an offline run (MLPerf, a day of
  production). Their output rate is below what the same GPUs would decode alone, by the share
  of time spent in prefill, which this module does not model for them; they are shown for
  reference and the targets do not count them. (Serving benchmarks that report a time per
  output token, InferenceX's, are decode rows: their estimate adds the prefill pauses that time
  counts, :func:`prefill_pause_s`.)

**Bounds.** Where a source leaves a setting out, the tight bound is the *highest* over the
values that existed at the time (a bound must stay above every measurement): the batch is
"as many as fit in HBM" unless the measured batch is published; where a source gives a range
(Ant Group's accept lengths 1.8-1.9 and 2.4-2.7), its top; Multi-Token Prediction off or at
accept length 1.9 (the top of DeepSeek's 85-90%, V3 report 5.4.3) where it may have been
used; BF16 and FP8 cache only where an FP8 cache existed (FlashMLA had none before September
2025). Where a figure may count one token per step with MTP on (LMSYS's derivation from
DeepSeek's profile), the bound is also checked in that counting. Settings that give the same
bound to 1e-9 are reported as a tie, not as a winner.

**Estimate.** One choice per unknown (``estimate_settings``, said in ``assumed``): the middle
of a stated range, the batch a source's own scripts use. Three numbers are fitted by least
squares on the relative error of the step time over the fitted decode rows, those on NVIDIA GPUs
(:func:`fit_estimate`; a row with ``fitted=False``, on an AMD GPU, checks the estimate only):
a factor on the modelled step (``overhead_factor``), a fixed time per step
(``step_overhead_s``) and the share of Hopper's attention efficiency reached on Blackwell
(``blackwell_attention_share``, on a grid of 0.01). The CPU time per step an engine leaves
exposed comes from SGLang's 51.0 against 60.4 tok/s; 60.4 is a row here, so in the fold
without it the CPU time is 51.0's step minus that fold's own estimate of the row. Each row's
*leave-one-out* estimate uses numbers fitted without it and without every other row from the same
source (sibling loads of one benchmark share an engine and a setup), and the errors reported are
those.
Where a row's figure is a time per output token with prefill on the same GPUs (InferenceX), its
estimate adds the pauses while newcomers' prompts are prefilled, at the prefill estimate's rate
(:func:`prefill_pause_s`); the fit treats them as known, like the CPU time. Where the benchmark
also publishes its mean time to first token, that time caps the prefill of a newcomer's prompt,
and the row reports the estimate with each newcomer's whole first-token time as a pause
(:func:`max_prefill_pause_s`): how far the pauses could move it at most.
The estimate's error band is the range of the leave-one-out errors, kept per maker: the NVIDIA
rows give NVIDIA GPUs theirs; for AMD GPUs the AMD rows widen it (one row cannot say how far
above its estimate a deployment may land).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache

from . import measured
from .cost import DeepSeekDay, DeepSeekTraffic
from .decode import speed_of_light
from .estimate import (BOUND_TO_ESTIMATE, CPU_STEP_OVERHEAD_S, SGLANG_CPU_BATCH, SGLANG_NO_OVERLAP_TPS,
                       EstimateInputs, estimate, stage_throughputs, step_factors)
from .presets import GPUS, MODELS, Accelerator
from .schema import describe
from .tight import TightInputs, largest_batch_at_speed, max_batch, tight_bound

FILL_HBM = 10**9  # batch request meaning "as many as fit"; the bound caps it at HBM capacity
MTP_ACCEPT_TOP = measured.MTP_ACCEPT_TOP  # DeepSeek V3 report 5.4.3: second token accepted 85-90%
MTP_ACCEPT_TYPICAL = measured.MTP_ACCEPT_TYPICAL
FEB_KERNEL = dict(attn_efficiency=round(measured.ATTENTION_EFFICIENCY_FEB, 4))  # FlashMLA before 2025-04-22

_DAY, _TRAFFIC = DeepSeekDay(), DeepSeekTraffic()  # DeepSeek's published day (Day-6 overview)

#: Targets printed by ``validate`` (issue 7, section 4).
TARGET_GEOMEAN = 0.5
TARGET_MAX_ERROR = 0.25
TARGET_MAPE = 0.15


@dataclass(frozen=True)
class Deployment:
    key: str
    label: str
    gpu: str
    measured_tokens_per_s_per_gpu: float
    source: str
    settings: dict = field(default_factory=dict)
    stated: str = ""
    assumed: str = ""
    model: str = "deepseek-v3"
    unknown: dict = field(default_factory=dict)  # setting -> values tried; the bound takes the highest
    estimate_settings: dict = field(default_factory=dict)  # the estimate's choice among the unknowns
    estimate_inputs: dict = field(default_factory=dict)  # EstimateInputs fields the source states
    per_user: float = 0.0  # stated tokens/s per user: the estimate's batch is the one that gives it
    gpu_overrides: dict = field(default_factory=dict)  # e.g. fewer NICs per GPU than the preset
    group: str = "decode"  # "decode" or "mixed" (prefill on the same GPUs)
    date: str = ""
    cpu_reference: bool = False  # the overlap-scheduler run the CPU time per step is derived from
    steps_counted_if_mtp: bool = False  # the figure may count one token per step even with MTP on
    #: the engine's own overlap order where the estimate keeps another: shown beside it, not fitted
    documented_schedule: str = ""
    #: False: the row checks the estimate but does not enter the fitted numbers or the NVIDIA band
    #: (an AMD deployment: the kernel rates and overheads come from NVIDIA GPUs and engines)
    fitted: bool = True
    #: what the measured figure is, as the page tags the row ("" : from the group)
    measure: str = ""
    #: where the figure is a time per output token with prefill on the same GPUs: the mean
    #: prompt and output lengths, so that the estimate adds the pauses while newcomers' prompts
    #: are prefilled (:func:`prefill_pause_s`); empty where decode runs alone
    interleaved_prefill: dict = field(default_factory=dict)
    #: the benchmark's own mean time to first token at the same load, where it publishes one: a
    #: newcomer's prompt is prefilled within it, so it caps the pauses (:func:`max_prefill_pause_s`)
    first_token_s: float = 0.0
    #: rows held out together in the leave-one-out fit, where they share more than a source (the
    #: same recipe run on another GPU); empty: the rows of the same source
    holdout: str = ""


_LMSYS_EP = "LMSYS blog 2025-05-05, 'Deploying DeepSeek with PD Disaggregation and Large-scale Expert Parallelism on 96 H100 GPUs'"
_LMSYS_GB1 = "LMSYS blog 2025-06-16, 'Deploying DeepSeek on GB200 NVL72 with PD and Large Scale EP (Part I)'"
_LMSYS_GB2 = "LMSYS blog 2025-09-25, 'Deploying DeepSeek on GB200 NVL72 with PD and Large Scale EP (Part II)'"
_LMSYS_MTP = "LMSYS blog 2025-07-17, 'Accelerating SGLang with Multiple Token Prediction' (16 x H200, 2 requests per GPU)"
_LMSYS_ANT = "LMSYS blog 2025-09-26, 'Together with SGLang: Best Practices for Serving DeepSeek-R1 on H20-96G' (Ant Group)"
_H20_2NIC = dict(scale_out_bw=4 * 400e9 / 8 / 8)  # "RDMA NIC Bandwidth 4 x 400 Gb/s" per 8-GPU node
_SGLANG_SPEC_NO_OVERLAP = ("SGLang's speculative decoding did not yet run with the overlap scheduler "
                           "(LMSYS 2025-07-17), so the CPU step time is not hidden")

#: SemiAnalysis InferenceX runs: 8 GPUs, prefill and decode on the same GPUs, a fixed concurrency;
#: request lengths uniform in [0.8 L, L] (--random-range-ratio 0.8, .github/workflows/benchmark-tmpl.yml).
_INFX_H200 = ("SemiAnalysis InferenceX, published results of 2026-05-17 for dsr1-fp8-h200-sglang (producer run "
              "25980019087), as quoted from its API in SemiAnalysisAI/InferenceX PR #3288; flags in "
              "benchmarks/single_node/dsr1_fp8_h200.sh at ed5867f9e")
_INFX_B200 = ("SemiAnalysis InferenceX, published results of 2026-05-22 for dsr1-fp8-b200-sglang, as quoted from "
              "its API in SemiAnalysisAI/InferenceX PR #3363; flags in benchmarks/single_node/dsr1_fp8_b200.sh "
              "at ed5867f9e")
_INFX_MI325X = ("SemiAnalysisAI/InferenceX issue #890 (2026-03-08), dsr1-fp8-mi325x-sglang at concurrency 8 "
                "(workflow run 22811631118); flags in benchmarks/single_node/dsr1_fp8_mi325x.sh at 85d5f0e67")
_INFX_MI355X_DISAGG = ("SemiAnalysisAI/InferenceX PR #666 (merged 2026-02-19), results table: dsr1 FP8 1024/1024 on "
                       "MI355X-DISAGG with SGLANG-DISAGG, decode TP 1, EP 8, DP attention, 2 workers, 16 GPUs, "
                       "concurrency 256, 'TPOT (ms) (new)' 41.6448; flags in .github/configs/amd-master.yaml "
                       "(dsr1-fp8-mi355x-sglang-disagg) and benchmarks/multi_node/amd_utils/models.yaml (DeepSeek-R1) at "
                       "8d81e0bf4")
_INFX_1K1K = "1,024 input and 1,024 output tokens drawn from 80-100% of those lengths"
_INFX_MEAN_LEN = 922  # mean of a uniform whole number in [819, 1024]: 921.5
_INFX_1K1K_CONTEXT = _INFX_MEAN_LEN + _INFX_MEAN_LEN // 2  # the prompt and half the output
_INFX_ASSUMED = ("decode speed per GPU = concurrent requests / mean time per output token / 8 GPUs, so it "
                 "includes the pauses while newcomers' prompts are prefilled (one per user about every "
                 f"{_INFX_MEAN_LEN:,} steps); average context {_INFX_1K1K_CONTEXT:,} (mean prompt "
                 f"{_INFX_MEAN_LEN:,} + half the mean output)")
_INFX_MEASURE = "decode speed from the time per output token, prefill on the same GPUs"
_INFX_TP8 = dict(ep=8, tp=8, moe_parallel="tp", micro_batches=1, seq_len=_INFX_1K1K_CONTEXT, accept_length=1.0)


_INFX_PREFILL = dict(prompt_len=_INFX_MEAN_LEN, output_len=_INFX_MEAN_LEN, gpus=8)
#: the 8K/1K runs: prompts uniform in [6553, 8192] (mean 7372.5), outputs as in 1K/1K
_INFX_8K1K = "8,192 input and 1,024 output tokens drawn from 80-100% of those lengths"
_INFX_8K_PROMPT = 7373
_INFX_8K1K_CONTEXT = _INFX_8K_PROMPT + _INFX_MEAN_LEN // 2
_INFX_8K_ASSUMED = ("decode speed per GPU = concurrent requests / mean time per output token / 8 GPUs, so it "
                    "includes the pauses while newcomers' prompts are prefilled (one per user about every "
                    f"{_INFX_MEAN_LEN:,} steps); average context {_INFX_8K1K_CONTEXT:,} (mean prompt "
                    f"{_INFX_8K_PROMPT:,} + half the mean output)")
_INFX_8K_PREFILL = dict(prompt_len=_INFX_8K_PROMPT, output_len=_INFX_MEAN_LEN, gpus=8)
_INFX_B300 = ("SemiAnalysis InferenceX, published results of 2026-05-22 for dsr1-fp8-b300-sglang, as quoted from "
              "its API in SemiAnalysisAI/InferenceX PR #3175; flags in benchmarks/single_node/dsr1_fp8_b300.sh "
              "at ed5867f9e (the B200 recipe)")
_ATOM_MI355X = ("ROCm/ATOM PR #409 (merged 2026-03-29), results table of workflow run 23703564227: 'DeepSeek-R1 "
                "FP8 TP8', 1024/1024, ratio 0.8; runner atom-mi355-8gpu and flags in .github/benchmark/"
                "oot_benchmark_models.json and .github/scripts/atom_oot_test.sh at 0079204e")
_ATOM_STATED = ("DeepSeek-R1-0528 FP8, vLLM with AMD's ATOM plugin (image rocm/atom-dev:vllm-latest), tensor parallel "
                "over 8 GPUs, --kv-cache-dtype fp8, --async-scheduling, CUDA graphs FULL_AND_PIECEWISE, INT4 "
                "quick all-reduce (AITER_QUICK_REDUCE_QUANTIZATION=INT4), no speculative decoding; ")
_ATOM_ASSUMED = ("decode speed per GPU = concurrent requests / mean time per output token / 8 GPUs, so it includes "
                 "the pauses while newcomers' prompts are prefilled; request lengths as in InferenceX's 1K/1K "
                 "(kimbochen/bench_serving's benchmark_serving.py, random range ratio 0.8, as InferenceX runs it); "
                 "the all-reduce at the latency and rate of SGLang's BF16 one (INT4 quick all-reduce sends a "
                 "quarter of the bytes); checked, not fitted")
_INFX_MI325X_SEP = ("SemiAnalysis InferenceX, published results of 2026-09-10 for dsr1-fp8-mi325x-sglang (image "
                    "lmsysorg/sglang:v0.5.19-rocm700-mi30x), as quoted from its API in SemiAnalysisAI/InferenceX PR "
                    "#3318; flags in benchmarks/single_node/fixed_seq_len/dsr1_fp8_mi325x.sh at 843c6254f, "
                    "unchanged by the image update (PR #2949)")


def _infx_tok_s(concurrency: int, tpot_s: float, gpus: int = 8) -> float:
    """Decode tokens/s per GPU from a serving benchmark's mean time per output token."""
    return concurrency / tpot_s / gpus


DEPLOYMENTS: tuple[Deployment, ...] = (
    Deployment(
        "deepseek-production", "DeepSeek production, H800", "h800", _DAY.decode_tokens_per_s_per_node / _DAY.gpus_per_node,
        "deepseek-ai/open-infra-index, Day-6 overview (2025-03-01): 14.8k tok/s per node, 24 h average",
        dict(ep=_TRAFFIC.decode_ep, redundant_experts=_TRAFFIC.redundant_experts, seq_len=_TRAFFIC.avg_kv_len,
             batch_per_gpu=FILL_HBM, micro_batches=2, **FEB_KERNEL),
        "EP144 with DP attention, 32 redundant experts, two micro-batches in a 5-stage pipeline, core MLA in BF16, "
        "average KV length 4,989, 20-22 tok/s per user, 24 h average",
        "bound: as many sequences as fit, MTP off or at accept length 1.9, BF16 cache (FlashMLA had no FP8 cache "
        "then); estimate: the batch that gives 21 tok/s per user, MTP off (the overview describes the system in "
        "detail and does not mention it), the first FlashMLA kernel (580 TFLOPS)",
        unknown=dict(accept_length=(1.0, MTP_ACCEPT_TOP)), estimate_settings=dict(accept_length=1.0),
        per_user=_TRAFFIC.tokens_per_s_per_user_mid, date="2025-02-27",
    ),
    Deployment(
        "deepseek-profile", "DeepSeek profile, H800", "h800", 18_598 / 8,
        "deepseek-ai/profile-data README; throughput 18,598 tok/s per node derived by LMSYS (blog 2025-05-05)",
        dict(ep=128, seq_len=4096, batch_per_gpu=128, micro_batches=2, **FEB_KERNEL),
        "EP128, TP1, 128 requests per GPU, 4K prompt, two micro-batches, perfectly balanced routing simulated",
        "bound: MTP off or at accept length 1.9, redundant experts 0 or 32; LMSYS does not say how it counted "
        "tokens, so with MTP on the figure may be one token per step: the bound is then also checked in that "
        "counting (tokens per step 1, MTP's work still done); estimate: MTP off and 32 redundant experts (as in "
        "production), the first FlashMLA kernel, no random load spread (routing balanced by design)",
        unknown=dict(accept_length=(1.0, MTP_ACCEPT_TOP), redundant_experts=(0, 32)),
        estimate_settings=dict(accept_length=1.0, redundant_experts=32),
        estimate_inputs=dict(random_imbalance=False), steps_counted_if_mtp=True, date="2025-03-21",
    ),
    Deployment(
        "sglang-h100-ep72", "SGLang, 96 x H100 (decode EP72)", "h100", 22_282 / 8, _LMSYS_EP + ": 22,282 tok/s per node",
        dict(ep=72, redundant_experts=32, seq_len=2050, batch_per_gpu=256, micro_batches=2, accept_length=1.0),
        "9 decode nodes, EP72 with DP attention, 256 requests per GPU, 2,000 input and 100 output tokens, "
        "two-batch overlap, DeepEP low-latency mode, EPLB with 32 redundant experts, no MTP",
        "average context 2,050 (2,000 prompt + half of 100 outputs); BF16 cache (SGLang's default, not stated)",
        date="2025-05-05",
    ),
    Deployment(
        "sglang-gb200-bf16", "SGLang, GB200 NVL72, BF16 attention", "gb200", 7583, _LMSYS_GB1,
        dict(ep=48, redundant_experts=32, seq_len=2050, batch_per_gpu=FILL_HBM, accept_length=1.0),
        "12 decode trays of 4 GPUs (48 ranks), 2,000-token inputs, no MTP, BF16 attention and cache, "
        "two-batch overlap off",
        "batch: as many as fit (the figure gives it, the text does not); 32 redundant experts; output 100 tokens",
        date="2025-06-16",
    ),
    Deployment(
        "sglang-gb200-bf16-v2", "SGLang, GB200 NVL72, BF16 attention (Part II)", "gb200", 9087, _LMSYS_GB2,
        dict(ep=48, redundant_experts=32, seq_len=2050, batch_per_gpu=FILL_HBM, accept_length=1.0),
        "48 decode ranks, 2,000-token inputs, BF16 attention and FP8 MoE, combine overlapped with the down "
        "projection and the shared experts, no MTP",
        "batch: as many as fit (1,408 would not fit a BF16 cache); 32 redundant experts; output 100 tokens",
        estimate_inputs=dict(schedule="single-batch"), date="2025-09-25",
    ),
    Deployment(
        "sglang-gb200-fp4", "SGLang, GB200 NVL72, FP8 attention + NVFP4 MoE", "gb200", 13_386, _LMSYS_GB2,
        dict(ep=48, redundant_experts=32, seq_len=2050, batch_per_gpu=1408, accept_length=1.0, kv_dtype="fp8",
             attn_dtype="fp8", expert_dtype="fp4"),
        "48 decode ranks, 1,408 requests per rank, 2,000-token inputs, FP8 attention and cache, NVFP4 experts, "
        "combine overlapped with the down projection and the shared experts, no MTP",
        "32 redundant experts; output 100 tokens; matmuls outside the experts in FP8",
        estimate_inputs=dict(schedule="single-batch"), date="2025-09-25",
    ),
    Deployment(
        "sglang-h200-64k", "SGLang, 16 x H200, 64K context, overlap scheduler", "h200", 60.4, _LMSYS_MTP,
        dict(ep=16, seq_len=65_536 + 2_048, batch_per_gpu=2, accept_length=1.0),
        "2 requests per GPU, 65,536 input and 4,096 output tokens, overlap scheduling on, no MTP",
        "EP16 with DP attention over the two decode nodes (not stated); average context 67,584; BF16 cache",
        cpu_reference=True, date="2025-07-17",
    ),
    Deployment(
        "sglang-h200-64k-mtp", "SGLang, 16 x H200, 64K context, MTP", "h200", 81.5, _LMSYS_MTP,
        dict(ep=16, seq_len=65_536 + 2_048, batch_per_gpu=2, accept_length=2.18, verify_tokens=3),
        "2 requests per GPU, 65,536 input and 4,096 output tokens, MTP with a 3-token window (2.18 accepted "
        "on average), overlap scheduling off",
        "EP16 with DP attention (not stated); BF16 cache; " + _SGLANG_SPEC_NO_OVERLAP,
        estimate_inputs=dict(cpu_overlap=False), date="2025-07-17",
    ),
    Deployment(
        "sglang-kimi-k2-h200", "SGLang, Kimi K2, 96 x H200 decode", "h200", 288_000 / 96,
        "LMSYS blog 2025-07-20, 'Deploying Kimi K2 with PD Disaggregation and Large-Scale Expert Parallelism on "
        "128 H200 GPUs': 288k tok/s over 12 decode nodes",
        dict(ep=96, redundant_experts=96, seq_len=2050, batch_per_gpu=480, accept_length=1.0, micro_batches=2),
        "12 decode nodes, 96 redundant experts, DeepEP low-latency mode, EPLB, 2,000 input and 100 output "
        "tokens, decode batch 480",
        "batch 480 per GPU (3,000 tok/s per GPU at 480 in total would mean 600 tok/s per user); two-batch "
        "overlap as in SGLang's DeepSeek recipe; BF16 cache; no MTP",
        model="kimi-k2", date="2025-07-20",
    ),
    Deployment(
        "vllm-h200-ep32", "vLLM (llm-d), H200, decode EP32", "h200", 2200,
        "vLLM blog 2025-12-17, 'vLLM Large Scale Serving: DeepSeek @ 2.2k tok/s/H200 with Wide-EP': \"a "
        "sustained throughput of 2.2k tokens/s per H200 GPU\"; decode chart from llm-d's v0.3 blog (2025-10-10); "
        "settings from llm-d's wide-EP guide of the same day (llm-d/llm-d, guides/wide-ep-lws/manifests/"
        "modelserver/base/decode.yaml at 116093b, flags from 'Update WideEP well-lit-path with benchmarking "
        "configs', #290)",
        dict(ep=32, seq_len=2000 + 1000, batch_per_gpu=256, micro_batches=2, redundant_experts=32),
        "DeepSeek-R1, prefill and decode on separate GPUs, decode chart 'Output Tok/Sec/GPU' at EP32 (its bar "
        "reads about 2,180), 2,000 input and 2,000 output tokens on average, 256 concurrent requests per EP "
        "rank, CoreWeave H200 with ConnectX-7 InfiniBand; the guide's decode command: data-parallel attention "
        "(--tensor-parallel-size 1), --enable-dbo (dual-batch overlap), --async-scheduling, --enable-eplb with "
        "'num_redundant_experts':'32', CUDA graphs FULL_DECODE_ONLY, VLLM_ALL2ALL_BACKEND=deepep_low_latency, "
        "VLLM_USE_DEEP_GEMM=1; no --kv-cache-dtype (vLLM's default, a BF16 cache for this model) and no "
        "speculative decoding (MTP off)",
        "average context 3,000 (2,000 prompt + half of 2,000 outputs); the guide's manifest runs two nodes "
        "(EP16): the EP32 run is taken to use the same flags; the estimate overlaps the two micro-batches in "
        "DeepSeek's order (deepseek-ai/profile-data), the one published two-batch decode trace with a time "
        "axis: vLLM's own order (docs/design/dbo.md) also runs each micro-batch's experts under the other's "
        "all-to-all and hides more (the row shows that estimate too), but its trace has no time axis to say "
        "how much it achieves; the estimate's overheads come mostly from DeepSeek's and SGLang's engines",
        model="deepseek-r1", date="2025-10-10", documented_schedule="vllm-two-batch",
    ),
    Deployment(
        "vllm-gb200-ep8", "vLLM, GB200, decode DP8 + EP8", "gb200", 10_108,
        "vLLM blog 2026-02-03, 'Driving vLLM WideEP and Large-Scale Serving Toward Maturity on Blackwell "
        "(Part I)': \"10.1K decode TPGS on GB200\" (10,108 in its chart); its reproduction (vLLM issue 33583) "
        "keeps the launch command, log and average in minosfuture/vllm, runs/DS-R1/fp4/report/",
        dict(ep=8, seq_len=2000 + 1000, batch_per_gpu=1024, accept_length=1.0, kv_dtype="fp8", attn_dtype="fp8",
             expert_dtype="fp4", micro_batches=1),
        "DeepSeek-R1-0528 in NVFP4 (experts and output projection), one decode instance of 8 GB200 with "
        "data-parallel attention and EP8, prefill on 8 other GPUs, 2,000 input and 2,000 output tokens; the "
        "figure is the log's per-GPU generation rate averaged over the steps with 1,024 requests running; FP8 "
        "cache with FlashInfer's MLA kernel, no MTP, 32 of the 256 experts on each GPU (no redundant experts, no "
        "EPLB), no dual-batch overlap, experts reached by all-gather and reduce-scatter instead of DeepEP",
        "average context 3,000 (2,000 prompt + half of 2,000 outputs); attention in FP8: with an FP8 cache "
        "vLLM quantizes the decode query to FP8 before the kernel (vllm/v1/attention/backends/mla/common.py); "
        "the all-gather and reduce-scatter counted as DeepEP low-latency messages (at EP8 their bytes are 0.85 "
        "of those with an NVFP4 all-gather, 1.3 times with a BF16 one); no load imbalance beyond the random "
        "spread (without EPLB there is more, and no figure is published); matmuls outside the experts, the "
        "output projection included, in FP8",
        model="deepseek-r1", date="2026-02-03",
    ),
    Deployment(
        "ant-h20-bs48", "SGLang at Ant Group, H20, 48 per GPU, MTP", "h20", 714, _LMSYS_ANT,
        dict(ep=16, seq_len=4096 + 768, batch_per_gpu=48, accept_length=1.9, verify_tokens=2, kv_dtype="fp8",
             attn_dtype="fp8"),
        "attention DP16 + EP16 on 2 nodes, DeepEP low-latency mode, 4,096 input and 1,536 output tokens, "
        "48 requests per GPU, MTP with one draft (accept length 1.8-1.9), FP8 attention, single-batch overlap, "
        "4 x 400 Gb/s NICs per node",
        "bound: accept length 1.9, the top of the stated range; estimate: 1.85, its middle; FP8 cache with the FP8 "
        "attention; average context 4,864; " + _SGLANG_SPEC_NO_OVERLAP,
        model="deepseek-r1", gpu_overrides=_H20_2NIC, estimate_settings=dict(accept_length=1.85),
        estimate_inputs=dict(schedule="single-batch", cpu_overlap=False), date="2025-09-26",
    ),
    Deployment(
        "ant-h20-bs32", "SGLang at Ant Group, H20, 32 per GPU, MTP", "h20", 675, _LMSYS_ANT,
        dict(ep=16, seq_len=4096 + 768, batch_per_gpu=32, accept_length=1.9, verify_tokens=2, kv_dtype="fp8",
             attn_dtype="fp8"),
        "as the 48-per-GPU row, with 32 requests per GPU",
        "as the 48-per-GPU row (bound at accept length 1.9, estimate at 1.85)",
        model="deepseek-r1", gpu_overrides=_H20_2NIC, estimate_settings=dict(accept_length=1.85),
        estimate_inputs=dict(schedule="single-batch", cpu_overlap=False), date="2025-09-26",
    ),
    Deployment(
        "ant-h20-bs12", "SGLang at Ant Group, H20, 12 per GPU, 2-draft MTP", "h20", 423, _LMSYS_ANT,
        dict(ep=16, seq_len=4096 + 768, batch_per_gpu=12, accept_length=2.7, verify_tokens=3, kv_dtype="fp8",
             attn_dtype="fp8"),
        "as the 48-per-GPU row, with 12 requests per GPU and two drafts per step (accept length 2.4-2.7)",
        "bound: accept length 2.7, the top of the stated range; estimate: 2.55, its middle; otherwise as the "
        "48-per-GPU row",
        model="deepseek-r1", gpu_overrides=_H20_2NIC, estimate_settings=dict(accept_length=2.55),
        estimate_inputs=dict(schedule="single-batch", cpu_overlap=False), date="2025-09-26",
    ),
    Deployment(
        "ant-h20-ep32-bs8", "SGLang at Ant Group, H20, EP32, 8 per GPU, MTP", "h20", 293, _LMSYS_ANT,
        dict(ep=32, seq_len=4096 + 768, batch_per_gpu=8, kv_dtype="fp8", attn_dtype="fp8"),
        "EP32 over 4 nodes, 8 requests per GPU, FP8 attention (a comparison with EP16 at the same batch)",
        "MTP not stated for this comparison: bound: off or one draft at accept length 1.9; estimate: one draft at "
        "1.85 as in the blog's production tiers; otherwise as the 48-per-GPU row",
        model="deepseek-r1", gpu_overrides=_H20_2NIC, unknown=dict(accept_length=(1.0, MTP_ACCEPT_TOP)),
        estimate_settings=dict(accept_length=1.85, verify_tokens=2),
        estimate_inputs=dict(schedule="single-batch", cpu_overlap=False), date="2025-09-26",
    ),
    Deployment(
        "infersim-qwen3-30b-h20", "SGLang, Qwen3-30B-A3B BF16, 4 x H20", "h20", 2749,
        "alibaba/InferSim README (2025-09-28): decode TGS measured with SGLang",
        dict(ep=4, seq_len=4096 + 1024, batch_per_gpu=FILL_HBM, accept_length=1.0, gemm_dtype="bf16"),
        "BF16 weights, world size 4, decode measured separately",
        "batch not published for the measurement: bound: as many as fit; estimate: the simulation script's 100 "
        "sequences per GPU; attention DP4 + EP4, 4,096 input and 2,048 output tokens as in that script; BF16 cache",
        model="qwen3-30b-a3b", estimate_settings=dict(batch_per_gpu=100), date="2025-09-28",
    ),
    Deployment(
        "infersim-qwen3-8b-h20", "SGLang, Qwen3-8B FP8, 1 x H20", "h20", 2682,
        "alibaba/InferSim README (2025-09-28): decode TGS measured with SGLang",
        dict(ep=1, seq_len=4096 + 1024, batch_per_gpu=FILL_HBM, accept_length=1.0),
        "FP8 matmuls, one GPU, decode measured separately",
        "batch not published for the measurement: bound: as many as fit; estimate: the simulation script's 64 "
        "sequences; 4,096 input and 2,048 output tokens as in the 30B script; BF16 cache",
        model="qwen3-8b", estimate_settings=dict(batch_per_gpu=64), date="2025-09-28",
    ),
    # ---- one node, tensor parallel, small batches (InferenceX): decode speed from the mean TPOT ----
    Deployment(
        "infx-h200-tp8-c8", "SGLang, 8 x H200, TP8, 8 users", "h200", _infx_tok_s(8, 11.73e-3), _INFX_H200,
        dict(_INFX_TP8, batch_per_gpu=1),
        "DeepSeek-R1-0528 FP8, SGLang v0.5.12, tensor parallel over 8 GPUs (attention and experts; no DP "
        "attention, no EP), 8 concurrent requests, mean time per output token 11.73 ms, mean time to first token 165.36 ms; " + _INFX_1K1K +
        "; FlashInfer attention, no --kv-cache-dtype (a BF16 cache), no MTP",
        _INFX_ASSUMED, model="deepseek-r1", measure=_INFX_MEASURE, interleaved_prefill=_INFX_PREFILL, date="2026-05-17",
        first_token_s=165.36e-3,
    ),
    Deployment(
        "infx-h200-tp8-c64", "SGLang, 8 x H200, TP8, 64 users", "h200", _infx_tok_s(64, 29.77e-3), _INFX_H200,
        dict(_INFX_TP8, batch_per_gpu=8),
        "as the 8-user row, 64 concurrent requests, mean time per output token 29.77 ms, mean time to first token "
        "359.75 ms",
        _INFX_ASSUMED, model="deepseek-r1", measure=_INFX_MEASURE, interleaved_prefill=_INFX_PREFILL, date="2026-05-17",
        first_token_s=359.75e-3,
    ),
    Deployment(
        "infx-b200-tp8-c8", "SGLang, 8 x B200, TP8, 8 users", "b200", _infx_tok_s(8, 10.96e-3), _INFX_B200,
        dict(_INFX_TP8, batch_per_gpu=1, kv_dtype="fp8"),
        "DeepSeek-R1-0528 FP8, SGLang v0.5.12, tensor parallel over 8 GPUs (--ep-size 1), 8 concurrent "
        "requests, mean time per output token 10.96 ms, mean time to first token 248.74 ms; " + _INFX_1K1K +
        "; TensorRT-LLM MLA attention with an FP8 cache (--kv-cache-dtype fp8_e4m3), FlashInfer's TensorRT-LLM MoE "
        "kernels, no MTP",
        _INFX_ASSUMED + "; attention arithmetic in BF16 (not stated)", model="deepseek-r1", measure=_INFX_MEASURE,
        interleaved_prefill=_INFX_PREFILL, holdout="InferenceX, the B200 recipe", date="2026-05-22", first_token_s=248.74e-3,
    ),
    Deployment(
        "infx-b200-tp8-c64", "SGLang, 8 x B200, TP8, 64 users", "b200", _infx_tok_s(64, 21.73e-3), _INFX_B200,
        dict(_INFX_TP8, batch_per_gpu=8, kv_dtype="fp8"),
        "as the 8-user row, 64 concurrent requests, mean time per output token 21.73 ms, mean time to first token "
        "1,170.32 ms",
        _INFX_ASSUMED + "; attention arithmetic in BF16 (not stated)", model="deepseek-r1", measure=_INFX_MEASURE,
        interleaved_prefill=_INFX_PREFILL, holdout="InferenceX, the B200 recipe", date="2026-05-22", first_token_s=1170.32e-3,
    ),
    Deployment(
        "infx-h200-tp8-8k-c8", "SGLang, 8 x H200, TP8, 8 users, 8K prompts", "h200", _infx_tok_s(8, 13.88e-3),
        _INFX_H200, dict(_INFX_TP8, batch_per_gpu=1, seq_len=_INFX_8K1K_CONTEXT),
        "as the 1K-prompt rows (the 8K path caps running requests at 256, not 512), " + _INFX_8K1K + ", 8 concurrent requests, mean time per output token 13.88 ms, "
        "mean time to first token 490.53 ms",
        _INFX_8K_ASSUMED, model="deepseek-r1", measure=_INFX_MEASURE, interleaved_prefill=_INFX_8K_PREFILL,
        date="2026-05-17", first_token_s=490.53e-3,
    ),
    Deployment(
        "infx-h200-tp8-8k-c64", "SGLang, 8 x H200, TP8, 64 users, 8K prompts", "h200", _infx_tok_s(64, 49.33e-3),
        _INFX_H200, dict(_INFX_TP8, batch_per_gpu=8, seq_len=_INFX_8K1K_CONTEXT),
        "as the 1K-prompt rows (the 8K path caps running requests at 256, not 512), " + _INFX_8K1K + ", 64 concurrent requests, mean time per output token 49.33 ms, "
        "mean time to first token 2,245.58 ms",
        _INFX_8K_ASSUMED, model="deepseek-r1", measure=_INFX_MEASURE, interleaved_prefill=_INFX_8K_PREFILL,
        date="2026-05-17", first_token_s=2245.58e-3,
    ),
    Deployment(
        "infx-b300-tp8-c8", "SGLang, 8 x B300, TP8, 8 users", "b300", _infx_tok_s(8, 10.12e-3), _INFX_B300,
        dict(_INFX_TP8, batch_per_gpu=1, kv_dtype="fp8"),
        "DeepSeek-R1-0528 FP8, SGLang v0.5.12, tensor parallel over 8 GPUs (--ep-size 1), 8 concurrent requests, "
        "mean time per output token 10.12 ms, mean time to first token 146.08 ms; " + _INFX_1K1K + "; the B200 "
        "recipe: TensorRT-LLM MLA attention with an FP8 cache, FlashInfer's TensorRT-LLM MoE kernels, no MTP",
        _INFX_ASSUMED + "; attention arithmetic in BF16 (not stated)", model="deepseek-r1", measure=_INFX_MEASURE,
        interleaved_prefill=_INFX_PREFILL, holdout="InferenceX, the B200 recipe", date="2026-05-22", first_token_s=146.08e-3,
    ),
    Deployment(
        "infx-b300-tp8-c64", "SGLang, 8 x B300, TP8, 64 users", "b300", _infx_tok_s(64, 21.17e-3), _INFX_B300,
        dict(_INFX_TP8, batch_per_gpu=8, kv_dtype="fp8"),
        "as the 8-user row, 64 concurrent requests, mean time per output token 21.17 ms, mean time to first token "
        "623.66 ms",
        _INFX_ASSUMED + "; attention arithmetic in BF16 (not stated)", model="deepseek-r1", measure=_INFX_MEASURE,
        interleaved_prefill=_INFX_PREFILL, holdout="InferenceX, the B200 recipe", date="2026-05-22", first_token_s=623.66e-3,
    ),
    Deployment(
        "infx-mi325x-tp8-c8", "SGLang, 8 x MI325X, TP8, 8 users (checked, not fitted)", "mi325x",
        _infx_tok_s(8, 26.17e-3), _INFX_MI325X,
        dict(_INFX_TP8, batch_per_gpu=1, kv_dtype="fp8"),
        "DeepSeek-R1-0528 FP8, SGLang v0.5.9 for ROCm, tensor parallel over 8 GPUs, 8 concurrent requests, mean "
        "time per output token 26.17 ms, mean time to first token 418.1 ms (median 118.8 ms); " + _INFX_1K1K +
        "; AITER attention with an FP8 cache "
        "(--kv-cache-dtype fp8_e4m3), 4 decode steps between scheduling rounds (--num-continuous-decode-steps 4), "
        "no MTP",
        _INFX_ASSUMED + "; checked, not fitted: the estimate's matmul rates and overheads come from NVIDIA GPUs "
        "and engines, and this row shows how far they carry to AMD's",
        model="deepseek-r1", measure=_INFX_MEASURE, interleaved_prefill=_INFX_PREFILL, date="2026-03-08", fitted=False,
        first_token_s=418.1e-3,
    ),
    Deployment(
        "infx-mi325x-tp8-8k-c8", "SGLang, 8 x MI325X, TP8, 8 users, 8K prompts (checked, not fitted)", "mi325x",
        _infx_tok_s(8, 21.56e-3), _INFX_MI325X_SEP,
        dict(_INFX_TP8, batch_per_gpu=1, seq_len=_INFX_8K1K_CONTEXT, kv_dtype="fp8"),
        "DeepSeek-R1-0528 FP8, SGLang v0.5.19 for ROCm, tensor parallel over 8 GPUs, 8 concurrent requests, mean "
        "time per output token 21.56 ms, mean time to first token 1,026.66 ms; " + _INFX_8K1K + "; AITER "
        "attention with an FP8 cache (--kv-cache-dtype fp8_e4m3), 4 decode steps between scheduling rounds "
        "(--num-continuous-decode-steps 4), no MTP",
        _INFX_8K_ASSUMED + "; checked, not fitted, like the March MI325X row",
        model="deepseek-r1", measure=_INFX_MEASURE, interleaved_prefill=_INFX_8K_PREFILL, date="2026-09-10",
        fitted=False, first_token_s=1026.66e-3,
    ),
    Deployment(
        "infx-mi355x-dep8-c256", "SGLang, MI355X, decode EP8, 16 per GPU (checked, not fitted)", "mi355x",
        _infx_tok_s(256, 41.6448e-3, gpus=16), _INFX_MI355X_DISAGG,
        dict(ep=8, tp=1, micro_batches=1, seq_len=_INFX_1K1K_CONTEXT, batch_per_gpu=16, kv_dtype="fp8",
             redundant_experts=0, accept_length=1.0),
        "DeepSeek-R1 FP8, SGLang 0.5.8 for ROCm with MoRI (rocm/sgl-dev:sglang-0.5.8-rocm700-mi35x-mori-0210), "
        "prefill and decode disaggregated: two decode workers of 8 GPUs each, data-parallel attention and the "
        "experts over 8 GPUs (--moe-a2a-backend mori --enable-dp-attention), 256 concurrent requests, mean time "
        "per output token 41.64 ms; " + _INFX_1K1K + "; AITER attention with an FP8 cache; experts picked at "
        "random (--ep-dispatch-algorithm fake); no MTP",
        "decode speed per GPU = concurrent requests / mean time per output token / 16 decode GPUs (prefill ran "
        f"on other GPUs); average context {_INFX_1K1K_CONTEXT:,}; one micro-batch (no two-batch overlap flag); "
        "the all-to-all at the times MoRI's first kernels took on 8 MI355X in AMD's own benchmark (ROCm/mori PR "
        "#448); checked, not fitted",
        model="deepseek-r1", measure="decode speed from the time per output token, prefill on other GPUs",
        date="2026-02-19", fitted=False,
    ),
    Deployment(
        "atom-mi355x-tp8-c8", "vLLM + ATOM, 8 x MI355X, TP8, 8 users (checked, not fitted)", "mi355x",
        _infx_tok_s(8, 11.98e-3), _ATOM_MI355X,
        dict(_INFX_TP8, batch_per_gpu=1, kv_dtype="fp8"),
        _ATOM_STATED + "8 concurrent requests, 80 prompts, mean time per output token 11.98 ms, mean time to first "
        "token 119.83 ms; " + _INFX_1K1K,
        _ATOM_ASSUMED, model="deepseek-r1", measure=_INFX_MEASURE, interleaved_prefill=_INFX_PREFILL,
        date="2026-03-29", fitted=False, first_token_s=119.83e-3,
    ),
    Deployment(
        "atom-mi355x-tp8-c64", "vLLM + ATOM, 8 x MI355X, TP8, 64 users (checked, not fitted)", "mi355x",
        _infx_tok_s(64, 21.27e-3), _ATOM_MI355X,
        dict(_INFX_TP8, batch_per_gpu=8, kv_dtype="fp8"),
        "as the 8-user row, 64 concurrent requests, 640 prompts, mean time per output token 21.27 ms, mean time "
        "to first token 211.02 ms",
        _ATOM_ASSUMED, model="deepseek-r1", measure=_INFX_MEASURE, interleaved_prefill=_INFX_PREFILL,
        date="2026-03-29", fitted=False, first_token_s=211.02e-3,
    ),
    # ---- prefill and decode on the same GPUs: shown, not counted -------------------------------
    Deployment(
        "trtllm-b200", "TensorRT-LLM, 8 x B200, 1K/2K", "b200", 4600,
        "NVIDIA/TensorRT-LLM tech blog 3, 'Optimizing DeepSeek R1 Throughput on NVIDIA Blackwell GPUs'",
        dict(ep=8, seq_len=2048, batch_per_gpu=500, kv_dtype="fp8", attn_dtype="fp8", expert_dtype="fp4",
             accept_length=1.0),
        "attention DP8 + EP8, FP4 experts, FP8 cache and FP8 attention, about 500 concurrent requests per GPU, "
        "1K input / 2K output with prefill on the same GPUs",
        "average context 2,048 (1K prompt + half of 2K output); no MTP (max-throughput runs used none)",
        model="deepseek-r1", group="mixed", date="2025-06",
    ),
    Deployment(
        "trtllm-b200-fp8kv", "TensorRT-LLM, 8 x B200, R1-0528, FP8 cache", "b200", 5393.2755,
        "NVIDIA/TensorRT-LLM docs/source/blogs/Best_perf_practice_on_DeepSeek-R1_in_TensorRT-LLM.md",
        dict(ep=8, seq_len=2048, batch_per_gpu=896, kv_dtype="fp8", attn_dtype="fp8", expert_dtype="fp4",
             accept_length=1.0),
        "attention DP8 + EP8, FP4 experts, FP8 cache, concurrency 7,168 (896 per GPU), no MTP",
        "1K input / 2K output as in the document's other runs; FP8 attention with the FP8 cache",
        model="deepseek-r1", group="mixed", date="2025-07",
    ),
    Deployment(
        "trtllm-h200", "TensorRT-LLM, 8 x H200, 1K/2K", "h200", 1436.1584,
        "NVIDIA/TensorRT-LLM docs/source/blogs/Best_perf_practice_on_DeepSeek-R1_in_TensorRT-LLM.md (H200 max-throughput)",
        dict(ep=8, seq_len=2048, batch_per_gpu=128, accept_length=1.0),
        "attention DP8 + EP8, FP8 weights, concurrency 1,024 (128 per GPU), 1K input / 2K output, no MTP",
        "BF16 cache (not stated)",
        model="deepseek-r1", group="mixed", date="2025-07",
    ),
    Deployment(
        "mlperf-b200-r1", "MLPerf v5.1, 8 x B200, DeepSeek-R1 Offline", "b200", 33_379 / 8,
        "mlcommons/inference_results_v5.1 closed/NVIDIA/results/B200-SXM-180GBx8_TRT/deepseek-r1/Offline",
        dict(ep=8, seq_len=3000, batch_per_gpu=512, kv_dtype="fp8", attn_dtype="fp8", expert_dtype="fp4",
             accept_length=1.0),
        "attention DP + EP8, FP4, FP8 cache, batch 512 per GPU, about 3,700 output tokens per sample",
        "average context 3,000 (input lengths not in the log)",
        model="deepseek-r1", group="mixed", date="2025-09-09",
    ),
    Deployment(
        "mlperf-mi300x-llama2", "MLPerf v5.1, 8 x MI300X, Llama 2 70B Offline", "mi300x", 27_803.9 / 8,
        "mlcommons/inference_results_v5.1 closed/AMD/results/8xMI300X_2xEPYC_9575F/llama2-70b-99/Offline",
        dict(ep=1, tp=1, seq_len=1000, batch_per_gpu=FILL_HBM, accept_length=1.0, kv_dtype="fp8"),
        "FP8 weights, one replica per GPU (TP1), vLLM, up to 1,792 sequences, about 300 output tokens per sample",
        "average context 1,000 (input lengths not in the log); FP8 cache",
        model="llama-2-70b", group="mixed", date="2025-09-09",
    ),
)


def combinations(unknown: dict) -> list[dict]:
    """Every combination of the values a source leaves open (setting -> values tried)."""
    combos: list[dict] = [{}]
    for key, values in unknown.items():
        combos = [{**c, key: v} for c in combos for v in values]
    return combos


def tight_inputs(settings: dict, defaults: dict) -> TightInputs:
    """The deployment's settings over the given defaults (efficiencies)."""
    return TightInputs.from_params({**defaults, **settings})


def gpu_of(d: Deployment) -> Accelerator:
    g = GPUS[d.gpu]
    return replace(g, **d.gpu_overrides) if d.gpu_overrides else g


def _fmt_setting(k: str, v) -> str:
    """A setting in the pages' words ("KV cache type FP8"), as the schema labels it."""
    return describe(k, v)


def _naive_label(s: dict) -> str:
    """Which multipliers the speed-of-light figure includes (it is the blog's bound times these)."""
    parts = []
    if s.get("kv_dtype", "bf16") == "fp8":
        parts.append("FP8 cache x2")
    if s.get("accept_length", 1.0) > 1:
        parts.append(f"MTP x{s['accept_length']:g}")
    return ", ".join(parts) or "BF16 cache, no MTP"


@dataclass(frozen=True)
class Fit:
    """The estimate's fitted numbers for one leave-one-out fold (or all rows), and the CPU
    time per step derived in that fold."""

    overhead_factor: float
    step_overhead_s: float
    blackwell_attention_share: float
    cpu_step_s: float

    def inputs(self, d: Deployment) -> EstimateInputs:
        return EstimateInputs(overhead_factor=self.overhead_factor, step_overhead_s=self.step_overhead_s,
                              blackwell_attention_share=self.blackwell_attention_share,
                              cpu_step_s=self.cpu_step_s, **d.estimate_inputs)


#: Values of the Blackwell attention share tried by the fit: 0.10 to 1.00 in steps of 0.01.
SHARE_GRID = tuple(round(0.10 + 0.01 * i, 2) for i in range(91))


@lru_cache(maxsize=64)
def _prefill_rate(model: str, gpu: Accelerator, prompt_len: int, gpus: int, ep: int, tp: int, moe_parallel: str,
                  kv_dtype: str) -> float:
    from .prefill import PrefillInputs, prefill_estimate

    x = PrefillInputs(prompt_len=prompt_len, chunk_tokens=prompt_len / gpus, ep=ep, tp=tp, moe_parallel=moe_parallel,
                      redundant_experts=0, microbatches=1, kv_dtype=kv_dtype)
    return prefill_estimate(MODELS[model], gpu, x)["tokens_per_s_per_gpu"]


def prefill_rate(d: Deployment) -> float:
    """Prompt tokens/s per GPU at which a row's GPUs prefill a newcomer's prompt: the prefill
    estimate (:func:`calc.prefill.prefill_estimate`) for one prompt per forward pass over the
    instance's GPUs (``prompt_len / gpus`` tokens per GPU, as :mod:`calc.prefill` counts a
    pass), with the row's parallelism and cache format."""
    s, p = d.settings, d.interleaved_prefill
    return _prefill_rate(d.model, gpu_of(d), p["prompt_len"], p["gpus"], s.get("ep", 1), s.get("tp", 1),
                         s.get("moe_parallel", "ep"), s.get("kv_dtype", "bf16"))


def _accept(d: Deployment) -> float:
    """Tokens accepted per step in the row's estimate (its settings, then the estimate's own)."""
    return {"accept_length": 1.0, **d.settings, **d.estimate_settings}["accept_length"]


def _holdout(d: Deployment) -> str:
    """The rows held out with ``d`` in its leave-one-out fit: its group, else its source."""
    return d.holdout or d.source


def _prompts_waited_per_step(d: Deployment, batch_per_gpu: float) -> float:
    """Other users' new prompts a request waits for per decode step: ``(U - 1) a / O`` (see
    :func:`prefill_pause_s`); zero where decode runs alone."""
    if not d.interleaved_prefill:
        return 0.0
    p = d.interleaved_prefill
    return max(0.0, batch_per_gpu * p["gpus"] - 1) * _accept(d) / p["output_len"]


def prefill_pause_s(d: Deployment, batch_per_gpu: float) -> float:
    """Seconds per decode step spent prefilling other users' new prompts, where prefill runs on
    the same GPUs as decode (a serving benchmark's time per output token counts these pauses).

    ``U = b x G`` users share the instance's ``G`` GPUs (``b`` per GPU); each starts a new request
    every ``O / a`` steps (``O`` output tokens, ``a`` accepted per step), so ``U a / O`` prompts
    of ``P`` tokens arrive per step, of which a given request waits for the other users' share
    ``(U - 1) / U``. The GPUs prefill at ``r`` prompt tokens/s per GPU (:func:`prefill_rate`), a
    prompt in ``P / (r G)`` (:func:`prefill_time_s`): per step ``(U - 1) a P / (O r G)``.
    InferenceX on 8 H200 with 64 users, 922-token prompts and outputs: ``63 x 922 / (922 x r x 8)``."""
    return _prompts_waited_per_step(d, batch_per_gpu) * prefill_time_s(d)


def prefill_time_s(d: Deployment) -> float:
    """Seconds the row's GPUs take to prefill one newcomer's prompt at the prefill estimate's rate:
    ``P / (r G)`` (:func:`prefill_rate`); zero where decode runs alone."""
    if not d.interleaved_prefill:
        return 0.0
    p = d.interleaved_prefill
    return p["prompt_len"] / (prefill_rate(d) * p["gpus"])


def max_prefill_pause_s(d: Deployment, batch_per_gpu: float) -> float | None:
    """The most the prefill pauses can cost per step, from the benchmark's own first-token time.

    A newcomer's prompt is prefilled before its first token arrives, so prefilling it takes at most
    the mean time to first token ``T`` (which also holds the wait for the step in flight, queueing
    and the HTTP round trip). With :func:`prefill_pause_s`'s arrivals: ``(U - 1) a T / O`` per step.
    ``None`` where the source gives no first-token time."""
    if not d.interleaved_prefill or d.first_token_s <= 0:
        return None
    return _prompts_waited_per_step(d, batch_per_gpu) * d.first_token_s


def _with_pause(r: dict, pause: float) -> dict:
    """The estimate ``r`` (pauses included) with its prefill pause per step replaced by ``pause``."""
    tokens_per_step = r["tokens_per_s_per_user"] * r["step_time_s"]
    step = r["step_time_s"] - r.get("prefill_pause_s", 0.0) + pause
    return dict(r, step_time_s=step, prefill_pause_s=pause, tokens_per_s_per_user=tokens_per_step / step,
                tokens_per_s_per_gpu=r["batch_per_gpu"] * tokens_per_step / step)


def _with_pauses(d: Deployment, r: dict) -> dict:
    """The estimate ``r`` with the row's prefill pauses added to every step."""
    pause = prefill_pause_s(d, r["batch_per_gpu"])
    if pause <= 0 or r["step_time_s"] <= 0:
        return dict(r, prefill_pause_s=0.0)
    return _with_pause(r, pause)


def _estimate_point(d: Deployment, eff: dict, fit: Fit) -> dict:
    """The estimate for one row with the given fitted numbers: its settings, and where the
    source states tokens/s per user, the batch that gives that speed. Where prefill runs on the
    same GPUs and the figure counts its pauses, with them (:func:`prefill_pause_s`)."""
    m, g = MODELS[d.model], gpu_of(d)
    s = {"accept_length": 1.0, **d.settings, **d.estimate_settings}
    e = fit.inputs(d)
    if not d.per_user:
        return _with_pauses(d, estimate(m, g, tight_inputs(s, eff), e))
    cap = max(1, math.floor(max_batch(m, g, tight_inputs(dict(s, batch_per_gpu=1), eff))))
    memo: dict[int, dict] = {}

    def at(b: int) -> dict:
        if b not in memo:
            memo[b] = estimate(m, g, tight_inputs(dict(s, batch_per_gpu=b), eff), e)
        return memo[b]

    lo = largest_batch_at_speed(at, cap, d.per_user)
    if lo == cap or at(lo)["tokens_per_s_per_user"] <= d.per_user:
        return at(lo)
    hi = lo + 1  # between two whole batches: interpolate to the stated speed
    a, b = at(lo), at(hi)
    ua, ub = a["tokens_per_s_per_user"], b["tokens_per_s_per_user"]
    w = (ua - d.per_user) / (ua - ub) if ua != ub else 0.0
    r = dict(a)
    r["batch_per_gpu"] = lo + w
    r["tokens_per_s_per_user"] = d.per_user
    r["tokens_per_s_per_gpu"] = d.per_user * (lo + w)
    return r


#: The steps from the tight bound to the measurement, in order (:func:`gap`); their labels
#: live with the outputs (:data:`calc.api.OUTPUTS`).
GAP_STEPS: tuple[str, ...] = ("gap_settings", *BOUND_TO_ESTIMATE, "gap_residual")


def gap(d: Deployment, eff: dict, fit: Fit, est: dict, tight_tokens_per_s: float) -> dict:
    """Where the distance from the tight bound to the measurement goes, one step at a time,
    each a factor on tokens/s per GPU; their product is measured / tight exactly:

    1. ``gap_settings``: the bound at the estimate's choice of what the source leaves open
       (its batch, accept length) over the bound at the most favourable choice;
    2. to 6. the steps from the bound to the estimate at the estimate's settings
       (:func:`calc.estimate.stage_throughputs`): the engine's schedule, the sustained clock,
       typical kernel and link rates, uneven expert load, and the overheads (fitted
       leave-one-out), the last ending exactly at the row's estimate;
    7. ``gap_residual``: measured over the estimate.

    Steps 2 to 5 can only lower throughput; 1, 6 and 7 go either way (a fitted overhead
    factor may fall below one in a leave-one-out fold)."""
    m, g = MODELS[d.model], gpu_of(d)
    s = {"accept_length": 1.0, **d.settings, **d.estimate_settings}
    b = est["batch_per_gpu"]
    e = fit.inputs(d)

    def stages(n: int) -> list[float]:
        x = tight_inputs(dict(s, batch_per_gpu=max(1, n)), eff)
        return [tight_bound(m, g, x)["tokens_per_s_per_gpu"], *stage_throughputs(m, g, x, e)]

    lo = math.floor(b)
    w = b - lo
    ys = stages(lo)
    if w > 1e-12:  # between two whole batches (a stated speed per user): linear between them
        ys = [(1 - w) * a + w * c for a, c in zip(ys, stages(lo + 1))]
    return step_factors([tight_tokens_per_s, *ys, est["tokens_per_s_per_gpu"], d.measured_tokens_per_s_per_gpu],
                        GAP_STEPS)


@dataclass(frozen=True)
class _Obs:
    """What the fit needs from one decode row: the modelled step (no overheads), the part of it
    measured whole per call (fused MoE fixed time, all-reduce latency: not scaled by the overhead
    factor), whether the engine leaves the CPU time exposed, the prefill pauses the figure counts,
    and the measured step."""

    key: str
    modelled: float
    cpu_exposed: bool
    measured_step: float
    pause_s: float = 0.0  # prefill pauses per step the figure counts (:func:`prefill_pause_s`)
    fixed_s: float = 0.0  # per-call costs inside ``modelled``, taken as measured

    def known(self, cpu: float) -> float:
        """The seconds of the step the fit takes as given: per-call costs, CPU time, pauses."""
        return self.fixed_s + (cpu if self.cpu_exposed else 0.0) + self.pause_s

    def predicted(self, k: float, c: float, cpu: float) -> float:
        """The estimated step: ``k x (modelled - fixed) + c + fixed + cpu + pause``."""
        return k * (self.modelled - self.fixed_s) + c + self.known(cpu)


def _observation(d: Deployment, eff: dict, share: float) -> _Obs:
    m, g = MODELS[d.model], gpu_of(d)
    s = {"accept_length": 1.0, **d.settings, **d.estimate_settings}
    e = EstimateInputs(blackwell_attention_share=share, **d.estimate_inputs)
    acc = s["accept_length"]
    if d.per_user:  # the stated speed fixes the step; the measured rate over it fixes the batch
        b = d.measured_tokens_per_s_per_gpu / d.per_user
        lo = max(1, math.floor(b))
        r0 = estimate(m, g, tight_inputs(dict(s, batch_per_gpu=lo), eff), e)
        r1 = estimate(m, g, tight_inputs(dict(s, batch_per_gpu=lo + 1), eff), e)
        w = b - lo
        modelled = (1 - w) * r0["modelled_step_time_s"] + w * r1["modelled_step_time_s"]
        fixed = (1 - w) * r0["fixed_step_time_s"] + w * r1["fixed_step_time_s"]
        return _Obs(d.key, modelled, not e.cpu_overlap, acc / d.per_user, 0.0, fixed)
    r = estimate(m, g, tight_inputs(s, eff), e)
    return _Obs(d.key, r["modelled_step_time_s"], not e.cpu_overlap,
                r["batch_per_gpu"] * acc / d.measured_tokens_per_s_per_gpu, prefill_pause_s(d, r["batch_per_gpu"]),
                r["fixed_step_time_s"])


def fit_overheads(obs: list[_Obs], cpu_step_s: float = CPU_STEP_OVERHEAD_S) -> tuple[float, float]:
    """(overhead factor, fixed step seconds) minimising the squared relative error of the step
    time, ``sum((predicted / measured - 1)^2)`` with ``predicted = k x (modelled - fixed) + c +
    known`` (:meth:`_Obs.predicted`): linear least squares in (k, c), with c held at 0 if it would
    come out negative. The known part (per-call costs measured whole, exposed CPU time, the
    prefill pauses a figure counts) is taken as given, not scaled."""
    a = [(o.modelled - o.fixed_s) / o.measured_step for o in obs]
    d = [1 / o.measured_step for o in obs]
    y = [1 - o.known(cpu_step_s) / o.measured_step for o in obs]
    saa = sum(x * x for x in a)
    sad = sum(x * z for x, z in zip(a, d))
    sdd = sum(z * z for z in d)
    say = sum(x * v for x, v in zip(a, y))
    sdy = sum(z * v for z, v in zip(d, y))
    det = saa * sdd - sad * sad
    if det > 0:
        k = (say * sdd - sad * sdy) / det
        c = (saa * sdy - sad * say) / det
        if c >= 0:
            return k, c
    return say / saa, 0.0


def _sse(obs: list[_Obs], k: float, c: float, cpu: float) -> float:
    return sum((o.predicted(k, c, cpu) / o.measured_step - 1) ** 2 for o in obs)


def _fit_at_cpu(obs_at: dict[float, list[_Obs]], keep: set[str], cpu: float) -> Fit:
    """The Blackwell share on :data:`SHARE_GRID` and, for each, (k, c) by least squares; the
    triple with the smallest squared relative error over the rows in ``keep``."""
    best = None
    for share in SHARE_GRID:
        obs = [o for o in obs_at[share] if o.key in keep]
        k, c = fit_overheads(obs, cpu)
        err = _sse(obs, k, c, cpu)
        if best is None or err < best[0] - 1e-15:
            best = (err, Fit(k, c, share, cpu))
    return best[1]


def fit_estimate(obs_at: dict[float, list[_Obs]], keep: set[str]) -> Fit:
    """The estimate's numbers fitted on the decode rows in ``keep``. The CPU time per step is
    2 / 51.0 - 2 / 60.4 (SGLang without and with its overlap scheduler) while the 60.4 row is
    kept; without it, 2 / 51.0 minus the fold's own estimate of that row's overlapped step,
    solved together with the fit (a fixed point)."""
    ref = next(d.key for d in DEPLOYMENTS if d.cpu_reference)
    if ref in keep:
        return _fit_at_cpu(obs_at, keep, CPU_STEP_OVERHEAD_S)
    o_ref = next(o for o in obs_at[SHARE_GRID[0]] if o.key == ref)
    no_overlap_step = SGLANG_CPU_BATCH / SGLANG_NO_OVERLAP_TPS
    cpu = CPU_STEP_OVERHEAD_S
    f = _fit_at_cpu(obs_at, keep, cpu)
    for _ in range(100):
        new = max(0.0, no_overlap_step - o_ref.predicted(f.overhead_factor, f.step_overhead_s, 0.0))
        if abs(new - cpu) < 1e-9:
            break
        cpu = new
        f = _fit_at_cpu(obs_at, keep, cpu)
    return f


def _gmean(vals) -> float:
    vals = list(vals)
    return math.exp(sum(math.log(v) for v in vals) / len(vals)) if vals else float("nan")


def validate(mem_efficiency: float, compute_efficiency: float, net_efficiency: float,
             attn_efficiency: float | None = None) -> dict:
    """Every decode deployment with the speed of light, the tight bound, the estimate (fitted
    leave-one-out) and the targets; and under ``prefill`` the prefill validation
    (:func:`calc.prefill_validate.validate_prefill`: measured prefill throughputs against the
    prefill bound and estimate), whose targets join the decode ones. The efficiencies are the
    decode bound's; the prefill bound takes its own best measured rates."""
    from .prefill_validate import validate_prefill

    eff = dict(mem_efficiency=mem_efficiency, compute_efficiency=compute_efficiency, net_efficiency=net_efficiency,
               attn_efficiency=measured.ATTENTION_EFFICIENCY if attn_efficiency is None else attn_efficiency)
    key = tuple(sorted(eff.items()))
    decode = _validate_cached(key)
    prefill = validate_prefill()
    return {**decode, "targets": {**decode["targets"], **prefill["targets"]}, "prefill": prefill}


def _at_max_pause(d: Deployment, est: dict, meas: float) -> dict:
    """The estimate with the most the pauses can cost (:func:`max_prefill_pause_s`) in place of the
    prefill estimate's pauses, where the source gives a first-token time."""
    pause = max_prefill_pause_s(d, est["batch_per_gpu"])
    if pause is None or est["step_time_s"] <= 0:
        return {"estimate_max_prefill_pause_s": None, "estimate_at_max_pause_tokens_per_s_per_gpu": None,
                "estimate_at_max_pause_error": None}
    slow = _with_pause(est, pause)["tokens_per_s_per_gpu"]
    return {"estimate_max_prefill_pause_s": pause, "estimate_at_max_pause_tokens_per_s_per_gpu": slow,
            "estimate_at_max_pause_error": slow / meas - 1}


@lru_cache(maxsize=8)
def _validate_cached(key: tuple) -> dict:
    eff = dict(key)
    decode = [d for d in DEPLOYMENTS if d.group == "decode"]
    keys = {d.key for d in decode if d.fitted}
    blackwell = {d.key for d in decode if gpu_of(d).arch == "blackwell"}
    base = {d.key: _observation(d, eff, 1.0) for d in decode if d.key not in blackwell}
    obs_at = {share: [base[d.key] if d.key in base else _observation(d, eff, share) for d in decode]
              for share in SHARE_GRID}
    fit_all = fit_estimate(obs_at, keys)
    rows = {}
    for d in DEPLOYMENTS:
        m, g = MODELS[d.model], gpu_of(d)
        tried = []
        for combo in combinations(d.unknown):
            s = {"accept_length": 1.0, **d.settings, **combo}
            naive = speed_of_light(m, g, s["seq_len"], s.get("kv_dtype", "bf16"), s["accept_length"]).tokens_per_s_per_gpu
            tried.append((combo, s, naive, tight_bound(m, g, tight_inputs(s, eff))))
        best = max(r[3]["tokens_per_s_per_gpu"] for r in tried)
        winners = [r for r in tried if r[3]["tokens_per_s_per_gpu"] >= best * (1 - 1e-9)]
        combo, s, _, t = winners[0]
        naive_row = max(tried, key=lambda r: r[2])
        if not d.unknown:
            settings_text = "as stated"
        elif len(winners) > 1:
            settings_text = "tie: " + " or ".join(", ".join(_fmt_setting(k, v) for k, v in w[0].items()) for w in winners)
        else:
            settings_text = ", ".join(_fmt_setting(k, v) for k, v in combo.items())
        # the bound in one-token-per-step counting, where the figure may count steps with MTP on
        per_step = None
        if d.steps_counted_if_mtp:
            mtp = [r[3]["tokens_per_s_per_gpu"] / r[1]["accept_length"] for r in tried if r[1]["accept_length"] > 1]
            per_step = max(mtp) if mtp else None
        # held out with every row from the same source (sibling loads of one benchmark share its
        # engine and setup, so keeping a sibling would flatter the error)
        fit_loo = fit_estimate(obs_at, keys - {e.key for e in decode if _holdout(e) == _holdout(d)}) \
            if d.group == "decode" else fit_all
        est = _estimate_point(d, eff, fit_loo)
        est_in = _estimate_point(d, eff, fit_all)
        meas = d.measured_tokens_per_s_per_gpu
        documented = (_estimate_point(replace(d, estimate_inputs={**d.estimate_inputs, "schedule": d.documented_schedule}),
                                      eff, fit_loo)["tokens_per_s_per_gpu"] if d.documented_schedule else None)
        rows[d.key] = {
            "label": d.label, "gpu": g.label, "model": MODELS[d.model].label, "group": d.group, "fitted": d.fitted,
            "vendor": vendor_of(g),
            "measure": d.measure or ("decode only" if d.group == "decode" else "prefill and decode"),
            "source": d.source, "stated": d.stated, "assumed": d.assumed, "date": d.date,
            "measured_tokens_per_s_per_gpu": meas,
            "naive_tokens_per_s_per_gpu": naive_row[2],
            "naive_includes": _naive_label(naive_row[1]),
            "tight_tokens_per_s_per_gpu": t["tokens_per_s_per_gpu"],
            "tight_one_token_per_step": per_step,
            "estimate_tokens_per_s_per_gpu": est["tokens_per_s_per_gpu"],
            "estimate_in_sample_tokens_per_s_per_gpu": est_in["tokens_per_s_per_gpu"],
            "estimate_error": est["tokens_per_s_per_gpu"] / meas - 1,
            "estimate_step_time_s": est["step_time_s"],
            "estimate_prefill_pause_s": est.get("prefill_pause_s", 0.0),
            "estimate_prefill_s": prefill_time_s(d) if d.interleaved_prefill else None,
            "measured_first_token_s": d.first_token_s or None,
            **_at_max_pause(d, est, meas),
            "estimate_documented_order_tokens_per_s_per_gpu": documented,
            "estimate_documented_order_error": documented / meas - 1 if documented else None,
            "estimate_binding": est["binding"],
            "estimate_batch_per_gpu": est["batch_per_gpu"],
            "overhead_factor": fit_loo.overhead_factor,
            "step_overhead_s": fit_loo.step_overhead_s,
            "blackwell_attention_share": fit_loo.blackwell_attention_share,
            "cpu_step_s": fit_loo.cpu_step_s,
            "measured_over_naive": meas / naive_row[2],
            "measured_over_tight": meas / t["tokens_per_s_per_gpu"],
            "estimate_over_tight": est["tokens_per_s_per_gpu"] / t["tokens_per_s_per_gpu"],
            "binding": t["binding"],
            "batch_per_gpu": t["batch_per_gpu"],
            "tokens_per_s_per_user": t["tokens_per_s_per_user"],
            "tight_settings": settings_text,
            "tie": len(winners) > 1,
            **gap(d, eff, fit_loo, est, t["tokens_per_s_per_gpu"]),
        }
    dec = [r for r in rows.values() if r["group"] == "decode"]
    errs = [r["estimate_error"] for r in dec]
    nv = {k: r for k, r in rows.items() if r["group"] == "decode" and r["vendor"] == "nvidia"}
    nv_errs = [r["estimate_error"] for r in nv.values()]
    geomean_tight = _gmean(r["measured_over_tight"] for r in dec)
    mape = _mean_abs(errs)
    max_err = max(abs(e) for e in errs)
    all_below = all(r["measured_over_tight"] <= 1 and (r["tight_one_token_per_step"] is None or
                                                    r["measured_tokens_per_s_per_gpu"] <= r["tight_one_token_per_step"])
                    for r in rows.values())
    targets = {
        "all_below_tight": {"label": "every decode measurement at or below the tight bound", "value": all_below,
                            "target": True, "met": all_below},
        "geomean_measured_over_tight": {"label": "geometric mean of measured / tight, decode rows",
                                        "value": geomean_tight, "target": TARGET_GEOMEAN,
                                        "met": geomean_tight >= TARGET_GEOMEAN},
        "estimate_max_abs_error": {"label": "largest leave-one-out error of the estimate, decode rows",
                                   "value": max_err, "target": TARGET_MAX_ERROR, "met": max_err <= TARGET_MAX_ERROR},
        "estimate_mape": {"label": "mean absolute leave-one-out error of the estimate, decode rows",
                          "value": mape, "target": TARGET_MAPE, "met": mape <= TARGET_MAPE},
    }
    order = sorted(rows, key=lambda k: rows[k]["measured_tokens_per_s_per_gpu"])
    meas = [rows[k]["measured_tokens_per_s_per_gpu"] for k in order]
    chart = {
        "x": meas, "x_name": "measured_tokens_per_s_per_gpu", "x_label": "Measured tokens/s per GPU", "x_unit": "tok/s",
        "y_name": "tokens_per_s_per_gpu", "y_label": "Tokens/s per GPU", "y_unit": "tok/s", "y_scale": "log",
        "points": [rows[k]["label"] for k in order],
        "series": [
            {"label": "Measured (the line where a figure equals the measurement)", "key": "measured", "y": meas},
            {"label": "Estimate (leave-one-out)", "key": "estimate", "markers": True,
             "y": [rows[k]["estimate_tokens_per_s_per_gpu"] for k in order]},
            {"label": "Tight bound", "key": "tight", "markers": True,
             "y": [rows[k]["tight_tokens_per_s_per_gpu"] for k in order]},
            {"label": "Speed of light", "key": "naive", "markers": True,
             "y": [rows[k]["naive_tokens_per_s_per_gpu"] for k in order]},
        ],
    }
    amd_errs = [r["estimate_error"] for r in dec if r["vendor"] == "amd"]
    kernel_share = measured.blackwell_attention_share_kernel()
    return {
        "rows": rows,
        "chart": chart,
        "targets": targets,
        "geomean_measured_over_naive": _gmean(r["measured_over_naive"] for r in dec),
        "geomean_measured_over_tight": geomean_tight,
        "geomean_estimate_over_tight": _gmean(r["estimate_over_tight"] for r in dec),
        "gap_geomean": {key: _gmean(r[key] for r in dec) for key in GAP_STEPS},
        "all_below_tight": all_below,
        "estimate_mape": mape,
        "estimate_max_abs_error": max_err,
        "estimate_worst_row": max((k for k, r in rows.items() if r["group"] == "decode"),
                                  key=lambda k: abs(rows[k]["estimate_error"])),
        "estimate_mape_nvidia": _mean_abs(nv_errs),
        "estimate_max_abs_error_nvidia": max(abs(e) for e in nv_errs),
        "estimate_outside_nvidia_rows": [k for k, r in nv.items() if abs(r["estimate_error"]) > TARGET_MAX_ERROR],
        "estimate_worst_nvidia_row": max(nv, key=lambda k: abs(nv[k]["estimate_error"])),
        "estimate_mape_in_sample": _mean_abs([rows[k]["estimate_in_sample_tokens_per_s_per_gpu"]
                                              / rows[k]["measured_tokens_per_s_per_gpu"] - 1 for k in keys]),
        "overhead_factor": fit_all.overhead_factor,
        "step_overhead_s": fit_all.step_overhead_s,
        "blackwell_attention_share": fit_all.blackwell_attention_share,
        "blackwell_attention_share_kernel_low": kernel_share[0],
        "blackwell_attention_share_kernel_high": kernel_share[1],
        "cdna4_attention_share": measured.cdna4_attention_share(),
        "cdna3_attention_share": measured.cdna3_attention_share(),
        "deepep_ll_independent_slowdown": measured.deepep_ll_independent_slowdown(),
        "cpu_step_s": fit_all.cpu_step_s,
        "decode_rows": len(dec),
        "mixed_rows": len(rows) - len(dec),
        **dict(zip(("error_low", "error_high"), _band(nv_errs))),
        **dict(zip(("amd_error_low", "amd_error_high"), _band(nv_errs + amd_errs))),
        "amd_rows": len(amd_errs),
        "nvidia_rows": len(nv),
    }


def vendor_of(g: Accelerator) -> str:
    """"amd" for CDNA GPUs, "nvidia" otherwise: the estimate's band is kept per vendor."""
    return "amd" if g.arch.startswith("cdna") else "nvidia"


def _mean_abs(errs: list[float]) -> float:
    return sum(abs(e) for e in errs) / len(errs)


def _band(errs: list[float]) -> tuple[float, float]:
    """(error_low, error_high) from leave-one-out errors (estimate / measured - 1): how far
    below and above the estimate measured throughput has fallen, relative to the estimate."""
    lo_err = max([-e for e in errs if e < 0] + [0.0])  # the estimate's largest shortfall
    hi_err = max([e for e in errs if e > 0] + [0.0])  # and its largest overshoot
    return hi_err / (1 + hi_err), (lo_err / (1 - lo_err) if lo_err < 1 else float("inf"))
