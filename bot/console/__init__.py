"""`python -m bot console`: try the bot without a Slack workspace.

The real app runs in-process: `bot.app.build_app` behind `bot.web.build_wsgi_app` on a
loopback HTTP server (`bot.console.transport`), talking to the same fake Slack Web API the
tests use (`bot.fake_slack`). What you type becomes what Slack would send: a `/delegate`
line a signed slash command, a plain line a message event, `:click` a block_actions payload
built from the real message's buttons, a form's answers a view_submission. Whatever the bot
then did to the fake Slack (messages, updates, ephemeral replies, direct messages, forms)
is shown, numbered, in the order it happened. The clock is the console's own: `:time`
moves it and runs the scheduler for everything due on the way, in 15-minute steps.

Reads a script from standard input when it is not a terminal, echoing each line after its
prompt, so a session can be replayed and compared screen for screen.

The modules: `start` (start-up: database, workspace, app), `repl` (the loop, put together
from `commands`, `messages`, `buttons`, `forms` with `fields`, `time_travel` with `clock`,
and `replay`, over the shared `base` and `items`), `world` (the stand-in workspace and its
sidecar file), `render` (Block Kit as text), `files` and `session` (uploads, messages kept
between sessions), `transport` (the app on loopback, signed requests, shared with the
tests) and `demo` (the week `--demo` plays).
"""
