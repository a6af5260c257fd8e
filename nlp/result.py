"""The classifier's output: scores and evidence, then labels decided from them."""

from dataclasses import dataclass, field

from nlp.labels import default_route, is_complex


@dataclass(frozen=True)
class Evidence:
    """Characters text[start:end] of the classified text triggered `label`."""

    label: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict:
        return {"label": self.label, "start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Classification:
    domains: tuple[str, ...]
    patterns: tuple[str, ...]
    urgency: str
    scores: dict[str, float] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
    # Set when the classifier failed or timed out and this is the safe fallback.
    degraded: bool = False

    @property
    def complex(self) -> bool:
        return is_complex(self.domains)

    @property
    def route(self) -> str:
        return default_route(self.domains, self.patterns, self.urgency)

    def to_dict(self) -> dict:
        return {
            "domains": list(self.domains),
            "patterns": list(self.patterns),
            "urgency": self.urgency,
            "complex": self.complex,
            "route": self.route,
            "scores": dict(self.scores),
            "evidence": [e.to_dict() for e in self.evidence],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Classification":
        return cls(
            domains=tuple(data.get("domains", ())),
            patterns=tuple(data.get("patterns", ())),
            urgency=data.get("urgency", "normal"),
            scores=dict(data.get("scores", {})),
            evidence=tuple(Evidence(**e) for e in data.get("evidence", ())),
            degraded=bool(data.get("degraded", False)),
        )


def fallback_classification() -> Classification:
    """What a message gets when the classifier fails: urgent, for a person to read."""
    return Classification(domains=(), patterns=(), urgency="urgent", degraded=True)
