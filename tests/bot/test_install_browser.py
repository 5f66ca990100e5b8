"""The install pages in a real browser: Debian's Chromium, headless, driven by Playwright.

No JavaScript is needed (the pages have none, and the browser runs with it off); the
"Add to Slack" button must be visible on screen (checked on a screenshot), and a click
walks Slack's (the fake's) authorize page to the success page. Skipped when Chromium or
Playwright is missing, unless CI=true (.ci/run installs both).
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.support.fake_slack import FakeSlack
from tests.support.workspace_support import ManyBot, start_many_bot

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1000, "height": 800}
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_workspace("T0ONE", "One Inc", installer="U1ANN")
        fake.add_workspace("T0TWO", "Two Ltd", installer="U2BEN")
        yield fake


@pytest.fixture
def many(engine: Engine, slack: FakeSlack) -> Iterator[ManyBot]:
    with start_many_bot(engine, slack) as running:
        yield running


def png_pixels(png: bytes) -> list[tuple[int, int, int]]:
    """Every pixel of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data, width, height, channels = 8, b"", 0, 0, 3
    while pos < len(png):
        length = struct.unpack(">I", png[pos : pos + 4])[0]
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            channels = 4 if colour == 6 else 3
        elif kind == b"IDAT":
            data += body
        pos += 12 + length
    raw, stride, rows = zlib.decompress(data), width * channels, []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + best) & 255
        rows.append(line)
        previous = line
    return [
        (row[x * channels], row[x * channels + 1], row[x * channels + 2])
        for row in rows
        for x in range(width)
    ]


def button_is_painted(png: bytes) -> bool:
    """Most of the button's screenshot is its own colour (Slack aubergine, #4a154b): it is
    on screen, not hidden, clipped or white on white."""
    pixels = png_pixels(png)
    aubergine = [
        p
        for p in pixels
        if abs(p[0] - 0x4A) < 24 and abs(p[1] - 0x15) < 24 and abs(p[2] - 0x4B) < 24
    ]
    return len(aubergine) > 0.6 * len(pixels)


def test_install_in_the_browser_for_two_workspaces(
    many: ManyBot, page: Any, engine: Engine
) -> None:
    for team, name in (("T0ONE", "One Inc"), ("T0TWO", "Two Ltd")):
        page.goto(many.url + "/slack/install")
        button = page.locator("#add-to-slack")
        assert button.is_visible() and button.inner_text() == "Add to Slack"
        box = button.bounding_box()
        assert box is not None and box["y"] + box["height"] < 800  # above the fold
        assert button_is_painted(page.screenshot(clip=box))
        assert "channels:history" in page.content()
        button.click()
        page.select_option("#team", team)
        page.click("#allow")
        assert page.locator("h1").inner_text() == f"Delegate is installed in {name}"
        assert (
            page.locator("#open-slack").get_attribute("href").startswith(f"slack://app?team={team}")
        )
    with engine.connect() as connection:
        teams = connection.execute(text("SELECT team_id FROM slack_bots ORDER BY team_id")).all()
    assert [t for (t,) in teams] == ["T0ONE", "T0TWO"]


def test_cancel_in_the_browser_shows_a_retry_link(many: ManyBot, page: Any) -> None:
    page.goto(many.url + "/slack/install")
    page.click("#add-to-slack")
    page.click("#cancel")
    assert page.locator("h1").inner_text() == "Installation cancelled"
    page.click("#try-again")
    assert page.locator("#add-to-slack").is_visible()
