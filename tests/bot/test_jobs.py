"""The work after the ack as durable jobs (bot.jobs): queued by the web app, run once by a
runner, taken again when a runner stopped half-way, never written or announced twice."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from freezegun import freeze_time
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.app import build_app
from bot.fake_slack import FakeSlack
from bot.jobs import GAVE_UP, LEASE, MAX_ATTEMPTS, JobRunner
from storage import jobs as queue
from storage.models import Job, Task
from tests.support.slack_requests import BotUnderTest, rendered, start_bot

ACME = "<#C0ACME|acme-design>"
MONDAY = "2026-11-30 10:00:00"


@pytest.fixture
def separate(engine: Engine, slack: FakeSlack) -> Iterator[BotUnderTest]:
    """The web app with JOB_RUNNER=separate: it acks and queues, and runs nothing."""
    with start_bot(engine, slack, job_runner="separate") as bot:
        yield bot


def runner(bot: BotUnderTest) -> JobRunner:
    """A job runner as `python -m bot jobs` builds one, on the test's database and Slack."""
    return JobRunner(bot.deps, lambda: build_app(bot.deps, replaying=True))


def all_jobs(engine: Engine) -> list[Job]:
    with Session(engine) as session:
        return list(session.exec(select(Job).order_by(Job.id)).all())


def task_titles(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [t.title for t in session.exec(select(Task).order_by(Task.id)).all()]


def announcements(bot: BotUnderTest, title: str) -> int:
    return sum(
        1
        for call in bot.slack.calls
        if call.method == "chat.postMessage"
        and call.result is not None
        and title in str(call.params.get("text", ""))
    )


def replies(bot: BotUnderTest, key: str) -> list[str]:
    return [rendered(r) for r in bot.slack.responses if r.get("_key") == key]


@freeze_time(MONDAY)
def test_a_command_is_acked_queued_and_run_once(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME} Acme Design")
    reply = bot.command(f"{ACME} Logo refresh due:2026-12-04")
    assert "Logo refresh" in reply
    jobs = all_jobs(bot.engine)
    assert [(j.kind, j.outcome, j.attempts) for j in jobs] == [("slack_request", "done", 1)] * 2
    [task_id] = [t.id for t in _tasks(bot.engine)]
    assert jobs[1].effect == f"task:{task_id}"
    assert jobs[0].effect is None  # vendor add writes no task
    assert announcements(bot, "Logo refresh") == 1


def test_the_web_app_only_acks_and_queues_when_runners_are_separate(
    separate: BotUnderTest,
) -> None:
    bot = separate
    key = uuid.uuid4().hex
    answer = bot.send_command(f"vendor add {ACME} Acme Design", key=key)
    assert (answer.status, answer.body) == (200, "")
    assert replies(bot, key) == []
    [job] = all_jobs(bot.engine)
    assert (job.finished_at, job.attempts) == (None, 0)
    assert runner(bot).drain() == 1
    assert "Acme Design" in replies(bot, key)[0]
    [job] = all_jobs(bot.engine)
    assert (job.outcome, job.attempts) == ("done", 1)
    assert runner(bot).drain() == 0


def test_a_view_submission_is_not_deferred(separate: BotUnderTest) -> None:
    """Its ack carries the answer (errors, or the modal's update): the web app runs it."""
    from bot import jobs

    assert not jobs.deferrable({"type": "view_submission", "view": {}})
    assert not jobs.deferrable({"type": "block_suggestion"})
    assert not jobs.deferrable({"type": "event_callback", "event": {"type": "app_uninstalled"}})
    assert jobs.deferrable({"type": "event_callback", "event": {"type": "member_joined_channel"}})
    assert jobs.deferrable({"type": "block_actions"})
    assert jobs.deferrable({"command": "/delegate"})


def test_a_runner_stopped_after_the_write_does_not_write_or_announce_twice(
    separate: BotUnderTest,
) -> None:
    bot = separate
    with freeze_time(MONDAY) as clock:
        bot.send_command(f"vendor add {ACME} Acme Design")
        runner(bot).drain()
        key = uuid.uuid4().hex
        bot.send_command(f"{ACME} Logo refresh", key=key)
        # The first runner does the work and stops before it can mark the job finished.
        first = runner(bot)
        now = bot.deps.clock()
        job = queue.claim(bot.engine, now=now, lease_until=now + LEASE)
        assert job is not None
        first.run(job)
        assert task_titles(bot.engine) == ["Logo refresh"]
        assert announcements(bot, "Logo refresh") == 1
        # Its lease holds the job meanwhile; once it runs out, another runner takes it.
        assert runner(bot).drain() == 0
        clock.tick(LEASE.total_seconds() + 1)
        assert runner(bot).drain() == 1
    assert task_titles(bot.engine) == ["Logo refresh"]
    assert announcements(bot, "Logo refresh") == 1
    second_reply = replies(bot, key)[-1]
    assert "Logo refresh" in second_reply
    assert "could not post it" not in second_reply  # the first run stored the ts
    job_row = all_jobs(bot.engine)[-1]
    assert (job_row.outcome, job_row.attempts) == ("done", 2)


def test_a_runner_stopped_between_the_write_and_the_announcement_says_so(
    separate: BotUnderTest,
) -> None:
    """Whether the announcement went out is unknown then: not posted again (no double), and
    the requester is told to check the channel."""
    bot = separate
    with freeze_time(MONDAY) as clock:
        bot.send_command(f"vendor add {ACME} Acme Design")
        runner(bot).drain()
        key = uuid.uuid4().hex
        bot.send_command(f"{ACME} Logo refresh", key=key)
        now = bot.deps.clock()
        job = queue.claim(bot.engine, now=now, lease_until=now + LEASE)
        assert job is not None
        bot.slack.fail_next("chat.postMessage", "fatal_error")  # the runner "dies" there
        runner(bot).run(job)
        with Session(bot.engine) as session:
            task = session.exec(select(Task)).one()
            task.announcement_ts = None  # as if it stopped before storing anything
            session.add(task)
            session.commit()
        clock.tick(LEASE.total_seconds() + 1)
        assert runner(bot).drain() == 1
    assert task_titles(bot.engine) == ["Logo refresh"]
    assert announcements(bot, "Logo refresh") == 0
    assert "could not post it" in replies(bot, key)[-1]


def test_a_runner_stopped_before_the_write_leaves_the_job_to_the_next(
    separate: BotUnderTest,
) -> None:
    bot = separate
    with freeze_time(MONDAY) as clock:
        bot.send_command(f"vendor add {ACME} Acme Design")
        runner(bot).drain()
        key = uuid.uuid4().hex
        bot.send_command(f"{ACME} Logo refresh", key=key)
        now = bot.deps.clock()
        assert queue.claim(bot.engine, now=now, lease_until=now + LEASE) is not None
        clock.tick(LEASE.total_seconds() + 1)
        assert runner(bot).drain() == 1
    assert task_titles(bot.engine) == ["Logo refresh"]
    assert announcements(bot, "Logo refresh") == 1
    assert len(replies(bot, key)) == 1


def test_a_job_interrupted_again_and_again_is_given_up_and_the_requester_told(
    separate: BotUnderTest,
) -> None:
    bot = separate
    with freeze_time(MONDAY) as clock:
        key = uuid.uuid4().hex
        bot.send_command(f"vendor add {ACME} Acme Design", key=key)
        for _ in range(MAX_ATTEMPTS):
            now = bot.deps.clock()
            assert queue.claim(bot.engine, now=now, lease_until=now + LEASE) is not None
            clock.tick(LEASE.total_seconds() + 1)
        assert runner(bot).drain() == 1
    [job] = all_jobs(bot.engine)
    assert job.outcome == "gave_up"
    assert replies(bot, key) == [GAVE_UP]


def test_finished_jobs_are_forgotten_after_a_day(separate: BotUnderTest) -> None:
    bot = separate
    with freeze_time(MONDAY) as clock:
        bot.send_command(f"vendor add {ACME} Acme Design")
        runner(bot).drain()
        bot.send_command("help")
        assert queue.purge_finished(bot.engine, bot.deps.clock()) == 0  # not before
        clock.tick(1)
        assert queue.purge_finished(bot.engine, bot.deps.clock()) == 1
    assert queue.unfinished(bot.engine) == 1  # the help, not run yet
    assert len(all_jobs(bot.engine)) == 1


def _tasks(engine: Engine) -> list[Task]:
    with Session(engine) as session:
        return list(session.exec(select(Task).order_by(Task.id)).all())
