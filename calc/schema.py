"""The parameter schema: every input of every calculation, declared once.

A parameter's name is snake_case here, ``--dash-case`` on the command line, and the same
snake_case as the URL query key and the HTML input ``name``. Validation lives here, so a
bad value gets the same message everywhere.
"""

from __future__ import annotations

import math
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
        """Human description of the allowed values."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices or ())
        if self.kind == "str":
            return "text"
        what = "a whole number" if self.kind == "int" else "a number"
        lo = hi = ""
        if self.min is not None:
            lo = f"{'>' if self.min_exclusive else '>='} {_num(self.min)}"
        if self.max is not None:
            hi = f"<= {_num(self.max)}"
        rng = " and ".join(x for x in (lo, hi) if x)
        unit = f" {self.unit}" if self.unit else ""
        return f"{what}{' ' + rng if rng else ''}{unit}"

    def validate(self, raw: Any) -> Any:
        """Return the value converted to the parameter's type, or raise :class:`ParamError`."""
        if self.kind == "str":
            if not isinstance(raw, str):
                raise ParamError(self.name, raw, self.allowed())
            return raw.strip()
        if self.kind == "choice":
            if not isinstance(raw, str) or raw.strip().lower() not in (self.choices or ()):
                raise ParamError(self.name, raw, self.allowed(), "unknown preset" if self.name in ("model", "gpu") else None)
            return raw.strip().lower()
        if isinstance(raw, bool):
            raise ParamError(self.name, raw, self.allowed(), "not a number")
        if isinstance(raw, str):
            s = raw.strip().replace(",", "").replace("_", "")
            if not s:
                raise ParamError(self.name, raw, self.allowed(), "empty")
            try:
                x = float(s)
            except ValueError:
                raise ParamError(self.name, raw, self.allowed(), "not a number") from None
        elif isinstance(raw, (int, float)):
            x = float(raw)
        else:
            raise ParamError(self.name, raw, self.allowed(), "not a number")
        if not math.isfinite(x):
            raise ParamError(self.name, raw, self.allowed(), "not a finite number")
        if self.kind == "int":
            if not x.is_integer():
                raise ParamError(self.name, raw, self.allowed(), "not a whole number")
        if self.min is not None and (x < self.min or (self.min_exclusive and x <= self.min)):
            raise ParamError(self.name, raw, self.allowed(), "too small")
        if self.max is not None and x > self.max:
            raise ParamError(self.name, raw, self.allowed(), "too large")
        return int(x) if self.kind == "int" else x

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
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:g}"


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
          "Tokens one decode step emits on average: 1 without Multi-Token Prediction (MTP), "
          "about 1.85 with DeepSeek's one MTP module",
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
          min=0, max=10_000, step=1),
    Param("gpu_hour_usd", "float", "USD/GPU-hour", 2.0, "GPU price",
          "What one GPU costs for one hour ($2 is DeepSeek's own assumption for an H800)",
          min=0, min_exclusive=True, max=1000, step=0.05),
    Param("tokens_per_s_per_gpu", "float", "tok/s", 1850.0, "Throughput per GPU",
          "Output tokens per second per GPU to price (1,850 is DeepSeek's measured average on H800)",
          min=0, min_exclusive=True, max=1e9, step=1),
    # the tighter bound (calc.tight)
    Param("batch_per_gpu", "int", "sequences", 128, "Batch per GPU",
          "Sequences decoded together on each GPU; capped by what fits in GPU memory",
          min=1, max=1_000_000, step=1),
    Param("mem_efficiency", "float", "", round(3000 / 3350, 4), "HBM efficiency (attention)",
          "Share of the peak HBM bandwidth reached reading the KV cache; default 3,000 of 3,350 GB/s, what "
          "DeepSeek's FlashMLA kernel reaches on an H800. Matrix multiplies read the weights at their own "
          "measured rate (2,668 GB/s at best, DeepGEMM)",
          min=0, min_exclusive=True, max=1, step=0.01),
    Param("compute_efficiency", "float", "", round(measured.GEMM_EFFICIENCY, 4), "Matmul efficiency",
          "Share of the sustained peak arithmetic rate reached by matrix multiplies; default 1,550 of "
          "1,730 FP8 TFLOPS (DeepGEMM's best on H800 at its sustained clock). Attention has its own "
          "efficiency",
          min=0, min_exclusive=True, max=1, step=0.01),
    Param("net_efficiency", "float", "", 0.8, "Network efficiency",
          "Share of the link bandwidth reached where no measured DeepEP rate applies (all-reduce, or "
          "link rates from the spec sheet); default 0.8: DeepSeek measured about 160 of 200 GB/s of "
          "NVLink on H800",
          min=0, min_exclusive=True, max=1, step=0.01),
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
          "Requests arriving per second, all day (DeepSeek's day: about 1,600)", min=0, min_exclusive=True,
          max=1e9, step=10),
    Param("target_tokens_per_s_per_user", "float", "tok/s", 20.0, "Target tokens/s per user",
          "Decode speed each user must see; it caps the decode batch (DeepSeek: 20-22)", min=0, min_exclusive=True,
          max=100_000, step=1),
    Param("decode_rate", "choice", "", "tight", "Decode throughput from",
          "The tight bound at the target speed per user, or the Throughput per GPU input as given",
          choices=("tight", "given"), choice_labels=("The tight bound", "The input above")),
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
          min=0, min_exclusive=True, max=1000, step=0.05),
    Param("cache_read_gb_per_s", "float", "GB/s", round(CACHE_READ_BYTES_PER_S_PER_GPU / 1e9, 3), "Cache read rate per GPU",
          "Rate one prefill GPU reads cached KV from disk (default: DeepSeek 3FS's peak 40 GiB/s per 8-GPU node)",
          min=0, min_exclusive=True, max=100_000, step=0.1),
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
          min=0, min_exclusive=True, max=1, step=0.01),
    Param("micro_batches", "int", "micro-batches", 2, "Micro-batches per step",
          "The batch is split to overlap communication with compute; each micro-batch reads the weights again "
          "(DeepSeek decodes with 2)", min=1, max=8, step=1),
    Param("ep_comm", "choice", "", "low_latency", "Expert-parallel kernels",
          "DeepEP's mode: low latency (decode: one message per token and expert, over RDMA) or normal "
          "(prefill: one copy per node, forwarded over NVLink)", choices=("low_latency", "normal"),
          choice_labels=("Low latency", "Normal")),
    Param("link_rates", "choice", "", "measured", "Link rates",
          "DeepEP's measured GB/s for its mode and expert-parallel size, or the spec sheet's link bandwidth "
          "times the network efficiency", choices=("measured", "spec"), choice_labels=("Measured", "Spec sheet")),
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
          "How communication hides behind compute: two-batch (DeepSeek's pipeline), single-batch (shared expert "
          "under dispatch, down projection under combine), none; automatic: two-batch with two micro-batches, "
          "else none", choices=("auto", "two-batch", "single-batch", "none"),
          choice_labels=("Automatic", "Two-batch", "Single-batch", "None")),
    Param("cpu_overlap", "choice", "", "on", "CPU overlap (estimate)",
          "Yes: the engine prepares the next step while this one runs; no: add the 6.1 ms per step SGLang "
          "measured without its overlap scheduler", choices=("on", "off"), choice_labels=_YES_NO),
    Param("kernel_rates", "choice", "", "measured", "Kernel rates",
          "Each kind of kernel at the best rate measured for it (attention at the HBM and attention "
          "efficiencies, matrix multiplies at DeepGEMM's best), or every kernel at full bandwidth and peak FLOP/s",
          choices=("measured", "peak"), choice_labels=("Measured", "Peak")),
    Param("sustained_clock", "choice", "", "on", "Sustained clock",
          "Yes: compute at the clock measured under load (H800: about 1,600 of 1,830 MHz, FlashMLA "
          "deep-dive); no: at the spec sheet's boost clock", choices=("on", "off"), choice_labels=_YES_NO),
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
        raise ParamError(name, raw, "a known parameter: " + ", ".join(PARAMS), "unknown parameter") from None
    return p.validate(raw)


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
