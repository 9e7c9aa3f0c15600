"""The authorization matrix of the object routes: every role × every route, in scope and out of
it, with the answer each role gets in the test world (``http_world.py``).

Expected answers: ``ok`` (2xx; or 409 where the role got past the checks and the object's
state refused), 404 out of scope (the same as an unknown id), 403 for a role that may never use
the route, 401 without a token. A new route needs its rows here, or in
``authorization_scheduling.py`` (``tests/api/test_http_authorization_coverage.py`` checks).
"""

from __future__ import annotations

from typing import Any

ROLES = ("street_admin", "coordinator_a", "coordinator_b", "grid_leader_a", "member_a", "anonymous")
OK = "ok"


def _expect(sa: Any, ca: Any, cb: Any, gl: Any, m: Any) -> dict[str, Any]:
    return dict(zip(ROLES, (sa, ca, cb, gl, m, 401), strict=True))


# who manages an object of community A, B or C (street_admin: A and B are in their street)
MANAGE_A = _expect(OK, OK, 404, 403, 403)
MANAGE_B = _expect(OK, 404, OK, 403, 403)
MANAGE_C = _expect(404, 404, 404, 403, 403)
# who reads people and wishes: grid leaders too, in their grid (A1) only
READ_A1 = _expect(OK, OK, 404, OK, 403)
READ_A2 = _expect(OK, OK, 404, 404, 403)
READ_B = _expect(OK, 404, OK, 404, 403)
READ_C = _expect(404, 404, 404, 404, 403)
MEMBER_OWN = _expect(403, 403, 403, 403, OK)
MEMBER_NOT_OWN = _expect(403, 403, 403, 403, 404)
ANYONE = _expect(OK, OK, OK, OK, OK)
#: one's own inbox message: every other caller finds nothing there
OWN_MESSAGE_MEMBER = _expect(404, 404, 404, 404, OK)
OWN_MESSAGE_COORDINATOR_A = _expect(404, OK, 404, 404, 404)
#: routes without login: every caller gets the same answer, a token or none
PUBLIC = dict.fromkeys(ROLES, OK)
#: a body the route refuses as it stands: reached by everyone, refused alike (422)
PUBLIC_REFUSED = dict.fromkeys(ROLES, 422)

WISH = {
    "title": "辅导功课",
    "category": "辅导功课",
    "earliest": "2026-03-02",
    "deadline": "2026-03-06",
    "lat": 24.289,
    "lng": 116.122,
    "beneficiary": {"name": "王小明", "address": "幸福里1号", "phone": "13500000000"},
}
POST = {"name": "治安巡逻", "lat": 24.289, "lng": 116.122}
PLACE = {"kind": "venue", "name": "红光社区党群服务中心", "lat": 24.289, "lng": 116.122}
ACTIVITY = {
    "name": "义诊",
    "day": "2026-03-12",
    "start": "09:00",
    "end": "11:00",
    "lat": 24.2,
    "lng": 116.1,
}
RECURRING = {k: v for k, v in ACTIVITY.items() if k != "day"} | {"day_rule": "service_day"}
TEMPLATE = {"weekday": 6, "start": "19:00", "end": "21:00"}
MONTH = "calendar/2026/3"
WEEK_A = "/communities/{community_a}/weeks/2026-03-02"
TEAM = {"name": "法律援助队", "kind": "specialist", "skill": "法律援助"}
#: a community that does not exist: refused (422) by whoever may set it
SECOND = {"community_id": 999999, "role": "work"}
PAIR_LOCK = {"household_id": 999999, "person_id": 1, "kind": "forbid"}

# (method, path with {names} of world ids, body, expectations)
CASES: list[tuple[str, str, Any, dict[str, Any]]] = [
    ("GET", "/me", None, ANYONE),
    ("GET", "/me/messages", None, ANYONE),
    ("GET", "/me/messages/settings", None, ANYONE),
    ("PUT", "/me/messages/settings", {"language": "zh"}, ANYONE),
    ("POST", "/me/messages/{message_member_a}/read", None, OWN_MESSAGE_MEMBER),
    ("POST", "/me/messages/{message_coordinator_a}/read", None, OWN_MESSAGE_COORDINATOR_A),
    ("PUT", "/me/availability", {"availability": []}, MEMBER_OWN),
    ("GET", "/me/assignments", None, MEMBER_OWN),
    ("GET", "/me/assignments.ics", None, MEMBER_OWN),
    ("GET", "/me/calendar-feed", None, MEMBER_OWN),
    ("POST", "/me/calendar-feed", None, MEMBER_OWN),
    # the feed's token is the key: no such feed, whoever asks
    ("GET", "/calendar/no-such-feed.ics", None, dict.fromkeys(ROLES, 404)),
    ("POST", "/me/assignments/{assignment_own}/confirm", None, MEMBER_OWN),
    ("POST", "/me/assignments/{assignment_other}/confirm", None, MEMBER_NOT_OWN),
    ("POST", "/me/assignments/{assignment_draft}/confirm", None, MEMBER_NOT_OWN),
    ("POST", "/me/assignments/{assignment_other}/decline", None, MEMBER_NOT_OWN),
    ("POST", "/me/assignments/{assignment_other}/hours", {"hours": 2}, MEMBER_NOT_OWN),
    ("POST", "/me/assignments/{assignment_own}/hours", {"hours": 1}, MEMBER_OWN),
    # the member's loop: open work, claims, offers after a decline, check-in
    ("GET", "/me/open-work", None, MEMBER_OWN),
    ("GET", "/me/offers", None, MEMBER_OWN),
    ("POST", "/me/offers/999999/accept", None, MEMBER_NOT_OWN),
    (
        "POST",
        "/me/claims",
        {"run_id": 999999, "demand_kind": "shift", "demand_id": 1, "role": 0},
        MEMBER_NOT_OWN,
    ),
    ("POST", "/me/check-in", {"code": "ZZZZZZ"}, _expect(403, 403, 403, 403, 422)),
    ("POST", "/me/check-out", {"code": "ZZZZZZ"}, _expect(403, 403, 403, 403, 422)),
    ("GET", "/assignments/{assignment_own}/check-in-code", None, MANAGE_A),
    ("GET", "/assignments/{assignment_own}/check-in-qr.svg", None, MANAGE_A),
    ("GET", "/escalations", None, _expect(OK, OK, OK, OK, 403)),
    ("GET", "/communities/{community_a}/people", None, READ_A1),
    ("GET", "/communities/{community_b}/people", None, READ_B),
    ("GET", "/communities/{community_c}/people", None, READ_C),
    ("GET", "/people/{person_a1}", None, READ_A1),
    ("GET", "/people/{person_a2}", None, READ_A2),
    ("GET", "/people/{person_b1}", None, READ_B),
    ("GET", "/people/{person_c1}", None, READ_C),
    ("GET", "/communities/{community_a}/grids", None, READ_A1),
    ("GET", "/communities/{community_c}/grids", None, READ_C),
    ("GET", "/communities/{community_a}/wishes", None, READ_A1),
    ("GET", "/communities/{community_c}/wishes", None, READ_C),
    ("POST", "/communities/{community_a}/wishes", WISH, MANAGE_A),
    ("POST", "/communities/{community_b}/wishes", WISH, MANAGE_B),
    ("POST", "/communities/{community_c}/wishes", WISH, MANAGE_C),
    ("GET", "/wishes/{wish_a1}", None, READ_A1),
    ("GET", "/wishes/{wish_a2}", None, READ_A2),
    ("GET", "/wishes/{wish_b1}", None, READ_B),
    ("GET", "/wishes/{wish_c1}", None, READ_C),
    ("PATCH", "/wishes/{wish_a1}", {"title": "换水龙头"}, MANAGE_A),
    ("PATCH", "/wishes/{wish_c1}", {"title": "换水龙头"}, MANAGE_C),
    ("POST", "/wishes/{wish_a1}/advance", {"status": "verified"}, MANAGE_A),
    ("POST", "/wishes/{wish_b1}/advance", {"status": "verified"}, MANAGE_B),
    ("POST", "/wishes/{wish_c1}/advance", {"status": "verified"}, MANAGE_C),
    ("POST", "/wishes/{wish_a1}/follow-up", {"rating": 5}, MANAGE_A),
    ("POST", "/wishes/{wish_c1}/follow-up", {"rating": 5}, MANAGE_C),
    # the place directory: read by whoever reads the community, kept by its managers
    ("GET", "/communities/{community_a}/places", None, READ_A1),
    ("GET", "/communities/{community_c}/places", None, READ_C),
    ("POST", "/communities/{community_a}/places", PLACE, MANAGE_A),
    ("POST", "/communities/{community_c}/places", PLACE, MANAGE_C),
    ("PATCH", "/places/{place_a}", {"lat": 24.2891, "lng": 116.1221}, MANAGE_A),
    ("PATCH", "/places/{place_c}", {"lat": 24.2891, "lng": 116.1221}, MANAGE_C),
    ("POST", "/communities/{community_a}/places/import", None, _expect(422, 422, 404, 403, 403)),
    ("POST", "/communities/{community_c}/places/import", None, _expect(404, 404, 404, 403, 403)),
    ("GET", "/communities/{community_a}/home-places", None, PUBLIC),
    ("GET", "/communities/{community_a}/posts", None, MANAGE_A),
    ("GET", "/communities/{community_c}/posts", None, MANAGE_C),
    ("POST", "/communities/{community_a}/posts", POST, MANAGE_A),
    ("POST", "/communities/{community_c}/posts", POST, MANAGE_C),
    ("GET", "/posts/{post_a}", None, MANAGE_A),
    ("GET", "/posts/{post_b}", None, MANAGE_B),
    ("GET", "/posts/{post_c}", None, MANAGE_C),
    ("PATCH", "/posts/{post_a}", {"min_staff": 1}, MANAGE_A),
    ("PATCH", "/posts/{post_c}", {"min_staff": 1}, MANAGE_C),
    ("POST", "/posts/{post_a}/templates", TEMPLATE, MANAGE_A),
    ("POST", "/posts/{post_c}/templates", TEMPLATE, MANAGE_C),
    ("GET", "/communities/{community_a}/" + MONTH, None, MANAGE_A),
    ("GET", "/communities/{community_c}/" + MONTH, None, MANAGE_C),
    ("PUT", "/communities/{community_a}/" + MONTH, {"theme": "学雷锋志愿服务月"}, MANAGE_A),
    ("PUT", "/communities/{community_c}/" + MONTH, {"theme": "学雷锋志愿服务月"}, MANAGE_C),
    ("POST", "/communities/{community_a}/" + MONTH + "/activities", ACTIVITY, MANAGE_A),
    ("POST", "/communities/{community_c}/" + MONTH + "/activities", ACTIVITY, MANAGE_C),
    ("GET", "/activities/{activity_a}", None, MANAGE_A),
    ("GET", "/activities/{activity_b}", None, MANAGE_B),
    ("GET", "/activities/{activity_c}", None, MANAGE_C),
    ("PATCH", "/activities/{activity_a}", {"what_to_bring": "水杯"}, MANAGE_A),
    ("PATCH", "/activities/{activity_c}", {"what_to_bring": "水杯"}, MANAGE_C),
    # standing pairs (结对帮扶); an unknown pair or household answers 404 like one out of scope
    ("GET", "/communities/{community_a}/pairs", None, MANAGE_A),
    ("GET", "/communities/{community_c}/pairs", None, MANAGE_C),
    ("POST", "/communities/{community_a}/pairs/propose", None, MANAGE_A),
    ("POST", "/communities/{community_c}/pairs/propose", None, MANAGE_C),
    ("POST", "/communities/{community_a}/pairs/999999/confirm", None, MANAGE_C),
    ("POST", "/communities/{community_a}/pairs/999999/end", None, MANAGE_C),
    ("PUT", "/communities/{community_a}/pair-locks", PAIR_LOCK, MANAGE_C),
    ("DELETE", "/communities/{community_a}/pair-locks/999999/{person_a1}", None, MANAGE_C),
    # teams (团队), a team's claim of a wish (帮帮团), a second community (双报到); an unknown
    # team answers 404 like one out of scope
    ("GET", "/communities/{community_a}/teams", None, MANAGE_A),
    ("GET", "/communities/{community_c}/teams", None, MANAGE_C),
    ("POST", "/communities/{community_a}/teams", TEAM, MANAGE_A),
    ("POST", "/communities/{community_c}/teams", TEAM, MANAGE_C),
    ("PATCH", "/communities/{community_a}/teams/999999", {"active": False}, MANAGE_C),
    ("PUT", "/communities/{community_a}/teams/999999/members/{person_a1}", {}, MANAGE_C),
    ("DELETE", "/communities/{community_a}/teams/999999/members/{person_a1}", None, MANAGE_C),
    (
        "GET",
        "/communities/{community_a}/team-report/2026-03-01/2026-03-31",
        None,
        MANAGE_A,
    ),
    (
        "GET",
        "/communities/{community_c}/team-report/2026-03-01/2026-03-31",
        None,
        MANAGE_C,
    ),
    ("PUT", "/wishes/{wish_a1}/team-claim", {"team_id": 999999}, MANAGE_C),
    ("PUT", "/wishes/{wish_c1}/team-claim", {"team_id": 999999}, MANAGE_C),
    ("DELETE", "/wishes/{wish_a1}/team-claim", None, MANAGE_A),
    ("PUT", "/people/{person_a1}/second-community", SECOND, _expect(422, 422, 404, 403, 403)),
    ("PUT", "/people/{person_c1}/second-community", SECOND, MANAGE_C),
    ("DELETE", "/people/{person_a1}/second-community", None, MANAGE_C),
    ("GET", "/communities/{community_a}/households/999999/visits", None, MANAGE_C),
    ("GET", "/communities/{community_a}/pairing-rules", None, MANAGE_A),
    ("GET", "/communities/{community_c}/pairing-rules", None, MANAGE_C),
    ("PATCH", "/communities/{community_a}/pairing-rules", {"visit_every_weeks": 2}, MANAGE_A),
    ("PATCH", "/communities/{community_c}/pairing-rules", {"visit_every_weeks": 2}, MANAGE_C),
    ("GET", "/communities/{community_a}/yearly-calendar", None, MANAGE_A),
    ("GET", "/communities/{community_c}/yearly-calendar", None, MANAGE_C),
    ("PUT", "/communities/{community_a}/yearly-calendar/months/3", {"theme": "学雷锋"}, MANAGE_A),
    ("PUT", "/communities/{community_c}/yearly-calendar/months/3", {"theme": "学雷锋"}, MANAGE_C),
    ("POST", "/communities/{community_a}/yearly-calendar/activities", RECURRING, MANAGE_A),
    ("POST", "/communities/{community_c}/yearly-calendar/activities", RECURRING, MANAGE_C),
    ("DELETE", "/recurring-activities/{recurring_b}", None, MANAGE_B),
    # 报到审核 (the world's people are approved already: a 409 past every access check)
    ("GET", "/communities/{community_a}/registrations", None, MANAGE_A),
    ("GET", "/communities/{community_c}/registrations", None, MANAGE_C),
    ("POST", "/people/{person_a1}/approve", {}, MANAGE_A),
    ("POST", "/people/{person_c1}/approve", {}, MANAGE_C),
    ("POST", "/people/{person_b1}/reject", None, MANAGE_B),
    # 人员: corrections, deactivating and taking back (managers; history stays)
    ("PATCH", "/people/{person_a1}", {"weekly_task_cap": 3}, MANAGE_A),
    ("PATCH", "/people/{person_c1}", {"weekly_task_cap": 3}, MANAGE_C),
    ("POST", "/people/{person_a2}/activate", None, MANAGE_A),
    ("POST", "/people/{person_c1}/activate", None, MANAGE_C),
    ("POST", "/people/{person_b1}/deactivate", None, MANAGE_B),
    ("POST", "/people/{person_c1}/deactivate", None, MANAGE_C),
    ("POST", "/people/{person_c1}/reject", None, MANAGE_C),
    # hours a coordinator records on a task; hours waiting for approval, refused
    ("POST", "/assignments/{assignment_own}/hours", {"hours": 1}, MANAGE_A),
    ("GET", "/communities/{community_a}/hours-waiting", None, MANAGE_A),
    ("GET", "/communities/{community_c}/hours-waiting", None, MANAGE_C),
    ("POST", "/assignments/{assignment_own}/hours/reject", {}, MANAGE_A),
    ("DELETE", "/recurring-activities/{recurring_c}", None, MANAGE_C),
    # the console's week, map and dashboard: readers, grid leaders within their grids
    ("GET", WEEK_A, None, READ_A1),
    ("GET", "/communities/{community_c}/weeks/2026-03-02", None, READ_C),
    ("GET", WEEK_A + "/demands/activity/{activity_a}/candidates", None, READ_A2),
    ("GET", WEEK_A + "/demands/activity/{activity_a}/near-misses", None, READ_A2),
    # 社区设置与操作记录: managers of the community
    ("GET", "/communities/{community_a}/settings", None, MANAGE_A),
    ("GET", "/communities/{community_c}/settings", None, MANAGE_C),
    ("PATCH", "/communities/{community_a}/settings", {"quarter_minimum": 3}, MANAGE_A),
    ("PATCH", "/communities/{community_c}/settings", {"quarter_minimum": 3}, MANAGE_C),
    ("GET", "/communities/{community_a}/audit", None, MANAGE_A),
    ("GET", "/communities/{community_c}/audit", None, MANAGE_C),
    ("GET", "/runs/{run_a}/moves", None, READ_A1),
    ("GET", "/communities/{community_a}/map", None, READ_A1),
    ("GET", "/communities/{community_c}/map", None, READ_C),
    ("GET", "/communities/{community_a}/dashboard", None, READ_A1),
    ("GET", "/communities/{community_c}/dashboard", None, READ_C),
    # 公示栏: readers; a grid leader's own grid, or none named
    ("GET", WEEK_A + "/notice", None, READ_A1),
    ("GET", WEEK_A + "/notice?grid_id={grid_a1}", None, READ_A1),
    ("GET", WEEK_A + "/notice?grid_id={grid_a2}", None, READ_A2),
    ("GET", "/communities/{community_c}/weeks/2026-03-02/notice", None, READ_C),
    ("GET", WEEK_A + "/schedule.xlsx", None, READ_A1),
    ("GET", WEEK_A + "/schedule.csv", None, READ_A1),
    ("GET", "/communities/{community_c}/weeks/2026-03-02/schedule.csv", None, READ_C),
    ("GET", "/communities/{community_a}/service-records/2026/q1.xlsx", None, READ_A1),
    ("GET", "/communities/{community_a}/service-records/2026/q1.csv", None, READ_A1),
    ("GET", "/communities/{community_c}/service-records/2026/q1.csv", None, READ_C),
    # the roster: the template, and an import without a file (refused once in scope)
    ("GET", "/communities/{community_a}/roster/template.xlsx", None, MANAGE_A),
    ("GET", "/communities/{community_c}/roster/template.xlsx", None, MANAGE_C),
    ("POST", "/communities/{community_a}/roster/import", None, _expect(422, 422, 404, 403, 403)),
    ("POST", "/communities/{community_c}/roster/import", None, _expect(404, 404, 404, 403, 403)),
    # work units: one record for every community, kept by any coordinator or street admin
    ("GET", "/work-units/records", None, _expect(OK, OK, OK, 403, 403)),
    ("POST", "/work-units", {"name": "区人民医院"}, _expect(OK, OK, OK, 403, 403)),
    ("PATCH", "/work-units/999999", {"contact_name": "张主任"}, _expect(404, 404, 404, 403, 403)),
    # without login
    ("GET", "/work-units", None, PUBLIC),
    ("GET", "/communities/{community_a}/registration-link", None, PUBLIC),
    ("GET", "/communities/{community_c}/registration-qr.svg", None, PUBLIC),
    ("GET", "/privacy-notice", None, PUBLIC),
    ("GET", "/communities", None, PUBLIC),
    ("POST", "/registrations", {}, PUBLIC_REFUSED),
    ("POST", "/auth/token", None, PUBLIC_REFUSED),
]
