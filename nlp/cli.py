"""Click commands `classify` and the `nlp` group (`evaluate`, `bench`, `train`), added to the root `marugoto` CLI."""

import json
import os
from pathlib import Path

import click

from nlp.classifier import classify_or_fallback, load_classifier
from nlp.errors import InputError, NlpError
from nlp.jsonl import parse_message, read_annotations, read_examples, read_texts

_DATA_DIR = Path(__file__).parent / "data"
_DEFAULT_BENCH_DATA = _DATA_DIR / "examples.jsonl"


def _load_or_abort():
    try:
        return load_classifier()
    except NlpError as exc:
        raise click.ClickException(f"[{exc.code}] {exc}") from None


@click.command("classify")
@click.option("--input", "input_file", type=click.File("r", encoding="utf-8"), default="-", show_default="stdin")
@click.option("--output", "output_file", type=click.File("w", encoding="utf-8"), default="-", show_default="stdout")
def classify_command(input_file, output_file) -> None:
    """Classify JSONL messages ({"id", "text"} per line), one JSON result per line, same order.

    A line that is not JSON or has no string `text` gets an object with `error`;
    the run goes on. A message the classifier fails on is marked urgent and `degraded`.
    """
    classifier = _load_or_abort()
    for number, line in enumerate(input_file, start=1):
        if not line.strip():
            continue
        try:
            identifier, text = parse_message(line)
        except InputError as exc:
            record = {"id": _id_if_any(line), "line": number, "error": str(exc), "code": exc.code}
        else:
            result = classify_or_fallback(classifier, text)
            record = {"id": identifier, **result.to_dict()}
            if result.degraded:
                record["degraded"] = True
        output_file.write(json.dumps(record, ensure_ascii=False) + "\n")
        output_file.flush()


def _id_if_any(line: str) -> object:
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return None
    return data.get("id") if isinstance(data, dict) else None


@click.group("nlp")
def nlp_group() -> None:
    """Classifier evaluation, benchmark and training."""


@nlp_group.command("evaluate")
@click.option("--data", "data_file", type=click.File("r", encoding="utf-8"), required=True, help="Labelled JSONL.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--errors", "errors_file", type=click.File("w", encoding="utf-8"), help="Write misclassified lines here.")
@click.option(
    "--labels",
    "labels_file",
    type=click.File("r", encoding="utf-8"),
    help="Score another annotator's labels of the same messages (matched by id) instead of the classifier's.",
)
def evaluate_command(data_file, as_json: bool, errors_file, labels_file) -> None:
    """Per-label precision/recall/F1, urgency matrix, emergency, pattern, complex and route figures.

    With --labels the same report measures how far two annotators agree: the
    ceiling a classifier can be expected to reach against either of them.
    """
    from nlp.evaluation import evaluate, format_report, misclassified

    try:
        examples = read_examples(data_file)
        annotations = read_annotations(labels_file) if labels_file is not None else None
    except InputError as exc:
        raise click.ClickException(f"[{exc.code}] {exc}") from None
    if annotations is not None:
        missing = [example.id for example in examples if example.id not in annotations]
        if missing:
            raise click.ClickException(f"{len(missing)} messages have no label in --labels, first: {missing[0]!r}")
        predictions = [annotations[example.id] for example in examples]
    else:
        classifier = _load_or_abort()
        predictions = [classify_or_fallback(classifier, example.text) for example in examples]
    report = evaluate(examples, predictions)
    click.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else format_report(report))
    if errors_file is not None:
        for record in misclassified(examples, predictions):
            errors_file.write(json.dumps(record, ensure_ascii=False) + "\n")


@nlp_group.command("bench")
@click.option(
    "--data",
    "data_file",
    type=click.File("r", encoding="utf-8"),
    default=str(_DEFAULT_BENCH_DATA),
    show_default="nlp/data/examples.jsonl",
    help="JSONL with a `text` per line.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Use at most this many messages.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def bench_command(data_file, limit: int | None, as_json: bool) -> None:
    """Messages/s, p50/p95 latency, load time and RSS: ours vs the full ja_ginza pipeline."""
    from nlp.bench import format_benchmark, run_benchmark

    try:
        texts = read_texts(data_file)
    except InputError as exc:
        raise click.ClickException(f"[{exc.code}] {exc}") from None
    if limit:
        texts = texts[:limit]
    if not texts:
        raise click.ClickException("no messages to benchmark")
    ours, baseline = run_benchmark(texts)
    if as_json:
        ratio = ours.messages_per_second / baseline.messages_per_second if baseline.messages_per_second else None
        click.echo(json.dumps({"ours": ours.to_dict(), "baseline": baseline.to_dict(), "throughput_ratio": ratio}))
    else:
        click.echo(format_benchmark(ours, baseline))


@nlp_group.command("train")
@click.option(
    "--data",
    "data_files",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    help="Labelled JSONL to train on (repeatable); default: the training files in nlp/data.",
)
@click.option(
    "--output",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    show_default="nlp/model",
    help="Where to write learned.json and weights.npy.",
)
@click.option("--validate", is_flag=True, help="Also print leave-one-source-out figures (rules alone vs blended).")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=lambda: os.cpu_count() or 1,
    show_default="the CPU count",
    help="Processes training the out-of-fold models (and fitting the nested blends) side by side; the result is the same for any number.",
)
def train_command(data_files: tuple[Path, ...], output_dir: Path | None, validate: bool, jobs: int) -> None:
    """Train the learned component and its blend on our own labelled files (never on dev.jsonl) and save them.

    The blend is fit on out-of-fold learned probabilities (one fold per source
    file), then the learned model is trained on everything.
    """
    from nlp.blend import save_blend
    from nlp.classifier import rules_only_classifier
    from nlp.learned import model_directory, save_model
    from nlp.stacking import BlendConfig, fit_blend
    from nlp.training import TRAINING_FILES, TrainConfig, featurise_examples, file_digests, read_sources, train
    from nlp.validation import out_of_fold, report_by_source

    paths = list(data_files) or [_DATA_DIR / name for name in TRAINING_FILES]
    try:
        rows = read_sources(paths)
        rules = rules_only_classifier()
    except NlpError as exc:
        raise click.ClickException(f"[{exc.code}] {exc}") from None
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    if len({source for source, _ in rows}) < 2:
        raise click.ClickException("the blend needs out-of-fold predictions: give at least two source files")
    samples = featurise_examples(rows, rules.score)
    config, blend_config = TrainConfig(), BlendConfig()
    items = out_of_fold(rows, samples, config, jobs)
    blend = fit_blend(items, rules.thresholds, blend_config)
    model = train(samples, config, {"trained_on": file_digests(paths), "examples": len(samples)})
    target = output_dir or model_directory()
    save_model(model, target)
    save_blend(blend, target)
    click.echo(f"trained on {len(samples)} examples from {len(paths)} files; {len(model.vocabulary)} feature keys -> {target}")
    if validate:
        click.echo(_validation_table(report_by_source(items, rules, blend_config, jobs)))


def _validation_table(reports: dict[str, dict[str, dict]]) -> str:
    header = f"{'held-out source':<22} {'':<8} {'micro':>6} {'macro':>6} {'urg acc':>7} {'em R':>5} {'em P':>5} {'8050':>5} {'dbl':>5} {'yc':>5} {'cplx':>5} {'route':>5}"
    lines = [header]
    for source, pair in reports.items():
        for name, report in pair.items():
            patterns = report["patterns"]["labels"]
            emergency = report["urgency"]["emergency"]
            lines.append(
                f"{source:<22} {name:<8} {report['domains']['micro']['f1']:>6.3f} {report['domains']['macro']['f1']:>6.3f} "
                f"{report['urgency']['accuracy']:>7.3f} {emergency['recall']:>5.2f} {emergency['precision']:>5.2f} "
                f"{patterns['8050']['f1']:>5.2f} {patterns['double_care']['f1']:>5.2f} {patterns['young_carer']['f1']:>5.2f} "
                f"{report['complex_accuracy']:>5.3f} {report['route_accuracy']:>5.3f}"
            )
    return "\n".join(lines)
