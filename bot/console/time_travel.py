"""`:time`: moving the console's clock, running the scheduler for everything due on the way
in 15-minute steps, and `:time next`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from bot.console.base import ConsoleBase
from bot.console.clock import NEXT_LIMIT, STEP, next_boundary, parse_time, when
from bot.console.world import ConsoleError
from bot.scheduler import tick_safely
from storage import schedule
from storage.database import transaction


class TimeTravel(ConsoleBase):
    """`:time`: the clock moved and the scheduler run on the way."""

    def move_clock(self, rest: str) -> None:
        if not rest:
            self.say_clock()
            return
        if rest.strip().lower() == "next":
            self.next_post()
            return
        target = parse_time(rest, self.clock.now)
        if target < self.clock.now and not self._confirm_back(target):
            self.say_clock(" (not moved)")
            return
        if target <= self.clock.now:
            back = target < self.clock.now
            self.clock.now = target
            self.say_clock(" (moved back: nothing runs for the past)" if back else "")
            return
        shown = False
        for step in self._steps(target):
            shown = self._tick(step) or shown
        self.say_clock("" if shown else " (nothing new)")

    def _tick(self, step: datetime) -> bool:
        """Set the clock to `step`, run what is due, show it; whether anything showed."""
        self.clock.now = step
        tick_safely(self.deps, self.client, step)
        batch = self.collect()
        if batch:
            self.print(f"── {when(step)} ──")
            for item, new in batch:
                self.render(item, new)
        return bool(batch)

    def next_post(self) -> None:
        """`:time next`: quarter hour by quarter hour until the scheduler posts something."""
        with transaction(self.deps.engine) as session:
            active = schedule.list_active_vendors(session)
        if not active:
            raise ConsoleError("no vendor is active, so nothing is scheduled; the clock stays")
        step, limit = next_boundary(self.clock.now), self.clock.now + NEXT_LIMIT
        while step <= limit:
            if self._tick(step):
                self.say_clock()
                return
            step += STEP
        self.clock.now = limit
        self.say_clock(f" (nothing scheduled within {NEXT_LIMIT.days} days)")

    def _confirm_back(self, target: datetime) -> bool:
        """Moving back in time asks first: nothing runs for the past, and check-ins already
        posted would come again when the clock passes them once more."""
        if self._source is None:
            return True
        answer = self._source.read(
            f"    {when(target)} is before the clock; move back? (nothing runs for the "
            "past) [y/N]> ",
            answer=True,
        )
        return (answer or "").strip().lower() in ("y", "yes")

    def _steps(self, target: datetime) -> Iterator[datetime]:
        """Every quarter hour from now to `target` (then `target`); just `target` when no
        vendor is active, so a jump across an empty calendar is instant."""
        with transaction(self.deps.engine) as session:
            active = schedule.list_active_vendors(session)
        if active:
            step = next_boundary(self.clock.now)
            while step < target:
                yield step
                step += STEP
        yield target
