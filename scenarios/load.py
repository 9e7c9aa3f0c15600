"""Scenario files (JSON, see docs/scenarios.md) into ``matcher.domain.Problem``.

A scenario is written by people, often by hand, so every mistake is reported as a
``ScenarioError`` whose lines name the file, the item (with its id) and the field, in Chinese
first and English second. Checking happens in two passes: the JSON Schema (shape, types,
ranges) and then the rules a schema cannot express (known skills, Monday week start, end after
start, unique ids, references). Conversion runs only on data that passed both, so it can trust
what it reads.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import orjson
from jsonschema import Draft202012Validator, ValidationError

from matcher.domain import (
    DAYS_PER_WEEK,
    MINUTES_PER_DAY,
    SITUATIONS_ZH,
    SKILLS,
    WEEKDAYS_EN,
    WEEKDAYS_ZH,
    Demand,
    DemandKind,
    Location,
    Locks,
    Person,
    PersonKind,
    Problem,
    Role,
    Settings,
    WeeklyWindow,
    Weights,
    Window,
    wish_priority,
)
from matcher.pairing import MUST_PAIR_DEFAULT, PairingProblem, PairingRules, SituationSince
from matcher.pairing import Household as PairingHousehold

SCHEMA_PATH = Path(__file__).with_name("schema.json")
MAX_ERRORS = 20
#: a broken file can yield thousands of schema errors; sorting more than this is pointless
MAX_SCHEMA_ERRORS_SCANNED = 500
LOCK_KINDS = ("pinned", "forbidden", "previous")
ITEM_COLLECTIONS = ("grids", "people", "wishes", "posts", "activities")
ANY_SKILL_ROLE_NAME = "不限专长"

Json = dict[str, Any]
JsonPath = tuple[str | int, ...]


class ScenarioError(ValueError):
    """A scenario file that cannot be used, with every problem found (at most ``MAX_ERRORS``).

    ``errors`` holds one line per problem, each naming the file, the item and the field.
    """

    def __init__(self, source: str, errors: list[str], total: int | None = None):
        self.source = source
        self.errors = errors
        self.total = len(errors) if total is None else total
        super().__init__(_summary(errors, self.total))


def _summary(errors: list[str], total: int) -> str:
    if len(errors) == 1 and total == 1:
        return errors[0]
    lines = [f"{total} 处错误 ({total} errors):", *errors]
    if total > len(errors):
        more = total - len(errors)
        lines.append(f"…… 另有 {more} 处未列出 (and {more} more)")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem at a place in the document: ``path`` as jsonschema gives it."""

    path: JsonPath
    zh: str
    en: str


# reading -------------------------------------------------------------------------------------


def load_scenario(path: str | Path) -> Problem:
    """Read, check and convert a scenario file. Raises ``ScenarioError``."""
    source = str(path)
    return parse_scenario(_read_json(Path(path), source), source)


def load_scenario_data(path: str | Path) -> Json:
    """Read and check a scenario file; return the raw dict (names, addresses and all).

    The matcher ignores display data such as addresses; a caller that wants to show them reads
    them here. Convert with ``parse_scenario(data, source)``.
    """
    source = str(path)
    data = _read_json(Path(path), source)
    validate_scenario(data, source)
    return data


def load_scenario_with_data(path: str | Path) -> tuple[Problem, Json]:
    """Both at once, checking the file only once: the problem and the raw dict."""
    data = load_scenario_data(path)
    return _build_problem(data), data


def parse_scenario(data: Any, source: str = "<scenario>") -> Problem:
    """Check a scenario already parsed from JSON and convert it. Raises ``ScenarioError``."""
    validate_scenario(data, source)
    return _build_problem(data)


def _unreadable(source: str, error: Exception) -> ScenarioError:
    return ScenarioError(source, [f"{source}: 无法读取文件 (cannot read file: {error})"])


def _read_json(path: Path, source: str) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise _unreadable(source, error) from None
    try:
        # orjson reads a city-sized file several times faster than the json module
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        # what orjson refuses (bad JSON, bad UTF-8, NaN, a BOM) is read again the old way, so
        # the message, its line and column, and what the json module accepts stay as before
        pass
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _unreadable(source, error) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        line = (
            f"{source}: 第 {error.lineno} 行第 {error.colno} 列 JSON 格式错误 "
            f"(line {error.lineno} column {error.colno}: invalid JSON: {error.msg})"
        )
        raise ScenarioError(source, [line]) from None


# checking ------------------------------------------------------------------------------------


def validate_scenario(data: Any, source: str) -> None:
    """Raise ``ScenarioError`` listing what is wrong with ``data``, or return quietly."""
    issues = _schema_issues(data)
    if not issues:
        # the rules below read fields freely, so they run only on schema-valid data
        issues = _rule_issues(data)
    if issues:
        lines = [render_issue(source, data, issue) for issue in issues[:MAX_ERRORS]]
        raise ScenarioError(source, lines, total=len(issues))


def render_issue(source: str, data: Any, issue: Issue) -> str:
    """``file: people[12] (id "p-0012") field "skills": 中文 (English)``."""
    where = _where(data, issue.path)
    prefix = f"{source}: {where}" if where else source
    return f"{prefix}: {issue.zh} ({issue.en})"


def _where(data: Any, path: JsonPath) -> str:
    item, rest = _split_item(data, path)
    field = _path_text(rest)
    parts = [item] if item else []
    if field:
        parts.append(f'field "{field}"')
    return " ".join(parts)


def _split_item(data: Any, path: JsonPath) -> tuple[str, JsonPath]:
    """Separate the list item a path points into (``people[3] (id "x")``) from its field."""
    if len(path) >= 2 and path[0] in ITEM_COLLECTIONS and isinstance(path[1], int):
        label = f"{path[0]}[{path[1]}]"
        item_id = _item_id(data, str(path[0]), path[1])
        if item_id is not None:
            label += f' (id "{item_id}")'
        return label, path[2:]
    if len(path) >= 3 and path[0] == "locks" and isinstance(path[2], int):
        return f"locks.{path[1]}[{path[2]}]", path[3:]
    return "", path


def _item_id(data: Any, collection: str, index: int) -> str | None:
    try:
        item_id = data[collection][index]["id"]
    except (KeyError, IndexError, TypeError):
        return None
    return item_id if isinstance(item_id, str) else None


def _path_text(path: JsonPath) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


# schema pass ---------------------------------------------------------------------------------


@cache
def scenario_schema() -> Json:
    """The JSON Schema of a scenario file (``scenarios/schema.json``)."""
    schema: Json = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@cache
def _validator() -> Draft202012Validator:
    # resolving "$ref" on every item is about 40% of the time on a city-sized file, so the
    # validator gets the schema with its definitions written in place
    schema = scenario_schema()
    return Draft202012Validator(_inline_refs(schema, schema["$defs"]))


def _inline_refs(node: Any, defs: Json) -> Any:
    """The schema with each local ``{"$ref": "#/$defs/x"}`` replaced by ``x`` itself."""
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    inlined = {k: _inline_refs(v, defs) for k, v in node.items() if k not in ("$ref", "$defs")}
    if "$ref" not in node:
        return inlined
    target = _inline_refs(defs[node["$ref"].removeprefix("#/$defs/")], defs)
    # siblings of a "$ref" in this schema are annotations only, so merging loses no rule
    return {**target, **inlined}


@cache
def _fast_check() -> Callable[[Any], Any]:
    """The schema compiled to Python by fastjsonschema: many times faster than jsonschema.

    It says only valid or not, so an invalid file goes on to jsonschema for the detailed
    messages. The schema uses no keyword newer than draft-07 (``$defs`` are inlined, no
    ``format``), so the draft-07 compiler reads it as draft 2020-12 means it; ``use_default``
    is off so the check never writes defaults into the data.
    """
    schema = scenario_schema()
    inlined = _inline_refs(schema, schema["$defs"])
    inlined["$schema"] = "http://json-schema.org/draft-07/schema#"
    return fastjsonschema.compile(inlined, use_default=False, use_formats=False)


def _schema_issues(data: Any) -> list[Issue]:
    try:
        _fast_check()(data)
    except fastjsonschema.JsonSchemaException:
        pass  # jsonschema below finds and words what is wrong
    else:
        return []
    errors = itertools.islice(_validator().iter_errors(data), MAX_SCHEMA_ERRORS_SCANNED)
    issues = [issue for error in errors for issue in _translate(error)]
    return sorted(issues, key=lambda issue: _path_sort_key(issue.path))


def _path_sort_key(path: JsonPath) -> tuple[tuple[int, int, str], ...]:
    # ints before strings would not compare; keep document order for list indices
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in path)


def _patterns() -> dict[str, tuple[str, str]]:
    defs = scenario_schema()["$defs"]
    return {
        defs["id"]["pattern"]: (
            "编号只能用字母、数字、-、_、.，且以字母或数字开头",
            "an id may use letters, digits, '-', '_', '.' and starts with a letter or digit",
        ),
        defs["date"]["pattern"]: ("日期应写作 YYYY-MM-DD", "a date is written YYYY-MM-DD"),
        defs["time"]["pattern"]: (
            "时刻应写作 HH:MM，分钟为 5 的倍数（结束可为 24:00）",
            "a time is written HH:MM on a 5-minute grid (an end may be 24:00)",
        ),
    }


TYPE_ZH = {
    "string": "文本",
    "integer": "整数",
    "number": "数字",
    "object": "对象 {…}",
    "array": "列表 […]",
    "boolean": "true 或 false",
    "null": "null",
}


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "…"


def _translate(error: ValidationError) -> Iterator[Issue]:
    path: JsonPath = tuple(error.absolute_path)
    kind, limit, value = error.validator, error.validator_value, error.instance
    if kind == "required":
        absent = [p for p in limit if p not in value]
        missing = next((p for p in absent if repr(p) in error.message), absent[0])
        yield Issue((*path, missing), "缺少必填字段", "required field is missing")
    elif kind == "additionalProperties":
        for extra in _unexpected_keys(error.schema, value):
            yield Issue((*path, extra), "未知字段，请检查拼写", "unknown field; check the spelling")
    else:
        zh, en = _describe(kind, limit, value)
        yield Issue(path, zh, en)


def _unexpected_keys(schema: Json, value: Json) -> list[str]:
    known = schema.get("properties", {})
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return sorted(
        key for key in value if key not in known and not any(p.search(key) for p in patterns)
    )


def _describe(kind: str, limit: Any, value: Any) -> tuple[str, str]:
    shown = _show(value)
    if kind == "type":
        wanted: list[str] = limit if isinstance(limit, list) else [limit]
        zh = " 或 ".join(TYPE_ZH[t] for t in wanted)
        return f"应为{zh}，实际为 {shown}", f"must be {' or '.join(wanted)}, got {shown}"
    if kind in ("enum", "const"):
        choices = limit if kind == "enum" else [limit]
        listed = "、".join(_show(c) for c in choices)
        return f"应为 {listed} 之一，实际为 {shown}", f"must be one of {listed}, got {shown}"
    if kind == "pattern":
        zh, en = _patterns().get(limit, ("格式不对", f"must match {limit}"))
        return f"{shown} 格式不对：{zh}", f"{shown} is malformed: {en}"
    bounds = {
        "minimum": ("不能小于", "must be at least"),
        "maximum": ("不能大于", "must be at most"),
        "exclusiveMinimum": ("必须大于", "must be greater than"),
        "exclusiveMaximum": ("必须小于", "must be less than"),
        "multipleOf": ("必须是此数的倍数：", "must be a multiple of"),
    }
    if kind in bounds:
        zh, en = bounds[kind]
        return f"{zh} {limit}，实际为 {shown}", f"{en} {limit}, got {shown}"
    counts = {
        "minLength": ("不能少于 {} 个字符", "must have at least {} characters"),
        "maxLength": ("不能多于 {} 个字符", "must have at most {} characters"),
        "minItems": ("至少需要 {} 项", "needs at least {} entries"),
        "maxProperties": ("最多 {} 项", "may have at most {} entries"),
    }
    if kind in counts:
        zh, en = counts[kind]
        return zh.format(limit), en.format(limit)
    if kind == "uniqueItems":
        return "有重复项", "has duplicate entries"
    return "不符合格式要求", f"does not match the schema ({kind})"


# rule pass -----------------------------------------------------------------------------------


class _Ids:
    """First place each id was seen, to report duplicates against it."""

    def __init__(self) -> None:
        self.first_seen: dict[str, str] = {}

    def add(self, item_id: str, place: str, path: JsonPath, issues: list[Issue]) -> None:
        if item_id in self.first_seen:
            first = self.first_seen[item_id]
            issues.append(
                Issue(
                    path,
                    f"编号「{item_id}」重复，已用于 {first}",
                    f'duplicate id "{item_id}", already used by {first}',
                )
            )
        else:
            self.first_seen[item_id] = place

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.first_seen


def _rule_issues(data: Json) -> list[Issue]:
    issues: list[Issue] = []
    _check_week_start(data["week_start"], issues)
    if "visit_hours" in data.get("settings", {}):
        _check_window(data["settings"]["visit_hours"], ("settings", "visit_hours"), issues)
    skills = set(SKILLS) | set(data.get("extra_skills", {}))
    grids = _check_grids(data.get("grids"), issues)
    grid_communities = {g["id"]: g.get("community", "") for g in data.get("grids", [])}
    people = _check_people(data["people"], skills, grids, issues, grid_communities)
    demands = _Ids()
    _check_wishes(data.get("wishes", []), skills, grids, demands, issues)
    _check_posts(data.get("posts", []), skills, grids, demands, issues)
    _check_activities(data.get("activities", []), skills, grids, demands, issues)
    _check_locks(data.get("locks", {}), people, demands, issues)
    _check_pairing(data, people, grids, issues)
    _check_places(data.get("places", []), grids, issues)
    return issues


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _check_date(text: str, path: JsonPath, issues: list[Issue]) -> date | None:
    day = _parse_date(text)
    if day is None:
        issues.append(Issue(path, f"「{text}」不是有效日期", f'"{text}" is not a valid date'))
    return day


def _check_week_start(text: str, issues: list[Issue]) -> None:
    day = _check_date(text, ("week_start",), issues)
    if day is not None and day.weekday() != 0:
        weekday_zh, weekday_en = WEEKDAYS_ZH[day.weekday()], WEEKDAYS_EN[day.weekday()]
        issues.append(
            Issue(
                ("week_start",),
                f"{text} 是{weekday_zh}，一周须从周一开始",
                f"{text} is a {weekday_en}; a week starts on a Monday",
            )
        )


def _check_skills(
    values: Iterable[str | None], skills: set[str], path: JsonPath, issues: list[Issue]
) -> None:
    for value in values:
        if value is not None and value not in skills:
            issues.append(Issue(path, f"未知专长「{value}」", f'unknown skill "{value}"'))


def _check_grid(item: Json, grids: set[str] | None, path: JsonPath, issues: list[Issue]) -> None:
    grid = item.get("grid", "")
    if grids is not None and grid and grid not in grids:
        issues.append(Issue((*path, "grid"), f"未知网格「{grid}」", f'unknown grid "{grid}"'))


def _check_window(window: Json, path: JsonPath, issues: list[Issue]) -> None:
    start, end = window["start"], window["end"]
    if minute_of_day(end) <= minute_of_day(start):
        issues.append(
            Issue(
                (*path, "end"),
                f"结束时间 {end} 不晚于开始时间 {start}",
                f"end {end} is not after start {start}",
            )
        )


def _check_grids(grids: list[Json] | None, issues: list[Issue]) -> set[str] | None:
    if grids is None:
        return None
    ids = _Ids()
    for index, grid in enumerate(grids):
        ids.add(grid["id"], f"grids[{index}]", ("grids", index, "id"), issues)
    return set(ids.first_seen)


def _check_second_community(
    person: Json, grid_communities: dict[str, str], path: JsonPath, issues: list[Issue]
) -> None:
    """双报到: the second community is another one than the person's own."""
    second = person.get("second_community")
    if second is None:
        return
    own = person.get("community") or grid_communities.get(person.get("grid", ""), "")
    if second["community"] == own:
        issues.append(
            Issue(
                (*path, "second_community", "community"),
                f"第二个报到社区不能是本社区「{own}」",
                f'the second community cannot be the person\'s own community "{own}"',
            )
        )


def _check_people(
    people: list[Json],
    skills: set[str],
    grids: set[str] | None,
    issues: list[Issue],
    grid_communities: dict[str, str] | None = None,
) -> _Ids:
    ids = _Ids()
    grid_communities = grid_communities or {}
    for index, person in enumerate(people):
        path: JsonPath = ("people", index)
        ids.add(person["id"], f"people[{index}]", (*path, "id"), issues)
        _check_skills(person.get("skills", []), skills, (*path, "skills"), issues)
        preferred = person.get("preferred_categories", [])
        _check_skills(preferred, skills, (*path, "preferred_categories"), issues)
        _check_grid(person, grids, path, issues)
        _check_second_community(person, grid_communities, path, issues)
        for k, window in enumerate(person.get("availability", [])):
            _check_window(window, (*path, "availability", k), issues)
        for k, text in enumerate(person.get("unavailable_dates", [])):
            _check_date(text, (*path, "unavailable_dates", k), issues)
    return ids


def _check_wishes(
    wishes: list[Json], skills: set[str], grids: set[str] | None, ids: _Ids, issues: list[Issue]
) -> None:
    for index, wish in enumerate(wishes):
        path: JsonPath = ("wishes", index)
        ids.add(wish["id"], f"wishes[{index}]", (*path, "id"), issues)
        _check_skills([wish["category"]], skills, (*path, "category"), issues)
        _check_skills(wish.get("skills", []), skills, (*path, "skills"), issues)
        _check_grid(wish, grids, path, issues)
        earliest = _check_date(wish["earliest"], (*path, "earliest"), issues)
        deadline = _check_date(wish["deadline"], (*path, "deadline"), issues)
        if earliest and deadline and deadline < earliest:
            issues.append(
                Issue(
                    (*path, "deadline"),
                    f"限期 {deadline} 早于最早日期 {earliest}",
                    f"deadline {deadline} is before earliest {earliest}",
                )
            )


def _check_posts(
    posts: list[Json], skills: set[str], grids: set[str] | None, ids: _Ids, issues: list[Issue]
) -> None:
    for index, post in enumerate(posts):
        path: JsonPath = ("posts", index)
        ids.add(post["id"], f"posts[{index}]", (*path, "id"), issues)
        _check_skills([post.get("category")], skills, (*path, "category"), issues)
        _check_skills(post.get("required_skills", []), skills, (*path, "required_skills"), issues)
        _check_grid(post, grids, path, issues)
        low, high = staff_range(post)
        if low > high:
            issues.append(
                Issue(
                    (*path, "min_staff"),
                    f"最少人数 {low} 大于最多人数 {high}",
                    f"min_staff {low} is more than max_staff {high}",
                )
            )
        for k, shift in enumerate(post["shifts"]):
            shift_path = (*path, "shifts", k)
            _check_window(shift, shift_path, issues)
            sid = shift_id(post["id"], shift["weekday"], shift["start"])
            ids.add(sid, f"posts[{index}].shifts[{k}]", shift_path, issues)


def _check_activities(
    activities: list[Json],
    skills: set[str],
    grids: set[str] | None,
    ids: _Ids,
    issues: list[Issue],
) -> None:
    for index, activity in enumerate(activities):
        path: JsonPath = ("activities", index)
        ids.add(activity["id"], f"activities[{index}]", (*path, "id"), issues)
        _check_skills([activity.get("category")], skills, (*path, "category"), issues)
        for k, role in enumerate(activity["roles"]):
            _check_skills([role.get("skill")], skills, (*path, "roles", k, "skill"), issues)
        _check_grid(activity, grids, path, issues)
        _check_date(activity["date"], (*path, "date"), issues)
        _check_window(activity, path, issues)


def _check_locks(locks: Json, people: _Ids, demands: _Ids, issues: list[Issue]) -> None:
    for kind in LOCK_KINDS:
        for index, pair in enumerate(locks.get(kind, [])):
            path: JsonPath = ("locks", kind, index)
            if pair["person"] not in people:
                person = pair["person"]
                issues.append(
                    Issue((*path, "person"), f"未知人员「{person}」", f'unknown person "{person}"')
                )
            if pair["demand"] not in demands:
                demand = pair["demand"]
                issues.append(
                    Issue((*path, "demand"), f"未知需求「{demand}」", f'unknown demand "{demand}"')
                )


def _check_pairing(data: Json, people: _Ids, grids: set[str] | None, issues: list[Issue]) -> None:
    """Households have unique ids in known grids; pairs name a listed person and household."""
    households = _Ids()
    for index, item in enumerate(data.get("households", [])):
        path: JsonPath = ("households", index)
        households.add(item["id"], f"households[{index}]", (*path, "id"), issues)
        _check_grid(item, grids, path, issues)
        for k, situation in enumerate(item["situations"]):
            if "since" in situation:
                _check_date(situation["since"], (*path, "situations", k, "since"), issues)
    for index, pair in enumerate(data.get("pairing", {}).get("pairs", [])):
        path = ("pairing", "pairs", index)
        if pair["person"] not in people:
            person = pair["person"]
            issues.append(
                Issue((*path, "person"), f"未知人员「{person}」", f'unknown person "{person}"')
            )
        if pair["household"] not in households:
            household = pair["household"]
            issues.append(
                Issue(
                    (*path, "household"),
                    f"未知服务对象「{household}」（须在 households 中）",
                    f'unknown household "{household}" (list it in households)',
                )
            )
        for key in ("since", "last_visit"):
            if key in pair:
                _check_date(pair[key], (*path, key), issues)


def _check_places(places: list[Json], grids: set[str] | None, issues: list[Issue]) -> None:
    """Places have unique ids in known grids; a building names an estate listed before it
    and may go without coordinates; estates and venues have them."""
    ids = _Ids()
    estates: set[str] = set()
    for index, item in enumerate(places):
        path: JsonPath = ("places", index)
        ids.add(item["id"], f"places[{index}]", (*path, "id"), issues)
        _check_grid(item, grids, path, issues)
        if item["kind"] == "estate":
            estates.add(item["id"])
        if item["kind"] == "building":
            estate = item.get("estate")
            if estate not in estates:
                issues.append(
                    Issue(
                        (*path, "estate"),
                        f"楼栋须写明所属小区（排在它前面的小区编号），而不是「{estate or ''}」",
                        f'a building names its estate, listed before it (not "{estate or ""}")',
                    )
                )
        elif "estate" in item:
            issues.append(
                Issue((*path, "estate"), "只有楼栋属于小区", "only a building has an estate")
            )
        if item["kind"] != "building" and "location" not in item:
            issues.append(
                Issue(
                    (*path, "location"),
                    "小区和场所须有坐标",
                    "an estate or a venue needs its location",
                )
            )


def parse_pairing(data: Json, source: str = "<scenario>") -> PairingProblem:
    """A checked scenario's people, registered households, pairing rules and standing pairs as
    the matcher's ``PairingProblem`` (a file without them gives one with no households)."""
    problem = parse_scenario(data, source)
    pairing = data.get("pairing", {})
    community_of_grid = {g["id"]: g.get("community", "") for g in data.get("grids", [])}
    rules = PairingRules(
        max_households_per_member=pairing.get("max_households_per_member", 8),
        must_pair=frozenset(pairing.get("must_pair") or MUST_PAIR_DEFAULT),
        visit_every_weeks=pairing.get("visit_every_weeks", 4),
        new_situation_visit_days=pairing.get("new_situation_visit_days", 7),
        radius_m=problem.settings.radius_m,
    )
    households = tuple(
        PairingHousehold(
            id=item["id"],
            name=item["name"],
            location=Location(item["location"]["lat"], item["location"]["lng"]),
            situations=tuple(
                SituationSince(
                    s["situation"], date.fromisoformat(s["since"]) if "since" in s else None
                )
                for s in item["situations"]
            ),
            grid=item.get("grid", ""),
            community=community_of_grid.get(item.get("grid", ""), ""),
        )
        for item in data.get("households", [])
    )
    return PairingProblem(
        people=problem.people,
        households=households,
        rules=rules,
        existing=frozenset((p["person"], p["household"]) for p in pairing.get("pairs", [])),
        name=problem.name,
    )


# conversion ----------------------------------------------------------------------------------


def minute_of_day(text: str) -> int:
    """Minutes since midnight of ``"HH:MM"`` (``"24:00"`` is 1440)."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def shift_id(post_id: str, weekday: int, start: str) -> str:
    """Demand id of one weekly shift of a post: ``post-id@weekday-HH:MM``, weekday 1 = Monday.

    ``@`` cannot occur in a file's own ids, so a shift id never collides with them.
    """
    return f"{post_id}@{weekday}-{start}"


def staff_range(post: Json) -> tuple[int, int]:
    """A post's (min_staff, max_staff); max defaults to min, and to at least one."""
    low = int(post.get("min_staff", 1))
    return low, int(post.get("max_staff", max(low, 1)))


@dataclass(frozen=True, slots=True)
class _Week:
    start: date
    grid_community: dict[str, str]

    @property
    def last_day(self) -> date:
        return self.start + timedelta(days=DAYS_PER_WEEK - 1)

    def minute(self, day: date, minute_of_day: int = 0) -> int:
        return (day - self.start).days * MINUTES_PER_DAY + minute_of_day

    def community(self, item: Json) -> str:
        """An item's community, else the community of its grid."""
        return item.get("community") or self.grid_community.get(item.get("grid", ""), "")


def _build_problem(data: Json) -> Problem:
    grid_community = {g["id"]: g.get("community", "") for g in data.get("grids", [])}
    week = _Week(date.fromisoformat(data["week_start"]), grid_community)
    people = tuple(_person(item, week) for item in data["people"])
    demands = (
        *_present(_wish(item, week) for item in data.get("wishes", [])),
        *(shift for post in data.get("posts", []) for shift in _shifts(post, week)),
        *_present(_activity(item, week) for item in data.get("activities", [])),
    )
    return Problem(
        week_start=week.start,
        people=people,
        demands=demands,
        locks=_locks(data.get("locks", {}), data.get("posts", []), {d.id for d in demands}),
        settings=_settings(data.get("settings", {})),
        name=data["name"],
    )


def _present(demands: Iterable[Demand | None]) -> tuple[Demand, ...]:
    return tuple(d for d in demands if d is not None)


def _location(item: Json) -> Location:
    return Location(lat=float(item["lat"]), lng=float(item["lng"]))


def _person(item: Json, week: _Week) -> Person:
    return Person(
        id=item["id"],
        name=item["name"],
        kind=PersonKind(item["kind"]),
        skills=frozenset(item.get("skills", [])),
        home=_start(item, week),
        grid=item.get("grid", ""),
        community=week.community(item),
        work_unit=item.get("work_unit", ""),
        availability=tuple(
            WeeklyWindow(w["weekday"] - 1, minute_of_day(w["start"]), minute_of_day(w["end"]))
            for w in item.get("availability", [])
        ),
        unavailable_dates=frozenset(
            date.fromisoformat(d) for d in item.get("unavailable_dates", [])
        ),
        weekly_hours_cap=float(item.get("weekly_hours_cap", 6.0)),
        weekly_task_cap=int(item.get("weekly_task_cap", 3)),
        preferred_categories=frozenset(item.get("preferred_categories", [])),
        services_this_quarter=int(item.get("services_this_quarter", 0)),
        served_households=frozenset(item.get("served_households", [])),
        teams=frozenset(item.get("teams", [])),
    )


def _start(item: Json, week: _Week) -> Location:
    """Where the person sets out from: home, or the place in their second community (双报到)
    when the file holds that community and not their own (a week of the work community)."""
    second = item.get("second_community")
    held = set(week.grid_community.values())
    if (
        second is not None
        and "place" in second
        and second["community"] in held
        and week.community(item) not in held
    ):
        return _location(second["place"])
    return _location(item["home"])


def _role_name(skills: Iterable[str]) -> str:
    return "、".join(sorted(skills)) or ANY_SKILL_ROLE_NAME


def _wish(item: Json, week: _Week) -> Demand | None:
    """A wish may be done on any day from ``earliest`` to ``deadline`` that lies in the week."""
    first = max(date.fromisoformat(item["earliest"]), week.start)
    last = min(date.fromisoformat(item["deadline"]), week.last_day)
    if first > last:
        return None  # its days are all outside this week
    skills = frozenset(item.get("skills", [item["category"]]))
    headcount = int(item.get("headcount", 1))
    situations = tuple(item["beneficiary"].get("situations", []))
    return Demand(
        id=item["id"],
        kind=DemandKind.WISH,
        title=item["title"],
        location=_location(item["location"]),
        roles=(Role(skills, headcount, headcount, name=_role_name(skills)),),
        window=Window(week.minute(first), week.minute(last) + MINUTES_PER_DAY),
        duration=item["duration_minutes"],
        category=item["category"],
        grid=item.get("grid", ""),
        community=week.community(item),
        priority=float(item.get("priority", wish_priority(situations))),
        radius_m=item.get("radius_m"),
        all_or_nothing=headcount > 1,
        separate_visits=bool(item.get("separate_visits", False)),
        household=item["beneficiary"]["id"],
        note="、".join(SITUATIONS_ZH[s] for s in situations),
    )


def _shifts(post: Json, week: _Week) -> Iterator[Demand]:
    low, high = staff_range(post)
    skills = frozenset(post.get("required_skills", []))
    role = Role(skills, low, high, name=_role_name(skills), team=post.get("team", ""))
    for shift in post["shifts"]:
        day = week.start + timedelta(days=shift["weekday"] - 1)
        start, end = minute_of_day(shift["start"]), minute_of_day(shift["end"])
        yield Demand(
            id=shift_id(post["id"], shift["weekday"], shift["start"]),
            kind=DemandKind.SHIFT,
            title=_shift_title(post["name"], shift),
            location=_location(post["location"]),
            roles=(role,),
            window=Window(week.minute(day, start), week.minute(day, end)),
            duration=end - start,
            category=post.get("category", ""),
            grid=post.get("grid", ""),
            community=week.community(post),
            priority=float(post.get("priority", 1.0)),
            party_members_only=post.get("party_members_only", False),
            radius_m=post.get("radius_m"),
        )


def _shift_title(post_name: str, shift: Json) -> str:
    """``党员先锋岗 周六 08:30–11:30``."""
    weekday = WEEKDAYS_ZH[shift["weekday"] - 1]
    return f"{post_name} {weekday} {shift['start']}–{shift['end']}"


def _activity(item: Json, week: _Week) -> Demand | None:
    day = date.fromisoformat(item["date"])
    if not week.start <= day <= week.last_day:
        return None  # another week's activity; the calendar may list the whole month
    start, end = minute_of_day(item["start"]), minute_of_day(item["end"])
    roles = tuple(
        Role(
            frozenset([role["skill"]]) if role.get("skill") else frozenset(),
            int(role["headcount"]),
            int(role["headcount"]),
            name=role.get("skill") or ANY_SKILL_ROLE_NAME,
            team=role.get("team", ""),
        )
        for role in item["roles"]
    )
    note = " · ".join(
        part
        for part in (item.get("theme", ""), _unit_text(item.get("responsible_unit", "")))
        if part
    )
    return Demand(
        id=item["id"],
        kind=DemandKind.ACTIVITY,
        title=item["name"],
        location=_location(item["location"]),
        roles=roles,
        window=Window(week.minute(day, start), week.minute(day, end)),
        duration=end - start,
        category=item.get("category", ""),
        grid=item.get("grid", ""),
        community=week.community(item),
        priority=float(item.get("priority", 1.0)),
        party_members_only=item.get("party_members_only", False),
        radius_m=item.get("radius_m"),
        note=note,
    )


def _unit_text(unit: str) -> str:
    return f"责任单位：{unit}" if unit else ""


def _locks(locks: Json, posts: list[Json], kept: set[str]) -> Locks:
    """Lock pairs as matcher ids: a post id stands for all its shifts.

    Pairs on a demand skipped for this week (an activity on another date, an expired wish) are
    dropped: they cannot bind anything this week.
    """
    post_shifts = {
        post["id"]: [shift_id(post["id"], s["weekday"], s["start"]) for s in post["shifts"]]
        for post in posts
    }

    def pairs(kind: str) -> frozenset[tuple[str, str]]:
        return frozenset(
            (pair["person"], demand)
            for pair in locks.get(kind, [])
            for demand in post_shifts.get(pair["demand"], [pair["demand"]])
            if demand in kept
        )

    return Locks(pinned=pairs("pinned"), forbidden=pairs("forbidden"), previous=pairs("previous"))


def _settings(settings: Json) -> Settings:
    defaults = Settings()
    # JSON Schema counts 2.0 as an integer: make every integer weight a Python int
    weights = Weights(
        **{
            key: value if key == "extra_staff_fraction" else int(value)
            for key, value in settings.get("weights", {}).items()
        }
    )
    return Settings(
        radius_m=float(settings.get("radius_m", defaults.radius_m)),
        weights=weights,
        time_limit_s=float(settings.get("time_limit_s", defaults.time_limit_s)),
        seed=int(settings.get("seed", defaults.seed)),
        quarter_minimum=int(settings.get("quarter_minimum", defaults.quarter_minimum)),
        visit_hours=(
            (
                minute_of_day(settings["visit_hours"]["start"]),
                minute_of_day(settings["visit_hours"]["end"]),
            )
            if "visit_hours" in settings
            else defaults.visit_hours
        ),
    )
