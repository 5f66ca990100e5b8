"""A stateful stand-in for the Slack Web API that runs on loopback: the console's Slack, and
the core of the tests' (tests/support/fake_slack.py adds what only tests use: fault
injection, rate limits, waiters, Socket Mode and HTTPS)::

    with FakeSlack() as fake:
        fake.add_channel("C0GENERAL", "general", members=["U0ALICE"])
        fake.add_bot_to("C0GENERAL")
        client = WebClient(base_url=fake.api_url, token=fake.bot_token)
        client.chat_postMessage(channel="C0GENERAL", text="hi")
        assert fake.messages_in("C0GENERAL")[0]["text"] == "hi"

The server is a stdlib ``ThreadingHTTPServer`` in a daemon thread (`wire`). It accepts what
``slack_sdk.WebClient`` sends: JSON bodies, form-encoded bodies, multipart bodies and query
strings, with the token in the ``Authorization`` header (or a ``token`` argument). Every Web
API call is recorded in :attr:`FakeSlack.calls`; the methods the bot uses keep a small
workspace model (users, channels, membership, messages, views, files) and answer with the
shapes and error names Slack uses, one module per area of the Web API (`chat`,
`conversations`, `views`, `files`, `oauth`). Any other method answers ``{"ok": true}``, is
recorded, and is logged as a warning so new callers never crash.
"""

from bot.fake_slack.model import PERMALINK_BASE, Call
from bot.fake_slack.server import FakeSlack

__all__ = ["PERMALINK_BASE", "Call", "FakeSlack"]
