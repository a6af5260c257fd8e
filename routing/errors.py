"""Coded exceptions of the routing package.

File errors carry every problem found (not just the first), each with the
1-based line of the file it refers to, so an administrator can fix them all
in one pass.
"""

from collections.abc import Iterable
from dataclasses import dataclass


class RoutingError(Exception):
    """Base of every routing error; `code` is stable for the API and the CLI."""

    code = "routing_error"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: where (1-based line, None if the file is unreadable) and why."""

    line: int | None
    code: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "file"
        return f"{where}: {self.message} [{self.code}]"


class ConfigFileError(RoutingError):
    """A file that could not be loaded; `problems` lists everything wrong with it."""

    code = "config_file_invalid"

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.source = source
        self.problems: tuple[Problem, ...] = tuple(sorted(problems, key=lambda p: (p.line is not None, p.line or 0)))
        lines = "\n".join(f"{source}: {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in {source}:\n{lines}")


class RuleFileError(ConfigFileError):
    code = "rule_file_invalid"


class MunicipalityFileError(ConfigFileError):
    code = "municipality_file_invalid"


class LabelledFileError(ConfigFileError):
    code = "labelled_file_invalid"


class MunicipalityMissing(RoutingError):
    """No municipality document is stored (a new install that was never set up)."""

    code = "municipality_missing"


class RuleVersionNotFound(RoutingError):
    code = "rule_version_not_found"


class NoRulesSaved(RoutingError):
    code = "no_rules_saved"


class QueueMissing(RoutingError):
    """A decision named a queue that has no row (not even the comprehensive fallback)."""

    code = "queue_missing"
