"""The README tells the truth about the settings and the two Quickstart commands."""

from __future__ import annotations

import re

from conformance.settings import NIGHTS, SETTINGS, day_of_night

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
    from conformance.readiness.needs_section import in_readme, section

    assert in_readme() == section(), "run `python -m conformance.readiness --write`"


def _readme_needs() -> tuple[dict[str, tuple[int, int]], list[str]]:
    """From the README's "What the target needs": gap -> (smoke checks every night, smoke checks on their night
    only), and the settings it says a smoke run needs."""
    table = {row[0]: tuple(map(int, row[1:])) for row in
             re.findall(r"^\| `([\w-]+)` \| `\w+` \|.*\| \d+ / (\d+) \+ (\d+) \|", README, re.M)}
    line = re.search(r"^A production smoke run .* with (.*) set as above\.$", README, re.M).group(1)
    return table, re.findall(r"`(BCTRL_\w+)`", line)


def test_the_readme_says_what_the_smoke_needs_on_every_night():
    """Whichever night the smoke runs (BCTRL_SMOKE_DAY, each of the seven in turn), the README's "What the target
    needs" holds for it: each gap's every-night checks run, its rotating ones join them on their night (all of them
    over the week), and every setting the night needs is named."""
    from conformance.readiness.needs_section import declared
    from conformance.readiness.vocabulary import setting_of

    table, settings = _readme_needs()
    week_checks: dict[str, set[str]] = {}
    for night in range(NIGHTS):
        tonight: dict[str, set[str]] = {}
        for nodeid, needs in declared("smoke", day_of_night(night)).items():
            for need in needs:
                tonight.setdefault(need.gap, set()).add(nodeid)
                week_checks.setdefault(need.gap, set()).add(nodeid)
        wrong = {gap: (len(checks), table.get(gap)) for gap, checks in tonight.items()
                 if gap not in table or not table[gap][0] <= len(checks) <= sum(table[gap])}
        assert not wrong, f"night {night + 1}, gap: (its checks, README's every night + on its night): {wrong}"
        unnamed = {setting_of(gap) for gap in tonight} - set(settings)
        assert not unnamed, f"night {night + 1} needs {unnamed}, which the README's smoke line does not name"
    over_the_week = {gap: len(checks) for gap, checks in week_checks.items()}
    assert over_the_week == {gap: sum(counts) for gap, counts in table.items() if sum(counts)}


def test_the_smoke_rotation_table_is_the_rotation_file():
    """The README's table of which checks the smoke runs on which night is the rotation file's (regenerate both
    with `python -m conformance.profiles --write`)."""
    from conformance import readme_blocks
    from conformance.profiles import README_BLOCK, Rotation, readme_block

    assert readme_blocks.in_readme(README_BLOCK) == readme_block(Rotation.load()), "run `python -m conformance.profiles --write`"


def test_the_table_of_overlay_lines_is_the_registry():
    """The README's table of overlay lines and what settles each is the registry of contract choices' (regenerate it
    with `python -m conformance.contract --write-readme`)."""
    from conformance import readme_blocks
    from conformance.contract.choices import README_BLOCK, readme_block

    assert readme_blocks.in_readme(README_BLOCK) == readme_block(), "run `python -m conformance.contract --write-readme`"
