"""The values routing rules may name: labels, priorities and reserved queue keys.

The label tuples repeat ../shared/eval/SCHEMA.md (as nlp/labels.py does) because
routing must not import nlp; tests/routing check that both agree.
"""

DOMAINS: tuple[str, ...] = (
    "elderly_care",
    "disability",
    "child_parenting",
    "poverty",
    "isolation",
    "mental_health",
    "health",
    "housing",
    "employment",
    "abuse_violence",
)
# The four fields that have their own agency under the 重層的支援 plans.
CORE_DOMAINS: tuple[str, ...] = ("elderly_care", "disability", "child_parenting", "poverty")
PATTERNS: tuple[str, ...] = ("8050", "double_care", "young_carer")
# Ordered from least to most pressing, so rules may say "at least urgent".
URGENCIES: tuple[str, ...] = ("normal", "urgent", "emergency")

# Ordered from most to least pressing; the console sorts queues by this.
PRIORITIES: tuple[str, ...] = ("highest", "high", "normal", "low")
PRIORITY_NAMES_JA: dict[str, str] = {"highest": "最優先", "high": "高", "normal": "通常", "low": "低"}
# Case.priority stores this number: larger is more pressing (0 = not routed yet or low).
PRIORITY_RANK: dict[str, int] = {"highest": 3, "high": 2, "normal": 1, "low": 0}

# General information the bot answers itself: always a valid target, never staffed,
# so it cannot be notified.
BOT_QUEUE = "none"
# Where a case goes when its queue no longer exists: never nowhere.
FALLBACK_QUEUE = "comprehensive"

# The queues of the default rule set: the SCHEMA route names that people staff.
SCHEMA_QUEUES: tuple[str, ...] = ("emergency", "comprehensive", *CORE_DOMAINS)

# Japanese names for staff screens (also a copy of nlp/labels.py; a test keeps them equal).
DOMAIN_NAMES_JA: dict[str, str] = {
    "elderly_care": "高齢・介護",
    "disability": "障がい",
    "child_parenting": "子ども・子育て",
    "poverty": "生活困窮",
    "isolation": "ひきこもり・孤立",
    "mental_health": "こころ・依存症",
    "health": "医療・健康",
    "housing": "住まい",
    "employment": "就労",
    "abuse_violence": "虐待・DV",
}
PATTERN_NAMES_JA: dict[str, str] = {"8050": "8050", "double_care": "ダブルケア", "young_carer": "ヤングケアラー"}
URGENCY_NAMES_JA: dict[str, str] = {"normal": "通常", "urgent": "至急", "emergency": "緊急"}
