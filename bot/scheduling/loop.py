"""The loop: a tick every TICK_INTERVAL in a background thread (APScheduler), a tick that
never raises, and the daily purge of uninstalled workspaces."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.deps import Deps
from bot.installations import WorkspaceClients, purge_expired
from bot.scheduling.context import SchedulePolicy, TickReport, logger
from bot.scheduling.tick import run_tick
from storage.database import without_password

TICK_INTERVAL = timedelta(seconds=30)
PURGE_INTERVAL = timedelta(hours=24)


def tick_safely(
    deps: Deps,
    client: WebClient | WorkspaceClients,
    now: datetime | None = None,
    *,
    policy: SchedulePolicy | None = None,
) -> TickReport | None:
    """One tick that never raises: a database or Slack outage is logged in one line
    (without the database password) and the next tick simply tries again."""
    moment = now or deps.clock()
    try:
        report = run_tick(deps, client, moment, policy=policy)
    except (SQLAlchemyError, SlackClientError, OSError) as error:
        logger.error("scheduler: tick failed: %s", _describe(error, deps.engine))
        logger.debug("scheduler: tick failure", exc_info=True)
        return None
    except Exception:
        logger.exception("scheduler: tick failed")
        return None
    if report.did_something:
        logger.info("scheduler: %s", report.line())
    return report


def start_background_scheduler(
    deps: Deps,
    client: WebClient | WorkspaceClients,
    *,
    interval: timedelta = TICK_INTERVAL,
    policy: SchedulePolicy | None = None,
) -> BackgroundScheduler:
    """Start ticking in a background thread (first tick at once); the caller shuts it down.

    Job settings, deliberately: `max_instances=1` so a slow tick (Slack retrying) is never
    overlapped by the next in this process; `coalesce=True` so ticks missed while the
    process was stalled run as one; `misfire_grace_time=None` so that one still runs however
    late, which is safe because a tick only does what is due and not yet claimed. One job
    store per process, in memory: cross-process "exactly once" lives in the database claims,
    not in APScheduler (its job stores cannot be shared between processes).
    """
    scheduler = BackgroundScheduler(timezone=UTC)
    tick = partial(tick_safely, deps, client, policy=policy)
    _add_job(scheduler, "checkins-tick", "scheduled check-ins", interval, tick)
    if deps.settings.many_workspaces:
        # Uninstalled workspaces' data is deleted once the retention period is over.
        purge = partial(purge_safely, deps)
        name = "purge of uninstalled workspaces"
        _add_job(scheduler, "workspace-purge", name, PURGE_INTERVAL, purge)
    scheduler.start()
    return scheduler


def _add_job(
    scheduler: BackgroundScheduler,
    job_id: str,
    name: str,
    interval: timedelta,
    run: Callable[[], object],
) -> None:
    """`run` every `interval`, the first time at once, with the settings explained in
    `start_background_scheduler`."""
    scheduler.add_job(
        run,
        trigger=IntervalTrigger(seconds=int(interval.total_seconds()), timezone=UTC),
        id=job_id,
        name=name,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        next_run_time=datetime.now(UTC),
        replace_existing=True,
    )


def purge_safely(deps: Deps) -> None:
    """The daily purge of workspaces uninstalled more than RETENTION ago; never raises."""
    try:
        purge_expired(deps.engine, deps.clock())
    except Exception as error:
        logger.error("scheduler: purge failed: %s", _describe(error, deps.engine))


def run_scheduler(
    deps: Deps,
    client: WebClient | WorkspaceClients,
    stop: threading.Event | None = None,
    *,
    policy: SchedulePolicy | None = None,
) -> None:
    """Tick until `stop` is set (or forever); waits for a running tick before returning."""
    stop = stop or threading.Event()
    scheduler = start_background_scheduler(deps, client, policy=policy)
    logger.info("scheduler: running, a tick every %ss", int(TICK_INTERVAL.total_seconds()))
    try:
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)
        logger.info("scheduler: stopped")


def _describe(error: BaseException, engine: Engine) -> str:
    """The error's first line, with the database password blanked out just in case."""
    name = type(error).__name__
    cause = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    text = f"{name}: {lines[0]}" if lines else name
    return without_password(text, engine.url)
