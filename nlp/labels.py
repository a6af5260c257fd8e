"""The label set of ../shared/eval/SCHEMA.md and the rules derived from it.

Everything that names a domain, pattern, urgency or default route uses these
constants, so a typo is an import error rather than a silent mismatch.
"""

from collections.abc import Iterable

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
URGENCIES: tuple[str, ...] = ("normal", "urgent", "emergency")
ROUTES: tuple[str, ...] = ("emergency", "comprehensive", *CORE_DOMAINS, "none")

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
PATTERN_NAMES_JA: dict[str, str] = {
    "8050": "8050",
    "double_care": "ダブルケア",
    "young_carer": "ヤングケアラー",
}
URGENCY_NAMES_JA: dict[str, str] = {"normal": "通常", "urgent": "至急", "emergency": "緊急"}


def is_complex(domains: Iterable[str]) -> bool:
    """複合: at least two domains."""
    return len(set(domains)) >= 2


def default_route(domains: Iterable[str], patterns: Iterable[str], urgency: str) -> str:
    """The SCHEMA default route for a set of labels."""
    domains = set(domains)
    if urgency == "emergency":
        return "emergency"
    if is_complex(domains) or set(patterns):
        return "comprehensive"
    if not domains:
        return "none"
    (only,) = domains
    return only if only in CORE_DOMAINS else "comprehensive"
