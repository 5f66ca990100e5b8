"""Where things are, for every test and helper: computed once here, never from a test
module's own location (tests live in subfolders mirroring bot/, handlers/, storage/)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"
FIXTURES = TESTS / "fixtures"
