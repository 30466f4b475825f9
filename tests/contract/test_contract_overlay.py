"""apply_overlay: the OpenAPI Overlay 1.0 merge rules, as conformance/contract/overlay.py implements them."""
from __future__ import annotations

import copy

import pytest

from conformance.contract import OverlayError, apply_overlay


def overlay(*actions: dict, version: str = "1.0.0") -> dict:
    return {"overlay": version, "info": {"title": "t", "version": "1"}, "actions": list(actions)}


def items() -> dict:
    return {"a": [{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}]}


def test_update_merges_objects_recursively_and_replaces_scalars():
    """An update object is merged into the target recursively: nested objects merge, scalars are replaced."""
    document = {"x": {"keep": 1, "replace": "old", "nested": {"inner": 1, "also": True}}}
    result = apply_overlay(document, overlay({"target": "$.x", "update": {
        "replace": "new", "added": 2, "nested": {"inner": 9, "more": "m"}}}))
    assert result == {"x": {"keep": 1, "replace": "new", "added": 2,
                            "nested": {"inner": 9, "also": True, "more": "m"}}}


def test_update_replaces_a_scalar_with_an_object_and_an_array_with_an_array():
    """An update value that is not an object merging into an object replaces what was there."""
    document = {"x": {"s": "text", "list": [1, 2]}}
    result = apply_overlay(document, overlay({"target": "$.x", "update": {"s": {"now": "object"}, "list": [3]}}))
    assert result == {"x": {"s": {"now": "object"}, "list": [3]}}


def test_update_on_an_array_target_appends():
    """An update whose target is an array appends the update value to it as one item."""
    result = apply_overlay({"tags": ["a"]}, overlay({"target": "$.tags", "update": {"name": "b"}}))
    assert result == {"tags": ["a", {"name": "b"}]}


def test_update_applies_to_every_match():
    """An update is merged into each node its target matches."""
    document = {"p": {"a": {"t": 1}, "b": {"t": 2}, "c": {"t": 3}}}
    result = apply_overlay(document, overlay({"target": "$.p['a','c']", "update": {"format": "date-time"}}))
    assert result == {"p": {"a": {"t": 1, "format": "date-time"}, "b": {"t": 2},
                            "c": {"t": 3, "format": "date-time"}}}


def test_remove_deletes_an_object_member():
    """`remove: true` deletes the matched member of an object."""
    result = apply_overlay({"a": 1, "b": 2}, overlay({"target": "$.b", "remove": True}))
    assert result == {"a": 1}


def test_remove_deletes_every_list_item_a_filter_matches():
    """`remove: true` with a filter deletes every matched list item and keeps the others in order."""
    result = apply_overlay(items(), overlay({"target": "$.a[?@.n > 1 && @.n != 3]", "remove": True}))
    assert result == {"a": [{"n": 1}, {"n": 3}]}


def test_remove_with_a_negative_index_deletes_the_last_item():
    """`remove: true` on $.a[-1] deletes the last list item."""
    result = apply_overlay(items(), overlay({"target": "$.a[-1]", "remove": True}))
    assert result == {"a": [{"n": 1}, {"n": 2}, {"n": 3}]}


def test_remove_with_a_union_of_indexes_in_descending_order_deletes_exactly_those_items():
    """`remove: true` on $.a[2,0] deletes items 0 and 2, whatever order the target lists them in."""
    result = apply_overlay(items(), overlay({"target": "$.a[2,0]", "remove": True}))
    assert result == {"a": [{"n": 2}, {"n": 4}]}


def test_remove_of_a_node_matched_twice_deletes_it_once():
    """A node a target matches twice ($.a[0,0]) is removed once."""
    result = apply_overlay(items(), overlay({"target": "$.a[0,0]", "remove": True}))
    assert result == {"a": [{"n": 2}, {"n": 3}, {"n": 4}]}


def test_a_target_matching_nothing_raises_naming_the_action_number():
    """A target that matches nothing raises OverlayError naming the (1-based) action number and target."""
    with pytest.raises(OverlayError, match=r"overlay action 2: target '\$\.missing' matches nothing"):
        apply_overlay({"a": 1}, overlay({"target": "$.a", "remove": True}, {"target": "$.missing", "remove": True}))


@pytest.mark.parametrize("version", ["2.0.0", "0.9", "", None])
def test_an_unsupported_overlay_version_raises(version):
    """An overlay whose `overlay` version is not 1.x raises OverlayError."""
    document = overlay({"target": "$.a", "remove": True})
    document["overlay"] = version
    with pytest.raises(OverlayError, match="unsupported overlay version"):
        apply_overlay({"a": 1}, document)


def test_an_update_of_a_scalar_target_raises():
    """An update whose target is a scalar (neither object nor array) raises OverlayError."""
    with pytest.raises(OverlayError, match="action 1: cannot update"):
        apply_overlay({"a": 1}, overlay({"target": "$.a", "update": {"b": 2}}))


def test_the_input_document_is_not_mutated():
    """apply_overlay returns a new document and leaves its input (and the update values) untouched."""
    document = {"x": {"nested": {"v": 1}}, "a": [{"n": 1}, {"n": 2}], "tags": []}
    before = copy.deepcopy(document)
    update = {"nested": {"w": [1]}}
    result = apply_overlay(document, overlay(
        {"target": "$.x", "update": update},
        {"target": "$.a[?@.n == 1]", "remove": True},
        {"target": "$.tags", "update": {"t": 1}},
    ))
    assert document == before
    assert update == {"nested": {"w": [1]}}
    result["x"]["nested"]["w"].append(2)
    assert update == {"nested": {"w": [1]}}
    assert result["a"] == [{"n": 2}] and result["tags"] == [{"t": 1}]
