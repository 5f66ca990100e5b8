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

import os
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
# Issue 16's goals: at 20 in flight, p99 ack no more than 2x the bare app's and under
# 100 ms; at 1 in flight, p50 within 10 % of the bare app's.
GOAL_MS = 100.0
GOAL_RATIO = 2.0
GOAL_P50_AT_1 = 1.10
THROUGHPUT_IN_FLIGHT = 20


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
    load: str = "?"  # the 1-minute load average when the batch ended (the machine is shared)

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

    def body(self, n: int, key: str, text: str | None = None, user: str | None = None) -> str:
        channel, user = CHANNELS[n % len(CHANNELS)], user or USERS[n % len(USERS)]
        text = text or (
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

    def send(
        self, server: Server, n: int, text: str | None = None, user: str | None = None
    ) -> Sample:
        key = uuid.uuid4().hex
        body = self.body(n, key, text, user)
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


def start_process(
    workdir: Path, name: str, command: list[str], env: dict[str, str]
) -> subprocess.Popen[bytes]:
    log = (workdir / f"{name}.log").open("a")
    return subprocess.Popen(
        [common.PYTHON, *command], cwd=workdir, env=subprocess_env(**env), stdout=log, stderr=log
    )


@dataclass
class BotSide:
    """The bot's processes: `web` with `workers` gunicorn workers and, with JOB_RUNNER=separate,
    `jobs` processes of `python -m bot jobs` (none: JOB_RUNNER=web, the web workers run the
    jobs themselves)."""

    server: Server
    runners: list[subprocess.Popen[bytes]]

    def stop(self) -> None:
        for runner in self.runners:
            stop_process(runner)
        stop_process(self.server.process)


def slack_settings(fake: FakeSlackProcess) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": common.BOT_TOKEN,
        "SLACK_SIGNING_SECRET": common.SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
    }


def start_bot(
    workdir: Path, database: common.Database, fake: FakeSlackProcess, workers: int, jobs: int
) -> BotSide:
    env = {
        **slack_settings(fake),
        "DATABASE_URL": database.url,
        "WEB_CONCURRENCY": str(workers),
        "JOB_RUNNER": "separate" if jobs else "web",
    }
    if "JOB_NICENESS" in os.environ:
        env["JOB_NICENESS"] = os.environ["JOB_NICENESS"]
    port = common.free_port()
    process = start_process(
        workdir, f"bot-{database.kind}", ["-m", "bot", "web"], {**env, "PORT": str(port)}
    )
    runners = [
        start_process(workdir, f"jobs-{database.kind}-{n}", ["-m", "bot", "jobs"], env)
        for n in range(jobs)
    ]
    server = Server("bot", f"http://127.0.0.1:{port}", process)
    wait_until_serving(server.url + "/healthz", process)
    return BotSide(server, runners)


def start_bare(workdir: Path, fake: FakeSlackProcess, workers: int) -> Server:
    port = common.free_port()
    env = {**slack_settings(fake), "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    process = start_process(workdir, "bare", ["-m", "bench.bare_app"], env)
    server = Server("bare", f"http://127.0.0.1:{port}", process)
    wait_until_serving(server.url + "/healthz", process)
    return server


def register_vendors(client: Client, bot: Server, channels: list[str] = CHANNELS) -> None:
    """`/delegate vendor add` for every channel, waiting for each reply."""
    for n, channel in enumerate(channels):
        sample = client.send(bot, n, f"vendor add <#{channel}|{channel.lower()}> Vendor {n}")
        wait_until = time.monotonic() + 60
        while time.monotonic() < wait_until:
            if sample.key in client.fake.stats(with_times=True)["response_times"]:
                break
            time.sleep(0.05)


def load_average() -> str:
    return f"{os.getloadavg()[0]:.2f}"


@dataclass
class Throughput:
    database: str
    processes: int  # job runner processes (or web workers when the web runs the jobs)
    what: str
    commands: int
    done: int
    seconds: float
    load: str

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def measure_throughput(
    client: Client, bot: Server, commands: int, first: int, kind: str, processes: int, what: str
) -> Throughput:
    """`commands` commands, THROUGHPUT_IN_FLIGHT at a time, each to a vendor's channel; from
    the first sent to the last one complete (its reply and its announcement both at Slack)."""
    before = client.fake.stats()["posts"]
    started = time.monotonic()

    def one(n: int) -> Sample:
        return client.send(bot, n)

    with ThreadPoolExecutor(max_workers=THROUGHPUT_IN_FLIGHT) as pool:
        samples = list(pool.map(one, range(first, first + commands)))
    keys = {s.key for s in samples if s.status == 200}
    wait_until = time.monotonic() + 120
    stats: dict[str, object] = {}
    while time.monotonic() < wait_until:
        stats = client.fake.stats(with_times=True)
        arrived = stats["response_times"]
        assert isinstance(arrived, dict)
        posts = stats["posts"]
        assert isinstance(posts, int)
        if all(k in arrived for k in keys) and posts - before >= len(keys):
            break
        time.sleep(0.05)
    arrived = stats.get("response_times") or {}
    assert isinstance(arrived, dict)
    done_times = [float(arrived[k]) for k in keys if k in arrived]
    last_post = stats.get("last_post_at")
    end = max([*done_times, float(last_post) if isinstance(last_post, float) else 0.0])
    return Throughput(
        kind, processes, what, commands, len(done_times), end - started, load_average()
    )


def run_database(
    kind: str,
    workdir: Path,
    requests: int,
    levels: list[int],
    time_cap: float,
    workers: int,
    jobs: int,
    throughput: int,
    throughput_processes: list[int],
    profile: Path | None = None,
) -> tuple[list[Batch], list[Throughput]]:
    from sqlalchemy import func, select

    from storage.database import make_engine
    from storage.models import Task

    batches: list[Batch] = []
    rates: list[Throughput] = []
    deadline = time.monotonic() + time_cap
    with (
        fresh_database(kind, workdir) as database,
        (workdir / f"fake-{kind}.log").open("w") as fake_log,
        FakeSlackProcess(log=fake_log) as fake,
    ):
        fake.setup(channels=CHANNELS, users=USERS)
        bot_side = start_bot(workdir, database, fake, workers, jobs)
        bare = start_bare(workdir, fake, workers)
        bot = bot_side.server
        client = Client(fake)
        sent_to_bot = 0
        try:
            # Not counted: each channel registered as a vendor (a task for a channel that is
            # not one asks first), then a warm-up round that opens connections.
            register_vendors(client, bot)
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
                        halves[server.name].load = load_average()
                        n += half
                        if server is bot:
                            sent_to_bot += half
                batches.extend([halves["bare"], halves["bot"]])
                if spy is not None and profile is not None:
                    stop_profiler(spy, profile.with_suffix(f".{kind}.txt"))
            stop_process(bare.process)
            for processes in throughput_processes if throughput else []:
                bot_side.stop()
                # Job runners: `processes` of them behind `workers` web workers; without
                # runners the web workers run the jobs, so there are `processes` of those.
                bot_side = start_bot(
                    workdir,
                    database,
                    fake,
                    workers if jobs else processes,
                    processes if jobs else 0,
                )
                bot = bot_side.server
                run_batch(client, bot, Batch(kind, "bot", 1), len(CHANNELS), n, deadline + 600)
                n += len(CHANNELS)
                what = "job runners" if jobs else "web workers (running the jobs)"
                rates.append(measure_throughput(client, bot, throughput, n, kind, processes, what))
                n += throughput
                sent_to_bot += throughput + len(CHANNELS)
            engine = make_engine(database.url)
            try:
                with engine.connect() as connection:
                    tasks = connection.execute(select(func.count()).select_from(Task)).scalar_one()
            finally:
                engine.dispose()
            print(
                f"  {kind}: {tasks} tasks in the database after {sent_to_bot} commands sent "
                f"to the bot",
                flush=True,
            )
        finally:
            bot_side.stop()
            stop_process(bare.process)
    return batches, rates


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
        "--workers", type=int, default=1, help="gunicorn worker processes, both apps (1)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="`python -m bot jobs` processes beside the web (1); 0: JOB_RUNNER=web, the web "
        "workers run the jobs (the only way before issue 16)",
    )
    parser.add_argument(
        "--throughput",
        type=int,
        default=None,
        help="commands per end-to-end throughput run (400; --quick 60; 0: none)",
    )
    parser.add_argument(
        "--throughput-processes", default="1,2", help="runner processes per run (1,2)"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="profile the bot's worker with py-spy at the highest concurrency; raw samples "
        "go to PROFILE.<database>.txt and a summary is printed",
    )
    args = parser.parse_args(argv)
    requests = args.requests or (40 if args.quick else 1000)
    throughput = args.throughput if args.throughput is not None else (60 if args.quick else 400)
    levels = [int(level) for level in args.concurrency.split(",") if level.strip()]
    processes = [int(p) for p in args.throughput_processes.split(",") if p.strip()]
    common.print_machine()
    runners = (
        f"JOB_RUNNER=separate with {args.jobs} `python -m bot jobs` process(es)"
        if args.jobs
        else "JOB_RUNNER=web (the web workers run the jobs)"
    )
    print(
        f"/delegate task creation: {requests} requests per app and level, concurrency "
        f"{', '.join(map(str, levels))}; {args.workers} gunicorn worker(s) for each app "
        f"(bot.gunicorn_app options); the bot with {runners}\n"
    )
    batches: list[Batch] = []
    rates: list[Throughput] = []
    with work_directory("bench-latency-") as workdir:
        for kind in common.databases_from(args.database):
            more, more_rates = run_database(
                kind,
                workdir,
                requests,
                levels,
                args.time_cap,
                args.workers,
                args.jobs,
                throughput,
                processes,
                args.profile,
            )
            batches += more
            rates += more_rates
    print_results(batches)
    print_throughput(rates)
    return 0


def print_throughput(rates: list[Throughput]) -> None:
    if not rates:
        return
    print()
    rows = []
    base: dict[str, float] = {}
    for r in rates:
        base.setdefault(r.database, r.per_second / r.processes if r.per_second else 0.0)
        per_process = r.per_second / r.processes
        scaling = r.per_second / (base[r.database] or 1.0)
        rows.append(
            [
                r.database,
                f"{r.processes} {r.what}",
                f"{r.done}/{r.commands}",
                f"{r.seconds:.2f}",
                f"{r.per_second:.1f}",
                f"{per_process:.1f}",
                f"{scaling:.2f}x",
                r.load,
            ]
        )
    print(
        table(
            [
                "database",
                "processes",
                "complete",
                "seconds",
                "commands/s",
                "per process",
                "vs 1 process",
                "load",
            ],
            rows,
        )
    )
    print(
        f"\nend to end = task written, announcement posted and requester answered, for a burst "
        f"sent {THROUGHPUT_IN_FLIGHT} in flight; from the first request sent to the last reply "
        "or announcement received by the fake Slack. load = 1-minute load average at the end."
    )


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
                b.load,
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
                "load",
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
        if level >= 20:
            met = bot.ack_ms(99) < GOAL_MS and p99 <= GOAL_RATIO and not bot.errors
            goal = f"p99 < {GOAL_MS:.0f} ms, <= {GOAL_RATIO:g}x: " + ("met" if met else "missed")
        elif level == 1:
            met = p50 <= GOAL_P50_AT_1 and not bot.errors
            goal = f"p50 within {GOAL_P50_AT_1 - 1:.0%}: " + ("met" if met else "missed")
        else:
            goal = "-"
        ratio_rows.append(
            [database, level, f"{p50:.2f}x", f"{p99:.2f}x", f"{budget:.1f}%", goal, bot.load]
        )
    print(
        table(
            [
                "database",
                "concurrency",
                "bot/bare p50",
                "bot/bare p99",
                "bot p99 of Slack's 3 s",
                "goal (issue 16)",
                "load",
            ],
            ratio_rows,
        )
    )
    print(
        "\nack = request sent to HTTP response read (what Slack times); confirmation = "
        "request sent to the reply at the response_url (database write, announcement and "
        "reply done after the ack). Times are time.monotonic(), one clock for all processes. "
        "load = 1-minute load average when the batch ended."
    )


if __name__ == "__main__":
    sys.exit(main())
