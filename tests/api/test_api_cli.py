"""The ``tongxin`` command line, driven through typer's test runner."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli.commands import app

runner = CliRunner()

# A tiny week: one plumber next door to a wish, one volunteer for a Saturday post shift.
# The beneficiary's address and phone are in the file but must never be printed.
TINY_SCENARIO: dict[str, Any] = {
    "format_version": 1,
    "name": "小小社区 Tiny community",
    "week_start": "2025-03-03",
    "grids": [{"id": "g1", "name": "第一网格"}],
    "people": [
        {
            "id": "p1",
            "name": "张伟",
            "kind": "party_member",
            "skills": ["水电维修"],
            "home": {"lat": 30.6600, "lng": 104.0600},
            "grid": "g1",
            "phone": "13900000001",
            "availability": [{"weekday": 3, "start": "19:00", "end": "21:00"}],
        },
        {
            "id": "p2",
            "name": "王芳",
            "kind": "volunteer",
            "home": {"lat": 30.6605, "lng": 104.0605},
            "grid": "g1",
            "availability": [{"weekday": 6, "start": "08:00", "end": "12:00"}],
        },
    ],
    "wishes": [
        {
            "id": "w1",
            "title": "修理漏水的水管",
            "category": "水电维修",
            "beneficiary": {
                "id": "h1",
                "name": "李奶奶",
                "situations": ["elderly_alone"],
                "address": "幸福路8号3单元201",
                "phone": "13800000000",
            },
            "location": {"lat": 30.6610, "lng": 104.0610},
            "grid": "g1",
            "duration_minutes": 60,
            "earliest": "2025-03-03",
            "deadline": "2025-03-09",
        }
    ],
    "posts": [
        {
            "id": "post1",
            "name": "党员先锋岗",
            "location": {"lat": 30.6602, "lng": 104.0602},
            "grid": "g1",
            "min_staff": 1,
            "shifts": [{"weekday": 6, "start": "09:00", "end": "11:00"}],
        }
    ],
    "settings": {"time_limit_s": 5},
}


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


# --- help ---------------------------------------------------------------------------------


def test_help_is_bilingual() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    assert "同心" in result.output
    assert "party members" in result.output
    for command in ("solve", "scenario", "bench"):
        assert command in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["solve", "--help"], ("--time-limit", "--seed", "--json", "--greedy", "求解", "seconds")),
        (["scenario", "generate", "--help"], ("--kind", "--seed", "--output", "--name", "场景")),
        (["bench", "--help"], ("--time-limit", "--scenario", "基准", "benchmark")),
    ],
)
def test_command_help(args: list[str], words: tuple[str, ...]) -> None:
    result = runner.invoke(app, args, env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    for word in words:
        assert word in result.output


def test_help_does_not_import_the_solver() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from api.cli.commands import app\n"
        "assert CliRunner().invoke(app, ['--help']).exit_code == 0\n"
        "heavy = [m for m in ('ortools', 'numpy', 'matcher.solver', 'scenarios.load')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- bad input ----------------------------------------------------------------------------


def test_bad_scenario_exits_2_with_a_message(tmp_path: Path) -> None:
    bad = dict(TINY_SCENARIO)
    bad["people"] = [{**TINY_SCENARIO["people"][0], "kind": "robot"}]
    path = _write(tmp_path / "bad.json", bad)
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.strip()
    assert "bad.json" in result.output or "p1" in result.output or "kind" in result.output


def test_unparsable_scenario_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{ not json", encoding="utf-8")
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_missing_scenario_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["solve", str(tmp_path / "nowhere.json")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "nowhere.json" in result.output


def test_conflicting_pins_exit_2_with_reasons(tmp_path: Path) -> None:
    data = dict(TINY_SCENARIO)
    data["activities"] = [
        {
            "id": f"a{i}",
            "name": f"学雷锋活动{i}",
            "date": "2025-03-08",
            "start": "09:00",
            "end": "11:00",
            "location": {"lat": 30.6602, "lng": 104.0602},
            "roles": [{"headcount": 1}],
        }
        for i in (1, 2)
    ]
    data["locks"] = {"pinned": [{"person": "p2", "demand": "a1"}, {"person": "p2", "demand": "a2"}]}
    result = runner.invoke(app, ["solve", str(_write(tmp_path / "locks.json", data))])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "锁定" in result.output and "locks" in result.output.lower()


# --- scenario generate --------------------------------------------------------------------


def test_generate_writes_a_loadable_file(tmp_path: Path) -> None:
    from scenarios.load import load_scenario

    out = tmp_path / "gen" / "community.json"
    result = runner.invoke(
        app,
        ["scenario", "generate", "--kind", "community", "--seed", "3", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert out.exists()
    assert "人员 People" in result.output
    assert "任务 Demands" in result.output
    problem = load_scenario(out)
    assert str(len(problem.people)) in result.output


def test_generate_takes_a_name(tmp_path: Path) -> None:
    out = tmp_path / "named.json"
    result = runner.invoke(
        app, ["scenario", "generate", "--seed", "1", "-o", str(out), "--name", "示例社区"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["name"] == "示例社区"


def test_generate_rejects_an_unknown_kind(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["scenario", "generate", "--kind", "village", "-o", str(tmp_path / "x.json")]
    )
    assert result.exit_code == 2
    assert not (tmp_path / "x.json").exists()


def test_generate_scales_people_per_community(tmp_path: Path) -> None:
    out = tmp_path / "city.json"
    result = runner.invoke(
        app,
        ["scenario", "generate", "--kind", "city", "--communities", "2",
         "--people-per-community", "700", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    people = json.loads(out.read_text(encoding="utf-8"))["people"]
    assert 2 * 650 <= len(people) <= 2 * 750


def test_generate_refuses_an_unknown_preset_and_a_bad_size(tmp_path: Path) -> None:
    unknown = runner.invoke(
        app, ["scenario", "generate", "--preset", "atlantis", "-o", str(tmp_path / "x.json")]
    )
    assert unknown.exit_code == 2
    assert "未知的预设" in unknown.output and "guiyang" in unknown.output
    zero = runner.invoke(
        app,
        ["scenario", "generate", "--people-per-community", "0", "-o", str(tmp_path / "y.json")],
    )
    assert zero.exit_code == 2
    assert not (tmp_path / "x.json").exists() and not (tmp_path / "y.json").exists()


# --- bench --------------------------------------------------------------------------------


def test_bench_passes_its_options(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[float | None, list[str] | None]] = []

    def fake_main(time_limit: float | None, scenarios: list[str] | None) -> None:
        calls.append((time_limit, scenarios))

    package = types.ModuleType("bench")
    package.__path__ = []
    module = types.ModuleType("bench.run")
    module.main = fake_main  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bench", package)
    monkeypatch.setitem(sys.modules, "bench.run", module)

    result = runner.invoke(
        app, ["bench", "--time-limit", "2.5", "--scenario", "a", "--scenario", "b"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["bench"])
    assert result.exit_code == 0, result.output
    assert calls == [(2.5, ["a", "b"]), (None, None)]


# --- solving end to end ---------------------------------------------------------------------


def test_solve_overrides_time_limit_and_seed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matcher.domain import Problem, Solution

    seen: list[Problem] = []

    def fake_solve(problem: Problem) -> Solution:
        seen.append(problem)
        return Solution("empty", (), (), 0, 0, {}, 0.0, 0.0)

    fake = types.ModuleType("matcher.solver")
    fake.solve = fake_solve  # type: ignore[attr-defined]
    fake.solve_greedy = fake_solve  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "matcher.solver", fake)

    path = _write(tmp_path / "tiny.json", TINY_SCENARIO)
    result = runner.invoke(app, ["solve", str(path), "--time-limit", "1.5", "--seed", "9"])
    assert result.exit_code == 0, result.output
    assert seen[0].settings.time_limit_s == 1.5
    assert seen[0].settings.seed == 9

    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 0, result.output
    assert seen[1].settings.time_limit_s == 5  # from the file


def _solve_json(path: Path, *extra: str) -> dict[str, Any]:
    result = runner.invoke(app, ["solve", str(path), "--json", *extra])
    assert result.exit_code == 0, result.output
    assert "幸福路" not in result.stdout
    assert "13800000000" not in result.stdout
    assert "13900000001" not in result.stdout
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def test_solve_json_end_to_end(tmp_path: Path) -> None:
    out = _solve_json(_write(tmp_path / "tiny.json", TINY_SCENARIO), "--time-limit", "5")
    assert out["status"] in ("optimal", "feasible")
    by_demand = {a["demand"]["id"]: a for a in out["assignments"]}
    wish = by_demand["w1"]
    assert wish["person"]["name"] == "张伟"
    assert wish["date"] == "2025-03-05"  # the plumber is free on Wednesday evening only
    assert "19:00" <= wish["start"] < wish["end"] <= "21:00"
    assert wish["demand"].get("beneficiary", "李奶奶") == "李奶奶"
    assert wish["reasons"]
    assert {r.keys() >= {"zh", "en"} for r in wish["reasons"]} == {True}
    post = [a for a in out["assignments"] if a["demand"]["kind"] == "shift"]
    assert [a["person"]["name"] for a in post] == ["王芳"]
    assert (post[0]["start"], post[0]["end"]) == ("09:00", "11:00")
    assert out["gaps"] == []


def test_solve_greedy_json_end_to_end(tmp_path: Path) -> None:
    out = _solve_json(_write(tmp_path / "tiny.json", TINY_SCENARIO), "--greedy")
    assert {a["demand"]["id"] for a in out["assignments"]} >= {"w1"}


def test_solve_prints_tables(tmp_path: Path) -> None:
    result = runner.invoke(app, ["solve", str(_write(tmp_path / "tiny.json", TINY_SCENARIO))])
    assert result.exit_code == 0, result.output
    assert "小小社区" in result.output
    assert "第一网格" in result.output
    assert "张伟" in result.output and "王芳" in result.output
    assert "小结 Summary" in result.output
    assert "幸福路" not in result.output
    assert "13800000000" not in result.output


def test_solve_reports_a_gap_with_its_reason(tmp_path: Path) -> None:
    data = dict(TINY_SCENARIO)
    data["wishes"] = [
        {**TINY_SCENARIO["wishes"][0], "id": "w2", "title": "辅导功课", "category": "辅导功课"}
    ]
    out = _solve_json(_write(tmp_path / "gap.json", data))
    (gap,) = out["gaps"]
    assert gap["demand"]["id"] == "w2"
    assert gap["essential_missing"] == 1
    assert gap["reason"]["zh"] and gap["reason"]["en"]


def test_bundled_scenario_json_keeps_contact_details_private() -> None:
    path = Path(__file__).resolve().parents[2] / "scenarios" / "hongguang.json"
    secrets: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("address", "phone") and isinstance(item, str):
                    secrets.add(item)
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(json.loads(path.read_text(encoding="utf-8")))
    result = runner.invoke(app, ["solve", str(path), "--json", "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["assignments"]
    assert secrets, "the scenario should carry addresses for this test to mean something"
    leaked = [s for s in secrets if s in result.stdout]
    assert not leaked


def test_load_puts_the_demo_community_in_the_database_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import func, select

    from api.services.security import verify_password
    from models import Community, UserAccount, UserRole
    from models.db import make_engine, make_session_factory

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("TONGXIN_DATABASE_URL", url)
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "hongguang.json"
    first = runner.invoke(app, ["load", str(scenario)])
    assert first.exit_code == 0, first.output
    assert "demo / tongxin-demo（街道管理员 street admin）" in first.output
    assert (
        "demo-coordinator / tongxin-demo（红光社区协调人 coordinator of 红光社区）" in first.output
    )
    again = runner.invoke(app, ["load", str(scenario)])
    assert again.exit_code == 0 and "Already loaded" in again.output
    with make_session_factory(make_engine(url))() as session:
        assert session.scalar(select(func.count()).select_from(Community)) == 1
        admin = session.scalar(select(UserAccount).where(UserAccount.username == "demo"))
        assert admin is not None and admin.street_id is not None
        # the street admin is no coordinator, so the demo has one to see the wishes' places
        coordinator = session.scalar(
            select(UserAccount).where(UserAccount.username == "demo-coordinator")
        )
        assert coordinator is not None
        assert coordinator.role == UserRole.COORDINATOR
        assert [c.name for c in coordinator.communities] == ["红光社区"]
        assert verify_password("tongxin-demo", coordinator.password_hash)
        assert session.scalar(select(func.count()).select_from(UserAccount)) == 2


def test_load_of_a_city_commits_community_by_community_with_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import func, select

    from models import Community, Person
    from models.db import make_engine, make_session_factory
    from scenarios.generate import generate as generate_data
    from scenarios.generate import write_scenario

    url = f"sqlite:///{tmp_path / 'city.db'}"
    monkeypatch.setenv("TONGXIN_DATABASE_URL", url)
    city = write_scenario(generate_data("city", 5, communities=2), tmp_path / "city.json")
    result = runner.invoke(app, ["load", str(city)])
    assert result.exit_code == 0, result.output
    assert "[1/2]" in result.output and "[2/2]" in result.output
    assert "people/s" in result.output
    again = runner.invoke(app, ["load", str(city)])
    assert again.exit_code == 0 and again.output.count("Already loaded") == 2
    with make_session_factory(make_engine(url))() as session:
        assert session.scalar(select(func.count()).select_from(Community)) == 2
        people = session.scalar(select(func.count()).select_from(Person))
        assert people == len(json.loads(city.read_text(encoding="utf-8"))["people"])


def test_load_of_a_street_makes_no_coordinator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # with two communities there is no one community the coordinator would obviously belong to
    from sqlalchemy import select

    from models import UserAccount
    from models.db import make_engine, make_session_factory

    url = f"sqlite:///{tmp_path / 'street.db'}"
    monkeypatch.setenv("TONGXIN_DATABASE_URL", url)
    street = {
        **TINY_SCENARIO,
        "grids": [
            {"id": "g1", "name": "第一网格", "community": "东社区"},
            {"id": "g2", "name": "第二网格", "community": "西社区"},
        ],
    }
    street["people"] = [{**street["people"][0]}, {**street["people"][1], "grid": "g2"}]
    result = runner.invoke(app, ["load", str(_write(tmp_path / "street.json", street))])
    assert result.exit_code == 0, result.output
    assert "demo / tongxin-demo" in result.output
    assert "demo-coordinator" not in result.output
    with make_session_factory(make_engine(url))() as session:
        usernames = session.scalars(select(UserAccount.username)).all()
    assert usernames == ["demo"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--now", "2026-03-06T20:00+08:00"], "--now 只能与 --once 一起用"),
        (["--once", "--now", "next friday"], "--now 不是 ISO 时刻"),
    ],
)
def test_scheduler_refuses_a_bad_now(
    args: list[str], words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TONGXIN_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    result = runner.invoke(app, ["scheduler", "--no-migrate", *args])
    assert result.exit_code != 0
    assert words in result.output
    assert not (tmp_path / "x.db").exists()  # refused before anything was touched


def test_scheduler_once_at_a_given_moment_drafts_that_week(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'tongxin.db'}"
    monkeypatch.setenv("TONGXIN_DATABASE_URL", url)
    loaded = runner.invoke(app, ["load", "scenarios/hongguang.json"])
    assert loaded.exit_code == 0, loaded.output
    # the Friday evening before the demo's week (2 March 2026): that week gets drafted
    friday = runner.invoke(app, ["scheduler", "--once", "--now", "2026-02-27T20:30"])
    assert friday.exit_code == 0, friday.output
    assert "草稿 drafts 1" in friday.output
    from models import Activity, ScheduleRun
    from models.db import make_engine, make_session_factory

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        [run] = session.query(ScheduleRun).all()
        week = sorted(
            (str(a.day), a.name, (a.external_id or "").split("-")[0])
            for a in session.query(Activity).filter(
                Activity.day >= date(2026, 3, 2), Activity.day <= date(2026, 3, 8)
            )
        )
    engine.dispose()
    assert str(run.week_start) == "2026-03-02"
    # the demo's week holds the scenario's dated activities; its fixed year
    # (scenarios/standard_year.py) adds none of them a second time
    assert week == [
        ("2026-03-05", "党员服务日·学雷锋志愿服务月", "hg"),
        ("2026-03-05", "学雷锋便民服务集市", "hg"),
        ("2026-03-07", "关爱空巢老人上门服务", "hg"),
        ("2026-03-08", "巾帼志愿清洁家园", "hg"),
    ]


def test_load_makes_no_demo_accounts_outside_development(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import func, select

    from models import Community, UserAccount
    from models.db import make_engine, make_session_factory

    url = f"sqlite:///{tmp_path / 'production.db'}"
    monkeypatch.setenv("TONGXIN_DATABASE_URL", url)
    monkeypatch.setenv("TONGXIN_ENV", "production")
    monkeypatch.setenv("TONGXIN_SECRET_KEY", "a-private-secret-kept-in-the-vault-0123456789")
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "hongguang.json"
    loaded = runner.invoke(app, ["load", str(scenario)])
    assert loaded.exit_code == 0, loaded.output
    assert "no demo accounts outside development" in loaded.output
    assert "tongxin-demo" not in loaded.output
    with make_session_factory(make_engine(url))() as session:
        assert session.scalar(select(func.count()).select_from(Community)) == 1
        assert session.scalar(select(func.count()).select_from(UserAccount)) == 0


def test_service_cards_for_a_quarter_are_written_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import func, select

    from models import Person
    from models.db import make_engine, make_session_factory
    from models.work_unit import ServiceCard, WorkUnit

    url = f"sqlite:///{tmp_path / 'cards.db'}"
    monkeypatch.setenv("TONGXIN_DATABASE_URL", url)
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "hongguang.json"
    assert runner.invoke(app, ["load", str(scenario)]).exit_code == 0
    with make_session_factory(make_engine(url))() as session:
        unit = WorkUnit(name="区人民医院", contact_email="dangban@hospital.example.com")
        person = session.scalars(select(Person).order_by(Person.id)).first()
        assert person is not None
        person.unit = unit
        session.commit()
    first = runner.invoke(app, ["service-cards", "2026Q1"])
    assert first.exit_code == 0, first.output
    assert "2026Q1：写入 written 1 · 已发过 sent before 0" in first.output
    again = runner.invoke(app, ["service-cards", "2026Q1"])
    assert "写入 written 0 · 已发过 sent before 1" in again.output
    with make_session_factory(make_engine(url))() as session:
        assert session.scalar(select(func.count()).select_from(ServiceCard)) == 1


def test_service_cards_refuse_a_quarter_that_is_not_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TONGXIN_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    result = runner.invoke(app, ["service-cards", "2026Q5"])
    assert result.exit_code == 2
    assert "季度应写成 2026Q1 这样" in result.output
