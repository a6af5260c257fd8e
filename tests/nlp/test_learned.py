"""The learned component: training, files, combination with the rules, evidence."""

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from nlp.classifier import Classifier, rules_only_classifier
from nlp.errors import InputError, ModelLoadError
from nlp.features import sentence_spans
from nlp.learned import LearnedModel, load_model, save_model
from nlp.learned_labels import LEARNED_LABELS
from nlp.training import TRAINING_FILES, TrainConfig, design_matrix, featurise_examples, file_digests, read_sources, train

TINY = [
    {"id": "t1", "text": "家賃が払えない。お金がもうない", "domains": ["poverty"], "urgency": "normal"},
    {"id": "t2", "text": "電気代も払えなくて、貯金が尽きた", "domains": ["poverty"], "urgency": "urgent"},
    {"id": "t3", "text": "母が同じことを何度も聞く。介護がつらい", "domains": ["elderly_care"], "urgency": "normal"},
    {"id": "t4", "text": "父の物忘れがひどくて介護に疲れた", "domains": ["elderly_care"], "urgency": "normal"},
    {"id": "t5", "text": "仕事が見つからない。ハローワークに通っている", "domains": ["employment"], "urgency": "normal"},
    {"id": "t6", "text": "会社をクビになって次の仕事を探している", "domains": ["employment"], "urgency": "normal"},
]
SMALL_CONFIG = TrainConfig(epochs=40, min_count=1)


@pytest.fixture(scope="module")
def rules() -> Classifier:
    return rules_only_classifier()


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "tiny.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in TINY), encoding="utf-8")
    return path


def _train_tiny(rules: Classifier, tiny_file: Path) -> LearnedModel:
    return train(featurise_examples(read_sources([tiny_file]), rules.score), SMALL_CONFIG)


def test_training_is_deterministic_and_saved_bytes_are_identical(rules: Classifier, tiny_file: Path, tmp_path: Path) -> None:
    # Training twice on the same data must give the same model files, byte for byte.
    first, second = _train_tiny(rules, tiny_file), _train_tiny(rules, tiny_file)
    save_model(first, tmp_path / "a")
    save_model(second, tmp_path / "b")
    for name in ("learned.json", "weights.npy"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_sparse_design_multiplies_like_the_dense_matrix(rules: Classifier, tiny_file: Path) -> None:
    # Training multiplies by the entries alone; it must equal the dense [keys | vectors | 1] matrix,
    # including messages none of whose keys is in the vocabulary (all-zero key rows).
    samples = featurise_examples(read_sources([tiny_file]), rules.score)
    only_first = samples[0].featured.keys - set().union(*(s.featured.keys for s in samples[1:]))
    vocabulary = {key: row for row, key in enumerate(sorted(only_first))}
    design = design_matrix(samples, vocabulary, dense_scale=0.5)
    dense = np.zeros((len(samples), design.width))
    for i, sample in enumerate(samples):
        present = [vocabulary[k] for k in sample.featured.keys if k in vocabulary]
        dense[i, present] = 1.0 / np.sqrt(len(present)) if present else 0.0
        dense[i, len(vocabulary) : -1] = sample.featured.dense * 0.5
        dense[i, -1] = 1.0
    assert dense[0, : len(vocabulary)].all() and not dense[1:, : len(vocabulary)].any()
    rng = np.random.default_rng(7)
    weights, gradient = rng.normal(size=(design.width, 3)), rng.normal(size=(len(samples), 3))
    np.testing.assert_allclose(design.dot(weights), dense @ weights, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(design.transposed_dot(gradient), dense.T @ gradient, rtol=1e-12, atol=1e-12)


def test_tiny_model_learns_its_labels_and_round_trips(rules: Classifier, tiny_file: Path, tmp_path: Path) -> None:
    # After save + load the model predicts the same, and it separates the labels it was shown.
    model = _train_tiny(rules, tiny_file)
    save_model(model, tmp_path)
    loaded = load_model(tmp_path)
    text = "お金がなくて家賃が払えない"
    scored = rules.score(text)
    assert loaded.predict(text, scored.tokens) == model.predict(text, scored.tokens)
    probabilities = loaded.predict(text, scored.tokens)
    assert probabilities["poverty"] > 0.5 > probabilities["elderly_care"]


def test_training_refuses_the_evaluation_set(tmp_path: Path) -> None:
    dev = tmp_path / "dev.jsonl"
    dev.write_text(json.dumps({"id": "x", "text": "あ"}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="never used for training"):
        read_sources([dev])


def test_packaged_model_loads_offline_from_package_files() -> None:
    # The committed files are plain JSON + .npy inside the package: no download, every label present.
    model = load_model()
    assert set(model.labels) == set(LEARNED_LABELS)
    assert model.weights.dtype == np.float32 and np.isfinite(model.weights).all()


def test_missing_or_broken_model_is_a_coded_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError):
        load_model(tmp_path)
    (tmp_path / "learned.json").write_text('{"labels": ["poverty"], "vocabulary": [], "dense_scale": 1}', encoding="utf-8")
    np.save(tmp_path / "weights.npy", np.zeros((3, 1), dtype=np.float32))
    with pytest.raises(ModelLoadError, match="shape"):
        load_model(tmp_path)


def test_sentence_spans_cover_the_text_without_blanks() -> None:
    text = "母の介護が大変です。\n  お金もない！ 仕事は…"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["母の介護が大変です。", "お金もない！", "仕事は…"]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # Paraphrases no cue row matches: the packaged model must still find the field.
        ("毎月の支払いに追われて、手元に一円も残らない", "poverty"),
        ("給料日まで財布が空っぽで、子どもに食べさせるものがない", "poverty"),
    ],
)
def test_learned_part_finds_paraphrases_the_cues_miss(rules: Classifier, classifier: Classifier, text: str, label: str) -> None:
    assert label not in rules.classify(text).domains
    result = classifier.classify(text)
    assert label in result.domains
    # Its evidence is a whole sentence of the message, with exact offsets.
    cited = [e for e in result.evidence if e.label == label]
    assert cited and all(text[e.start : e.end] == e.text and e.text.strip() == e.text for e in cited)


def test_denied_cue_is_hidden_from_the_learned_part(classifier: Classifier) -> None:
    # 「借金はありません」 must not turn into poverty through the learned part either.
    scored = classifier.score("借金はありません。子どもの進路のことで相談です")
    assert scored.masked
    assert "poverty" not in classifier.classify("借金はありません。子どもの進路のことで相談です").domains


def test_packaged_model_was_trained_on_the_current_training_files() -> None:
    # `nlp train` records each training file's sha256: a changed data file means the model is stale.
    data = Path(str(resources.files("nlp").joinpath("data")))
    recorded = load_model().metadata["trained_on"]
    assert list(recorded) == list(TRAINING_FILES)
    assert recorded == file_digests([data / name for name in TRAINING_FILES])


_LOGITS_SCRIPT = """
import numpy as np
from nlp.features import DENSE_WIDTH, Featured
from nlp.learned import LearnedModel
keys = [f"c:{i}" for i in range(400)]
weights = np.array([[((i * 7919) % 1000) / 997.0 - 0.5] for i in range(400 + DENSE_WIDTH + 1)], dtype=np.float32)
model = LearnedModel(("poverty",), {k: i for i, k in enumerate(keys)}, weights, 1.0, {})
print(repr(float(model.logits(Featured(frozenset(keys), np.zeros(DENSE_WIDTH, dtype=np.float32)))[0])))
"""


def test_learned_scores_do_not_depend_on_the_hash_seed() -> None:
    # The same message must get bit-identical scores in every process (training and run time alike).
    outputs = {
        subprocess.run(
            [sys.executable, "-c", _LOGITS_SCRIPT],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def test_nlp_train_writes_the_same_model_with_parallel_folds(tiny_file: Path, tmp_path: Path) -> None:
    # Two source files, so the blend has out-of-fold predictions; one and two fold processes must
    # write byte-identical files (the committed model is what the command writes on any machine).
    from click.testing import CliRunner

    from nlp.cli import nlp_group

    second = tmp_path / "second.jsonl"
    second.write_text(
        "".join(
            json.dumps({**row, "id": row["id"] + "b", "text": row["text"] + "。どうしたらいいですか"}, ensure_ascii=False) + "\n"
            for row in TINY
        ),
        encoding="utf-8",
    )
    written, tables = {}, {}
    for jobs in ("1", "2"):
        output = tmp_path / f"model{jobs}"
        result = CliRunner().invoke(
            nlp_group,
            ["train", "--data", str(tiny_file), "--data", str(second), "--output", str(output), "--jobs", jobs, "--validate"],
        )
        assert result.exit_code == 0, result.output
        written[jobs] = {name: (output / name).read_bytes() for name in ("learned.json", "weights.npy", "blend.json")}
        # After the "trained on … -> DIR" line: the validation table, a row per held-out file and for all.
        tables[jobs] = result.output.splitlines()[1:]
    assert written["1"] == written["2"]
    assert tables["1"] == tables["2"]
    assert [line.split()[:2] for line in tables["2"][1:]] == [
        [source, kind] for source in ("all", "tiny.jsonl", "second.jsonl") for kind in ("rules", "blended")
    ]
    assert load_model(tmp_path / "model2").metadata["examples"] == 2 * len(TINY)
