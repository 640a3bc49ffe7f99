"""The real ASGI server in a subprocess, for tests and benchmarks that need the site as it runs in production; and
what the benchmarks share: steps run in a subprocess inside a throw-away site, and throw-away PostgreSQL databases."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
GRANIAN = Path(sys.executable).parent / "granian"
# The web process's granian options in deploy/Procfile and deploy/systemd/trygg-web.service, besides the address and
# the worker count (tests/home/test_production_settings.py keeps the three in step): room for the live streams
# beside page requests, a worker that dies started again, and a stop that does not wait for open streams forever.
PRODUCTION_GRANIAN_OPTIONS = (
    "--backpressure",
    "10000",
    "--backlog",
    "4096",
    "--respawn-failed-workers",
    "--workers-kill-timeout",
    "10",
)
RESULT_MARK = "BENCHMARK-RESULT "  # a step's answer, told apart from anything else its subprocess prints


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(**overrides):
    """The environment of a production process on this machine: real settings, no TLS in front.

    An override of None removes the variable.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "DJANGO_SETTINGS_MODULE",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE="conference.settings.production",
        SECRET_KEY="x" * 20 + "production-like-secret-for-tests-only" + "y" * 20,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@contextlib.contextmanager
def asgi_server(env, *, workers=1, timeout=20, options=(), log_path=None):
    """Serve the site with granian on a free loopback port; yields its base URL and stops it afterwards.

    `options` are more granian options (e.g. PRODUCTION_GRANIAN_OPTIONS); the server's output goes to `log_path`
    when given, else to a temporary file.
    """
    port = free_port()
    command = [str(GRANIAN), "--interface", "asginl", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), *options, "conference.asgi:application"]
    # A file, not a pipe: nobody reads the log while the server runs, and a full pipe would stall it.
    with open(log_path, "w+") if log_path else tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_listening(process, log, base_url, timeout)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_listening(process, log, base_url, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read()}")
        try:
            httpx.get(f"{base_url}/health", timeout=2)
        except httpx.TransportError:
            time.sleep(0.1)
        else:
            return
    raise TimeoutError(f"the server did not answer within {timeout} s")


# --- What the benchmarks share ---------------------------------------------------------------------------------


def run_quietly(command, env, *, what, log=print):
    """Runs `command` in the project root with `env`, its output held back; returns its stdout. On failure, exits
    with the end of its output. Logs how long it took, as `what`."""
    started = time.monotonic()
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"{what} failed ({completed.returncode}):\n{(completed.stdout + completed.stderr)[-3000:]}")
    log(f"  {what}: {time.monotonic() - started:.1f} s")
    return completed.stdout


def run_step(script, env, step, *arguments, log=print):
    """Runs `script --step STEP ARGUMENTS…` (a benchmark's step inside its throw-away site, in a subprocess with
    `env`) and returns what the step handed to `print_result`."""
    output = run_quietly([sys.executable, str(script), "--step", step, *map(str, arguments)], env, what=step, log=log)
    lines = [line for line in output.splitlines() if line.startswith(RESULT_MARK)]
    if not lines:
        raise SystemExit(f"step {step} printed no result:\n{output[-3000:]}")
    return json.loads(lines[-1].removeprefix(RESULT_MARK))


def print_result(value):
    """A step's answer to `run_step`: `value` as JSON on a line of its own."""
    print(RESULT_MARK + json.dumps(value), flush=True)


class ThrowawayDatabase:
    """A PostgreSQL database for one benchmark run, named `prefix` plus a random part: created on entering, dropped
    (open connections and all) on leaving. The server is `server_url` without a database name, by default
    `BENCH_DATABASE_URL`, else postgres://postgres@127.0.0.1:5432/."""

    def __init__(self, prefix, *, server_url=None):
        server_url = server_url or os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
        self.server_url = server_url.rstrip("/")
        self.name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        self.url = f"{self.server_url}/{self.name}"

    def _execute(self, sql):
        import psycopg

        with psycopg.connect(f"{self.server_url}/postgres", autocommit=True) as connection:
            connection.execute(sql)

    def __enter__(self):
        self._execute(f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc):
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
