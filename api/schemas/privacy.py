"""The privacy notice members agree to when they register (报到).

Registration requires the current version; a new version is a new string here, and the
version each person agreed to is kept with the time (``Person.consent_version``/``consent_at``).
"""

from __future__ import annotations

PRIVACY_NOTICE_VERSION = "2026-01"

PRIVACY_NOTICE = {
    "zh": (
        "同心只为安排社区服务而保存你的资料：姓名、工作单位、居住的社区和网格、专长、空闲时间和"
        "手机号。手机号加密保存，对他人只显示部分数字（如 138****5678）。你被派去帮助的居民的地址"
        "和电话只在你的任务里显示，任务结束后不再显示，请勿外传。服务记录会按季度告知你的工作单位。"
    ),
    "en": (
        "Tongxin keeps your data only to arrange community service: name, work unit, community "
        "and grid of residence, skills, free time and mobile number. The number is encrypted and "
        "shown to others only masked (138****5678). The address and phone of a resident you are "
        "sent to help appear only on your own assignment while it is open; do not pass them on. "
        "Your service record is reported to your work unit each quarter."
    ),
}
