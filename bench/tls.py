"""Benchmark 5: what Slack over HTTPS costs the bot, beside plain HTTP.

    python -m bench.tls [--calls 400] [--commands 200] [--vendors 1000] [--quick]

Production talks to Slack over HTTPS; the other benchmarks and the tests talk to the fake
Slack over plain HTTP. Here the fake serves HTTPS too (`--tls`: a certificate from a CA
made for the run, trusted through SLACK_CA_BUNDLE), and every figure is taken over both:

1. **Per Web API call**: `chat.postMessage` one after another from this process with the
   client `bot.app.build_client` makes; client CPU is this thread's CPU time. The way the
   bot called Slack before one SSL context per process (slack_sdk given no `ssl`, so
   urllib builds a default context, reading the whole CA bundle, per call) is measured
   beside it, with SSL_CERT_FILE naming the system's bundle plus the run's CA.
2. **Per /delegate**: `python -m bot web` (gunicorn, as deployed) answers `--commands`
   commands one after another (channel info, the announcement, the reply to the
   response_url); CPU is the bot's processes' (master and worker) from /proc.
3. **Per check-in posted by a tick**: `bot.scheduling.run_tick` in this process, with the
   production client and SCHEDULER_WORKERS, posts `--vendors` check-ins to a fake Slack
   without rate limits (`--workspace-rate` to add them). TLS set-up is the CPU spent inside
   `SSLContext.wrap_socket` (connection objects and handshakes) and building contexts,
   counted by wrappers this benchmark puts on the standard library's `ssl` module.

Nothing here asserts a time; it prints the machine, OpenSSL's version and the tables.
"""

from __future__ import annotations

import os
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import common
from bench.command_latency import CHANNELS, USERS, Batch, Client, Server, run_batch
from bench.common import (
    FakeSlackProcess,
    fresh_database,
    stop_process,
    subprocess_env,
    table,
    wait_until_serving,
    work_directory,
)
from bench.dataset import channel_of, seed_vendors

TICK_NOW = datetime(2026, 12, 1, 9, 0, 5, tzinfo=UTC)
WARM_UP_NOW = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
CHANNEL = "C0BENCH"


# --------------------------------------------------------------------------- TLS counters


@dataclass
class TlsCounter:
    """CPU inside `SSLContext.wrap_socket` and context construction, summed over threads."""

    handshakes: int = 0
    handshake_cpu: float = 0.0
    contexts: int = 0
    context_cpu: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def setup_cpu(self) -> float:
        return self.handshake_cpu + self.context_cpu


@contextmanager
def counting_tls() -> Iterator[TlsCounter]:
    """Wrap the standard library for the duration: every client connection's wrap_socket
    (SSL object and handshake) and every default context urllib or the bot builds."""
    counter = TlsCounter()
    original_wrap = ssl.SSLContext.wrap_socket
    original_default = ssl.create_default_context
    original_https_default = ssl._create_default_https_context

    def timed_wrap(self: ssl.SSLContext, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        start = time.thread_time()
        try:
            return original_wrap(self, *args, **kwargs)
        finally:
            with counter.lock:
                counter.handshakes += 1
                counter.handshake_cpu += time.thread_time() - start

    def timed_default(original: Callable[..., ssl.SSLContext]) -> Callable[..., ssl.SSLContext]:
        def build(*args: Any, **kwargs: Any) -> ssl.SSLContext:
            start = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                with counter.lock:
                    counter.contexts += 1
                    counter.context_cpu += time.thread_time() - start

        return build

    ssl.SSLContext.wrap_socket = timed_wrap  # type: ignore[method-assign]
    ssl.create_default_context = timed_default(original_default)
    ssl._create_default_https_context = timed_default(original_https_default)
    try:
        yield counter
    finally:
        ssl.SSLContext.wrap_socket = original_wrap  # type: ignore[method-assign]
        ssl.create_default_context = original_default
        ssl._create_default_https_context = original_https_default


@contextmanager
def system_bundle_plus(ca_file: str, workdir: Path) -> Iterator[None]:
    """SSL_CERT_FILE = the system's CA bundle plus the run's CA, so that urllib's default
    context (what slack_sdk used without `ssl`) reads as much as in production and still
    trusts the fake."""
    system = ssl.get_default_verify_paths().cafile
    bundle = workdir / "system-plus-run-ca.pem"
    text = Path(system).read_text() if system else ""
    bundle.write_text(text + "\n" + Path(ca_file).read_text())
    before = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = str(bundle)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SSL_CERT_FILE"]
        else:
            os.environ["SSL_CERT_FILE"] = before


def system_bundle_size() -> str:
    system = ssl.get_default_verify_paths().cafile
    if not system:
        return "no system CA bundle"
    count = Path(system).read_text().count("BEGIN CERTIFICATE")
    return f"{system}, {count} certificates"


# --------------------------------------------------------------------------- 1. per call


@dataclass
class CallRow:
    how: str
    calls: int
    cpu_ms: float
    wall_ms: float
    contexts: int
    handshakes: int


def per_call(calls: int, before_calls: int, workdir: Path) -> list[CallRow]:
    from slack_sdk import WebClient

    from bot.app import build_client

    rows = []
    with FakeSlackProcess() as plain, FakeSlackProcess(tls=True) as secure:
        plain.setup(channels=[CHANNEL])
        secure.setup(channels=[CHANNEL])
        assert secure.ca_bundle is not None
        http_new = WebClient(token=common.BOT_TOKEN, base_url=plain.api_url, timeout=10)
        rows.append(_time_calls("HTTP, a connection per call (slack_sdk's own)", http_new, calls))
        http = build_client(common.BOT_TOKEN, plain.api_url)
        rows.append(_time_calls("HTTP, kept alive (bot.app.build_client)", http, calls))
        with system_bundle_plus(secure.ca_bundle, workdir):
            before = WebClient(token=common.BOT_TOKEN, base_url=secure.api_url, timeout=10)
            rows.append(
                _time_calls("HTTPS, a default context per call (before)", before, before_calls)
            )
        context = build_client(common.BOT_TOKEN, secure.api_url, secure.ca_bundle).ssl
        one = WebClient(token=common.BOT_TOKEN, base_url=secure.api_url, timeout=10, ssl=context)
        rows.append(_time_calls("HTTPS, one context, a connection per call", one, calls))
        https = build_client(common.BOT_TOKEN, secure.api_url, secure.ca_bundle)
        rows.append(_time_calls("HTTPS, one context, kept alive (build_client)", https, calls))
    return rows


def _time_calls(how: str, client: Any, calls: int) -> CallRow:
    for _ in range(5):  # warm-up: imports, the first connection, caches
        client.chat_postMessage(channel=CHANNEL, text="warm-up")
    with counting_tls() as tls:
        cpu, wall = time.thread_time(), time.perf_counter()
        for n in range(calls):
            client.chat_postMessage(channel=CHANNEL, text=f"call {n}")
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    print(f"  per call: {how}: {1000 * cpu / calls:.2f} ms CPU", flush=True)
    return CallRow(
        how, calls, 1000 * cpu / calls, 1000 * wall / calls, tls.contexts, tls.handshakes
    )


# --------------------------------------------------------------------------- 2. per /delegate


@dataclass
class CommandRow:
    database: str
    how: str
    commands: int
    answered: int
    cpu_ms: float


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its descendants (still running), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in [pid, *common.descendants(pid)]:
        try:
            with open(f"/proc/{p}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def per_delegate(
    kind: str, workdir: Path, commands: int, before_tree: Path | None
) -> list[CommandRow]:
    rows = []
    runs: list[tuple[str, bool, Path | None]] = [
        ("HTTP, kept alive", False, None),
        ("HTTPS, one context, kept alive", True, None),
    ]
    if before_tree is not None:
        runs.append(("HTTPS, before (a default context per call)", True, before_tree))
    for how, tls, tree in runs:
        with (
            fresh_database(kind, workdir) as database,
            (workdir / f"fake-delegate-{kind}-{tls}.log").open("w") as fake_log,
            FakeSlackProcess(tls=tls, log=fake_log) as fake,
        ):
            fake.setup(channels=CHANNELS, users=USERS)
            port = common.free_port()
            settings = {
                "SLACK_BOT_TOKEN": common.BOT_TOKEN,
                "SLACK_SIGNING_SECRET": common.SIGNING_SECRET,
                "SLACK_API_URL": fake.api_url,
                "DATABASE_URL": database.url,
                "PORT": str(port),
                **({"SLACK_CA_BUNDLE": fake.ca_bundle} if fake.ca_bundle else {}),
            }
            if tree is not None and fake.ca_bundle:
                # The tree before issue 19 has no SLACK_CA_BUNDLE: urllib's default context
                # reads SSL_CERT_FILE, the system bundle plus the run's CA.
                del settings["SLACK_CA_BUNDLE"]
                with system_bundle_plus(fake.ca_bundle, workdir):
                    settings["SSL_CERT_FILE"] = os.environ["SSL_CERT_FILE"]
                settings["PYTHONPATH"] = str(tree)
            log = (workdir / f"bot-{kind}-{tls}.log").open("w")
            import subprocess

            process = subprocess.Popen(
                [common.PYTHON, "-m", "bot", "web"],
                cwd=workdir,
                env=subprocess_env(**settings),
                stdout=log,
                stderr=log,
            )
            server = Server("bot", f"http://127.0.0.1:{port}", process)
            try:
                wait_until_serving(server.url + "/healthz", process)
                client = Client(fake)
                deadline = time.monotonic() + 600
                warm = Batch(kind, "bot", 1)
                run_batch(client, server, warm, 2 * len(CHANNELS), 0, deadline)
                measured = Batch(kind, "bot", 1)
                before = tree_cpu_seconds(process.pid)
                run_batch(client, server, measured, commands, 1000, deadline)
                cpu = tree_cpu_seconds(process.pid) - before
            finally:
                stop_process(process)
                log.close()
        answered = len(measured.confirmations)
        rows.append(CommandRow(kind, how, commands, answered, 1000 * cpu / max(1, commands)))
        print(f"  per /delegate: {kind} {how}: {1000 * cpu / commands:.2f} ms CPU", flush=True)
    return rows


# --------------------------------------------------------------------------- 3. per check-in


@dataclass
class TickRow:
    database: str
    how: str
    posted: int
    wall_s: float
    cpu_ms_per_checkin: float
    setup_cpu_s: float
    handshakes: int
    contexts: int

    @property
    def setup_share(self) -> float:
        return self.setup_cpu_s / self.wall_s if self.wall_s else float("nan")


def per_checkin(
    kind: str, workdir: Path, vendors: int, workspace_rate: float | None, before: bool
) -> list[TickRow]:
    modes = [
        ("HTTP", False, ""),
        ("HTTPS, one context, kept alive", True, ""),
        ("HTTPS, one context, a connection per call", True, "per-call"),
    ]
    if before:
        modes.append(("HTTPS, a default context per call (before)", True, "before"))
    return [
        _one_tick(kind, workdir, vendors, workspace_rate, how, tls, old) for how, tls, old in modes
    ]


def _one_tick(
    kind: str,
    workdir: Path,
    vendors: int,
    workspace_rate: float | None,
    how: str,
    tls: bool,
    old: str,
) -> TickRow:
    from slack_sdk import WebClient

    from bot.app import build_client
    from bot.config import load_settings
    from bot.delegation import VendorDefaults
    from bot.deps import Deps
    from bot.scheduling import run_tick
    from storage.database import make_engine

    with (
        fresh_database(kind, workdir) as database,
        (workdir / f"fake-tick-{kind}-{tls}-{old}.log").open("w") as fake_log,
        FakeSlackProcess(
            tls=tls,
            channel_rate=1.0 if workspace_rate else None,
            workspace_rate=workspace_rate,
            log=fake_log,
        ) as fake,
    ):
        engine = make_engine(database.url)
        try:
            seed_vendors(engine, vendors, 5)
            fake.setup(channels=[channel_of(n) for n in range(vendors)])
            settings = load_settings(
                {**os.environ, "SLACK_BOT_TOKEN": common.BOT_TOKEN, "DATABASE_URL": database.url},
                dotenv_path=None,
            )
            deps = Deps(settings=settings, engine=engine, vendor_defaults=VendorDefaults())
            client = build_client(common.BOT_TOKEN, fake.api_url, fake.ca_bundle)
            run_tick(deps, client, WARM_UP_NOW)  # yesterday's slots, recorded skipped
            fake.reset()
            bundle = None
            if old:
                # slack_sdk's own WebClient: a connection per call; before, also no `ssl`,
                # so urllib built a default context (the whole CA bundle) per call.
                client = WebClient(
                    token=common.BOT_TOKEN,
                    base_url=fake.api_url,
                    timeout=10,
                    ssl=None if old == "before" else client.ssl,
                    retry_handlers=client.retry_handlers,
                )
            if old == "before" and fake.ca_bundle:
                bundle = system_bundle_plus(fake.ca_bundle, workdir)
                bundle.__enter__()
            try:
                with counting_tls() as counter:
                    cpu, wall = time.process_time(), time.perf_counter()
                    report = run_tick(deps, client, TICK_NOW)
                    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            finally:
                if bundle is not None:
                    bundle.__exit__(None, None, None)
            posted = int(fake.stats()["posts"])
        finally:
            engine.dispose()
    row = TickRow(
        kind,
        how,
        posted,
        wall,
        1000 * cpu / max(1, posted),
        counter.setup_cpu,
        counter.handshakes,
        counter.contexts,
    )
    print(
        f"  tick: {kind} {how}: {report.line()}; {wall:.1f} s, TLS set-up "
        f"{counter.setup_cpu:.2f} s CPU ({100 * row.setup_share:.1f} % of wall)",
        flush=True,
    )
    return row


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=None, help="per-call calls (400; quick 100)")
    parser.add_argument(
        "--commands", type=int, default=None, help="/delegate commands (200; quick 40)"
    )
    parser.add_argument("--vendors", type=int, default=None, help="tick vendors (1000; quick 100)")
    parser.add_argument(
        "--workspace-rate",
        type=float,
        default=0.0,
        help="posts a second the fake allows in the tick (default 0: no limit; 20 is "
        "benchmark 2's; with a limit, 1 a second per channel too)",
    )
    parser.add_argument(
        "--parts",
        default="calls,delegate,tick",
        help="which figures to take, comma-separated (default: calls,delegate,tick)",
    )
    parser.add_argument(
        "--before-tree",
        type=Path,
        default=None,
        help="a checkout of the bot before issue 19 (git worktree add DIR 03987c3): adds "
        "its /delegate over HTTPS",
    )
    parser.add_argument(
        "--no-before",
        action="store_true",
        help="skip the tick with a default context per call (slow: ~30 ms CPU a post)",
    )
    args = parser.parse_args(argv)
    calls = args.calls or (100 if args.quick else 400)
    commands = args.commands or (40 if args.quick else 200)
    vendors = args.vendors or (100 if args.quick else 1000)

    from bench.fanout import _log_to

    common.print_machine()
    print(f"tls: {ssl.OPENSSL_VERSION}; system CA bundle: {system_bundle_size()}")
    print(f"scheduler workers: {os.environ.get('SCHEDULER_WORKERS', 'default')}\n")
    databases = common.databases_from(args.database)
    with work_directory("bench-tls-") as workdir:
        _log_to(workdir / "bot.log")  # the scheduler's INFO lines, as fanout does
        parts = set(args.parts.split(","))
        call_rows = per_call(calls, max(20, calls // 10), workdir) if "calls" in parts else []
        command_rows = [
            r
            for kind in (databases if "delegate" in parts else [])
            for r in per_delegate(kind, workdir, commands, args.before_tree)
        ]
        tick_rows = [
            r
            for kind in (databases if "tick" in parts else [])
            for r in per_checkin(
                kind, workdir, vendors, args.workspace_rate or None, not args.no_before
            )
        ]
    print_results(call_rows, command_rows, tick_rows, vendors)
    return 0


def print_results(
    calls: list[CallRow], commands: list[CommandRow], ticks: list[TickRow], vendors: int
) -> None:
    if calls:
        print_calls(calls)
    if commands:
        print_commands(commands)
    if ticks:
        print_ticks(ticks, vendors)
    print(
        "\nCPU per call is this thread's; per /delegate, the bot's processes'; per check-in, "
        "this process's (the fake Slack runs in its own). TLS set-up = CPU inside "
        "SSLContext.wrap_socket (SSL object and handshake) plus building default contexts, "
        "summed over the tick's threads."
    )


def print_calls(calls: list[CallRow]) -> None:
    first, http = calls[0].cpu_ms, calls[1].cpu_ms
    print("\n1. Client CPU per Web API call (chat.postMessage, one after another)\n")
    print(
        table(
            [
                "how",
                "calls",
                "CPU ms/call",
                "x HTTP per call",
                "x HTTP kept alive",
                "wall ms/call",
                "contexts built",
                "TLS connections",
            ],
            [
                [
                    r.how,
                    r.calls,
                    r.cpu_ms,
                    f"{r.cpu_ms / first:.2f}x",
                    f"{r.cpu_ms / http:.2f}x",
                    r.wall_ms,
                    r.contexts,
                    r.handshakes,
                ]
                for r in calls
            ],
        )
    )
    ours = calls[-1]
    print(
        f"\ngoal: HTTPS within 1.5x of plain HTTP per call: {ours.cpu_ms / http:.2f}x the same "
        f"client over HTTP, {ours.cpu_ms / first:.2f}x slack_sdk's own over HTTP: "
        + ("met" if ours.cpu_ms <= 1.5 * min(http, first) else "missed")
    )


def print_commands(commands: list[CommandRow]) -> None:
    print("\n2. Bot CPU per /delegate (python -m bot web; 3 Slack calls each)\n")
    base = {r.database: r.cpu_ms for r in commands if not r.how.startswith("HTTPS")}
    print(
        table(
            ["database", "how", "commands", "answered", "CPU ms/command", "x HTTP"],
            [
                [
                    r.database,
                    r.how,
                    r.commands,
                    r.answered,
                    r.cpu_ms,
                    f"{r.cpu_ms / base[r.database]:.2f}x" if base.get(r.database) else "-",
                ]
                for r in commands
            ],
        )
    )


def print_ticks(ticks: list[TickRow], vendors: int) -> None:
    print(f"\n3. A tick posting {vendors} check-ins\n")
    tick_base = {r.database: r.cpu_ms_per_checkin for r in ticks if r.how == "HTTP"}
    print(
        table(
            [
                "database",
                "how",
                "posted",
                "wall s",
                "CPU ms/check-in",
                "x HTTP",
                "TLS set-up CPU s",
                "share of wall",
                "handshakes",
                "contexts built",
            ],
            [
                [
                    r.database,
                    r.how,
                    r.posted,
                    r.wall_s,
                    r.cpu_ms_per_checkin,
                    f"{r.cpu_ms_per_checkin / tick_base[r.database]:.2f}x"
                    if tick_base.get(r.database)
                    else "-",
                    r.setup_cpu_s,
                    f"{100 * r.setup_share:.1f} %",
                    r.handshakes,
                    r.contexts,
                ]
                for r in ticks
            ],
        )
    )
    for r in ticks:
        if r.how == "HTTPS, one context, kept alive":
            verdict = "met" if r.setup_share <= 0.10 else "missed"
            print(f"goal ({r.database}): TLS set-up <= 10 % of the tick's wall time: {verdict}")


if __name__ == "__main__":
    sys.exit(main())
