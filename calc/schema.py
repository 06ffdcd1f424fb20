"""The parameter schema: every input of every calculation, declared once.

A parameter's name is snake_case here, ``--dash-case`` on the command line, and the same
snake_case as the URL query key and the HTML input ``name``. Validation lives here, so a
bad value gets the same message everywhere: one line naming the parameter by its label
("Context length must be a whole number from 1 to 10,000,000 tokens (got 0)").

Ranges are where the model means something, not merely where Python does not fail:
efficiencies from 1% to 100% of a peak; prices from a cent to $1,000 per GPU-hour;
throughputs to price from 0.01 tokens/s; an HBM reserve up to 1,000 GB (more than any GPU
holds: every user is then refused, which the placement says); context lengths from one
token to ten million; parallel degrees up to a few thousand GPUs. Within these ranges every
result is finite (``tests/test_calc_hostile.py`` fuzzes them).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

from .errors import ParamError
from . import estimate as _estimate
from . import measured
from .presets import GPUS, MODELS
from .context_cache import CACHE_READ_BYTES_PER_S_PER_GPU
from .prices import PRICE_LISTS


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "int" | "float" | "choice"
    unit: str
    default: Any
    label: str
    help: str
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    choices: tuple[str, ...] | None = None
    step: float | None = None
    #: human names of the choices, same order as ``choices`` ("H800 SXM" for ``h800``); the
    #: pages show these, the URL, the CLI and the option values keep the ids
    choice_labels: tuple[str, ...] | None = None

    def allowed(self) -> str:
        """What values are allowed, in words, for messages and help: "a whole number from 1
        to 10,000,000 tokens", "a number from 0.01 to 1", "one of bf16, fp8, fp4"."""
        if self.kind == "choice":
            return "one of " + choices_text(self.choices or ())
        if self.kind == "str":
            return f"text of at most {MAX_TEXT} characters"
        what = "a whole number" if self.kind == "int" else "a number"
        lo = None if self.min is None else _num(self.min)
        hi = None if self.max is None else _num(self.max)
        if lo is not None and hi is not None:
            rng = f"above {lo} and at most {hi}" if self.min_exclusive else f"from {lo} to {hi}"
        elif lo is not None:
            rng = f"above {lo}" if self.min_exclusive else f"of at least {lo}"
        elif hi is not None:
            rng = f"of at most {hi}"
        else:
            return what
        from .fmt import with_unit

        return f"{what} {with_unit(rng, self.unit)}"

    def error(self, raw: Any, reason: str | None = None) -> ParamError:
        """The error for a value that is not allowed."""
        return ParamError(self.name, raw, self.allowed(), reason, label=self.label)

    def validate(self, raw: Any) -> Any:
        """Return the value converted to the parameter's type, or raise :class:`ParamError`.

        Numbers come as ``int``/``float`` or as text as typed: ASCII digits, an optional
        sign, decimal point and exponent, commas only between groups of three digits
        ("8,192"; "1,5" is refused rather than read as 15), at most 40 characters. NaN,
        infinities, booleans and values outside the schema's range are refused; ``-0`` is 0.
        """
        if self.kind == "str":
            if not isinstance(raw, str) or len(raw) > MAX_TEXT:
                raise self.error(raw)
            return raw.strip()
        if self.kind == "choice":
            key = raw.strip().lower() if isinstance(raw, str) and len(raw) <= MAX_TEXT else None
            if key not in (self.choices or ()):
                raise self.error(raw)
            return key
        x = self._number(raw)
        if self.kind == "int" and not x.is_integer():
            raise self.error(raw)
        if self.min is not None and (x < self.min or (self.min_exclusive and x <= self.min)):
            raise self.error(raw)
        if self.max is not None and x > self.max:
            raise self.error(raw)
        return int(x) if self.kind == "int" else x

    def _number(self, raw: Any) -> float:
        """``raw`` as a finite float, or :class:`ParamError`."""
        if isinstance(raw, bool):
            raise self.error(raw)
        if isinstance(raw, str):
            s = raw.strip()
            if not s or len(s) > _MAX_NUMBER_TEXT or not s.isascii():
                raise self.error(raw)
            if "," in s:
                if not _GROUPED.fullmatch(s):
                    raise self.error(raw)
                s = s.replace(",", "")
            try:
                x = float(s)
            except ValueError:
                raise self.error(raw) from None
        elif isinstance(raw, (int, float)):
            try:
                x = float(raw)
            except OverflowError:  # an int beyond float's range (10**400)
                raise self.error(raw) from None
        else:
            raise self.error(raw)
        if not math.isfinite(x):
            raise self.error(raw)
        return x + 0.0  # -0.0 -> 0.0

    def to_json(self) -> dict:
        return {
            "name": self.name, "kind": self.kind, "unit": self.unit, "default": self.default,
            "label": self.label, "help": self.help, "min": self.min, "max": self.max,
            "min_exclusive": self.min_exclusive, "choices": list(self.choices) if self.choices else None,
            "step": self.step, "allowed": self.allowed(),
            "choice_labels": list(self.choice_labels) if self.choice_labels else None,
        }

    def choice_label(self, value: Any) -> str:
        """The human name of a choice (the id itself where the schema gives no name)."""
        if self.choices and self.choice_labels and value in self.choices:
            return self.choice_labels[self.choices.index(value)]
        return str(value)


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.10g}"


#: the longest text a parameter takes (a list of series values); longer is refused unread
MAX_TEXT = 200
#: no number needs more characters than this ("-1,000,000,000,000.000001e-10" is 29)
_MAX_NUMBER_TEXT = 40
#: a number written with thousands separators: commas only between groups of three digits
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:[eE][+-]?\d+)?")
#: the longest list of choices a message spells out (the rest: "and 8 more")
_MAX_CHOICES_TEXT = 90


def choices_text(choices: tuple[str, ...]) -> str:
    """The choices joined with commas; a list too long for a one-line message is cut after
    as many as fit, with the count of the rest ("deepseek-v3, deepseek-r1 and 11 more")."""
    text = ", ".join(choices)
    if len(text) <= _MAX_CHOICES_TEXT:
        return text
    shown: list[str] = []
    for c in choices:
        if len(", ".join(shown + [c])) > _MAX_CHOICES_TEXT - 12:
            break
        shown.append(c)
    return ", ".join(shown) + f" and {len(choices) - len(shown)} more"


_DTYPE_NAMES = {"bf16": "BF16", "fp16": "FP16", "fp8": "FP8", "fp4": "FP4", "native": "As the model ships"}
_YES_NO = ("Yes", "No")

_P = [
    Param("model", "choice", "", "deepseek-v3", "Model",
          "The model's architecture, from its published configuration file",
          choices=tuple(MODELS), choice_labels=tuple(m.label for m in MODELS.values())),
    Param("gpu", "choice", "", "h800", "Accelerator",
          "The GPU: its memory, memory bandwidth, arithmetic peaks and links",
          choices=tuple(GPUS), choice_labels=tuple(g.label for g in GPUS.values())),
    Param("seq_len", "int", "tokens", 5000, "Context length",
          "Tokens each user's KV cache holds: the prompt plus the output so far",
          min=1, max=10_000_000, step=1),
    Param("kv_dtype", "choice", "", "bf16", "KV cache type",
          "Number format of the KV cache: BF16 takes 2 bytes per value, FP8 1 byte, FP4 half a byte",
          choices=("bf16", "fp8", "fp4"), choice_labels=("BF16", "FP8", "FP4")),
    Param("accept_length", "float", "tokens/step", 1.0, "Accepted tokens per step",
          f"Tokens one decode step emits on average: 1 without Multi-Token Prediction (MTP); "
          f"{measured.MTP_ACCEPT_TYPICAL} to {measured.MTP_ACCEPT_TOP} with DeepSeek's one MTP module (the second "
          f"token is accepted 85 to 90 percent of the time, {measured.MTP_SOURCE})",
          min=1, max=16, step=0.05),
    Param("ep", "int", "GPUs", 32, "Expert-parallel degree",
          "GPUs the routed experts are spread over (expert parallelism); splitting every expert over "
          "as many GPUs instead (tensor parallelism) stores the same bytes per GPU",
          min=1, max=4096, step=1),
    Param("tp", "int", "GPUs", 1, "Attention tensor-parallel degree",
          "GPUs the attention, dense-layer and embedding weights are split over; 1 means every GPU "
          "keeps its own copy (data-parallel attention)",
          min=1, max=1024, step=1),
    Param("moe_gpus", "int", "GPUs", 32, "MoE group size",
          "GPUs in one group of experts, run either with tensor parallelism or with expert "
          "parallelism (the blog post compares 32 GPUs each way)",
          min=1, max=4096, step=1),
    Param("redundant_experts", "int", "experts", 0, "Redundant experts",
          "Extra copies of the busiest experts, spread over the expert-parallel GPUs "
          "(DeepSeek's decode uses 32)",
          min=0, max=4096, step=1),
    Param("hbm_reserve_gb", "float", "GB", 0.0, "HBM reserve",
          "GPU memory kept back for activations, the CUDA context and fragmentation (the blog post "
          "assumes none)",
          min=0, max=1000, step=1),
    Param("gpu_hour_usd", "float", "USD/GPU-hour", 2.0, "GPU price",
          "What one GPU costs for one hour ($2 is DeepSeek's own assumption for an H800)",
          min=0.01, max=1000, step=0.05),
    Param("tokens_per_s_per_gpu", "float", "tok/s", 1850.0, "Throughput per GPU",
          "Output tokens per second per GPU to price (1,850 is DeepSeek's measured average on H800)",
          min=0.01, max=1e9, step=1),
    # the tighter bound (calc.tight)
    Param("batch_per_gpu", "int", "sequences", 128, "Batch per GPU",
          "Sequences decoded together on each GPU; capped by what fits in GPU memory",
          min=1, max=1_000_000, step=1),
    Param("mem_efficiency", "float", "", round(3000 / 3350, 4), "HBM efficiency",
          "Share of peak HBM bandwidth the bound allows every kernel, and decode attention reaches in the estimate; "
          "default 3,000 of 3,350 GB/s (FlashMLA on H800, the best measured). In the estimate matmuls read weights "
          "at their own typical rate (DeepGEMM)",
          min=0.01, max=1, step=0.01),
    Param("compute_efficiency", "float", "", round(measured.GEMM_EFFICIENCY, 4), "Matmul efficiency",
          "Share of peak FLOP/s the bound allows every matmul; default 1,550 of 1,730 FP8 TFLOPS (DeepGEMM's "
          "best on H800, a share of the peak at its throttled clock). Attention has its own efficiency",
          min=0.01, max=1, step=0.01),
    Param("net_efficiency", "float", "", 0.8, "Network efficiency",
          "Share of link bandwidth reached where no DeepEP rate applies (all-reduce, or link rates set to spec); "
          "default 0.8: DeepSeek measured about 160 of 200 GB/s NVLink on H800",
          min=0.01, max=1, step=0.01),
    Param("overlap", "choice", "", "max", "Overlap",
          "Whether memory reads, arithmetic and network transfers run at the same time (the slowest "
          "sets the pace) or one after another (their times add up)",
          choices=("max", "sum"), choice_labels=("At the same time", "One after another")),
    Param("count_weights", "choice", "", "on", "Count weight reads",
          "Include the time to read the weights a step touches", choices=("on", "off"), choice_labels=_YES_NO),
    Param("count_compute", "choice", "", "on", "Count arithmetic", "Include the time of the arithmetic",
          choices=("on", "off"), choice_labels=_YES_NO),
    Param("count_network", "choice", "", "on", "Count network", "Include the time of network transfers",
          choices=("on", "off"), choice_labels=_YES_NO),
    Param("moe_parallel", "choice", "", "ep", "Expert split",
          "Whole experts on each GPU, tokens sent to them (expert parallel), or a slice of every "
          "expert on every GPU, results summed (tensor parallel)",
          choices=("ep", "tp"), choice_labels=("Expert parallel", "Tensor parallel")),
    Param("gemm_dtype", "choice", "", "fp8", "Matrix-multiply type",
          "Number format of the linear layers' matrix multiplies; it sets which peak FLOP/s applies",
          choices=("bf16", "fp8", "fp4"), choice_labels=("BF16", "FP8", "FP4")),
    Param("attn_dtype", "choice", "", "bf16", "Attention compute type",
          "Number format of the attention arithmetic (FlashMLA computes in BF16)",
          choices=("bf16", "fp8"), choice_labels=("BF16", "FP8")),
    Param("expert_dtype", "choice", "", "native", "Expert weight type",
          "Storage of the routed experts' weights: the model's own format, FP8, or NVFP4 (4.5 bits "
          "per weight with its scales)",
          choices=("native", "fp8", "fp4"), choice_labels=("As the model ships", "FP8", "NVFP4")),
    # sweeps
    Param("sweep_calc", "choice", "", "sol", "Swept calculation", "Calculation evaluated at each point",
          choices=("kv", "sol", "capacity", "cost", "tight"),
          choice_labels=("KV-cache size", "Speed of light", "Placement", "Cost", "Tight bound")),
    Param("sweep_param", "choice", "", "seq_len", "Swept input", "Input varied along the x axis",
          choices=()),  # every numeric model parameter: filled in below
    Param("sweep_output", "choice", "", "tokens_per_s_per_gpu", "Plotted output", "Output on the y axis",
          choices=("tokens_per_s_per_gpu", "kv_bytes_per_user", "users_per_gpu", "usd_per_million_tokens",
                   "tokens_per_s_per_user", "step_time_s", "steps_per_s", "kv_budget_bytes_per_gpu")),
    Param("sweep_from", "float", "", 1000, "From", "First x value", min=0, max=1e12),
    Param("sweep_to", "float", "", 131072, "To", "Last x value", min=0, max=1e12),
    Param("sweep_points", "int", "points", 24, "Points", "Number of points", min=2, max=100_000),
    Param("sweep_scale", "choice", "", "log", "Spacing", "Spacing of the x values", choices=("log", "linear"),
          choice_labels=("Logarithmic", "Even")),
    Param("series_param", "choice", "", "gpu", "Lines by", "Input that differs between the lines",
          choices=("none", "gpu", "model", "kv_dtype"),
          choice_labels=("One line only", "Accelerator", "Model", "KV cache type")),
    Param("series_values", "str", "", "h800,h20,h200,mi300x,b200", "Line values",
          "Comma-separated values of that input, one line each"),
    # ---- the whole bill (calc.prefill, calc.bill; issue 10): workload, prefill layout, context cache, prices ----
    Param("prompt_len", "int", "tokens", 4096, "Prompt length",
          "Input tokens per request, cached prefix included", min=1, max=1_000_000, step=1),
    Param("output_len", "int", "tokens", 1024, "Output length", "Output tokens per request",
          min=1, max=1_000_000, step=1),
    Param("cache_hit_share", "float", "", 0.5, "Cache-hit share",
          "Share of input tokens read from the context cache instead of computed, 0 to 1 (DeepSeek's day: 0.5625)",
          min=0, max=1, step=0.05),
    Param("requests_per_s", "float", "req/s", 1000.0, "Requests per second",
          "Requests arriving per second, all day (DeepSeek's day: about 1,600)", min=0.01,
          max=1e9, step=10),
    Param("target_tokens_per_s_per_user", "float", "tok/s", 20.0, "Target tokens/s per user",
          "Decode speed each user must see; it caps the decode batch (DeepSeek: 20-22)", min=0.1,
          max=100_000, step=1),
    Param("decode_rate", "choice", "", "estimate", "Decode throughput from",
          "The decode estimate at the target speed per user (what a deployment delivers), the tight bound there "
          "(no deployment is faster: a floor on cost), or the Throughput per GPU input as given",
          choices=("estimate", "tight", "given"),
          choice_labels=("The estimate", "The tight bound", "The input above")),
    Param("prefill_gpu", "choice", "", "h800", "Prefill accelerator", "The GPU that reads the prompts",
          choices=tuple(GPUS), choice_labels=tuple(g.label for g in GPUS.values())),
    Param("prefill_ep", "int", "GPUs", 32, "Prefill expert-parallel degree",
          "GPUs the routed experts are spread over in one prefill unit (DeepSeek: 32)", min=1, max=4096, step=1),
    Param("prefill_tp", "int", "GPUs", 1, "Prefill attention tensor-parallel degree",
          "GPUs the attention and dense weights are split over in prefill (1 = data-parallel attention)",
          min=1, max=1024, step=1),
    Param("prefill_redundant_experts", "int", "experts", 32, "Prefill redundant experts",
          "Extra copies of hot experts in a prefill unit (DeepSeek: 32, so 9 routed experts per GPU at EP32)",
          min=0, max=4096, step=1),
    Param("prefill_chunk_tokens", "int", "tokens", 16384, "Prefill tokens per GPU per pass",
          "Prompt tokens each GPU computes in one forward pass, the prefill load (DeepSeek's profile: 16,384)",
          min=1, max=10_000_000, step=1),
    Param("prefill_microbatches", "int", "", 2, "Prefill micro-batches",
          "Two micro-batches overlap computation with communication (DeepSeek, SGLang); one: no overlap",
          min=1, max=2, step=1),
    Param("expert_routing", "choice", "", "real", "Expert routing",
          "Experts loaded as real traffic loads them (with DeepSeek's load balancer), or a simulated "
          "perfect balance, as in DeepSeek's profile", choices=("real", "balanced"),
          choice_labels=("As real traffic loads them", "Perfectly balanced")),
    Param("prefill_gpu_hour_usd", "float", "USD/GPU-hour", 2.0, "Prefill GPU price",
          "Price of one prefill GPU for one hour ($2 is DeepSeek's own assumption for an H800)",
          min=0.01, max=1000, step=0.05),
    Param("cache_read_gb_per_s", "float", "GB/s", round(CACHE_READ_BYTES_PER_S_PER_GPU / 1e9, 3), "Cache read rate per GPU",
          "Rate one prefill GPU reads cached KV from disk (default: DeepSeek 3FS's peak 40 GiB/s per 8-GPU node)",
          min=0.01, max=100_000, step=0.1),
    Param("storage_usd_per_tb_month", "float", "USD/TB-month", 10.0, "Disk price",
          "What a terabyte of cache disk costs per month, servers and network included; not published by "
          "DeepSeek, set your own", min=0, max=100_000, step=1),
    Param("cache_retention_h", "float", "h", 24.0, "Cache retention",
          "Hours a stored prefix stays on disk (assumed; DeepSeek does not publish it)", min=0, max=8760, step=1),
    Param("price_list", "choice", "", "deepseek-r1-2025", "List prices",
          "Published prices to compare with: DeepSeek's own, by model and date", choices=tuple(PRICE_LISTS),
          choice_labels=tuple(getattr(v, "label", k) for k, v in PRICE_LISTS.items())),
    # ---- fidelity (issue 7): per-kernel rates, micro-batches, DeepEP modes, clocks, the estimate ----
    Param("attn_efficiency", "float", "", round(measured.ATTENTION_EFFICIENCY, 4), "Attention efficiency",
          "Share of the sustained peak FLOP/s reached by decode attention; default 660 of 865 BF16 TFLOPS "
          "(FlashMLA on H800, April 2025; the first release reached 580)",
          min=0.01, max=1, step=0.01),
    Param("micro_batches", "int", "micro-batches", 2, "Micro-batches per step (estimate)",
          "The batch is split to overlap communication with compute; each micro-batch reads the weights again "
          "(DeepSeek decodes with 2). The bound does not depend on it", min=1, max=8, step=1),
    Param("ep_comm", "choice", "", "low_latency", "Expert-parallel kernels",
          "DeepEP's mode: low latency (decode: one message per token and expert, over RDMA) or normal "
          "(prefill: one copy per node, forwarded over NVLink)", choices=("low_latency", "normal"),
          choice_labels=("Low latency", "Normal")),
    Param("link_rates", "choice", "", "measured", "Link rates",
          "Measured: the bound at DeepEP's best published share of each link (0.92 of the NIC, 0.82 of NVLink), "
          "the estimate at DeepEP's rates for the mode and expert-parallel size; spec sheet: the link bandwidth "
          "times the network efficiency",
          choices=("measured", "spec"), choice_labels=("Measured", "Spec sheet")),
    Param("verify_tokens", "int", "tokens", 0, "Tokens verified per step",
          "Draft tokens plus one, per sequence per step (3 for a window of two drafts); 0 = accepted tokens "
          "rounded up", min=0, max=16, step=1),
    Param("overhead_factor", "float", "", _estimate.FITTED_OVERHEAD_FACTOR, "Overhead factor (estimate)",
          "Step time over the modelled kernels and exposed network: small kernels, launch gaps and syncs the model "
          "leaves out; fitted to the measured decode deployments (each checked leave-one-out)",
          min=1, max=5, step=0.01),
    Param("step_overhead_ms", "float", "ms", _estimate.FITTED_STEP_OVERHEAD_MS, "Fixed time per step (estimate)",
          "Time per decode step that does not grow with the work (scheduling, sampling, synchronisation); fitted "
          "with the overhead factor", min=0, max=1000, step=0.1),
    Param("moe_imbalance", "float", "", 1.0, "Expert load imbalance (estimate)",
          "Busiest GPU's expert load over the average after balancing, on top of the random spread the estimate "
          "already counts; DeepSeek publishes no figure (its profile simulates perfect balance)",
          min=1, max=10, step=0.01),
    Param("overlap_schedule", "choice", "", "auto", "Overlap schedule (estimate)",
          "How communication hides behind compute: two-batch (DeepSeek's pipeline), two-batch in vLLM's order "
          "(the micro-batches swap at each all-to-all, so the experts run under it too), single-batch (shared "
          "expert under dispatch, down projection under combine), none; automatic: two-batch with two "
          "micro-batches, else none", choices=("auto", "two-batch", "vllm-two-batch", "single-batch", "none"),
          choice_labels=("Automatic", "Two-batch", "Two-batch, vLLM's order", "Single-batch", "None")),
    Param("cpu_overlap", "choice", "", "on", "CPU overlap (estimate)",
          "Yes: the engine prepares the next step while this one runs; no: add the 6.1 ms per step SGLang "
          "measured without its overlap scheduler", choices=("on", "off"), choice_labels=_YES_NO),
    Param("kernel_rates", "choice", "", "measured", "Kernel rates",
          "Measured: every byte at the HBM efficiency, attention at the attention efficiency and every matrix "
          "multiply at the matmul efficiency (the best measured); peak: every kernel at full bandwidth and peak "
          "FLOP/s", choices=("measured", "peak"), choice_labels=("Measured", "Peak")),
    Param("sustained_clock", "choice", "", "on", "Sustained clock (estimate)",
          "Yes: compute at the clock measured under load (H800: about 1,600 of 1,830 MHz, FlashMLA deep-dive; "
          "H100 and H200 assumed the same; B200: about 1,580 of 1,965 MHz, FlashInfer PR 2899, its ratio assumed "
          "for the other Blackwell GPUs); no: at the spec sheet's boost clock. The bound always uses the boost "
          "clock", choices=("on", "off"), choice_labels=_YES_NO),
    Param("blackwell_attention_share", "float", "", _estimate.FITTED_BLACKWELL_ATTENTION_SHARE,
          "Blackwell attention share (estimate)",
          "Share of Hopper's measured attention efficiency that MLA decode attention reaches on Blackwell in a "
          "deployment; fitted to the GB200 deployments (checked leave-one-out). TensorRT-LLM's MLA decode kernel, "
          "benchmarked alone on a B200, reaches well above that: the fit also carries losses outside the kernel",
          min=0.01, max=1, step=0.01),
    # ---- the bill's decode layout (calc.bill): its own expert parallelism, like the prefill layout's ----
    Param("decode_ep", "int", "GPUs", 144, "Decode expert-parallel degree",
          "GPUs the routed experts are spread over in one decode unit of the bill (DeepSeek: 144)",
          min=1, max=4096, step=1),
    Param("decode_redundant_experts", "int", "experts", 32, "Decode redundant experts",
          "Extra copies of hot experts in a decode unit of the bill (DeepSeek: 32)", min=0, max=4096, step=1),
]

_NUMERIC = tuple(p.name for p in _P if p.kind in ("int", "float") and not p.name.startswith("sweep_"))
_LABELS = {p.name: p.label for p in _P}
_P = [replace(p, choices=_NUMERIC, choice_labels=tuple(_LABELS[n] for n in _NUMERIC)) if p.name == "sweep_param" else p
      for p in _P]

PARAMS: dict[str, Param] = {p.name: p for p in _P}


def validate_one(name: str, raw: Any) -> Any:
    """Validate one parameter by name."""
    try:
        p = PARAMS[name]
    except KeyError:
        raise unknown_param(name, raw) from None
    return p.validate(raw)


def unknown_param(name: str, raw: Any = None) -> ParamError:
    """The error for a parameter name the schema does not know."""
    from .errors import printable

    shown = printable(str(name), 40)
    return ParamError(str(name), raw, "a parameter name", label=shown,
                      message=f"{shown} is not a parameter of this calculator")


def defaults() -> dict[str, Any]:
    return {p.name: p.default for p in PARAMS.values()}


def describe(name: str, value: Any) -> str:
    """A setting in words, for sentences and messages: "KV cache type FP8",
    "Accepted tokens per step 1.9", "Context length 4,989 tokens"."""
    p = PARAMS[name]
    if p.kind == "choice":
        return f"{p.label} {p.choice_label(value)}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        from .fmt import with_unit

        text = f"{int(value):,}" if float(value).is_integer() else f"{value:,.6g}"
        unit = p.unit if p.unit and p.unit.split("/")[0].lower() not in p.label.lower() else ""
        return f"{p.label} {with_unit(text, unit)}"
    return f"{p.label} {value}"
