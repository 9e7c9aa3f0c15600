"""Benchmark: reading and checking a city-sized scenario file, the old way against the new.

    python -m bench.scenario_read FILE

made e.g. by ``tongxin scenario generate --kind city --preset guiyang --communities 10 -o FILE``.
Old: ``json.loads`` and jsonschema on every file. New: ``orjson`` and the schema compiled by
fastjsonschema (jsonschema runs only on an invalid file, for its messages). Both then run the
rules a schema cannot express. Prints a Markdown table, two runs each, alternating.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from scenarios import load

TARGET_MB = 300


def _old(path: Path) -> tuple[float, float]:
    data = json.loads(path.read_text(encoding="utf-8"))
    parsed = time.perf_counter()
    assert not list(load._validator().iter_errors(data))
    checked = time.perf_counter()
    assert not load._rule_issues(data)
    return parsed, checked


def _new(path: Path) -> tuple[float, float]:
    data = load._read_json(path, str(path))
    parsed = time.perf_counter()
    assert not load._schema_issues(data)
    checked = time.perf_counter()
    assert not load._rule_issues(data)
    return parsed, checked


def main() -> None:
    path = Path(sys.argv[1])
    size = path.stat().st_size / 1e6
    load._validator(), load._fast_check()  # built once per process, outside the timing
    scale = TARGET_MB / size
    print(f"file: {size:.1f} MB")
    print(f"| path | read | schema | rules | total | {TARGET_MB} MB (× {scale:.1f}) |")
    print("|---|---|---|---|---|---|")
    runs: list[tuple[str, Callable[[Path], tuple[float, float]]]] = [
        ("json + jsonschema", _old),
        ("orjson + fastjsonschema", _new),
    ]
    for _ in range(2):
        for name, run in runs:
            start = time.perf_counter()
            parsed, checked = run(path)
            end = time.perf_counter()
            print(
                f"| {name} | {parsed - start:.2f} s | {checked - parsed:.2f} s "
                f"| {end - checked:.2f} s | {end - start:.2f} s | {(end - start) * scale:.0f} s |",
                flush=True,
            )


if __name__ == "__main__":
    main()
