"""The import picture of conformance/: read from the source (ast), so it holds for every module, imported or not.

Layers, bottom to top: what the contract says and how values are represented (contract, representation, redaction,
outcomes); the harness that talks HTTP; readiness, settings and the catalogue of checks; the target layer and the
profiles; the entry points (plugin, discovery); the checks, by contract area. A module
imports only from its own layer or below: no arrow points back up, nothing outside conformance/plugin/ imports the
plugin, and no two modules import each other, directly or around a loop.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "conformance"
LAYERS = [
    {"contract", "representation", "redaction", "outcomes", "readme"},
    {"harness"},
    {"readiness", "settings", "catalogue"},
    {"target", "profiles"},
    {"plugin", "discover"},
    {"schema", "pagination", "limit", "filters", "auth", "methods", "sizes", "overlap", "whole_run", "fuzz", "conftest"},
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The conformance modules `path` imports (relative imports resolved), at any depth of the file."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {module for module in found if module == "conformance" or module.startswith("conformance.")}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {imported for imported in _imports(path) if imported in modules and imported != name}
            for name, path in modules.items()}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else None
    return next((number for number, layer in enumerate(LAYERS) if top in layer), None)


def test_every_module_has_a_layer():
    """Each module of conformance/ belongs to one layer (a new folder is placed on purpose)."""
    unplaced = sorted(module for module in _graph() if module != "conformance" and _layer(module) is None)
    assert not unplaced


def test_nothing_outside_the_plugin_imports_the_plugin():
    """Only conformance/plugin/ imports conformance.plugin: checks reach the plugin through pytest (fixtures, hooks)."""
    importers = sorted(module for module, imported in _graph().items()
                       if not module.startswith("conformance.plugin")
                       and any(target.startswith("conformance.plugin") for target in imported))
    assert not importers


def test_no_arrow_points_back_up():
    """A module imports only from its own layer or below."""
    upward = sorted((module, target) for module, imported in _graph().items() for target in imported
                    if _layer(module) is not None and _layer(target) is not None and _layer(target) > _layer(module))
    assert not upward


def test_no_import_cycle():
    """No module imports itself around a loop of imports."""
    graph, cycles = _graph(), []
    state: dict[str, int] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(trail[trail.index(target):] + [target] if target in trail else [module, target])
            elif target not in state:
                visit(target, trail + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles


def test_the_settling_functions_import_nothing_of_discoverys_entry_point():
    """conformance/discover/points/ (the settling functions, pure) imports of discovery only what a finding is and
    what the probes saw (findings, probes) and its own helpers: never the entry point, the writer or conclude()."""
    allowed = {"conformance.discover.findings", "conformance.discover.probes"}
    found = sorted((module, target) for module, imported in _graph().items()
                   if module.startswith("conformance.discover.points") for target in imported
                   if target.startswith("conformance.discover") and target not in allowed
                   and not target.startswith("conformance.discover.points"))
    assert not found
