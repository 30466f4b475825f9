"""Discovery's pieces on hand-made answers: how a limit answer, an error body and an order are read, and how the
overlay is written."""

from __future__ import annotations

import json

import pytest
import yaml

from conformance.contract import DEFAULT_OVERLAY, DEFAULT_SPEC, effective_document, load_contract
from conformance.discover.findings import DIFFERS, Discovery, Finding
from conformance.discover.overlay_writer import discovered_actions, overlay_text
from conformance.discover.points.schema import envelope_of
from conformance.discover.probes import LimitProbe
from conformance.transport.exchange import Exchange


def answer(status: int, body: object, content_type: str = "application/json") -> Exchange:
    return Exchange("GET", "http://api.test/v2/runtimes/rt/runs", {}, status, {"Content-Type": content_type},
                    json.dumps(body))


def page(runs: int, cursor: str | None) -> Exchange:
    return answer(200, {"data": [{"id": str(n)} for n in range(runs)], "nextCursor": cursor})


@pytest.mark.parametrize("exchange, reading", [
    (page(10, "c"), "full"), (page(4, None), "short"), (page(8, "c"), "clamped"), (page(11, "c"), "over"),
    (answer(400, {}), "refused"), (answer(422, {}), "refused"), (answer(500, {}), "error"),
])
def test_a_limit_answer_reads_as(exchange, reading):
    """limit=10: ten runs is full; fewer on the last page, short; fewer while more remain, clamped; more, over."""
    assert LimitProbe(10, exchange).answer == reading


@pytest.mark.parametrize("body, envelope", [
    ({"error": "Runtime not found", "code": "runtime.not_found"}, "flat"),
    ({"error": {"code": "runtime.not_found", "message": "m", "requestId": "r"}}, "nested"),
    ({"message": "Runtime not found"}, None),
    ({"error": {"code": "runtime.not_found"}}, None),
])
def test_error_bodies_are_read_as_one_bctrl_envelope_or_neither(body, envelope):
    """The flat and the nested envelope, as the contract's component schemas describe them; anything else: None."""
    assert envelope_of(answer(404, body), load_contract()) == envelope


def test_a_body_that_is_not_json_is_in_neither_envelope():
    """A text/plain error body is in neither envelope."""
    assert envelope_of(Exchange("GET", "u", {}, 404, {"Content-Type": "text/plain"}, "Not Found"),
                       load_contract()) is None


def _discovery(*changes: tuple[str, object]) -> Discovery:
    return Discovery([Finding(name, "said", "did", DIFFERS, change=(name, value)) for name, value in changes], [])


def test_nothing_differs_the_overlay_is_the_contract_with_extends_resolved(tmp_path):
    """No difference: the contract in force verbatim (comments kept), `extends` made to resolve from the output."""
    output = tmp_path / "deep" / "discovered.overlay.yaml"
    output.parent.mkdir()
    text = overlay_text(DEFAULT_OVERLAY, _discovery(), load_contract(), output)
    assert text.replace(f"extends: {yaml.safe_load(text)['extends']}", "extends: openapi.yaml") == \
        DEFAULT_OVERLAY.read_text(encoding="utf-8")
    output.write_text(text, encoding="utf-8")
    assert effective_document(DEFAULT_SPEC, output) == effective_document(DEFAULT_SPEC, DEFAULT_OVERLAY)


def test_differences_are_appended_as_actions_that_win(tmp_path):
    """Discovered lines come as actions after the contract's own, and the effective contract says them; a refusal
    status the contract does not document gets a documented response."""
    output = tmp_path / "discovered.overlay.yaml"
    discovery = _discovery(("errorStatus.notVisible", 403), ("order.tieBreak", None), ("limit.maximum", 80),
                           ("errorEnvelopes", ("flat",)), ("bearerSchemeCaseInsensitive", False))
    output.write_text(overlay_text(DEFAULT_OVERLAY, discovery, load_contract(), output), encoding="utf-8")
    contract = load_contract(output)
    assert contract.error_status("notVisible") == 403 and 403 in contract.documented_statuses
    assert contract.order.tie_by is None and contract.limit_max == 80
    assert contract.error_envelopes == ("flat",) and contract.scheme_case_insensitive is False
    assert output.read_text(encoding="utf-8").startswith(DEFAULT_OVERLAY.read_text(encoding="utf-8")[:200])


def test_an_overlay_whose_actions_are_not_last_is_rewritten_from_its_data(tmp_path):
    """If `actions` is not the overlay's last key, appending text would not extend it: the overlay is written
    from its data instead, and still says every line."""
    document = yaml.safe_load(DEFAULT_OVERLAY.read_text(encoding="utf-8"))
    document["extends"] = str(DEFAULT_SPEC)
    reordered = {"actions": document.pop("actions"), **document}
    active = tmp_path / "active.overlay.yaml"
    active.write_text(yaml.safe_dump(reordered, sort_keys=False), encoding="utf-8")
    output = tmp_path / "out" / "discovered.overlay.yaml"
    output.parent.mkdir()
    output.write_text(overlay_text(active, _discovery(("limit.default", 20)), load_contract(active), output),
                      encoding="utf-8")
    assert load_contract(output).limit_default == 20


def test_no_change_no_action():
    """Nothing discovered differs: no action is appended."""
    assert discovered_actions({}, load_contract()) == []
