"""Scheduled posts: what is due at `now`, claimed once across processes, then posted.

Where things are:

- `tick`: one tick (`run_tick`): every vendor's turn on SCHEDULER_WORKERS threads, then the
  review reminders, the digests and the sweep of abandoned claims. `loop`: the APScheduler
  loop (`run_scheduler`, `start_background_scheduler`) and `tick_safely`.
- `calendar`: a vendor's calendar (cadence, time zone, days off) and `due_occurrence`, the
  rule that says a cadence's post is due. `context`: the tick's state, policy and report.
- `claims`: the claim -> post -> record -> give back protocol, once for vendor posts
  (scheduled_posts) and team posts (team_posts, the digest). `delivery`: chat.postMessage
  and what Slack's errors mean. `rate_limits`: each workspace's shared 429 wait.
- One module per kind of post, each saying when it is due and posting it: `checkins`,
  `reminders`, `escalations`, `summaries` (and their thread), `feedback_prompts`,
  `trial_prompts`, `budget_alerts`, `review_reminders`, `digests`, `unreachable` (the
  notice to whoever added a vendor whose channel Slack refuses).

`run_tick(deps, client, now)` (`tick`) looks at every vendor that is not paused and does whatever is
due at `now` and not yet done: the check-in of the latest occurrence of its cadence, a
reminder in the thread of a check-in nobody answered, a direct message to the owners when a
check-in is still unanswered at the next one, the weekly summary (`summary_cadence`) and the
weekly feedback prompt (`feedback_cadence`, or with the summary). With SUMMARY_CHANNEL set
it then posts each team's internal digest. Running it twice with the same `now` sends
nothing new, so the loop can run it every 30 seconds in any number of processes.

The rules, in one place:

- **Occurrences** are computed from the vendor's cadence in its own time zone by walking
  local dates (`bot.schedule_rules`), so 09:00 stays 09:00 local across DST, and are keyed
  by local date and slot (`2026-03-09T09:00`), never by a UTC instant. A cadence with
  several slots a day (`weekdays@09:00,15:00`) has one occurrence per slot, each claimed
  on its own; a spring-gap slot pushed to or past a later slot that day is dropped
  (`schedule_rules.day_slots`).
- An occurrence from before the vendor was added is never due: a vendor added at 14:00
  gets its first check-in at its next occurrence, not a catch-up of that morning's.
- **Claim before post.** A `ScheduledPost` row, unique per (vendor, kind, occurrence), is
  committed before Slack is called; whoever fails to insert it does nothing. The outcome
  is recorded in a second transaction once Slack has answered.
- **Grace window** (`GRACE`, 6 h): only the latest occurrence at or before `now` is ever
  considered. If it is older than the grace window when first seen (the bot was down), it
  is recorded as skipped and logged, never posted, and nothing older is posted in a burst.
  Reminders and escalations get the same window, counted from when they fell due.
- **Lease** (`CLAIM_LEASE`, 10 min): a claim still `claimed` with no message after the lease
  belongs to a process that died between claim and post. The next tick re-takes it with one
  conditional UPDATE (only one process matches) and posts it if still within the grace
  window, or marks it skipped if not. Transient failures use the same path: the claim's
  lease is made to have run out, so it is retried at the next tick and never lost. A lease
  far longer than one post can take (slack_sdk's retries wait seconds) means a live process
  never has its claim taken away.
- **Days off** (`vendor.workdays`, `Holiday` rows and the public holidays of
  `vendor.public_holidays` from the `holidays` package, the vendor's local dates): no check-in
  whose occurrence falls on a day off, no reminder while the vendor's today is a day off.
  A reminder that falls due on a day off waits for the first working-day tick, but is
  dropped (recorded skipped) once its grace window has passed or the next working check-in
  is due: that check-in asks again, and its thread is where answers belong.
- **Days away** (`VendorAbsence`, said from a check-in's Away… form; `bot.absences`): a
  person's own. While everyone who speaks for the vendor is away, its check-ins,
  reminders and escalations are recorded skipped; otherwise reminders leave out the
  people away, escalations leave out their tasks, and the check-in says who is away.
- **Escalation** happens at the next *working* occurrence after the check-in (the moment
  the next check-in is due), so a vendor always gets one full working day to answer.
- **Summaries and feedback prompts** follow the same rules as check-ins: occurrences of the
  vendor's `summary_cadence` (and `feedback_cadence`, which defaults to the summary's) in its
  time zone, claimed per (vendor, kind, occurrence), the grace window, and the same days
  off: nothing on a day the vendor does not work. With the summary's, the prompt is a
  second message right after it (its thread is where the vendor's answers go). A summary
  with nothing to report (no task open or finished, no check-in, no rating, this week or
  last) and a prompt to a vendor without work in the last two weeks are recorded skipped.
  The summary's thread reply (overdue and blocked tasks) is posted right after it under
  the same claim; should that one reply fail it is logged, not retried, so the summary is
  never posted twice.
- **The digest** (SUMMARY_CHANNEL set): `DIGEST_CADENCE` (`fri@16:00`) in DEFAULT_TIMEZONE,
  one per team, claimed in `team_posts` (unique per team, kind and occurrence) with the
  same grace window, lease and retries; no day-off rule (it is the team's own channel).
  A refusal from Slack (the bot is not in that channel) is logged as an error and the
  claim marked failed; no vendor is paused for it.
- **Lifecycle messages** (bot.lifecycle) are direct messages to whoever added the vendor,
  claimed like the rest (the claim's channel is that person's id) and retried the same way;
  a refusal is logged, and the vendor is not paused for it. The **trial prompt** (kind
  `trial_prompt`, occurrence the trial's end date) is due on the third working day before
  the end (the vendor's workdays and holidays) at its check-in time; it has no grace
  window: as long as the trial waits for a decision a late prompt beats none. **Budget
  alerts** (kind `budget_alert`, occurrence `2026-12@80`) are due as soon as the vendor's
  spend this month (its calendar) reaches 80 % / 100 % of its budget, so once a month per
  threshold; both reached at once sends the 100 % one and records the 80 % one skipped.
  Paused vendors get neither, like the rest.
- **Permanent refusals** for the vendor's channel (archived, deleted, bot removed): the
  claim is marked failed, the vendor paused with `pause_reason="unreachable: <error>"`,
  and whoever added it told once by direct message. Refusals of the bot's own token or
  scopes (`invalid_auth`, `missing_scope`...) are not the vendor's fault: the vendor is not
  paused and the claim is retried like a transient failure, so nothing is lost once the
  token is fixed.
- **Vendors in parallel**: a tick runs the vendors' turns on `SCHEDULER_WORKERS` threads
  (default 8). A turn reads and claims only its own vendor's rows, each step in a short
  transaction of its own, so turns need no coordination beyond the claims; a 429 from
  Slack makes that one worker wait out Retry-After while the others go on posting in other
  channels, and the workers refused wait together (`rate_limits.SharedRateLimitWait`) so
  that they do not use up their retries racing one another for Slack's refilled budget.
  Threads rather than asyncio because every step blocks (the sync WebClient, SQLAlchemy
  sessions) and stays as it is. The engine's pool (5 + 10 overflow by default) covers the
  workers; on SQLite one writer at a time commits and the others wait on the busy timeout.
"""

from bot.scheduling.context import SchedulePolicy, TickReport, this_process
from bot.scheduling.loop import run_scheduler, start_background_scheduler, tick_safely
from bot.scheduling.tick import run_tick

__all__ = [
    "SchedulePolicy",
    "TickReport",
    "run_scheduler",
    "run_tick",
    "start_background_scheduler",
    "this_process",
    "tick_safely",
]
