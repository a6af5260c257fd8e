"""Reading a YAML file node by node, so every problem can name its line.

Values are read from the composed node tree rather than from `yaml.safe_load`
output because plain dicts forget where they came from, silently keep the last
of two duplicate keys, and turn `8050` into an int and `no` into False.
"""

import difflib
from collections.abc import Collection, Sequence

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from routing.errors import Problem
from storage.text import has_control_characters

_INT_TAG = "tag:yaml.org,2002:int"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
MAX_DEPTH = 50


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing deep nesting (PyYAML composes recursively: deep input exhausts the stack)."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self._depth >= MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def compose(text: str) -> Node | None:
    """The node tree of one YAML document (None when empty); a yaml.YAMLError when unreadable."""
    return yaml.compose(text, Loader=_Loader)


def safe_load(text: str | bytes) -> object:
    """Plain Python values, for lenient reads that need no line numbers; depth-limited like `compose`."""
    return yaml.load(text, Loader=_Loader)


def _suggest(word: str, choices: Collection[str]) -> str:
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def line_of(node: Node) -> int:
    return node.start_mark.line + 1


class YamlReader:
    """Reads one YAML document; every check that fails is recorded in `problems` and returns None."""

    def __init__(self, text: str | bytes) -> None:
        self.problems: list[Problem] = []
        self._text = text

    def problem(self, at: Node | int | None, code: str, message: str) -> None:
        line = line_of(at) if isinstance(at, Node) else at
        self.problems.append(Problem(line, code, message))

    def root(self) -> Node | None:
        text = self._text
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = text[: exc.start].count(b"\n") + 1
                self.problem(line, "not_utf8", "the file is not valid UTF-8 text")
                return None
        try:
            node = compose(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            reason = " ".join(filter(None, [exc.context, exc.problem]))
            self.problem(line, "yaml_syntax", f"not valid YAML: {reason}")
            return None
        except yaml.YAMLError as exc:
            self.problem(None, "yaml_syntax", f"not valid YAML: {exc}")
            return None
        if node is None:
            self.problem(1, "empty_file", "the file is empty")
        return node

    def mapping(
        self,
        node: Node,
        what: str,
        *,
        allowed: Sequence[str],
        required: Sequence[str] = (),
        noun: str = "key",
    ) -> dict[str, Node] | None:
        """A mapping with only `allowed` keys, all `required` ones present, no duplicates."""
        if not isinstance(node, MappingNode):
            self.problem(node, "not_a_mapping", f"{what} must be a mapping of 'key: value' lines")
            return None
        result: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _NULL_TAG:
                self.problem(key_node, "bad_key", f"{what} has a key that is not a name")
                continue
            key = key_node.value
            if key not in allowed:
                self.problem(
                    key_node,
                    f"unknown_{noun}",
                    f"unknown {noun} '{key}' in {what}; allowed: {', '.join(allowed)}{_suggest(key, allowed)}",
                )
            elif key in result:
                self.problem(key_node, "duplicate_key", f"'{key}' appears twice in {what}")
            else:
                result[key] = value_node
        for key in required:
            if key not in result:
                self.problem(node, "missing_key", f"{what} needs '{key}'")
        return result

    def sequence(self, node: Node, what: str) -> list[Node] | None:
        if not isinstance(node, SequenceNode):
            self.problem(node, "not_a_list", f"{what} must be a list ('- ' items)")
            return None
        return list(node.value)

    def text(self, node: Node, what: str, *, max_length: int | None = None) -> str | None:
        """Any non-empty scalar, kept exactly as written (labels, names, phone numbers)."""
        if not isinstance(node, ScalarNode) or node.tag == _NULL_TAG or not node.value.strip():
            self.problem(node, "not_text", f"{what} must be non-empty text")
            return None
        if has_control_characters(node.value, multiline=True):
            # Escapes such as "\0" or "\e" in quoted text; PostgreSQL cannot even store a NUL.
            self.problem(node, "control_character", f"{what} must not contain control characters")
            return None
        if max_length is not None and len(node.value.strip()) > max_length:
            self.problem(node, "too_long", f"{what} must be at most {max_length} characters")
            return None
        return node.value.strip()

    def integer(self, node: Node, what: str, *, minimum: int, maximum: int) -> int | None:
        if not isinstance(node, ScalarNode) or node.tag != _INT_TAG:
            self.problem(node, "not_an_integer", f"{what} must be a whole number")
            return None
        value = int(_CONSTRUCTOR.construct_yaml_int(node))
        if not minimum <= value <= maximum:
            self.problem(node, "out_of_range", f"{what} must be between {minimum} and {maximum}, not {value}")
            return None
        return value

    def number(self, node: Node, what: str, *, minimum: float, maximum: float) -> float | None:
        if not isinstance(node, ScalarNode) or node.tag not in (_INT_TAG, _FLOAT_TAG):
            self.problem(node, "not_a_number", f"{what} must be a number")
            return None
        value = float(node.value.replace("_", ""))
        if not minimum <= value <= maximum:
            self.problem(node, "out_of_range", f"{what} must be between {minimum:g} and {maximum:g}, not {value:g}")
            return None
        return value

    def boolean(self, node: Node, what: str) -> bool | None:
        if not isinstance(node, ScalarNode) or node.tag != _BOOL_TAG:
            self.problem(node, "not_a_boolean", f"{what} must be true or false")
            return None
        return bool(_CONSTRUCTOR.construct_yaml_bool(node))

    def choice(self, node: Node, what: str, choices: Collection[str], *, code: str = "unknown_value") -> str | None:
        """One of `choices`, compared as written (so 8050 stays the pattern '8050')."""
        if not isinstance(node, ScalarNode) or node.tag == _NULL_TAG:
            self.problem(node, "not_a_name", f"{what} must be one name")
            return None
        value = node.value.strip()
        if value not in choices:
            allowed = ", ".join(sorted(choices))
            self.problem(node, code, f"unknown {what}: '{value}'; allowed: {allowed}{_suggest(value, choices)}")
            return None
        return value

    def choices(
        self, node: Node, what: str, choices: Collection[str], *, code: str = "unknown_value", allow_empty: bool = False
    ) -> tuple[str, ...] | None:
        """A list of distinct names from `choices`; a single name is read as a list of one."""
        items = [node] if isinstance(node, ScalarNode) and node.tag != _NULL_TAG else self.sequence(node, what)
        if items is None:
            return None
        if not items and not allow_empty:
            self.problem(node, "empty_list", f"{what} must name at least one value")
            return None
        values: list[str] = []
        ok = True
        for item in items:
            value = self.choice(item, what, choices, code=code)
            if value is None:
                ok = False
            elif value in values:
                self.problem(item, "duplicate_value", f"'{value}' is listed twice in {what}")
                ok = False
            else:
                values.append(value)
        return tuple(values) if ok else None


class _AnyName(Collection[str]):
    """Accepts any non-empty name: for values checked elsewhere (e.g. districts not given)."""

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str) and bool(item)

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0


ANY_NAME = _AnyName()
