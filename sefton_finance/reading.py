"""Reading what people write: text in any encoding a spreadsheet saves, and YAML within limits.

Text files (scenarios, intervention definitions, baseline CSVs) are read as
UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"), UTF-16 with a
byte-order mark (Excel's "Unicode text"), or Windows-1252 (Excel's plain "CSV"
on Windows); anything else is rejected naming the encodings tried and the first
byte that fits none of them.

YAML is read with the safe loader (no Python objects) and limits checked while
it is parsed, before any value is built: the size of the text, the depth of
nesting, the number of aliases and the size the aliases expand to (a few hundred
bytes of nested aliases otherwise expand to billions of items), and duplicate
keys are errors (YAML would silently keep the last one).
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sefton_finance.errors import InputError, shown

MAX_TEXT_BYTES = 1_000_000
"""Largest text file read (a scenario is ~2 kB; the largest baseline CSV ~40 kB)."""
MAX_YAML_DEPTH = 20
"""Deepest nesting of mappings and lists in a YAML file (a scenario needs 4)."""
MAX_YAML_ALIASES = 100
"""Most aliases (``*name``) in a YAML file."""
MAX_YAML_NODES = 100_000
"""Most values a YAML file may hold once its aliases are expanded."""

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with a byte-order mark"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 (big-endian)"),
)


def read_text(path: str | Path, error: type[InputError] = InputError) -> tuple[str, str]:
    """The text of a file and the encoding it was read in.

    Parameters
    ----------
    path : str or Path
    error : type
        The :class:`~sefton_finance.errors.InputError` subclass raised.

    Returns
    -------
    (str, str)
        The text (line ends as written) and the encoding's name, e.g. ``"UTF-8"``.

    Raises
    ------
    InputError
        (``error``) naming the file: missing, a folder, unreadable, larger than
        :data:`MAX_TEXT_BYTES`, or in no encoding a spreadsheet writes.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise error(path, ["is a folder, not a file"])
        if size > MAX_TEXT_BYTES:
            raise error(
                path, [f"file is {size:,} bytes; the most read is {MAX_TEXT_BYTES:,} bytes"]
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(path, ["file not found"]) from None
    except OSError as problem:
        raise error(path, [f"cannot read the file: {problem.strerror or problem}"]) from None
    return decode(data, path, error), encoding_name(data)


def encoding_name(data: bytes) -> str:
    """The encoding :func:`decode` reads ``data`` in."""
    for mark, _, name in _BOMS:
        if data.startswith(mark):
            return name
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "Windows-1252"
    return "UTF-8"


def decode(data: bytes, source: str | Path, error: type[InputError] = InputError) -> str:
    """Text from bytes in an encoding a spreadsheet writes (see the module docstring)."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        # Checked first: UTF-32's little-endian mark starts with UTF-16's.
        raise error(source, ["is UTF-32 text, which is not read: save it as UTF-8 ('CSV UTF-8')"])
    for mark, codec, _ in _BOMS:
        if data.startswith(mark):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as problem:
                raise error(
                    source,
                    [f"starts with a {codec} byte-order mark but is not {codec} text: {problem}"],
                ) from None
    if b"\x00" in data:
        # UTF-16 without a byte-order mark decodes as UTF-8 with a NUL after every letter.
        raise error(
            source,
            [
                f"contains NUL bytes (first at byte {data.index(b'\x00')}): probably UTF-16 "
                "without a byte-order mark; save it as 'CSV UTF-8' or plain text"
            ],
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as windows:
            raise error(
                source,
                [
                    "is neither UTF-8 nor Windows-1252 text (byte "
                    f"0x{data[utf8.start]:02x} at {utf8.start} is not UTF-8, byte "
                    f"0x{data[windows.start]:02x} at {windows.start} not Windows-1252); "
                    "save it as 'CSV UTF-8'"
                ],
            ) from None


class _Refused(yaml.YAMLError):
    """A problem found while composing: ``problem`` and where (``problem_mark``)."""

    kind = "not valid YAML"

    def __init__(self, problem: str, mark: yaml.Mark | None):
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


class _LimitExceeded(_Refused):
    kind = "YAML beyond the reader's limits"


class _LimitedLoader(yaml.SafeLoader):
    """The safe loader, checking depth and aliases as it composes, and duplicate keys."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise _LimitExceeded(
                    f"more than {MAX_YAML_ALIASES} aliases (*name)", self.peek_event().start_mark
                )
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _LimitExceeded(
                    f"nested more than {MAX_YAML_DEPTH} levels deep", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict:
        if isinstance(node, MappingNode):
            seen: dict[Any, Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # '<<' merges defaults, which the mapping's own keys override
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:
                    continue  # an unhashable key: the constructor reports it
                if first is not key_node:
                    raise _Refused(
                        f"duplicate key {shown(key)} (first at line {first.start_mark.line + 1})",
                        key_node.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)


def _expanded_size(root: Node) -> int:
    """Values the document holds with every alias expanded, counted without expanding them.

    An alias is the same node object as its anchor, so each node's expanded size is
    computed once (memoised by identity): the work is linear in the text, however much
    the aliases multiply.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise _LimitExceeded("an alias refers to a value that contains it", node.start_mark)
        active.add(key)
        if isinstance(node, ScalarNode):
            total = 1
        elif isinstance(node, SequenceNode):
            total = 1 + sum(size(child) for child in node.value)
        else:
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        sizes[key] = min(total, MAX_YAML_NODES + 1)
        return sizes[key]

    return size(root)


def load_yaml(text: str, source: str | Path, error: type[InputError] = InputError) -> Any:
    """Parse YAML text safely and within limits.

    Parameters
    ----------
    text : str
    source : str or Path
        The file named in error messages.
    error : type
        The :class:`~sefton_finance.errors.InputError` subclass raised.

    Returns
    -------
    object
        The document (``None`` for an empty one).

    Raises
    ------
    InputError
        (``error``) naming the file, the line and column, and the problem; never
        quoting more than a few characters of the input.
    """
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_TEXT_BYTES:
        raise error(source, [f"text is {size:,} bytes; the most read is {MAX_TEXT_BYTES:,}"])
    loader = None
    try:
        # The reader refuses control characters as it is made, before any parsing.
        loader = _LimitedLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node) > MAX_YAML_NODES:
            raise _LimitExceeded(
                f"its aliases expand to more than {MAX_YAML_NODES:,} values", node.start_mark
            )
        return loader.construct_document(node)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = getattr(problem, "problem", None) or str(problem).splitlines()[0][:200]
        kind = problem.kind if isinstance(problem, _Refused) else "not valid YAML"
        raise error(source, [f"{kind}{where}: {what}"]) from None
    except (ValueError, OverflowError) as problem:
        # A scalar YAML reads as a date or a number but whose value is impossible (2019-13-45).
        raise error(source, [f"not valid YAML: a value cannot be read ({problem})"]) from None
    except RecursionError:  # pragma: no cover - the depth limit stops it first
        raise error(source, [f"not valid YAML: nested too deeply (> {MAX_YAML_DEPTH})"]) from None
    finally:
        if loader is not None:
            loader.dispose()
