"""The real ASGI server in a subprocess, for tests and benchmarks that need the site as it runs in production."""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
GRANIAN = Path(sys.executable).parent / "granian"


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
def asgi_server(env, *, workers=1, timeout=20):
    """Serve the site with granian on a free loopback port; yields its base URL and stops it afterwards."""
    port = free_port()
    command = [str(GRANIAN), "--interface", "asginl", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "conference.asgi:application"]
    # A file, not a pipe: nobody reads the log while the server runs, and a full pipe would stall it.
    with tempfile.TemporaryFile(mode="w+") as log:
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
