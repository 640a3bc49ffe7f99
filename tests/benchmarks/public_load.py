"""The public pages under a crowd: 200 visitors at once for 60 s on the home page, the programme, an award and its
live page, through the production profile, and not one server error.

An on-demand benchmark, not a test: pytest never collects it. It creates a throw-away PostgreSQL database
(`BENCH_DATABASE_URL`, default ``postgres://postgres@127.0.0.1:5432/``, plus a unique name), builds the demo site in
it with a temporary ``VAR_DIR`` (migrate, collectstatic, ``seed_demo``), takes the pages' addresses from it, and
serves it as the web process of ``deploy/Procfile`` does: granian with ``--workers`` processes and the production
options (``tests/servers.py``), production settings (so the database pool, ``ASGI_MAX_REQUESTS`` and the page
cache as in production; set either variable to try another value) and Redis (``--redis-url``; the run's keys carry
a prefix of their own and are deleted afterwards). Then:

* a warm-up of ``--warmup`` seconds with the same crowd, unmeasured, so that no measured request pays for a
  worker's first render (its server errors still fail the run);
* ``--users`` visitors, each on a keep-alive connection of its own, go round and round for ``--seconds``: the home
  page, the programme, one of the demo's awards (chosen at random each round) and that award's live page, with
  ``--think`` seconds between pages (exponentially distributed; the default 0 is a crowd that never pauses, so the
  figures are the server's capacity). The live page's stream is left to ``live_reveal.py``.

A request's latency runs from writing it to the end of its answer. The site's database connections are counted
every half second (the peak is printed, to check the arithmetic in the README's *Production*). Requests are
prepared bytes on raw connections: the visitors share the machine's cores with the server, and an HTTP library's
own work would be measured as the server's. Nothing but 127.0.0.1 is contacted.

    .venv/bin/python tests/benchmarks/public_load.py [--users 200] [--seconds 60] [--workers 2] [--think 0]

The last line printed is machine-readable (exit status 1 on any server error, warm-up included, or any answer
other than 200 or transport failure, which the line before it details):
``public_load: users=200 requests=N rps=R p99_ms=P errors_5xx=0``
"""

import argparse
import asyncio
import math
import os
import random
import signal
import sys
import tempfile
import threading
from collections import Counter, defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from tests.servers import (  # noqa: E402  (the project root goes first)
    PRODUCTION_GRANIAN_OPTIONS,
    ThrowawayDatabase,
    asgi_server,
    print_result,
    production_env,
    run_quietly,
    run_step,
)

MANAGE = [sys.executable, "manage.py"]
HEADERS = "Accept: text/html\r\nAccept-Language: sv-SE,sv;q=0.9,en;q=0.5\r\nAccept-Encoding: gzip\r\n"
ANSWER_TIMEOUT = 60.0
STARTUP_TIMEOUT = 90
SAMPLE_SECONDS = 0.5


# --- The site's pages, found inside the temporary site (a subprocess with its environment) ----------------------


def pages():
    """The addresses of the Swedish home page, the programme, and every award with its live page."""
    import django

    django.setup()
    from django.urls import reverse

    from events.models import AwardPage, ProgrammePage
    from home.models import HomePage

    def path(page):
        return page.get_url_parts()[2]

    swedish = {"locale__language_code": "sv"}
    awards = AwardPage.objects.live().public().filter(**swedish).order_by("path")
    print_result(
        {
            "home": path(HomePage.objects.live().filter(**swedish).order_by("path").first()),
            "programme": path(ProgrammePage.objects.live().filter(**swedish).order_by("path").first()),
            "awards": [[path(award), reverse("live:page", args=[award.slug])] for award in awards],
        }
    )


STEPS = {"pages": pages}


# --- The visitors ----------------------------------------------------------------------------------------------


class Result:
    def __init__(self):
        self.latencies = defaultdict(list)  # page kind -> seconds, every answer
        self.statuses = Counter()  # (page kind, HTTP status)
        self.failures = Counter()  # "page kind: what went wrong" for answers that never came
        self.elapsed = 0.0

    def answered(self, kind, status, seconds):
        self.latencies[kind].append(seconds)
        self.statuses[kind, status] += 1

    @property
    def requests(self):
        return sum(len(values) for values in self.latencies.values())

    @property
    def errors_5xx(self):
        return sum(number for (_kind, status), number in self.statuses.items() if status >= 500)

    @property
    def other_errors(self):
        unexpected = sum(n for (_kind, status), n in self.statuses.items() if status != 200 and status < 500)
        return unexpected + sum(self.failures.values())


async def read_response(reader):
    """(status, whether the connection stays open) of one HTTP/1.1 answer, its body read to the end."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return int(status_line.split()[1]), headers.get("connection", "").lower() != "close"


class Visitor:
    """One visitor: a keep-alive connection, opened again when the server closes it, going round the pages."""

    def __init__(self, host, port, rounds, think, seed):
        self.host, self.port = host, port
        self.rounds = rounds  # [[(page kind, request bytes), …] for each award]
        self.think = think
        self.random = random.Random(seed)  # noqa: S311  (which award and how long a pause: no secret)
        self.reader = self.writer = None

    async def visit(self, deadline, result):
        loop = asyncio.get_running_loop()
        try:
            while loop.time() < deadline:
                for kind, request in self.random.choice(self.rounds):
                    if loop.time() >= deadline:
                        break
                    started = loop.time()
                    try:
                        status = await asyncio.wait_for(self.get(request), ANSWER_TIMEOUT)
                    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError) as error:
                        result.failures[f"{kind}: {type(error).__name__}"] += 1
                        self.close()
                        continue
                    result.answered(kind, status, loop.time() - started)
                    if self.think:  # a pause, cut short at the deadline (the run ends with the last answer)
                        pause = self.random.expovariate(1 / self.think)
                        await asyncio.sleep(max(0.0, min(pause, deadline - loop.time())))
        finally:
            self.close()

    async def get(self, request):
        """The answer's status. A kept connection that the server closed while idle is replaced once, as a
        browser does (a GET is safe to send again)."""
        reused = self.writer is not None
        if not reused:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        try:
            self.writer.write(request)
            status, keep = await read_response(self.reader)
        except (OSError, asyncio.IncompleteReadError) as error:
            self.close()
            if not reused or getattr(error, "partial", b""):
                raise
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.writer.write(request)
            status, keep = await read_response(self.reader)
        if not keep:
            self.close()
        return status

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def page_rounds(found, host):
    """A visitor's rounds, one per award: the home page, the programme, the award, its live page (as bytes)."""

    def get(path):
        return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: public_load\r\n{HEADERS}\r\n".encode()

    return [
        [
            ("home", get(found["home"])),
            ("programme", get(found["programme"])),
            ("award", get(award)),
            ("live", get(live)),
        ]
        for award, live in found["awards"]
    ]


async def crowd(base_url, rounds, *, users, seconds, think, seed):
    host, port = base_url.removeprefix("http://").split(":")
    visitors = [Visitor(host, int(port), rounds, think, seed * 100_000 + n) for n in range(users)]
    result = Result()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.gather(*(visitor.visit(started + seconds, result) for visitor in visitors))
    result.elapsed = loop.time() - started
    return result


# --- Watching the database -------------------------------------------------------------------------------------


class ConnectionCounter(threading.Thread):
    """Counts the database's connections every SAMPLE_SECONDS from a thread of its own; keeps the peak."""

    def __init__(self, server_url, database):
        super().__init__(daemon=True)
        self.server_url, self.database = server_url, database
        self.peak = 0
        self.stopped = threading.Event()

    def run(self):
        import psycopg

        with psycopg.connect(f"{self.server_url}/postgres", autocommit=True) as connection:
            while not self.stopped.wait(SAMPLE_SECONDS):
                query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                (count,) = connection.execute(query, [self.database]).fetchone()
                self.peak = max(self.peak, count)

    def stop(self):
        self.stopped.set()
        self.join()


def delete_redis_keys(redis_url, prefix):
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


# --- Report ----------------------------------------------------------------------------------------------------


def percentile_ms(values, percent):
    """Nearest-rank percentile, in milliseconds."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return 1000 * ordered[max(math.ceil(percent / 100 * len(ordered)), 1) - 1]


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def report(result, warm_up, peak_connections, args):
    print(f"{'page':<10} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  statuses")
    for kind, latencies in result.latencies.items():
        statuses = {status: n for (k, status), n in sorted(result.statuses.items()) if k == kind}
        figures = [percentile_ms(latencies, p) for p in (50, 99, 100)]
        print(f"{kind:<10} {len(latencies):>9} {figures[0]:>8.1f} {figures[1]:>8.1f} {figures[2]:>8.1f}  {statuses}")
    every = [seconds for latencies in result.latencies.values() for seconds in latencies]
    print(
        f"elapsed_s={result.elapsed:.1f} p50_ms={percentile_ms(every, 50):.1f} "
        f"other_errors={result.other_errors} failures={dict(result.failures)} "
        f"warmup_requests={warm_up.requests} warmup_5xx={warm_up.errors_5xx} "
        f"warmup_other_errors={warm_up.other_errors} workers={args.workers} think_s={args.think:g} "
        f"peak_db_connections={peak_connections} load_average={load_average()}",
        flush=True,
    )
    rps = result.requests / result.elapsed if result.elapsed else 0.0
    print(
        f"public_load: users={args.users} requests={result.requests} rps={rps:.1f} "
        f"p99_ms={percentile_ms(every, 99):.0f} errors_5xx={result.errors_5xx}",
        flush=True,
    )


# --- Main ------------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200, help="visitors at once (default 200)")
    parser.add_argument("--seconds", type=float, default=60, help="how long the load lasts (default 60)")
    parser.add_argument("--warmup", type=float, default=5, help="unmeasured seconds before it (default 5)")
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes (default 2)")
    parser.add_argument("--think", type=float, default=0, help="mean seconds between a visitor's pages (default 0)")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        STEPS[args.step]()
        return 0
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda s, _f: sys.exit(128 + s))

    print(f"load average before start: {load_average()}", flush=True)
    cache_prefix = f"public-load-{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="public-load-") as tmp, ThrowawayDatabase("public_load") as database:
        env = production_env(
            VAR_DIR=str(Path(tmp) / "var"),
            MEDIA_ROOT=None,
            DATABASE_URL=database.url,
            REDIS_URL=args.redis_url,
            CACHE_KEY_PREFIX=cache_prefix,
            LOG_LEVEL="WARNING",
        )
        print(f"Database {database.name}, site in {tmp}", flush=True)
        run_quietly([*MANAGE, "migrate", "--noinput", "--verbosity", "0"], env, what="migrate")
        run_quietly([*MANAGE, "collectstatic", "--noinput", "--verbosity", "0"], env, what="collectstatic")
        run_quietly([*MANAGE, "seed_demo"], env, what="seed_demo")
        found = run_step(__file__, env, "pages")
        log_path = Path(tmp) / "server.log"
        counter = ConnectionCounter(database.server_url, database.name)
        try:
            with asgi_server(
                env,
                workers=args.workers,
                timeout=STARTUP_TIMEOUT,
                options=PRODUCTION_GRANIAN_OPTIONS,
                log_path=log_path,
            ) as base_url:
                rounds = page_rounds(found, base_url.removeprefix("http://"))
                print(f"Serving on {base_url} with {args.workers} workers; pages: {found}", flush=True)
                counter.start()
                warm_up = asyncio.run(
                    crowd(base_url, rounds, users=args.users, seconds=args.warmup, think=args.think, seed=1)
                )
                print(f"  warm-up: {warm_up.requests} requests in {warm_up.elapsed:.1f} s", flush=True)
                result = asyncio.run(
                    crowd(base_url, rounds, users=args.users, seconds=args.seconds, think=args.think, seed=2)
                )
                counter.stop()
            failed = result.errors_5xx or result.other_errors or warm_up.errors_5xx or warm_up.other_errors
            if failed:
                print("The server's log ends with:\n" + "".join(log_path.read_text().splitlines(True)[-40:]))
        finally:
            delete_redis_keys(args.redis_url, cache_prefix)

    report(result, warm_up, counter.peak, args)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
