"""The programme with a thousand sessions: database queries, and requests/second through the real ASGI server.

An on-demand benchmark, not a test: pytest never collects it. It builds a throw-away SQLite database in a temporary
``VAR_DIR`` (migrate, collectstatic, ``seed_demo``, then 1,000 more sessions and 300 more speakers bulk-created for
the upcoming edition), and then:

* counts the database queries of the Swedish programme page ``/program/`` and of ``/programme.json``, with Django's
  test client in a subprocess: once with an empty cache (a full render, the figure that must not grow with the
  programme) and once more (served from the cache);
* starts granian with production settings (``tests/servers.py``), one worker, on a free loopback port;
* measures successful requests/second of the cached programme page, of ``/programme.json`` and of the stylesheet
  (a static file from the same server) with a bounded asyncio + httpx load from this process.

Every URL is fetched once before any load: one that does not answer 200 is reported as an error and not measured.
Nothing outside the temporary directory is written, and nothing but 127.0.0.1 is contacted.

Run from the project root (the load client shares the machine with the server, as in ``asgi_servers.py``):

    .venv/bin/python tests/benchmarks/programme.py [--duration 10] [--concurrency 20] [--warmup 2]

The last line printed is machine-readable (``queries`` is the programme page's full render; ``error`` replaces a
figure that could not be measured, and the exit status is then 1):
``programme: sessions=1000 queries=Q html_rps=R json_rps=R static_rps=R``
"""

import argparse
import asyncio
import datetime as dt
import os
import signal
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from tests.load import REQUEST_TIMEOUT, LoadResult, generate_load  # noqa: E402  (the project root goes first)
from tests.servers import asgi_server, print_result, production_env, run_quietly, run_step  # noqa: E402

HTML_PATH = "/program/"
JSON_PATH = "/programme.json"
STATIC_FILE = "css/site.css"
HEADERS = {"Accept-Language": "sv"}
SESSIONS = 1000
SPEAKERS = 300
STARTUP_TIMEOUT = 60


# --- Steps that run inside the temporary site, in a subprocess with its environment ---------------------------


def populate(sessions, speakers):
    """Bulk-create `sessions` talks with one to three of `speakers` new speakers each, in the upcoming edition.

    The talks cycle through the demo's rooms and overlap freely: the admin forbids double bookings, but the
    benchmark is about reading a large programme, not about a plausible one.
    """
    import django

    django.setup()
    from django.db import transaction

    from events.demo import STOCKHOLM
    from events.models import Edition, Session, SessionSpeaker, Speaker

    edition = Edition.objects.upcoming().first()
    rooms, tracks = list(edition.rooms.all()), list(edition.tracks.all())
    with transaction.atomic():
        new_speakers = Speaker.objects.bulk_create(
            Speaker(
                name=f"Bänkis Exempelsson {n}",
                slug=f"bankis-exempelsson-{n}",
                title="Trygghetssamordnare",
                title_en="Community safety coordinator",
                organisation="Exempelstads kommun",
                bio="Arbetar med brottsförebyggande arbete och lokal samverkan.",
                bio_en="Works on crime prevention and local cooperation.",
            )
            for n in range(1, speakers + 1)
        )
        days = [edition.starts_on + dt.timedelta(days=offset) for offset in range(edition.days)]
        talks = []
        for n in range(sessions):
            day = days[n % len(days)]
            starts_at = dt.datetime.combine(day, dt.time(8, 0), tzinfo=STOCKHOLM) + dt.timedelta(
                minutes=15 * ((n // len(days)) % 40)
            )
            talks.append(
                Session(
                    edition=edition,
                    title=f"Trygghetspass {n + 1}: medborgarlöften och lokal samverkan",
                    title_en=f"Safety session {n + 1}: citizen pledges and local cooperation",
                    abstract="<p>Om situationell prevention, krisberedskap och trygga offentliga miljöer.</p>",
                    abstract_en="<p>On situational prevention, crisis preparedness and safe public spaces.</p>",
                    kind=Session.Kind.TALK,
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(minutes=45),
                    room=rooms[n % len(rooms)] if rooms else None,
                    track=tracks[n % len(tracks)] if tracks else None,
                    language=Session.Language.ENGLISH if n % 10 == 0 else Session.Language.SWEDISH,
                )
            )
        talks = Session.objects.bulk_create(talks)
        SessionSpeaker.objects.bulk_create(
            SessionSpeaker(session=talk, speaker=new_speakers[(3 * n + k) % len(new_speakers)], sort_order=k)
            for n, talk in enumerate(talks)
            for k in range(1 + n % 3)
        )
    print_result({"sessions": len(talks), "edition_sessions": edition.sessions.count()})


def count_queries(*paths):
    """Each path's status, content type and queries: first with an empty cache, then again (from the cache)."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.templatetags.static import static
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    client = Client(HTTP_HOST="127.0.0.1", headers=HEADERS)
    answers = {}
    for path in paths:
        runs = []
        for _ in ("cold", "warm"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            runs.append((response, len(queries)))
        (response, cold), (_, warm) = runs
        answers[path] = {
            "status": response.status_code,
            "content_type": response.get("Content-Type", ""),
            "cold": cold,
            "warm": warm,
        }
    print_result({"answers": answers, "static_url": static(STATIC_FILE)})


STEPS = {"populate": populate, "count-queries": count_queries}


def build_site(env, sessions, speakers):
    """The temporary site: its database, the demo content plus the bulk, and the collected static files."""
    manage = [sys.executable, "manage.py"]
    run_quietly([*manage, "migrate", "--noinput", "--verbosity", "0"], env, what="migrate")
    run_quietly([*manage, "collectstatic", "--noinput", "--verbosity", "0"], env, what="collectstatic")
    run_quietly([*manage, "seed_demo"], env, what="seed_demo")
    return run_step(__file__, env, "populate", sessions, speakers)


# --- Load ----------------------------------------------------------------------------------------------------


async def load(base_url, path, duration, concurrency):
    return await generate_load(base_url, path, duration=duration, concurrency=concurrency, headers=HEADERS)


def first_answer(base_url, path, content_type):
    """One GET of `path`: its status, its size in bytes, and None if it is 200 with `content_type`, else why not."""
    try:
        response = httpx.get(base_url + path, headers=HEADERS, timeout=REQUEST_TIMEOUT)
    except httpx.HTTPError as error:
        return "-", 0, f"{type(error).__name__}: {error}"
    answered = response.headers.get("content-type", "")
    if response.status_code != 200 or not answered.startswith(content_type):
        return str(response.status_code), len(response.content), f"HTTP {response.status_code} {answered}".strip()
    return "200", len(response.content), None


# --- Report ----------------------------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    path: str
    content_type: str
    status: str = ""
    size: int = 0  # bytes of the decoded body
    cold_queries: object = "-"
    warm_queries: object = "-"
    error: str | None = None
    counted: bool = False  # the test client got a 200, so the query counts are those of a real answer
    result: LoadResult | None = None

    def rps(self):
        return f"{self.result.rps:.1f}" if self.result and not self.error else "error"


ROW = "{:<7} {:<36} {:>6} {:>8} {:>7} {:>7} {:>8} {:>8} {:>8} {:>7}"


def print_table(targets, args, site):
    print()
    print(
        f"{site['sessions']} sessions bulk-created ({site['edition_sessions']} in the edition); "
        f"{args.duration:g} s per URL, {args.concurrency} connections, 1 worker, {os.cpu_count()} cores"
    )
    header = ROW.format("target", "path", "status", "KB", "q cold", "q warm", "req/s", "p50 ms", "p99 ms", "errors")
    print(header)
    print("-" * len(header))
    for t in targets:
        r = t.result or LoadResult()
        figures = [t.rps(), f"{r.percentile_ms(50):.1f}", f"{r.percentile_ms(99):.1f}", sum(r.errors.values())]
        size = f"{t.size / 1024:.1f}"
        print(ROW.format(t.name, t.path[:36], t.status, size, t.cold_queries, t.warm_queries, *figures))
    print("q cold: queries with an empty cache (a full render); q warm: the same request again, from the cache.")
    for t in targets:
        if t.error:
            print(f"ERROR {t.name}: GET {t.path} answered {t.error}; not measured.")
        elif t.result and t.result.errors:
            print(f"ERRORS {t.name} under load: {dict(t.result.errors)}")


def summary_line(targets, site):
    html, json_, static = targets
    queries = html.cold_queries if html.counted else "error"
    return (
        f"programme: sessions={site['sessions']} queries={queries} "
        f"html_rps={html.rps()} json_rps={json_.rps()} static_rps={static.rps()}"
    )


# --- Main ------------------------------------------------------------------------------------------------------


def bounded(low, high, kind=float):
    def parse(text):
        value = kind(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=bounded(1, 120), default=10.0, help="seconds per URL (default 10)")
    parser.add_argument("--concurrency", type=bounded(1, 200, int), default=20, help="connections (default 20)")
    parser.add_argument("--warmup", type=bounded(0, 30), default=2.0, help="warm-up seconds per URL (default 2)")
    parser.add_argument("--sessions", type=bounded(1, 20_000, int), default=SESSIONS, help=argparse.SUPPRESS)
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("arguments", nargs="*", help=argparse.SUPPRESS)
    return parser.parse_args()


def exit_on_signal(signum, _frame):
    """SIGTERM/SIGINT become SystemExit, so the server is stopped and the temporary directory removed."""
    sys.exit(128 + signum)


def benchmark(args):
    targets = [
        Target("html", HTML_PATH, "text/html"),
        Target("json", JSON_PATH, "application/json"),
        Target("static", "", "text/css"),
    ]
    with tempfile.TemporaryDirectory(prefix="programme-bench-") as tmp:
        # Production settings, no Redis: the database, the file cache and the static files all live in `tmp`.
        # LOG_LEVEL=ERROR: the server's output goes to a pipe nobody reads while the load runs.
        env = production_env(VAR_DIR=str(Path(tmp) / "var"), LOG_LEVEL="ERROR", MEDIA_ROOT=None)
        print(f"Building the site in {tmp}", flush=True)
        site = build_site(env, args.sessions, SPEAKERS)
        counted = run_step(__file__, env, "count-queries", HTML_PATH, JSON_PATH)
        targets[2].path = counted["static_url"]
        for target in targets[:2]:
            answer = counted["answers"][target.path]
            target.cold_queries, target.warm_queries = answer["cold"], answer["warm"]
            target.counted = answer["status"] == 200
            if not target.counted:
                print(f"  test client: GET {target.path} answered {answer['status']}", flush=True)

        with asgi_server(env, workers=1, timeout=STARTUP_TIMEOUT) as base_url:
            print(f"Serving on {base_url}", flush=True)
            for target in targets:
                target.status, target.size, target.error = first_answer(base_url, target.path, target.content_type)
                if target.error:
                    print(f"  GET {target.path}: {target.error}", flush=True)
                    continue
                if args.warmup:
                    asyncio.run(load(base_url, target.path, args.warmup, args.concurrency))
                target.result = asyncio.run(load(base_url, target.path, args.duration, args.concurrency))
                print(f"  {target.name}: {target.result.rps:.1f} req/s", flush=True)
    return targets, site


def main():
    args = parse_args()
    if args.step:
        STEPS[args.step](*(int(value) if value.isdigit() else value for value in args.arguments))
        return 0
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, exit_on_signal)
    print(f"load average before start: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    targets, site = benchmark(args)
    print_table(targets, args, site)
    print(summary_line(targets, site))
    return 1 if any(target.error or not target.result for target in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
