"""Scenario files (docs/scenarios.md) into rows: the demo community, and test data.

A scenario describes one week; importing it gives the standing data behind that week — street,
communities and grids, people with their availability, households and their wishes, posts with
their shift templates (and the week's shifts), the themed month and its activities — plus the
file's pins and forbids as overrides for that week.

Each item keeps its id from the file in ``external_id``. A community is imported once: a second
import of the same community name in the same street is refused before anything is written.

Not imported, because the database derives them from its own history: a person's
``services_this_quarter`` and ``served_households`` (from done assignments) and the file's
``previous`` locks (the published run of the week). Nor are the file's ``settings`` other than
``radius_m`` and ``quarter_minimum``: a community has no place for weights, seed or visit hours.

``add_standard_year`` gives a community the usual fixed year of ``scenarios.standard_year``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from matcher.domain import PersonKind
from models.base import Base
from models.calendar import (
    Activity,
    ActivityRole,
    DayRule,
    RecurringActivity,
    ThemeMonth,
    YearlyTheme,
)
from models.community import Community, Grid, Street
from models.db import bulk_insert, insert_returning_ids
from models.household import Household, HouseholdSituation, Situation
from models.pairing import PairingRules, PairStatus, StandingPair
from models.person import Availability, Person, PersonCategory, PersonSkill, UnavailableDate
from models.place import Place, PlaceKind
from models.post import Post, Shift, ShiftTemplate, generate_shifts
from models.schedule import Override, OverrideKind
from models.team import CommunityMembership, MembershipRole, Team, TeamMember, team_kind_of
from models.versions import bump_versions
from models.wish import Wish, WishStatus
from scenarios.load import minute_of_day, shift_id, staff_range, validate_scenario
from scenarios.standard_year import PARTY_SERVICE_DAY, THEME_MONTHS, THEMES, RoleSpec

Json = dict[str, Any]

#: the street a one-community scenario goes under when neither the caller nor the file names one
DEFAULT_STREET_NAME = "示例街道"
#: a scenario may name its street in this extension field (``x-`` fields are allowed)
STREET_FIELD = "x-street"
IMPORT_REASON = "导入自场景文件 (imported from the scenario file)"
LOCK_OVERRIDE_KINDS = {"pinned": OverrideKind.PIN, "forbidden": OverrideKind.FORBID}
#: people written per INSERT batch: large enough to amortise the round trips, small enough
#: that a batch's parameters stay well under the databases' limits
PEOPLE_BATCH = 2_000
#: told how many people of a community have been written so far: (community, written, total)
Progress = Callable[[str, int, int], None]


class SeedError(ValueError):
    """A scenario that cannot be imported as asked (already imported, or several communities)."""


def import_scenario(
    session: Session,
    data: Json,
    *,
    street_name: str | None = None,
    source: str = "<scenario>",
    checked: bool = False,
    progress: Progress | None = None,
) -> Community:
    """Import a one-community scenario and return its community.

    ``data`` is checked as ``scenarios.load`` checks a file (``ScenarioError`` if it is bad).
    The street is ``street_name``, else the file's ``x-street``, else ``示例街道``; it is
    created if missing. Raises ``SeedError`` if the community was imported before, or if the
    scenario holds several communities (use ``import_street_scenario``).
    """
    if not checked:
        validate_scenario(data, source)
    names = community_names(data)
    if len(names) != 1:
        raise SeedError(
            f"场景包含 {len(names)} 个社区，请用 import_street_scenario 导入 "
            f"(the scenario holds {len(names)} communities; import it with "
            "import_street_scenario)"
        )
    street = _street(session, street_name or data.get(STREET_FIELD) or DEFAULT_STREET_NAME)
    return _Import(session, data, street, names, progress=progress).run()[0]


def import_street_scenario(
    session: Session,
    data: Json,
    *,
    street_name: str | None = None,
    source: str = "<scenario>",
    checked: bool = False,
    progress: Progress | None = None,
) -> Street:
    """Import a scenario of one or more communities under one street and return the street.

    The street is ``street_name``, else the file's ``x-street``, else the scenario's name
    (``凤凰街道``). ``checked``: the caller has validated ``data`` already.
    """
    if not checked:
        validate_scenario(data, source)
    street = _street(session, street_name or data.get(STREET_FIELD) or data["name"])
    _Import(session, data, street, community_names(data), progress=progress).run()
    return street


def _table(model: type[Base]) -> sa.Table:
    """A model's table, for Core statements."""
    table = model.__table__
    assert isinstance(table, sa.Table)
    return table


def street_name_of(data: Json) -> str:
    """The street a multi-community scenario goes under: its ``x-street``, else its name."""
    return str(data.get(STREET_FIELD) or data["name"])


def community_parts(data: Json) -> list[tuple[str, Json]]:
    """A scenario cut into one scenario per community (its grids, people, demands and locks),
    so that each community can be imported, and committed, on its own."""
    grid_community = {g["id"]: g.get("community", "") for g in data.get("grids", [])}
    names = community_names(data)
    if len(names) == 1:
        return [(names[0], data)]
    owner: dict[str, str] = {}
    parts: dict[str, Json] = {}
    lists = ("grids", "people", "households", "wishes", "posts", "activities", "places")
    for name in names:
        part = {k: v for k, v in data.items() if k not in (*lists, "locks", "pairing")}
        parts[name] = part | {key: [] for key in lists if key in data}
    for key in lists:
        for item in data.get(key, []):
            name = _community_of(item, grid_community, data["name"])
            parts[name][key].append(item)
            owner[item["id"]] = name
    for lock_kind, pairs in data.get("locks", {}).items():
        for pair in pairs:
            holder = owner.get(pair["person"])
            if holder is not None:
                locks = parts[holder].setdefault("locks", {})
                locks.setdefault(lock_kind, []).append(pair)
    pairing = data.get("pairing")
    if pairing is not None:
        # each community keeps the rules, and the standing pairs of its own members
        for part in parts.values():
            part["pairing"] = {**pairing, "pairs": []}
        for pair in pairing.get("pairs", []):
            holder = owner.get(pair["person"])
            if holder is not None:
                parts[holder]["pairing"]["pairs"].append(pair)
    return list(parts.items())


def community_names(data: Json) -> list[str]:
    """Community names in order of first mention; items without one belong to the scenario."""
    grid_community = {g["id"]: g.get("community", "") for g in data.get("grids", [])}
    names: dict[str, None] = {}
    for collection in ("grids", "people", "wishes", "posts", "activities"):
        for item in data.get(collection, []):
            names[_community_of(item, grid_community, data["name"])] = None
    return list(names) or [data["name"]]


def _community_of(item: Json, grid_community: dict[str, str], default: str) -> str:
    return item.get("community") or grid_community.get(item.get("grid", ""), "") or default


def _street(session: Session, name: str) -> Street:
    street = session.scalars(sa.select(Street).where(Street.name == name)).one_or_none()
    if street is None:
        street = Street(name=name)
        session.add(street)
    return street


@dataclass
class _Import:
    session: Session
    data: Json
    street: Street
    names: list[str]
    communities: dict[str, Community] = field(default_factory=dict)
    grids: dict[str, Grid] = field(default_factory=dict)
    households: dict[tuple[str, str], Household] = field(default_factory=dict)
    wishes: dict[str, Wish] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    months: dict[tuple[str, int, int], ThemeMonth] = field(default_factory=dict)
    progress: Progress | None = None
    #: a person's scenario id → (person id, community id), once written
    person_ids: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: (community name, team name) → the team, made at its first mention
    teams: dict[tuple[str, str], Team] = field(default_factory=dict)
    grid_community: dict[str, str] = field(init=False)
    week_start: date = field(init=False)
    week_end: date = field(init=False)

    def __post_init__(self) -> None:
        self.grid_community = {g["id"]: g.get("community", "") for g in self.data.get("grids", [])}
        self.week_start = date.fromisoformat(self.data["week_start"])
        self.week_end = self.week_start + timedelta(days=6)

    def run(self) -> list[Community]:
        self._refuse_duplicates()
        for name in self.names:
            self._community(name)
        for item in self.data.get("grids", []):
            self._grid(item)
        self._places()
        self.session.flush()  # the communities', grids' and places' ids, which rows name
        self._people()
        self._teams_and_second_communities()
        for item in self.data.get("households", []):
            self._registered_household(item)
        for item in self.data.get("wishes", []):
            self._wish(item)
        self._pairing()
        for item in self.data.get("posts", []):
            self._post(item)
        for item in self.data.get("activities", []):
            self._activity(item)
        self.session.flush()
        shifts = self._shifts()
        self._overrides(shifts)
        self.session.flush()
        # the people went in past the ORM: their communities' weeks have changed all the same
        bump_versions(self.session, (c.id for c in self.communities.values()))
        return list(self.communities.values())

    def _refuse_duplicates(self) -> None:
        if self.street.id is None:
            return
        existing = self.session.scalars(
            sa.select(Community.name).where(
                Community.street_id == self.street.id, Community.name.in_(self.names)
            )
        ).all()
        if existing:
            listed = "、".join(existing)
            raise SeedError(
                f"「{self.street.name}」已有社区 {listed}，不重复导入 "
                f"(street {self.street.name} already has {', '.join(existing)}; "
                "a community is imported once)"
            )

    def _community_for(self, item: Json) -> Community:
        return self.communities[_community_of(item, self.grid_community, self.data["name"])]

    def _grid_for(self, item: Json) -> Grid | None:
        return self.grids.get(item.get("grid", ""))

    def _community(self, name: str) -> None:
        settings = self.data.get("settings", {})
        community = Community(street=self.street, name=name)
        if "radius_m" in settings:
            community.radius_m = float(settings["radius_m"])
        if "quarter_minimum" in settings:
            community.quarter_minimum = settings["quarter_minimum"]
        self.session.add(community)
        self.communities[name] = community

    def _grid(self, item: Json) -> None:
        center = item.get("center") or {}
        grid = Grid(
            community=self._community_for(item),
            name=item["name"],
            center_lat=center.get("lat"),
            center_lng=center.get("lng"),
            external_id=item["id"],
        )
        self.session.add(grid)
        self.grids[item["id"]] = grid

    def _places(self) -> None:
        """The place directory: estates and venues, then the buildings of each estate."""
        items = self.data.get("places", [])
        for item in sorted(items, key=lambda i: i["kind"] == "building"):
            location = item.get("location") or {}
            place = Place(
                community=self._community_for(item),
                kind=PlaceKind(item["kind"]),
                name=item["name"],
                estate=self.places.get(item.get("estate", "")),
                lat=location.get("lat"),
                lng=location.get("lng"),
                external_id=item["id"],
            )
            self.session.add(place)
            self.places[item["id"]] = place

    def _venue_id(self, community: Community, item: Json) -> int | None:
        """The venue of the community's directory an activity is held at: named by its words
        (「红光社区党群服务中心」) and standing where it is."""
        where = (item["location"]["lat"], item["location"]["lng"])
        for place in self.places.values():
            if (
                place.kind == PlaceKind.VENUE
                and place.community is community
                and place.name == item.get("place")
                and (place.lat, place.lng) == where
            ):
                return place.id
        return None

    def _people(self) -> None:
        """Everyone, in batched INSERTs (executemany) rather than one object at a time: a city
        holds half a million people. Their times, skills, categories and dates off follow in
        batches too."""
        people = self.data["people"]
        written: dict[str, int] = {}
        totals: dict[str, int] = {}
        for item in people:
            name = self._community_for(item).name
            totals[name] = totals.get(name, 0) + 1
        for first in range(0, len(people), PEOPLE_BATCH):
            batch = people[first : first + PEOPLE_BATCH]
            rows = [self._person_row(item) for item in batch]
            # Core INSERTs on the tables: the ORM's bulk path costs more than the database here
            ids = insert_returning_ids(self.session, _table(Person), rows)
            children: dict[type[Base], list[dict[str, Any]]] = {
                Availability: [], PersonSkill: [], PersonCategory: [], UnavailableDate: []
            }  # fmt: skip
            for item, row, person_id in zip(batch, rows, ids, strict=True):
                self.person_ids[item["id"]] = (person_id, row["community_id"])
                children[Availability] += [
                    {
                        "person_id": person_id,
                        "weekday": window["weekday"] - 1,
                        "start_minute": minute_of_day(window["start"]),
                        "end_minute": minute_of_day(window["end"]),
                    }
                    for window in item.get("availability", [])
                ]
                children[PersonSkill] += [
                    {"person_id": person_id, "skill": skill}
                    for skill in set(item.get("skills", []))
                ]
                children[PersonCategory] += [
                    {"person_id": person_id, "category": category}
                    for category in set(item.get("preferred_categories", []))
                ]
                children[UnavailableDate] += [
                    {"person_id": person_id, "day": date.fromisoformat(day)}
                    for day in set(item.get("unavailable_dates", []))
                ]
            for model, child_rows in children.items():
                bulk_insert(self.session, _table(model), child_rows)
            if self.progress is not None:
                touched: dict[str, None] = {}
                for item in batch:
                    community = self._community_for(item).name
                    written[community] = written.get(community, 0) + 1
                    touched[community] = None
                for community in touched:
                    self.progress(community, written[community], totals[community])

    def _team(self, community: Community, name: str) -> Team:
        """The community's team of that name (a scenario names teams; the database keeps them
        per community), made at its first mention with the kind its name tells."""
        key = (community.name, name)
        team = self.teams.get(key)
        if team is None:
            kind, skill = team_kind_of(name)
            team = Team(community=community, name=name, kind=kind, skill=skill)
            self.session.add(team)
            self.session.flush()
            self.teams[key] = team
        return team

    def _teams_and_second_communities(self) -> None:
        """People's teams (in their community, and in their second one when the file holds
        it) and their second community (双报到) when the file holds it."""
        members: set[tuple[int, int]] = set()
        for item in self.data["people"]:
            person_id, _ = self.person_ids[item["id"]]
            own = self._community_for(item)
            second = item.get("second_community")
            there = self.communities.get(second["community"]) if second else None
            if second is not None and there is not None:
                place = second.get("place") or {}
                self.session.add(
                    CommunityMembership(
                        person_id=person_id,
                        community=there,
                        role=MembershipRole(second.get("role", "work")),
                        lat=place.get("lat"),
                        lng=place.get("lng"),
                    )
                )
            for name in item.get("teams", []):
                for community in (own, there) if there is not None else (own,):
                    members.add((self._team(community, name).id, person_id))
        # a community holds thousands of memberships: one batched INSERT, not an object each
        bulk_insert(
            self.session,
            _table(TeamMember),
            [{"team_id": team, "person_id": person} for team, person in sorted(members)],
        )

    def _person_row(self, item: Json) -> dict[str, Any]:
        grid = self._grid_for(item)
        return {
            "kind": PersonKind(item["kind"]),
            "name": item["name"],
            "community_id": self._community_for(item).id,
            "grid_id": grid.id if grid is not None else None,
            "work_unit": item.get("work_unit", ""),
            "home_lat": item["home"]["lat"],
            "home_lng": item["home"]["lng"],
            "weekly_hours_cap": float(item.get("weekly_hours_cap", 6.0)),
            "weekly_task_cap": item.get("weekly_task_cap", 3),
            "phone": item.get("phone"),
            "external_id": item["id"],
        }

    def _registered_household(self, item: Json) -> None:
        """A household of the registry (六必访), with where it lives and since when."""
        community = self._community_for(item)
        household = Household(
            community=community,
            grid=self._grid_for(item),
            name=item["name"],
            address=item.get("address"),
            phone=item.get("phone"),
            external_id=item["id"],
            lat=item["location"]["lat"],
            lng=item["location"]["lng"],
        )
        household.situation_rows = {
            HouseholdSituation(
                situation=Situation(s["situation"]),
                since=date.fromisoformat(s["since"]) if "since" in s else None,
            )
            for s in item["situations"]
        }
        self.session.add(household)
        self.households[(community.name, item["id"])] = household

    def _pairing(self) -> None:
        """Each community's pairing rules, and the standing pairs as confirmed pairs."""
        pairing = self.data.get("pairing")
        if pairing is None:
            return
        for community in self.communities.values():
            self.session.add(
                PairingRules(
                    community=community,
                    max_households_per_member=pairing.get("max_households_per_member", 8),
                    must_pair=sorted(pairing.get("must_pair", [])),
                    visit_every_weeks=pairing.get("visit_every_weeks", 4),
                    new_situation_visit_days=pairing.get("new_situation_visit_days", 7),
                )
            )
        names = {c.id: c for c in self.communities.values()}
        for item in pairing.get("pairs", []):
            person_id, community_id = self.person_ids[item["person"]]
            community = names[community_id]
            household = self.households[(community.name, item["household"])]
            since = date.fromisoformat(item["since"]) if "since" in item else self.week_start
            self.session.add(
                StandingPair(
                    community=community,
                    person_id=person_id,
                    household=household,
                    status=PairStatus.CONFIRMED,
                    confirmed_on=since,
                    last_visit_on=(
                        date.fromisoformat(item["last_visit"]) if "last_visit" in item else None
                    ),
                    confirmed_at=community.local_datetime(since, 9 * 60),
                    reasons=[{"zh": "场景文件中的现有结对", "en": "a standing pair of the file"}],
                )
            )

    def _household(self, item: Json, community: Community) -> Household:
        beneficiary = item["beneficiary"]
        key = (community.name, beneficiary["id"])
        household = self.households.get(key)
        if household is None:
            household = Household(
                community=community,
                grid=self._grid_for(item),
                name=beneficiary["name"],
                address=beneficiary.get("address"),
                phone=beneficiary.get("phone"),
                external_id=beneficiary["id"],
                # a wish is done at the beneficiary's home: where the household lives
                lat=item["location"]["lat"],
                lng=item["location"]["lng"],
            )
            household.situations = {Situation(s) for s in beneficiary.get("situations", [])}
            self.session.add(household)
            self.households[key] = household
        return household

    def _wish(self, item: Json) -> None:
        community = self._community_for(item)
        wish = Wish(
            community=community,
            grid=self._grid_for(item),
            household=self._household(item, community),
            title=item["title"],
            category=item["category"],
            duration_minutes=item["duration_minutes"],
            earliest=date.fromisoformat(item["earliest"]),
            deadline=date.fromisoformat(item["deadline"]),
            headcount=item.get("headcount", 1),
            separate_visits=bool(item.get("separate_visits", False)),
            priority=item.get("priority"),
            lat=item["location"]["lat"],
            lng=item["location"]["lng"],
            radius_m=item.get("radius_m"),
            instructions=item.get("instructions", ""),
            what_to_bring=item.get("what_to_bring", ""),
            # a scenario's wishes are ready to be scheduled
            status=WishStatus.OPEN,
            external_id=item["id"],
        )
        wish.skills = set(item.get("skills", [item["category"]]))
        self.session.add(wish)
        self.wishes[item["id"]] = wish

    def _post(self, item: Json) -> None:
        low, high = staff_range(item)
        post = Post(
            community=self._community_for(item),
            grid=self._grid_for(item),
            name=item["name"],
            category=item.get("category", ""),
            lat=item["location"]["lat"],
            lng=item["location"]["lng"],
            party_members_only=item.get("party_members_only", False),
            min_staff=low,
            max_staff=high,
            priority=float(item.get("priority", 1.0)),
            radius_m=item.get("radius_m"),
            instructions=item.get("instructions", ""),
            what_to_bring=item.get("what_to_bring", ""),
            external_id=item["id"],
            templates=[
                ShiftTemplate(
                    weekday=shift["weekday"] - 1,
                    start_minute=minute_of_day(shift["start"]),
                    end_minute=minute_of_day(shift["end"]),
                )
                for shift in item["shifts"]
            ],
        )
        post.required_skills = set(item.get("required_skills", []))
        if item.get("team"):
            post.team_id = self._team(post.community, item["team"]).id
        self.session.add(post)
        self.posts[item["id"]] = post

    def _theme_month(self, community: Community, day: date, theme: str) -> ThemeMonth:
        key = (community.name, day.year, day.month)
        month = self.months.get(key)
        if month is None:
            # the first activity of a month names its theme
            month = ThemeMonth(community=community, year=day.year, month=day.month, theme=theme)
            self.session.add(month)
            self.months[key] = month
        return month

    def _activity(self, item: Json) -> None:
        community = self._community_for(item)
        day = date.fromisoformat(item["date"])
        theme = item.get("theme")
        activity = Activity(
            community=community,
            theme_month=self._theme_month(community, day, theme) if theme else None,
            grid=self._grid_for(item),
            name=item["name"],
            day=day,
            starts_at=community.local_datetime(day, minute_of_day(item["start"])),
            ends_at=community.local_datetime(day, minute_of_day(item["end"])),
            place=item.get("place", ""),
            place_id=self._venue_id(community, item),
            lat=item["location"]["lat"],
            lng=item["location"]["lng"],
            category=item.get("category", ""),
            responsible_unit=item.get("responsible_unit", ""),
            priority=float(item.get("priority", 1.0)),
            party_members_only=item.get("party_members_only", False),
            radius_m=item.get("radius_m"),
            instructions=item.get("instructions", ""),
            what_to_bring=item.get("what_to_bring", ""),
            external_id=item["id"],
            roles=[
                ActivityRole(
                    position=k,
                    skill=role.get("skill"),
                    headcount=role["headcount"],
                    team_id=self._team(community, role["team"]).id if role.get("team") else None,
                )
                for k, role in enumerate(item["roles"])
            ],
        )
        self.session.add(activity)
        self.activities[item["id"]] = activity

    def _shifts(self) -> dict[str, Shift]:
        """Generate the week's shifts; key them by their scenario id (``post@weekday-HH:MM``)."""
        by_id: dict[str, Shift] = {}
        post_ids = {post.id: external for external, post in self.posts.items()}
        for community in self.communities.values():
            for shift in generate_shifts(self.session, community.id, self.week_start):
                template = shift.template
                if template is None or shift.post_id not in post_ids:
                    continue
                start = f"{template.start_minute // 60:02d}:{template.start_minute % 60:02d}"
                by_id[shift_id(post_ids[shift.post_id], template.weekday + 1, start)] = shift
        return by_id

    def _overrides(self, shifts: dict[str, Shift]) -> None:
        locks = self.data.get("locks", {})
        for lock_kind, override_kind in LOCK_OVERRIDE_KINDS.items():
            for pair in locks.get(lock_kind, []):
                person_id, community_id = self.person_ids[pair["person"]]
                for demand in self._demands(pair["demand"], shifts):
                    if not self._in_week(demand):
                        continue  # as the loader does: a lock on another week binds nothing
                    override = Override(
                        community_id=community_id,
                        week_start=self.week_start,
                        kind=override_kind,
                        person_id=person_id,
                        reason=IMPORT_REASON,
                    )
                    override.demand = demand
                    self.session.add(override)

    def _demands(self, ref: str, shifts: dict[str, Shift]) -> Iterable[Wish | Shift | Activity]:
        if ref in self.wishes:
            return [self.wishes[ref]]
        if ref in self.activities:
            return [self.activities[ref]]
        if ref in self.posts:
            prefix = f"{ref}@"
            return [shift for key, shift in shifts.items() if key.startswith(prefix)]
        return [shifts[ref]] if ref in shifts else []

    def _in_week(self, demand: Wish | Shift | Activity) -> bool:
        if isinstance(demand, Wish):
            return demand.earliest <= self.week_end and demand.deadline >= self.week_start
        return self.week_start <= demand.day <= self.week_end


# the fixed year of a community ---------------------------------------------------------------

#: the usual year's twelve themes (``scenarios.standard_year``, which the generator also reads)
STANDARD_THEMES: tuple[str, ...] = THEMES
#: the party-member service day of every month
STANDARD_SERVICE_DAY = PARTY_SERVICE_DAY.day
#: who runs the year's activities: the scenario files name a co-building unit per dated
#: activity, a community's own fixed year names its party committee and residents' committee
SERVICE_DAY_UNIT = "社区党委"
ACTIVITY_UNIT = "社区居委会"


def add_standard_year(session: Session, community: Community) -> None:
    """Give a community the usual fixed year (``scenarios.standard_year``), unless it has one.

    Twelve themes, the 党员服务日 on the 5th of each month and every themed month's
    activities on their days, all at the community's service centre. A rule keeps one time,
    so the service day is at its workday time (19:00–21:00) also when it falls at a weekend,
    where a generated scenario has it in the morning.
    """
    if session.scalar(sa.select(YearlyTheme.id).where(YearlyTheme.community_id == community.id)):
        return
    for month, theme in enumerate(STANDARD_THEMES, start=1):
        session.add(
            YearlyTheme(
                community_id=community.id,
                month=month,
                theme=theme,
                service_day=STANDARD_SERVICE_DAY,
            )
        )
    hall_name = f"{community.name}党群服务中心"
    # at the service hall of the place directory, if it has one; else the community's centre
    hall = session.scalars(
        sa.select(Place).where(
            Place.community_id == community.id,
            Place.kind == PlaceKind.VENUE,
            Place.name == hall_name,
        )
    ).first()
    lat, lng = hall.location if hall is not None else _centre(session, community)
    common = {
        "community_id": community.id,
        "lat": lat,
        "lng": lng,
        "place": hall_name,
        "place_id": hall.id if hall is not None else None,
    }
    service_day = PARTY_SERVICE_DAY
    rules = [
        RecurringActivity(
            **common,
            name=service_day.name,
            day_rule=DayRule.SERVICE_DAY,
            start_minute=minute_of_day(service_day.workday_time[0]),
            end_minute=minute_of_day(service_day.workday_time[1]),
            responsible_unit=SERVICE_DAY_UNIT,
            party_members_only=service_day.party_members_only,
            roles=_roles(service_day.roles),
        )
    ]
    for month, (_theme, activities) in THEME_MONTHS.items():
        rules.extend(
            RecurringActivity(
                **common,
                name=activity.name,
                month=month,
                day_rule=DayRule.DAY_OF_MONTH,
                day_of_month=activity.day,
                start_minute=minute_of_day(activity.start),
                end_minute=minute_of_day(activity.end),
                category=activity.category,
                responsible_unit=ACTIVITY_UNIT,
                party_members_only=activity.party_members_only,
                roles=_roles(activity.roles),
            )
            for activity in activities
        )
    session.add_all(rules)
    session.flush()


def _roles(roles: Iterable[RoleSpec]) -> list[dict[str, Any]]:
    return [{"skill": skill, "headcount": headcount} for skill, headcount in roles]


def _centre(session: Session, community: Community) -> tuple[float, float]:
    """The mean of the community's grid centres, else of its people's homes."""
    centres = session.execute(
        sa.select(sa.func.avg(Grid.center_lat), sa.func.avg(Grid.center_lng)).where(
            Grid.community_id == community.id, Grid.center_lat.is_not(None)
        )
    ).one()
    if centres[0] is None:
        centres = session.execute(
            sa.select(sa.func.avg(Person.home_lat), sa.func.avg(Person.home_lng)).where(
                Person.community_id == community.id
            )
        ).one()
    if centres[0] is None:
        raise SeedError(
            f"社区「{community.name}」没有网格中心也没有人员住址，无法确定活动地点 "
            f"(community {community.name} has no grid centre and no homes to place activities)"
        )
    return float(centres[0]), float(centres[1])
