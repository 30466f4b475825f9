"""The import picture of reference_server/: read from the source (ast), so it holds for every module, imported or
not.

The reference server is what the suite is proven against, so it needs nothing of the suite (conformance/) or of
the tools that prove it (fault_matrix/): its catalogue names each fault's designated check as a string
(reference_server/checks.py). Its stages (reference_server/stages/) are run by app.py and gathered by faults.py, and
import neither, nor the transport (server, handler, asgi). No two modules import each other, directly or around a
loop.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "reference_server"
ABOVE_THE_STAGES = {"reference_server.app", "reference_server.faults", "reference_server.server",
                    "reference_server.handler", "reference_server.asgi", "reference_server.__main__"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports (relative imports resolved, `from x import y` as x and x.y, `from . import y` as
    y alone: the package's own __init__ is not what it asks for), at any depth."""
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
            if node.module:
                found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: _imports(path) for name, path in modules.items()}


def test_the_server_needs_nothing_of_the_suite_or_its_tools():
    """No module of reference_server/ imports conformance, fault_matrix or the tests."""
    outside = sorted((module, target) for module, imported in _graph().items() for target in imported
                     if target.split(".")[0] in ("conformance", "fault_matrix", "tests"))
    assert not outside


def test_no_stage_imports_what_runs_or_gathers_the_stages():
    """reference_server/stages/ imports neither app.py nor faults.py, nor the transport."""
    upward = sorted((module, target) for module, imported in _graph().items() for target in imported
                    if module.startswith("reference_server.stages") and target in ABOVE_THE_STAGES)
    assert not upward


def test_no_import_cycle():
    """No module of reference_server/ imports itself around a loop of imports."""
    names = {_module_name(path) for path in PACKAGE.rglob("*.py")}
    graph = {module: {target for target in imported if target in names} - {module}
             for module, imported in _graph().items()}
    cycles, state = [], {}

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

