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
  tests/test_low_latency.py for how its GB/s are counted.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from .units import GB, TFLOPS


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


# ---- the H800 the figures were measured on -----------------------------------------------

H800_HBM_BW = 3.35e12  # B/s, spec; FlashMLA's deep-dive uses the same figure
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


def decode_gemm_memory_efficiency() -> float:
    """Share of HBM bandwidth that DeepGEMM's decode-sized dense GEMMs reach: the mean of its
    twelve M = 64 and M = 128 rows (1,509-2,668 GB/s) over 3,350 GB/s: 0.68."""
    return _mean(r[4] for r in DEEPGEMM_DENSE_DECODE) * GB / H800_HBM_BW


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

DEEPEP_NORMAL_SOURCE = ("deepseek-ai/DeepEP README / docs/legacy.md, normal kernels (H800, 4096 tokens per batch, "
                        "top-4 groups, top-8 experts, FP8 dispatch, BF16 combine)")
#: Normal mode (training, prefill): EP -> (kind, dispatch GB/s, combine GB/s), "bottleneck bandwidth".
DEEPEP_NORMAL = {8: ("nvlink", 153, 158), 16: ("rdma", 43, 43), 32: ("rdma", 58, 57), 64: ("rdma", 51, 50)}


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


def deepep_normal_rates(ep: int) -> tuple[str, float, float]:
    """(link kind, dispatch, combine bytes/s) of DeepEP's normal kernels at this EP size."""
    kind, d, c = _row_at_or_below(DEEPEP_NORMAL, ep)
    return kind, d * GB, c * GB


# ---- efficiencies used by the bounds ------------------------------------------------------------

#: Best measured share of HBM bandwidth (FlashMLA, memory-bound): 3,000 / 3,350 = 0.896.
MEMORY_EFFICIENCY = FLASHMLA_MEMORY.value / H800_HBM_BW
#: Best measured share of the sustained BF16 peak in decode attention (FlashMLA): 660 / 865 = 0.763.
ATTENTION_EFFICIENCY = FLASHMLA_COMPUTE.value / H800_SUSTAINED_BF16.value
#: The same for the first FlashMLA release (February 2025): 580 / 865 = 0.671.
ATTENTION_EFFICIENCY_FEB = FLASHMLA_COMPUTE_FEB.value / H800_SUSTAINED_BF16.value
#: Best measured share of the sustained FP8 peak in a matmul (DeepGEMM): 1,550 / 1,730 = 0.896.
GEMM_EFFICIENCY = DEEPGEMM_PEAK.value / H800_SUSTAINED_FP8
#: Best measured share of HBM bandwidth in a decode-sized matmul (DeepGEMM, M = 64, N = 7,168,
#: K = 16,384: 2,668 GB/s): 0.796.
GEMM_MEMORY_EFFICIENCY_BEST = max(r[4] for r in DEEPGEMM_DENSE_DECODE) * GB / H800_HBM_BW
#: Best measured shares for the grouped expert matmul (DeepGEMM masked layout): 2,064 GB/s of
#: HBM bandwidth (0.616) and 1,233 of 1,730 FP8 TFLOPS (0.713).
GROUPED_MEMORY_EFFICIENCY_BEST = max(r[5] for r in DEEPGEMM_MASKED) * GB / H800_HBM_BW
GROUPED_COMPUTE_EFFICIENCY_BEST = max(r[4] for r in DEEPGEMM_MASKED) * TFLOPS / H800_SUSTAINED_FP8

# ---- one kernel measured on two architectures ------------------------------------------------

FLASHMLA_SPARSE_FP8_B200 = Measured(
    350 * TFLOPS, "FLOP/s", "FlashMLA sparse decode with FP8 KV on B200 ('not really optimized yet')", "b200",
    "deepseek-ai/FlashMLA README", "achieves up to 350 TFlops on B200 (which is not really optimized yet)",
    "2025-09-29")
#: How much of its peak the same MLA decode kernel reached on Blackwell against Hopper: 350 of
#: 2,250 BF16 TFLOPS on B200 against 410 of 865 on H800: 0.33. The estimate scales attention
#: on Blackwell by it (MLA decode kernels there were young in 2025); the bounds do not.
BLACKWELL_ATTENTION_FACTOR = ((FLASHMLA_SPARSE_FP8_B200.value / 2250e12)
                              / (FLASHMLA_SPARSE_FP8.value / H800_SUSTAINED_BF16.value))


def table() -> dict:
    """Every figure above that the bounds and the estimate use, for the pages and the CLI."""
    rows = {
        "h800_sustained": H800_SUSTAINED_BF16,
        "flashmla_memory": FLASHMLA_MEMORY,
        "flashmla_compute_feb": FLASHMLA_COMPUTE_FEB,
        "flashmla_compute": FLASHMLA_COMPUTE,
        "flashmla_sparse_h800": FLASHMLA_SPARSE_FP8,
        "flashmla_sparse_b200": FLASHMLA_SPARSE_FP8_B200,
        "deepgemm_peak": DEEPGEMM_PEAK,
        "deepgemm_decode_best": Measured(
            max(r[4] for r in DEEPGEMM_DENSE_DECODE) * GB, "B/s", "DeepGEMM decode-size matmul (M = 64), best", "h800",
            DEEPGEMM_SOURCE, "64 | 7168 | 16384 | 336 TFLOPS | 2668 GB/s", "2025-03-25"),
        "deepgemm_decode_mean": Measured(
            _mean(r[4] for r in DEEPGEMM_DENSE_DECODE) * GB, "B/s", "DeepGEMM decode-size matmuls (M = 64, 128), mean",
            "h800", DEEPGEMM_SOURCE, "twelve rows from 1,509 to 2,668 GB/s", "2025-03-25"),
        "deepgemm_masked_best": Measured(
            max(r[4] for r in DEEPGEMM_MASKED) * TFLOPS, "FLOP/s", "DeepGEMM grouped expert matmul (masked), best",
            "h800", DEEPGEMM_SOURCE, "1 | 1024 | 4096 | 7168 | 1233 TFLOPS | 924 GB/s", "2025-03-25"),
        "deepgemm_masked_bw": Measured(
            max(r[5] for r in DEEPGEMM_MASKED) * GB, "B/s", "DeepGEMM grouped expert matmul (masked), 256 rows",
            "h800", DEEPGEMM_SOURCE, "4 | 256 | 4096 | 7168 | 932 TFLOPS | 2064 GB/s", "2025-03-25"),
        "deepep_ll_ep128_dispatch": Measured(
            DEEPEP_LL[128][1] * GB, "B/s", "DeepEP low-latency dispatch, EP128, per GPU", "h800", DEEPEP_LL_SOURCE,
            "128 | 192 us | 39 GB/s", "2025-02-24"),
        "deepep_ll_ep128_combine": Measured(
            DEEPEP_LL[128][3] * GB, "B/s", "DeepEP low-latency combine, EP128, per GPU", "h800", DEEPEP_LL_SOURCE,
            "128 | 369 us | 39 GB/s", "2025-02-24"),
        "deepep_normal_nvlink": Measured(
            DEEPEP_NORMAL[8][1] * GB, "B/s", "DeepEP normal dispatch within a node (NVLink)", "h800",
            DEEPEP_NORMAL_SOURCE, "Intranode | 8 | 153 GB/s (NVLink)", "2025-02-24"),
        "deepep_normal_rdma": Measured(
            DEEPEP_NORMAL[64][1] * GB, "B/s", "DeepEP normal dispatch across nodes, EP64 (RDMA)", "h800",
            DEEPEP_NORMAL_SOURCE, "Internode | 64 | 51 GB/s (RDMA)", "2025-04-22"),
    }
    return {k: {"label": m.label, "value": m.value, "unit": m.unit, "gpu": m.gpu, "source": m.source,
                "quote": m.quote, "date": m.date} for k, m in rows.items()}
