"""The week `python -m bot console --demo` plays: a console script, as you would type it.

Kept as data (not code) so it reads like a session: `#` lines are the narration, indented
lines answer the form the line before opened. Buttons are pressed by label on the newest
message that has them (`:click "Accept"`), and rows of a check-in as `last.N`, so the
script does not depend on how many messages came before.
"""

from __future__ import annotations

from datetime import UTC, datetime

# Monday 30 November 2026, 08:00 UTC: 16:00 in Manila, where the vendor works.
DEMO_START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)

DEMO_SCRIPT = """\
# One week with a vendor. You are @alice; Acme Design works from Manila (UTC+8).
# Monday: register Acme's channel, with check-ins at 09:00 their time (and the weekly
# summary at the default, Fridays 16:00).
:new #acme-design
/delegate vendor add #acme-design Acme Design tz:Asia/Manila checkins:weekdays@09:00
# Vera from Acme is in the channel as a Slack Connect guest.
:as @vera --external
:in #acme-design
Hi Alice! Looking forward to it.
# Alice delegates two tasks to Acme, assigned to Vera.
:as @alice
:in #general
/delegate #acme-design @vera Logo refresh due:2026-12-03 | three options, SVG and PNG
/delegate #acme-design @vera Brochure layout due:2026-12-09 | A5, two folds, print-ready PDF

# Tuesday: the first check-in, at 09:00 in Manila; Vera answers at 09:45.
:time 2026-12-01 09:45 Asia/Manila
:as @vera
:in #acme-design
:click last.1 "On track"
# A blocker: the brochure waits for the printer's specs. Alice hears about it at once.
:click last.2 "Blocked"
    Waiting for the printer's specs (bleed and paper weight)
:as @alice
:reply last The specs are in the shared drive now, sorry!

# Wednesday: Vera answers in the check-in's thread instead.
:time 2026-12-02 11:00 Asia/Manila
:as @vera
:reply last #2 on track, specs received
:reply last #1 on track, final files tomorrow

# Thursday: Vera delivers the logo; Alice reviews it, accepts it and rates it.
:time 2026-12-03 10:15 Asia/Manila
:as @vera
:click last.1 "Done"
:as @alice
:click "Accept"
:click "Rate this delivery"
    5
    4
    5
    Great options, and quick to answer.

# Friday: nobody answers the check-in, so a reminder follows. At 16:00 in Manila the week's
# summary goes to Acme's channel, with a question for Acme; at 16:00 UTC the team's digest.
:time 2026-12-04 16:00
"""
