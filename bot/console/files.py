"""What the console shows besides messages as they come: files the bot uploads (saved under
a folder it names, a CSV also shown as a table; a PNG chart is opened from the folder), and
an updated message as what changed in it.

Slack shows an upload as a file card in the conversation; the console writes the bytes the
fake Slack received to `console-files/` beside its database (a temporary folder with
`--fresh` and `--demo`, gone when the console ends) and says where.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from pathlib import Path

FILES_FOLDER = "console-files"
TABLE_ROWS = 12  # rows of a CSV shown; the file has them all
CELL_WIDTH = 24


class ConsoleFiles:
    def __init__(self, folder: Path, *, temporary: bool) -> None:
        self.folder = folder
        self.temporary = temporary

    def save(self, name: str, content: bytes) -> Path:
        """Write `content` as `name` in the folder (`name-2.csv` if taken); the path."""
        self.folder.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).strip("._") or "file"
        stem, dot, suffix = safe.rpartition(".")
        if not dot:
            stem, suffix = safe, ""
        path = self.folder / safe
        n = 1
        while path.exists():
            n += 1
            path = self.folder / (f"{stem}-{n}.{suffix}" if suffix else f"{stem}-{n}")
        path.write_bytes(content)
        return path

    def shown_path(self, path: Path) -> str:
        """The path as the reader can use it: relative to the working directory if inside."""
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)


def file_lines(title: str, shown_path: str, size: int, content: bytes | None) -> list[str]:
    """A file card: its title, where it was saved, and a CSV's first rows as a table."""
    lines = [f"file: {title} ({_size(size)}), saved as {shown_path}"]
    if content is not None and (title.lower().endswith(".csv") or _looks_csv(shown_path)):
        lines += csv_table(content)
    return lines


def _looks_csv(path: str) -> bool:
    return path.lower().endswith(".csv")


def csv_table(content: bytes, limit: int = TABLE_ROWS) -> list[str]:
    """The first `limit` rows of a CSV as aligned columns, long cells cut with `…`."""
    text = content.decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return ["(empty)"]
    shown = [[_cell(value) for value in row] for row in rows[: limit + 1]]
    width = max(len(row) for row in shown)
    widths = [max((len(row[i]) for row in shown if i < len(row)), default=0) for i in range(width)]
    lines = []
    for index, row in enumerate(shown):
        cells = [row[i] if i < len(row) else "" for i in range(width)]
        lines.append(" | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        if index == 0:
            lines.append("-+-".join("-" * w for w in widths))
    hidden = len(rows) - len(shown)
    if hidden > 0:
        lines.append(f"… {hidden} more row(s) in the file")
    return lines


def _cell(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= CELL_WIDTH else value[: CELL_WIDTH - 1] + "…"


def _size(size: int) -> str:
    return f"{size} bytes" if size < 1024 else f"{size / 1024:.1f} KiB"


def changed_lines(before: list[str], after: list[str]) -> list[str]:
    """An updated message as what changed: `  - ` lines gone, `  + ` lines new, each run
    after the unchanged line above it, for context (the body is indented four spaces, so
    the text stays in its column); `:show N` shows it whole."""
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    context_shown = -1
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if a1 > 0 and context_shown != a1 - 1:
            out.append(f"    {before[a1 - 1]}".rstrip())
        context_shown = a2 - 1
        out += [f"  - {line}".rstrip() for line in before[a1:a2]]
        out += [f"  + {line}".rstrip() for line in after[b1:b2]]
    return out or ["    (no visible change)"]
