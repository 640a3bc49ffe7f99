"""The live reveal under a banquet's load: N open Server-Sent-Events streams, then the reveal, and how long each
stream took to show the winner, measured from the commit.

An on-demand benchmark, not a test: pytest never collects it. It builds a throw-away SQLite site in a temporary
``VAR_DIR`` (migrate, ``seed_demo``: the demo's Omfamningen has its winner in a draft), starts granian with
production settings and Redis (``tests/servers.py``), and then from this one process:

* opens ``--clients`` streams of ``/live/omfamningen/stream`` (plain asyncio connections, ``--ramp`` of them
  connecting at a time, each counted once its first event, the current state, has arrived);
* runs ``manage.py announce_winner omfamningen`` in a subprocess, wrapped so that it prints the wall-clock time of
  its commit (an on-commit callback registered before the reveal's own);
* waits until every stream has received the revealed state (or ``--timeout``), and takes each stream's latency
  from that commit to its receipt, and the server's resident memory (main process and workers) meanwhile.

Nothing outside the temporary directory is written (``--var-dir`` keeps a site between runs; a revealed winner is
taken back first), and nothing but 127.0.0.1 is contacted. The load shares the machine with the server, so the
latency includes this process reading thousands of sockets.

    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python tests/benchmarks/live_reveal.py [--clients 2000] [--workers 1]

The last line printed is machine-readable (exit status 1 if a stream missed the reveal):
``live_reveal: clients=N received=N p50_ms=… p99_ms=… max_ms=… server_rss_mb=…``
"""

import argparse
import asyncio
import contextlib
import math
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from tests.servers import (  # noqa: E402  (the project root goes first)
    asgi_server,
    print_result,
    production_env,
    run_quietly,
    run_step,
)

SLUG = "omfamningen"
STREAM_PATH = f"/live/{SLUG}/stream"
REVEALED = b'"revealed":true'
MANAGE = [sys.executable, "manage.py"]
STARTUP_TIMEOUT = 90


# --- The reveal, inside the temporary site (a subprocess with its environment) ----------------------------------


def announce():
    """announce_winner, printing when its transaction committed (before the broadcast that follows the commit)."""
    import io

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    committed = {}
    with transaction.atomic():
        transaction.on_commit(lambda: committed.setdefault("at", time.time()))
        call_command("announce_winner", SLUG, stdout=io.StringIO())
    print_result({"committed_at": committed["at"]})


STEPS = {"announce": announce}


def build_site(env, var_dir):
    if (var_dir / "db.sqlite3").exists():
        print(f"  reusing the site in {var_dir}", flush=True)
        return
    run_quietly([*MANAGE, "migrate", "--noinput", "--verbosity", "0"], env, what="migrate")
    run_quietly([*MANAGE, "seed_demo"], env, what="seed_demo")


# --- The streams ------------------------------------------------------------------------------------------------


class Stream:
    """One client: a raw HTTP/1.1 connection reading the event stream (no HTTP library: thousands must fit in one
    process)."""

    def __init__(self):
        self.writer = None
        self.received_at = None
        self.error = None

    async def open(self, host, port, connected):
        try:
            reader, self.writer = await asyncio.open_connection(host, port)
            self.writer.write(
                f"GET {STREAM_PATH} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n\r\n".encode()
            )
            await self.writer.drain()
            buffer = b""
            while b"\n\n" not in buffer.partition(b"\r\n\r\n")[2]:  # headers, then the current state
                chunk = await reader.read(65536)
                if not chunk:
                    raise ConnectionError("closed before the first event")
                buffer += chunk
            if not buffer.startswith(b"HTTP/1.1 200"):
                raise ConnectionError(buffer[:60].decode(errors="replace"))
        except (OSError, ConnectionError) as error:
            self.error = f"{type(error).__name__}: {error}"
            connected.release()
            return
        connected.release()
        tail = b""
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                return
            tail = tail[-len(REVEALED) :] + chunk
            if REVEALED in tail:
                self.received_at = time.time()
                return

    def close(self):
        if self.writer is not None:
            self.writer.close()


async def open_streams(host, port, clients, ramp):
    """`clients` streams, at most `ramp` of them connecting at a time; returns once each has its first event."""
    connecting = asyncio.Semaphore(ramp)
    streams, tasks = [], []
    started = time.monotonic()
    for _ in range(clients):
        await connecting.acquire()
        stream = Stream()
        streams.append(stream)
        tasks.append(asyncio.create_task(stream.open(host, port, connecting)))
    for _ in range(ramp):  # the last ones are connected once their permits are back
        await connecting.acquire()
    print(f"  {clients} streams open in {time.monotonic() - started:.1f} s", flush=True)
    return streams, tasks


async def measure(base_url, env, clients, ramp, timeout):
    host, port = base_url.removeprefix("http://").split(":")
    streams, tasks = await open_streams(host, int(port), clients, ramp)
    failed = [stream.error for stream in streams if stream.error]
    if failed:
        print(f"  {len(failed)} streams failed to open, e.g. {failed[0]}", flush=True)
    rss_before = server_rss_mb(port)
    committed_at = (await asyncio.to_thread(run_step, __file__, env, "announce"))["committed_at"]
    with contextlib.suppress(TimeoutError):  # what arrived by then is what counts
        await asyncio.wait_for(asyncio.gather(*tasks), timeout)
    rss = max(rss_before, server_rss_mb(port))
    for stream in streams:
        stream.close()
    latencies = sorted(stream.received_at - committed_at for stream in streams if stream.received_at)
    return latencies, rss


# --- Report ----------------------------------------------------------------------------------------------------


def server_rss_mb(port):
    """The resident memory of the granian processes serving `port` (the main process and its workers)."""
    total_kb = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            cmdline = (status.parent / "cmdline").read_bytes().split(b"\0")
            if b"granian" not in b" ".join(cmdline) or str(port).encode() not in cmdline:
                continue
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def percentile_ms(ordered, percent):
    if not ordered:
        return math.nan
    return ordered[max(math.ceil(percent / 100 * len(ordered)), 1) - 1] * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--clients", type=int, default=2000, help="concurrent streams (default 2000)")
    parser.add_argument("--workers", type=int, default=1, help="granian worker processes (default 1)")
    parser.add_argument(
        "--backpressure",
        type=int,
        default=10_000,
        help="granian's concurrent requests per worker (default 10000; granian's own, 1024 in all, caps the streams)",
    )
    parser.add_argument("--ramp", type=int, default=200, help="streams connecting at a time (default 200)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for every stream (default 60)")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--var-dir", type=Path, help="keep the site here between runs (default: a temporary one)")
    arguments = parser.parse_args()
    if arguments.step:
        STEPS[arguments.step]()
        return

    with tempfile.TemporaryDirectory(prefix="live-reveal-") as temporary:
        var_dir = arguments.var_dir or Path(temporary)
        var_dir.mkdir(parents=True, exist_ok=True)
        env = production_env(
            VAR_DIR=str(var_dir),
            REDIS_URL=arguments.redis_url,
            CACHE_KEY_PREFIX=f"live-reveal-bench-{os.getpid()}",
            LOG_LEVEL="WARNING",
            # An open stream is a request in progress: granian's default lets 1024 in (backlog / workers) and
            # makes the rest, page requests included, wait. See the README's "Live reveal".
            GRANIAN_BACKPRESSURE=str(arguments.backpressure),
            GRANIAN_BACKLOG="4096",
        )
        print(f"live_reveal: building the site in {var_dir}", flush=True)
        build_site(env, var_dir)
        with asgi_server(env, workers=arguments.workers, timeout=STARTUP_TIMEOUT) as base_url:
            if httpx.get(f"{base_url}/live/{SLUG}/state", timeout=30).json()["revealed"]:
                run_quietly([*MANAGE, "announce_winner", SLUG, "--retract"], env, what="retract the last run's reveal")
            latencies, rss = asyncio.run(measure(base_url, env, arguments.clients, arguments.ramp, arguments.timeout))

    received = len(latencies)
    print(
        f"live_reveal: clients={arguments.clients} received={received} p50_ms={percentile_ms(latencies, 50):.0f} "
        f"p99_ms={percentile_ms(latencies, 99):.0f} max_ms={percentile_ms(latencies, 100):.0f} "
        f"server_rss_mb={rss:.0f}"
    )
    sys.exit(0 if received == arguments.clients else 1)


if __name__ == "__main__":
    main()
