"""The doors at opening time: an open-loop load of scans on the check-in API, then twenty doors racing one ticket,
over HTTP through the real ASGI server on PostgreSQL.

An on-demand benchmark, not a test: pytest never collects it. It creates a throw-away PostgreSQL database
(`BENCH_DATABASE_URL`, default ``postgres://postgres@127.0.0.1:5432/``, plus a unique name), migrates it, seeds an
edition with the check-in list “Konferens dag 1”, ``--tickets`` tickets of paid orders (bulk-created) and a scanner
device, and serves the site with granian and production settings (``--workers`` processes: by default two, one
a core of the machine this was written on; the README's production command runs four on its own hardware). After
an unmeasured warm-up (ten tickets admitted and scanned again, unknown secrets), so that no scan pays for a
worker's first request:

* **The load** is open-loop: scan i is sent at its scheduled time t0 + i / ``--rate`` whether or not earlier
  answers have come back (each on an idle keep-alive connection, or a new one when none is idle), for
  ``--seconds``. Each scan carries its own nonce. About 90 % are a ticket's first scan (expected ``ok``), 5 % scan
  again a ticket admitted at least two seconds earlier (expected ``already_checked_in``) and 5 % an unknown secret
  (expected ``unknown``). A scan's latency runs from its *scheduled* send time to the end of its answer, so time
  spent queueing, in the server or in this client falling behind its schedule, counts, as it does for the person
  at the door.
* **The race**: twenty connections to one door each, then twenty redeems of one ticket nobody has scanned, written
  at the same instant. Exactly one may get ``ok``.

Afterwards the database is asked how many admissions it holds: one per first scan (the warm-up's included) plus
the race's, never two for a ticket. The requests are prepared bytes on raw connections, so that the load
generator, on the same two cores as the server, spends next to nothing on sending them.

    .venv/bin/python tests/benchmarks/checkin.py [--rate 50] [--seconds 60] [--tickets 5000] [--workers 2]

Progress goes to stderr; stdout gets one line (exit status 1 if errors > 0, the race admitted other than one
ticket, or the database disagrees):
``checkin: rate=50 scans=3000 p50_ms=… p99_ms=… errors=0 race_ok=1/20``
(errors: transport failures, answers other than 200, and answers whose status is not the one expected for that
scan, the race's included; p50/p99 are of the load's scans only).
"""

import argparse
import asyncio
import json
import math
import random
import secrets
import signal
import sys
import tempfile
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from tests.servers import (  # noqa: E402  (the project root goes first)
    ThrowawayDatabase,
    asgi_server,
    print_result,
    production_env,
    run_quietly,
    run_step,
)

REDEEM_PATH = "/api/checkin/redeem"
RESCAN_SHARE = 0.05
UNKNOWN_SHARE = 0.05
RESCAN_GAP = 2.0  # seconds: a re-scan's ticket was admitted at least this long before, so its answer is known
DOORS = 20
WARMUP_TICKETS = 10  # the warm-up admits these, scans them again, and scans as many unknown secrets
ANSWER_TIMEOUT = 30.0
MAX_IDLE = 20.0  # seconds: granian's HTTP stack closes a connection that sends nothing for 30 s


def log(message):
    print(message, file=sys.stderr, flush=True)


# --- Steps inside the temporary site (a subprocess with its environment) ---------------------------------------


def prepare(tickets):
    """An edition with a check-in list, `tickets` tickets of paid orders (one attendee each) and a scanner."""
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from tests.factories import EditionFactory, ticket_shop
    from tickets.demo import FIRST_NAMES, LAST_NAMES, ORGANISATIONS
    from tickets.models import Attendee, CheckinList, Order, ScannerDevice, Ticket

    rng = random.Random(2099)  # noqa: S311  (made-up names, the same on every run)
    with transaction.atomic():
        shop = ticket_shop(EditionFactory(year=2099), conference=tickets)
        day_one = CheckinList.objects.create(edition=shop.edition, name="Konferens dag 1")
        day_one.ticket_types.set([shop.conference_pass, shop.day_one])
        now = timezone.now()
        orders = Order.objects.bulk_create(
            [
                Order(edition=shop.edition, status=Order.Status.PAID, paid_at=now, hold_expires_at=now)
                for _ in range(tickets)
            ],
            batch_size=1000,
        )
        attendees = Attendee.objects.bulk_create(
            [
                Attendee(
                    order=order,
                    position=1,
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    organisation=rng.choice(ORGANISATIONS)[0],
                )
                for order in orders
            ],
            batch_size=1000,
        )
        # Most hold the conference pass, some the first day's pass: the list admits both.
        types = [shop.conference_pass] * 4 + [shop.day_one]
        made = Ticket.objects.bulk_create(
            [
                Ticket(
                    order=order,
                    attendee=attendee,
                    ticket_type=(ticket_type := rng.choice(types)),
                    list_price=ticket_type.price,
                    price=ticket_type.price,
                    vat_rate=ticket_type.vat_rate,
                )
                for order, attendee in zip(orders, attendees, strict=True)
            ],
            batch_size=1000,
        )
        _device, token = ScannerDevice.create_with_token(edition=shop.edition, name="Dörr A")
    print_result({"list": day_one.pk, "token": token, "secrets": [t.secret for t in made]})


def count(list_id):
    """The admissions at the list, and the tickets admitted more than once."""
    import django

    django.setup()
    from django.db.models import Count

    from tickets.models import Checkin

    scans = Checkin.objects.filter(checkin_list_id=list_id)
    admissions = scans.filter(result=Checkin.Result.OK)
    twice = admissions.values("ticket").annotate(n=Count("pk")).filter(n__gt=1).count()
    print_result({"scans": scans.count(), "admissions": admissions.count(), "twice": twice})


STEPS = {"prepare": prepare, "count": count}


# --- HTTP on raw connections -----------------------------------------------------------------------------------


class Door:
    """Where the scans go: the server's address, the device's token and the list, and idle keep-alive
    connections. A scan takes an idle connection or opens a new one, never waiting for another scan's answer;
    connections idle for MAX_IDLE are dropped rather than reused, as the server may be closing them."""

    def __init__(self, host, port, token, list_id):
        self.host, self.port = host, port
        self.head = (
            f"POST {REDEEM_PATH} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\n"
        )
        self.list_id = str(list_id)
        self.idle = []  # (reader, writer, idle since)
        self.opened = 0
        self.retried = 0

    def request(self, secret, nonce, *, close=False):
        """The POST a scanner sends, as bytes, built before it is due so that sending it costs nothing."""
        body = json.dumps({"secret": secret, "list": self.list_id, "nonce": nonce}).encode()
        connection = "Connection: close\r\n" if close else ""
        return f"{self.head}Content-Length: {len(body)}\r\n{connection}\r\n".encode() + body

    async def connect(self):
        self.opened += 1
        return await asyncio.open_connection(self.host, self.port)

    async def post(self, request):
        """(HTTP status, the answer's JSON) for `request` on a keep-alive connection. A reused connection that
        the server closed while it was idle is replaced once: the nonce makes the retry safe."""
        loop = asyncio.get_running_loop()
        while self.idle and loop.time() - self.idle[0][2] > MAX_IDLE:
            self.idle.pop(0)[1].close()
        reused = bool(self.idle)
        reader, writer, _since = self.idle.pop() if reused else (*await self.connect(), None)
        try:
            writer.write(request)
            status, body, keep = await read_answer(reader)
        except (OSError, asyncio.IncompleteReadError) as error:
            writer.close()
            if not reused or getattr(error, "partial", b""):
                raise
            self.retried += 1
            reader, writer = await self.connect()
            writer.write(request)
            status, body, keep = await read_answer(reader)
        if keep:
            self.idle.append((reader, writer, loop.time()))
        else:
            writer.close()
        return status, body

    def close(self):
        for _reader, writer, _since in self.idle:
            writer.close()
        self.idle.clear()


async def read_answer(reader):
    """(status, parsed JSON body or None, whether the connection stays open) of one HTTP/1.1 answer."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            body += (await reader.readexactly(size + 2))[:-2]
        await reader.readuntil(b"\r\n")
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    try:
        answer = json.loads(body) if body else None
    except ValueError:
        answer = None
    return status, answer, headers.get("connection", "").lower() != "close"


# --- The load and the race -------------------------------------------------------------------------------------


def plan(scans, rate, secrets_available, seed=1):
    """[(scheduled offset in seconds, secret, expected status)] for `scans` scans at `rate` a second: first scans
    of distinct tickets, re-scans of tickets admitted at least RESCAN_GAP earlier, unknown secrets."""
    rng = random.Random(seed)  # noqa: S311  (which scans come when, the same on every run)
    fresh = iter(secrets_available)
    admitted = []  # (offset, secret) of first scans, in order
    settled = 0  # admitted[:settled] were scheduled at least RESCAN_GAP ago
    scheduled = []
    for index in range(scans):
        offset = index / rate
        while settled < len(admitted) and admitted[settled][0] <= offset - RESCAN_GAP:
            settled += 1
        draw = rng.random()
        if draw < RESCAN_SHARE and settled:
            _at, secret = rng.choice(admitted[max(0, settled - 200) : settled])  # a recent arrival, back again
            scheduled.append((offset, secret, "already_checked_in"))
        elif draw < RESCAN_SHARE + UNKNOWN_SHARE:
            scheduled.append((offset, secrets.token_urlsafe(24), "unknown"))
        else:
            secret = next(fresh, None)
            if secret is None:
                raise SystemExit(f"{scans} scans need more tickets than were seeded: raise --tickets")
            admitted.append((offset, secret))
            scheduled.append((offset, secret, "ok"))
    return scheduled


async def scan(door, request, expected, due, result, index):
    try:
        status, answer = await asyncio.wait_for(door.post(request), ANSWER_TIMEOUT)
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError) as error:
        result["errors"][type(error).__name__] = result["errors"].get(type(error).__name__, 0) + 1
        return
    result["latencies"].append(latency := asyncio.get_running_loop().time() - due)
    result["timed"].append((latency, index, expected))
    verdict = answer.get("status") if isinstance(answer, dict) else None
    if status != 200 or verdict != expected:
        key = f"HTTP {status} {verdict} (expected {expected})"
        result["errors"][key] = result["errors"].get(key, 0) + 1


async def load(door, scheduled, run_id):
    """Sends each scan at its scheduled time, not waiting for earlier answers; latencies from the schedule."""
    result = {"latencies": [], "timed": [], "errors": {}, "late": []}
    requests = [door.request(secret, f"{run_id}-{index}") for index, (_at, secret, _exp) in enumerate(scheduled)]
    loop = asyncio.get_running_loop()
    tasks = []
    start = loop.time() + 0.2
    for index, (offset, _secret, expected) in enumerate(scheduled):
        due = start + offset
        if (delay := due - loop.time()) > 0:
            await asyncio.sleep(delay)
        result["late"].append(loop.time() - due)
        tasks.append(asyncio.create_task(scan(door, requests[index], expected, due, result, index)))
    await asyncio.gather(*tasks)
    return result


async def warm_up(door, tickets, run_id):
    """Unmeasured scans, some at once: `tickets` admitted, scanned again, and as many unknown secrets, so that
    every worker has run each verdict's code and opened database connections before the schedule starts."""
    unknown = [secrets.token_urlsafe(24) for _ in tickets]
    for number, batch in enumerate([tickets, tickets, unknown, tickets, unknown]):
        requests = [door.request(secret, f"{run_id}-warmup-{number}-{n}") for n, secret in enumerate(batch)]
        await asyncio.gather(*(door.post(request) for request in requests))


async def race(door, secret, run_id):
    """DOORS redeems of one ticket, each on its own connection, written at the same instant."""
    connections = [await door.connect() for _ in range(DOORS)]
    requests = [door.request(secret, f"{run_id}-race-{n}", close=True) for n in range(DOORS)]
    for (_reader, writer), request in zip(connections, requests, strict=True):
        writer.write(request)
    answers = await asyncio.gather(
        *(asyncio.wait_for(read_answer(reader), ANSWER_TIMEOUT) for reader, _writer in connections),
        return_exceptions=True,
    )
    for _reader, writer in connections:
        writer.close()
    verdicts, errors = [], {}
    for answer in answers:
        if isinstance(answer, BaseException):
            errors[type(answer).__name__] = errors.get(type(answer).__name__, 0) + 1
            continue
        status, body, _keep = answer
        verdict = body.get("status") if isinstance(body, dict) else None
        if status != 200 or verdict not in ("ok", "already_checked_in"):
            key = f"race: HTTP {status} {verdict}"
            errors[key] = errors.get(key, 0) + 1
        verdicts.append(verdict)
    return verdicts.count("ok"), errors


async def doors(base_url, token, list_id, warm_up_secrets, scheduled, race_secret):
    host, port = base_url.removeprefix("http://").split(":")
    door = Door(host, int(port), token, list_id)
    run_id = uuid.uuid4().hex[:8]
    try:
        await warm_up(door, warm_up_secrets, run_id)
        log(f"  warm-up: done on {door.opened} connections")
        result = await load(door, scheduled, run_id)
        log(f"  load: {len(scheduled)} scans on {door.opened} connections ({door.retried} retried)")
        result["race_ok"], race_errors = await race(door, race_secret, run_id)
    finally:
        door.close()
    for key, number in race_errors.items():
        result["errors"][key] = result["errors"].get(key, 0) + number
    return result


def percentile_ms(values, percent):
    """Nearest-rank percentile, in milliseconds."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return 1000 * ordered[max(math.ceil(percent / 100 * len(ordered)), 1) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50, help="scans a second (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="how long the load lasts (default 60)")
    parser.add_argument("--tickets", type=int, default=5000, help="tickets seeded (default 5000)")
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes (default 2)")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("arguments", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        STEPS[args.step](*(int(v) for v in args.arguments))
        return 0
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda s, _f: sys.exit(128 + s))

    scans = round(args.rate * args.seconds)
    with tempfile.TemporaryDirectory(prefix="bench_checkin_") as tmp, ThrowawayDatabase("bench_checkin") as database:
        env = production_env(
            VAR_DIR=str(Path(tmp) / "var"),
            LOG_LEVEL="ERROR",
            MEDIA_ROOT=None,
            REDIS_URL=None,
            DATABASE_URL=database.url,
        )
        log(f"Database {database.name}, site in {tmp}")
        run_quietly(
            [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"], env, what="migrate", log=log
        )
        seeded = run_step(__file__, env, "prepare", args.tickets, log=log)
        tickets = seeded["secrets"]
        warm_up_secrets, race_secret = tickets[:WARMUP_TICKETS], tickets[-1]
        scheduled = plan(scans, args.rate, tickets[WARMUP_TICKETS:-1])
        with asgi_server(env, workers=args.workers, timeout=60) as base_url:
            log(f"Serving on {base_url} with {args.workers} workers; {scans} scans at {args.rate:g}/s")
            result = asyncio.run(
                doors(base_url, seeded["token"], seeded["list"], warm_up_secrets, scheduled, race_secret)
            )
        counted = run_step(__file__, env, "count", seeded["list"], log=log)

    expected_admissions = sum(1 for _at, _secret, expected in scheduled if expected == "ok") + WARMUP_TICKETS + 1
    database_ok = counted["admissions"] == expected_admissions and counted["twice"] == 0
    errors = sum(result["errors"].values())
    log(
        f"answered={len(result['latencies'])} errors={result['errors']} "
        f"max_ms={percentile_ms(result['latencies'], 100):.1f} "
        f"client_late_p99_ms={percentile_ms(result['late'], 99):.1f} "
        f"client_late_max_ms={percentile_ms(result['late'], 100):.1f} "
        f"admissions_in_database={counted['admissions']} (expected {expected_admissions}) "
        f"admitted_twice={counted['twice']} scans_in_database={counted['scans']}"
    )
    slowest = sorted(result["timed"], reverse=True)[:5]
    log("slowest: " + ", ".join(f"#{index} {expected} {1000 * latency:.0f} ms" for latency, index, expected in slowest))
    print(
        f"checkin: rate={args.rate:g} scans={scans} p50_ms={percentile_ms(result['latencies'], 50):.1f} "
        f"p99_ms={percentile_ms(result['latencies'], 99):.1f} errors={errors} race_ok={result['race_ok']}/{DOORS}",
        flush=True,
    )
    return 0 if errors == 0 and result["race_ok"] == 1 and database_ok else 1


if __name__ == "__main__":
    sys.exit(main())
