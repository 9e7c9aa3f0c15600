"""The privacy notice members agree to when they register (报到).

Registration requires the current version; a new version is a new string here (the year and
month it was written: 2026-12 added the phone as login and says what the quarterly service
card to the work unit holds), and the
version each person agreed to is kept with the time (``Person.consent_version``/``consent_at``).
"""

from __future__ import annotations

PRIVACY_NOTICE_VERSION = "2026-12"

PRIVACY_NOTICE = {
    "zh": (
        "同心只为安排社区服务而保存你的资料：姓名、工作单位、居住的社区和网格、专长、空闲时间和"
        "手机号。手机号加密保存，也是你的登录名，对他人只显示部分数字（如 138****5678）。你被派去"
        "帮助的居民的地址和电话只在你的任务里显示，任务结束后不再显示，请勿外传。每季度结束后，"
        "同心会给你所选工作单位的联系人发一封电子邮件（服务登记卡），写明你的姓名、身份（党员或"
        "志愿者）、居住社区，以及当季每次服务的日期、事项和时长（只计已签到或经社区认可的时长）；"
        "不含你的手机号，也不含任何居民的住址和电话。"
    ),
    "en": (
        "Tongxin keeps your data only to arrange community service: name, work unit, community "
        "and grid of residence, skills, free time and mobile number. The number is encrypted, is "
        "your login, and is shown to others only masked (138****5678). The address and phone of "
        "a resident you are sent to help appear only on your own assignment while it is open; do "
        "not pass them on. After each quarter Tongxin e-mails the contact of the work unit you "
        "chose your service record: your name, whether you serve as a party member or a "
        "volunteer, your community, and the date, task and hours of each service that quarter "
        "(only hours checked in or approved by the community); never your mobile number, never "
        "a resident's address or phone."
    ),
}
