"""A YAML reader that remembers the line of every key and item.

PyYAML's constructors drop positions, so we compose the node graph and build
plain dicts and lists ourselves, recording `path -> line` on the way. Plain
scalars stay strings (apart from null): YAML 1.1 would read `NO` as False and
`0123` as octal, and pydantic converts the strings that should be numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

Path_ = tuple[str | int, ...]

_NULL_TAG = "tag:yaml.org,2002:null"


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
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        last_line = max(1, len(text.splitlines()))
        if line > last_line and exc.context_mark is not None:
            # "end of stream" errors point past the file; where the construct began helps more.
            line = exc.context_mark.line + 1
        line = min(line, last_line)
        problems.append(YamlProblem(line, f"YAML syntax error: {exc.problem or exc}"))
        return LoadedYaml(None, lines, problems)
    except yaml.YAMLError as exc:
        problems.append(YamlProblem(1, f"YAML error: {exc}"))
        return LoadedYaml(None, lines, problems)
    if node is None:
        return LoadedYaml(None, lines, problems)
    lines.lines[()] = node.start_mark.line + 1
    data = _build(node, (), lines, problems)
    return LoadedYaml(data, lines, problems)


def _build(node: yaml.Node, path: Path_, lines: LineMap, problems: list[YamlProblem]) -> object:
    if isinstance(node, yaml.MappingNode):
        out: dict[str, object] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(YamlProblem(line, "a key must be a plain word"))
                continue
            key = str(key_node.value)
            if key in out:
                first = lines.lines.get((*path, key), line)
                problems.append(YamlProblem(line, f"duplicate key {key!r} (first at line {first})"))
                continue
            lines.lines[(*path, key)] = line
            out[key] = _build(value_node, (*path, key), lines, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        items: list[object] = []
        for index, item in enumerate(node.value):
            lines.lines[(*path, index)] = item.start_mark.line + 1
            items.append(_build(item, (*path, index), lines, problems))
        return items
    scalar = str(node.value)
    if node.tag == _NULL_TAG and getattr(node, "style", None) is None:
        return None
    return scalar
