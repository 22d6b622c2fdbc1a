"""The store: SQLModel tables split by domain, the engine and Alembic migrations.

Nothing here imports a domain package; domain packages import the store.
"""

from mel_core.store.accounts import LoginAttempt, PortalSecret, User, WebSession
from mel_core.store.attachments import Attachment
from mel_core.store.audit import AuditEvent
from mel_core.store.base import metadata, table_of
from mel_core.store.calls import LessonCall, LessonCallInvitee
from mel_core.store.engine import make_engine, session_scope, writer_transaction
from mel_core.store.enterprises import (
    ActivityIndicator,
    ActivityParticipant,
    ActivityResult,
    Enterprise,
    EnterpriseReport,
)
from mel_core.store.evaluations import Evaluation, Finding, KeyAction, KeyActionUpdate, Rating, Recommendation
from mel_core.store.finance import Activity, Expenditure
from mel_core.store.geo import AdminUnit, TaxonomyTerm
from mel_core.store.lessons import Lesson, LessonProvince, LessonReview, LessonSection, LessonTheme
from mel_core.store.programmes import (
    Indicator,
    Objective,
    Organisation,
    Programme,
    ProgrammeDonor,
    ProgrammeProvince,
)
from mel_core.store.results import Observation, Provenance, Target
from mel_core.store.submissions import WorkbookSubmission
from mel_core.store.surveys import SurveyRecord, SurveyValue

__all__ = [
    "Activity",
    "ActivityIndicator",
    "ActivityParticipant",
    "ActivityResult",
    "AdminUnit",
    "Attachment",
    "AuditEvent",
    "Enterprise",
    "EnterpriseReport",
    "Evaluation",
    "Expenditure",
    "Finding",
    "Indicator",
    "KeyAction",
    "KeyActionUpdate",
    "Lesson",
    "LessonCall",
    "LessonCallInvitee",
    "LessonProvince",
    "LessonReview",
    "LessonSection",
    "LessonTheme",
    "LoginAttempt",
    "Objective",
    "Observation",
    "Organisation",
    "PortalSecret",
    "Programme",
    "ProgrammeDonor",
    "ProgrammeProvince",
    "Provenance",
    "Rating",
    "Recommendation",
    "SurveyRecord",
    "SurveyValue",
    "Target",
    "TaxonomyTerm",
    "User",
    "WebSession",
    "WorkbookSubmission",
    "make_engine",
    "metadata",
    "session_scope",
    "table_of",
    "writer_transaction",
]
