"""The generator's vocabulary: names, places, organisations, skills, wishes and posts.

Plain data that ``scenarios.generate`` draws from; the themed-month calendar lives in
``scenarios.standard_year``. Changing an entry or its order changes every generated file, since
the generator's random draws walk these tables in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: (weekday 1..7, start, end)
Window = tuple[int, str, str]

# names and places ----------------------------------------------------------------------------

#: common surnames, roughly by frequency (王 and 李 each about 7% of the population)
SURNAMES = (
    ("王", 72), ("李", 72), ("张", 68), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 24),
    ("赵", 23), ("吴", 21), ("周", 21), ("徐", 16), ("孙", 15), ("马", 14), ("朱", 13),
    ("胡", 13), ("郭", 12), ("何", 12), ("高", 11), ("林", 11), ("罗", 10), ("郑", 10),
    ("梁", 9), ("谢", 8), ("宋", 7), ("唐", 7), ("许", 6), ("韩", 6), ("冯", 6), ("邓", 6),
    ("曹", 5), ("彭", 5), ("曾", 5), ("肖", 5), ("田", 5), ("董", 4), ("袁", 4), ("潘", 4),
    ("蒋", 4), ("蔡", 4), ("余", 4), ("杜", 3), ("叶", 3), ("程", 3), ("魏", 3), ("苏", 3),
)  # fmt: skip
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞斌宇浩凯"
    "婷雪琳晨欣怡佳俊志海波云龙春梅金凤成林丹亮宏晓慧燕淑珍德福永红庆荣新家"
)
ESTATE_PREFIXES = (
    "黄金", "翠苑", "锦绣", "阳光", "江南", "富豪", "书香", "碧桂", "金色", "丽景", "华侨",
    "东湖", "滨江", "紫荆", "嘉和", "福泰", "恒安", "瑞景", "新城", "桂园", "梅园", "荷塘",
    "景泰", "和谐", "康乐", "天誉", "御景", "明珠", "兴隆", "怡景", "银湖", "枫林",
)  # fmt: skip
ESTATE_SUFFIXES = ("花园", "小区", "苑", "家园", "新村", "名邸", "雅居", "公寓", "华庭", "山庄")
#: the 1990s estate of 红光社区 that seed 004 tells of: low blocks without lifts
OLD_ESTATE = "黄金花园"
OLD_ESTATE_COMMUNITY = "红光社区"
RURAL_SURNAMES = "石杨李王陈张刘何冉谢向罗"
RURAL_PLACES = ("坝", "湾", "沟", "岭", "坪", "院子", "嘴", "塘")
NUMERALS = "零一二三四五六七八九"

#: where each bundled place lies (lat, lng), with its district
ANCHORS: dict[str, tuple[float, float, str]] = {
    "梅州": (24.2890, 116.1220, "梅江区"),  # 红光社区, 江南街道 (seed 004)
    "黔江": (29.5330, 108.7710, "黔江区"),  # 路东社区, 舟白街道 (seed 002)
    "鄂州": (30.3900, 114.8900, "鄂城区"),  # 凤凰街道 (seed 003)
    "贵阳": (26.5800, 106.7100, "云岩区"),  # 93 communities (seed 001)
}
GUIYANG_DISTRICTS = ("云岩区", "南明区", "观山湖区", "花溪区", "乌当区", "白云区")
FENGHUANG_COMMUNITIES = (
    "凤凰台", "滨湖", "寒溪", "南浦", "明塘", "官柳", "洋澜", "文星", "吴都",
)  # fmt: skip
GUIYANG_WORDS = (
    "黔灵", "宝山", "延安", "中华", "贵乌", "市西", "头桥", "金阳", "小河", "花溪", "乌当",
    "白云", "观山", "南明", "新华", "大营", "太慈", "甲秀", "沙冲", "油榨", "兴关", "水口",
    "普陀", "威清", "黔东", "鲤鱼", "三桥", "八角", "金关", "蔡关", "盐务", "东山", "中山",
    "文昌", "富水", "箭道", "振华", "贵开", "枣山", "圣泉", "六广", "新添", "龙洞", "碧海",
    "大关", "长岭", "世纪", "会展", "金华", "朱昌", "百花", "阳明", "二桥", "五里", "沙河",
)  # fmt: skip
GUIYANG_ENDINGS = ("", "路", "新村", "东", "西", "南", "北")

# organisations -------------------------------------------------------------------------------

#: employers of in-service members and co-building units (共建单位), each with the skill its
#: people most often bring; "{d}" is the district
UNITS: tuple[tuple[str, str], ...] = (
    ("{d}人民医院", "医疗卫生"), ("{d}中医院", "医疗卫生"), ("{d}司法局", "法律援助"),
    ("正平律师事务所", "法律援助"), ("{d}公安分局", "治安巡逻"), ("{d}第一中学", "辅导功课"),
    ("{d}实验小学", "辅导功课"), ("{d}供电局", "水电维修"), ("{d}自来水公司", "水电维修"),
    ("中国电信{d}分公司", "电脑手机"), ("{d}税务局", "宣传教育"), ("{d}市场监管局", "宣传教育"),
    ("{d}城市管理局", "环保监督"), ("{d}生态环境分局", "环保监督"), ("{d}民政局", "帮困助弱"),
    ("{d}人社局", "帮困助弱"), ("{d}交通运输局", "驾驶"), ("{d}融媒体中心", "摄影"),
    ("{d}文化馆", "文艺演出"), ("农商银行{d}支行", "宣传教育"), ("{d}教育局", "辅导功课"),
    ("{d}卫健局", "医疗卫生"), ("{d}信访局", "纠纷调解"), ("{d}妇联", "心理疏导"),
)  # fmt: skip
#: firms that send staff volunteers into the grids (红光: 20多家企业40多名志愿者)
FIRMS: tuple[tuple[str, str], ...] = (
    ("顺意家政", "家政服务"), ("群艺电器", "家电维修"), ("鑫达水电", "水电维修"),
    ("康乐理发店", "理发"), ("惠民大药房", "医疗卫生"), ("启明培训学校", "辅导功课"),
    ("众联驾校", "驾驶"), ("乐享照相馆", "摄影"), ("阳光助老服务中心", "助老"),
    ("安居物业", "治安巡逻"), ("好邻居超市", "代购跑腿"), ("邮政快递网点", "代购跑腿"),
    ("数码维修部", "电脑手机"), ("平安保险营业部", "宣传教育"),
)  # fmt: skip

# skills by profile (weights); a unit's or firm's own skill is added on top -------------------

SKILL_WEIGHTS: dict[str, dict[str, int]] = {
    "in_service": {
        "宣传教育": 10, "帮困助弱": 10, "治安巡逻": 8, "电脑手机": 6, "驾驶": 6, "辅导功课": 6,
        "助老": 5, "垃圾分类": 5, "纠纷调解": 4, "环保监督": 4, "代购跑腿": 4, "医疗卫生": 3,
        "水电维修": 3, "摄影": 3, "家电维修": 2, "法律援助": 2, "心理疏导": 2,
    },
    "retired": {
        "助老": 10, "治安巡逻": 9, "帮困助弱": 8, "垃圾分类": 8, "文艺演出": 6, "代购跑腿": 6,
        "家政服务": 5, "环保监督": 5, "纠纷调解": 4, "宣传教育": 4, "水电维修": 3,
        "辅导功课": 3, "医疗卫生": 2, "理发": 2, "家电维修": 1,
    },
    "young": {
        "电脑手机": 8, "辅导功课": 8, "代购跑腿": 6, "宣传教育": 5, "摄影": 4, "文艺演出": 4,
        "垃圾分类": 4, "助老": 4, "环保监督": 3, "驾驶": 3, "家电维修": 2,
    },
    "firm": {"代购跑腿": 3, "宣传教育": 2, "帮困助弱": 2, "助老": 2},
    "social_worker": {
        "心理疏导": 8, "帮困助弱": 8, "助老": 6, "纠纷调解": 5, "宣传教育": 5, "辅导功课": 3,
        "法律援助": 1,
    },
}  # fmt: skip
RURAL_SKILL = ("农技指导", "farming advice")  # a scenario-specific tag (extra_skills)
VILLAGE_SKILLS = ((RURAL_SKILL[0], 0.25), ("治安巡逻", 0.35), ("环保监督", 0.25))

SITUATION_WEIGHTS_URBAN = {
    "elderly_alone": 30, "poor_family": 25, "disabled": 15, "seriously_ill": 12,
    "left_behind_child": 10,
}  # fmt: skip
SITUATION_WEIGHTS_RURAL = {
    "elderly_alone": 40, "poor_family": 20, "disabled": 10, "seriously_ill": 10,
    "left_behind_child": 30,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class WishTemplate:
    title: str
    category: str
    minutes: tuple[int, ...]
    #: beneficiary situations this wish usually comes from
    situations: tuple[str, ...]
    weight: int
    headcounts: tuple[int, ...] = (1,)
    #: skills every helper needs; None means [category], () means anyone
    skills: tuple[str, ...] | None = None
    rural_only: bool = False


_OLD = ("elderly_alone", "disabled", "seriously_ill")
_POOR = ("poor_family", "left_behind_child")
WISHES: tuple[WishTemplate, ...] = (
    WishTemplate("更换漏水水龙头", "水电维修", (30, 45, 60), (*_OLD, "poor_family"), 6),
    WishTemplate("维修入户水管", "水电维修", (60, 90, 120), _OLD, 3, (1, 1, 2)),
    WishTemplate("更换灯泡和插座", "水电维修", (30, 45), _OLD, 4),
    WishTemplate("修理洗衣机", "家电维修", (60, 90), (*_OLD, "poor_family"), 3),
    WishTemplate("维修电视机", "家电维修", (60, 90), ("elderly_alone",), 3),
    WishTemplate("清洗油烟机", "家政服务", (90, 120), _OLD, 2, (1, 2)),
    WishTemplate("打扫房间、拆洗被褥", "家政服务", (120, 180), _OLD, 3, (2,)),
    WishTemplate("陪同到医院复诊", "助老", (120, 180), _OLD, 5),
    WishTemplate("上门陪伴聊天", "助老", (60,), ("elderly_alone",), 4),
    WishTemplate("代购米面油", "代购跑腿", (45, 60), (*_OLD, "poor_family"), 5, skills=()),
    WishTemplate("代取药品", "代购跑腿", (30, 45), ("seriously_ill", "elderly_alone"), 4,
                 skills=()),
    WishTemplate("想要一个新书包", "代购跑腿", (60,), _POOR, 3, skills=()),
    WishTemplate("辅导小学数学作业", "辅导功课", (60, 90), _POOR, 5),
    WishTemplate("辅导初中英语", "辅导功课", (90,), _POOR, 2),
    WishTemplate("上门测量血压血糖", "医疗卫生", (30, 45), _OLD, 4),
    WishTemplate("康复训练指导", "医疗卫生", (60,), ("disabled", "seriously_ill"), 2),
    WishTemplate("教用智能手机挂号", "电脑手机", (45, 60), ("elderly_alone",), 4),
    WishTemplate("上门理发", "理发", (30, 45), _OLD, 3),
    WishTemplate("咨询低保申请", "帮困助弱", (45, 60), ("poor_family",), 2),
    WishTemplate("咨询工伤赔偿", "法律援助", (60,), ("poor_family", "disabled"), 1),
    WishTemplate("陪伴谈心", "心理疏导", (60, 90), ("seriously_ill", "left_behind_child"), 2),
    WishTemplate("搬运旧家具、清理杂物", "家政服务", (120,), _OLD, 2, (2, 3), skills=()),
    WishTemplate("接送去医院透析", "驾驶", (120, 180), ("seriously_ill",), 1),
    WishTemplate("指导果树修剪", RURAL_SKILL[0], (120,), ("elderly_alone", "poor_family"), 4,
                 rural_only=True),
)  # fmt: skip
#: the wish of a deliberate gap: legal aid due on a Wednesday (see ``_add_hard_cases``)
HARD_CASE_WISH = WishTemplate("咨询赡养费纠纷", "法律援助", (60,), ("elderly_alone",), 1)

# people --------------------------------------------------------------------------------------

#: the scenario's person kind of each generator profile
KIND_OF_PROFILE = {
    "in_service": "party_member",
    "retired": "volunteer",
    "young": "volunteer",
    "firm": "volunteer",
    "social_worker": "social_worker",
}
#: (weekly hours caps, weekly task caps) a person of each profile may state, drawn uniformly
WEEKLY_CAPS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "in_service": ((3, 4, 4, 6, 6, 8), (1, 2, 2, 3)),
    "retired": ((4, 6, 8, 10), (2, 3, 3, 4, 5)),
    "young": ((3, 4, 6), (1, 2, 3)),
    "firm": ((3, 4), (1, 2)),
    "social_worker": ((10, 12, 16), (4, 6, 8)),
}

# posts ---------------------------------------------------------------------------------------

_HALL_EVENINGS = tuple((d, "19:00", "21:00") for d in range(1, 6))
_HALL_WEEKENDS = tuple(
    (d, s, e) for d in (6, 7) for s, e in (("08:30", "11:30"), ("14:30", "17:30"))
)
#: the service hall's posts (党群服务中心): id suffix, name, weekly shifts and the post's fields,
#: in the order they are written
HALL_POSTS: tuple[tuple[str, str, tuple[Window, ...], Mapping[str, Any]], ...] = (
    ("hall", "党员先锋岗", _HALL_EVENINGS + _HALL_WEEKENDS,
     {"category": "宣传教育", "party_members_only": True, "min_staff": 1, "max_staff": 2}),
    ("mediation", "人民调解室",
     ((2, "14:30", "17:30"), (3, "19:00", "21:00"), (4, "14:30", "17:30"),
      (6, "09:00", "11:30")),
     {"category": "纠纷调解", "required_skills": ["纠纷调解"], "min_staff": 1, "max_staff": 2,
      "priority": 1.5}),
    ("health", "健康小屋", ((6, "08:30", "11:30"),),
     {"category": "医疗卫生", "required_skills": ["医疗卫生"], "min_staff": 1, "max_staff": 1}),
)  # fmt: skip
#: a grid's posts, named after the grid (第一网格治安巡逻); river watch in villages only
PATROL_POST = "治安巡逻"
RIVER_POST = "河道巡查"
DUTY_POST = "党员责任区"
#: an estate's post, named after the estate (黄金花园垃圾分类督导)
SORTING_POST = "垃圾分类督导"
#: the post of a deliberate gap: party members only, on a weekday morning
HARD_CASE_POST = "党员示范岗（工作日上午）"

# teams and 双报到 ------------------------------------------------------------------------------

#: a grid's party group (一网格 + 一党小组): 「第三网格党小组」
PARTY_GROUP = "{grid}党小组"
#: the specialist teams of seed 000 (专业服务队), one per skill: 「法律援助服务队」
SPECIALIST_TEAM = "{skill}服务队"
SPECIALIST_SKILLS = ("纠纷调解", "法律援助", "环保监督", "帮困助弱", "宣传教育", "医疗卫生")
#: a co-building unit (共建单位) and the staff it sends: 「顺意家政（共建单位）」
CO_BUILDING_TEAM = "{unit}（共建单位）"
#: communities next to a one-community scenario, where some members' work units are; the file
#: names them in ``second_community`` but holds neither them nor their weeks
NEIGHBOUR_COMMUNITIES = ("向阳社区", "新华社区", "东风社区", "建设社区")
