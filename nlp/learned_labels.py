"""The labels the learned component predicts (kept apart so the decision step needs no NumPy)."""

from nlp.labels import DOMAINS, PATTERNS

# Domains, patterns, emergency, and `urgent` meaning "urgent or emergency"
# (a missed emergency should at least reach urgent).
LEARNED_LABELS: tuple[str, ...] = (*DOMAINS, *PATTERNS, "emergency", "urgent")
