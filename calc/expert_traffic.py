"""Expert-parallel traffic: which experts a batch touches, which nodes and GPUs one token's
experts are on, and the bytes DeepEP's normal (high-throughput) kernels move for it.

Normal mode (prefill, and decode when chosen) sends each token once to every remote
scale-up domain (node) holding one of its experts, over RDMA, and forwards it inside the node
over NVLink to each GPU holding one ("NVLink forwarding"); dispatch in the matmul element type
as DeepEP counts it (:func:`calc.measured.deepep_normal_bytes_per_element`: FP8 with one FP32
scale per 128 values), combine in BF16. The prefill model (:mod:`calc.prefill`) and the
tight bound's normal mode (:mod:`calc.tight`) both count it here.
"""

from __future__ import annotations

import math

from . import measured
from .model import ModelConfig


def _comb(n: int, r: int) -> float:
    return math.comb(n, r) if 0 <= r <= n else 0.0


def touch_probability(model: ModelConfig, group_tokens: float) -> float:
    """Chance that one routed expert serves at least one of ``group_tokens`` tokens in the EP
    group, each token choosing ``k`` of ``n`` experts: ``1 - (1 - k/n)^T``. An expert that no
    token chose is not read (decode's micro-batch, prefill's chunk)."""
    if group_tokens <= 0:
        return 0.0
    return 1 - (1 - model.num_experts_per_tok / model.n_routed_experts) ** group_tokens


def domains_reached(model: ModelConfig, n_dom: int) -> float:
    """Scale-up domains (nodes) one token's experts reach, on average.

    Node-limited routing (``n_group > 1``): a token picks ``topk_group`` of ``n_group``
    expert groups, and each picked group receives at least one of its experts (DeepSeek-V3
    scores a group by the sum of its two best affinities, so a picked group holds strong
    experts). With ``q = n_group / n_dom`` whole groups per domain, a domain is missed only
    if none of its groups is picked: ``n_dom x (1 - C(n_group - q, topk) / C(n_group, topk))``;
    DeepSeek-V3 at EP32 on 4 nodes: 4 x (1 - 15/70) = 3.14. With more domains than groups,
    a group spans ``m`` domains and the token's ``k / topk`` experts per group spread over
    them. Without grouping: ``n (1 - (1 - 1/n)^k)`` (experts uniform over domains)."""
    if n_dom <= 1:
        return 1.0
    k = model.num_experts_per_tok
    g, s = model.n_group, model.topk_group
    if g > 1 and s and k >= s:
        if n_dom <= g and g % n_dom == 0:
            q = g // n_dom
            return n_dom * (1 - _comb(g - q, s) / _comb(g, s))
        if n_dom > g:
            m = math.ceil(n_dom / g)
            return min(n_dom, s * m * (1 - (1 - 1 / m) ** (k / s)))
    return n_dom * (1 - (1 - 1 / n_dom) ** k)


def gpus_reached(model: ModelConfig, ep: int) -> float:
    """GPUs of the EP group that receive one token (hold at least one of its experts),
    on average: experts spread evenly, the token's ``k`` experts inside its picked groups'
    share ``topk / n_group`` of the GPUs."""
    if ep <= 1:
        return 1.0
    k = model.num_experts_per_tok
    share = model.topk_group / model.n_group if model.n_group > 1 and model.topk_group else 1.0
    gsel = max(1.0, ep * share)
    return gsel * (1 - (1 - 1 / gsel) ** k)


def normal_mode_bytes(model: ModelConfig, ep: int, scale_up_domain: int, dtype: str) -> tuple[float, float]:
    """(scale-up, scale-out) bytes one GPU sends and receives per token per MoE layer in
    DeepEP's normal mode, with ``d = min(scale_up_domain, ep)`` GPUs per domain and
    ``n = ceil(ep / d)`` domains:

    * scale-out: ``domains_reached x (n - 1) / n`` remote domains, one copy each;
    * scale-up: ``gpus_reached x (d - 1) / d`` GPUs of the node other than its own;

    each copy ``h x (dispatch bytes per element + 2)``. DeepSeek-V3 at EP32 on 8-GPU nodes:
    3.14 x 3/4 x 7,168 x (1 + 4/128 + 2) = 51,216 B over RDMA."""
    if not model.is_moe or ep <= 1:
        return 0.0, 0.0
    d = min(scale_up_domain, ep)
    n_dom = math.ceil(ep / d)
    per_copy = model.hidden_size * (measured.deepep_normal_bytes_per_element(dtype) + 2.0)
    out = domains_reached(model, n_dom) * (n_dom - 1) / n_dom * per_copy if n_dom > 1 else 0.0
    up = gpus_reached(model, ep) * (d - 1) / d * per_copy
    return up, out
