"""Benchmark: the weekly drafts of several Guiyang-size communities, serially and in parallel.

Loads K communities of the Guiyang preset (``--people`` per community, 5,700 by default) into
the database at ``--database-url`` (PostgreSQL for the real thing; a fresh SQLite file when
none is given), then drafts every due community with ``run_once``'s drafting step
(``draft_due``, what ``tongxin scheduler --once --drafters N`` runs): first one at a time, then
``--drafters`` at once. The parallel run drafts the following week (a week later on the
clock), so both runs start from weeks without a draft. ``--parallel-only`` skips the run one
at a time (at the whole city's size it takes as long as the rest together).

    python -m bench.drafting [--communities 3] [--people 5700] [--drafters 2]
        [--time-limit 10] [--database-url postgresql+psycopg://…] [--parallel-only]

Prints the load (people per second) and, per run, wall time in all and per community.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime
from pathlib import Path

from models.community import DEFAULT_ZONE

#: Friday evenings: the first drafts the week of 2 March 2026, the second the week after
FIRST_FRIDAY = datetime(2026, 2, 27, 20, 30, tzinfo=DEFAULT_ZONE)
SECOND_FRIDAY = datetime(2026, 3, 6, 20, 30, tzinfo=DEFAULT_ZONE)


def main(
    communities: int = 3,
    people: int = 5_700,
    drafters: int = 2,
    time_limit: float = 10.0,
    database_url: str | None = None,
    parallel_only: bool = False,
) -> None:
    from api.worker.scheduler import draft_due
    from models.db import make_engine, make_session_factory, upgrade
    from models.seed import community_parts, import_street_scenario, street_name_of
    from scenarios.generate import PRESETS, generate

    preset = PRESETS["guiyang"]
    data = generate(
        "city",
        1,
        communities=communities,
        people_per_community=people,
        residents_per_community=round(
            preset["residents_per_community"] * people / preset["people_per_community"]
        ),
    )
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'drafting.db'}"
        upgrade(url)
        factory = make_session_factory(make_engine(url))
        started = time.perf_counter()
        for _, part in community_parts(data):
            with factory() as session:
                import_street_scenario(
                    session, part, street_name=street_name_of(data), checked=True
                )
                session.commit()
        load_s = time.perf_counter() - started
        print(
            f"{communities} communities, {len(data['people'])} people loaded in {load_s:.1f} s "
            f"({len(data['people']) / load_s:,.0f} people/s), time limit {time_limit:g} s",
            flush=True,
        )
        rows = []
        runs = [
            ("one at a time", FIRST_FRIDAY, 1),
            (f"{drafters} at once", SECOND_FRIDAY, drafters),
        ]
        for label, now, at_once in runs[1:] if parallel_only else runs:
            started = time.perf_counter()
            done = draft_due(
                session_factory=factory, now=now, drafters=at_once, time_limit_s=time_limit
            )
            wall = time.perf_counter() - started
            drafted = sum(1 for d in done if d.run_id is not None)
            rows.append((label, drafted, wall))
            print(f"{label}: {drafted} drafts in {wall:.1f} s", flush=True)

    print()
    print("| drafting | drafts | wall s | s per community |")
    print("|---|---|---|---|")
    for label, drafted, wall in rows:
        print(f"| {label} | {drafted} | {wall:.1f} | {wall / max(drafted, 1):.1f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communities", type=int, default=3)
    parser.add_argument("--people", type=int, default=5_700)
    parser.add_argument("--drafters", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--database-url")
    parser.add_argument(
        "--parallel-only", action="store_true", help="skip the run one community at a time"
    )
    args = parser.parse_args()
    main(
        args.communities,
        args.people,
        args.drafters,
        args.time_limit,
        args.database_url,
        args.parallel_only,
    )
