"""Slack's text escaping, both ways.

Slack escapes exactly `&`, `<` and `>` in message text; `<…>` is what makes a mention or a
link, so escaping user text neutralises `<!channel>`, `<@U…>` and friends.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

ANY_TOKEN = re.compile(r"<([#@!])([^>|]*)(?:\|([^>]*))?>")


def escape(text: str) -> str:
    """Escape user text for a Slack message: exactly `&`, `<` and `>` (Slack's own rule)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def readable_text(text: str) -> str:
    """Slack-escaped input as plain text: mentions become `@name`/`#name`, entities decoded.

    The result is stored as the user meant it and escaped again on output, so a title
    written as `@channel` or `<!here>` can never ping anyone.
    """

    def plain(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil == "!":
            return "@" + (label or target.split("^")[0])
        return sigil + (label or target)

    text = ANY_TOKEN.sub(plain, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def shown(text: str, limit: int = 40, *, mark_cut: bool = False) -> str:
    """User input to echo back inside backticks: a backtick in it would close the code span
    and a newline break the line, so they become `'` and a space; cut to `limit` characters
    (the last one `…` with `mark_cut`). Not escaped: callers that put it in a message where
    it could ping escape it (bot.command_tokens.show)."""
    cleaned = text.replace("`", "'").replace("\n", " ")
    if mark_cut and len(cleaned) > limit:
        return cleaned[: limit - 1] + "…"
    return cleaned[:limit]


def code(text: str, limit: int = 40, *, mark_cut: bool = False) -> str:
    """User input quoted back as inline code: `shown` between backticks."""
    return f"`{shown(text, limit, mark_cut=mark_cut)}`"


def counted(count: int, noun: str) -> str:
    """`1 week` / `3 weeks`: a count with its noun in the number it needs."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def listed_are(items: Sequence[str], joiner: str = ", ") -> str:
    """`Fri 25 Dec 2026 is` / `rate and budget are`: the items joined, with the verb that
    agrees with how many there are."""
    return f"{joiner.join(items)} {'is' if len(items) == 1 else 'are'}"
