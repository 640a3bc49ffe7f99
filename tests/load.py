"""A bounded HTTP load for the benchmarks: N virtual users on loopback, each with one keep-alive connection.

The load runs in the benchmark's own process and so competes with the server for the machine's cores; that
lowers absolute figures but treats every server and address alike.
"""

import asyncio
import math
import ssl
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

REQUEST_TIMEOUT = 30.0


@dataclass
class LoadResult:
    elapsed: float = 0.0
    latencies: list = field(default_factory=list)  # seconds, successful (200) responses only
    errors: Counter = field(default_factory=Counter)  # "HTTP 500", "ReadTimeout", …

    @property
    def ok(self):
        return len(self.latencies)

    @property
    def rps(self):
        return self.ok / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, percent):
        """Nearest-rank percentile of the successful requests' latency, in milliseconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(math.ceil(percent / 100 * len(ordered)), 1)
        return ordered[rank - 1] * 1000


def make_client(base_url, tls, headers):
    """A client with a one-connection pool: one virtual user, one keep-alive connection.

    One shared pool of N connections costs httpcore O(N) work per request, which at 50 connections made the
    client, not the server, the bottleneck. The TLS context is unused on plain HTTP but costly to build, so shared.
    """
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    return httpx.AsyncClient(base_url=base_url, limits=limits, timeout=REQUEST_TIMEOUT, headers=headers, verify=tls)


async def virtual_user(client, path, deadline, result):
    """Request after request until the deadline; a request in flight at the deadline is allowed to finish."""
    async with client:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                response = await client.get(path)
            except httpx.HTTPError as error:
                result.errors[type(error).__name__] += 1
                continue
            if response.status_code == 200:
                result.latencies.append(time.perf_counter() - started)
            else:
                result.errors[f"HTTP {response.status_code}"] += 1


async def generate_load(base_url, path, *, duration, concurrency, headers=None, result=None):
    """GET `path` from `concurrency` virtual users for `duration` seconds; fills and returns `result`."""
    tls = ssl.create_default_context()
    clients = [make_client(base_url, tls, headers) for _ in range(concurrency)]
    result = result if result is not None else LoadResult()
    started = time.monotonic()
    deadline = started + duration
    await asyncio.gather(*(virtual_user(client, path, deadline, result) for client in clients))
    result.elapsed = time.monotonic() - started
    return result
