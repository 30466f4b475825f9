"""`python -m conformance.contract`: prints or writes the effective contract as YAML."""
from __future__ import annotations

import subprocess
import sys

import yaml

from conformance.contract import DEFAULT_OVERLAY, ROOT, load_contract
from conformance.contract.__main__ import main


def test_cli_output_file_parses_and_equals_the_effective_document(tmp_path):
    """`python -m conformance.contract --output FILE` writes YAML equal to the effective contract the suite reads."""
    output = tmp_path / "effective.yaml"
    completed = subprocess.run([sys.executable, "-m", "conformance.contract", "--output", str(output)],
                               cwd=ROOT, capture_output=True, text=True, timeout=15)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == ""
    assert yaml.safe_load(output.read_text(encoding="utf-8")) == load_contract(DEFAULT_OVERLAY).document


def test_cli_without_output_prints_the_effective_document(capsys):
    """Without --output, main() prints the same YAML document to standard output and returns 0."""
    assert main([]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == load_contract(DEFAULT_OVERLAY).document


def test_cli_honours_spec_and_overlay_options(tmp_path):
    """--spec and --overlay choose the documents that are merged."""
    spec, overlay, output = tmp_path / "spec.yaml", tmp_path / "overlay.yaml", tmp_path / "out.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n", encoding="utf-8")
    overlay.write_text("overlay: 1.0.0\nactions:\n  - target: $.info\n    update: {title: merged}\n", encoding="utf-8")
    assert main(["--spec", str(spec), "--overlay", str(overlay), "--output", str(output)]) == 0
    assert yaml.safe_load(output.read_text(encoding="utf-8")) == {
        "openapi": "3.1.0", "info": {"title": "merged", "version": "1"}, "paths": {}}
