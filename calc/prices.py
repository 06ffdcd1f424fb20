"""Providers' published list prices, USD per million tokens, with their dates and sources
(for the price check of :mod:`calc.bill`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PriceList:
    name: str
    label: str
    usd_per_million_cached_input: float  # cache hit
    usd_per_million_input: float  # cache miss
    usd_per_million_output: float
    date: str
    source: str


_SRC = "DeepSeek API docs, Models & Pricing (https://api-docs.deepseek.com/quick_start/pricing)"
PRICE_LISTS: dict[str, PriceList] = {p.name: p for p in [
    PriceList("deepseek-r1-2025", "DeepSeek-R1 (deepseek-reasoner), standard hours", 0.14, 0.55, 2.19,
              "2025-01-20 to 2025-09-05",
              _SRC + "; the prices the Day-6 overview (2025-03-01) applies to its whole day"),
    PriceList("deepseek-v3-2025", "DeepSeek-V3 (deepseek-chat), standard hours", 0.07, 0.27, 1.10,
              "2025-02-08 to 2025-09-05", _SRC),
    PriceList("deepseek-night-2025", "DeepSeek night discount (UTC 16:30-00:30), both models", 0.035, 0.135, 0.55,
              "until 2025-09-05", _SRC),
    PriceList("deepseek-v3.1-2025-09", "DeepSeek-V3.1 (chat and reasoner)", 0.07, 0.56, 1.68,
              "from 2025-09-05 16:00 UTC", _SRC),
]}
