"""Discovery's list of points is the registry's: every line it settles names a settling function in
conformance/discover/points/<area>.py that settles that line, and every settling function there is named."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from conformance.contract import load_contract
from conformance.contract.choices import CHOICES, settled
from conformance.contract.rules import contract_rules
from conformance.discover.points import settling_function
from points_helpers import observed

POINTS = Path(importlib.import_module("conformance.discover.points").__file__).parent
VIOLATIONS = POINTS.parent / "violations.py"


@pytest.mark.parametrize("key", [choice.key for choice in settled()])
def test_each_settled_line_names_a_function_that_settles_it(key):
    """A line's settling function exists and, on a target doing what the default contract says, finds on that line."""
    finding = settling_function(CHOICES[key])(observed(), load_contract())
    assert finding is not None and finding.line == key


def test_every_settling_function_is_named_by_the_registry():
    """Each public function of points/<area>.py (shared.py holds helpers) is the settling function of a line."""
    named = {choice.settled_by for choice in settled()}
    defined = {f"{path.stem}.{node.name}" for path in POINTS.glob("*.py") if path.stem not in ("__init__", "shared")
               for node in ast.parse(path.read_text(encoding="utf-8")).body
               if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")}
    helpers = {"pagination.walk_order", "schema.envelope_of"}  # read by the violation scan and by tests, settle nothing
    assert defined - helpers == named


def test_every_rule_the_violation_scan_names_is_a_contract_rule():
    """The rule ids discovery's violations carry (violations.py) are ids of conformance/contract/rules.py."""
    used = {node.value for node in ast.walk(ast.parse(VIOLATIONS.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and re.fullmatch(r"[a-z0-9-]+\.[a-z0-9-]+", node.value)}
    assert used >= {"server.no-5xx", "cursor.walk", "limit.bounds"}, used
    assert used <= {rule.id for rule in contract_rules(load_contract())}
