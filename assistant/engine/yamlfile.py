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


def read_text(path: Path, name: str | None = None) -> str:
    """A library file's text (UTF-8).

    :param name: how errors name the file (default: its path)
    :raises LibraryError: naming the file when it is missing, a folder, unreadable, or not UTF-8 (with the line of the
        first byte that is not: a file saved as GBK, Notepad's "ANSI" on a Chinese Windows)
    """
    name = name or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LibraryError("file not found", name) from None
    except IsADirectoryError:
        raise LibraryError("a folder where a file should be", name) from None
    except PermissionError:
        raise LibraryError("no permission to read the file", name) from None
    except OSError:
        raise LibraryError("cannot read the file", name) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise LibraryError("file is not UTF-8", name, data[: e.start].count(b"\n") + 1) from None


def load_yaml(path: Path):
    """Parse a YAML file into LineDict/LineList values.

    :raises LibraryError: naming the file and line (``read_text``'s, or a YAML syntax error's)
    """
    text = read_text(path)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise LibraryError(f"YAML: {e.problem}", str(path), (mark.line + 1) if mark else 0) from None
    except yaml.reader.ReaderError as e:  # a control character (a paste from a chat window can carry one)
        code = e.character if isinstance(e.character, int) else ord(str(e.character)[:1] or "\0")
        at = text.find(chr(code))  # not e.position: libyaml counts it in bytes
        line = text[:at].count("\n") + 1 if at >= 0 else 0
        raise LibraryError(f"control character U+{code:04X} is not allowed", str(path), line) from None
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
