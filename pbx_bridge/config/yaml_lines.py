"""A YAML reader that remembers the line of every key and item.

PyYAML's constructors drop positions, so we compose the node graph and build
plain dicts and lists ourselves, recording `path -> line` on the way. Plain
scalars stay strings (apart from null): YAML 1.1 would read `NO` as False and
`0123` as octal, and pydantic converts the strings that should be numbers.

The text is bounded in size by the caller (config_files) but not in shape: libyaml parses
it (and refuses nesting beyond 1,000 levels), and building stops at MAX_DEPTH levels, at
MAX_VALUES values (aliases count each time they are expanded, so a "billion laughs" file
stops early) and at an alias that contains itself. Every stop is a problem at a line,
never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

Path_ = tuple[str | int, ...]

_NULL_TAG = "tag:yaml.org,2002:null"


def _compose(text: str) -> yaml.Node | None:
    """libyaml's parser (C, 40 times faster than PyYAML's) under PyYAML's composer (Python):
    each event is a short C call, so a reload composing in a worker thread leaves the event
    loop the GIL every few milliseconds; libyaml's own composer would hold it for the whole
    file. Without libyaml, PyYAML's pure-Python loader."""
    if _EventComposer is None:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    composer = _EventComposer(text)
    try:
        return composer.get_single_node()
    finally:
        composer.dispose()


try:
    from yaml._yaml import CParser

    class _EventComposerImpl(yaml.composer.Composer, CParser, yaml.resolver.Resolver):
        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        def dispose(self) -> None:
            self.anchors = {}

    _EventComposer: type[_EventComposerImpl] | None = _EventComposerImpl
except ImportError:  # PyYAML built without libyaml
    _EventComposer = None

MAX_DEPTH = 32  # a tenant file nests four levels; deeper is not a configuration
MAX_VALUES = 100_000  # keys, items and scalars built per file, aliases expanded


class _TooLargeError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class LineMap:
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """Line of `path`, or of its nearest recorded ancestor (1 for the document)."""
        probe = tuple(path)
        while probe:
            line = self.lines.get(probe)
            if line is not None:
                return line
            probe = probe[:-1]
        return self.lines.get((), 1)


@dataclass(frozen=True)
class YamlProblem:
    line: int
    message: str


@dataclass
class LoadedYaml:
    data: object
    lines: LineMap
    problems: list[YamlProblem]


def load_yaml(text: str) -> LoadedYaml:
    """Parse `text`; syntax errors and duplicate keys come back as problems, never as exceptions."""
    lines = LineMap()
    problems: list[YamlProblem] = []
    try:
        node = _compose(text)
    except yaml.reader.ReaderError as exc:
        # A control character: reported at its own line, as the character's code only.
        line = text.count("\n", 0, max(0, exc.position)) + 1
        problems.append(YamlProblem(line, f"YAML error: {_reader_problem(exc)}"))
        return LoadedYaml(None, lines, problems)
    except yaml.MarkedYAMLError as exc:
        problems.append(_syntax_problem(text, _worded(text, exc)))
        return LoadedYaml(None, lines, problems)
    except yaml.YAMLError as exc:
        problems.append(YamlProblem(1, f"YAML error: {type(exc).__name__}"))
        return LoadedYaml(None, lines, problems)
    except RecursionError:  # the pure-Python composer on deep nesting (no libyaml)
        problems.append(YamlProblem(1, f"nesting deeper than {MAX_DEPTH} levels"))
        return LoadedYaml(None, lines, problems)
    if node is None:
        return LoadedYaml(None, lines, problems)
    lines.lines[()] = node.start_mark.line + 1
    try:
        data = _Builder(lines, problems).build(node, ())
    except _TooLargeError as exc:
        problems.append(YamlProblem(exc.line, exc.message))
        return LoadedYaml(None, LineMap(), problems)
    return LoadedYaml(data, lines, problems)


def _worded(text: str, exc: yaml.MarkedYAMLError) -> yaml.MarkedYAMLError:
    """PyYAML's own wording of a syntax error libyaml found ("found character '\\t'"
    says more than libyaml's "cannot start any token"), from the text up to the line after
    the error when that is short; libyaml's error when PyYAML stops elsewhere."""
    mark = exc.problem_mark or exc.context_mark
    if _EventComposer is None or mark is None or "nesting" in str(exc.problem):
        return exc
    cut = text[: _end_of_line(text, mark.index, lines=2)]
    if len(cut) > _REWORD_CHARS:
        return exc
    try:
        yaml.compose(cut, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as worded:
        again = worded.problem_mark or worded.context_mark
        if again is not None and again.line == mark.line:
            return worded
    except (yaml.YAMLError, RecursionError):
        pass
    return exc


_REWORD_CHARS = 64 * 1024  # PyYAML reads about 1 MB in 5 s: the rewording stays brief


def _end_of_line(text: str, index: int, lines: int) -> int:
    end = index
    for _ in range(lines):
        found = text.find("\n", end)
        if found < 0:
            return len(text)
        end = found + 1
    return end


def _syntax_problem(text: str, exc: yaml.MarkedYAMLError) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    last_line = max(1, len(text.splitlines()))
    if line > last_line and exc.context_mark is not None:
        # "end of stream" errors point past the file; where the construct began helps more.
        line = exc.context_mark.line + 1
    line = min(line, last_line)
    return YamlProblem(line, f"YAML syntax error: {exc.problem or type(exc).__name__}")


def _reader_problem(exc: yaml.reader.ReaderError) -> str:
    character = exc.character
    code = ord(character) if isinstance(character, str) else int(character)
    return f"unacceptable character #x{code:04x} ({exc.reason})"


class _Builder:
    """Plain dicts, lists and strings from a node graph, within MAX_DEPTH and MAX_VALUES."""

    def __init__(self, lines: LineMap, problems: list[YamlProblem]) -> None:
        self.lines = lines
        self.problems = problems
        self.values = 0
        self.open: set[int] = set()  # collections being built: meeting one again is a cycle

    def build(self, node: yaml.Node, path: Path_) -> object:
        line = node.start_mark.line + 1
        self.values += 1
        if self.values > MAX_VALUES:
            # At the document's key being built: an alias's own marks point at its anchor.
            where = self.lines.line_of(path[:1])
            raise _TooLargeError(where, f"more than {MAX_VALUES} values (aliases expanded)")
        if len(path) >= MAX_DEPTH:
            raise _TooLargeError(line, f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _NULL_TAG and not node.style:  # plain: None (PyYAML), "" (libyaml)
                return None
            return str(node.value)
        if id(node) in self.open:
            raise _TooLargeError(line, "an alias refers to a value that contains it")
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return self._sequence(node, path)
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, object]:
        out: dict[str, object] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(YamlProblem(line, "a key must be a plain word"))
                continue
            key = str(key_node.value)
            if key in out:
                first = self.lines.lines.get((*path, key), line)
                self.problems.append(
                    YamlProblem(line, f"duplicate key {key!r} (first at line {first})")
                )
                continue
            self.lines.lines[(*path, key)] = line
            out[key] = self.build(value_node, (*path, key))
        return out

    def _sequence(self, node: yaml.Node, path: Path_) -> list[object]:
        items: list[object] = []
        for index, item in enumerate(node.value):
            self.lines.lines[(*path, index)] = item.start_mark.line + 1
            items.append(self.build(item, (*path, index)))
        return items
