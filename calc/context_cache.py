"""The context cache: a prompt prefix seen before is read back from disk instead of computed.

DeepSeek keeps every request's KV cache on SSDs in its 3FS file system ("context caching
on disk"); a later request that starts with the same prefix reads it back. A hit costs:

* expansion: with MLA in MHA mode (see :mod:`calc.prefill`) each cached latent is expanded
  into per-head keys and values for the new tokens to attend to, prefill GPU time;
* read: the KV bytes come over the node's storage NIC; priced here as the prefill GPU's time
  at its share of the node's 3FS read rate (conservative: the read overlaps other work);
* storage: the KV bytes stay on disk for the retention time, at a disk price per TB-month.
"""

from __future__ import annotations

from .kv import kv_size
from .model import ModelConfig
from .units import GiB, MILLION, SECONDS_PER_HOUR, TB

#: 3FS KVCache clients: "peak throughput reaching up to 40 GiB/s" per client node with one
#: 400 Gb/s NIC (deepseek-ai/3FS README, "3. KVCache"); an H800 node has 8 GPUs.
CACHE_READ_BYTES_PER_S_PER_NODE = 40 * GiB
CACHE_READ_BYTES_PER_S_PER_GPU = CACHE_READ_BYTES_PER_S_PER_NODE / 8
HOURS_PER_MONTH = 730  # 8,760 / 12


def cache_hit_cost(model: ModelConfig, kv_dtype: str, gpu_hour_usd: float, expansion_s_per_token: float,
                   cache_read_bytes_per_s: float, storage_usd_per_tb_month: float, retention_h: float) -> dict:
    """USD per million cache-hit tokens, by part:

    * expansion: prefill GPU time to expand each cached latent into per-head keys and values
      (MLA in MHA mode), ``expansion_s_per_token x price / 3,600 x 10^6``;
    * read: the KV bytes over the GPU's share of the node's 3FS read rate, priced as GPU time
      (conservative: in practice the read overlaps other work);
    * storage: KV bytes x retention x disk price, ``B / 10^12 x h / 730 x USD/TB-month x 10^6``.
    """
    kv_bytes = kv_size(model, kv_dtype).bytes_per_token
    per_s = gpu_hour_usd / SECONDS_PER_HOUR * MILLION
    read_s = kv_bytes / cache_read_bytes_per_s
    expansion = expansion_s_per_token * per_s
    read = read_s * per_s
    storage = kv_bytes / TB * retention_h / HOURS_PER_MONTH * storage_usd_per_tb_month * MILLION
    return {"expansion_usd": expansion, "read_usd": read, "storage_usd": storage,
            "total_usd": expansion + read + storage, "kv_bytes_per_token": kv_bytes, "read_s_per_token": read_s}
