"""The pages without a browser: the shells and static files as the app serves them, and what
can be checked by reading the files — nothing fetched from another origin, every module and
stylesheet a page names exists, every message exists in both languages, the skills agree with
the matcher's, and the package ships every file."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest
from fastapi.testclient import TestClient

from api.schemas.board import NearMissRule
from api.settings import Settings
from api.web.app import create_app
from api.web.pages import CONTENT_SECURITY_POLICY, PAGES, SHELLS, STATIC
from matcher.domain import SKILLS, DemandKind, PersonKind
from models.household import Situation
from models.schedule import AssignmentStatus, OverrideKind
from models.user import UserRole
from models.wish import WishStatus

REPO = Path(__file__).resolve().parents[2]
I18N = STATIC / "js" / "i18n.js"
PAGE_FILES = sorted(p for p in PAGES.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
TEXT_FILES = [p for p in PAGE_FILES if p.suffix in {".html", ".js", ".css", ".svg"}]
SCRIPTS = [p for p in PAGE_FILES if p.suffix == ".js"]
#: the one http URL a page may contain: the SVG namespace, a name that is never fetched
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
MESSAGE_LINE = re.compile(r'^\s*"([\w.]+)": \["(.*)", "(.*)"\],$')


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(env="test", database_url="sqlite://"))) as test_client:
        yield test_client


def messages() -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for line in I18N.read_text(encoding="utf-8").splitlines():
        match = MESSAGE_LINE.match(line)
        if match:
            key, zh, en = match.groups()
            assert key not in found, f"{key} is in i18n.js twice"
            found[key] = (zh, en)
    return found


# serving -------------------------------------------------------------------------------------


def test_the_root_opens_the_console(client: TestClient) -> None:
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 307
    assert answer.headers["location"] == "/console/"


@pytest.mark.parametrize(
    ("path", "script"), [("/console/", "console/main.js"), ("/m/", "m/main.js")]
)
def test_shells_are_html_held_to_this_origin(client: TestClient, path: str, script: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    policy = answer.headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY
    # scripts and styles from this origin only: no inline code, no eval
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "unsafe" not in policy
    assert answer.headers["cache-control"] == "no-cache"
    assert f'<script type="module" src="/static/js/{script}">' in answer.text
    assert '<html lang="zh-CN">' in answer.text


@pytest.mark.parametrize("path", ["/console", "/m"])
def test_a_shell_without_its_slash_is_redirected(client: TestClient, path: str) -> None:
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code in (307, 308)
    assert answer.headers["location"].endswith(f"{path}/")


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/static/js/api.js", "javascript"),
        ("/static/js/console/board.js", "javascript"),
        ("/static/css/base.css", "text/css"),
        ("/static/img/tongxin.svg", "image/svg+xml"),
    ],
)
def test_static_files_have_their_types(client: TestClient, path: str, media_type: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    assert media_type in answer.headers["content-type"]


def test_a_missing_static_file_is_a_404(client: TestClient) -> None:
    assert client.get("/static/js/nothing.js").status_code == 404


def test_the_pages_stay_out_of_the_api_description(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert not [path for path in paths if not path.startswith("/api/v1/")]


# reading the files ---------------------------------------------------------------------------


def test_no_page_reaches_another_origin() -> None:
    """No CDN, web font, map tile or analytics: every page works on an offline network."""
    absolute = re.compile(r"https?://", re.IGNORECASE)
    protocol_relative = re.compile(r"""["'(]\s*//[\w-]+(\.[\w-]+)+""")
    offenders = []
    for path in TEXT_FILES:
        text = path.read_text(encoding="utf-8").replace(SVG_NAMESPACE, "")
        for line_number, line in enumerate(text.splitlines(), start=1):
            if absolute.search(line) or protocol_relative.search(line):
                offenders.append(f"{path.relative_to(PAGES)}:{line_number}: {line.strip()}")
    assert offenders == []


def test_every_file_a_page_names_exists() -> None:
    """The shells' scripts, stylesheets and icons, and every ES module import."""
    missing = []
    for shell in SHELLS.glob("*.html"):
        for target in re.findall(r'(?:src|href)="(/static/[^"]+)"', shell.read_text()):
            if not (STATIC / target.removeprefix("/static/")).is_file():
                missing.append(f"{shell.name} → {target}")
    for script in SCRIPTS:
        for target in re.findall(r'^import .*? from "([^"]+)";', script.read_text(), re.M | re.S):
            if not (script.parent / target).resolve().is_file():
                missing.append(f"{script.relative_to(STATIC)} → {target}")
        for target in re.findall(r'"(/static/[^"]+)"', script.read_text()):
            if not (STATIC / target.removeprefix("/static/")).is_file():
                missing.append(f"{script.relative_to(STATIC)} → {target}")
    assert missing == []


def test_every_message_is_in_chinese_and_english() -> None:
    found = messages()
    assert len(found) > 100
    for key, (zh, en) in found.items():
        assert zh and en, key
        assert re.search(r"[\u4e00-\u9fff]", zh), f"{key}: the Chinese text has no Chinese"
        assert set(re.findall(r"\{(\w+)\}", zh)) == set(re.findall(r"\{(\w+)\}", en)), key


def test_every_message_a_page_asks_for_exists() -> None:
    found = messages()
    namespaces = {key.split(".")[0] for key in found}
    literal = re.compile(r'"((?:' + "|".join(sorted(namespaces)) + r')\.[\w.]+)"')
    families = re.compile(r"\bt\(`([\w.]+)\.\$\{")
    unknown = []
    for script in SCRIPTS:
        if script == I18N:
            continue
        text = script.read_text(encoding="utf-8")
        unknown += [f"{script.name}: {key}" for key in literal.findall(text) if key not in found]
        for family in families.findall(text):
            if not any(key.startswith(f"{family}.") for key in found):
                unknown.append(f"{script.name}: {family}.*")
    assert unknown == []


@pytest.mark.parametrize(
    ("family", "values"),
    [
        ("kind", [k.value for k in PersonKind]),
        ("role", [r.value for r in UserRole]),
        ("demand", [d.value for d in DemandKind]),
        ("assignment", [s.value for s in AssignmentStatus]),
        ("wish", [s.value for s in WishStatus]),
        ("situation", [s.value for s in Situation]),
        ("override", [*(k.value for k in OverrideKind), "unassign"]),
        ("fill", ["full", "partial", "empty"]),
        ("nearMiss", list(get_args(NearMissRule))),
    ],
)
def test_every_value_the_api_sends_has_a_name(family: str, values: list[str]) -> None:
    found = messages()
    assert [value for value in values if f"{family}.{value}" not in found] == []


def test_the_pages_know_the_matchers_skills() -> None:
    block = I18N.read_text(encoding="utf-8").split("export const SKILLS = {", 1)[1].split("};")[0]
    pages = dict(re.findall(r'^\s*([\u4e00-\u9fff]+): "([^"]+)",$', block, re.M))
    assert pages == SKILLS


def test_the_package_ships_every_page_file() -> None:
    """``pip install .`` (not only ``-e``) must carry the shells, scripts and styles."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["api.web.pages"]
    shipped = {path for pattern in patterns for path in PAGES.glob(pattern) if path.is_file()}
    data_files = {path for path in PAGE_FILES if path.suffix not in {".py", ".pyc"}}
    assert data_files - shipped == set()
    assert {STATIC / "js" / "i18n.js", SHELLS / "console.html"} <= shipped
