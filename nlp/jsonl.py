"""Reading the JSONL the CLI takes: `{"id", "text"}` lines and labelled examples."""

import json
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from nlp.errors import InputError
from nlp.evaluation import Example
from nlp.labels import DOMAINS, PATTERNS, URGENCIES
from nlp.result import Classification

_In = TypeVar("_In")
_Out = TypeVar("_Out")


def _json_object(line: str) -> dict:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise InputError("not a JSON object")
    return data


def _message(data: dict) -> tuple[object, str]:
    text = data.get("text")
    if not isinstance(text, str):
        raise InputError("missing string field 'text'")
    return data.get("id"), text


def parse_message(line: str) -> tuple[object, str]:
    """(id, text) of one input line; InputError when it is not usable."""
    return _message(_json_object(line))


def parse_example(line: str, number: int) -> Example:
    """One labelled line of SCHEMA.md; InputError naming the line when malformed."""
    data = _object_at(line, number)
    identifier, text = _located(_message, data, number)
    domains, patterns, urgency = _labels(data, number)
    return Example(str(identifier if identifier is not None else number), text, domains, patterns, urgency)


def _labels(data: dict, number: int) -> tuple[frozenset[str], frozenset[str], str]:
    domains, patterns = data.get("domains", []), data.get("patterns", [])
    urgency = data.get("urgency", "normal")
    if not isinstance(domains, list) or not isinstance(patterns, list) or not isinstance(urgency, str):
        raise InputError(f"line {number}: domains and patterns must be lists, urgency a string")
    if set(domains) - set(DOMAINS) or set(patterns) - set(PATTERNS) or urgency not in URGENCIES:
        raise InputError(f"line {number}: unknown label")
    return frozenset(domains), frozenset(patterns), urgency


def read_annotations(lines: Iterable[str]) -> dict[str, Classification]:
    """Another annotator's labels by message id (`{"id", "domains", "patterns", "urgency"}` lines; text not needed)."""
    annotations: dict[str, Classification] = {}
    for number, line in _numbered(lines):
        data = _object_at(line, number)
        if data.get("id") is None:
            raise InputError(f"line {number}: no id")
        identifier = str(data["id"])
        if identifier in annotations:
            raise InputError(f"line {number}: id {identifier!r} is labelled twice")
        domains, patterns, urgency = _labels(data, number)
        annotations[identifier] = Classification(tuple(sorted(domains)), tuple(sorted(patterns)), urgency)
    return annotations


def _located(parse: Callable[[_In], _Out], value: _In, number: int) -> _Out:
    """parse(value), its InputError naming the line."""
    try:
        return parse(value)
    except InputError as exc:
        raise InputError(f"line {number}: {exc}") from None


def _object_at(line: str, number: int) -> dict:
    return _located(_json_object, line, number)


def read_examples(lines: Iterable[str]) -> list[Example]:
    return [parse_example(line, number) for number, line in _numbered(lines)]


def read_texts(lines: Iterable[str]) -> list[str]:
    """Texts of a JSONL file (labels, if any, ignored)."""
    return [_located(parse_message, line, number)[1] for number, line in _numbered(lines)]


def _numbered(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield number, line
