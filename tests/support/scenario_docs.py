"""docs/scenarios.md, read by the tests: its text and the example it gives of the format."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"


def docs_text() -> str:
    return DOCS.read_text(encoding="utf-8")


def minimal_example() -> dict[str, Any]:
    block = re.search(r"```json\n(.*?)\n```", docs_text(), re.DOTALL)
    assert block, "docs/scenarios.md has no json example"
    example: dict[str, Any] = json.loads(block.group(1))
    return example
