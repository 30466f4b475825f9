"""The import picture of conformance/: read from the source (ast), so it holds for every module, imported or not.

Layers, bottom to top: what the contract says and how values are represented (contract, representation, redaction,
outcomes); the transport that talks HTTP and the inputs the checks send; the judges of what comes back; readiness, settings and the catalogue of checks; the target layer and the
profiles; the entry points (plugin, discovery); the checks, by contract area. A module
imports only from its own layer or below: no arrow points back up, nothing outside conformance/plugin/ imports the
plugin, and no two modules import each other, directly or around a loop.
"""

from __future__ import annotations

from pathlib import Path

from import_graph import ROOT, cycles, imports, module_name

from conformance.catalogue import AREAS

PACKAGE = ROOT / "conformance"
LAYERS = [
    {"contract", "representation", "redaction", "outcomes", "readme_blocks"},
    {"transport", "inputs"},
    {"judge"},
    {"readiness", "settings", "catalogue"},
    {"connection", "profiles"},
    {"plugin", "discover"},
    {*AREAS, "conftest"},  # the checks: each contract area (conformance/catalogue.py), and what areas share
]


def _imports(path: Path) -> set[str]:
    """The conformance modules `path` imports."""
    return {module for module in imports(path) if module == "conformance" or module.startswith("conformance.")}


def _graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
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
    assert not cycles(_graph())


def test_every_folder_of_checks_is_a_contract_area_the_readme_names():
    """A folder of conformance/ that holds checks is a contract area (its package docstring says so), and the
    README's Layout names it: no check silently falls into area "other"."""
    folders = {path.parent.name for path in PACKAGE.glob("*/test_*.py")}
    layout = (ROOT / "README.md").read_text(encoding="utf-8").split("## Layout", 1)[1]
    assert folders == set(AREAS)
    assert [area for area in AREAS if f"`{area}`" not in layout and f"`conformance/{area}`" not in layout] == []


def test_the_settling_functions_import_nothing_of_discoverys_entry_point():
    """conformance/discover/points/ (the settling functions, pure) imports of discovery only what a finding is and
    what the probes saw (findings, probes) and its own helpers: never the entry point, the writer or conclude()."""
    allowed = {"conformance.discover.findings", "conformance.discover.probes"}
    found = sorted((module, target) for module, imported in _graph().items()
                   if module.startswith("conformance.discover.points") for target in imported
                   if target.startswith("conformance.discover") and target not in allowed
                   and not target.startswith("conformance.discover.points"))
    assert not found
