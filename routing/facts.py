"""The facts about a case that routing rules may test, and their allowed values.

Intake fills these in from the conversation; the console shows them.
"""

from dataclasses import dataclass

WHOSE_VALUES: tuple[str, ...] = ("self", "family", "acquaintance")
WHOSE_NAMES_JA: dict[str, str] = {"self": "本人", "family": "家族", "acquaintance": "知人・近所"}

AGE_BANDS: tuple[str, ...] = ("under_18", "18_39", "40_64", "65_74", "75_plus")
AGE_BAND_NAMES_JA: dict[str, str] = {
    "under_18": "18歳未満",
    "18_39": "18〜39歳",
    "40_64": "40〜64歳",
    "65_74": "65〜74歳",
    "75_plus": "75歳以上",
}

# granted: 重層的支援会議 may discuss the case; declined: 支援会議 only;
# not_obtained: a third party reported it, the person concerned has not been asked.
CONSENT_VALUES: tuple[str, ...] = ("granted", "declined", "not_obtained", "unknown")
CONSENT_NAMES_JA: dict[str, str] = {
    "granted": "重層的支援会議で共有可（本人同意あり）",
    "declined": "支援会議のみ（同意なし）",
    "not_obtained": "支援会議のみ（本人未確認・第三者からの相談）",
    "unknown": "未確認",
}

CONTACT_VALUES: tuple[str, ...] = ("line", "phone", "visit", "counter")
CONTACT_NAMES_JA: dict[str, str] = {"line": "このLINE", "phone": "電話", "visit": "訪問", "counter": "窓口"}

CHANNELS: tuple[str, ...] = ("line", "simulator")


@dataclass(frozen=True)
class Facts:
    domains: frozenset[str] = frozenset()
    patterns: frozenset[str] = frozenset()
    urgency: str = "normal"
    whose: str | None = None
    age_band: str | None = None
    district: str | None = None
    consent: str = "unknown"
    office_hours: bool = True
    channel: str = "line"
