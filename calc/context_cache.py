"""The context cache: a prompt prefix seen before is read back from disk instead of computed.

DeepSeek keeps every request's KV cache on SSDs in its 3FS file system ("context caching
on disk"); a later request that starts with the same prefix reads it back. A hit costs:

* expansion: with MLA in MHA mode (see :mod:`calc.prefill`) each cached latent is expanded
  into per-head keys and values for the new tokens to attend to, prefill GPU time;
* storage: the KV bytes stay on disk for the retention time, at a disk price per TB-month
  (the whole storage server, its network included, per terabyte of disk);
* read: serving the bytes back takes some of a storage server's time. One price covers
  both: DeepSeek's 3FS cluster has 180 storage nodes of sixteen 14 TiB SSDs that together
  read 6.6 TiB/s, so a node holds 246.3 TB and reads 40.3 GB/s; at ``D`` USD per TB-month a
  node costs ``246.3 D`` a month, and reading ``B`` bytes uses ``B / 40.3 GB/s`` of it.

The read itself runs in the background on the storage network (the GPUs keep computing other
requests); it delays only the prompt that waits for it (see :func:`calc.bill.ttft`).
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
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
#: A 3FS storage node: "sixteen 14TiB NVMe SSDs"; the 180-node cluster's "aggregate read
#: throughput reached approximately 6.6 TiB/s" (deepseek-ai/3FS README, "1. Peak throughput").
STORAGE_NODE_BYTES = 16 * 14 * 2**40
STORAGE_NODE_READ_BYTES_PER_S = 6.6 * 2**40 / 180


def cache_hit_cost(model: ModelConfig, kv_dtype: str, gpu_hour_usd: float, expansion_s_per_token: float,
                   storage_usd_per_tb_month: float, retention_h: float) -> dict:
    """USD per million cache-hit tokens, by part (``B`` = KV bytes per token, ``D`` = disk
    price in USD per TB-month):

    * expansion: prefill GPU time expanding each cached latent into per-head keys and values
      (MLA in MHA mode), ``expansion_s_per_token x GPU-hour price / 3,600 x 10^6``;
    * storage: ``B / 10^12 x retention_h / 730 x D x 10^6``;
    * read: ``B / 40.3 GB/s x (246.3 D / 2,628,000 s) x 10^6``, the storage node's time.
    """
    kv_bytes = kv_size(model, kv_dtype).bytes_per_token
    expansion = expansion_s_per_token * gpu_hour_usd / SECONDS_PER_HOUR * MILLION
    storage = kv_bytes / TB * retention_h / HOURS_PER_MONTH * storage_usd_per_tb_month * MILLION
    node_usd_per_s = STORAGE_NODE_BYTES / TB * storage_usd_per_tb_month / SECONDS_PER_MONTH
    read = kv_bytes / STORAGE_NODE_READ_BYTES_PER_S * node_usd_per_s * MILLION
    return {"expansion_usd": expansion, "read_usd": read, "storage_usd": storage,
            "total_usd": expansion + read + storage, "kv_bytes_per_token": kv_bytes}
