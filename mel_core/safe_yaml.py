"""YAML from people, read within limits: size, nodes after alias expansion, nesting depth.

``yaml.safe_load`` runs no code, but it expands aliases: a "billion laughs" front matter of a few hundred bytes
(nine aliases of nine aliases …) becomes a billion list items and gigabytes of memory, and deeply nested brackets
exhaust the recursion limit. :func:`load` composes the document first (aliases stay shared nodes, so composing
is linear in the text), measures it, and constructs Python objects only when it is within :class:`YamlLimits`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import yaml

from mel_core.i18n import message


@dataclass(frozen=True)
class YamlLimits:
    """How much YAML a person may send. The defaults fit any lesson's front matter many times over."""

    max_bytes: int = 64 * 1024
    max_nodes: int = 10_000  # scalars, lists and mappings, every alias counted as the copy it stands for
    max_depth: int = 32

    @classmethod
    def from_environment(cls) -> YamlLimits:
        """Defaults, raised or lowered by ``MEL_LIMIT_YAML_KB``, ``MEL_LIMIT_YAML_NODES``, ``MEL_LIMIT_YAML_DEPTH``."""
        base = cls()
        return cls(
            max_bytes=int(os.environ.get("MEL_LIMIT_YAML_KB", base.max_bytes // 1024)) * 1024,
            max_nodes=int(os.environ.get("MEL_LIMIT_YAML_NODES", base.max_nodes)),
            max_depth=int(os.environ.get("MEL_LIMIT_YAML_DEPTH", base.max_depth)),
        )


class YamlLimitError(ValueError):
    """The YAML is beyond a limit; ``reason`` says which, in English and Vietnamese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _measure(root: yaml.Node, limits: YamlLimits) -> None:
    """Count the nodes the document would have once its aliases are expanded, and its depth; stop at a limit."""
    sizes: dict[int, int] = {}
    # iterative post-order walk over the node graph (aliases are shared nodes: each is measured once)
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, children_done = stack.pop()
        if depth > limits.max_depth:
            raise YamlLimitError(
                message("ingest.safe_yaml.yaml_nested_more_than", max_depth=limits.max_depth)
            )
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        if not children_done and children:
            stack.append((node, depth, True))
            stack.extend((child, depth + 1, False) for child in children if id(child) not in sizes)
            continue
        size = 1 + sum(sizes.get(id(child), 0) for child in children)
        if size > limits.max_nodes:
            raise YamlLimitError(
                message("ingest.safe_yaml.yaml_expands_more_than", max_nodes=limits.max_nodes)
            )
        sizes[id(node)] = size


def load(text: str, limits: YamlLimits | None = None) -> Any:
    """The data of one YAML document, read safely within ``limits``.

    Raises:
        YamlLimitError: the text is too large, expands to too many values, or is nested too deeply, or a value
            cannot be made (an integer of more digits than Python converts, a date out of range).
        yaml.YAMLError: the text is not valid YAML.
    """
    limits = limits or YamlLimits.from_environment()
    size = len(text.encode("utf-8"))
    if size > limits.max_bytes:
        raise YamlLimitError(
            message("ingest.safe_yaml.yaml_bytes_most_read", size=size, max_bytes=limits.max_bytes)
        )
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise YamlLimitError(
                message("ingest.safe_yaml.yaml_nested_more_than", max_depth=limits.max_depth)
            ) from None
        if node is None:
            return None
        _measure(node, limits)
        try:
            return loader.construct_document(node)
        except (ValueError, OverflowError) as exc:  # an integer of thousands of digits, a date out of range …
            detail = str(exc).split(";")[0]
            raise YamlLimitError(message("ingest.safe_yaml.yaml_value_cannot_read", detail=detail)) from None
    finally:
        loader.dispose()
