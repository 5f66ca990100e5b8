"""A scheduler process for the concurrency tests: one `run_tick` against a shared database.

    python -m tests.support.tick_worker DATABASE_URL SCHEMA API_URL NOW

SCHEMA is a PostgreSQL schema to put on the search path ("" for none). The worker connects,
prints `ready` and waits for a line on its stdin, so that all workers start their tick at
the same moment (a blocking read: no polling); then it prints the tick's report line.
"""

from __future__ import annotations

import sys
from datetime import datetime

from bot.app import build_client
from bot.config import Settings, VendorDefaults
from bot.deps import Deps
from bot.scheduling import run_tick
from storage.database import make_engine, ping


def main(argv: list[str]) -> int:
    url, schema, api_url, now = argv
    if schema:
        engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    else:
        engine = make_engine(url)
    ping(engine)  # connect before the start line, not after it
    deps = Deps(settings=Settings(), engine=engine, vendor_defaults=VendorDefaults())
    client = build_client("xoxb-test-token", api_url)
    print("ready", flush=True)
    if sys.stdin.readline() != "go\n":  # the test closed our stdin: it gave up
        return 2
    report = run_tick(deps, client, datetime.fromisoformat(now))
    print(report.line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
