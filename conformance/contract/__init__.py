"""The contract loader: the published spec plus the overlay that says what it leaves unsaid."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .model import RUNS_PATH, Contract, Order
from .overlay import OverlayError, apply_overlay, effective_document

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SPEC = ROOT / "openapi.yaml"
DEFAULT_OVERLAY = ROOT / "contract.overlay.yaml"


@lru_cache(maxsize=None)
def load_contract(spec: Path = DEFAULT_SPEC, overlay: Path = DEFAULT_OVERLAY) -> Contract:
    """The effective contract, read once per (spec, overlay) pair."""
    return Contract(effective_document(Path(spec), Path(overlay)))


__all__ = [
    "DEFAULT_OVERLAY",
    "DEFAULT_SPEC",
    "RUNS_PATH",
    "Contract",
    "Order",
    "OverlayError",
    "apply_overlay",
    "effective_document",
    "load_contract",
]
