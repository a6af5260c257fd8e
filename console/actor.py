"""Who is acting: a plain snapshot of the logged-in staff user, safe outside a DB session."""

from dataclasses import dataclass

from storage.models import StaffUser

ROLE_NAMES_JA = {"staff": "相談員", "supervisor": "スーパーバイザー", "admin": "管理者"}


@dataclass(frozen=True)
class Actor:
    id: int
    login: str
    display_name: str
    role: str
    queue_ids: frozenset[int]

    @property
    def sees_all_cases(self) -> bool:
        return self.role in ("supervisor", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def audit(self) -> dict:
        """Keyword arguments for record_audit naming this actor."""
        return {"actor_type": "staff", "actor_id": self.id}

    @classmethod
    def of(cls, user: StaffUser) -> "Actor":
        return cls(
            id=user.id,
            login=user.login,
            display_name=user.display_name,
            role=user.role,
            queue_ids=frozenset(q.id for q in user.queues),
        )
