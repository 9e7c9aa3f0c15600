"""The database: SQLAlchemy models, engines and sessions, migrations (see docs/data.md).

Importing the package registers every table on ``Base.metadata``, so relationships between
modules resolve whichever model is used first.
"""

from models.audit import AuditLog
from models.base import Base
from models.calendar import (
    Activity,
    ActivityRole,
    DayRule,
    RecurringActivity,
    ThemeMonth,
    YearlyTheme,
    generate_activities,
)
from models.community import Community, Grid, Street
from models.household import Household, HouseholdSituation, Situation
from models.notification import Message, Notification, NotificationStatus
from models.pairing import (
    PairingRules,
    PairLock,
    PairLockKind,
    PairStatus,
    PairVisit,
    StandingPair,
    generate_visits,
)
from models.person import Availability, Person, PersonCategory, PersonSkill, UnavailableDate
from models.place import Place, PlaceKind
from models.post import Post, PostSkill, Shift, ShiftTemplate, generate_shifts
from models.schedule import (
    Assignment,
    AssignmentStatus,
    Override,
    OverrideKind,
    RunStatus,
    ScheduleRun,
    publish_run,
)
from models.team import CommunityMembership, MembershipRole, Team, TeamKind, TeamMember
from models.user import LoginFailure, UserAccount, UserRole
from models.versions import CommunityVersion, bump_versions, community_version
from models.wish import FollowUp, Wish, WishSkill, WishStatus, WishTransitionError
from models.work_unit import ServiceCard, WorkUnit

__all__ = [
    "Activity",
    "ActivityRole",
    "Assignment",
    "AssignmentStatus",
    "AuditLog",
    "Availability",
    "Base",
    "Community",
    "CommunityMembership",
    "CommunityVersion",
    "DayRule",
    "FollowUp",
    "Grid",
    "Household",
    "HouseholdSituation",
    "LoginFailure",
    "MembershipRole",
    "Message",
    "Notification",
    "NotificationStatus",
    "Override",
    "OverrideKind",
    "PairLock",
    "PairLockKind",
    "PairStatus",
    "PairVisit",
    "PairingRules",
    "Person",
    "PersonCategory",
    "PersonSkill",
    "Place",
    "PlaceKind",
    "Post",
    "PostSkill",
    "RecurringActivity",
    "RunStatus",
    "ScheduleRun",
    "ServiceCard",
    "Shift",
    "ShiftTemplate",
    "Situation",
    "StandingPair",
    "Street",
    "Team",
    "TeamKind",
    "TeamMember",
    "ThemeMonth",
    "UnavailableDate",
    "UserAccount",
    "UserRole",
    "Wish",
    "WishSkill",
    "WishStatus",
    "WishTransitionError",
    "WorkUnit",
    "YearlyTheme",
    "bump_versions",
    "community_version",
    "generate_activities",
    "generate_shifts",
    "generate_visits",
    "publish_run",
]
