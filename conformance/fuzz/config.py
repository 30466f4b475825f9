"""Build the Schemathesis schema for the fuzz test: effective contract + schemathesis.toml + the run's target."""

from __future__ import annotations

import tomllib
from pathlib import Path

import schemathesis
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from conformance.contract import Contract

CONFIG_FILE = Path(__file__).with_name("schemathesis.toml")
CURSOR_FORMAT = "bctrl-cursor"  # the overlay's format for the opaque cursor


def fuzz_config(*, base_url: str, api_key: str, runtime_id: str, seed: int, examples: int,
                modes: str = "all") -> SchemathesisConfig:
    data = tomllib.loads(CONFIG_FILE.read_text(encoding="utf-8"))
    data["seed"] = seed
    data["base-url"] = base_url
    data["headers"] = {"Authorization": f"Bearer {api_key}"}
    data["parameters"] = {"path.runtimeId": runtime_id}
    data["generation"] = {**data.get("generation", {}), "mode": modes, "max-examples": examples}
    return SchemathesisConfig.from_dict(data)


def fuzz_schema(contract: Contract, config: SchemathesisConfig, cursors: list[str]):
    """The Schemathesis schema of the effective contract; valid cursors are ones the API handed out."""
    # Positive cases need valid cursors, and only the API can make one: sample real ones.
    schemathesis.openapi.format(CURSOR_FORMAT, st.sampled_from(cursors) if cursors else st.nothing())
    return schemathesis.openapi.from_dict(contract.document, config=config)
