"""The README tells the truth about the settings and the two Quickstart commands."""

from __future__ import annotations

import re

from conformance.settings import SETTINGS

from fault_matrix.runners import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_setting_is_documented_with_its_option():
    """Each setting's variable and pytest option appear in the README's settings table."""
    missing = [s.env for s in SETTINGS if f"| `{s.env}` | `{s.option}` |" not in README]
    assert not missing, f"undocumented settings: {missing}"


def test_quickstart_has_the_two_commands_and_ci_runs_the_second():
    """The Quickstart holds exactly two commands; .ci/run runs the second one."""
    block = re.search(r"## Quickstart.*?```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert len(commands) == 2 and commands[0].endswith("python3 -m pytest")
    assert commands[1].endswith("python3 -m pytest tests") and commands[1] in CI_RUN


def test_readme_shows_a_measured_side_by_side_table():
    """The README shows the fault-matrix table (not a placeholder) and how to regenerate it."""
    assert "MATRIX_TABLE" not in README and "python -m fault_matrix" in README
    assert "| false alarm on the clean server |" in README


def test_every_suite_test_states_its_rule():
    """Every test of the suite has a docstring: it is the rule printed with its failures and in the summary."""
    import ast

    undocumented = [f"{path.relative_to(ROOT)}::{node.name}"
                    for path in (ROOT / "conformance").rglob("test_*.py")
                    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                    if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
                    and not ast.get_docstring(node)]
    assert not undocumented


def test_readme_has_a_first_run_section():
    """The README's "First run against your API": discover, review the diff, commit the overlay, run the gate."""
    section = re.search(r"## First run against your API\n(.*?)\n## ", README, re.S).group(1)
    for step in ("**Discover.**", "**Review the diff.**", "**Commit the overlay.**", "**Run the gate.**"):
        assert step in section
    assert "python -m conformance.discover" in section
    assert "BCTRL_CONTRACT=reports/discovered.overlay.yaml python -m pytest" in section


def test_what_the_target_needs_is_generated_from_the_declarations():
    """The README's "What the target needs" is exactly what the checks' `needs` declarations generate
    (regenerate it with `python -m conformance.readiness --write`)."""
    from conformance.readiness.readme import in_readme, section

    assert in_readme() == section(), "run `python -m conformance.readiness --write`"


def test_the_smoke_rotation_table_is_the_rotation_file():
    """The README's table of which checks the smoke runs on which night is the rotation file's (regenerate both
    with `python -m conformance.profiles --write`)."""
    from conformance import readme
    from conformance.profiles import README_BLOCK, Rotation, readme_block

    assert readme.in_readme(README_BLOCK) == readme_block(Rotation.load()), "run `python -m conformance.profiles --write`"
