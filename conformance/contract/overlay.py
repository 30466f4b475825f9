"""Apply an OpenAPI Overlay 1.0 document to an OpenAPI description.

Overlay targets are RFC 9535 JSONPath expressions; python-jsonpath evaluates them. The merge rules are the
Overlay 1.0 ones: an `update` object is merged into each target object recursively (objects merge, anything
else is replaced), an `update` on a target array appends to it, and `remove: true` deletes the target.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonpath
import yaml


class OverlayError(ValueError):
    """The overlay document cannot be applied (unknown version, a target that matches nothing, ...)."""


# PyYAML's safe loader on libyaml where the wheel has it (it does on every platform PyYAML publishes wheels for): the
# same documents, read about ten times faster, and every run of the suite reads the spec and the overlay.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_SAFE_LOADER)


def apply_overlay(document: dict, overlay: dict) -> dict:
    """Return a copy of `document` with every action of `overlay` applied, in order."""
    if not str(overlay.get("overlay", "")).startswith("1."):
        raise OverlayError(f"unsupported overlay version {overlay.get('overlay')!r} (expected 1.x)")
    result = copy.deepcopy(document)
    for number, action in enumerate(overlay.get("actions", []), start=1):
        _apply_action(result, action, number)
    return result


def _apply_action(document: dict, action: dict, number: int) -> None:
    target = action["target"]
    matches = list(jsonpath.finditer(target, document))
    if not matches:
        raise OverlayError(f"overlay action {number}: target {target!r} matches nothing")
    if action.get("remove"):
        # Each node once, deepest first and, within a list, highest index first, so no deletion shifts another.
        for parts in sorted({tuple(match.parts) for match in matches}, key=_deletion_order, reverse=True):
            _remove(document, parts)
        return
    for match in matches:
        _update(match.obj, action.get("update"), target, number)


def _deletion_order(parts: tuple) -> tuple[int, int]:
    return len(parts), parts[-1] if isinstance(parts[-1], int) else -1


def _remove(document: Any, parts: tuple) -> None:
    parent = document
    for part in parts[:-1]:
        parent = parent[part]
    del parent[parts[-1]]


def _update(node: Any, update: Any, target: str, number: int) -> None:
    if isinstance(node, list):
        node.append(copy.deepcopy(update))
    elif isinstance(node, dict) and isinstance(update, dict):
        _merge(node, update)
    else:
        raise OverlayError(f"overlay action {number}: cannot update {target!r} (not an object or array)")


def _merge(node: dict, update: dict) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(node.get(key), dict):
            _merge(node[key], value)
        else:
            node[key] = copy.deepcopy(value)


def effective_document(spec_path: Path, overlay_path: Path) -> dict:
    """Load the published spec and the overlay that extends it, and merge them."""
    return apply_overlay(load_yaml(spec_path), load_yaml(overlay_path))
