"""A sales rush: 500 buyers at once on 100 places, over HTTP through the real ASGI server on PostgreSQL.

An on-demand benchmark, not a test: pytest never collects it. It creates a throw-away PostgreSQL database
(`BENCH_DATABASE_URL`, default ``postgres://postgres@127.0.0.1:5432/``, plus a unique name), migrates it, puts one
ticket type with a capacity of 100 on sale, and serves the site with granian and production settings. Then each
of 500 buyers opens the ticket page (for its CSRF token and session cookie), waits until all have it, and all post
their choice of one ticket at the same moment. A buyer who got places is redirected to the attendee step; the
others are told the tickets are sold out.

Afterwards the database is asked how many tickets are held: more than the capacity would be an oversale.

    .venv/bin/python tests/benchmarks/sales_rush.py [--buyers 500] [--capacity 100] [--workers 2]

The last line printed is machine-readable:
``sales_rush: buyers=500 capacity=100 holds=H oversold=O errors_5xx=E holds_per_s=R p99_ms=P``
(holds_per_s: the holds divided by the seconds from the moment the buyers post to the last answer that held places,
as the buyers see it; the line before it also gives ``server_window_s``, the seconds between the first and the last
hold written in the database). The posts are prepared bytes sent on raw connections, so that the load generator,
on the same two cores as the server, spends next to nothing on sending them.
"""

import argparse
import asyncio
import re
import signal
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import httpx

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

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FIELD = re.compile(r'name="(quantity_\d+)"')


# --- Steps inside the temporary site (a subprocess with its environment) ---------------------------------------


def prepare(capacity):
    import django

    django.setup()
    from tests.factories import EditionFactory, ticket_shop

    shop = ticket_shop(EditionFactory(year=2099), conference=capacity)
    print_result({"type": shop.conference_pass.pk})


def count(capacity):
    import django

    django.setup()
    from django.db.models import Max, Min

    from tickets.models import Order, Ticket

    held = Ticket.objects.filter(order__in=Order.objects.holding()).count()
    span = Order.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    seconds = (span["last"] - span["first"]).total_seconds() if span["first"] else 0
    print_result({"held": held, "orders": Order.objects.count(), "server_seconds": seconds})


STEPS = {"prepare": prepare, "count": count}


# --- The buyers ------------------------------------------------------------------------------------------------


def cookies_from(response):
    """The cookies a response sets, sent back as they are: production marks them Secure and this is plain HTTP."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def form_request(host, path, cookies, fields):
    """The POST a browser sends, as bytes, built before the rush so that sending it costs the client nothing."""
    body = urllib.parse.urlencode(fields).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nCookie: {'; '.join(f'{k}={v}' for k, v in cookies.items())}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


async def post_raw(host, port, request):
    """Sends `request` on a fresh connection; (status, Location header) of the answer."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
    finally:
        writer.close()
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    location = next((line.split(":", 1)[1].strip() for line in lines[1:] if line.lower().startswith("location:")), "")
    return status, location


async def buyer(client, path, go, result):
    """One buyer: opens the ticket page (with httpx), waits for everyone, then posts one ticket. The post is sent
    as prepared bytes on a raw connection: with 500 buyers on the same two cores as the server, an HTTP client's
    own work would otherwise delay the answers it measures."""
    url = httpx.URL(str(client.base_url))
    try:
        page = await client.get(path)
        token = TOKEN.search(page.text)
        field = FIELD.search(page.text)
        if page.status_code != 200 or not token or not field:
            result["setup_errors"] += 1
            return
        fields = {"csrfmiddlewaretoken": token.group(1), field.group(1): "1", "voucher_code": ""}
        request = form_request(f"{url.host}:{url.port}", path, cookies_from(page), fields)
        result["ready"] += 1
        await go.wait()
        started = time.monotonic()
        status, location = await post_raw(url.host, url.port, request)
        ended = time.monotonic()
    except (httpx.HTTPError, OSError, asyncio.IncompleteReadError) as error:
        result["transport_errors"].append(type(error).__name__)
        return
    result["latencies"].append(ended - started)
    result["first"] = min(result["first"], started)
    if status >= 500:
        result["errors_5xx"] += 1
    elif status in (302, 303) and "deltagare" in location:
        result["holds"] += 1
        result["last_hold"] = max(result["last_hold"], ended)
    elif status in (200, 400, 409):  # the form again, saying what is sold out
        result["refused"] += 1
    else:
        result["other"][status] = result["other"].get(status, 0) + 1


async def rush(base_url, buyers):
    result = {
        "ready": 0,
        "holds": 0,
        "refused": 0,
        "errors_5xx": 0,
        "setup_errors": 0,
        "other": {},
        "transport_errors": [],
        "latencies": [],
        "first": float("inf"),
        "last_hold": 0.0,
    }
    go = asyncio.Event()
    limits = httpx.Limits(max_connections=buyers, max_keepalive_connections=buyers)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120, follow_redirects=False) as client:
        tasks = [asyncio.create_task(buyer(client, "/biljetter/", go, result)) for _ in range(buyers)]
        while result["ready"] + result["setup_errors"] + len(result["transport_errors"]) < buyers:
            await asyncio.sleep(0.05)
        go.set()
        await asyncio.gather(*tasks)
    return result


def percentile_ms(values, q):
    if not values:
        return 0.0
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool", type=int, default=0, help="DATABASE_POOL_SIZE per worker (default: production's)")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("arguments", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        STEPS[args.step](*(int(v) for v in args.arguments))
        return 0
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda s, _f: sys.exit(128 + s))

    with tempfile.TemporaryDirectory(prefix="sales-rush-") as tmp, ThrowawayDatabase("sales_rush") as database:
        env = production_env(
            VAR_DIR=str(Path(tmp) / "var"),
            LOG_LEVEL="ERROR",
            MEDIA_ROOT=None,
            DATABASE_URL=database.url,
            # Every buyer here posts from 127.0.0.1: one address, which production limits to a few reservations
            # (settings.RATE_LIMITS); the rush is about the places, so that limit is lifted for it.
            RATE_LIMIT_REGISTRATION_IP=f"{args.buyers * 10}/60",
        )
        print(f"Database {database.name}, site in {tmp}", flush=True)
        manage = [sys.executable, "manage.py"]
        run_quietly([*manage, "migrate", "--noinput", "--verbosity", "0"], env, what="migrate")
        run_quietly([*manage, "collectstatic", "--noinput", "--verbosity", "0"], env, what="collectstatic")
        run_step(__file__, env, "prepare", args.capacity)
        with asgi_server(env, workers=args.workers, timeout=60) as base_url:
            print(f"Serving on {base_url} with {args.workers} workers; {args.buyers} buyers", flush=True)
            result = asyncio.run(rush(base_url, args.buyers))
        counted = run_step(__file__, env, "count", args.capacity)

    # From the moment the buyers post to the last answer that held places, as the buyers see it.
    window = result["last_hold"] - result["first"] if result["holds"] else 0
    holds_per_s = result["holds"] / window if window > 0 else 0.0
    oversold = max(0, counted["held"] - args.capacity)
    print(
        f"posted={len(result['latencies'])} held_by_answer={result['holds']} refused={result['refused']} "
        f"held_in_database={counted['held']} orders={counted['orders']} setup_errors={result['setup_errors']} "
        f"transport_errors={len(result['transport_errors'])} other={result['other']} "
        f"p50_ms={percentile_ms(result['latencies'], 50):.0f} client_window_s={window:.2f} "
        f"server_window_s={counted['server_seconds']:.2f}"
    )
    print(
        f"sales_rush: buyers={args.buyers} capacity={args.capacity} holds={counted['held']} oversold={oversold} "
        f"errors_5xx={result['errors_5xx']} holds_per_s={holds_per_s:.1f} "
        f"p99_ms={percentile_ms(result['latencies'], 99):.0f}"
    )
    failed = result["errors_5xx"] or oversold or result["setup_errors"] or result["transport_errors"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
