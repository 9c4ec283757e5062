"""Safe YAML for scenario files: no aliases, no duplicate keys, bounded size and depth.

Scenario files arrive by e-mail and upload. ``yaml.safe_load`` still expands
aliases (a 321-byte "billion laughs" file becomes tens of megabytes), silently keeps
the last of two equal keys and turns an undecodable file into a traceback. This
loader refuses all of these with a :class:`~planner.errors.ScenarioError` naming the
file and line.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import ScenarioError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "decode_text", "safe_load", "load_yaml_file", "suggest"]

MAX_BYTES = 1_000_000  # a scenario with thousands of changes is still far below this
MAX_DEPTH = 20


class _NoDuplicateKeys:
    """Mixin: refuse duplicate mapping keys and merge keys (``<<``)."""

    def construct_mapping(self, node, deep=False):  # noqa: ANN001
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise ScenarioError("YAML merge keys (<<) are not allowed in a scenario file",
                                        row=key_node.start_mark.line + 1)
                if not isinstance(key_node, ScalarNode):
                    raise ScenarioError("a mapping key must be plain text",
                                        row=key_node.start_mark.line + 1)
                key = key_node.value
                if key in seen:
                    raise ScenarioError(f"duplicate key {key!r} (first on line {seen[key]})",
                                        row=key_node.start_mark.line + 1, field=str(key))
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_FAST = getattr(yaml, "__with_libyaml__", False)


if _FAST:
    class _FastLoader(_NoDuplicateKeys, yaml.CSafeLoader):
        """libyaml's parser and composer (C: a 1 MB file in about a second, where the pure-Python
        one takes 10 s and more); aliases and anchors are refused by :func:`_no_aliases` first."""


def _no_aliases(text: str, max_depth: int) -> None:
    """Refuse anchors, aliases and deep nesting from the event stream alone (libyaml, nothing
    expanded or composed yet)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                raise ScenarioError(f"the YAML is nested more than {max_depth} levels deep",
                                    row=event.start_mark.line + 1)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if isinstance(event, yaml.AliasEvent):
            raise ScenarioError("YAML aliases (*name) are not allowed in a scenario file; write the "
                                "value out", row=event.start_mark.line + 1)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise ScenarioError(f"YAML anchors (&{anchor}) are not allowed in a scenario file",
                                row=event.start_mark.line + 1)


class _NoAliasLoader(_NoDuplicateKeys, yaml.SafeLoader):
    """SafeLoader that refuses anchors/aliases and duplicate mapping keys (pure Python: used
    where PyYAML was built without libyaml)."""

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ScenarioError("YAML aliases (*name) are not allowed in a scenario file; write the "
                                "value out", row=event.start_mark.line + 1)
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise ScenarioError(f"YAML anchors (&{anchor}) are not allowed in a scenario file",
                                row=event.start_mark.line + 1)
        return super().compose_node(parent, index)


def _depth(node: Node, limit: int) -> None:
    stack = [(node, 1)]
    while stack:
        n, d = stack.pop()
        if d > limit:
            raise ScenarioError(f"the YAML is nested more than {limit} levels deep",
                                row=n.start_mark.line + 1)
        if isinstance(n, SequenceNode):
            stack.extend((c, d + 1) for c in n.value)
        elif isinstance(n, MappingNode):
            for k, v in n.value:
                stack.append((k, d + 1))
                stack.append((v, d + 1))


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM); a latin-1 / cp1252 file is refused with a clear message."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError("the file is UTF-16; save it as UTF-8", file=source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        try:
            guess = data.decode("cp1252")
        except UnicodeDecodeError:
            guess = None
        hint = (" It looks like latin-1/Windows-1252 (e.g. from an old editor or Excel);"
                " save it as UTF-8." if guess is not None else " Save it as UTF-8.")
        raise ScenarioError(f"the file is not UTF-8 text (byte {data[exc.start]:#04x}).{hint}",
                            file=source, row=line) from None
    if "\x00" in text:
        raise ScenarioError("the file contains NUL characters: not a text file", file=source)
    return text


def safe_load(text: str | bytes, source: str = "<yaml>", max_bytes: int = MAX_BYTES,
              max_depth: int = MAX_DEPTH) -> Any:
    """Parse one YAML document safely; every problem is a :class:`ScenarioError` naming ``source``."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ScenarioError(f"the file is {size:,} bytes; a scenario file may be at most "
                            f"{max_bytes:,}", file=source)
    if isinstance(text, bytes):
        text = decode_text(text, source)
    if text.startswith("\ufeff"):
        text = text[1:]
    loader = None
    try:
        if _FAST:
            _no_aliases(text, max_depth)
        # the reader refuses control characters (libyaml's as the pure-Python one)
        loader = _FastLoader(text) if _FAST else _NoAliasLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        _depth(node, max_depth)
        return loader.construct_document(node)
    except ScenarioError as exc:
        raise ScenarioError(exc.reason, file=source, row=exc.row, field=exc.field) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "nesting depth" in str(problem):  # libyaml's own limit, met before ours in a flow
            raise ScenarioError(f"the YAML is nested more than {max_depth} levels deep", file=source,
                                row=None if mark is None else mark.line + 1) from None
        kind = "not valid YAML" if not isinstance(exc, ConstructorError) else "unsupported YAML"
        raise ScenarioError(f"{kind}: {problem}", file=source,
                            row=None if mark is None else mark.line + 1) from None
    except RecursionError:
        raise ScenarioError(f"the YAML is nested more than {max_depth} levels deep",
                            file=source) from None
    finally:
        if loader is not None:
            loader.dispose()


def load_yaml_file(path: str | Path, max_bytes: int = MAX_BYTES) -> Any:
    """Read and :func:`safe_load` a YAML file (size checked before reading it)."""
    path = Path(path)
    if not path.exists():
        raise ScenarioError("file not found", file=str(path))
    if path.is_dir():
        raise ScenarioError("is a folder, not a YAML file", file=str(path))
    size = path.stat().st_size
    if size > max_bytes:
        raise ScenarioError(f"the file is {size:,} bytes; a scenario file may be at most "
                            f"{max_bytes:,}", file=str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc.strerror or exc}", file=str(path)) from None
    return safe_load(data, str(path), max_bytes)


def suggest(word: str, choices) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or an empty string."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
