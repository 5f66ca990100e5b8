"""A small PNG chart of a scorecard's weeks, drawn in the process with the standard library.

No plotting library and no external service: a few hundred pixels of lines, dots and a
5x7 pixel font, written as a PNG (RGB, 8 bits, zlib; the format's own CRCs). The chart
shows the weekly on-time rate (blue, 0-100 %, left axis) and average score (orange, 1-5,
right axis) on one grid, whose lines fall on 0/25/50/75/100 % and 1/2/3/4/5 alike. A week
without a figure leaves a gap in its line.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from bot.scorecards import Scorecard

Colour = tuple[int, int, int]

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 40, 44, 40  # margins around the plot area
WHITE: Colour = (255, 255, 255)
GRID: Colour = (226, 230, 236)
AXIS: Colour = (120, 128, 140)
TEXT: Colour = (60, 64, 72)
ON_TIME: Colour = (37, 99, 235)
SCORE: Colour = (234, 88, 12)
SCALE = 2  # each font pixel is 2x2
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# 5x7 glyphs, one string of five "#"/"." per row: only the characters the chart writes.
_GLYPHS: dict[str, tuple[str, ...]] = {
    "0": (".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
    "%": ("##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##"),
    "/": (".....", "....#", "...#.", "..#..", ".#...", "#....", "....."),
    "-": (".....", ".....", ".....", "#####", ".....", ".....", "....."),
    "(": ("...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."),
    ")": (".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."),
    " ": (".....",) * 7,
    "A": (".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "C": (".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."),
    "E": ("#####", "#....", "#....", "####.", "#....", "#....", "#####"),
    "G": (".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"),
    "I": (".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"),
    "N": ("#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"),
    "O": (".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "R": ("####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"),
    "S": (".####", "#....", "#....", ".###.", "....#", "....#", "####."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."),
    "V": ("#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."),
}
CHAR_WIDTH = 6 * SCALE  # five pixels and a space
CHAR_HEIGHT = 7 * SCALE


@dataclass(frozen=True)
class ChartPoint:
    """One week: a short label (`30/11`), its on-time rate (0-1) and average score (1-5)."""

    label: str
    on_time: float | None
    score: float | None


class Canvas:
    """An RGB image in memory, with just the drawing the chart needs."""

    def __init__(self, width: int, height: int, background: Colour = WHITE) -> None:
        self.width = width
        self.height = height
        self.pixels = bytearray(bytes(background) * (width * height))

    def point(self, x: int, y: int, colour: Colour) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            offset = (y * self.width + x) * 3
            self.pixels[offset : offset + 3] = bytes(colour)

    def rect(self, x0: int, y0: int, x1: int, y1: int, colour: Colour) -> None:
        """Filled, corners included."""
        for y in range(min(y0, y1), max(y0, y1) + 1):
            for x in range(min(x0, x1), max(x0, x1) + 1):
                self.point(x, y, colour)

    def disc(self, cx: float, cy: float, radius: float, colour: Colour) -> None:
        reach = math.ceil(radius)
        for y in range(round(cy) - reach, round(cy) + reach + 1):
            for x in range(round(cx) - reach, round(cx) + reach + 1):
                if (x - cx) ** 2 + (y - cy) ** 2 <= radius**2:
                    self.point(x, y, colour)

    def line(
        self, x0: float, y0: float, x1: float, y1: float, colour: Colour, width: float = 1
    ) -> None:
        steps = max(1, math.ceil(max(abs(x1 - x0), abs(y1 - y0))))
        for step in range(steps + 1):
            x = x0 + (x1 - x0) * step / steps
            y = y0 + (y1 - y0) * step / steps
            if width <= 1:
                self.point(round(x), round(y), colour)
            else:
                self.disc(x, y, width / 2, colour)

    def text(self, x: int, y: int, text: str, colour: Colour) -> None:
        """Upper-case text from the 5x7 font, top-left at (x, y); unknown characters are
        left blank."""
        for index, char in enumerate(text.upper()):
            rows = _GLYPHS.get(char)
            if rows is None:
                continue
            for row, bits in enumerate(rows):
                for column, bit in enumerate(bits):
                    if bit == "#":
                        left = x + index * CHAR_WIDTH + column * SCALE
                        top = y + row * SCALE
                        self.rect(left, top, left + SCALE - 1, top + SCALE - 1, colour)

    def png(self) -> bytes:
        return encode_png(self.width, self.height, bytes(self.pixels))


def text_width(text: str) -> int:
    return len(text) * CHAR_WIDTH - SCALE


def encode_png(width: int, height: int, rgb: bytes) -> bytes:
    """A PNG of 8-bit RGB pixels, rows top to bottom, no filtering."""
    row = width * 3
    raw = b"".join(b"\x00" + rgb[y * row : (y + 1) * row] for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB
    return (
        PNG_SIGNATURE
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def weekly_chart(points: Sequence[ChartPoint]) -> bytes:
    """The PNG: on-time rate and average score per week, oldest on the left."""
    canvas = Canvas(WIDTH, HEIGHT)
    x0, x1 = LEFT, WIDTH - RIGHT
    y0, y1 = TOP, HEIGHT - BOTTOM  # y0 is the top (100 %, score 5)

    def y_of(share: float) -> float:
        return y1 - (y1 - y0) * min(max(share, 0.0), 1.0)

    for step in range(5):  # grid and both axes' labels
        y = round(y_of(step / 4))
        canvas.line(x0, y, x1, y, GRID)
        percent = f"{step * 25}%"
        canvas.text(x0 - 8 - text_width(percent), y - CHAR_HEIGHT // 2, percent, ON_TIME)
        canvas.text(x1 + 8, y - CHAR_HEIGHT // 2, str(step + 1), SCORE)
    canvas.line(x0, y0, x0, y1, AXIS)
    canvas.line(x1, y0, x1, y1, AXIS)
    canvas.line(x0, y1, x1, y1, AXIS)

    count = len(points)
    spacing = (x1 - x0) / count if count else 0.0

    def x_of(index: int) -> float:
        return x0 + spacing * (index + 0.5)

    widest = max((text_width(point.label) for point in points), default=0)
    every = max(1, math.ceil((widest + 8) / spacing)) if spacing else 1
    for index, point in enumerate(points):
        if (count - 1 - index) % every == 0:  # the latest week is always labelled
            left = round(x_of(index) - text_width(point.label) / 2)
            canvas.text(left, y1 + 10, point.label, TEXT)

    series = (
        (ON_TIME, [point.on_time for point in points]),
        (SCORE, [None if p.score is None else (p.score - 1) / 4 for p in points]),
    )
    for colour, shares in series:
        previous: tuple[float, float] | None = None
        for index, share in enumerate(shares):
            if share is None:
                previous = None
                continue
            here = (x_of(index), y_of(share))
            if previous is not None:
                canvas.line(*previous, *here, colour, width=3)
            previous = here
        for index, share in enumerate(shares):
            if share is not None:
                canvas.disc(x_of(index), y_of(share), 4.5, colour)

    legend_y = 12
    canvas.rect(x0, legend_y, x0 + 11, legend_y + 11, ON_TIME)
    canvas.text(x0 + 18, legend_y - 1, "ON TIME %", TEXT)
    score_x = x0 + 18 + text_width("ON TIME %") + 28
    canvas.rect(score_x, legend_y, score_x + 11, legend_y + 11, SCORE)
    canvas.text(score_x + 18, legend_y - 1, "AVG SCORE (1-5)", TEXT)
    return canvas.png()


def scorecard_chart(card: Scorecard) -> bytes:
    """The chart of a scorecard's weeks, labelled `30/11` (the week's Monday)."""
    return weekly_chart(
        [
            ChartPoint(
                f"{row.week.monday:%-d/%-m}",
                None if row.figures.on_time_rate is None else float(row.figures.on_time_rate),
                None if row.figures.average_score is None else float(row.figures.average_score),
            )
            for row in card.rows
        ]
    )
