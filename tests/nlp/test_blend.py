"""The blend (nlp/blend.py, nlp/stacking.py): invariants that must hold for any fitted weights."""

import json
import math
from pathlib import Path

import pytest

from nlp.blend import (
    CARDINALITY_INPUTS,
    INPUTS,
    KEEP_ONE,
    NO_CARDINALITY,
    RULE_INPUTS,
    Blend,
    Cardinality,
    blend_inputs,
    cardinality_inputs,
    load_blend,
    logit,
    save_blend,
)
from nlp.classifier import Classifier
from nlp.decision import blended, decide, load_thresholds
from nlp.errors import ModelLoadError
from nlp.evaluation import Example
from nlp.learned_labels import LEARNED_LABELS
from nlp.stacking import BlendConfig, Scored, fit_blend

THRESHOLDS = load_thresholds()


def _example(i: int, domains: set[str], urgency: str) -> Example:
    return Example(f"s{i}", "x" * (20 + i % 50), frozenset(domains), frozenset(), urgency)


def _items() -> list[Scored]:
    """Synthetic out-of-fold items in two sources: rule and learned scores loosely agree with the gold labels."""
    items = []
    for i in range(120):
        has = i % 3 == 0
        emergency = i % 10 == 0
        rules = {label: 0.0 for label in LEARNED_LABELS}
        learned = {label: 0.1 for label in LEARNED_LABELS}
        rules["poverty"] = 0.9 if has and i % 4 else 0.0
        learned["poverty"] = 0.8 if has else (0.6 if i % 7 == 0 else 0.1)
        rules["emergency"] = 0.95 if emergency and i % 20 == 0 else 0.0
        learned["emergency"] = learned["urgent"] = 0.7 if emergency else 0.05
        example = _example(i, {"poverty"} if has else set(), "emergency" if emergency else "normal")
        items.append(Scored(f"src{i % 2}", example, rules, learned, len(example.text), i % 11 == 0))
    return items


@pytest.fixture(scope="module")
def fitted() -> Blend:
    return fit_blend(_items(), THRESHOLDS, BlendConfig(steps=150))


def test_fitting_is_deterministic(fitted: Blend, tmp_path: Path) -> None:
    # The same out-of-fold items give the same blend file, byte for byte.
    save_blend(fitted, tmp_path / "a")
    save_blend(fit_blend(_items(), THRESHOLDS, BlendConfig(steps=150)), tmp_path / "b")
    assert (tmp_path / "a" / "blend.json").read_bytes() == (tmp_path / "b" / "blend.json").read_bytes()
    assert load_blend(tmp_path / "a") == fitted


def test_rule_input_weights_are_never_negative(fitted: Blend) -> None:
    for weights in fitted.weights.values():
        assert all(weights[INPUTS.index(name)] >= 0 for name in RULE_INPUTS)


@pytest.mark.parametrize("label", ["poverty", "emergency", "elderly_care"])
@pytest.mark.parametrize("learned", [0.01, 0.3, 0.9])
def test_probability_never_falls_as_the_rule_score_rises(fitted: Blend, label: str, learned: float) -> None:
    cut = THRESHOLDS.rule_threshold(label)
    values = [
        fitted.probability(label, blend_inputs(rule / 20, cut, learned, 30, False)) for rule in range(21)
    ]
    assert values == sorted(values)


def test_crisis_detector_emergency_is_a_floor(fitted: Blend) -> None:
    # The learned part saying "no emergency" (0.0) cannot lower a crisis-detector hit.
    rules = {label: 0.0 for label in LEARNED_LABELS} | {"emergency": 0.95}
    learned = {label: 0.0 for label in LEARNED_LABELS}
    scores, decision = blended(rules, learned, THRESHOLDS, fitted, 12, True)
    assert scores["emergency"] >= decision.emergency
    assert decide(scores, decision)[2] == "emergency"


def test_suicidal_thoughts_keep_urgent_as_a_floor(fitted: Blend) -> None:
    # The learned part saying "not urgent" cannot take a distress hit (「死にたい」) down to normal;
    # without the hit the same scores decide normal, so the floor is what holds it.
    rules = {label: 0.0 for label in LEARNED_LABELS} | {"urgent": 0.9, "mental_health": 0.9}
    learned = {label: 0.0 for label in LEARNED_LABELS}
    assert decide(*blended(rules, learned, THRESHOLDS, fitted, 12, False))[2] == "normal"
    assert decide(*blended(rules, learned, THRESHOLDS, fitted, 12, False, distressed=True))[2] == "urgent"


def test_blend_learns_to_trust_agreement(fitted: Blend) -> None:
    # A cue that fired and a learned part that agrees assign poverty; neither signal gives a low probability.
    cut = THRESHOLDS.rule_threshold("poverty")
    both = fitted.probability("poverty", blend_inputs(0.9, cut, 0.8, 40, False))
    neither = fitted.probability("poverty", blend_inputs(0.0, cut, 0.1, 40, False))
    assert both >= fitted.thresholds["poverty"] > neither


def test_emergency_threshold_keeps_out_of_fold_precision(fitted: Blend) -> None:
    items = _items()
    flagged = [
        decide(*blended(i.rules, i.learned, THRESHOLDS, fitted, i.length, i.denied))[2] == "emergency" for i in items
    ]
    hits = sum(f and i.example.urgency == "emergency" for f, i in zip(flagged, items))
    assert hits / sum(flagged) >= 0.8


def test_negative_rule_weight_or_wrong_inputs_are_refused(fitted: Blend, tmp_path: Path) -> None:
    save_blend(fitted, tmp_path)
    document = json.loads((tmp_path / "blend.json").read_text(encoding="utf-8"))
    document["weights"]["poverty"][INPUTS.index("fired")] = -1.0
    (tmp_path / "blend.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="negative"):
        load_blend(tmp_path)
    document["inputs"] = ["bias"]
    (tmp_path / "blend.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="retrain"):
        load_blend(tmp_path)


def test_every_assigned_label_has_evidence_with_exact_offsets(classifier: Classifier) -> None:
    # Labels the blend assigns without a cue cite a sentence; every span matches the text.
    text = "毎月の支払いに追われて、手元に一円も残らない。夜も眠れなくて、もう限界です"
    result = classifier.classify(text)
    cited = {e.label for e in result.evidence}
    assert set(result.domains) | set(result.patterns) <= cited
    assert all(text[e.start : e.end] == e.text for e in result.evidence)



def test_a_third_domain_needs_the_extra_margin() -> None:
    from dataclasses import replace

    cut = THRESHOLDS.domains
    scores = {"poverty": 0.99, "housing": 0.98, "employment": cut["employment"] + 0.05}
    assert decide(scores, replace(THRESHOLDS, extra_domain_margin=0.1))[0] == ("poverty", "housing")
    assert decide(scores, replace(THRESHOLDS, extra_domain_margin=0.0))[0] == ("poverty", "housing", "employment")


def test_the_second_domain_offset_moves_only_the_second_domain() -> None:
    from dataclasses import replace

    cut = THRESHOLDS.domains

    def at(label: str, log_odds: float) -> float:
        """The score `log_odds` away from the label's threshold."""
        return 1 / (1 + math.exp(-(logit(cut[label]) + log_odds)))

    two = {"poverty": 0.99, "housing": at("housing", 0.7)}
    # Likely one trouble: a second domain just over its threshold is dropped; one well over it stays.
    assert decide(two, replace(THRESHOLDS, second_domain_offset=1.0))[0] == ("poverty",)
    assert decide(two, replace(THRESHOLDS, second_domain_offset=0.5))[0] == ("poverty", "housing")
    # Likely several: the runner-up just under its threshold joins a single domain, one far under does not.
    one = {"poverty": 0.99, "housing": at("housing", -0.7), "employment": at("employment", -3.0)}
    assert decide(one, replace(THRESHOLDS, second_domain_offset=-1.0))[0] == ("poverty", "housing")
    assert decide(one, replace(THRESHOLDS, second_domain_offset=-0.5))[0] == ("poverty",)
    # A low threshold does not make every other domain a runner-up: a zero score stays out.
    assert decide({"poverty": 0.99}, replace(THRESHOLDS, second_domain_offset=-1.5))[0] == ("poverty",)
    # The gate never invents the first domain, nor moves a third one.
    assert decide({"housing": at("housing", -0.7)}, replace(THRESHOLDS, second_domain_offset=-1.0))[0] == ()
    three = {"poverty": 0.99, "housing": 0.98, "employment": at("employment", 0.1)}
    assert decide(three, replace(THRESHOLDS, second_domain_offset=1.5))[0] == ("poverty", "housing", "employment")


def test_the_cardinality_model_adds_or_drops_a_second_domain_by_its_probability() -> None:
    # Weights that read only the learned P(several domains): P = sigmoid(logit(several)) = several.
    weights = tuple(1.0 if name == "several" else 0.0 for name in CARDINALITY_INPUTS)
    model = Cardinality(weights, add_above=0.7, drop_below=0.3, reach=2.0)

    def offset(several: float) -> float:
        return model.second_domain_offset(cardinality_inputs([1.0, -0.5], fired=1, several=several, length=30, pattern=False))

    assert [round(offset(p), 6) for p in (0.1, 0.5, 0.9)] == [KEEP_ONE, 0.0, -2.0]
    assert NO_CARDINALITY.second_domain_offset(cardinality_inputs([], 0, 0.99, 10, True)) == 0.0


def test_cardinality_inputs_are_bounded_and_ordered() -> None:
    inputs = dict(zip(CARDINALITY_INPUTS, cardinality_inputs([30.0, 0.2, -1.0, -2.0, -40.0], 6, 0.5, 12, True)))
    assert inputs["bias"] == 1.0
    assert (inputs["first"], inputs["second"], inputs["third"]) == (8.0, 0.2, -1.0)
    assert (inputs["passing"], inputs["fired"], inputs["short"], inputs["pattern"]) == (2.0, 4.0, 1.0, 1.0)
    # Fewer than three domains scored: the missing ones count as far under their thresholds.
    alone = dict(zip(CARDINALITY_INPUTS, cardinality_inputs([0.5], 1, 0.5, 80, False)))
    assert (alone["second"], alone["third"], alone["short"]) == (-8.0, -8.0, 0.0)


def test_a_fitted_cardinality_model_round_trips(fitted: Blend, tmp_path: Path) -> None:
    assert len(fitted.cardinality.weights) == len(CARDINALITY_INPUTS)
    save_blend(fitted, tmp_path)
    assert load_blend(tmp_path).cardinality == fitted.cardinality
    document = json.loads((tmp_path / "blend.json").read_text(encoding="utf-8"))
    document["cardinality"]["weights"] = document["cardinality"]["weights"][:-1]
    (tmp_path / "blend.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ModelLoadError):
        load_blend(tmp_path)


def test_a_household_pattern_is_blended_only_behind_its_gate() -> None:
    # A blend sure of double care and 8050 whatever it reads (bias +6) still cannot assign them
    # without the rules seeing both generations: then the household rule (score 0) decides.
    sure = tuple(6.0 if name == "bias" else 0.0 for name in INPUTS)
    blend = Blend({"double_care": sure, "8050": sure}, {"double_care": 0.5, "8050": 0.5}, {})
    learned = {label: 0.9 for label in LEARNED_LABELS}
    # An elder and a son who works (the weak work cue, under its threshold) open neither gate.
    elder_care_only = {label: 0.0 for label in LEARNED_LABELS} | {"elderly_care": 0.9, "employment": 0.35}
    scores, decision = blended(elder_care_only, learned, THRESHOLDS, blend, 30, False)
    assert (scores["double_care"], scores["8050"]) == (0.0, 0.0)
    assert decide(scores, decision)[1] == ()
    # A child cue beside the elder care opens double care's gate; withdrawal beside an elder opens 8050's.
    both = elder_care_only | {"child_parenting": 0.3, "isolation": 0.95}
    assert decide(*blended(both, learned, THRESHOLDS, blend, 30, False))[1] == ("8050", "double_care")


def test_a_gated_pattern_is_fit_and_thresholded_on_open_gates_only() -> None:
    # Gold double care sits only behind closed gates: the blend cannot learn it from those, and the
    # rule (which never fired) keeps deciding them, so the fitted blend assigns no double care anywhere.
    items = []
    for i, example in enumerate(_items()):
        closed = i % 2 == 0
        gold = example.example
        rules = {**example.rules, "elderly_care": 0.9, "child_parenting": 0.0 if closed else 0.3}
        patterns = frozenset({"double_care"}) if closed else frozenset()
        items.append(Scored(example.source, Example(gold.id, gold.text, gold.domains, patterns, gold.urgency), rules, example.learned, example.length, example.denied))
    blend = fit_blend(items, THRESHOLDS, BlendConfig(steps=150, cardinality=False))
    assert not any("double_care" in decide(*blended(i.rules, i.learned, THRESHOLDS, blend, i.length, i.denied))[1] for i in items)
