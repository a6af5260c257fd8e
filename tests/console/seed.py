"""Test data for the console, written through the repositories (as the bot would)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp

from console.actor import Actor
from console.auth.totp import SECRET_CONTEXT
from console.passwords import hash_password
from storage.models import CaseShare, StaffUser, utcnow
from storage.repositories.cases import add_message, create_case
from storage.repositories.queues import upsert_queue
from storage.repositories.residents import get_or_create_resident
from storage.repositories.staff import add_staff

PASSWORD = "correct horse battery"


@dataclass
class Seeded:
    queues: dict[str, int]
    staff: dict[str, int]
    totp_secrets: dict[str, str]


def seed_people(services) -> Seeded:
    """Three queues; staff in elderly_care, staff in poverty, a supervisor, an admin with TOTP."""
    secret = pyotp.random_base32()
    password_hash = hash_password(PASSWORD)
    with services.sessions.begin() as session:
        queues = {
            key: upsert_queue(session, key, name=name, field=field, target_reply_hours=hours)
            for key, name, field, hours in (
                ("emergency", "緊急対応", "all", 1),
                ("comprehensive", "包括的相談・多機関協働", "all", 48),
                ("elderly_care", "高齢・介護", "elderly_care", 48),
                ("poverty", "生活困窮", "poverty", 48),
            )
        }
        people = {
            "sato": ("佐藤", "staff", ["elderly_care"]),
            "suzuki": ("鈴木", "staff", ["poverty"]),
            "tanaka": ("田中", "supervisor", []),
            "admin": ("管理者", "admin", []),
        }
        staff = {}
        for login, (name, role, keys) in people.items():
            staff[login] = add_staff(
                session,
                login=login,
                display_name=name,
                password_hash=password_hash,
                role=role,
                queues=[queues[k] for k in keys],
            )
        staff["admin"].totp_secret_enc = services.cipher.encrypt(secret, context=SECRET_CONTEXT)
        session.flush()
        return Seeded({k: q.id for k, q in queues.items()}, {k: u.id for k, u in staff.items()}, {"admin": secret})


def seed_case(
    services,
    *,
    queue_id: int | None,
    texts: tuple[str, ...] = ("母が認知症で、毎日の介護に疲れました。",),
    status: str = "open",
    domains: tuple[str, ...] = ("elderly_care",),
    patterns: tuple[str, ...] = (),
    urgency: str = "normal",
    evidence: tuple[tuple[str, str], ...] = (),
    emergency: bool = False,
    user_id: str | None = None,
    received_at: datetime | None = None,
    reply_hours: int = 48,
    district: str | None = "wakaba",
    shared_with: int | None = None,
) -> int:
    received_at = received_at or utcnow()
    with services.sessions.begin() as session:
        resident = get_or_create_resident(
            session, services.cipher, user_id or f"U{received_at.timestamp():.6f}{len(texts)}{queue_id}", channel="line"
        )
        case = create_case(session, resident, channel="line", now=received_at)
        messages = [
            add_message(
                session,
                services.cipher,
                case,
                sender="resident",
                text=text,
                at=received_at - timedelta(minutes=len(texts) - i),
            )
            for i, text in enumerate(texts)
        ]
        add_message(
            session, services.cipher, case, sender="bot", text="お話しくださってありがとうございます。", at=received_at
        )
        case.status, case.queue_id = status, queue_id
        case.domains, case.patterns, case.urgency = list(domains), list(patterns), urgency
        session.flush()
        case.evidence = worker_evidence(messages, texts, evidence)
        case.emergency, case.district, case.whose, case.age_band = emergency, district, "family", "75_plus"
        case.handed_off_at, case.reply_due_at = received_at, received_at + timedelta(hours=reply_hours)
        session.flush()
        if shared_with is not None:
            session.add(CaseShare(case_id=case.id, queue_id=shared_with))
        return case.id


def worker_evidence(messages, texts: tuple[str, ...], evidence: tuple[tuple[str, str], ...]) -> list[dict]:
    """(label, word) pairs in the worker's stored form: the first message holding the word, offsets within it."""
    stored = []
    for label, word in evidence:
        index = next(i for i, text in enumerate(texts) if word in text)
        start = texts[index].index(word)
        stored.append({"label": label, "message_id": messages[index].id, "start": start, "end": start + len(word)})
    return stored


def actor_of(services, staff_id: int) -> Actor:
    with services.sessions() as session:
        return Actor.of(session.get(StaffUser, staff_id))
