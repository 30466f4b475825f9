"""The registry of contract choices (conformance/contract/choices.py): one entry per overlay line, each settled by
discovery or said not to be, each value shown by a reference server that exists."""

from __future__ import annotations

from dataclasses import fields

import pytest

from conformance.contract import load_contract
from conformance.contract.choices import CHOICES, DEFAULT, raw
from reference_server.variants import PERSONALITIES, Variants


def _variants(name: str) -> Variants:
    """The reference server an exhibited_by entry names: the defaults, a personality, or `field=value[,...]`."""
    if name == DEFAULT:
        return Variants()
    if name in PERSONALITIES:
        return PERSONALITIES[name]
    types = {f.name: f.type for f in fields(Variants)}
    settings = dict(part.split("=", 1) for part in name.split(","))
    unknown = sorted(set(settings) - set(types))
    assert not unknown, f"no Variants field {unknown}"
    return Variants(**{key: _typed(types[key], value) for key, value in settings.items()})


def _typed(kind: str, text: str) -> object:
    return {"int": int, "float": float, "bool": lambda t: t == "true"}.get(kind, str)(text)


@pytest.mark.parametrize("key", list(CHOICES))
def test_every_line_is_settled_by_discovery_or_said_not_probed(key):
    """Each line names its settling function or why discovery cannot settle it, never both."""
    choice = CHOICES[key]
    assert bool(choice.settled_by) != bool(choice.not_probed)


@pytest.mark.parametrize("key", list(CHOICES))
def test_every_value_names_a_reference_variant_that_exists(key):
    """Each value of a line is exhibited by a reference server that can be built (defaults, a personality, or
    Variants fields), or says why none exhibits it yet; never both."""
    choice = CHOICES[key]
    for value, name in choice.exhibited_by.items():
        assert value in choice.values, (value, choice.values)
        assert isinstance(_variants(name), Variants)
    assert set(choice.exhibited_by) | set(choice.unexhibited) == set(choice.values)
    assert not set(choice.exhibited_by) & set(choice.unexhibited)
    assert all(reason for reason in choice.unexhibited.values())


def test_a_variant_exhibits_the_value_the_registry_names_it_for():
    """The `field=value` names read back as the Variants they describe (a misspelt value fails to build)."""
    assert _variants("above_max=clamp").above_max == "clamp"
    assert _variants("head_limit=16384").head_limit == 16384
    assert _variants("retention=true").retention is True
    with pytest.raises(ValueError):
        _variants("above_max=truncate")


def _leaves(node: dict, prefix: str = "") -> list[str]:
    return [leaf for key, value in node.items()
            for leaf in (_leaves(value, f"{prefix}{key}.") if isinstance(value, dict) else [f"{prefix}{key}"])]


def test_every_line_of_the_default_overlay_has_an_entry():
    """Every x-bctrl-contract line of contract.overlay.yaml is a registry entry (or inside one: order.tieBreak.by)."""
    keys = set(CHOICES)
    orphans = [leaf for leaf in _leaves(load_contract().rules)
               if not any(leaf == key or leaf.startswith(f"{key}.") for key in keys)]
    assert not orphans


@pytest.mark.parametrize("key", [key for key, choice in CHOICES.items() if choice.read is not raw])
def test_the_default_contract_reads_every_checked_line(key):
    """The default contract's value of each line the registry checks reads without error, through Contract.choice."""
    assert load_contract().choice(key) is not None
