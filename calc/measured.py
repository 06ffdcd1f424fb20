"""Published measurements of kernels and links, with their sources.

The tight bound turns bytes, FLOPs and network bytes into time at *measured* rates, and the
estimate times each kernel at the rate its kind of kernel has been measured to reach. Both
take their figures from here, so that every efficiency in ``calc`` is a number someone
published, with the quote it comes from. The prefill model reuses the same figures (DeepEP's
normal mode, per-kernel efficiencies, sustained clocks).

Efficiencies are fractions: of HBM bandwidth for memory-bound kernels, of the GPU's
*sustained* peak (:meth:`calc.presets.Accelerator.sustained_flops`) for compute-bound ones.
A figure measured on an H800 is carried to other GPUs as the same fraction; that transfer is
an assumption, stated wherever the figure is used.

Sources (snapshots read for this module):

* deepseek-ai/FlashMLA README and docs/20250422-new-kernel-deep-dive.md (commit 9241ae3);
  the first release's README (414a2f3, 2025-02-21) for the February figure.
* deepseek-ai/DeepGEMM README, "Update performance" (55ab91f, 2025-03-25) and the news line
  of 2025-04-18 (1,550 TFLOPS).
* deepseek-ai/DeepEP docs/legacy.md (dd758ca; the V1 README tables), and the first README
  (ebfe47e, 2025-02-24) for the low-latency table before intranode traffic moved to NVLink;
  tests/test_low_latency.py for how its GB/s are counted; the V2 README (b306af0) for the
  best normal-mode figures; tests/legacy/test_internode.py for how normal mode counts bytes.
* Dao-AILab/flash-attention README, figure assets/flash3_fp16_fwd.png (FlashAttention-3 on H100).
* deepseek-ai/profile-data README and assets/prefill.jpg (the prefill SM split).
* kvcache-ai/Mooncake docs/source/performance/vllm/vllm-v1-pd-performance.md (KV transfer).
* deepseek-ai/3FS README (storage cluster and KVCache read rates).

Each figure says what uses it (``use`` in :func:`table`): the decode bound and estimate,
prefill (:mod:`calc.prefill`), or the context cache and time to first token
(:mod:`calc.context_cache`, :mod:`calc.bill`).
"""

from __future__ import annotations

import bisect
import functools
import math
from dataclasses import dataclass

from .presets import GPUS
from .units import GB, GiB, NVFP4_BYTES, TFLOPS, TiB


@dataclass(frozen=True)
class Measured:
    """One published figure: value in SI units, where it was measured, and the quote."""

    value: float
    unit: str
    label: str
    gpu: str
    source: str
    quote: str
    date: str = ""
    display: str = ""  # "binary" where the source gives GiB/s


# ---- the H800 the figures were measured on -----------------------------------------------

H800_HBM_BW = 3.35e12  # B/s, spec; FlashMLA's deep-dive uses the same figure
#: NVLink per direction on H800: 400 GB/s both ways (DeepSeek ISCA'25, arXiv 2505.09343,
#: section 4.1), the link DeepEP's intranode figures were measured on.
H800_NVLINK_BW = 200 * GB
H800_SUSTAINED_BF16 = Measured(
    865 * TFLOPS, "FLOP/s", "H800 BF16 peak at the throttled clock (about 1,600 MHz)", "h800",
    "deepseek-ai/FlashMLA docs/20250422-new-kernel-deep-dive.md",
    "due to throttling (reducing to ~1600 MHz in our case), the practical peak FLOPs drops to ~865 TFlops",
    "2025-04-22")
H800_SUSTAINED_FP8 = 2 * H800_SUSTAINED_BF16.value  # FP8 tensor cores run at twice the BF16 rate

# ---- FlashMLA (decode attention, MLA, BF16 KV) ----------------------------------------------

FLASHMLA_MEMORY = Measured(
    3000 * GB, "B/s", "FlashMLA decode, memory-bound", "h800",
    "deepseek-ai/FlashMLA README",
    "achieves up to 3000 GB/s in memory-bound configuration", "2025-02-21")
FLASHMLA_COMPUTE_FEB = Measured(
    580 * TFLOPS, "FLOP/s", "FlashMLA decode, compute-bound (first release)", "h800",
    "deepseek-ai/FlashMLA README at the first release (414a2f3)",
    "580 TFLOPS in computation-bound configuration on H800 SXM5", "2025-02-21")
FLASHMLA_COMPUTE = Measured(
    660 * TFLOPS, "FLOP/s", "FlashMLA decode, compute-bound (new kernel)", "h800",
    "deepseek-ai/FlashMLA README and docs/20250422-new-kernel-deep-dive.md",
    "achieving up to 660 TFlops on NVIDIA H800 SXM5 GPUs", "2025-04-22")
FLASHMLA_SPARSE_FP8 = Measured(
    410 * TFLOPS, "FLOP/s", "FlashMLA sparse decode with FP8 KV (DSA), compute-bound", "h800",
    "deepseek-ai/FlashMLA README", "achieves 410 TFLOPS in compute-bound configuration on H800 SXM5", "2025-09-29")

# ---- DeepGEMM (FP8 matmuls) on H800 ------------------------------------------------------------

DEEPGEMM_PEAK = Measured(
    1550 * TFLOPS, "FLOP/s", "DeepGEMM FP8, best shape", "h800",
    "deepseek-ai/DeepGEMM README news", "DeepGEMM now achieves up to 1550 TFLOPS on H800!", "2025-04-18")

#: Normal (dense) GEMMs at decode sizes: (M tokens, N, K, TFLOPS, GB/s), DeepSeek-V3 shapes
#: without TP, H800 SXM5 (DeepGEMM README, 2025-03-25). All are limited by reading weights.
DEEPGEMM_DENSE_DECODE = (
    (64, 2112, 7168, 206, 1688), (64, 24576, 1536, 289, 2455), (64, 32768, 512, 219, 2143),
    (64, 7168, 16384, 336, 2668), (64, 4096, 7168, 287, 2320), (64, 7168, 2048, 295, 2470),
    (128, 2112, 7168, 352, 1509), (128, 24576, 1536, 535, 2448), (128, 32768, 512, 358, 2103),
    (128, 7168, 16384, 645, 2604), (128, 4096, 7168, 533, 2221), (128, 7168, 2048, 510, 2277),
)
#: Grouped GEMMs, masked layout (the decode MoE kernel): (groups, M per group, N, K, TFLOPS, GB/s).
DEEPGEMM_MASKED = (
    (1, 1024, 4096, 7168, 1233, 924), (1, 1024, 7168, 2048, 925, 968),
    (2, 512, 4096, 7168, 1040, 1288), (2, 512, 7168, 2048, 916, 1405),
    (4, 256, 4096, 7168, 932, 2064), (4, 256, 7168, 2048, 815, 2047),
)
DEEPGEMM_SOURCE = "deepseek-ai/DeepGEMM README performance tables (H800 SXM5, NVCC 12.8, 2025-03-25)"


def _mean(xs) -> float:
    xs = list(xs)
    return sum(xs) / len(xs)


def _line(xs: list, ys: list) -> tuple[float, float]:
    """(intercept, slope) of the least-squares straight line through the points ``(xs, ys)``."""
    mx, my = _mean(xs), _mean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return my - slope * mx, slope


def decode_gemm_memory_efficiency() -> float:
    """Share of HBM bandwidth that DeepGEMM's decode-sized dense GEMMs reach: the mean of its
    twelve M = 64 and M = 128 rows (1,509-2,668 GB/s) over 3,350 GB/s: 0.67."""
    return _mean(r[4] for r in DEEPGEMM_DENSE_DECODE) * GB / H800_HBM_BW


# ---- AITER (AMD's kernels): FP8 block-scale matmuls at decode sizes -----------------------------

AITER_GEMM_SOURCE = ("ROCm/aiter aiter/configs/model_configs/a8w8_blockscale_tuned_gemm_ds_v3.csv at e4048607a "
                     "(2026-08-22): AMD's tuned FP8 matmuls with 128 x 128 weight blocks for DeepSeek-V3, the time "
                     "its tuner measured per call, column 'us'")
#: (M tokens, N, K, microseconds per call) at the two sizes DeepGEMM's decode table uses (M = 64,
#: 128), per AMD GPU family (``Accelerator.arch``) and weight split: ``"full"``, DeepGEMM's own six
#: DeepSeek-V3 shapes, unsplit; ``"tp8"``, DeepSeek-V3's eight matmul shapes split over 8 GPUs
#: (fused q/kv down-projection, q and kv up-projections, output projection, shared expert, dense
#: feed-forward). The file keys rows by chip (``gfx``) and compute-unit count. CDNA4: gfx950 with
#: 256 CUs (MI355X, MI350X), both sets. CDNA3: gfx942 with 304 CUs (MI300X and MI325X, one chip),
#: split shapes only, added for the MI300X (PR #2881, 2026-04-30), the MI325X (PR #3951,
#: 2026-07-23) and in AMD's bulk merge (PR #3024).
AITER_DECODE_GEMM: dict[tuple[str, str], tuple] = {
    ("cdna4", "full"): (
        (64, 2112, 7168, 20.6114), (64, 24576, 1536, 13.7416), (64, 32768, 512, 7.9558),
        (64, 7168, 16384, 53.066), (64, 4096, 7168, 21.2311), (64, 7168, 2048, 8.8766),
        (128, 2112, 7168, 21.1709), (128, 24576, 1536, 17.3757), (128, 32768, 512, 10.8423),
        (128, 7168, 16384, 56.7734), (128, 4096, 7168, 23.6181), (128, 7168, 2048, 9.4978),
    ),
    ("cdna4", "tp8"): (
        (64, 2112, 7168, 20.6114), (64, 3072, 1536, 6.5488), (64, 4096, 512, 3.9182), (64, 7168, 2048, 8.8766),
        (64, 512, 7168, 9.651), (64, 7168, 256, 3.3434), (64, 4608, 7168, 20.5304), (64, 7168, 2304, 9.7303),
        (128, 2112, 7168, 21.1709), (128, 3072, 1536, 7.2074), (128, 4096, 512, 4.3212), (128, 7168, 2048, 9.4978),
        (128, 512, 7168, 11.4412), (128, 7168, 256, 4.3455), (128, 4608, 7168, 22.8423), (128, 7168, 2304, 10.3456),
    ),
    ("cdna3", "tp8"): (
        (64, 2112, 7168, 16.4758), (64, 3072, 1536, 6.6606), (64, 4096, 512, 4.2628), (64, 7168, 2048, 11.0504),
        (64, 512, 7168, 11.4426), (64, 7168, 256, 3.8629), (64, 4608, 7168, 23.5499), (64, 7168, 2304, 10.95),
        (128, 2112, 7168, 19.7518), (128, 3072, 1536, 7.987), (128, 4096, 512, 4.2921), (128, 7168, 2048, 11.7098),
        (128, 512, 7168, 12.3256), (128, 7168, 256, 4.5219), (128, 4608, 7168, 30.9478), (128, 7168, 2304, 12.0224),
    ),
}
#: AMD GPU families with AITER matmul timings.
AITER_GEMM_ARCHS = frozenset(arch for arch, _ in AITER_DECODE_GEMM)


def aiter_decode_gemm_rate(arch: str, tp: int = 1) -> float:
    """Bytes/s of weights that AITER's FP8 block-scale matmuls read at decode sizes on one AMD
    GPU family, with the weights split over ``tp`` GPUs: the mean over the rows of
    :data:`AITER_DECODE_GEMM` of ``N x K`` bytes (one byte per weight) over the measured time, as
    DeepGEMM's mean is taken. The split shapes where ``tp`` is 8 or more, else the unsplit ones
    (CDNA3 has only the split ones). CDNA4: 1,678 GB/s unsplit (0.21 of an MI355X's 8 TB/s;
    DeepGEMM reaches 0.67 of an H800's), 942 GB/s split over 8; CDNA3: 837 GB/s split over 8
    (0.14 of an MI325X's 6 TB/s). Smaller matrices keep fewer compute units busy. Kept as a
    rate, not a share: at about a fifth of the bandwidth or less the kernels are not limited by
    it, so the MI300X and MI325X (same chip, different memory) take the same rate."""
    split = "tp8" if tp >= 8 or (arch, "full") not in AITER_DECODE_GEMM else "full"
    return _mean(n * k / (us * 1e-6) for _, n, k, us in AITER_DECODE_GEMM[(arch, split)])


#: The same tables at M = 4,096, the size of DeepGEMM's prefill rows: (M, N, K, microseconds).
#: CDNA4 on DeepGEMM's six unsplit shapes, CDNA3 on the eight split over 8 GPUs (its only ones).
AITER_PREFILL_GEMM: dict[str, tuple] = {
    "cdna4": ((4096, 2112, 7168, 91.0323), (4096, 4096, 7168, 209.3355), (4096, 7168, 2048, 120.1982),
              (4096, 7168, 16384, 521.4023), (4096, 24576, 1536, 282.6274), (4096, 32768, 512, 207.1159)),
    "cdna3": ((4096, 512, 7168, 59.0659), (4096, 2112, 7168, 146.9197), (4096, 3072, 1536, 59.8855),
              (4096, 4096, 512, 40.2445), (4096, 4608, 7168, 314.1237), (4096, 7168, 256, 40.8577),
              (4096, 7168, 2048, 144.2936), (4096, 7168, 2304, 145.8309)),
}
#: The GPU each family's AITER tables stand for, and its compute units (the files key rows by CU
#: count): its FP8 peak is what the prefill share is taken against.
AITER_GPU = {"cdna4": ("mi355x", 256), "cdna3": ("mi325x", 304)}


def aiter_prefill_gemm_efficiency(arch: str) -> float:
    """Share of the FP8 peak AITER's block-scale matmuls reach at prefill size on one AMD GPU
    family: total FLOPs over total time of :data:`AITER_PREFILL_GEMM`'s rows (as DeepGEMM's
    prefill share is taken), over the peak of the family's GPU (:data:`AITER_GPU`). CDNA4: 1,186 TFLOPS on
    average, 0.26 of the MI355X's 5 PFLOPS weighted by FLOPs; CDNA3: 0.30 of the MI325X's 2.6
    (DeepGEMM: 0.73 of the H800's sustained peak)."""
    from .presets import GPUS

    rows = AITER_PREFILL_GEMM[arch]
    flops = sum(2 * m * n * k for m, n, k, _ in rows)
    return flops / sum(us * 1e-6 for *_, us in rows) / GPUS[AITER_GPU[arch][0]].flops("fp8")


def grouped_gemm_efficiency(tokens_per_expert: float) -> float:
    """Share of the sustained FP8 peak that DeepGEMM's masked grouped GEMM reaches with
    ``tokens_per_expert`` rows per expert: its measured TFLOPS (mean of the two shapes at 256,
    512 and 1,024 rows: 874, 978 and 1,079) over 1,730 (1,979 at 1,600 of 1,830 MHz),
    interpolated in log(rows) and held at the end values outside 256-1,024. Below 256 rows
    the kernel is limited by reading the weights instead (:func:`grouped_gemm_memory_efficiency`)."""
    pts = sorted({r[1] for r in DEEPGEMM_MASKED})
    eff = {m: _mean(r[4] for r in DEEPGEMM_MASKED if r[1] == m) * TFLOPS / H800_SUSTAINED_FP8 for m in pts}
    m = min(max(tokens_per_expert, pts[0]), pts[-1])
    i = min(bisect.bisect_right(pts, m), len(pts) - 1)
    lo, hi = pts[i - 1], pts[i]
    w = (math.log(m) - math.log(lo)) / (math.log(hi) - math.log(lo))
    return eff[lo] + w * (eff[hi] - eff[lo])


def grouped_gemm_memory_efficiency() -> float:
    """Share of HBM bandwidth the masked grouped GEMM reaches where reading expert weights
    limits it: the mean of its two 256-row shapes (2,064 and 2,047 GB/s) over 3,350: 0.61."""
    rows = [r for r in DEEPGEMM_MASKED if r[1] == min(x[1] for x in DEEPGEMM_MASKED)]
    return _mean(r[5] for r in rows) * GB / H800_HBM_BW


# ---- the fused MoE kernel with experts split by tensor parallelism -----------------------------

@dataclass(frozen=True)
class FusedMoeBench:
    """Published timings of one GPU family's fused MoE kernel (both expert matmuls of a layer and,
    in SGLang's and vLLM's, the routing alignment and the activation; AITER's table times the two
    matmul stages) at decode sizes, with uniform random routing: ``points`` are (tokens,
    microseconds per call). ``experts`` of ``expert_bytes`` each,
    every token picking ``top_k``; ``gpu`` is the benchmarked GPU's preset."""

    gpu: str
    experts: int
    top_k: int
    expert_bytes: float
    points: tuple
    source: str
    quote: str
    date: str

    @property
    def hbm_bw(self) -> float:
        """The benchmarked GPU's memory bandwidth, from its preset."""
        return GPUS[self.gpu].hbm_bw

    def bytes(self, tokens: float) -> float:
        """Weight bytes one call reads: ``experts x (1 - (1 - top_k / experts)^tokens)`` slices."""
        return self.experts * (1 - (1 - self.top_k / self.experts) ** tokens) * self.expert_bytes

    def fit(self) -> tuple[float, float]:
        """(fixed seconds per call, share of HBM bandwidth beyond it): the straight line
        ``time = fixed + bytes / (share x HBM bandwidth)`` through the points, least squares."""
        fixed, slope = _line([self.bytes(t) for t, _ in self.points], [us * 1e-6 for _, us in self.points])
        return fixed, 1 / (slope * self.hbm_bw)


_AITER_FMOE = ("ROCm/aiter aiter/configs/model_configs/a8w8_blockscale_tuned_fmoe_ds_v3.csv at e4048607a "
               "(AMD's tuned FP8 MoE kernels for DeepSeek-V3; column 'us' = both matmul stages, without the "
               "routing sort)")
#: Per GPU family (``Accelerator.arch``). With the experts split by TP, SGLang calls these kernels
#: once per MoE layer. One token costs far more than its bytes: about 45 us on a B200 where its
#: 44 MB would stream in 6, the launch, the routing alignment and the activation.
FUSED_MOE: dict[str, FusedMoeBench] = {
    # vLLM's Triton fused MoE, DeepSeek-R1 FP8 with 128 x 128 blocks, benchmark_moe.py's default TP2
    # (256 experts, 1,024 of the 2,048 intermediate columns), on H200
    "hopper": FusedMoeBench(
        "h200", 256, 8, 3 * 7168 * 1024, ((1, 77.42), (2, 112.23), (4, 190.77), (8, 350.54)),
        "vllm-project/vllm PR #36554 (2026-03-09), 'Micro bench', DeepSeek-R1, Main; its merged twin PR #36559 "
        "says the micro bench ran on H200", "Batch size: 1 ... Kernel time: 77.42 us; Batch size: 8 ... "
        "Kernel time: 350.54 us", "2026-03-09"),
    # SGLang's Triton fused MoE, DeepSeek-R1 FP8 split over 8 GPUs (257 experts with the shared one,
    # 256 of the 2,048 intermediate columns), on B200
    "blackwell": FusedMoeBench(
        "b200", 257, 8, 3 * 7168 * 256,
        ((1, 52.65), (2, 60.35), (4, 79.09), (8, 95.47), (16, 138.68), (24, 175.80)),
        "sgl-project/sglang PR #11816 (comment of 2025-10-19), tuning_fused_moe_triton.py --model "
        "deepseek-ai/DeepSeek-R1 --tp 8, 'Before:' block, B200",
        "Batch size: 1 ... Kernel time: 52.65 us; Batch size: 24 ... Kernel time: 175.80 us", "2025-10-19"),
    # AITER on 256 compute units (MI355X), DeepSeek-V3 split over 8 GPUs (inter_dim 256, 257 experts with
    # the shared one, 9 picked per token). The table gives one timing for 1 to 8 tokens (77.49 us, the
    # tuner's smallest bucket); it is taken once, at 8 tokens.
    "cdna4": FusedMoeBench(
        "mi355x", 257, 9, 3 * 7168 * 256, ((8, 77.4907), (16, 112.6776), (32, 158.4834), (64, 212.9873)),
        _AITER_FMOE + ", rows cu_num 256, model_dim 7168, inter_dim 256, expert 257, topk 9",
        "256,8,7168,256,257,9,... us 77.4907; 256,64,7168,256,257,9,... us 212.9873", "2026-08-22"),
    # AITER on 304 compute units (MI325X): no rows at DeepSeek's split shape, so the nearest one, GLM-5
    # split over 8 GPUs (hidden 6,144 instead of 7,168; 256 intermediate columns, 257 experts with the
    # shared one, 9 picked per token), tuned "for gfx942 (MI325)" (PR #3422). The 4- and 8-token rows
    # hold no timing (0 us) and are left out.
    "cdna3": FusedMoeBench(
        "mi325x", 257, 9, 3 * 6144 * 256,
        ((1, 67.3825), (2, 71.1007), (16, 123.614), (32, 215.4935), (64, 288.4137)),
        "ROCm/aiter aiter/configs/model_configs/a8w8_blockscale_tuned_fmoe_glm5_1.csv at e4048607a (AMD's tuned "
        "FP8 MoE kernels for GLM-5, column 'us'), rows gfx942, cu_num 304, model_dim 6144, inter_dim 256, "
        "expert 257, topk 9",
        "gfx942,304,1,6144,256,257,9,... us 67.3825; gfx942,304,64,6144,256,257,9,... us 288.4137", "2026-08-18"),
}


def fused_moe_bench(arch: str) -> FusedMoeBench:
    """The fused MoE benchmark a GPU family's estimate uses: its own, or Hopper's."""
    return FUSED_MOE.get(arch) or FUSED_MOE["hopper"]


@functools.cache
def fused_moe_fit(arch: str) -> tuple[float, float]:
    """(fixed seconds per call, share of HBM bandwidth) of a GPU family's fused MoE kernel."""
    return fused_moe_bench(arch).fit()


# ---- tensor-parallel all-reduce within one node --------------------------------------------

#: The time of an all-reduce that moves almost nothing, across 8 GPUs of one node: SGLang's own
#: custom all-reduce (the kernel its tensor-parallel layers call) on 8 H100, smallest message of
#: its table, 0.0059 ms. It was timed without CUDA graphs; MSCCL++ captured in a graph, which SGLang
#: benchmarked when it adopted it, takes 5.86 us for a 2 KiB message on one 8-GPU node (sglang PR
#: #22734). Decode sends a few hundred KiB per call, so a call is this latency plus the bytes over
#: the link (:func:`calc.estimate.estimate`); the bandwidth term alone gave 0.6 us for 8 tokens of
#: DeepSeek's 7,168-wide hidden state.
ALLREDUCE_LATENCY = Measured(
    5.9e-6, "s", "All-reduce across 8 GPUs in one node, smallest message (latency)", "h100",
    "sgl-project/sglang PR #2904 ('optimize custom allreduce kernel', 2025-01-15), unit test performance in "
    "H100, custom allreduce, 8 GPUs (third column)", "| 2/4/8 | 512 | 0.0037/0.0048/0.0059 |", "2025-01-15")


# ---- DeepEP (expert-parallel all-to-all) on H800, one 400 Gb/s CX7 NIC per GPU -------------------

DEEPEP_LL_SOURCE = ("deepseek-ai/DeepEP README / docs/legacy.md, low-latency kernels (H800, CX7 400 Gb/s, "
                    "128 tokens per batch, 7168 hidden, top-8, FP8 dispatch, BF16 combine)")
#: Low-latency mode (decode): EP -> (dispatch us, dispatch GB/s, combine us, combine GB/s) at
#: 128 tokens per GPU. Current table (since 2025-06-05: intranode peers over NVLink).
DEEPEP_LL = {
    8: (77, 98, 114, 127), 16: (118, 63, 195, 74), 32: (155, 48, 273, 53),
    64: (173, 43, 314, 46), 128: (192, 39, 369, 39), 256: (194, 39, 360, 40),
}
#: The first table (2025-02-24 to 2025-06-05): pure RDMA, also for peers in the same node.
DEEPEP_LL_V1 = {
    8: (163, 46, 318, 46), 16: (173, 43, 329, 44), 32: (182, 41, 350, 41),
    64: (186, 40, 353, 41), 128: (192, 39, 369, 39), 256: (194, 39, 360, 40),
}
DEEPEP_LL_TOKENS = 128
DEEPEP_NIC_BW = 50 * GB  # "CX7 InfiniBand 400 Gb/s RDMA network card (~50 GB/s maximum bandwidth)"
DEEPEP_NVLINK_BW = 160 * GB  # "H800 (~160 GB/s NVLink maximum bandwidth)"

#: The best rates DeepEP publishes at any size, as shares of the link they crossed: the tight
#: bound's network (a bound may not use a rate measured at one size as a ceiling at another).
#: Low-latency over RDMA: 46 GB/s per GPU on a ~50 GB/s NIC (first table, EP8; every size
#: from EP8 to EP256 measured 39-46), in DeepEP's own counting: 0.92.
DEEPEP_LL_BEST_RDMA = Measured(
    46 * GB, "B/s", "DeepEP low-latency, best RDMA rate at any size (EP8, first table)", "h800",
    "deepseek-ai/DeepEP README at its first release (ebfe47e), low-latency kernels, pure RDMA",
    "8 | 163 us | 46 GB/s | 8 | 318 us | 46 GB/s", "2025-02-24")
#: Over NVLink: 158 GB/s per GPU (normal mode, intranode combine) of H800's 200 GB/s per
#: direction: 0.79 (DeepEP itself calls ~160 GB/s the H800's NVLink maximum). Normal mode's
#: internode "RDMA" figures (up to 58 GB/s on a ~50 GB/s NIC) are not wire bytes and are not
#: used for the low-latency bound.
DEEPEP_BEST_NVLINK = Measured(
    158 * GB, "B/s", "DeepEP, best NVLink rate at any size (normal mode, intranode combine)", "h800",
    "deepseek-ai/DeepEP README / docs/legacy.md, normal kernels",
    "Intranode | 8 | 153 GB/s (NVLink) | 8 | 158 GB/s (NVLink)",
    "2025-02-24")

DEEPEP_NORMAL_SOURCE = ("deepseek-ai/DeepEP README / docs/legacy.md, normal kernels (H800, 4096 tokens per batch, "
                        "top-4 groups, top-8 experts, FP8 dispatch, BF16 combine)")
#: Normal mode (training, prefill): EP -> (kind, dispatch GB/s, combine GB/s), "bottleneck bandwidth".
DEEPEP_NORMAL = {8: ("nvlink", 153, 158), 16: ("rdma", 43, 43), 32: ("rdma", 58, 57), 64: ("rdma", 51, 50)}
#: Share of the NIC line rate of DeepEP's best low-latency RDMA figure: 46 / 50 = 0.92.
LL_RDMA_BEST_SHARE = DEEPEP_LL_BEST_RDMA.value / DEEPEP_NIC_BW
#: Share of H800's 200 GB/s NVLink per direction of DeepEP's best NVLink figure: 158 / 200 = 0.79.
NVLINK_BEST_SHARE = DEEPEP_BEST_NVLINK.value / (200 * GB)


def deepep_message_bytes(hidden: int) -> tuple[float, float]:
    """Bytes DeepEP counts per (token, chosen expert): FP8 dispatch ``h + h/128 x 4 + 16``
    (values, one FP32 scale per 128, 16 B of metadata) and BF16 combine ``2 h``
    (tests/test_low_latency.py). DeepSeek-V3: 7,408 and 14,336 B."""
    return hidden + hidden / 128 * 4 + 16, 2.0 * hidden


def _row_at_or_below(table: dict, ep: int):
    keys = sorted(table)
    below = [k for k in keys if k <= ep]
    return table[below[-1]] if below else table[keys[0]]


def deepep_ll_rates(ep: int, table: dict | None = None) -> tuple[float, float]:
    """(dispatch, combine) bytes/s per GPU that DeepEP's low-latency kernels reach at this EP
    size on H800 with one 400 Gb/s NIC per GPU, in DeepEP's own counting (every chosen
    expert, local ones included). The table row at or below ``ep`` is used: rates fall as EP
    grows, so this never understates them (EP144 -> the EP128 row, 39 GB/s both ways)."""
    _, d, _, c = _row_at_or_below(table or DEEPEP_LL, ep)
    return d * GB, c * GB


def deepep_ll_latency(ep: int, table: dict | None = None) -> tuple[float, float]:
    """(dispatch, combine) seconds per call at 128 tokens per GPU (EP128: 192 and 369 us)."""
    dl, _, cl, _ = _row_at_or_below(table or DEEPEP_LL, ep)
    return dl * 1e-6, cl * 1e-6


#: DeepEP's low-latency kernels on H200 (hidden 7,168, top-8 of 256 experts, FP8 dispatch, BF16
#: combine; kernel time of rank 0), as NVIDIA's AIConfigurator measured them for its performance
#: database: EP -> (dispatch, combine) microseconds of a straight line through its points up to 128
#: tokens per GPU (from 1 token in one node, from 2 across nodes), at no tokens. A call costs this much before it moves anything:
#: at 8 tokens per GPU across 4 nodes, 32.0 us to dispatch where the README's rate alone gives 10.
#: EP8 is one node over NVLink; the others cross the NICs (ConnectX-7, 400 Gb/s per GPU).
DEEPEP_LL_FLOOR_SOURCE = ("ai-dynamo/aiconfigurator, package aiconfigurator-core 0.12.0 (PyPI), aiconfigurator_core/"
                          "systems/data/h200_sxm/comm/sglang/0.5.6.post2/wideep_deepep_ll_perf.parquet, rows hidden_size "
                          "7168, num_experts 256, num_token 1-128, node_num 1-8 (timed by its collector/wideep/sglang/"
                          "deepep/test_low_latency.py)")
DEEPEP_LL_FLOOR = {8: (14.9, 11.0), 16: (19.4, 24.3), 32: (25.5, 26.3), 64: (27.5, 25.0)}


def deepep_ll_floor(ep: int, scale_up_domain: int) -> tuple[float, float]:
    """(dispatch, combine) seconds a low-latency call costs at no tokens (:data:`DEEPEP_LL_FLOOR`):
    EP8's one-node line inside one scale-up domain, else the row at or below ``ep`` (EP64's
    beyond it)."""
    key = 8 if ep <= scale_up_domain else max(k for k in DEEPEP_LL_FLOOR if k <= max(ep, 16))
    d, c = DEEPEP_LL_FLOOR[key]
    return d * 1e-6, c * 1e-6


#: AMD's MoRI-EP, the all-to-all SGLang uses on AMD GPUs, within one 8-GPU node of MI355X (hidden
#: 7,168, top-8 of 256 experts, FP8 dispatch, BF16 combine, random routing, timed in a HIP graph):
#: tokens per GPU -> (dispatch us, combine us) of its first ("v1") kernels, as measured beside
#: their successors in ROCm/mori PR #448.
MORI_EP8_SOURCE = ("ROCm/mori PR #448 (comment of 2026-07-08), 'MI355X: ops v2 (this PR) vs mori v1 - fp8 dispatch + "
                   "bf16 combine', table 'v2 vs v1 (CUDAGraph)', columns v1 disp and v1 comb")
MORI_EP8_V1 = {8: (30.9, 20.2), 64: (32.7, 28.4), 128: (41.4, 39.1)}


def mori_ep8_times(tokens: float) -> tuple[float, float]:
    """(dispatch, combine) seconds of one MoRI-EP call with ``tokens`` per GPU inside one node:
    the straight line through :data:`MORI_EP8_V1` (29 us + 0.09 us per token to dispatch, 19 us
    + 0.16 us per token to combine)."""
    tokens_measured = list(MORI_EP8_V1)
    (d0, ds), (c0, cs) = (_line(tokens_measured, [MORI_EP8_V1[t][i] for t in tokens_measured]) for i in (0, 1))
    return (d0 + ds * tokens) * 1e-6, (c0 + cs * tokens) * 1e-6


#: An independent measurement of the same low-latency kernels on ConnectX-7 NICs, by Perplexity
#: beside its own kernels (perplexityai/pplx-garden docs/fabric-lib.md, the benchmark of arXiv
#: 2510.27656, 2025-10-31; the GPU is not named): EP -> (dispatch us, combine us), 128 tokens
#: per GPU, NVLink inside a node. Nothing computes with it; it checks the README's table.
DEEPEP_LL_PPLX_SOURCE = ("perplexityai/pplx-garden, docs/fabric-lib.md, 'Decode (128 tokens) Dispatch and Combine', "
                         "column DeepEP-CX7 (the benchmark of arXiv 2510.27656)")
DEEPEP_LL_PPLX = {64: (177.9, 325.0), 32: (159.1, 285.0), 16: (123.9, 203.0), 8: (42.6, 72.0)}


def deepep_ll_independent_slowdown(eps: tuple[int, ...] = (16, 32, 64)) -> float:
    """The largest ratio, less one, of Perplexity's DeepEP low-latency times on ConnectX-7 to
    the README's at the same EP sizes across nodes, dispatch or combine: EP16 dispatch 123.9 us
    against 118, 5.0% slower. Shows that the README's rates hold on another cluster."""
    return max(max(DEEPEP_LL_PPLX[ep][0] / DEEPEP_LL[ep][0], DEEPEP_LL_PPLX[ep][1] / DEEPEP_LL[ep][2])
               for ep in eps) - 1


def deepep_normal_rates(ep: int) -> tuple[str, float, float]:
    """(link kind, dispatch, combine bytes/s) of DeepEP's normal kernels at this EP size."""
    kind, d, c = _row_at_or_below(DEEPEP_NORMAL, ep)
    return kind, d * GB, c * GB


def deepep_normal_bytes_per_element(dtype: str) -> float:
    """Bytes per hidden element that DeepEP's normal kernels send per (token, destination):
    FP8 with one FP32 scale per 128 values, ``1 + 4/128`` (tests/legacy/test_internode.py
    counts BF16 bytes x ``(1 + 4 / 128) / 2``; no per-token metadata, unlike low-latency
    mode); NVFP4 with one FP8 scale per 16 values, 4.5 bits (SGLang fuses NVFP4 quantisation
    into DeepEP's dispatch, LMSYS 2025-09-25); otherwise BF16, 2. The combine is BF16."""
    if dtype == "fp8":
        return 1 + 4 / 128
    if dtype == "fp4":
        return NVFP4_BYTES
    return 2.0


#: Share of the bytes DeepEP's normal-mode test counts that really cross the NIC at EP32 (4
#: nodes). DeepEP counts every (token, destination node) pair, its own node included
#: (tests/legacy/test_internode.py, ``num_rdma_token_sent``); in that test a token reaches
#: 4 x (1 - (3/4)^8) = 3.60 of 4 nodes, 0.90 of them its own: 2.70 / 3.60 = 3/4 remote.
DEEPEP_NORMAL_REMOTE_SHARE_EP32 = 0.75
#: DeepEP's normal kernels across nodes at EP32 as a share of the 50 GB/s line rate, remote
#: bytes only: (58 + 57) / 2 x 3/4 / 50 = 0.8625 (docs/legacy.md, table since 2025-04-22).
RDMA_NORMAL_EFFICIENCY = (_mean(DEEPEP_NORMAL[32][1:]) * DEEPEP_NORMAL_REMOTE_SHARE_EP32 * GB / DEEPEP_NIC_BW)
#: DeepEP's normal kernels inside an H800 node: (153 + 158) / 2 over 200 GB/s NVLink per
#: direction = 0.7775.
NVLINK_NORMAL_EFFICIENCY = _mean(DEEPEP_NORMAL[8][1:]) * GB / H800_NVLINK_BW

DEEPEP_V2_SOURCE = "deepseek-ai/DeepEP README (V2), Performance (8K tokens per batch, 7168 hidden, top-8, FP8 dispatch, BF16 combine)"
DEEPEP_V2_RDMA = Measured(
    90 * GB, "B/s", "DeepEP V2 normal dispatch over 2 nodes (EP 8 x 2, logical: half is local)", "h800",
    DEEPEP_V2_SOURCE, "SM90 | CX7 | EP 8 x 2 | 90 GB/s (RDMA) | 81 GB/s (RDMA) | 12", "2026-04-30")
DEEPEP_V2_NVLINK = Measured(
    740 * GB, "B/s", "DeepEP V2 normal combine within one NVLink domain (SM100, EP8)", "b200",
    DEEPEP_V2_SOURCE, "SM100 | N/A | EP 8 | 726 GB/s (NVLink) | 740 GB/s (NVLink) | 64 (Max perf)", "2026-04-30")
#: NVLink 5 per direction on SM100 (B200): 1.8 TB/s both ways.
SM100_NVLINK_BW = 900 * GB
#: The best measured share of a 400 Gb/s NIC in normal mode: DeepEP V2's 90 GB/s at EP 8 x 2
#: counts local traffic too ("90 GB/s actually contains local rank traffic"); half of it is
#: remote: 45 of 50 GB/s = 0.90.
RDMA_NORMAL_EFFICIENCY_BEST = DEEPEP_V2_RDMA.value * 0.5 / DEEPEP_NIC_BW
#: The best measured share of NVLink in normal mode: 740 of 900 GB/s (DeepEP V2 on SM100) = 0.822.
NVLINK_NORMAL_EFFICIENCY_BEST = DEEPEP_V2_NVLINK.value / SM100_NVLINK_BW

#: The bound's share of each link: the best DeepEP has published for any of its kernels, low-latency
#: or normal mode, on any GPU: NIC max(46 of 50 GB/s low-latency, 45 of 50 normal V2) = 0.92;
#: NVLink max(158 of 200 GB/s on H800, 740 of 900 GB/s on SM100 in V2) = 0.822.
NIC_BOUND_SHARE = max(LL_RDMA_BEST_SHARE, RDMA_NORMAL_EFFICIENCY_BEST)
NVLINK_BOUND_SHARE = max(NVLINK_BEST_SHARE, NVLINK_NORMAL_EFFICIENCY_BEST)


# ---- prefill: large matmuls, the attention forward pass, the SM split ------------------------

#: DeepGEMM's normal GEMMs at prefill size (M = 4,096 tokens), DeepSeek-V3 shapes without TP,
#: H800 SXM5: (M, N, K, TFLOPS, GB/s), as DEEPGEMM_DENSE_DECODE. All are limited by arithmetic.
DEEPGEMM_DENSE_PREFILL = (
    (4096, 2112, 7168, 1009, 503), (4096, 24576, 1536, 1125, 893), (4096, 32768, 512, 751, 1569),
    (4096, 7168, 16384, 1426, 361), (4096, 4096, 7168, 1265, 485), (4096, 7168, 2048, 1168, 794),
)
#: Grouped GEMMs, contiguous layout (the prefill MoE kernel): (groups, M per group, N, K,
#: TFLOPS, GB/s), as DEEPGEMM_MASKED.
DEEPGEMM_CONTIGUOUS = (
    (4, 8192, 4096, 7168, 1346, 434), (4, 8192, 7168, 2048, 1214, 752),
    (8, 4096, 4096, 7168, 1346, 516), (8, 4096, 7168, 2048, 1214, 826),
)


def deepgemm_prefill_flops(n: int, k: int, grouped: bool = False) -> float:
    """FLOP/s DeepGEMM measured on H800 for an ``N x K`` weight at prefill size: the dense
    M = 4,096 row, or the contiguous grouped row (the same at 4 and 8 groups)."""
    rows = ([(r[2], r[3], r[4]) for r in DEEPGEMM_CONTIGUOUS] if grouped
            else [(r[1], r[2], r[3]) for r in DEEPGEMM_DENSE_PREFILL])
    for nn, kk, t in rows:
        if (nn, kk) == (n, k):
            return t * TFLOPS
    raise KeyError(f"DeepGEMM publishes no prefill-size figure for N = {n}, K = {k}")


#: Mean of DeepGEMM's six M = 4,096 dense shapes over the sustained FP8 peak (1,124 of 1,730):
#: the compute side of large matmuls (the decode estimate's matmuls that are not weight-bound).
LARGE_GEMM_EFFICIENCY = _mean(r[3] for r in DEEPGEMM_DENSE_PREFILL) * TFLOPS / H800_SUSTAINED_FP8

FA3_SOURCE = "Dao-AILab/flash-attention README, figure assets/flash3_fp16_fwd.png (H100 80GB SXM5, BF16)"
FA3_FORWARD = Measured(
    756 * TFLOPS, "FLOP/s", "FlashAttention-3 forward, best (head dim 256, no mask, 16K tokens)", "h100",
    FA3_SOURCE, "panel (e), FlashAttention-3 at 16k: 756 TFLOPs/s", "2024-07-11")
#: FlashAttention-3 forward with the causal mask, head dim 128, by sequence length:
#: (tokens, TFLOPS), panel (d). DeepSeek's MHA-mode prefill heads (192 / 128) are near 128.
FA3_CAUSAL_TFLOPS = ((512, 292), (1024, 423), (2048, 521), (4096, 579), (8192, 602), (16384, 616))
#: The H100's sustained BF16 peak: the H800's 865 TFLOPS, the same GH100 die at the same 700 W
#: limit (as :mod:`calc.presets` takes it).
H100_SUSTAINED_BF16 = H800_SUSTAINED_BF16.value
#: Best measured share of the sustained BF16 peak in an attention forward pass: 756 / 865 = 0.874.
PREFILL_ATTENTION_EFFICIENCY_BEST = FA3_FORWARD.value / H100_SUSTAINED_BF16


def prefill_attention_efficiency(seq_len: float) -> float:
    """FlashAttention-3's causal efficiency at ``seq_len`` tokens, as a share of the sustained
    BF16 peak: linear in log2(length) between the measured points, flat outside them
    (4K: 579 / 865 = 0.669)."""
    pts = [(math.log2(s), t * TFLOPS / H100_SUSTAINED_BF16) for s, t in FA3_CAUSAL_TFLOPS]
    x = math.log2(max(1.0, seq_len))
    if x <= pts[0][0]:
        return pts[0][1]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return pts[-1][1]


#: DeepGEMM (FP8, block-scaled) on H20 at DeepSeek-V3's attention-projection shapes, M = 4,096
#: tokens, as Alibaba's InferSim benchmarked it for its simulator: (K, N, microseconds, MFU of
#: the H20's 296 FP8 TFLOPS). alibaba/InferSim bench_data/gemm/h20/data.csv (commit 7505de9);
#: the README: "Linear: GEMM. Benchmarked on DeepGEMM."
INFERSIM_SOURCE = "alibaba/InferSim bench_data/gemm/h20/data.csv (DeepGEMM FP8 on H20, M = 4,096)"
INFERSIM_H20_GEMM = ((7168, 1536, 346.89, 0.878407), (7168, 576, 135.077, 0.845936),
                     (1536, 24576, 1146.0, 0.911625), (512, 32768, 558.975, 0.830665))
H20_FP8_PEAK = 296 * TFLOPS  # the peak InferSim's MFU column divides by (its hardware/gpu.py)


def h20_gemm_efficiency() -> float:
    """Share of the H20's FP8 peak that DeepGEMM reaches at DeepSeek-V3's prefill shapes,
    total FLOPs over total measured time of InferSim's four rows (q_a, kv_a, q_b, kv_b at
    M = 4,096): 0.88. The same kernels reach 0.73 of the throttled H800's peak
    (:func:`calc.prefill.gemm_efficiency_measured`): a GPU with a seventh of the arithmetic
    keeps its tensor cores busier."""
    flops = sum(2 * 4096 * k * n for k, n, _, _ in INFERSIM_H20_GEMM)
    secs = sum(us * 1e-6 for _, _, us, _ in INFERSIM_H20_GEMM)
    return flops / secs / H20_FP8_PEAK


#: The best share in the same file, any shape: M = 32,768, K = 25,600, N = 5,120 at 0.9517 of
#: 296 TFLOPS, above DeepGEMM's best H800 share (0.896): the prefill bound's matmul share on H20.
INFERSIM_H20_GEMM_BEST = Measured(
    0.951727 * H20_FP8_PEAK, "FLOP/s", "DeepGEMM FP8 on H20, best shape InferSim measured", "h20", INFERSIM_SOURCE,
    "32768,25600,5120,30492,0.951727", "2025-10")

INFERSIM_H20_PREFILL_GEMM = Measured(
    sum(2 * 4096 * k * n for k, n, _, _ in INFERSIM_H20_GEMM) / sum(us * 1e-6 for _, _, us, _ in INFERSIM_H20_GEMM),
    "FLOP/s", "DeepGEMM FP8 on H20 at DeepSeek-V3's attention projections (M = 4,096)", "h20", INFERSIM_SOURCE,
    "4096,1536,24576,1146,0.911625 (q_b: 91% of 296 TFLOPS)", "2025-10")

#: Low-precision kernels against their standard-precision versions, the same GB200 run:
#: "For the case under test, attention is 1.8x faster and GEMM is up to 1.9x faster" (LMSYS
#: 2025-09-25, GB200 part II: FP8 against BF16 attention, NVFP4 against FP8 GEMMs). The FP8 and
#: FP4 peaks are twice the next format's, so the low-precision kernels reach 0.9 and at most
#: 0.95 of the efficiency of their standard versions.
LMSYS_GB200_SOURCE = "LMSYS blog 2025-09-25, GB200 NVL72 part II (lm-sys/lm-sys.github.io blog/2025-09-25-gb200-part-2.md)"
FP4_GEMM_SPEEDUP = Measured(1.9, "x", "NVFP4 GEMM against FP8 GEMM, GB200 (best of the three matmuls)", "gb200",
                            LMSYS_GB200_SOURCE, "GEMM is up to 1.9x faster", "2025-09-25")
FP8_ATTENTION_SPEEDUP = Measured(1.8, "x", "FP8 attention against BF16 attention, GB200", "gb200",
                                 LMSYS_GB200_SOURCE, "attention is 1.8x faster", "2025-09-25")
#: GB200's link from the Grace CPU's memory to the GPU, per direction: "GB200's fast bandwidth
#: between CPUs and GPUs (900GB/s, bidirectional)" (same post): weights offloaded to host memory
#: come back over it.
GB200_HOST_LINK = Measured(450 * GB, "B/s", "GB200 CPU-to-GPU link (NVLink-C2C), per direction", "gb200",
                           LMSYS_GB200_SOURCE, "GB200's fast bandwidth between CPUs and GPUs (900GB/s, bidirectional)",
                           "2025-09-25")

PREFILL_SM_SPLIT = Measured(
    108, "SMs", "SMs left for computation while DeepEP's normal kernels hold 24 (prefill)", "h800",
    "deepseek-ai/profile-data README, assets/prefill.jpg", "Computation 108 SMs; Communication 24 SMs", "2025-02-27")
#: Prefill compute runs on 108 of H800's 132 SMs: 0.818.
PREFILL_COMPUTE_SM_SHARE = PREFILL_SM_SPLIT.value / 132


# ---- moving and storing KV caches (time to first token, the context cache) ---------------------

MOONCAKE_KV_TRANSFER = Measured(
    142.25 * GiB, "B/s", "KV cache moved between H800 nodes, 32K tokens (8 x CX7 at 200 Gb/s)", "h800",
    "kvcache-ai/Mooncake docs/source/performance/vllm/vllm-v1-pd-performance.md (vLLM, Qwen3-8B, TP8 to TP8)",
    "peak actual transfer bandwidth of 142.25 GB/s (32768 tokens: 4.50 GB in 31.65 ms, so their GB are GiB)",
    "2026-07-10", "binary")
#: Line rate behind it: 8 ConnectX-7 ports of 200 Gb/s, "approximately 200 GB/s".
MOONCAKE_LINE_BW = 200 * GB
#: Share of the NIC line rate a KV transfer reaches: 142.25 GiB/s of 200 GB/s = 0.764.
KV_LINK_EFFICIENCY = MOONCAKE_KV_TRANSFER.value / MOONCAKE_LINE_BW

THREEFS_SOURCE = "deepseek-ai/3FS README"
THREEFS_KVCACHE_READ = Measured(
    40 * GiB, "B/s", "3FS KVCache read, peak per client node (1 x 400 Gb/s NIC, 8 GPUs)", "h800",
    THREEFS_SOURCE + ", 3. KVCache", "peak throughput reaching up to 40 GiB/s", "2025-02-28", "binary")
THREEFS_CLUSTER_READ = Measured(
    6.6 * TiB, "B/s", "3FS aggregate read of 180 storage nodes (sixteen 14 TiB SSDs each)", "",
    THREEFS_SOURCE + ", 1. Peak throughput",
    "The final aggregate read throughput reached approximately 6.6 TiB/s", "2025-02-28", "binary")
THREEFS_STORAGE_NODES = 180  # "This cluster consists of 180 storage nodes"
THREEFS_SSDS_PER_NODE = 16  # "sixteen 14TiB NVMe SSDs"
THREEFS_SSD_BYTES = 14 * TiB
THREEFS_NODE_BYTES = THREEFS_SSDS_PER_NODE * THREEFS_SSD_BYTES
_THREEFS_CLUSTER_QUOTE = ("This cluster consists of 180 storage nodes, each equipped with 2x200Gbps InfiniBand NICs "
                          "and sixteen 14TiB NVMe SSDs")
THREEFS_NODES_M = Measured(THREEFS_STORAGE_NODES, "nodes", "3FS storage nodes in the measured cluster", "",
                           THREEFS_SOURCE + ", 1. Peak throughput", _THREEFS_CLUSTER_QUOTE, "2025-02-28")
THREEFS_SSDS_M = Measured(THREEFS_SSDS_PER_NODE, "SSDs", "NVMe SSDs per 3FS storage node", "",
                          THREEFS_SOURCE + ", 1. Peak throughput", _THREEFS_CLUSTER_QUOTE, "2025-02-28")
THREEFS_SSD_M = Measured(THREEFS_SSD_BYTES, "B", "one 3FS NVMe SSD", "", THREEFS_SOURCE + ", 1. Peak throughput",
                         _THREEFS_CLUSTER_QUOTE, "2025-02-28", "binary")


# ---- efficiencies used by the bounds ------------------------------------------------------------
#
# Each is the best share measured, of HBM bandwidth or of the peak at the clock the kernel ran
# (for compute: DeepSeek's H800s at about 1,600 MHz). The tight bound applies them at the boost
# clock (a GPU kept cooler may hold it) and to every kernel of the kind; the estimate applies
# them, or the lower typical shares below, at the sustained clock.

#: Best measured share of HBM bandwidth, by any kernel (FlashMLA, memory-bound): 3,000 / 3,350
#: = 0.896. The bound streams every kernel's bytes at it, matmuls included.
MEMORY_EFFICIENCY = FLASHMLA_MEMORY.value / H800_HBM_BW
#: Best measured share of the sustained BF16 peak in decode attention (FlashMLA): 660 / 865 = 0.763.
ATTENTION_EFFICIENCY = FLASHMLA_COMPUTE.value / H800_SUSTAINED_BF16.value
#: The same for the first FlashMLA release (February 2025): 580 / 865 = 0.671.
ATTENTION_EFFICIENCY_FEB = FLASHMLA_COMPUTE_FEB.value / H800_SUSTAINED_BF16.value
#: Best measured share of the sustained FP8 peak in any matmul (DeepGEMM): 1,550 / 1,730 = 0.896.
#: The bound computes every matmul at it, grouped expert matmuls included.
GEMM_EFFICIENCY = DEEPGEMM_PEAK.value / H800_SUSTAINED_FP8

# ---- DeepSeek's MTP: tokens accepted per step ----------------------------------------------------

#: DeepSeek-V3 technical report (arXiv 2412.19437), section 5.4.3: MTP's second token is
#: accepted 85-90% of the time, for about 1.8 times the tokens per second. With one draft a
#: step emits 1 + acceptance tokens: 1.85 to 1.90.
MTP_SOURCE = "DeepSeek-V3 technical report (arXiv 2412.19437), section 5.4.3"
#: Accept length for DeepSeek's MTP in examples and estimates: the low end of the range, 1.85.
MTP_ACCEPT_TYPICAL = 1.85
#: The top of the range, 1.90: what a bound takes where a source leaves MTP's acceptance out.
MTP_ACCEPT_TOP = 1.9

# ---- one kernel measured on two architectures ------------------------------------------------

FLASHMLA_SPARSE_FP8_B200 = Measured(
    350 * TFLOPS, "FLOP/s", "FlashMLA sparse decode with FP8 KV on B200 ('not really optimized yet')", "b200",
    "deepseek-ai/FlashMLA README", "achieves up to 350 TFlops on B200 (which is not really optimized yet)",
    "2025-09-29")
#: How much of its peak the same MLA decode kernel reached on Blackwell against Hopper: 350 of
#: 2,250 BF16 TFLOPS on B200 against 410 of 865 on H800: 0.33. Nothing uses it; the Validation
#: page shows the two figures it compares.
FLASHMLA_SPARSE_B200_OVER_H800 = ((FLASHMLA_SPARSE_FP8_B200.value / 2250e12)
                                  / (FLASHMLA_SPARSE_FP8.value / H800_SUSTAINED_BF16.value))

def mla_decode_call_flops(batch: int, cached_tokens: int) -> int:
    """FLOPs of one call of a DeepSeek-V3-shaped MLA decode kernel (one query token, 128 heads,
    (576 + 512) x 2 FLOPs per head and cached token), as this module counts attention."""
    return batch * cached_tokens * 128 * (576 + 512) * 2


#: FLOPs of one call of the MLA decode kernel benchmark below (BangBOOM/operator-test): batch
#: 512, 8,192 cached tokens.
MLA_BENCH_CALL_FLOPS = mla_decode_call_flops(512, 8192)

#: The dense MLA decode kernel engines run on Blackwell (TensorRT-LLM's, called through
#: FlashInfer), benchmarked alone on a B200 at DeepSeek-V3's decode shape: 128 query heads, one
#: 576-wide latent head, one query token, 8,192 cached tokens, FP8 query and cache, batch 512,
#: 544 us per call. Counted as this module counts attention, 512 x 8,192 x 128 x (576 + 512) x 2
#: FLOPs in 544 us: 2,147 TFLOPS, the benchmark's own figure.
TRTLLM_MLA_DECODE_B200 = Measured(
    MLA_BENCH_CALL_FLOPS / 544e-6, "FLOP/s",
    "TensorRT-LLM MLA decode kernel, FP8, 128 heads, 8K context, batch 512", "b200",
    "BangBOOM/operator-test, mla-decoding/B200/README.md (FlashInfer's benchmark, backend trtllm-native)",
    "| 1 | 8192 | 128 | 1 | 512 | 1108.9 | 544 | 1053.504468 | 2147.483648 |")


#: The same benchmark on an MI355X with AITER's MLA decode kernel (``mla_a8w8``, FP8 query and
#: cache, the same shape, 10 profiled calls after 3 warm-up): 1,108.9 us per call at batch 512,
#: 1,053.5 TFLOPS, 0.21 of the MI355X's 5 PFLOPS FP8.
AITER_MLA_DECODE_MI355X = Measured(
    MLA_BENCH_CALL_FLOPS / 1108.9e-6, "FLOP/s",
    "AITER MLA decode kernel, FP8, 128 heads, 8K context, batch 512", "mi355x",
    "BangBOOM/operator-test, mla-decoding/B200/README.md (MI355 column; method in mla-decoding/MI355/README.md)",
    "| 1 | 8192 | 128 | 1 | 512 | 1108.9 | 544 | 1053.504468 | 2147.483648 |")


#: AITER's MLA decode kernel on an MI300X (CDNA3), in AMD's own tutorial: BF16 query and cache,
#: 128 heads, one query token, batch 128, timed at 1K to 8K cached tokens against PyTorch.
#: At 8,192 tokens a call takes 1.43 ms: 128 x 8,192 x 128 x (576 + 512) x 2 FLOPs in 1.43 ms,
#: 204 TFLOPS, 0.16 of the MI300X's 1,307 BF16 TFLOPS. The chart's times fall far less than in
#: proportion at shorter contexts (0.68 ms at 1K), so the 8K call is the one least dominated by
#: whatever fixed cost the timing includes.
AITER_MLA_DECODE_MI300X = Measured(
    mla_decode_call_flops(128, 8192) / 1.43e-3, "FLOP/s",
    "AITER MLA decode kernel, BF16, 128 heads, 8K context, batch 128", "mi300x",
    "ROCm/gpuaidev, docs/notebooks/gpu_dev_optimize/aiter_mla_decode_kernel.ipynb (AMD ROCm AI developer hub "
    "tutorial 'MLA decoding kernel of the AITER library', figure assets/aiter-performance-comparison.png)",
    "MLA Decode Attn kernel Performance Comparison (batch size=128) ... context length 8192: "
    "PyTorch Native 9.44 ms, AITER Optimized 1.43 ms", "2025-07-23")


@functools.lru_cache(maxsize=None)
def cdna3_attention_share() -> float:
    """Share of Hopper's measured attention efficiency (FlashMLA, 660 of 865) that MLA decode
    attention reaches on CDNA3 (MI300X, and the MI325X, the same chip with more memory): the
    AITER kernel's share of the MI300X's BF16 peak, 0.156 / 0.763 = 0.20. The estimate uses it
    on CDNA3, where no DeepSeek deployment is measured; the bound keeps the best share measured
    anywhere."""
    return _share_of_hopper_attention(AITER_MLA_DECODE_MI300X, "bf16")


def _share_of_hopper_attention(kernel: Measured, dtype: str) -> float:
    """A kernel's measured rate as a share of its GPU's peak at the sustained clock, over the
    share FlashMLA reaches on the H800 (660 of 865)."""
    from .presets import GPUS

    return kernel.value / GPUS[kernel.gpu].sustained_flops(dtype) / ATTENTION_EFFICIENCY


@functools.lru_cache(maxsize=None)
def cdna4_attention_share() -> float:
    """Share of Hopper's measured attention efficiency (FlashMLA, 660 of 865) that MLA decode
    attention reaches on CDNA4 (MI355X): the AITER kernel's share of the MI355X's FP8 peak,
    0.211 / 0.763 = 0.28. The estimate uses it on CDNA4, where no deployment is measured; the
    bound keeps the best share measured anywhere."""
    return _share_of_hopper_attention(AITER_MLA_DECODE_MI355X, "fp8")


#: Measured MLA decode attention shares by architecture, where no deployment is fitted.
MEASURED_ATTENTION_SHARE = {"cdna3": cdna3_attention_share, "cdna4": cdna4_attention_share}


def blackwell_attention_share_kernel() -> tuple[float, float]:
    """The Blackwell attention share this kernel implies: its share of the B200's FP8 peak over
    FlashMLA's share of the H800's sustained peak (660 of 865). The benchmark does not say at
    which clock it ran: at the boost clock the share is 0.477 / 0.763 = 0.63; at the clock
    FlashInfer's developers saw under back-to-back calls (1,580 of 1,965 MHz, flashinfer PR
    2899), 0.593 / 0.763 = 0.78. (low, high); shown beside the estimate's fitted share,
    nothing uses it."""
    from .presets import GPUS

    b200 = GPUS["b200"]
    return (TRTLLM_MLA_DECODE_B200.value / b200.flops("fp8") / ATTENTION_EFFICIENCY,
            TRTLLM_MLA_DECODE_B200.value / b200.sustained_flops("fp8") / ATTENTION_EFFICIENCY)


def table() -> dict:
    """Every figure above that the bounds and the estimates use, for the pages and the CLI.
    ``use`` says which parts of the model read it: ``decode`` (the decode bound and
    estimate), ``prefill`` (the prefill bound and estimate), ``cache`` (time to first token
    and the context cache)."""
    d, p, c = "decode", "prefill", "cache"
    rows = {
        "h800_sustained": (H800_SUSTAINED_BF16, (d, p)),
        "flashmla_memory": (FLASHMLA_MEMORY, (d, p)),
        "flashmla_compute_feb": (FLASHMLA_COMPUTE_FEB, (d,)),
        "flashmla_compute": (FLASHMLA_COMPUTE, (d,)),
        "flashmla_sparse_h800": (FLASHMLA_SPARSE_FP8, (d,)),
        "flashmla_sparse_b200": (FLASHMLA_SPARSE_FP8_B200, (d,)),
        "trtllm_mla_b200": (TRTLLM_MLA_DECODE_B200, (d,)),
        "aiter_mla_mi355x": (AITER_MLA_DECODE_MI355X, (d,)),
        "aiter_mla_mi300x": (AITER_MLA_DECODE_MI300X, (d,)),
        "deepgemm_peak": (DEEPGEMM_PEAK, (d, p)),
        "deepgemm_decode_best": (Measured(
            max(r[4] for r in DEEPGEMM_DENSE_DECODE) * GB, "B/s", "DeepGEMM decode-size matmul (M = 64), best", "h800",
            DEEPGEMM_SOURCE, "64 | 7168 | 16384 | 336 TFLOPS | 2668 GB/s", "2025-03-25"), (d,)),
        "deepgemm_decode_mean": (Measured(
            _mean(r[4] for r in DEEPGEMM_DENSE_DECODE) * GB, "B/s", "DeepGEMM decode-size matmuls (M = 64, 128), mean",
            "h800", DEEPGEMM_SOURCE, "twelve rows from 1,509 to 2,668 GB/s", "2025-03-25"), (d,)),
        **{f"aiter_decode_gemm_{arch}_{split}": (Measured(
            aiter_decode_gemm_rate(arch, 8 if split == "tp8" else 1), "B/s",
            f"AITER FP8 block-scale matmuls at decode sizes (M = 64, 128), mean, "
            f"{'weights split over 8 GPUs' if split == 'tp8' else 'unsplit'} ({gpu.upper()}, {cu} compute units)", gpu,
            AITER_GEMM_SOURCE, f"{len(rows)} rows from {min(us for *_, us in rows):g} to {max(us for *_, us in rows):g} us",
            "2026-08-22"), (d,))
           for (arch, split), rows in AITER_DECODE_GEMM.items() for gpu, cu in (AITER_GPU[arch],)},
        **{f"aiter_prefill_gemm_{arch}": (Measured(
            aiter_prefill_gemm_efficiency(arch), "", f"AITER FP8 block-scale matmuls at prefill size (M = 4,096), "
            f"share of the {AITER_GPU[arch][0].upper()}'s FP8 peak", AITER_GPU[arch][0], AITER_GEMM_SOURCE,
            f"{len(rows)} rows from {min(us for *_, us in rows):g} to {max(us for *_, us in rows):g} us", "2026-08-22",
            display="percent"), (p,))
           for arch, rows in AITER_PREFILL_GEMM.items()},
        "deepgemm_masked_best": (Measured(
            max(r[4] for r in DEEPGEMM_MASKED) * TFLOPS, "FLOP/s", "DeepGEMM grouped expert matmul (masked), best",
            "h800", DEEPGEMM_SOURCE, "1 | 1024 | 4096 | 7168 | 1233 TFLOPS | 924 GB/s", "2025-03-25"), (d,)),
        "deepgemm_masked_bw": (Measured(
            max(r[5] for r in DEEPGEMM_MASKED) * GB, "B/s", "DeepGEMM grouped expert matmul (masked), 256 rows",
            "h800", DEEPGEMM_SOURCE, "4 | 256 | 4096 | 7168 | 932 TFLOPS | 2064 GB/s", "2025-03-25"), (d,)),
        "deepgemm_prefill_mean": (Measured(
            _mean(r[3] for r in DEEPGEMM_DENSE_PREFILL) * TFLOPS, "FLOP/s",
            "DeepGEMM prefill-size matmuls (M = 4,096), mean", "h800", DEEPGEMM_SOURCE,
            "six rows from 751 to 1,426 TFLOPS", "2025-03-25"), (d, p)),
        "deepgemm_contiguous": (Measured(
            max(r[4] for r in DEEPGEMM_CONTIGUOUS) * TFLOPS, "FLOP/s", "DeepGEMM grouped expert matmul (contiguous)",
            "h800", DEEPGEMM_SOURCE, "4 | 8192 | 4096 | 7168 | 1346 TFLOPS | 434 GB/s", "2025-03-25"), (p,)),
        "fa3_forward": (FA3_FORWARD, (p,)),
        "fa3_causal_4k": (Measured(
            dict(FA3_CAUSAL_TFLOPS)[4096] * TFLOPS, "FLOP/s", "FlashAttention-3 forward, causal, head dim 128, 4K tokens",
            "h100", FA3_SOURCE, "panel (d), FlashAttention-3 at 4k: 579 TFLOPs/s", "2024-07-11"), (p,)),
        "prefill_sm_split": (PREFILL_SM_SPLIT, (p,)),
        "infersim_h20_gemm": (INFERSIM_H20_PREFILL_GEMM, (p,)),
        "infersim_h20_gemm_best": (INFERSIM_H20_GEMM_BEST, (p,)),
        "fp4_gemm_speedup": (FP4_GEMM_SPEEDUP, (p,)),
        "fp8_attention_speedup": (FP8_ATTENTION_SPEEDUP, (p,)),
        "gb200_host_link": (GB200_HOST_LINK, (p,)),
        "deepep_ll_ep128_dispatch": (Measured(
            DEEPEP_LL[128][1] * GB, "B/s", "DeepEP low-latency dispatch, EP128, per GPU", "h800", DEEPEP_LL_SOURCE,
            "128 | 192 us | 39 GB/s", "2025-02-24"), (d,)),
        "deepep_ll_ep128_combine": (Measured(
            DEEPEP_LL[128][3] * GB, "B/s", "DeepEP low-latency combine, EP128, per GPU", "h800", DEEPEP_LL_SOURCE,
            "128 | 369 us | 39 GB/s", "2025-02-24"), (d,)),
        "deepep_ll_best_rdma": (DEEPEP_LL_BEST_RDMA, (d,)),
        "deepep_ll_floor_ep32_dispatch": (Measured(
            DEEPEP_LL_FLOOR[32][0] * 1e-6, "s", "DeepEP low-latency dispatch, EP32, cost of a call at no tokens (line "
            "through 1-128 tokens per GPU)", "h200", DEEPEP_LL_FLOOR_SOURCE,
            "node_num 4, num_token 8: dispatch_avg_t_us 32.0; num_token 128: 143.0"), (d,)),
        "deepep_ll_floor_ep32_combine": (Measured(
            DEEPEP_LL_FLOOR[32][1] * 1e-6, "s", "DeepEP low-latency combine, EP32, cost of a call at no tokens (line "
            "through 1-128 tokens per GPU)", "h200", DEEPEP_LL_FLOOR_SOURCE,
            "node_num 4, num_token 8: combine_avg_t_us 41.8; num_token 128: 263.3"), (d,)),
        "mori_ep8_dispatch_16": (Measured(
            mori_ep8_times(16)[0], "s", "MoRI-EP dispatch within one node, 16 tokens per GPU (line through its "
            "8-128-token timings)", "mi355x", MORI_EP8_SOURCE, "| 8 | 24.3 | 30.9 | ... | 128 | 35.6 | 41.4 |",
            "2026-07-08"), (d,)),
        "mori_ep8_combine_16": (Measured(
            mori_ep8_times(16)[1], "s", "MoRI-EP combine within one node, 16 tokens per GPU (line through its "
            "8-128-token timings)", "mi355x", MORI_EP8_SOURCE, "| 8 | ... | 19.0 | 20.2 | ... | 128 | ... | 42.0 | 39.1 |",
            "2026-07-08"), (d,)),
        "allreduce_latency": (ALLREDUCE_LATENCY, (d,)),
        **{f"fused_moe_{arch}": (Measured(
            b.fit()[0], "s", f"Fused MoE kernel, experts split by TP: fixed time per call ({b.gpu.upper()}, fit)", b.gpu,
            b.source, b.quote, b.date), (d,)) for arch, b in FUSED_MOE.items()},
        **{f"fused_moe_{arch}_bw": (Measured(
            b.fit()[1] * b.hbm_bw, "B/s", f"Fused MoE kernel, experts split by TP: rate beyond the fixed time "
            f"({b.gpu.upper()}, fit)", b.gpu, b.source, f"{len(b.points)} timings from {b.points[0][0]} to "
            f"{b.points[-1][0]} tokens", b.date), (d,)) for arch, b in FUSED_MOE.items()},
        "deepep_best_nvlink": (DEEPEP_BEST_NVLINK, (d,)),
        "deepep_normal_nvlink": (Measured(
            DEEPEP_NORMAL[8][1] * GB, "B/s", "DeepEP normal dispatch within a node (NVLink)", "h800",
            DEEPEP_NORMAL_SOURCE, "Intranode | 8 | 153 GB/s (NVLink)", "2025-02-24"), (d, p)),
        "deepep_normal_rdma_ep32": (Measured(
            DEEPEP_NORMAL[32][1] * GB, "B/s", "DeepEP normal dispatch across nodes, EP32 (RDMA, own node counted)",
            "h800", DEEPEP_NORMAL_SOURCE, "Internode | 32 | 58 GB/s (RDMA)", "2025-04-22"), (p,)),
        "deepep_normal_rdma": (Measured(
            DEEPEP_NORMAL[64][1] * GB, "B/s", "DeepEP normal dispatch across nodes, EP64 (RDMA)", "h800",
            DEEPEP_NORMAL_SOURCE, "Internode | 64 | 51 GB/s (RDMA)", "2025-04-22"), (d,)),
        "deepep_v2_rdma": (DEEPEP_V2_RDMA, (p,)),
        "deepep_v2_nvlink": (DEEPEP_V2_NVLINK, (p,)),
        "mooncake_kv_transfer": (MOONCAKE_KV_TRANSFER, (c,)),
        "threefs_kvcache_read": (THREEFS_KVCACHE_READ, (c,)),
        "threefs_cluster_read": (THREEFS_CLUSTER_READ, (c,)),
        "threefs_storage_nodes": (THREEFS_NODES_M, (c,)),
        "threefs_ssds_per_node": (THREEFS_SSDS_M, (c,)),
        "threefs_ssd": (THREEFS_SSD_M, (c,)),
    }
    return {k: {"label": m.label, "value": m.value, "unit": m.unit, "gpu": m.gpu, "source": m.source,
                "quote": m.quote, "date": m.date, "display": m.display or None, "use": list(use)} for k, (m, use) in rows.items()}
