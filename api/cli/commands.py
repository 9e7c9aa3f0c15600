"""The ``tongxin`` command line: solve a scenario, generate scenarios, run the benchmark.

Heavy modules (the solver, OR-Tools, the scenario loader, rich tables) are imported inside
the commands so that ``tongxin --help`` answers at once.
"""

from __future__ import annotations

import collections
import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from matcher.domain import Problem, Reason, Solution

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Exit code for a scenario that cannot be used (bad file, conflicting locks).
EXIT_BAD_INPUT = 2
#: on stopping, how long the solves under way may take to end; one cut short is failed by
#: another worker once its lease passes
STOP_WAIT_S = 5.0

app = typer.Typer(
    name="tongxin",
    help=(
        "同心 Tongxin：为社区服务排班，把在职党员和志愿者"
        "匹配到微心愿、服务岗位和主题服务月活动。\n\n"
        "Tongxin schedules community service: it matches in-service party members and "
        "volunteers to micro-wishes, post shifts and themed-month activities."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

scenario_app = typer.Typer(
    help="场景文件：生成示例社区、街道、城市。 Scenario files: generate sample data.",
    no_args_is_help=True,
)
app.add_typer(scenario_app, name="scenario")


class ScenarioKind(StrEnum):
    COMMUNITY = "community"
    STREET = "street"
    CITY = "city"


def _err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def _out_console() -> Console:
    from rich.console import Console

    # Piped or captured output gets a fixed, readable width instead of rich's 80 columns.
    if sys.stdout.isatty():
        return Console(highlight=False)
    return Console(width=120, highlight=False)


def _fail(message: str, reasons: list[Reason] | None = None) -> NoReturn:
    console = _err_console()
    console.print(message, style="bold red", markup=False)
    for reason in reasons or []:
        console.print(f"  • {reason.zh}", style="red", markup=False)
        console.print(f"    {reason.en}", markup=False)
    raise typer.Exit(code=EXIT_BAD_INPUT)


def _load(path: Path) -> tuple[Problem, dict[str, Any] | None]:
    """Read a scenario: the matcher's problem and the raw data (for display names).

    A bad file or conflicting locks end the program with exit code 2 and no traceback.
    """
    from matcher.domain import LockConflict
    from scenarios.load import ScenarioError, load_scenario

    try:
        problem = load_scenario(path)
    except ScenarioError as exc:
        _fail(f"场景文件有误 Invalid scenario:\n{exc}")
    except LockConflict as exc:
        _fail(f"锁定安排互相冲突 Conflicting locks in {path}:", exc.reasons)
    except OSError as exc:
        _fail(f"无法读取场景文件 Cannot read the scenario file {path}: {exc.strerror or exc}")
    return problem, _raw_data(path)


def _raw_data(path: Path) -> dict[str, Any] | None:
    """The file's raw JSON, already checked by ``load_scenario``.

    Read plainly rather than with ``load_scenario_data``: checking a city-sized file takes
    seconds, and once is enough.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@app.command()
def solve(
    scenario: Annotated[
        Path,
        typer.Argument(
            help="场景文件（JSON）\n\nScenario file (JSON), e.g. scenarios/hongguang.json",
            show_default=False,
        ),
    ],
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            min=0.1,
            help="求解时限（秒），默认取场景设置\n\nSolver time limit in seconds",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="随机种子，默认取场景设置\n\nRandom seed", show_default=False),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="输出 JSON 而非表格\n\nPrint JSON instead of tables"),
    ] = False,
    greedy: Annotated[
        bool,
        typer.Option(
            "--greedy",
            help="只用贪心算法（手工排班的对照）\n\nUse the greedy baseline only",
        ),
    ] = False,
    split: Annotated[
        bool,
        typer.Option(
            "--split",
            help=(
                "按社区分片逐片求解，再补边界（全市用）\n\n"
                "Solve in parts of whole communities, one after another, then the border pass"
            ),
        ),
    ] = False,
    dask: Annotated[
        bool,
        typer.Option(
            "--dask",
            help=(
                "分片在 Dask 上并行求解。默认在本机启动，每核一个进程，留一核给本进程\n\n"
                "不足三核时改为逐片求解\n\n"
                "Solve the parts on Dask: by default a local cluster of one process per core, "
                "less one kept for this process; with fewer than three cores the parts are "
                "solved one after another instead"
            ),
        ),
    ] = False,
    dask_address: Annotated[
        str | None,
        typer.Option(
            "--dask-address",
            metavar="ADDRESS",
            help=(
                "用这个 Dask 调度器（含 --dask），如 tcp://10.0.0.5:8786\n\n"
                "Use the Dask scheduler at ADDRESS (implies --dask)"
            ),
            show_default=False,
        ),
    ] = None,
) -> None:
    """排出一周的班：读取场景，匹配人员与任务，打印排班。 Schedule one week of a scenario."""
    from dataclasses import replace

    from matcher.domain import LockConflict

    problem, data = _load(scenario)
    settings = problem.settings
    if time_limit is not None:
        settings = replace(settings, time_limit_s=time_limit)
    if seed is not None:
        settings = replace(settings, seed=seed)
    if settings is not problem.settings:
        problem = replace(problem, settings=settings)

    on_dask = dask or dask_address is not None
    if greedy and (split or on_dask):
        _fail("--greedy 不能与 --split 或 --dask 同用 (--greedy goes alone)")
    try:
        if split or on_dask:
            solution = _run_city(problem, on_dask, dask_address)
        else:
            solution = _run_matcher(problem, greedy)
    except LockConflict as exc:
        _fail(f"锁定安排互相冲突 Conflicting locks in {scenario}:", exc.reasons)

    if as_json:
        from api.cli.tables import solution_to_dict

        typer.echo(
            json.dumps(solution_to_dict(problem, solution, data), ensure_ascii=False, indent=2)
        )
    else:
        from api.cli.tables import grid_names, render_schedule

        render_schedule(_out_console(), problem, solution, grid_names(data))


def _run_city(problem: Problem, on_dask: bool, address: str | None) -> Solution:
    """The city solver: serially, on a local Dask cluster, or on the scheduler at an address."""
    from matcher.city import SERIAL, solve_city

    if not on_dask:
        return solve_city(problem, client=SERIAL)
    try:
        import distributed  # noqa: F401
    except ImportError:
        _fail(
            "未安装 Dask：pip install 'tongxin[city]' (Dask is not installed: "
            "pip install 'tongxin[city]')"
        )
    return solve_city(problem, client=address)


def _run_matcher(problem: Problem, greedy: bool) -> Solution:
    from matcher.solver import solve, solve_greedy

    return solve_greedy(problem) if greedy else solve(problem)


@scenario_app.command("generate")
def generate(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="写入的场景文件\n\nScenario file to write",
            show_default=False,
        ),
    ],
    kind: Annotated[
        ScenarioKind,
        typer.Option(
            "--kind",
            help="规模：社区、街道或城市\n\nSize: a community, a street or a city",
        ),
    ] = ScenarioKind.COMMUNITY,
    seed: Annotated[int, typer.Option("--seed", help="随机种子\n\nRandom seed")] = 0,
    name: Annotated[
        str | None,
        typer.Option("--name", help="场景名称\n\nScenario name", show_default=False),
    ] = None,
    communities: Annotated[
        int | None,
        typer.Option(
            "--communities",
            min=1,
            help="街道或城市的社区数\n\nNumber of communities of a street or city",
            show_default=False,
        ),
    ] = None,
    people_per_community: Annotated[
        int | None,
        typer.Option(
            "--people-per-community",
            min=1,
            help="每个社区的人数（需求随之增长）\n\nPeople per community (the week grows too)",
            show_default=False,
        ),
    ] = None,
    residents_per_community: Annotated[
        int | None,
        typer.Option(
            "--residents-per-community",
            min=1,
            help="每个社区的居民数（决定网格、小区与需求）\n\n"
            "Residents per community (grids, estates and demands follow)",
            show_default=False,
        ),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option(
            "--preset",
            help="预设规模，如 guiyang（93 个社区，每个 5,700 人）\n\n"
            "A named size, e.g. guiyang (93 communities of 5,700 people)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """生成一个虚构的示例场景（人名、地址均为虚构）。 Generate a fictional sample scenario."""
    from scenarios.generate import PRESETS, generate_preset, write_scenario
    from scenarios.generate import generate as generate_data

    if preset is not None:
        if preset not in PRESETS:
            _fail(f"未知的预设 Unknown preset {preset!r}; 可选 choose from: {', '.join(PRESETS)}")
        data = generate_preset(preset, seed, communities=communities)
    else:
        data = generate_data(
            kind.value,
            seed,
            name=name or None,
            communities=communities,
            people_per_community=people_per_community,
            residents_per_community=residents_per_community,
        )
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_scenario(data, output)
    except OSError as exc:
        _fail(f"无法写入 Cannot write {output}: {exc.strerror or exc}")
    _print_counts(output, data)


def _print_counts(path: Path, data: dict[str, Any]) -> None:
    from collections import Counter

    from matcher.domain import PERSON_KIND_ZH, PersonKind

    people = data.get("people", [])
    kinds = Counter(p.get("kind") for p in people)
    posts = data.get("posts", [])
    shifts = sum(len(post.get("shifts", [])) for post in posts)
    grids = data.get("grids", [])
    communities = {g.get("community") for g in grids if g.get("community")}
    console = _out_console()
    console.print(f"已写入 Wrote {path}", style="bold green", markup=False)
    console.print(f"  名称 Name: {data.get('name', '')}  ·  周 Week: {data.get('week_start', '')}")
    console.print(f"  社区 Communities: {len(communities)}  ·  网格 Grids: {len(grids)}")
    console.print(
        f"  人员 People: {len(people)} ("
        + "，".join(f"{PERSON_KIND_ZH[k]} {k.value} {kinds[k.value]}" for k in PersonKind)
        + ")"
    )
    console.print(
        f"  任务 Demands: 微心愿 wishes {len(data.get('wishes', []))}，"
        f"服务岗位 posts {len(posts)}（每周班次 weekly shifts {shifts}），"
        f"主题活动 activities {len(data.get('activities', []))}"
    )


@app.command("bench")
def bench_command(
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            min=0.1,
            help="每个场景的求解时限（秒）\n\nTime limit per scenario in seconds",
            show_default=False,
        ),
    ] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario",
            metavar="NAME",
            help="只跑这些场景（可重复）\n\nOnly these scenarios (repeatable)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """跑基准测试并打印结果表。 Run the benchmark and print its table."""
    main = _bench_main()
    main(time_limit=time_limit, scenarios=scenario or None)


def _bench_main() -> Callable[..., None]:
    """``bench.run.main``, also from an install made before ``bench`` was a package."""
    try:
        from bench.run import main
    except ModuleNotFoundError as exc:
        if exc.name not in ("bench", "bench.run"):
            raise
        sys.path.insert(0, str(REPO_ROOT))
        try:
            from bench.run import main
        except ModuleNotFoundError as again:
            if again.name not in ("bench", "bench.run"):
                raise
            _fail(f"找不到基准测试 Benchmark not found: {REPO_ROOT / 'bench' / 'run.py'}")
    return main


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="监听地址 Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="端口 Port")] = 8000,
    reload: Annotated[
        bool, typer.Option(help="代码改动后自动重启（开发用） Restart on code changes")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="网页进程数，多于 1 个须用 PostgreSQL "
            "Web processes; more than one needs PostgreSQL",
        ),
    ] = 1,
    embedded_worker: Annotated[
        bool | None,
        typer.Option(
            "--embedded-worker/--no-embedded-worker",
            help="在本进程内计算排队的排班；默认取 TONGXIN_EMBEDDED_WORKER，开发时开启，"
            "正式部署时关闭（由 tongxin scheduler 计算） "
            "Solve queued runs in this process; default TONGXIN_EMBEDDED_WORKER, on in "
            "development, off in production (where `tongxin scheduler` solves them)",
            show_default=False,
        ),
    ] = None,
    migrate: Annotated[
        bool, typer.Option(help="启动前建表或升级数据库 Create or upgrade the tables first")
    ] = True,
) -> None:
    """启动 HTTP 接口与网页（/console/、/m/，文档在 /docs）。 Start the API and the pages."""
    import uvicorn
    from sqlalchemy.engine import make_url

    from api.settings import Settings

    try:
        settings = Settings()
    except ValueError as exc:
        _fail(str(exc))
    if workers > 1 and make_url(settings.database_url).get_backend_name() == "sqlite":
        _fail(
            "SQLite 数据库只能用一个网页进程：请去掉 --workers，"
            "或把 TONGXIN_DATABASE_URL 设为 PostgreSQL 数据库 "
            "(a SQLite database takes one web process only: drop --workers, or set "
            "TONGXIN_DATABASE_URL to a PostgreSQL database)"
        )
    if workers > 1 and reload:
        _fail("--reload 与 --workers 不能同时用 (--reload and --workers do not go together)")
    if embedded_worker is None:
        embedded_worker = bool(settings.embedded_worker)
    if migrate:
        from models.db import upgrade

        upgrade(settings.database_url)
    base = f"http://{host}:{port}"
    solves = (
        "在本进程内计算 in this process"
        if embedded_worker
        else "由 tongxin scheduler 进程计算 by the `tongxin scheduler` process"
    )
    _err_console().print(
        f"同心 Tongxin ({settings.database_url})\n"
        f"  协调人工作台 console: {base}/console/\n"
        f"  志愿者手机页 volunteers: {base}/m/\n"
        f"  接口文档 API docs: {base}/docs\n"
        f"  网页进程 web processes: {workers} · 排班 solves: {solves}",
        markup=False,
    )
    worker = None
    if embedded_worker:
        from api.worker.scheduler import session_factory_for
        from api.worker.solve_queue import SolveWorker

        worker = SolveWorker(
            session_factory=session_factory_for(settings.database_url), lease=settings.solve_lease
        )
        worker.start()
    try:
        uvicorn.run(
            "api.web.app:create_app",
            factory=True,
            host=host,
            port=port,
            reload=reload,
            workers=workers,
            # X-Forwarded-For is believed only from the proxies named in the settings (none by
            # default): a client cannot choose the address its failed logins are counted under
            proxy_headers=bool(settings.forwarded_allow_ips),
            forwarded_allow_ips=settings.forwarded_allow_ips or None,
            access_log=settings.access_log,
            # the C event loop and parser (uvicorn[standard]); named so that a missing one
            # fails at start instead of falling back to the pure-Python ones
            loop="uvloop",
            http="httptools",
        )
    finally:
        if worker is not None:
            worker.stop(timeout=STOP_WAIT_S)


@app.command("load")
def load(
    scenario: Annotated[Path, typer.Argument(help="场景文件 Scenario file (JSON)")],
    username: Annotated[
        str, typer.Option(help="为街道管理员建的演示账号 A street-admin account to create")
    ] = "demo",
    password: Annotated[
        str, typer.Option(help="演示账号的密码 Its password (development only)")
    ] = "tongxin-demo",
    coordinator_username: Annotated[
        str,
        typer.Option(
            help="单个社区的场景另建的社区协调人账号，密码相同 "
            "For a one-community scenario, a coordinator account too (same password)"
        ),
    ] = "demo-coordinator",
) -> None:
    """把场景导入数据库，供 HTTP 接口使用。 Load a scenario into the database for the HTTP API.

    The street admin sees every community of the street but, being no coordinator of any, not
    the residents' wishes on the map; a one-community scenario also gets a coordinator account
    so that the demo can show them.
    """
    import time

    from sqlalchemy import select

    from api.services.security import hash_password
    from api.settings import Settings
    from models import Community, Street, UserAccount, UserRole
    from models.crypto import DEVELOPMENT_ENVS
    from models.db import make_engine, make_session_factory, session_scope, upgrade
    from models.seed import (
        SeedError,
        add_standard_year,
        community_parts,
        import_scenario,
        import_street_scenario,
        street_name_of,
    )
    from scenarios.load import ScenarioError, load_scenario_data

    console = _err_console()
    started = time.perf_counter()
    try:
        settings = Settings()
        data = load_scenario_data(scenario)
    except (ValueError, ScenarioError) as exc:
        _fail(str(exc))
    console.print(
        f"已读取 Read {scenario}: {len(data.get('people', []))} 人 people "
        f"({time.perf_counter() - started:.1f} s)",
        markup=False,
    )
    upgrade(settings.database_url)
    factory = make_session_factory(make_engine(settings.database_url))
    parts = community_parts(data)
    loaded = 0
    writing = time.perf_counter()
    only_community_id: int | None = None
    street_id: int | None = None
    # one transaction per community: a large city commits as it goes, and a second run
    # skips the communities already loaded
    for number, (name, part) in enumerate(parts, start=1):
        part_started = time.perf_counter()
        people = len(part.get("people", []))
        with session_scope(factory) as session:
            try:
                if len(parts) == 1:
                    community = import_scenario(session, part, source=str(scenario), checked=True)
                    only_community_id, street_id = community.id, community.street_id
                    communities = [community]
                else:
                    street = import_street_scenario(
                        session,
                        part,
                        street_name=street_name_of(data),
                        source=str(scenario),
                        checked=True,
                    )
                    street_id = street.id
                    communities = [c for c in street.communities if c.name == name]
            except SeedError as exc:
                console.print(f"已在库中，未重复导入 Already loaded: {exc}", markup=False)
                if street_id is None:
                    street_id = session.scalar(
                        select(Street.id).where(Street.name == street_name_of(data))
                    )
                continue
            for community in communities:
                add_standard_year(session, community)
        loaded += people
        seconds = time.perf_counter() - part_started
        console.print(
            f"  [{number}/{len(parts)}] {name}: {people} 人 people, {seconds:.1f} s "
            f"({people / max(seconds, 1e-9):,.0f} 人/秒 people/s)",
            markup=False,
        )
    seconds = time.perf_counter() - writing
    console.print(
        f"已导入 Loaded: {data['name']} → {settings.database_url}: {loaded} 人 people in "
        f"{seconds:.1f} s ({loaded / max(seconds, 1e-9):,.0f} 人/秒 people/s)",
        markup=False,
    )
    console.print(
        "已设全年主题服务月与每月5日党员服务日 "
        "Set the year's themed months and the service day on the 5th of each month",
        markup=False,
    )
    kinds = collections.Counter(str(place["kind"]) for place in data.get("places", []))
    if kinds:
        console.print(
            f"地点库 Place directory: 小区 {kinds['estate']} 个 estates, "
            f"楼栋 {kinds['building']} 栋 buildings, 场所 {kinds['venue']} 处 venues "
            "（控制台「地点库」页 the console's 地点库 page）",
            markup=False,
        )
    with session_scope(factory) as session:
        loaded_street = session.get(Street, street_id) if street_id is not None else None
        only_community = (
            session.get(Community, only_community_id) if only_community_id is not None else None
        )
        if loaded_street is None:
            return
        street = loaded_street
        if settings.env not in DEVELOPMENT_ENVS:
            # a real deployment gets no account with a password printed in its log
            console.print(
                f"TONGXIN_ENV={settings.env}：不建演示账号 "
                f"(TONGXIN_ENV={settings.env}: no demo accounts outside development)",
                markup=False,
            )
            return
        known = session.scalar(select(UserAccount).where(UserAccount.username == username))
        if known is None:
            session.add(
                UserAccount(
                    username=username,
                    password_hash=hash_password(password),
                    role=UserRole.STREET_ADMIN,
                    street_id=street.id,
                )
            )
            console.print(
                f"演示账号 Demo account: {username} / {password}（街道管理员 street admin）",
                markup=False,
            )
        coordinator_known = session.scalar(
            select(UserAccount).where(UserAccount.username == coordinator_username)
        )
        if only_community is not None and coordinator_known is None:
            session.add(
                UserAccount(
                    username=coordinator_username,
                    password_hash=hash_password(password),
                    role=UserRole.COORDINATOR,
                    communities=[only_community],
                )
            )
            console.print(
                f"演示账号 Demo account: {coordinator_username} / {password}"
                f"（{only_community.name}协调人 coordinator of {only_community.name}）",
                markup=False,
            )
    console.print(
        "启动 Start: .venv/bin/tongxin serve → http://127.0.0.1:8000/console/ "
        "（手机页 phone pages /m/，接口文档 API docs /docs）",
        markup=False,
    )


@app.command("scheduler")
def scheduler(
    once: Annotated[
        bool,
        typer.Option("--once", help="现在运行所有到期任务后退出 Run every due job now, then exit"),
    ] = False,
    now: Annotated[
        str | None,
        typer.Option(
            help="与 --once 一起：按这个时刻运行，如 2026-03-06T20:00+08:00 "
            "With --once: run as at this moment, e.g. 2026-03-06T20:00+08:00"
        ),
    ] = None,
    solvers: Annotated[
        int,
        typer.Option(
            min=1,
            help="同时计算的排班数（每个占一个处理器核） Runs solved at once (one core each)",
        ),
    ] = 2,
    drafters: Annotated[
        int,
        typer.Option(
            min=1,
            help="与 --once 一起：同时起草的社区数（各一个进程，宜为核数减一） "
            "With --once: communities drafted at once, a process each (cores − 1 is good)",
        ),
    ] = 1,
    migrate: Annotated[
        bool, typer.Option(help="启动前建表或升级数据库 Create or upgrade the tables first")
    ] = True,
) -> None:
    """启动定时任务与排班计算进程（与 serve 分开运行）。 Run the scheduled jobs and the queued
    solves, beside `tongxin serve`."""
    import logging
    from datetime import datetime

    from api.settings import Settings
    from api.worker import notify
    from api.worker.scheduler import build_scheduler, run_once, session_factory_for
    from api.worker.solve_queue import SolveWorker
    from models.community import DEFAULT_ZONE

    try:
        settings = Settings()
    except ValueError as exc:
        _fail(str(exc))
    if now is not None and not once:
        _fail("--now 只能与 --once 一起用 (--now goes with --once)")
    moment = datetime.now(DEFAULT_ZONE)
    if now is not None:
        try:
            moment = datetime.fromisoformat(now)
        except ValueError:
            _fail(f"--now 不是 ISO 时刻：{now!r} (--now is not an ISO moment: {now!r})")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=DEFAULT_ZONE)
    if migrate:
        from models.db import upgrade

        upgrade(settings.database_url)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    console = _err_console()
    factory = session_factory_for(settings.database_url)
    if once:
        done = run_once(
            session_factory=factory,
            now=moment,
            channels=notify.channels_from(settings),
            lease=settings.solve_lease,
            drafters=drafters,
        )
        console.print(
            f"草稿 drafts {len(done['drafts'])} · 排队的排班 queued solves {len(done['solved'])} · "
            f"升级 escalated {done['escalated']} · 提醒 reminded {done['reminded']} · "
            f"催办 chased {done['chased']} · 服务登记卡 service cards "
            f"{len(done['service_cards'].sent)} · 发送 delivered {done['delivered']}",
            markup=False,
        )
        return
    console.print(
        f"同心 Tongxin scheduler ({settings.database_url}) · 同时计算 solving at once: {solvers}",
        markup=False,
    )
    worker = SolveWorker(session_factory=factory, lease=settings.solve_lease, solvers=solvers)
    worker.start()
    try:
        build_scheduler(settings, blocking=True).start()
    finally:
        worker.stop(timeout=STOP_WAIT_S)


@app.command("service-cards")
def service_cards(
    quarter: Annotated[
        str | None,
        typer.Argument(
            help="季度，如 2026Q1；不填为上一季度 The quarter, e.g. 2026Q1; the last one if left out"
        ),
    ] = None,
    migrate: Annotated[
        bool, typer.Option(help="先建表或升级数据库 Create or upgrade the tables first")
    ] = True,
) -> None:
    """给每个工作单位写好本季度的服务登记卡邮件（由定时任务发送；同一季度只发一次）。 Write each
    work unit's service card e-mail of a quarter into the outbox (the scheduler sends it; once
    per unit and quarter)."""
    from datetime import datetime

    from api.services import work_units
    from api.services.errors import Invalid
    from api.settings import Settings
    from api.worker import jobs
    from api.worker.scheduler import session_factory_for
    from models.community import DEFAULT_ZONE

    try:
        settings = Settings()
        chosen = None if quarter is None else work_units.Quarter.parse(quarter)
    except (Invalid, ValueError) as exc:
        _fail(str(exc))
    if migrate:
        from models.db import upgrade

        upgrade(settings.database_url)
    done = jobs.send_service_cards(
        session_factory=session_factory_for(settings.database_url),
        now=datetime.now(DEFAULT_ZONE),
        quarter=chosen,
    )
    _out_console().print(
        f"{done.quarter}：写入 written {len(done.sent)} · 已发过 sent before {len(done.already)} · "
        f"缺少联系邮箱 no contact e-mail {len(done.no_address)}",
        markup=False,
    )


if __name__ == "__main__":
    app()
