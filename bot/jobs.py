"""The work a Slack request starts after its ack, as durable jobs (issue 16).

Bolt acks and then runs the listener on a thread of the same process, so under load an ack
waits for the GIL while other commands' database and Web API work holds it. Here the web
process instead answers a command, click or event at once and queues its (verified, parsed)
payload as one row of the `jobs` table (`defer_to_jobs`); a `JobRunner` claims the row with
a lease and replays the payload through a second Bolt app of the same listeners that runs
each listener to its end before `dispatch` returns (process_before_response), then marks the
job finished. Where the runner runs (settings.job_runner, docs/decisions.md):

- "web" (the default): the web process itself drains the queue on Bolt's listener threads
  right after each enqueue, as Bolt would have run the listener, and picks up jobs a stopped
  process left behind. Tests and the console wait for those threads as before.
- "separate": the web process only acks and queues; `python -m bot jobs` processes run the
  jobs, woken by PostgreSQL's NOTIFY (or a short poll on SQLite). Acks then share no GIL with
  any listener.

Durable: a job lives in the database from the ack until it is finished. A runner renews
the leases of the jobs it is working on; one that stops (deploy, crash, kill -9) leaves them
to expire, and another runner takes them again. A second run must not write twice: the
listener marks what it wrote in the job's row in the same transaction (`record_effect`) and
a rerun reads the mark (`earlier_effect`) instead of writing again. After MAX_ATTEMPTS
interrupted runs the job is given up and the requester told.

Not deferred: view submissions and option requests (their ack carries the answer), and the
uninstall events (the workspace's token is gone before a runner could authorise them).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.webhook import WebhookClient
from sqlmodel import Session

from bot.deps import Deps
from bot.slack_tls import slack_ssl_context
from storage import jobs as queue
from storage.database import is_connection_failure
from storage.jobs import ClaimedJob

logger = logging.getLogger(__name__)

SLACK_REQUEST = "slack_request"
# How long a claim holds a job without being renewed; renewed every third of it.
LEASE = timedelta(seconds=30)
RENEW_EVERY = LEASE.total_seconds() / 3
# Runs of a job that were interrupted (the runner stopped) before it is given up.
MAX_ATTEMPTS = 3
# Without NOTIFY (SQLite), or when one was missed, a waiting runner looks this often.
POLL_SECONDS = 1.0
KEEP_FINISHED = timedelta(days=1)

PURGE_EVERY_SECONDS = 3600.0
NOT_DEFERRED_EVENTS = frozenset({"app_uninstalled", "tokens_revoked"})
GAVE_UP = (
    "Sorry: I was interrupted several times while doing this and have stopped trying. "
    "Part of it may be done; `/delegate list` shows your tasks. Please try again."
)

_runners: WeakKeyDictionary[App, JobRunner] = WeakKeyDictionary()
_current: ContextVar[ClaimedJob | None] = ContextVar("bot_job", default=None)


class JobRanTwice(RuntimeError):
    """Another run of the same job wrote its effect first (only after an expired lease)."""


def current_job() -> ClaimedJob | None:
    """The job the calling listener runs in, or None (not run as a job)."""
    return _current.get()


def earlier_effect() -> str | None:
    """What an interrupted earlier run of this job wrote (its `record_effect`), if any."""
    job = _current.get()
    return None if job is None else job.effect


def record_effect(session: Session, effect: str) -> None:
    """Mark in the session's transaction that this job wrote `effect` (e.g. "task:42");
    outside a job, nothing. Raises JobRanTwice, rolling the write back, if a run of the same
    job marked it first."""
    job = _current.get()
    if job is not None and not queue.take_effect(session, job.id, effect[:64]):
        raise JobRanTwice(f"job {job.id} already wrote {effect}")


def deferrable(body: dict[str, Any]) -> bool:
    """Whether the request's work can wait for a runner: its ack says nothing but "got it"."""
    if body.get("command"):
        return True
    kind = body.get("type")
    if kind == "block_actions":
        return True
    if kind == "event_callback":
        event = body.get("event")
        return isinstance(event, dict) and event.get("type") not in NOT_DEFERRED_EVENTS
    return False


def defer_to_jobs(app: App, deps: Deps, runner: JobRunner | None) -> None:
    """Add to the web `app` the middleware that queues a deferrable request and answers 200
    at once. With `runner` (settings.job_runner "web") the job is then run on Bolt's listener
    executor, where Bolt would have run the listener."""

    def middleware(req: BoltRequest, resp: BoltResponse, next: Callable[[], None]) -> Any:
        body = req.body
        if not isinstance(body, dict) or not deferrable(body):
            next()
            return None
        try:
            queue.enqueue(
                deps.engine,
                kind=SLACK_REQUEST,
                team_id=str(req.context.team_id or "")[:32],
                payload=json.dumps(body, separators=(",", ":")),
                now=deps.clock(),
            )
        except Exception as error:
            # No queue without the database: run the listener here, as before, so that the
            # requester is told (its own error boundary says "try again").
            logger.warning("could not queue a job (%s); running it here", type(error).__name__)
            next()
            return None
        if runner is not None:
            # One job per request, on the executor Bolt would have run the listener on
            # (looked up now: tests and the console wrap it after build_app). Jobs that
            # a stopped process left are the background poll's (start_background).
            app.listener_runner.listener_executor.submit(runner.run_next)
        return BoltResponse(status=200, body="")

    app.use(middleware)
    if runner is not None:
        _runners[app] = runner


def runner_of(app: App) -> JobRunner | None:
    """The runner the web `app` drains its queue with (settings.job_runner "web")."""
    return _runners.get(app)


class JobRunner:
    """Claims jobs and runs them through a Bolt app of the same listeners."""

    def __init__(self, deps: Deps, build: Callable[[], App]) -> None:
        self.deps = deps
        self._build = build
        self._app: App | None = None
        self._lock = threading.Lock()
        self._held: set[int] = set()

    @property
    def app(self) -> App:
        """The replaying app, built on first use (most tests never need it)."""
        with self._lock:
            if self._app is None:
                self._app = self._build()
            return self._app

    def drain(self) -> int:
        """Run jobs until none is left to claim; how many were run. Errors are logged: a
        job left unfinished is taken again once its lease runs out."""
        done = 0
        try:
            while self.run_one():
                done += 1
        except Exception as error:
            level = logging.WARNING if is_connection_failure(error) else logging.ERROR
            logger.log(level, "jobs: %s while running the queue", type(error).__name__)
        return done

    def run_next(self) -> None:
        """Run the oldest job nobody holds, if any (errors logged, as in drain)."""
        try:
            self.run_one()
        except Exception as error:
            level = logging.WARNING if is_connection_failure(error) else logging.ERROR
            logger.log(level, "jobs: %s while running the queue", type(error).__name__)

    def run_one(self) -> bool:
        """Claim one job and run it; False when there was none."""
        now = self.deps.clock()
        job = queue.claim(self.deps.engine, now=now, lease_until=now + LEASE)
        if job is None:
            return False
        with self._lock:
            self._held.add(job.id)
        try:
            outcome = self.run(job)
        finally:
            with self._lock:
                self._held.discard(job.id)
        queue.finish(self.deps.engine, job.id, outcome=outcome, now=self.deps.clock())
        return True

    def run(self, job: ClaimedJob) -> str:
        """Run a claimed job to its end: "done", "failed" (an error the listener's own
        boundary did not answer: logged by Bolt's error handler) or "gave_up"."""
        try:
            body = json.loads(job.payload)
        except ValueError:
            logger.error("job %d: unreadable payload, dropped", job.id)
            return "failed"
        if job.attempts > MAX_ATTEMPTS:
            logger.error("job %d: interrupted %d times, given up", job.id, job.attempts - 1)
            tell_requester(self.deps, body, GAVE_UP)
            return "gave_up"
        if job.attempts > 1:
            logger.warning("job %d: run again after an interrupted run", job.id)
        with running(job):
            response = self.app.dispatch(BoltRequest(body=body, mode="socket_mode"))
        return "done" if response.status < 500 else "failed"

    def renew_leases(self) -> None:
        with self._lock:
            held = sorted(self._held)
        queue.renew(self.deps.engine, held, self.deps.clock() + LEASE)

    def run_forever(self, stop: threading.Event, threads: int) -> None:
        """`python -m bot jobs`: `threads` workers, a lease keeper and (on PostgreSQL) a
        NOTIFY listener, until `stop` is set; a job in hand is finished first."""
        lower_priority(self.deps.settings.job_niceness)
        assert self.app is not None  # built now, not while the first job waits
        wake = Wakeup()
        helpers = [
            threading.Thread(target=self._keep_leases, args=(stop,), name="job-leases"),
            threading.Thread(target=listen_for_jobs, args=(self.deps, wake, stop), daemon=True),
        ]
        workers = [
            threading.Thread(target=self._work, args=(stop, wake), name=f"job-runner-{n}")
            for n in range(threads)
        ]
        for thread in (*helpers, *workers):
            thread.start()
        logger.info("jobs: running with %d threads", threads)
        for thread in workers:
            thread.join()
        wake.ring()
        helpers[0].join()

    def start_background(self, stop: threading.Event) -> None:
        """For the web process (settings.job_runner "web"): keep leases, and look now and
        then for jobs a stopped process left behind."""
        threading.Thread(target=self._keep_leases, args=(stop,), daemon=True).start()
        wake = Wakeup()
        threading.Thread(target=self._work, args=(stop, wake), daemon=True).start()

    def _work(self, stop: threading.Event, wake: Wakeup) -> None:
        last_purge = 0.0
        while not stop.is_set():
            seen = wake.generation
            try:
                if self.run_one():
                    continue
                if time.monotonic() - last_purge > PURGE_EVERY_SECONDS:
                    last_purge = time.monotonic()
                    queue.purge_finished(self.deps.engine, self.deps.clock() - KEEP_FINISHED)
            except Exception as error:
                # The database went away, say: log it, wait, try again.
                level = logging.WARNING if is_connection_failure(error) else logging.ERROR
                logger.log(level, "jobs: %s while claiming", type(error).__name__)
                stop.wait(POLL_SECONDS)
                continue
            wake.wait(seen, POLL_SECONDS)

    def _keep_leases(self, stop: threading.Event) -> None:
        while not stop.wait(RENEW_EVERY):
            try:
                self.renew_leases()
            except Exception as error:
                logger.warning("jobs: could not renew leases (%s)", type(error).__name__)


def lower_priority(niceness: int) -> None:
    """Let the web process on the same machine have the CPU first (settings.job_niceness):
    an ack then does not wait for a job's turn."""
    if niceness <= 0:
        return
    try:
        os.nice(niceness)
    except OSError as error:  # not allowed here: run at the normal priority
        logger.info("jobs: could not lower the CPU priority (%s)", error)


@contextmanager
def running(job: ClaimedJob) -> Any:
    token = _current.set(job)
    try:
        yield
    finally:
        _current.reset(token)


class Wakeup:
    """A counter the NOTIFY listener bumps; a worker that saw it unchanged may sleep."""

    def __init__(self) -> None:
        self.generation = 0
        self._cond = threading.Condition()

    def ring(self) -> None:
        with self._cond:
            self.generation += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self.generation != seen, timeout)


def listen_for_jobs(deps: Deps, wake: Wakeup, stop: threading.Event) -> None:
    """Ring `wake` on every NOTIFY of a new job (PostgreSQL); elsewhere the poll does it."""
    if deps.engine.dialect.name != "postgresql":
        return
    while not stop.is_set():
        try:
            # A session of its own, outside the pool, for as long as it listens.
            url = deps.engine.url.set(drivername="postgresql")
            with psycopg.connect(
                url.render_as_string(hide_password=False), autocommit=True, connect_timeout=5
            ) as connection:
                connection.execute(f"LISTEN {queue.NOTIFY_CHANNEL}")
                while not stop.is_set():
                    for _ in connection.notifies(timeout=POLL_SECONDS, stop_after=1):
                        wake.ring()
        except Exception as error:
            logger.warning("jobs: LISTEN failed (%s); polling meanwhile", type(error).__name__)
            stop.wait(POLL_SECONDS)


def tell_requester(deps: Deps, body: dict[str, Any], text: str) -> None:
    """Say so at the request's response_url (commands, most clicks), privately."""
    url = body.get("response_url") or next(
        (r.get("response_url") for r in body.get("response_urls") or [] if isinstance(r, dict)),
        None,
    )
    if not url:
        return
    try:
        webhook = WebhookClient(str(url), ssl=slack_ssl_context(deps.settings.slack_ca_bundle))
        webhook.send(text=text, response_type="ephemeral")
    except Exception as error:
        logger.warning("could not tell the requester: %s", type(error).__name__)
