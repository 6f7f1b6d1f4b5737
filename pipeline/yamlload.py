"""Safe YAML loading for pipeline configs, with the line of every key kept for error messages.

* Only ``yaml.SafeLoader`` constructors: ``!!python/object`` and other unsafe tags are refused.
* Duplicate keys in one mapping are an error (PyYAML silently keeps the last one).
* Scalars are resolved with the YAML 1.2 core schema, so ``no``/``on`` stay strings and
  ``010`` is the integer 10, as a user means them (YAML 1.1 read them as ``False``/``True``/8).
* The expanded size of the document is capped before it is converted to Python objects, so an
  "alias bomb" (aliases of aliases, exponential once expanded) is refused at once.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from pipeline.errors import ConfigError

MAX_EXPANDED_NODES = 100_000
Path = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core resolvers, duplicate-key check and an alias cap."""

    yaml_implicit_resolvers: dict[Any, Any] = {}

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise ConfigError(
                    f"duplicate key {key!r} (first on line {seen[key]})", line=key_node.start_mark.line + 1
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."),
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    value = str(loader.construct_scalar(node))
    if value.startswith("0o"):
        return int(value[2:], 8)
    if value.startswith("0x"):
        return int(value[2:], 16)
    return int(value)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _expanded_size(node: Any, memo: dict[int, int]) -> int:
    """Number of nodes once aliases are expanded (memoised per node, so linear in the graph)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # guards against recursive aliases
    size = 1
    if isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(item, memo) for item in node.value)
    memo[key] = size
    return size


def _line_map(node: Any, path: Path, out: dict[Path, int], seen: set[int]) -> None:
    if id(node) in seen:  # an alias: its lines are those of the anchor
        return
    seen.add(id(node))
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            out[path + (key,)] = key_node.start_mark.line + 1
            _line_map(value_node, path + (key,), out, seen)
            out[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, path + (i,), out, seen)


def load_yaml(text: str, path: str | None = None) -> tuple[Any, dict[Path, int]]:
    """Parse ``text`` safely.

    :param text: the YAML source.
    :param path: its file name, for messages.
    :returns: ``(data, lines)`` where ``lines`` maps a key path such as ``("stages", 1, "settings")``
        to the 1-based line where it appears.
    :raises ConfigError: on syntax errors (with line and column), duplicate keys, unsafe tags or
        too many aliases.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path, int] = {}
        if node is not None:
            if _expanded_size(node, {}) > MAX_EXPANDED_NODES:
                raise ConfigError(
                    f"YAML expands to more than {MAX_EXPANDED_NODES} values through aliases; "
                    "refusing (alias bomb?)",
                    path,
                )
            _line_map(node, (), lines, set())
        data = loader.construct_document(node) if node is not None else None
    except ConfigError as err:
        if err.path is None:
            raise ConfigError(str(err), path, err.line) from None
        raise
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        if mark is not None:
            where = f"{path or '<config>'}:{mark.line + 1}:{mark.column + 1}"
            raise ConfigError(f"{where}: YAML error: {problem}") from None
        raise ConfigError(f"YAML error: {problem}", path) from None
    except yaml.YAMLError as err:
        raise ConfigError(f"YAML error: {err}", path) from None
    finally:
        loader.dispose()
    return data, lines
