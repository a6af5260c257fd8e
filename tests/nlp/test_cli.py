"""The classify / nlp evaluate commands through click's CliRunner."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nlp.classifier import Classifier
from nlp.cli import classify_command, nlp_group

OUTPUT_KEYS = {"id", "domains", "patterns", "urgency", "complex", "route", "scores", "evidence"}


@pytest.fixture()
def runner(classifier: Classifier) -> CliRunner:
    # Depending on `classifier` loads the model once for the session before any command runs.
    return CliRunner()


def test_classify_writes_one_result_per_line_in_order(runner: CliRunner) -> None:
    lines = [
        {"id": "a", "text": "父の介護のために会社を辞めた"},
        {"id": "b", "text": "今から死にます"},
    ]
    stdin = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    result = runner.invoke(classify_command, [], input=stdin)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["id"] for r in records] == ["a", "b"]
    assert all(set(r) == OUTPUT_KEYS for r in records)
    assert records[0]["complex"] is True and records[0]["route"] == "comprehensive"
    assert records[1]["urgency"] == "emergency" and records[1]["route"] == "emergency"


def test_bad_lines_yield_errors_and_the_run_goes_on(runner: CliRunner) -> None:
    stdin = '{"id": "x", "text": "借金で困っています"}\nnot json\n{"id": "y"}\n[1, 2]\n{"id": "z", "text": "家賃が払えない"}\n'
    result = runner.invoke(classify_command, [], input=stdin)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r.get("id") for r in records] == ["x", None, "y", None, "z"]
    assert [("error" in r) for r in records] == [False, True, True, True, False]
    assert records[2]["line"] == 3
    assert "poverty" in records[4]["domains"]


def test_classify_reads_and_writes_files(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    target = tmp_path / "out.jsonl"
    source.write_text('{"id": 1, "text": "妊娠していて、出産の費用が心配です"}\n', encoding="utf-8")
    result = runner.invoke(classify_command, ["--input", str(source), "--output", str(target)])
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert record["id"] == 1
    assert "child_parenting" in record["domains"]


def _write_labelled(path: Path) -> None:
    rows = [
        {"id": "t1", "text": "母が認知症で介護に疲れました", "domains": ["elderly_care"], "patterns": [], "urgency": "normal"},
        {"id": "t2", "text": "今夜、薬を全部飲んで死にます", "domains": ["mental_health"], "patterns": [], "urgency": "emergency"},
        # Deliberately mislabelled so the errors file has a line to write.
        {"id": "t3", "text": "家賃が払えません", "domains": ["employment"], "patterns": [], "urgency": "normal"},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_evaluate_prints_report_and_writes_errors(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    errors = tmp_path / "errors.jsonl"
    _write_labelled(data)
    result = runner.invoke(nlp_group, ["evaluate", "--data", str(data), "--errors", str(errors)])
    assert result.exit_code == 0, result.output
    for heading in ("precision", "micro avg", "macro avg", "urgency confusion matrix", "emergency recall", "route accuracy"):
        assert heading in result.output
    wrong = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert [w["id"] for w in wrong] == ["t3"]
    assert wrong[0]["gold"]["domains"] == ["employment"]


def test_evaluate_json_report(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    _write_labelled(data)
    result = runner.invoke(nlp_group, ["evaluate", "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["examples"] == 3
    assert report["urgency"]["emergency"]["support"] == 1
    assert report["domains"]["labels"]["employment"]["support"] == 1
    assert report["domains"]["labels"]["employment"]["recall"] == 0.0


def test_evaluate_rejects_malformed_data_with_the_line_number(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text('{"id": "a", "text": "x", "domains": ["nope"]}\n', encoding="utf-8")
    result = runner.invoke(nlp_group, ["evaluate", "--data", str(data)])
    assert result.exit_code != 0
    assert "line 1" in result.output


def _write_annotations(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_evaluate_scores_another_annotators_labels(runner: CliRunner, tmp_path: Path) -> None:
    data, labels = tmp_path / "data.jsonl", tmp_path / "second.jsonl"
    _write_labelled(data)
    # The second annotator agrees on t3's odd gold label (which the classifier never gives) and adds poverty to t1.
    _write_annotations(
        labels,
        [
            {"id": "t3", "domains": ["employment"], "patterns": [], "urgency": "normal"},
            {"id": "t1", "domains": ["elderly_care", "poverty"], "patterns": [], "urgency": "normal"},
            {"id": "t2", "domains": ["mental_health"], "patterns": [], "urgency": "emergency"},
        ],
    )
    result = runner.invoke(nlp_group, ["evaluate", "--data", str(data), "--labels", str(labels), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["domains"]["labels"]["employment"]["recall"] == 1.0
    assert report["domains"]["labels"]["poverty"]["false_positives"] == 1
    assert report["complex_accuracy"] == round(2 / 3, 4)
    assert report["urgency"]["accuracy"] == 1.0


def test_evaluate_labels_must_cover_every_message_once(runner: CliRunner, tmp_path: Path) -> None:
    data, labels = tmp_path / "data.jsonl", tmp_path / "second.jsonl"
    _write_labelled(data)
    _write_annotations(labels, [{"id": "t1", "domains": ["elderly_care"]}])
    result = runner.invoke(nlp_group, ["evaluate", "--data", str(data), "--labels", str(labels)])
    assert result.exit_code != 0
    assert "2 messages have no label" in result.output and "'t2'" in result.output
    _write_annotations(labels, [{"id": "t1"}, {"id": "t1", "domains": ["poverty"]}])
    result = runner.invoke(nlp_group, ["evaluate", "--data", str(data), "--labels", str(labels)])
    assert result.exit_code != 0 and "line 2" in result.output and "twice" in result.output
    labels.write_text('{"id": "t1"}\n{"id": "t2", "domains": "poverty"}\n', encoding="utf-8")
    result = runner.invoke(nlp_group, ["evaluate", "--data", str(data), "--labels", str(labels)])
    assert result.exit_code != 0 and "line 2" in result.output


def test_bench_reports_both_pipelines(runner: CliRunner, tmp_path: Path) -> None:
    # Figures are printed, not asserted: only their presence and shape are checked.
    data = tmp_path / "texts.jsonl"
    data.write_text('{"text": "母の介護で眠れません"}\n{"text": "家賃が払えない"}\n', encoding="utf-8")
    result = runner.invoke(nlp_group, ["bench", "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["ours"]["pipeline"] == "marugoto" and figures["baseline"]["pipeline"] == "ja_ginza (full)"
    for side in ("ours", "baseline"):
        assert figures[side]["messages"] == 2
        assert figures[side]["rss_mb_after_load"] > 0
    assert figures["throughput_ratio"] > 0
