"""The roster's columns (header, whether it must be filled, how to fill it, an example) and the
limits of a roster file."""

from __future__ import annotations

from dataclasses import dataclass

from matcher.domain import WEEKDAYS_EN, WEEKDAYS_ZH
from models.person import DEFAULT_WEEKLY_HOURS_CAP, DEFAULT_WEEKLY_TASK_CAP

SHEET_ROSTER = "人员名单"
SHEET_HELP = "填写说明"
SHEET_OPTIONS = "选项"

#: people per file: a large community's whole roster, far below what would strain a request
MAX_ROWS = 5000
#: rows scanned, blank ones included; a sheet longer than this is not a roster
MAX_SCANNED_ROWS = 20_000
#: the header may sit below a few title rows
MAX_HEADER_ROW = 5
#: a real roster unzips to a few MB; far more is a zip bomb, refused before parsing
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024
#: at most this many bad cells are listed; the summary still counts them all
MAX_REPORTED_PROBLEMS = 1000
#: a home this far from every grid centre of the community is a typing error (or lat/lng swapped)
FAR_FROM_COMMUNITY_M = 30_000.0
#: columns read per row: the roster's own, and room for a coordinator's extra ones before them
MAX_COLUMNS_READ = 40
MAX_WINDOWS_PER_DAY = 6
MAX_HOURS_CAP = 40.0
MAX_TASK_CAP = 21
MAX_SKILLS = 20


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the roster: its header, whether it must be filled, and how to fill it."""

    key: str
    zh: str
    en: str
    required: bool
    explain_zh: str
    explain_en: str
    example: str
    width: int = 14
    aliases: tuple[str, ...] = ()

    @property
    def header(self) -> str:
        return f"{self.zh} ({self.en})"


DAY_KEYS = tuple(f"day_{weekday}" for weekday in range(7))
_TIMES_ZH = "空闲时间段，如 08:00-12:00, 19:00-21:00；多个时间段用逗号隔开，没空就留空"
_TIMES_EN = (
    "free times, e.g. 08:00-12:00, 19:00-21:00; separate several with commas; blank: not free"
)
_DAY_EXAMPLES = ("19:00-21:00", "", "19:00-21:00", "", "", "08:30-12:00, 14:00-17:00", "")

COLUMNS: tuple[Column, ...] = (
    Column(
        key="name",
        zh="姓名",
        en="name",
        required=True,
        explain_zh="真实姓名",
        explain_en="full name",
        example="张伟",
        width=10,
    ),
    Column(
        key="phone",
        zh="手机号",
        en="phone",
        required=True,
        explain_zh="11 位手机号，用来识别同一个人：社区里已有这个手机号的人会被更新，而不会重复添加",
        explain_en="11-digit mobile number; it identifies the person: a phone already in the "
        "community updates that person instead of adding another",
        example="13812345678",
        aliases=("手机", "电话", "联系电话", "mobile"),
    ),
    Column(
        key="kind",
        zh="类型",
        en="kind",
        required=True,
        explain_zh="党员 或 志愿者（可从下拉框选择）",
        explain_en="党员 (party member) or 志愿者 (volunteer); pick from the dropdown",
        example="党员",
        width=8,
        aliases=("人员类型", "身份"),
    ),
    Column(
        key="grid",
        zh="网格",
        en="grid",
        required=False,
        explain_zh="所在网格的名称，须与系统中的网格名一致（可从下拉框选择）；留空则按住址分到最近的网格",
        explain_en="the grid's name as Tongxin knows it (dropdown); blank: the grid nearest to "
        "the home",
        example="第一网格",
        width=12,
    ),
    Column(
        key="skills",
        zh="专长",
        en="skills",
        required=False,
        explain_zh="专长名称，多个用顿号或逗号隔开；只能填系统已有的专长（见下方列表）",
        explain_en="skills by their Chinese names, separated by 、 or commas; only the skills "
        "listed below",
        example="水电维修、助老",
        width=18,
        aliases=("技能",),
    ),
    Column(
        key="work_unit",
        zh="工作单位",
        en="work unit",
        required=False,
        explain_zh="在职党员的工作单位，季度服务登记卡会寄给这个单位",
        explain_en="where the member works; the quarterly service record goes to this unit",
        example="区人民医院",
        width=16,
        aliases=("单位",),
    ),
    Column(
        key="home_estate",
        zh="小区",
        en="estate",
        required=False,
        explain_zh="住在哪个小区，须是本社区地点库中的小区（可从下拉框选择；「阳光」「阳光小区」都可以）；"
        "也可以把小区和楼栋写在这一格，如「阳光小区3号楼」。用于就近派单",
        explain_en="the estate of the home, one of the community's place directory (dropdown; "
        "「阳光」 or 「阳光小区」 both match); estate and building may share this cell "
        "(「阳光小区3号楼」). Used to serve nearby",
        example="阳光小区",
        width=14,
        aliases=("住址小区", "所在小区", "小区名称"),
    ),
    Column(
        key="home_building",
        zh="楼栋",
        en="building",
        required=False,
        explain_zh="住在小区的哪栋楼：「3号楼」「3栋」「3幢」「三号楼」都可以；留空则按小区定位",
        explain_en="the building of the estate: 3号楼, 3栋, 3幢 or 三号楼 all match; blank: the "
        "estate itself",
        example="3号楼",
        width=10,
        aliases=("住址楼栋", "楼号", "所在楼栋"),
    ),
    Column(
        key="home_lat",
        zh="住址纬度",
        en="home lat",
        required=False,
        explain_zh="选填：住址的纬度（-90 到 90 之间的小数）。有准确坐标时填写，与小区楼栋同时填写时以坐标为准；"
        "不填小区时必填",
        explain_en="optional: latitude of the home (a decimal between -90 and 90); given with "
        "an estate, the coordinates win; required without an estate",
        example="",
        width=12,
        aliases=("纬度", "lat", "latitude"),
    ),
    Column(
        key="home_lng",
        zh="住址经度",
        en="home lng",
        required=False,
        explain_zh="选填：住址的经度（-180 到 180 之间的小数），与纬度一起填写",
        explain_en="optional: longitude of the home (a decimal between -180 and 180), with the "
        "latitude",
        example="",
        width=12,
        aliases=("经度", "lng", "lon", "longitude"),
    ),
    *(
        Column(
            key=DAY_KEYS[weekday],
            zh=WEEKDAYS_ZH[weekday],
            en=WEEKDAYS_EN[weekday][:3],
            required=False,
            explain_zh=f"{WEEKDAYS_ZH[weekday]}的{_TIMES_ZH}",
            explain_en=f"{WEEKDAYS_EN[weekday]}: {_TIMES_EN}",
            example=_DAY_EXAMPLES[weekday],
            width=16,
            aliases=(f"星期{'一二三四五六日'[weekday]}", WEEKDAYS_EN[weekday]),
        )
        for weekday in range(7)
    ),
    Column(
        key="weekly_hours_cap",
        zh="每周最多小时",
        en="max hours/week",
        required=False,
        explain_zh=f"每周最多服务几小时（大于 0，不超过 {MAX_HOURS_CAP:g}）；"
        f"留空为 {DEFAULT_WEEKLY_HOURS_CAP:g}",
        explain_en=f"most hours of service a week (above 0, at most {MAX_HOURS_CAP:g}); "
        f"blank: {DEFAULT_WEEKLY_HOURS_CAP:g}",
        example="6",
    ),
    Column(
        key="weekly_task_cap",
        zh="每周最多次数",
        en="max tasks/week",
        required=False,
        explain_zh=f"每周最多接几次任务（1 到 {MAX_TASK_CAP} 的整数）；留空为 {DEFAULT_WEEKLY_TASK_CAP}",
        explain_en=f"most tasks a week (a whole number from 1 to {MAX_TASK_CAP}); "
        f"blank: {DEFAULT_WEEKLY_TASK_CAP}",
        example="3",
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
