"""The live reveal across processes, as in production: two granian servers on one database, a Server-Sent-Events
client on each, and `manage.py announce_winner` run in a third process. Both clients get the reveal and the
retraction: through the database's version poll without Redis, through Redis pub/sub with it.

The servers and the command use this test's database: a file copy of it on SQLite (the test database lives in
memory), the test database itself on PostgreSQL (the test commits its data for them: a transactional test).
"""

import asyncio
import json
import sqlite3
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx
import pytest
from django.conf import settings
from django.db import connection

from home.demo import seed_home
from tests.factories import award_round, nominee_page
from tests.servers import ROOT, asgi_server, production_env

SLUG = "livepriset"
MOTIVATION = "Juryns motivering, som bara vinnaren får."
DELIVERY_SECONDS = 5  # from the command's exit to both clients' receipt; the poll alone takes 0.5 s


def database_for_subprocesses(var_dir):
    """The environment that points a subprocess at this test's data (see the module's docstring)."""
    database = settings.DATABASES["default"]
    var_dir.mkdir(parents=True, exist_ok=True)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        connection.ensure_connection()
        copy = sqlite3.connect(var_dir / "db.sqlite3")
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        return {"DATABASE_URL": None}  # the default: db.sqlite3 in VAR_DIR
    credentials = quote(database["USER"] or "") + (":" + quote(database["PASSWORD"]) if database["PASSWORD"] else "")
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    return {"DATABASE_URL": f"postgres://{credentials}@{host}/{database['NAME']}"}


def subprocess_env(var_dir, *, redis):
    return production_env(
        VAR_DIR=str(var_dir),
        REDIS_URL=settings.REDIS_URL if redis else None,
        **database_for_subprocesses(var_dir),
    )


@pytest.fixture
def award(transactional_db):
    home = seed_home()
    award = award_round(home, phase="nominees", slug=SLUG, title="Livepriset")
    vera = nominee_page(award, title="Vera Vinnarsson")
    nominee_page(award, title="Nils Nominerad")
    award.winner = vera
    award.winner_motivation = MOTIVATION
    award.save_revision()
    return award


def run_in_thread(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API (browser tests in the same session) keeps an event
    loop running in the main thread."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


async def read_states(client, url, *, connected, until):
    """The states `url` streams, up to the first for which `until(state)` holds; sets `connected` on the first."""
    states, data = [], []
    async with client.stream("GET", url) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                data.append(line.removeprefix("data: "))
            elif line == "" and data:
                states.append(json.loads("\n".join(data)))
                data = []
                connected.set()
                if until(states[-1]):
                    return states
    raise AssertionError(f"the stream ended after {states}")


async def run_command(env, *arguments):
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "manage.py",
        "announce_winner",
        *arguments,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    return output.decode()


async def change_while_watching(servers, env, *arguments, until):
    """Opens a stream on each server, runs the command once all are connected, and returns each stream's states
    and the seconds from the command's exit until the last stream had the state `until` waits for."""
    connected = [asyncio.Event() for _ in servers]
    timeout = httpx.Timeout(10, read=60)
    async with httpx.AsyncClient(timeout=timeout) as client:
        watchers = [
            asyncio.create_task(read_states(client, f"{server}/live/{SLUG}/stream", connected=event, until=until))
            for server, event in zip(servers, connected, strict=True)
        ]
        async with asyncio.timeout(30):
            await asyncio.gather(*(event.wait() for event in connected))
        await run_command(env, SLUG, *arguments)
        done = time.monotonic()
        async with asyncio.timeout(30):
            states = await asyncio.gather(*watchers)
        return states, time.monotonic() - done


@pytest.mark.parametrize("redis", [False, pytest.param(True, marks=pytest.mark.redis)], ids=["poll", "redis"])
def test_a_reveal_from_a_command_reaches_every_server_process_and_so_does_its_retraction(award, tmp_path, redis):
    env = subprocess_env(tmp_path / "var", redis=redis)

    with asgi_server(env) as first, asgi_server(env) as second:
        revealed, reveal_took = run_in_thread(
            change_while_watching([first, second], env, until=lambda state: state["revealed"])
        )
        retracted, retract_took = run_in_thread(
            change_while_watching([first, second], env, "--retract", until=lambda state: not state["revealed"])
        )

    for states in revealed:
        assert [state["revealed"] for state in states] == [False, True]
        assert states[1]["winner"]["name"] == "Vera Vinnarsson" and states[1]["winner"]["motivation"] == MOTIVATION
        assert states[1]["version"] > states[0]["version"]
    for states in retracted:
        assert [state["revealed"] for state in states] == [True, False]
        assert states[1]["version"] > states[0]["version"]
    print(f"delivered {reveal_took:.2f} s and {retract_took:.2f} s after the command exited")
    assert reveal_took < DELIVERY_SECONDS and retract_took < DELIVERY_SECONDS


def test_a_server_process_answers_the_state_and_the_stream_for_an_allowed_host_only(award, tmp_path):
    env = subprocess_env(tmp_path / "var", redis=False)

    with asgi_server(env) as server:
        state = httpx.get(f"{server}/live/{SLUG}/state")
        refused = httpx.get(f"{server}/live/{SLUG}/stream", headers={"Host": "evil.example"})

    assert state.status_code == 200 and state.json()["revealed"] is False
    assert "no-store" in state.headers["cache-control"]
    assert refused.status_code == 400
