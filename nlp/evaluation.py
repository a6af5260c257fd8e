"""Evaluation against labelled JSONL (../shared/eval/SCHEMA.md), in the manner of `rasa test nlu`."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from nlp.labels import DOMAINS, PATTERNS, URGENCIES, default_route, is_complex
from nlp.result import Classification


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    domains: frozenset[str]
    patterns: frozenset[str]
    urgency: str


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def _label_report(
    labels: tuple[str, ...], gold: list[frozenset[str]], predicted: list[frozenset[str]]
) -> dict:
    per_label = {}
    totals = Counter()
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted) if label in g and label in p)
        fp = sum(1 for g, p in zip(gold, predicted) if label not in g and label in p)
        fn = sum(1 for g, p in zip(gold, predicted) if label in g and label not in p)
        # "Confused with": labels predicted instead when this one was missed.
        confused = Counter(
            other for g, p in zip(gold, predicted) if label in g and label not in p for other in p - g
        )
        per_label[label] = {
            **_prf(tp, fp, fn),
            "support": tp + fn,
            "false_positives": fp,
            "confused_with": dict(confused.most_common(3)),
        }
        totals.update(tp=tp, fp=fp, fn=fn)
    micro = _prf(totals["tp"], totals["fp"], totals["fn"])
    macro = {
        key: round(sum(per_label[label][key] for label in labels) / len(labels), 4)
        for key in ("precision", "recall", "f1")
    }
    return {"labels": per_label, "micro": micro, "macro": macro}


def evaluate(examples: list[Example], predictions: list[Classification]) -> dict:
    """The full report as a JSON-ready dict."""
    gold_urgency = [e.urgency for e in examples]
    predicted_urgency = [p.urgency for p in predictions]
    matrix = {g: {p: 0 for p in URGENCIES} for g in URGENCIES}
    for g, p in zip(gold_urgency, predicted_urgency):
        matrix[g][p] += 1
    emergency = _prf(
        matrix["emergency"]["emergency"],
        sum(matrix[g]["emergency"] for g in URGENCIES if g != "emergency"),
        sum(matrix["emergency"][p] for p in URGENCIES if p != "emergency"),
    )
    total = len(examples) or 1
    gold_routes = [default_route(e.domains, e.patterns, e.urgency) for e in examples]
    return {
        "examples": len(examples),
        "domains": _label_report(DOMAINS, [e.domains for e in examples], [frozenset(p.domains) for p in predictions]),
        "patterns": _label_report(
            PATTERNS, [e.patterns for e in examples], [frozenset(p.patterns) for p in predictions]
        ),
        "urgency": {
            "accuracy": round(sum(g == p for g, p in zip(gold_urgency, predicted_urgency)) / total, 4),
            "confusion_matrix": matrix,
            "emergency": {**emergency, "support": sum(matrix["emergency"].values())},
        },
        "complex_accuracy": round(
            sum(is_complex(e.domains) == p.complex for e, p in zip(examples, predictions)) / total, 4
        ),
        "route_accuracy": round(sum(g == p.route for g, p in zip(gold_routes, predictions)) / total, 4),
        "degraded": sum(p.degraded for p in predictions),
    }


def misclassified(examples: list[Example], predictions: list[Classification]) -> Iterable[dict]:
    """One record per example whose domains, patterns or urgency differ from the gold labels."""
    for example, prediction in zip(examples, predictions):
        if (
            set(prediction.domains) != example.domains
            or set(prediction.patterns) != example.patterns
            or prediction.urgency != example.urgency
        ):
            yield {
                "id": example.id,
                "text": example.text,
                "gold": {
                    "domains": sorted(example.domains),
                    "patterns": sorted(example.patterns),
                    "urgency": example.urgency,
                },
                "predicted": prediction.to_dict(),
            }


def format_report(report: dict) -> str:
    """The report as the plain-text tables printed by `nlp evaluate`."""
    lines = [f"examples: {report['examples']}  (classifier failures: {report['degraded']})", ""]
    for section in ("domains", "patterns"):
        part = report[section]
        lines.append(f"{section:<16} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}  confused with")
        for label, row in part["labels"].items():
            confused = ", ".join(f"{k} ({v})" for k, v in row["confused_with"].items()) or "-"
            lines.append(
                f"{label:<16} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['f1']:>7.3f} {row['support']:>8}  {confused}"
            )
        for average in ("micro", "macro"):
            row = part[average]
            lines.append(f"{average + ' avg':<16} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['f1']:>7.3f}")
        lines.append("")
    urgency = report["urgency"]
    lines.append("urgency confusion matrix (rows gold, columns predicted)")
    lines.append(f"{'':<10}" + "".join(f"{u:>10}" for u in URGENCIES))
    for gold, row in urgency["confusion_matrix"].items():
        lines.append(f"{gold:<10}" + "".join(f"{row[u]:>10}" for u in URGENCIES))
    emergency = urgency["emergency"]
    lines += [
        f"urgency accuracy:     {urgency['accuracy']:.3f}",
        f"emergency recall:     {emergency['recall']:.3f}   precision: {emergency['precision']:.3f}"
        f"   (support {emergency['support']})",
        f"complex accuracy:     {report['complex_accuracy']:.3f}",
        f"route accuracy:       {report['route_accuracy']:.3f}",
    ]
    return "\n".join(lines)
