"""What the benchmarks share: the machine's description, tables, percentiles, databases,
the fake Slack in its own process, the bot's processes, and resident memory.

Nothing here asserts a time: the benchmarks print what they measured and exit 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import bot

# The tree whose `bot` package is imported: the main work tree, or a patched copy put
# first on PYTHONPATH (see bench/README.md). Subprocesses get the same tree.
ROOT = Path(bot.__file__).resolve().parent.parent
PYTHON = sys.executable
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL",
    os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
)
SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-bench-token"
TEAM_ID = "T0TEAM"
SLACK_ACK_BUDGET_MS = 3000.0


# --------------------------------------------------------------------------- the machine


def machine_lines() -> list[str]:
    """Where the figures come from: CPUs, model, memory, Python, databases, libraries."""
    cpus = len(os.sched_getaffinity(0))
    model = "?"
    with _suppress_oserror(), open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = "?"
    with _suppress_oserror(), open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    libraries = ", ".join(
        f"{name} {_version(name)}"
        for name in ("slack_bolt", "slack_sdk", "sqlalchemy", "gunicorn", "psycopg")
    )
    try:
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = "?"
    return [
        f"machine: {cpus} CPU(s) ({model}), {memory} RAM, "
        f"{platform.system()} {platform.release()}; load average at start {load}",
        f"python: {platform.python_version()} ({platform.python_implementation()}); "
        f"SQLite {sqlite3.sqlite_version}; PostgreSQL {postgres_version() or 'not reachable'}",
        f"libraries: {libraries}",
        f"code: {ROOT} ({git_describe(ROOT)})",
    ]


def print_machine() -> None:
    for line in machine_lines():
        print(line)
    print()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def git_describe(path: Path) -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(path), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "not a git tree"
    if not head:
        return "not a git tree"
    return f"{head}{' with local changes' if dirty else ''}"


class _suppress_oserror:
    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        return exc_type is not None and issubclass(exc_type, OSError)


# --------------------------------------------------------------------------- output


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table, columns padded so it also reads as plain text."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), linear between the nearest ranks; NaN if empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a small run, to check it works")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres", "both"],
        default="both",
        help="which database(s) to run against (default: both; PostgreSQL is skipped with a "
        "note when no server answers at BENCH_POSTGRES_URL or TEST_POSTGRES_URL)",
    )
    return parser


def databases_from(choice: str) -> list[str]:
    wanted = ["sqlite", "postgres"] if choice == "both" else [choice]
    if "postgres" in wanted and postgres_version() is None:
        print(f"note: PostgreSQL not reachable at {POSTGRES_URL}; skipped\n")
        wanted.remove("postgres")
    return wanted


# --------------------------------------------------------------------------- databases


_postgres_version: list[str | None] = []


def postgres_version() -> str | None:
    """The server's version, or None when nothing answers (looked up once)."""
    if not _postgres_version:
        from sqlalchemy import text

        from storage.database import make_engine

        engine = make_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as connection:
                version = connection.execute(text("SHOW server_version")).scalar_one()
            _postgres_version.append(str(version).split()[0])
        except Exception:
            _postgres_version.append(None)
        finally:
            engine.dispose()
    return _postgres_version[0]


@dataclass
class Database:
    kind: str  # "sqlite" or "postgres"
    url: str  # DATABASE_URL for the bot, in-process or in a subprocess


@contextmanager
def fresh_database(kind: str, workdir: Path, *, migrate: bool = True) -> Iterator[Database]:
    """An empty, migrated database: a SQLite file in `workdir`, or a private PostgreSQL
    schema in the `test` database (first on the search path), dropped afterwards."""
    from sqlalchemy import text

    from storage.database import make_engine
    from storage.database import migrate as apply_migrations

    if kind == "sqlite":
        url = f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        admin = None
    else:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        joiner = "&" if "?" in POSTGRES_URL else "?"
        url = f"{POSTGRES_URL}{joiner}options=-csearch_path%3D{schema}"
    try:
        if migrate:
            engine = make_engine(url)
            try:
                apply_migrations(engine)
            finally:
                engine.dispose()
        yield Database(kind, url)
    finally:
        if admin is not None:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


@contextmanager
def work_directory(prefix: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def subprocess_env(**settings: str) -> dict[str, str]:
    """A minimal environment for the bot's commands: none of this shell's Slack settings."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "HOME": os.environ.get("HOME", "/tmp"),
        **settings,
    }


def http_get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until_serving(
    url: str, process: subprocess.Popen[Any], timeout: float = 30, interval: float = 0.01
) -> float:
    """Poll GET url until it answers 200; the monotonic time it did. Raises if the process
    exits first or nothing answers in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with status {process.returncode}")
        try:
            status, _ = http_get(url, timeout=2)
            if status == 200:
                return time.monotonic()
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(interval)
    raise RuntimeError(f"nothing answered 200 at {url} within {timeout}s")


def stop_process(process: subprocess.Popen[Any], timeout: float = 15) -> None:
    """SIGTERM, then SIGKILL if it does not go (this process's own child only)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --------------------------------------------------------------------------- memory


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (gunicorn's workers), from /proc's parent links."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants (VmRSS summed), in MiB."""
    return sum(_rss_kib(p) for p in [pid, *descendants(pid)]) / 1024


def tree_pss_mib(pid: int) -> float:
    """Proportional set size of a process and its descendants, in MiB: like RSS, but a page
    shared by n processes (gunicorn's worker shares its master's pages after fork) counts
    1/n in each, so the sum is what the tree really occupies."""
    total = 0
    for p in [pid, *descendants(pid)]:
        try:
            with open(f"/proc/{p}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total / 1024


# --------------------------------------------------------------------------- the fake Slack


class FakeSlackProcess:
    """The tests' FakeSlack (tests.support.fake_slack) in its own process (`python -m
    bench.fake_slack_server`), so that Slack's side of a benchmark does not share a GIL with
    what is measured."""

    def __init__(
        self,
        *,
        channel_rate: float | None = None,
        workspace_rate: float | None = None,
        workspace_burst: float | None = None,
        latency_ms: float = 0.0,
        tls: bool = False,
        log: IO[str] | None = None,
    ) -> None:
        command = [PYTHON, "-m", "bench.fake_slack_server"]
        if tls:
            command.append("--tls")
        if channel_rate is not None:
            command += ["--channel-rate", str(channel_rate)]
        if workspace_rate is not None:
            command += ["--workspace-rate", str(workspace_rate)]
        if workspace_burst is not None:
            command += ["--workspace-burst", str(workspace_burst)]
        if latency_ms:
            command += ["--latency-ms", str(latency_ms)]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log or subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        if len(line) != (3 if tls else 2) or line[0] != "READY":
            stop_process(self.process)
            raise RuntimeError(f"the fake Slack did not start: {line}")
        self.base_url = line[1]
        # With tls: the PEM file of the CA made for this run, for SLACK_CA_BUNDLE.
        self.ca_bundle: str | None = line[2] if tls else None
        # The benchmark's own requests to the fake (setup, stats) use a context of their own.
        self._control_tls = ssl.create_default_context(cafile=line[2]) if tls else None
        self.api_url = f"{self.base_url}/api/"

    def __enter__(self) -> FakeSlackProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()  # the server exits when its stdin closes
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            stop_process(self.process)

    def response_url(self, key: str) -> str:
        return f"{self.base_url}/response/{key}"

    def _call(self, path: str, payload: dict[str, Any] | None = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            headers={"Content-Type": "application/json"},
            method="GET" if data is None else "POST",
        )
        with urllib.request.urlopen(request, timeout=60, context=self._control_tls) as response:
            return json.loads(response.read())

    def setup(
        self,
        channels: Sequence[str] = (),
        users: Sequence[str] = (),
        workspaces: dict[str, str] | None = None,
    ) -> None:
        """Channels (the bot a member), users the benchmark will name, and workspaces
        (team -> bot token) whose posts count against limits of their own."""
        self._call(
            "/bench/setup",
            {"channels": list(channels), "users": list(users), "workspaces": workspaces or {}},
        )

    def stats(self, with_times: bool = False) -> dict[str, Any]:
        """Counts of what the fake received; with_times adds post and reply times."""
        return dict(self._call(f"/bench/stats?times={int(with_times)}"))

    def reset(self) -> None:
        self._call("/bench/reset", {})
