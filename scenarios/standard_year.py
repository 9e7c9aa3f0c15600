"""The standard year of themed months (主题服务月), in one place.

Seed 000: a community fixes its year's services as themed months, each naming its activities,
their times, who takes part and who is responsible, plus a monthly party-member service day
(党员服务日). This is Tongxin's usual year: twelve themes, each month's activities on fixed days,
and the service day with its times. Plain data, read by the generator
(``scenarios.generate``: a scenario lists the months its week touches) and by
``models.seed.add_standard_year`` (a loaded community's fixed year, as ``yearly_theme`` and
``recurring_activity`` rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: (skill, or None for anyone; headcount)
RoleSpec = tuple[str | None, int]


@dataclass(frozen=True, slots=True)
class ActivityTemplate:
    """An activity of a themed month, on the same day and time every year."""

    day: int  # day of the month
    slug: str
    name: str
    start: str
    end: str
    roles: tuple[RoleSpec, ...]
    category: str = ""
    party_members_only: bool = False
    #: at one of the community's estates, else at its service centre; the fixed year of the
    #: database keeps one place per activity and holds it at the centre
    at_estate: bool = False


def _a(day: int, slug: str, name: str, time: str, *roles: RoleSpec, **kw: Any) -> ActivityTemplate:
    """A calendar entry; ``time`` is ``"09:00-11:30"``."""
    start, end = time.split("-")
    return ActivityTemplate(day, slug, name, start, end, roles, **kw)


#: the themed-month calendar (主题服务月): one theme a month and its named activities
THEME_MONTHS: dict[int, tuple[str, tuple[ActivityTemplate, ...]]] = {
    1: ("迎新春·送温暖服务月", (
        _a(10, "visit-needy", "困难家庭走访慰问", "09:00-11:30", ("帮困助弱", 4), (None, 2),
           category="帮困助弱"),
        _a(18, "couplets", "义写春联送祝福", "09:00-11:30", ("宣传教育", 2), (None, 4)),
        _a(24, "new-year-shopping", "年货代购进家门", "14:30-17:00", ("代购跑腿", 4),
           category="代购跑腿"),
    )),
    2: ("平安春节·邻里守望月", (
        _a(8, "fire-check", "节前消防安全排查", "19:00-20:30", ("治安巡逻", 4), ("水电维修", 2),
           category="治安巡逻"),
        _a(15, "lantern-fair", "元宵灯谜游园会", "19:00-21:00", ("文艺演出", 4), (None, 6)),
        _a(22, "jobs-talk", "返岗就业政策宣讲", "09:00-11:00", ("宣传教育", 3)),
    )),
    3: ("学雷锋志愿服务月", (
        _a(1, "leifeng-launch", "学雷锋志愿服务月启动仪式", "09:00-10:30", (None, 10),
           ("摄影", 1), ("文艺演出", 4)),
        _a(5, "leifeng-market", "学雷锋便民服务集市", "09:00-11:30", ("理发", 2),
           ("家电维修", 2), ("水电维修", 2), ("医疗卫生", 2), ("电脑手机", 2), (None, 4)),
        _a(7, "empty-nest", "关爱空巢老人上门服务", "09:00-11:30", ("助老", 4), ("家政服务", 2),
           category="助老", at_estate=True),
        _a(8, "women-clean", "巾帼志愿清洁家园", "09:00-11:00", ("环保监督", 2), (None, 8),
           category="环保监督", at_estate=True),
        _a(12, "plant-trees", "植树护绿", "09:00-11:00", (None, 12), ("环保监督", 2)),
        _a(15, "consumer-rights", "消费维权咨询", "09:00-11:30", ("法律援助", 2),
           ("宣传教育", 2), category="法律援助"),
        _a(22, "traffic-guide", "文明交通劝导", "07:30-09:00", (None, 8)),
        _a(28, "leifeng-awards", "学雷锋志愿服务表彰会", "19:00-20:30", ("宣传教育", 2),
           ("摄影", 1), (None, 4)),
    )),
    4: ("爱国卫生·绿色环保月", (
        _a(7, "spring-clean", "爱国卫生大扫除", "08:30-11:00", (None, 12), ("环保监督", 2),
           at_estate=True),
        _a(18, "sorting-promo", "垃圾分类进小区宣传", "09:00-11:00", ("垃圾分类", 4),
           ("宣传教育", 2), category="垃圾分类", at_estate=True),
        _a(22, "earth-day", "世界地球日旧物回收", "14:30-17:00", ("环保监督", 2), (None, 4)),
    )),
    5: ("健康义诊服务月", (
        _a(12, "free-clinic", "社区义诊·测血压血糖", "08:30-11:30", ("医疗卫生", 4), (None, 3),
           category="医疗卫生"),
        _a(20, "health-talk", "中医养生讲座", "19:00-20:30", ("医疗卫生", 1), ("宣传教育", 2)),
        _a(26, "home-health", "残疾人上门健康服务", "09:00-11:30", ("医疗卫生", 2), ("助老", 2),
           at_estate=True),
    )),
    6: ("关爱儿童·护苗成长月", (
        _a(1, "childrens-day", "六一关爱留守儿童", "14:30-17:00", ("辅导功课", 3),
           ("文艺演出", 2), ("心理疏导", 1), category="辅导功课"),
        _a(14, "drowning", "防溺水安全宣传", "09:00-11:00", ("宣传教育", 3), ("治安巡逻", 3)),
        _a(26, "anti-drug", "国际禁毒日宣传", "19:00-20:30", ("宣传教育", 3), ("法律援助", 1)),
    )),
    7: ("党员先锋服务月", (
        _a(1, "oath", "重温入党誓词·党员亮身份", "19:00-20:30", (None, 10),
           party_members_only=True),
        _a(10, "party-clean", "党员进楼栋·清洁家园", "08:00-10:00", (None, 8),
           party_members_only=True, at_estate=True),
        _a(20, "flood-check", "夏季防汛隐患排查", "19:00-21:00", ("治安巡逻", 4),
           ("水电维修", 2)),
    )),
    8: ("法治宣传服务月", (
        _a(8, "legal-advice", "法律咨询进社区", "09:00-11:30", ("法律援助", 2), ("纠纷调解", 2),
           category="法律援助"),
        _a(18, "anti-fraud", "反电诈宣传进小区", "19:00-20:30", ("宣传教育", 3),
           ("电脑手机", 2), at_estate=True),
        _a(25, "mediation-day", "邻里纠纷化解日", "14:30-17:00", ("纠纷调解", 3),
           category="纠纷调解"),
    )),
    9: ("尊师助学服务月", (
        _a(3, "school-aid", "开学助学帮扶", "09:00-11:00", ("帮困助弱", 3), ("辅导功课", 2)),
        _a(10, "teachers", "教师节慰问退休教师", "14:30-16:30", ("助老", 2), (None, 2)),
        _a(20, "defence-day", "全民国防教育宣传", "09:00-11:00", ("宣传教育", 3)),
    )),
    10: ("敬老爱老服务月", (
        _a(11, "elders-feast", "重阳敬老宴", "10:00-13:00", ("助老", 4), ("文艺演出", 4),
           ("家政服务", 2), category="助老"),
        _a(16, "free-haircut", "为老人义务理发", "09:00-11:30", ("理发", 3), ("助老", 1)),
        _a(24, "phone-class", "老年人智能手机课堂", "14:30-16:30", ("电脑手机", 4),
           category="电脑手机"),
    )),
    11: ("消防安全宣传月", (
        _a(9, "fire-day", "119消防安全宣传", "09:00-11:00", ("宣传教育", 2), ("治安巡逻", 4)),
        _a(16, "stairwell", "楼道杂物清理", "08:30-11:00", (None, 10), ("环保监督", 1),
           at_estate=True),
        _a(23, "power-check", "冬季用电安全检查", "14:30-17:00", ("水电维修", 3),
           ("家电维修", 2), category="水电维修"),
    )),
    12: ("邻里互助·冬季暖心月", (
        _a(4, "constitution", "国家宪法日宣传", "09:00-11:00", ("法律援助", 1), ("宣传教育", 3)),
        _a(13, "winter-clothes", "冬衣捐赠与发放", "09:00-11:30", ("帮困助弱", 4), (None, 4),
           category="帮困助弱"),
        _a(27, "year-end-visit", "年终走访独居老人", "14:30-17:00", ("助老", 4),
           ("帮困助弱", 2), at_estate=True),
    )),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ServiceDay:
    """The party-member service day (党员服务日): members show their membership (亮身份) and
    serve, on the same day of every month."""

    #: day of the month; at most 28, so every month has it
    day: int
    slug: str
    name: str
    #: most members are in service (在职党员): after work on a workday, a morning at a weekend
    workday_time: tuple[str, str]
    weekend_time: tuple[str, str]
    roles: tuple[RoleSpec, ...]
    party_members_only: bool = True


PARTY_SERVICE_DAY = ServiceDay(
    day=5,
    slug="party-day",
    name="党员服务日",
    workday_time=("19:00", "21:00"),
    weekend_time=("09:00", "11:30"),
    roles=((None, 6), ("宣传教育", 2)),
)

#: the twelve themes, January first
THEMES: tuple[str, ...] = tuple(THEME_MONTHS[month][0] for month in range(1, 13))
