"""Benchmark 1: `/delegate` task creation through the real HTTP server, beside a bare Bolt app.

    python -m bench.command_latency [--requests 1000] [--concurrency 1,20] [--quick]

Both servers are real subprocesses under gunicorn with the same options: the bot as
`python -m bot web` (SQLite file or PostgreSQL schema), the yardstick as
`python -m bench.bare_app` (Bolt acknowledging and nothing else). The fake Slack runs in a
third process. The client signs each request as Slack does and sends it over loopback with
a pool of threads (one connection per request, as urllib does).

Two latencies are measured for the bot:

- **ack**: from sending the request to having the whole HTTP response. This is what Slack's
  3-second budget applies to, and what is compared with the bare app.
- **confirmation**: from sending the request to the reply arriving at the response_url,
  after the database write, the announcement in the vendor channel and the reply itself
  (the bot does that work after the ack, as Bolt's listeners do by default).

Each level runs bare, bot, bare, bot with half the requests each, waiting for the bot's
confirmations before going on, so that neither server's backlog lands on the other's
figures. The first request of each channel registers its vendor, so a warm-up round (not
counted) does that first. Nothing is asserted: the table says whether the goals were met.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench import common
from bench.common import (
    FakeSlackProcess,
    fresh_database,
    percentile,
    stop_process,
    subprocess_env,
    table,
    wait_until_serving,
    work_directory,
)
from bot.console.transport import sign, slash_command_form

CHANNELS = [f"C0BENCH{n:02d}" for n in range(20)]
USERS = [f"U0BENCH{n:02d}" for n in range(20)]
GOAL_MS = common.SLACK_ACK_BUDGET_MS * 0.05
GOAL_RATIO = 3.0


@dataclass
class Sample:
    key: str
    status: int
    sent: float  # monotonic
    ack: float  # seconds


@dataclass
class Batch:
    database: str
    app: str  # "bare" or "bot"
    concurrency: int
    samples: list[Sample] = field(default_factory=list)
    confirmations: list[float] = field(default_factory=list)  # seconds, bot only
    missing: int = 0  # confirmations that never came

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if s.status != 200) + self.missing

    def ack_ms(self, p: float) -> float:
        return percentile([s.ack * 1000 for s in self.samples], p)

    def confirm_ms(self, p: float) -> float:
        return percentile([c * 1000 for c in self.confirmations], p)


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]


class Client:
    """Signs and sends slash commands the way Slack does."""

    def __init__(self, fake: FakeSlackProcess) -> None:
        self.fake = fake
        self.counter = 0

    def body(self, n: int, key: str) -> str:
        channel, user = CHANNELS[n % len(CHANNELS)], USERS[n % len(USERS)]
        text = (
            f"<#{channel}|{channel.lower()}> <@{user}> Benchmark task {n} due:+7d "
            "| two options, SVG and PNG"
        )
        form = slash_command_form(
            text,
            token="legacy-verification-token",
            team_id=common.TEAM_ID,
            team_domain="bench",
            channel_id=channel,
            channel_name=channel.lower(),
            user_id=user,
            user_name=user.lower(),
            api_app_id="A0APP",
            response_url=self.fake.response_url(key),
            trigger_id="1337.42.abcdef",
        )
        return urlencode(form)

    def send(self, server: Server, n: int) -> Sample:
        key = uuid.uuid4().hex
        body = self.body(n, key)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            **sign(body, common.SIGNING_SECRET),
        }
        request = urllib.request.Request(
            server.url + "/slack/events", data=body.encode(), headers=headers, method="POST"
        )
        sent = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        return Sample(key, status, sent, time.monotonic() - sent)


def run_batch(
    client: Client, server: Server, batch: Batch, requests: int, first: int, deadline: float
) -> None:
    """`requests` requests at `batch.concurrency`; for the bot, wait for the confirmations."""

    def one(n: int) -> Sample | None:
        if time.monotonic() > deadline:
            return None
        return client.send(server, n)

    with ThreadPoolExecutor(max_workers=batch.concurrency) as pool:
        samples = [s for s in pool.map(one, range(first, first + requests)) if s is not None]
    batch.samples.extend(samples)
    if server.name != "bot":
        return
    keys = {s.key: s.sent for s in samples if s.status == 200}
    wait_until = time.monotonic() + 60
    arrived: dict[str, float] = {}
    while time.monotonic() < wait_until:
        arrived = client.fake.stats(with_times=True)["response_times"]
        if all(key in arrived for key in keys):
            break
        time.sleep(0.2)
    batch.confirmations.extend(arrived[k] - sent for k, sent in keys.items() if k in arrived)
    batch.missing += sum(1 for k in keys if k not in arrived)


def start_servers(
    workdir: Path, database: common.Database, fake: FakeSlackProcess
) -> tuple[Server, Server]:
    settings = {
        "SLACK_BOT_TOKEN": common.BOT_TOKEN,
        "SLACK_SIGNING_SECRET": common.SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
    }
    servers = []
    for name, command, extra in (
        ("bot", ["-m", "bot", "web"], {"DATABASE_URL": database.url}),
        ("bare", ["-m", "bench.bare_app"], {}),
    ):
        port = common.free_port()
        log = (workdir / f"{name}-{database.kind}.log").open("w")
        process = subprocess.Popen(
            [common.PYTHON, *command],
            cwd=workdir,
            env=subprocess_env(PORT=str(port), **settings, **extra),
            stdout=log,
            stderr=log,
        )
        servers.append(Server(name, f"http://127.0.0.1:{port}", process))
    for server in servers:
        wait_until_serving(server.url + "/healthz", server.process)
    return servers[0], servers[1]


def run_database(
    kind: str,
    workdir: Path,
    requests: int,
    levels: list[int],
    time_cap: float,
    profile: Path | None = None,
) -> list[Batch]:
    from sqlalchemy import func, select

    from storage.database import make_engine
    from storage.models import Task

    batches: list[Batch] = []
    deadline = time.monotonic() + time_cap
    with (
        fresh_database(kind, workdir) as database,
        (workdir / f"fake-{kind}.log").open("w") as fake_log,
        FakeSlackProcess(log=fake_log) as fake,
    ):
        fake.setup(channels=CHANNELS, users=USERS)
        bot, bare = start_servers(workdir, database, fake)
        client = Client(fake)
        sent_to_bot = 0
        try:
            # Warm-up, not counted: registers each channel's vendor, opens connections.
            warm = {name: Batch(kind, name, 1) for name in ("bare", "bot")}
            for server in (bare, bot):
                run_batch(client, server, warm[server.name], 2 * len(CHANNELS), 0, deadline)
            sent_to_bot += 2 * len(CHANNELS)
            n = 1000
            for level in levels:
                spy = None
                if profile is not None and level == max(levels):
                    spy = start_profiler(bot, profile.with_suffix(f".{kind}.txt"))
                halves = {name: Batch(kind, name, level) for name in ("bare", "bot")}
                for half in (requests // 2, requests - requests // 2):
                    for server in (bare, bot):
                        run_batch(client, server, halves[server.name], half, n, deadline)
                        n += half
                        if server is bot:
                            sent_to_bot += half
                batches.extend([halves["bare"], halves["bot"]])
                if spy is not None and profile is not None:
                    stop_profiler(spy, profile.with_suffix(f".{kind}.txt"))
            engine = make_engine(database.url)
            try:
                with engine.connect() as connection:
                    tasks = connection.execute(select(func.count()).select_from(Task)).scalar_one()
            finally:
                engine.dispose()
            to_bot = [warm["bot"], *(b for b in batches if b.app == "bot")]
            bot_ok = sum(1 for b in to_bot for s in b.samples if s.status == 200)
            print(
                f"  {kind}: {tasks} tasks in the database after {sent_to_bot} commands sent "
                f"to the bot ({bot_ok} answered)",
                flush=True,
            )
        finally:
            stop_process(bot.process)
            stop_process(bare.process)
    return batches


def start_profiler(bot: Server, output: Path) -> subprocess.Popen[bytes]:
    """py-spy on the bot's gunicorn worker, sampling only threads that hold the GIL (the
    resource the worker's threads compete for), until stop_profiler."""
    [worker] = common.descendants(bot.process.pid) or [bot.process.pid]
    py_spy = str(Path(common.PYTHON).parent / "py-spy")
    spy = subprocess.Popen(
        [
            py_spy,
            *("record", "--pid", str(worker), "--gil", "--rate", "250"),
            *("--format", "raw", "--output", str(output)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # attached before the first request
    return spy


def stop_profiler(spy: subprocess.Popen[bytes], output: Path) -> None:
    spy.send_signal(signal.SIGINT)
    try:
        spy.wait(timeout=30)
    except subprocess.TimeoutExpired:
        spy.kill()
        spy.wait()
    if output.exists():
        print(summarise_profile(output))


AFTER_ACK = "run_ack_function_asynchronously"
PROFILE_AREAS = [
    ("SQLAlchemy and psycopg/sqlite3", ("sqlalchemy/", "psycopg/", "sqlite3/")),
    ("slack_sdk and urllib (Web API calls, response_url)", ("slack_sdk/", "urllib/", "http/")),
    ("the bot's own code (bot/, handlers/, storage/)", ("bot/", "handlers/", "storage/")),
]


def summarise_profile(path: Path, top: int = 12) -> str:
    """Where the bot's worker held the GIL: the request threads (parse, verify, dispatch,
    ack) against Bolt's listener threads (the work after the ack), what the listener work
    spends it on, and the leaf functions that held it most."""
    leaves: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    after_ack = total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        leaves[_frame_name(frames[-1])] += count
        if AFTER_ACK not in stack:
            continue
        after_ack += count
        listener = stack[stack.index(AFTER_ACK) :]
        # The innermost library the sample is in, else the bot's own code.
        for frame in reversed(listener.split(";")):
            where = frame.partition(" (")[2]
            area = next((a for a, needles in PROFILE_AREAS if where.startswith(needles)), None)
            if area is not None:
                areas[area] += count
                break
    if not total:
        return f"profile {path}: no samples"
    share = 100 / total
    lines = [
        f"profile {path}: {total} samples holding the GIL",
        f"  {after_ack * share:5.1f}% listener work after the ack (Bolt's thread pool)",
        f"  {(total - after_ack) * share:5.1f}% request threads (parse, verify, dispatch, ack)",
        "  listener work by where it was (innermost of):",
        *(f"  {n * share:5.1f}%   {area}" for area, n in areas.most_common()),
        "  top functions (own time):",
        *(f"  {n * share:5.1f}% {name}" for name, n in leaves.most_common(top)),
    ]
    return "\n".join(lines)


def _frame_name(frame: str) -> str:
    """`function (path/to/module.py:12)` -> `function (module.py)`."""
    name, _, where = frame.partition(" (")
    module = where.rsplit("/", 1)[-1].split(":", 1)[0]
    return f"{name} ({module})"


def main(argv: list[str] | None = None) -> int:
    parser = common.base_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=int, default=None, help="per app and level (1000; --quick 40)"
    )
    parser.add_argument("--concurrency", default="1,20", help="levels, comma-separated (1,20)")
    parser.add_argument("--time-cap", type=float, default=120.0, help="seconds per database (120)")
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="profile the bot's worker with py-spy at the highest concurrency; raw samples "
        "go to PROFILE.<database>.txt and a summary is printed",
    )
    args = parser.parse_args(argv)
    requests = args.requests or (40 if args.quick else 1000)
    levels = [int(level) for level in args.concurrency.split(",") if level.strip()]
    common.print_machine()
    print(
        f"/delegate task creation: {requests} requests per app and level, concurrency "
        f"{', '.join(map(str, levels))}; gunicorn options of bot.gunicorn_app for both apps\n"
    )
    batches: list[Batch] = []
    with work_directory("bench-latency-") as workdir:
        for kind in common.databases_from(args.database):
            batches += run_database(kind, workdir, requests, levels, args.time_cap, args.profile)
    print_results(batches)
    return 0


def print_results(batches: list[Batch]) -> None:
    print()
    rows = []
    for b in batches:
        confirm = b.app == "bot"
        rows.append(
            [
                b.database,
                b.concurrency,
                b.app,
                len(b.samples),
                b.errors,
                f"{b.ack_ms(50):.1f}",
                f"{b.ack_ms(99):.1f}",
                f"{b.confirm_ms(50):.1f}" if confirm else "-",
                f"{b.confirm_ms(99):.1f}" if confirm else "-",
            ]
        )
    print(
        table(
            [
                "database",
                "concurrency",
                "app",
                "requests",
                "errors",
                "ack p50 ms",
                "ack p99 ms",
                "confirmation p50 ms",
                "confirmation p99 ms",
            ],
            rows,
        )
    )
    print()
    ratio_rows = []
    by_key = {(b.database, b.concurrency, b.app): b for b in batches}
    for (database, level, app), bot in by_key.items():
        if app != "bot":
            continue
        bare = by_key[(database, level, "bare")]
        p50, p99 = bot.ack_ms(50) / bare.ack_ms(50), bot.ack_ms(99) / bare.ack_ms(99)
        budget = bot.ack_ms(99) / common.SLACK_ACK_BUDGET_MS * 100
        met = bot.ack_ms(99) < GOAL_MS and p99 < GOAL_RATIO and not bot.errors
        ratio_rows.append(
            [
                database,
                level,
                f"{p50:.2f}x",
                f"{p99:.2f}x",
                f"{budget:.1f}%",
                ("met" if met else "missed") if level >= 20 else "-",
            ]
        )
    print(
        table(
            [
                "database",
                "concurrency",
                "bot/bare p50",
                "bot/bare p99",
                "bot p99 of Slack's 3 s",
                f"goal at 20 (p99 < {GOAL_MS:.0f} ms, < {GOAL_RATIO:g}x bare)",
            ],
            ratio_rows,
        )
    )
    print(
        "\nack = request sent to HTTP response read (what Slack times); confirmation = "
        "request sent to the reply at the response_url (database write, announcement and "
        "reply done after the ack). Times are time.monotonic(), one clock for all processes."
    )


if __name__ == "__main__":
    sys.exit(main())
