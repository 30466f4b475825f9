"""The contract loader: the published spec plus the overlay that says what it leaves unsaid."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .model import RUNS_PATH, Contract
from .order import Order
from .overlay import OverlayError, apply_overlay, effective_document, load_yaml

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SPEC = ROOT / "openapi.yaml"
DEFAULT_OVERLAY = ROOT / "contract.overlay.yaml"


@lru_cache(maxsize=None)
def load_contract(overlay: Path = DEFAULT_OVERLAY) -> Contract:
    """The effective contract: the overlay applied to the spec it `extends`, read once per overlay file."""
    overlay = Path(overlay)
    return Contract(effective_document(spec_extended_by(overlay), overlay))


def spec_extended_by(overlay: Path) -> Path:
    """The spec an overlay names in `extends` (relative to the overlay's folder); openapi.yaml if it names none."""
    extends = load_yaml(Path(overlay)).get("extends")
    return Path(overlay).parent / extends if extends else DEFAULT_SPEC


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
    "spec_extended_by",
]
