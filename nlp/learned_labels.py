"""The labels the learned component predicts (kept apart so the decision step needs no NumPy)."""

from nlp.labels import DOMAINS, PATTERNS

# Not a SCHEMA label: "two or more domains", read by the decision's count gate (nlp/decision.py).
# A bag of features sees "several troubles at once" better than ten separate thresholds add up to it.
SEVERAL_DOMAINS = "several_domains"
# Domains, patterns, emergency, `urgent` meaning "urgent or emergency"
# (a missed emergency should at least reach urgent), and SEVERAL_DOMAINS.
LEARNED_LABELS: tuple[str, ...] = (*DOMAINS, *PATTERNS, "emergency", "urgent", SEVERAL_DOMAINS)
