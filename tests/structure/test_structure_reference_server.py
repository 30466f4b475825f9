"""The import picture of reference_server/: read from the source (ast), so it holds for every module, imported or
not.

The reference server is what the suite is proven against, so it needs nothing of the suite (conformance/) or of
the tools that prove it (fault_matrix/): its catalogue names each fault's designated check as a string
(reference_server/checks.py). Its stages (reference_server/stages/) are run by app.py and gathered by faults.py, and
import neither, nor the transport (server, handler, asgi). No two modules import each other, directly or around a
loop.
"""

from __future__ import annotations

from import_graph import ROOT, cycles, imports, module_name

PACKAGE = ROOT / "reference_server"
ABOVE_THE_STAGES = {"reference_server.app", "reference_server.faults", "reference_server.server",
                    "reference_server.handler", "reference_server.asgi", "reference_server.__main__"}


def _graph() -> dict[str, set[str]]:
    """Each module of reference_server/ -> every module it imports."""
    return {module_name(path): imports(path) for path in PACKAGE.rglob("*.py")}


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
    names = {module_name(path) for path in PACKAGE.rglob("*.py")}
    graph = {module: {target for target in imported if target in names} - {module}
             for module, imported in _graph().items()}
    assert not cycles(graph)
