"""A line-aware YAML loader: mappings and sequences remember the line they start on.

Used for the reply library (``load.read_library``) and the escalation rules
(``escalate.load_rules``), so that every error can name the file and line.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from assistant.errors import LibraryError

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's composer is ~10x faster where installed


class LineDict(dict):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A YAML sequence that remembers its line."""

    line: int = 0


def load_yaml(path: Path):
    """Parse a YAML file into LineDict/LineList values; errors name the file and line."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise LibraryError(f"YAML: {e.problem}", str(path), (mark.line + 1) if mark else 0) from None
    except UnicodeDecodeError:
        raise LibraryError("file is not UTF-8", str(path), 0) from None
    return _convert(node) if node is not None else None


def _convert(node):
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = LineDict()
        out.line, out.key_lines = line, {}
        for key_node, value_node in node.value:
            key = _convert(key_node)
            out[key] = _convert(value_node)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        items = LineList(_convert(n) for n in node.value)
        items.line = line
        return items
    return node.value if node.tag == "tag:yaml.org,2002:str" else yaml.SafeLoader("").construct_object(node)
