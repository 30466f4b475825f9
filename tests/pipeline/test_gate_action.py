"""The composite action (action.yml): its interface matches the README, and its `run` steps really gate.

The stand-in for the runner reads action.yml, fills in `${{ inputs.* }}` and `${{ steps.*.outputs.* }}`, gives
each `run` step the runner's files ($GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY, $GITHUB_ENV) and runs it with bash as
the runner does; `uses:` steps (setup-python, upload-artifact) are skipped here (test_workflows checks their pins).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from pipeline import gate_result
from reference_server import ReferenceServer

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
STEPS = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
COMPARISON = re.compile(r"steps\.([\w-]+)\.outputs\.([\w-]+) (==|!=) ''")


# -- interface ------------------------------------------------------------------------------------------------
def test_action_interface():
    """action.yml is a composite action with the documented inputs and the three outputs, taken from its steps."""
    assert ACTION["runs"]["using"] == "composite"
    assert {"base-url", "api-key", "runtime-id", "other-runtime-id", "empty-runtime-id", "profile",
            "contract"} <= set(ACTION["inputs"])
    assert ACTION["inputs"]["profile"]["default"] == "gate"
    assert set(ACTION["outputs"]) == {"verdict", "exit-code", "summary-path"}
    step_ids = {step.get("id") for step in STEPS}
    for name, output in ACTION["outputs"].items():
        match = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}", output["value"])
        assert match and match[1] in step_ids and match[2] == name, output


def test_every_input_is_used_and_every_used_input_is_declared():
    """Each declared input feeds a step, and no step reads an input that is not declared."""
    text = yaml.safe_dump(STEPS)
    used = set(re.findall(r"inputs\.([\w-]+)", text))
    assert used == set(ACTION["inputs"]), (used, set(ACTION["inputs"]))


def test_run_steps_are_bash_and_read_inputs_only_through_env():
    """Every `run` step names its shell and holds no `${{ }}` expression (inputs reach it as env, never as code)."""
    for step in STEPS:
        if "run" in step:
            assert step.get("shell") == "bash", step["name"]
            assert not EXPRESSION.search(step["run"]), f"{step['name']}: expression in run: use env"


def test_the_key_reaches_only_the_suite_step_through_its_environment():
    """The api-key input is read once, as BCTRL_API_KEY in the suite step's env, never on a command line."""
    readers = [step for step in STEPS if "inputs.api-key" in yaml.safe_dump(step)]
    assert len(readers) == 1 and readers[0]["env"]["BCTRL_API_KEY"] == "${{ inputs.api-key }}"


def test_reports_are_summarised_and_uploaded_whatever_the_verdict():
    """The verdict, upload and gate steps run after a failing suite too (`always()`), and the upload is built in."""
    uploads = [step for step in STEPS if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert len(uploads) == 1 and uploads[0]["if"].startswith("always()")
    after_suite = STEPS[[step.get("id") for step in STEPS].index("suite") + 1:]
    assert after_suite and all(step.get("if", "").startswith("always()") for step in after_suite)


def _readme_table_names(heading: str) -> set[str]:
    section = README.split(heading, 1)[1].split("\n\n", 2)[1]
    return {match for match in re.findall(r"^\| `([\w-]+)` \|", section, re.M)}


def test_readme_documents_the_inputs_and_outputs():
    """The README's tables of the action's inputs and outputs list exactly those of action.yml."""
    assert _readme_table_names("Inputs of the action:") == set(ACTION["inputs"])
    assert _readme_table_names("Outputs of the action:") == set(ACTION["outputs"])


def _readme_yaml_blocks() -> list:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", README, re.S)]


def _readme_steps_using(suffix: str) -> list[dict]:
    found = []
    for block in _readme_yaml_blocks():
        for job in (block.get("jobs") or {}).values() if isinstance(block, dict) else ():
            for step in job.get("steps", []):
                if step.get("uses", "").split("@")[0].endswith(suffix):
                    found.append(step)
    return found


def test_readme_snippet_uses_only_real_inputs_and_outputs():
    """The README's composite-action snippet passes only declared inputs and reads only declared outputs."""
    steps = _readme_steps_using("/bctrl-runs-conformance")
    assert steps, "no README snippet uses the action"
    for step in steps:
        assert set(step.get("with", {})) <= set(ACTION["inputs"]), step
    outputs_read = set(re.findall(r"steps\.[\w-]+\.outputs\.([\w-]+)", README))
    assert outputs_read and outputs_read <= set(ACTION["outputs"])


# -- gate_result ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("code", "verdict"), [("0", "conforms"), ("1", "the contract is broken"),
                                               ("4", "not judged (tool error)"), ("5", "not judged (pytest exit 5)"),
                                               ("", "not judged (tool error)")])
def test_verdict_follows_the_exit_code(code, verdict):
    """The verdict is read from the exit code: 0 conforms, 1 broken, 4 or anything else (or none) not judged."""
    assert gate_result.verdict_of(gate_result.exit_code_of(code)) == verdict


def test_failure_lines_tell_a_broken_contract_from_a_tool_error():
    """Exit 1 says the API breaks the contract; exit 4 says it was not judged, and that this is no contract failure."""
    broken, tool = gate_result.message_of(1), gate_result.message_of(4)
    assert broken.startswith("::error") and "breaks the contract" in broken and "Not judged" not in broken
    assert tool.startswith("::error") and "Not judged" in tool and "not a contract failure" in tool
    assert gate_result.message_of(0).startswith("::notice")


# -- the stand-in for the runner ------------------------------------------------------------------------------
@dataclass
class ActionRun:
    outputs: dict[str, str]
    steps: list[tuple[str, int]]
    log: str
    summary: str
    step_outputs: dict[str, dict[str, str]] = field(default_factory=dict)


def _python_on_path(folder: Path) -> Path:
    """A `python` on PATH that is this interpreter (what setup-python provides on a runner)."""
    folder.mkdir(exist_ok=True)
    wrapper = folder / "python"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    return folder


def _read_output_file(path: Path) -> dict[str, str]:
    values, lines = {}, path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and "=" not in line.split("<<")[0]:
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            values[name] = "\n".join(lines[index + 1:end])
            index = end + 1
        else:
            name, _, value = line.partition("=")
            values[name] = value
            index += 1
    return values


def _condition(expression: str | None, failed: bool, step_outputs: dict) -> bool:
    """The `if:` forms action.yml uses: `always()` and `steps.X.outputs.Y ==/!= ''`, joined by `&&`."""
    if not expression:
        return not failed
    terms = [term.strip() for term in expression.split("&&")]
    if "always()" not in terms and failed:
        return False
    for term in terms:
        if term == "always()":
            continue
        match = COMPARISON.fullmatch(term)
        assert match, f"the stand-in does not know the condition {term!r}"
        value = step_outputs.get(match[1], {}).get(match[2], "")
        if (value == "") != (match[3] == "=="):
            return False
    return True


def run_action(inputs: dict[str, str], workspace: Path, skip: tuple[str, ...] = ()) -> ActionRun:
    """Run action.yml's `run` steps in order as the runner would, in `workspace`, with these inputs."""
    values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update(inputs)
    step_outputs: dict[str, dict[str, str]] = {}

    def expression(match: re.Match) -> str:
        text = match[1]
        if text.startswith("inputs."):
            return values[text.removeprefix("inputs.")]
        step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", text)
        assert step, f"the stand-in does not know the expression {text!r}"
        return step_outputs.get(step[1], {}).get(step[2], "")

    runner = workspace / ".runner"
    runner.mkdir(parents=True)
    base_env = {key: value for key, value in os.environ.items() if not key.startswith(("BCTRL_", "GITHUB_"))}
    base_env["BCTRL_RATE_LIMIT"] = "0"  # the job's env: no rate cap towards the local stand-in target
    base_env.update(PATH=f"{_python_on_path(runner / 'bin')}{os.pathsep}{os.environ['PATH']}",
                    GITHUB_ACTION_PATH=str(ROOT), GITHUB_WORKSPACE=str(workspace),
                    GITHUB_STEP_SUMMARY=str(runner / "step_summary.md"), GITHUB_ENV=str(runner / "env"))
    ran, log, failed = [], [], False
    for number, step in enumerate(STEPS):
        if "uses" in step or step["name"] in skip or not _condition(step.get("if"), failed, step_outputs):
            continue
        output_file = runner / f"output-{number}"
        env = dict(base_env, GITHUB_OUTPUT=str(output_file))
        env.update({key: EXPRESSION.sub(expression, str(value)) for key, value in step.get("env", {}).items()})
        script = runner / f"step-{number}.sh"
        script.write_text(step["run"], encoding="utf-8")
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workspace,
                              env=env, capture_output=True, text=True, timeout=600)
        ran.append((step["name"], done.returncode))
        log.append(f"== {step['name']}: exit {done.returncode}\n{done.stdout}{done.stderr}")
        failed = failed or done.returncode != 0
        if step.get("id"):
            step_outputs[step["id"]] = _read_output_file(output_file)
    outputs = {name: EXPRESSION.sub(expression, spec["value"]) for name, spec in ACTION["outputs"].items()}
    summary_file = runner / "step_summary.md"
    summary = summary_file.read_text(encoding="utf-8") if summary_file.exists() else ""
    return ActionRun(outputs, ran, "\n".join(log), summary, step_outputs)


def _target_inputs(server: ReferenceServer, **overrides: str) -> dict[str, str]:
    seed = server.seed_info
    inputs = {"base-url": server.base_url, "api-key": seed.api_key, "runtime-id": seed.runtime_id,
              "other-runtime-id": seed.other_runtime_id, "empty-runtime-id": seed.empty_runtime_id,
              "second-runtime-id": seed.second_runtime_id, "other-api-key": seed.other_api_key, "profile": "smoke"}
    inputs.update(overrides)
    return inputs


INSTALL = "Install the conformance suite"


def test_passing_target_conforms(tmp_path):
    """Against a correct API every `run` step succeeds: verdict conforms, exit-code 0, summary in the job summary."""
    with ReferenceServer() as server:
        run = run_action(_target_inputs(server), tmp_path)
        key = server.seed_info.api_key
    assert [name for name, _ in run.steps] == [step["name"] for step in STEPS if "run" in step]
    assert all(code == 0 for _, code in run.steps), run.log
    assert run.outputs == {"verdict": "conforms", "exit-code": "0",
                           "summary-path": str(tmp_path / "bctrl-reports" / "summary.md")}, run.log
    assert Path(run.outputs["summary-path"]).is_file()
    assert run.summary.startswith("# bctrl runs API conformance: conforms")
    assert key not in run.log + run.summary


def test_failing_target_breaks_the_gate(tmp_path):
    """Against an API that breaks the contract: verdict broken, exit-code 1, and the last step fails saying so."""
    with ReferenceServer(faults=("limit-plus-one",)) as server:
        run = run_action(_target_inputs(server), tmp_path, skip=(INSTALL,))
        key = server.seed_info.api_key
    assert run.outputs["verdict"] == "the contract is broken" and run.outputs["exit-code"] == "1", run.log
    assert run.steps[-1] == ("Gate on the verdict", 1) and all(code == 0 for _, code in run.steps[:-1]), run.log
    assert "::error title=bctrl conformance::The API breaks the contract (exit 1)" in run.log
    assert "## FAILED" in run.summary and key not in run.log + run.summary


def test_wrong_key_is_a_tool_error_not_a_contract_failure(tmp_path):
    """With a key the API refuses: verdict not judged, exit-code 4, and the failing line says it is a tool error."""
    with ReferenceServer() as server:
        run = run_action(_target_inputs(server, **{"api-key": "conformance-wrong-key"}), tmp_path, skip=(INSTALL,))
    assert run.outputs["verdict"] == "not judged (tool error)" and run.outputs["exit-code"] == "4", run.log
    assert run.steps[-1] == ("Gate on the verdict", 4), run.log
    assert "Not judged: tool error (exit 4)" in run.log and "breaks the contract" not in run.log


def test_contract_and_reports_paths_are_the_callers(tmp_path):
    """A relative `contract` and `reports-dir` are read in the caller's workspace, not in the action's folder."""
    from conformance.contract import DEFAULT_OVERLAY, DEFAULT_SPEC

    overlay = DEFAULT_OVERLAY.read_text(encoding="utf-8").replace("extends: openapi.yaml", f"extends: {DEFAULT_SPEC}")
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "bad.overlay.yaml").write_text(overlay.replace("maximum: 100", "maximum: ["),
                                                             encoding="utf-8")
    run = run_action({"profile": "smoke", "contract": "contracts/bad.overlay.yaml", "reports-dir": "out/r"},
                     tmp_path, skip=(INSTALL,))
    assert run.outputs["exit-code"] == "4", run.log
    assert str(tmp_path / "contracts" / "bad.overlay.yaml") in run.log
    assert run.step_outputs["suite"]["reports"] == str(tmp_path / "out" / "r")


def test_readme_reusable_workflow_snippet_matches_gate_yml():
    """The README's reusable-workflow snippet passes only inputs and secrets that gate.yml's workflow_call declares."""
    gate = yaml.safe_load((ROOT / ".github" / "workflows" / "gate.yml").read_text(encoding="utf-8"))
    call = gate[True]["workflow_call"]  # PyYAML reads the key `on` as True
    callers = [job for block in _readme_yaml_blocks() if isinstance(block, dict)
               for job in (block.get("jobs") or {}).values()
               if job.get("uses", "").split("@")[0].endswith("/.github/workflows/gate.yml")]
    assert callers, "no README snippet calls gate.yml"
    for job in callers:
        assert set(job.get("with", {})) <= set(call["inputs"]) and set(job.get("secrets", {})) <= set(call["secrets"])


def test_the_standard_library_copy_of_the_verdicts_is_the_suites():
    """pipeline/gate_result.py keeps its own copy of the exit codes' words (it runs without the suite installed):
    the same as conformance/outcomes.py's."""
    from conformance import outcomes
    from pipeline import gate_result

    assert gate_result.VERDICTS == outcomes.VERDICTS and gate_result.TOOL_ERROR == outcomes.NOT_JUDGED
