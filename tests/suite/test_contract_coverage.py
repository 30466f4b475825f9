"""Every rule traced: each rule of the effective contract has a check that enforces it and a fault that proves
that check; checks and faults name only rules the contract has."""

from __future__ import annotations

from conformance.contract import load_contract
from conformance.contract.rules import contract_rules
from fault_matrix.coverage import check_rules, coverage, markdown
from fault_matrix.designated import CATCHER
from reference_server import FAULTS

RULE_IDS = {rule.id for rule in contract_rules(load_contract())}


def test_every_rule_has_a_check_and_a_proving_fault():
    """No rule of the default contract is left without a check enforcing it and a fault proving that check."""
    rows = coverage(load_contract())
    unchecked = [row.rule.id for row in rows if not row.checks]
    unproven = [row.rule.id for row in rows if not row.faults]
    assert not unchecked and not unproven, f"no check: {unchecked}; no proving fault: {unproven}"


def test_every_check_names_the_rules_it_enforces():
    """Each check of the suite declares at least one rule, and only rules the contract has."""
    checks = check_rules()
    undeclared = [check for check, rules in checks.items() if not rules]
    unknown = {check: sorted(set(rules) - RULE_IDS) for check, rules in checks.items() if set(rules) - RULE_IDS}
    assert not undeclared and not unknown, f"no rule: {undeclared}; unknown rules: {unknown}"


def test_every_fault_breaks_known_rules_and_its_check_enforces_one():
    """Each fault names rules the contract has, and its designated check enforces at least one of them."""
    checks = check_rules()
    wrong = {name: fault.rules for name, fault in FAULTS.items()
             if not fault.rules or set(fault.rules) - RULE_IDS or not set(fault.rules) & set(checks.get(CATCHER[name], ()))}
    assert not wrong, wrong


def test_coverage_report_lists_every_rule():
    """The generated contract-coverage.md has one row per rule."""
    text = markdown(coverage(load_contract()))
    assert all(f"| `{rule_id}` |" in text for rule_id in RULE_IDS)
