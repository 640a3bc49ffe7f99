"""Compare granian and uvicorn serving this Django/Wagtail site through ASGI.

An on-demand benchmark, not a test: pytest never collects it. For each server it starts the real server as a
subprocess on a free loopback port (one worker, ``conference.settings.dev`` with ``DEBUG=false``), waits until
``GET /health`` answers 200, warms up, and then measures:

* the Swedish home page ``/`` (a Wagtail page rendered by Django): successful requests/second, p50 and p99 latency;
* the static file ``/static/css/site.css`` (served by ServeStatic middleware): successful requests/second.

The load comes from an asyncio + httpx.AsyncClient loop in this process with bounded concurrency and duration.
Every non-200 response, and every request that fails outright, counts as an error and is reported. The CPU used
by the server, by this client and by everything else on the machine is reported too, so that a busy machine shows.

With ``DEBUG=false`` the manifest static storage needs ``collectstatic``. So that the benchmark writes nothing into
the working tree, it points ``VAR_DIR`` at a temporary directory (collected static files and the file cache go
there) while ``DATABASE_URL`` and ``MEDIA_ROOT`` keep pointing at the project's ``var/`` unless already set.

Run from the project root (Linux only: CPU figures come from /proc):

    .venv/bin/python tests/benchmarks/asgi_servers.py [--duration 10] [--concurrency 50] [--warmup 3] [--reverse]

The last line printed is machine-readable:
``asgi_servers: granian_html_rps=… granian_html_p99_ms=… granian_static_rps=… uvicorn_html_rps=… …``
"""

import argparse
import asyncio
import contextlib
import importlib.util
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from tests.load import REQUEST_TIMEOUT, LoadResult, generate_load  # noqa: E402  (the project root goes on the path first)

VENV_BIN = Path(sys.prefix) / "bin"
HOST = "127.0.0.1"  # loopback only: the benchmark never talks to anything else
SERVERS = ("granian", "uvicorn")
HTML_PATH = "/"
STATIC_PATH = "/static/css/site.css"
HEALTH_PATH = "/health"
HEADERS = {"Accept-Language": "sv"}
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
NOISY_OTHER_CPU = 0.2  # warn when other processes used more than this share of a core during a measurement
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def server_command(name, port):
    """The exact command line for each server; one worker process each."""
    address = ["--host", HOST, "--port", str(port), "--workers", "1"]
    if name == "granian":
        return [str(VENV_BIN / "granian"), "--interface", "asginl", *address, "conference.asgi:application"]
    if name == "uvicorn":
        # uvicorn's defaults: loop "auto" and http "auto" pick uvloop and httptools only if they are installed.
        quiet = ["--no-access-log", "--log-level", "warning"]
        return [str(VENV_BIN / "uvicorn"), *address, *quiet, "conference.asgi:application"]
    raise ValueError(f"unknown server {name!r}")


# --- Environment -----------------------------------------------------------------------------------------------


def server_environment(var_dir):
    """The settings the servers run with: dev settings, debug off, generated files in a temporary VAR_DIR."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "conference.settings.dev"
    env["DEBUG"] = "false"
    env["VAR_DIR"] = str(var_dir)
    env.setdefault("DATABASE_URL", f"sqlite:///{REPO_ROOT / 'var' / 'db.sqlite3'}")
    env.setdefault("MEDIA_ROOT", str(REPO_ROOT / "var" / "media"))
    return env


def collect_static(env):
    """DEBUG=false uses the manifest storage, which needs collectstatic (into the temporary VAR_DIR)."""
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    subprocess.run(command, cwd=REPO_ROOT, env=env, check=True)


def installed(module):
    return importlib.util.find_spec(module) is not None


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- Server processes ------------------------------------------------------------------------------------------


def start_server(name, port, env, log_file):
    command = server_command(name, port)
    print(f"$ {' '.join(command)}", flush=True)
    # A session of its own, so that a last-resort kill reaches the server's worker processes and nothing else.
    return subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_server(process):
    """SIGTERM and wait; SIGKILL the server's process group if it does not stop in time."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # A worker orphaned by a main process that died shares its process group; the group is usually gone by now.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def wait_until_healthy(process, base_url):
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before {HEALTH_PATH} answered")
        try:
            status = httpx.get(base_url + HEALTH_PATH, timeout=2.0).status_code
            if status == 200:
                return
            last = f"status {status}"
        except httpx.TransportError as exc:
            last = type(exc).__name__
        time.sleep(0.2)
    raise RuntimeError(f"{HEALTH_PATH} did not answer 200 within {STARTUP_TIMEOUT:.0f} s (last: {last})")


def check_responses(base_url):
    """Fail early, with a readable message, unless both URLs answer 200 with the expected content type."""
    for path, content_type in ((HTML_PATH, "text/html"), (STATIC_PATH, "text/css")):
        response = httpx.get(base_url + path, headers=HEADERS, timeout=REQUEST_TIMEOUT)
        if response.status_code != 200 or not response.headers.get("content-type", "").startswith(content_type):
            raise RuntimeError(f"GET {path} answered {response.status_code} {response.headers.get('content-type')}")


# --- CPU accounting (Linux /proc) --------------------------------------------------------------------------------


def process_tree_cpu_seconds(root_pid):
    """User + system CPU time of a process and all its descendants (granian's worker is a child process)."""
    parents, ticks = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        tree.update(children)
        frontier.extend(children)
    return sum(ticks.get(pid, 0) for pid in tree) / CLOCK_TICKS


def machine_busy_seconds():
    """CPU time the whole machine spent busy, all cores: user, system and interrupts (not idle, iowait or steal)."""
    user, nice, system, _idle, _iowait, irq, softirq = map(int, Path("/proc/stat").read_text().split()[1:8])
    return (user + nice + system + irq + softirq) / CLOCK_TICKS


def cpu_snapshot(server_pid):
    return process_tree_cpu_seconds(server_pid), time.process_time(), machine_busy_seconds()


# --- Load generator --------------------------------------------------------------------------------------------


@dataclass
class CpuLoadResult(LoadResult):
    server_cpu: float = 0.0  # CPU seconds used by the server's processes during the run
    client_cpu: float = 0.0  # CPU seconds used by this process, the load generator
    other_cpu: float = 0.0  # CPU seconds used by everything else on the machine

    @property
    def requests_per_cpu_second(self):
        return self.ok / self.server_cpu if self.server_cpu else math.nan

    def cores(self, cpu_seconds):
        """CPU seconds as a share of one core over the run: 1.0 is one core kept busy."""
        return cpu_seconds / self.elapsed if self.elapsed else 0.0


def measure(process, base_url, path, duration, concurrency):
    server_before, client_before, machine_before = cpu_snapshot(process.pid)
    load = generate_load(
        base_url, path, duration=duration, concurrency=concurrency, headers=HEADERS, result=CpuLoadResult()
    )
    result = asyncio.run(load)
    server_after, client_after, machine_after = cpu_snapshot(process.pid)
    result.server_cpu = server_after - server_before
    result.client_cpu = client_after - client_before
    result.other_cpu = max((machine_after - machine_before) - result.server_cpu - result.client_cpu, 0.0)
    return result


# --- One server, start to finish ----------------------------------------------------------------------------------


def benchmark_server(name, args, env, log_dir):
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log_file:
        process = start_server(name, port, env, log_file)
        try:
            wait_until_healthy(process, base_url)
            check_responses(base_url)
            for path in (HTML_PATH, STATIC_PATH):
                measure(process, base_url, path, args.warmup, args.concurrency)
            return {
                "html": measure(process, base_url, HTML_PATH, args.duration, args.concurrency),
                "static": measure(process, base_url, STATIC_PATH, args.duration, args.concurrency),
            }
        except Exception:
            print(f"--- {name} failed; the end of its log ({log_path}):", file=sys.stderr)
            print(log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            stop_server(process)


# --- Report ----------------------------------------------------------------------------------------------------


TABLE_ROW = "{:<8} {:<7} {:>8} {:>8} {:>8} {:>7} {:>6} {:>8} {:>9} {:>10} {:>9}"
TABLE_HEADER = ("server", "target", "req/s", "p50 ms", "p99 ms", "ok", "errors")
TABLE_HEADER += ("srv CPU", "req/CPU-s", "client CPU", "other CPU")


def table_row(name, target, r):
    cpu = [f"{r.cores(seconds):.0%}" for seconds in (r.server_cpu, r.client_cpu, r.other_cpu)]
    figures = [f"{r.rps:.1f}", f"{r.percentile_ms(50):.1f}", f"{r.percentile_ms(99):.1f}", r.ok, sum(r.errors.values())]
    return TABLE_ROW.format(name, target, *figures, cpu[0], f"{r.requests_per_cpu_second:.0f}", *cpu[1:])


def print_table(results, args):
    print()
    print(f"{args.duration:g} s per measurement, {args.concurrency} connections, {os.cpu_count()} cores")
    header = TABLE_ROW.format(*TABLE_HEADER)
    print(header)
    print("-" * len(header))
    for name, targets in results.items():
        for target, result in targets.items():
            print(table_row(name, target, result))
    print("CPU: share of one core over the run (100% = one core busy); other = the rest of the machine.")
    print("req/CPU-s: successful requests per second of server CPU. Latency: successful requests only.")
    for name, targets in results.items():
        for target, r in targets.items():
            if r.errors:
                print(f"ERRORS {name} {target}: {dict(r.errors)}")
            if r.cores(r.other_cpu) > NOISY_OTHER_CPU:
                print(f"WARNING {name} {target}: other processes used {r.cores(r.other_cpu):.0%} of a core; noisy.")


def summary_line(results):
    parts = []
    for name in SERVERS:
        html, static = results[name]["html"], results[name]["static"]
        parts += [
            f"{name}_html_rps={html.rps:.1f}",
            f"{name}_html_p99_ms={html.percentile_ms(99):.1f}",
            f"{name}_static_rps={static.rps:.1f}",
        ]
    return "asgi_servers: " + " ".join(parts)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement (default 10)")
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent connections (default 50)")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds per URL (default 3)")
    parser.add_argument("--reverse", action="store_true", help="run uvicorn first, to look for ordering effects")
    return parser.parse_args()


def exit_on_signal(signum, _frame):
    """Turn SIGTERM/SIGINT into SystemExit, so the `finally` blocks stop the servers and remove the temporary files."""
    sys.exit(128 + signum)


def main():
    args = parse_args()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, exit_on_signal)
    order = list(reversed(SERVERS)) if args.reverse else list(SERVERS)
    print(f"uvloop installed: {installed('uvloop')}, httptools installed: {installed('httptools')}")
    print(f"load average before start: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="asgi-bench-") as tmp:
        env = server_environment(Path(tmp) / "var")
        collect_static(env)
        results = {name: benchmark_server(name, args, env, Path(tmp)) for name in order}
    print_table(results, args)
    print(summary_line(results))


if __name__ == "__main__":
    main()
