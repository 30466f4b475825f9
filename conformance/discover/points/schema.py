"""How refusals are written: the invalidQuery status, the error envelope, its media types and the request id."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from ...contract import Contract, load_contract
from ...contract.model import ENVELOPE_SCHEMAS, REQUEST_ID_HEADER
from ...judge.response import request_id_in_body
from ...transport.exchange import Exchange
from ..findings import AGREES, DIFFERS, NOT_SHOWN, REVIEW, Finding
from ..probes import Observations
from .limit import above_maximum
from .shared import status_choice


def invalid_query(obs: Observations, contract: Contract) -> Finding:
    above = above_maximum(obs, contract)
    probes = dict(obs.bad_queries)
    refused_above = [p for p in obs.limit_search if p.answer == "refused"]
    if refused_above:
        probes["limit-above-maximum"] = min(refused_above, key=lambda p: p.asked).exchange
    clamps = above.change == ("limitAboveMaximum", "clamp") or (above.outcome == AGREES and contract.limit_clamped)
    served = [name for name, e in probes.items()
              if e.status == 200 and not (name == "limit-huge" and clamps)]
    finding = status_choice("errorStatus.invalidQuery", contract.error_status("invalidQuery"),
                             {n: e for n, e in probes.items() if n not in served})
    if served:
        finding.outcome = REVIEW if finding.outcome in (AGREES, NOT_SHOWN) else finding.outcome
        finding.target += f"; served (200) instead of refused: {', '.join(served)}"
        finding.evidence += [probes[name] for name in served]
    return finding


def envelope(obs: Observations, contract: Contract) -> Finding:
    """Which bctrl error envelope each refusal used; the overlay pins the one seen only when the contract would
    refuse it (a contract accepting both keeps both: an API may move to the newer envelope)."""
    line = "errorEnvelopes"
    accepted = contract.error_envelopes
    said = " or ".join(accepted) or "none"
    refusals = obs.api_refusals()
    if not refusals:
        return Finding(line, said, "nothing was refused", NOT_SHOWN)
    kinds = {id(e): envelope_of(e, contract) for e in refusals}
    neither = [e for e in refusals if kinds[id(e)] is None]
    if neither:
        return Finding(line, said, f"{len(neither)} of {len(refusals)} refusals in neither bctrl envelope, e.g. "
                       f"{neither[0].summary()}", REVIEW, neither[:2])
    seen = tuple(sorted(set(kinds.values())))
    shown = f"{' and '.join(seen)} on all {len(refusals)} refusals"
    evidence = [next(e for e in refusals if kinds[id(e)] == kind) for kind in seen]
    if set(seen) <= set(accepted):
        return Finding(line, said, shown, AGREES, evidence)
    return Finding(line, said, shown, DIFFERS, evidence, ("errorEnvelopes", seen))


def envelope_of(exchange: Exchange, contract: Contract) -> str | None:
    """flat, nested, or None (neither, or not a JSON media type the contract allows for errors)."""
    if contract.documented_media_type(exchange.status, exchange.content_type) is None and not \
            exchange.content_type.endswith(("/json", "+json")):
        return None
    body = exchange.json
    for envelope, schema in _envelope_schemas(contract).items():
        if Draft202012Validator(schema).is_valid(body):
            return envelope
    return None


def _envelope_schemas(contract: Contract) -> dict[str, dict]:
    schemas = contract.document.get("components", {}).get("schemas", {})
    if not all(name in schemas for name in ENVELOPE_SCHEMAS.values()):
        schemas = load_contract().document["components"]["schemas"]  # bctrl's two envelopes, as the default says
    return {envelope: schemas[name] for envelope, name in ENVELOPE_SCHEMAS.items()}


def error_media_types(obs: Observations, contract: Contract) -> Finding:
    line = "errorMediaTypes"
    said = " or ".join(contract.error_media_types)
    refusals = obs.api_refusals()
    if not refusals:
        return Finding(line, said, "nothing was refused", NOT_SHOWN)
    seen = sorted({e.content_type or "(none)" for e in refusals})
    shown = f"{', '.join(seen)} on {len(refusals)} refusals"
    unknown = [e for e in refusals if contract.documented_media_type(e.status, e.content_type) is None]
    if not unknown:
        return Finding(line, said, shown, AGREES, refusals[:1])
    if all(e.content_type.endswith(("/json", "+json")) for e in unknown):
        return Finding(line, said, shown, DIFFERS, unknown[:2],
                       ("errorMediaTypes", list(contract.error_media_types) + sorted({e.content_type
                                                                                     for e in unknown})))
    return Finding(line, said, shown + ": not JSON (see the envelope line)", REVIEW, unknown[:2])


def request_id(obs: Observations, contract: Contract) -> Finding:
    line = "requestId"
    said = " or ".join(sorted(contract.request_id_places))
    refusals = obs.api_refusals()
    if not refusals:
        return Finding(line, said, "nothing was refused", NOT_SHOWN)
    places = [frozenset(place for place, found in (("body", request_id_in_body(e.json)),
                                                   ("header", e.headers.get(REQUEST_ID_HEADER))) if found)
              for e in refusals]
    missing = [e for e, where in zip(refusals, places) if not where]
    seen = sorted(set().union(*places))
    shown = f"request id in {' and '.join(seen) or 'neither place'} on {len(refusals) - len(missing)} of " \
            f"{len(refusals)} refusals"
    if missing:
        return Finding(line, said, shown, REVIEW, missing[:2])
    if all(where & contract.request_id_places for where in places):
        return Finding(line, said, shown, AGREES, refusals[:1])
    return Finding(line, said, shown, DIFFERS, refusals[:1], ("requestId", seen))
