"""A scheduler process for the concurrency tests: one `run_tick` against a shared database.

    python -m tests.tick_worker DATABASE_URL SCHEMA API_URL NOW BARRIER_DIR NAME

SCHEMA is a PostgreSQL schema to put on the search path ("" for none). The worker connects,
says it is ready (a file `ready-NAME` in BARRIER_DIR) and waits for the file `go`, so that
all workers start their tick at the same moment; then it prints the tick's report line.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

from bot.app import build_client
from bot.config import Settings
from bot.delegation import VendorDefaults
from bot.deps import Deps
from bot.scheduler import run_tick
from storage.database import make_engine, ping


def main(argv: list[str]) -> int:
    url, schema, api_url, now, barrier_dir, name = argv
    if schema:
        engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    else:
        engine = make_engine(url)
    ping(engine)  # connect before the start line, not after it
    deps = Deps(settings=Settings(), engine=engine, vendor_defaults=VendorDefaults())
    client = build_client("xoxb-test-token", api_url)
    barrier = Path(barrier_dir)
    (barrier / f"ready-{name}").touch()
    deadline = time.monotonic() + 20
    while not (barrier / "go").exists():
        if time.monotonic() > deadline:
            return 2
        time.sleep(0.002)
    report = run_tick(deps, client, datetime.fromisoformat(now))
    print(report.line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
