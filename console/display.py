"""Japanese names and time formatting for the staff UI (Asia/Tokyo for display only)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from console.actor import ROLE_NAMES_JA
from intake.lifecycle import OUTCOMES
from routing.facts import AGE_BAND_NAMES_JA, CONSENT_NAMES_JA, CONTACT_NAMES_JA, WHOSE_NAMES_JA
from routing.vocabulary import DOMAIN_NAMES_JA, PATTERN_NAMES_JA, PRIORITY_NAMES_JA, URGENCY_NAMES_JA

TOKYO = ZoneInfo("Asia/Tokyo")

STATUS_NAMES_JA = {
    "intake": "聞き取り中",
    "open": "未対応",
    "assigned": "対応中",
    "waiting": "相談者の返信待ち",
    "referred": "引継ぎ（未対応）",
    "resolved": "終結",
}
SENDER_NAMES_JA = {"resident": "相談者", "bot": "ボット", "staff": "職員", "system": "システム"}
DELIVERY_NAMES_JA = {"received": "受信", "pending": "送信中", "sent": "送信済み", "failed": "送信失敗"}
LABEL_NAMES_JA = {**DOMAIN_NAMES_JA, **PATTERN_NAMES_JA, **{f"urgency:{k}": v for k, v in URGENCY_NAMES_JA.items()}}


def label_name(label: str) -> str:
    """An evidence label (a domain, a pattern or an urgency) in Japanese."""
    return LABEL_NAMES_JA.get(label) or URGENCY_NAMES_JA.get(label) or label


def jst(value: datetime | None, fmt: str = "%Y/%m/%d %H:%M") -> str:
    return "" if value is None else value.astimezone(TOKYO).strftime(fmt)


def jst_date(value: datetime | None) -> str:
    return jst(value, "%Y-%m-%d")


def duration_ja(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    if minutes < 60:
        return f"{minutes}分"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}時間{rest}分" if rest else f"{hours}時間"
    days, hours = divmod(hours, 24)
    return f"{days}日{hours}時間" if hours else f"{days}日"


def template_names() -> dict:
    return {
        "STATUS_NAMES": STATUS_NAMES_JA,
        "SENDER_NAMES": SENDER_NAMES_JA,
        "DELIVERY_NAMES": DELIVERY_NAMES_JA,
        "DOMAIN_NAMES": DOMAIN_NAMES_JA,
        "PATTERN_NAMES": PATTERN_NAMES_JA,
        "URGENCY_NAMES": URGENCY_NAMES_JA,
        "PRIORITY_NAMES": PRIORITY_NAMES_JA,
        "OUTCOME_NAMES": OUTCOMES,
        "WHOSE_NAMES": WHOSE_NAMES_JA,
        "AGE_BAND_NAMES": AGE_BAND_NAMES_JA,
        "CONTACT_NAMES": CONTACT_NAMES_JA,
        "CONSENT_NAMES": CONSENT_NAMES_JA,
        "ROLE_NAMES": ROLE_NAMES_JA,
    }


FILTERS = {"jst": jst, "jst_date": jst_date, "label_name": label_name}
