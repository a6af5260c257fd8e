"""All models, importable from one place (Alembic autogenerate reads Base.metadata)."""

from storage.models.base import Base, utcnow
from storage.models.cases import (
    CASE_STATUSES,
    DELIVERY_STATUSES,
    MESSAGE_SENDERS,
    Case,
    CaseNote,
    CaseShare,
    Message,
    TagCorrection,
)
from storage.models.people import Resident, StaffUser, staff_queues
from storage.models.queues import MAX_QUEUE_NAME, Queue
from storage.models.system import (
    INBOUND_STATUSES,
    AuditEvent,
    ConfigDocument,
    InboundEvent,
    RuleSetVersion,
    SessionEntry,
)

__all__ = [
    "AuditEvent",
    "Base",
    "CASE_STATUSES",
    "Case",
    "CaseNote",
    "CaseShare",
    "ConfigDocument",
    "DELIVERY_STATUSES",
    "INBOUND_STATUSES",
    "InboundEvent",
    "MESSAGE_SENDERS",
    "MAX_QUEUE_NAME",
    "Message",
    "Queue",
    "Resident",
    "RuleSetVersion",
    "SessionEntry",
    "StaffUser",
    "TagCorrection",
    "staff_queues",
    "utcnow",
]
