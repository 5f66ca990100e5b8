"""The install pages (many-workspace mode): plain server-rendered HTML, no JavaScript.

GET /slack/install shows what the bot does, each scope and why, and an "Add to Slack" link;
GET /slack/oauth_redirect ends on a success page (open the app, what to type first) or a
failure page (what happened, a link to try again). Bolt's OAuthFlow serves both paths;
bot.installations plugs these pages into it.
"""

from __future__ import annotations

from html import escape

INSTALL_PATH = "/slack/install"

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       max-width: 40rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1d1c1d; }
h1 { font-size: 1.6rem; }
.button { display: inline-block; background: #4a154b; color: #fff; padding: 0.7rem 1.4rem;
          border-radius: 6px; text-decoration: none; font-weight: bold; font-size: 1.1rem; }
.button:focus, .button:hover { background: #611f69; }
code { background: #f4f4f4; padding: 0.1rem 0.3rem; border-radius: 3px; }
dt { font-family: monospace; font-weight: bold; }
dd { margin: 0 0 0.5rem 1.5rem; }
.error { border-left: 4px solid #e01e5a; padding-left: 1rem; }
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def install_page(authorize_url: str, scopes: list[tuple[str, str]]) -> str:
    """What the bot does, the scopes and why, and the "Add to Slack" link (`authorize_url`
    carries client id, scopes and the state)."""
    items = "".join(
        f"<dt>{escape(scope)}</dt><dd>{escape(reason or 'asked for by this deployment')}</dd>"
        for scope, reason in scopes
    )
    return _page(
        "Add Delegate to Slack",
        "<h1>Delegate</h1>"
        "<p>Delegate keeps work you hand to outside vendors on track. Create a task with "
        "<code>/delegate</code> in a vendor's channel (Slack Connect channels included); "
        "Delegate posts check-ins there on a schedule in the vendor's time zone, with buttons "
        "to report progress, tells the task owner by direct message, lists everything in the "
        "app's Home tab and posts a weekly summary.</p>"
        f'<p><a class="button" id="add-to-slack" href="{escape(authorize_url)}">'
        "Add to Slack</a></p>"
        "<h2>What it asks for, and why</h2>"
        f"<dl>{items}</dl>"
        "<p>You become the first admin of Delegate in your workspace: change its digest "
        "channel, admins and time zone with <code>/delegate settings</code>. Uninstalling "
        "stops everything at once; your data is deleted 30 days later.</p>",
    )


def success_page(team_name: str, app_url: str) -> str:
    return _page(
        "Delegate is installed",
        f"<h1>Delegate is installed in {escape(team_name)}</h1>"
        f'<p><a class="button" id="open-slack" href="{escape(app_url)}">Open Delegate in '
        "Slack</a></p>"
        "<p>What to type first, in the channel you share with a vendor:</p>"
        "<p><code>/delegate @someone Write the launch plan due:friday</code></p>"
        "<p>Then <code>/delegate help</code> lists everything, and "
        "<code>/delegate settings</code> sets the digest channel, admins and time zone.</p>",
    )


_FAILURES: dict[str, tuple[str, str]] = {
    "access_denied": (
        "Installation cancelled",
        "You chose not to allow Delegate in your workspace, so nothing was installed.",
    ),
    "invalid_state": (
        "This install link has expired",
        "Install links work for 10 minutes, once, in the browser that opened the install "
        "page. Start again from the install page.",
    ),
    # The state cookie is gone: it expired with the link, or another browser came back.
    "invalid_browser": (
        "This install link has expired",
        "Install links work for 10 minutes, once, in the browser that opened the install "
        "page. Start again from the install page.",
    ),
    "missing_code": (
        "Slack did not say who installed",
        "The address Slack sent you back to had no code in it. Start again.",
    ),
    "invalid_code": (
        "Slack did not accept the install",
        "The code from Slack was refused (it may have been used already, or expired). "
        "Start again from the install page.",
    ),
    "enterprise_install": (
        "Org-wide installs are not supported",
        "Delegate installs into one workspace at a time. Install it into each workspace of "
        "your Enterprise Grid organisation instead of the whole organisation.",
    ),
    "storage_error": (
        "The install could not be saved",
        "Something went wrong on our side. Please try again in a minute.",
    ),
}


def failure_page(reason: str) -> str:
    title, explanation = _FAILURES.get(
        reason, ("The install did not finish", f"Slack reported: {reason}.")
    )
    return _page(
        title,
        f'<div class="error"><h1>{escape(title)}</h1><p>{escape(explanation)}</p></div>'
        f'<p><a class="button" id="try-again" href="{INSTALL_PATH}">Try again</a></p>',
    )
