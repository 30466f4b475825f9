"""`--bctrl-contract PATH` works in both forms pytest's `--help` suggests, for an overlay outside the checkout."""

from __future__ import annotations

import pytest

from conformance.contract import DEFAULT_OVERLAY, DEFAULT_SPEC
from conformance.plugin.selection import attach_option_values

from fault_matrix.runners import clean_env, run_pytest

STATUS_SCHEMA = "V2RuntimesRuntimeIdRunsGetResponsesContentApplicationJsonSchemaDataItemsStatus"


def _overlay_with_extra_status(folder, status="queued"):
    """A copy of the default overlay, outside the checkout, whose status enum has one more value."""
    text = DEFAULT_OVERLAY.read_text(encoding="utf-8").replace("extends: openapi.yaml", f"extends: {DEFAULT_SPEC}")
    text += (f"\n  - target: $.components.schemas.{STATUS_SCHEMA}.enum\n"
             f"    description: one more status, to see that this contract is the one in use\n"
             f"    update: {status}\n")
    path = folder / "other.overlay.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("form", ["attached", "detached"])
def test_contract_option_outside_the_checkout_is_used(form, tmp_path):
    """`--bctrl-contract=PATH` and `--bctrl-contract PATH` both run the suite from the checkout under that contract."""
    overlay = _overlay_with_extra_status(tmp_path)
    option = [f"--bctrl-contract={overlay}"] if form == "attached" else ["--bctrl-contract", str(overlay)]
    done = run_pytest([*option, "--collect-only", "-q", "-p", "no:cacheprovider"], clean_env(), timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    ids = [line for line in done.stdout.splitlines() if "::" in line]
    assert ids and all(line.startswith("conformance/") for line in ids), done.stdout[-2000:]
    assert any(line.endswith("test_single_status_returns_exactly_the_runs_in_it[queued]") for line in ids)


def test_default_contract_has_no_extra_status():
    """Without the option the suite collects from the default contract (the check above is not vacuous)."""
    done = run_pytest(["--collect-only", "-q", "-p", "no:cacheprovider"], clean_env(), timeout=120)
    assert done.returncode == 0 and "[queued]" not in done.stdout
    assert "test_single_status_returns_exactly_the_runs_in_it[active]" in done.stdout


def test_detached_values_of_suite_options_are_attached():
    """Only the suite's own options get their value attached, and nothing after `--` changes."""
    options = {"--bctrl-contract", "--bctrl-profile"}
    assert attach_option_values(["--bctrl-contract", "/x.yaml", "-q", "--bctrl-profile", "smoke", "tests"],
                                options) == ["--bctrl-contract=/x.yaml", "-q", "--bctrl-profile=smoke", "tests"]
    assert attach_option_values(["-k", "limit", "--bctrl-contract=/x.yaml"], options) == \
        ["-k", "limit", "--bctrl-contract=/x.yaml"]
    assert attach_option_values(["--", "--bctrl-contract", "x"], options) == ["--", "--bctrl-contract", "x"]
    assert attach_option_values(["--bctrl-contract"], options) == ["--bctrl-contract"]


def test_detached_contract_option_runs_the_suite_and_keeps_its_exit_status(tmp_path, reports):
    """A smoke run with `--bctrl-contract PATH` passes and writes its reports; a missing PATH still exits 4."""
    overlay = tmp_path / "copy.overlay.yaml"
    overlay.write_text(DEFAULT_OVERLAY.read_text(encoding="utf-8").replace("extends: openapi.yaml",
                                                                          f"extends: {DEFAULT_SPEC}"), encoding="utf-8")
    env = clean_env(BCTRL_PROFILE="smoke", BCTRL_REPORTS_DIR=str(reports))
    done = run_pytest(["--bctrl-contract", str(overlay), "-q", "-p", "no:cacheprovider"], env, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:]
    assert (reports / "run.json").is_file()
    missing = run_pytest(["--bctrl-contract", str(tmp_path / "missing.yaml"), "-q", "-p", "no:cacheprovider"], env,
                         timeout=120)
    assert missing.returncode == 4 and "BCTRL_CONTRACT" in missing.stdout + missing.stderr
