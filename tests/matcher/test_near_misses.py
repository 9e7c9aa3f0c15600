"""The near misses of one seat: everyone exactly one hard rule keeps off it, named by that
rule, on a hand-built week where each person breaks a different rule."""

from __future__ import annotations

from matcher.domain import Locks, PersonKind, Problem
from matcher.ranking import Booked, NearMiss, near_misses, rank_candidates
from tests.support.factories import make_person, make_problem, make_shift, near, wm

SKILL = "纠纷调解"


def week() -> tuple[Problem, dict[str, list[Booked]]]:
    """A mediation desk for party members on Saturday 09:00–11:00, and one person per rule."""
    desk = make_shift("s1", title="人民调解室", skills=(SKILL,), party_members_only=True)
    sorting = make_shift("s2", title="垃圾分类督导", weekday=5, start="09:30", end="10:30")
    radius = make_problem().settings.radius_m

    def member(person_id: str, **fields: object) -> object:
        fields.setdefault("skills", (SKILL,))
        fields.setdefault("home", near(0))
        return make_person(person_id, name=person_id, **fields)  # type: ignore[arg-type]

    people = [
        member("eligible"),
        member("no_skill", skills=()),
        member("volunteer", kind=PersonKind.VOLUNTEER),
        member("far", home=near(radius + 300)),
        member("not_free", availability=()),
        member("forbidden"),
        member("at_task_cap", weekly_task_cap=1),
        member("at_hours_cap", weekly_hours_cap=2.0),
        member("busy"),
        member("two_rules", kind=PersonKind.VOLUNTEER, skills=()),
    ]
    problem = make_problem(
        people,  # type: ignore[arg-type]
        [desk, sorting],
        locks=Locks(forbidden=frozenset({("forbidden", "s1")})),
    )
    booked = {
        "at_task_cap": [Booked(wm(0, "19:00"), wm(0, "20:00"))],
        "at_hours_cap": [Booked(wm(0, "19:00"), wm(0, "20:00"))],
        "busy": [Booked(wm(5, "09:30"), wm(5, "10:30"), demand_id="s2", role=0)],
    }
    return problem, booked


def misses() -> dict[str, NearMiss]:
    problem, booked = week()
    found = near_misses(problem=problem, demand_id="s1", role=0, booked=booked)
    return {m.person_id: m for m in found}


def test_each_person_is_listed_under_the_one_rule_they_break() -> None:
    found = misses()
    assert {person: m.rule for person, m in found.items()} == {
        "no_skill": "skill",
        "volunteer": "member",
        "far": "radius",
        "not_free": "time",
        "forbidden": "forbidden",
        "at_task_cap": "task_cap",
        "at_hours_cap": "hours_cap",
        "busy": "busy",
    }


def test_the_eligible_and_those_two_rules_keep_off_are_not_near_misses() -> None:
    problem, booked = week()
    ranked = rank_candidates(problem=problem, demand_id="s1", role=0, booked=booked)
    assert [c.person_id for c in ranked] == ["eligible"]
    assert "eligible" not in misses()
    assert "two_rules" not in misses()


def test_the_words_carry_the_figure_and_the_consequence() -> None:
    found = misses()
    assert found["far"].why.zh == "超出步行范围300米"
    assert found["far"].why.en == "300 m beyond the walking radius"
    assert "步行约" in found["far"].consequence.zh
    assert found["no_skill"].why.zh == f"缺少「{SKILL}」专长"
    assert found["at_task_cap"].why.zh == "本周已有1项任务（上限1项）"
    assert found["at_hours_cap"].why.zh == "本周已排1小时（上限2小时）"
    assert found["busy"].busy_with == "s2"
    assert found["busy"].why.zh == "此时正在「垃圾分类督导」"
    assert "撤下" in found["busy"].consequence.zh
    assert found["volunteer"].consequence.zh == "这项任务仅限党员参加"


def test_grouped_in_the_order_of_the_rules_table() -> None:
    problem, booked = week()
    found = near_misses(problem=problem, demand_id="s1", role=0, booked=booked)
    assert [m.rule for m in found] == [
        "skill",
        "member",
        "radius",
        "time",
        "forbidden",
        "task_cap",
        "hours_cap",
        "busy",
    ]


def test_the_booking_is_the_seat_time() -> None:
    found = misses()
    assert (found["far"].start, found["far"].end) == (wm(5, "09:00"), wm(5, "11:00"))
