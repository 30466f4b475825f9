"""What the probes show: for each point the overlay decides, what the contract says and what the target did; and,
apart, what no contract may allow (violations), which is never written into an overlay.

Outcomes: `agrees` (the target does what the contract says), `differs` (another legitimate choice: written to the
overlay), `decide` (the target is lenient where the contract is strict, a choice the overlay has a line for but
that is the API team's decision, not a fact: written, and listed for a person to confirm), `not shown` (the data
cannot tell: the contract's line is kept), `review` (the target differs in a way the overlay has no line for, or
the data cannot pin down: kept, and listed for a person to decide), `not probed` (discovery cannot probe it with a
few GETs: the contract's line is kept, and says what it allows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jsonschema import Draft202012Validator

from ..contract import Contract, Order, load_contract
from ..contract.model import CONVENTIONAL_ERROR_STATUSES, ENVELOPE_SCHEMAS, REQUEST_ID_HEADER
from ..inputs.query_spellings import lenient_sizes, resembled
from ..judge.live import duplicates
from ..judge.response import error_body_problems, request_id_in_body, response_problems
from ..judge.walk import Walk
from ..redaction import contains_secret
from ..representation import comparable
from ..transport.exchange import Exchange
from .probes import LIMIT_CEILING, LimitProbe, Observations, runs_of, union_applied

AGREES, DIFFERS, DECIDE, NOT_SHOWN, REVIEW, NOT_PROBED = (
    "agrees", "differs", "decide", "not shown", "review", "not probed")
WRITTEN = (DIFFERS, DECIDE)  # the outcomes whose line is written to the overlay
# The choices discovery may write, each one line of the overlay, with the values a real API may legitimately pick.


@dataclass
class Finding:
    point: str  # the overlay line it decides
    contract: str  # what the contract in force says
    target: str  # what the target did
    outcome: str
    evidence: list[Exchange] = field(default_factory=list)
    change: tuple[str, object] | None = None  # (choice, value) written to the overlay when it differs


@dataclass
class Forbidden:
    """What the target did that no contract may allow (reported, never written into an overlay)."""

    rule: str  # the contract rule it breaks (conformance/contract/rules.py)
    what: str
    exchange: Exchange


@dataclass
class Discovery:
    findings: list[Finding]
    violations: list[Forbidden]

    @property
    def changes(self) -> dict[str, object]:
        return dict(finding.change for finding in self.findings if finding.change is not None)

    @property
    def unsettled(self) -> list[Finding]:
        """The lines discovery could not settle: for review, not shown by the data, or not probed."""
        return [finding for finding in self.findings if finding.outcome in (REVIEW, NOT_SHOWN, NOT_PROBED)]

    def by_outcome(self, outcome: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.outcome == outcome]


def conclude(observations: Observations, contract: Contract) -> Discovery:
    """Every finding, and every violation, from what the probes saw."""
    order_findings, order = _order(observations, contract)
    maximum, above = _maximum(observations, contract)
    unauthenticated = _unauthenticated(observations, contract)
    findings = [
        _default_limit(observations, contract),
        _minimum(observations, contract),
        maximum,
        above,
        _invalid_query(observations, contract, above),
        unauthenticated,
        _scheme_case(observations, contract),
        _not_visible(observations, contract),
        _envelope(observations, contract),
        *order_findings,
        _status_list(observations, contract),
        _statuses(observations, contract),
        _limit_outside_grammar(observations, contract),
        _leading_zeros(observations, contract),
        _status_outside_grammar(observations, contract),
        _unknown_parameters(observations, contract),
        _foreign_cursor(observations, contract),
        _cursor_with_other_query(observations, contract),
        _altered_cursor(observations, contract),
        _path_refusals(observations, contract),
        _error_media_types(observations, contract),
        _request_id(observations, contract),
        *_not_probed(contract),
    ]
    violations = _violations(observations, contract, order)
    if any(violation.rule == "limit.bounds" for violation in violations):
        for finding in findings:  # page sizes that break their limit say nothing trustworthy about the limits
            if finding.point.startswith("limit schema") or finding.point.endswith("limitAboveMaximum"):
                _not_written(finding, "pages hold more runs than asked (see the violations)")
    return Discovery(findings, violations)


def _not_written(finding: Finding, why: str) -> None:
    if finding.outcome in (*WRITTEN, AGREES):
        finding.outcome, finding.change = REVIEW, None
        finding.target += f"; not written: {why}"


# -- page sizes ---------------------------------------------------------------------------------------------------
def _default_limit(obs: Observations, contract: Contract) -> Finding:
    point, said = "limit schema: default", str(contract.limit_default)
    page = obs.first_page
    size = len(page.runs)
    if page.status != 200:
        return Finding(point, said, f"a page without limit was answered {page.status}", REVIEW, [page])
    if page.next_cursor is not None:
        outcome = AGREES if size == contract.limit_default else DIFFERS
        return Finding(point, said, f"{size} runs without a limit, while more remain", outcome, [page],
                       ("limit.default", size) if outcome == DIFFERS else None)
    if size <= contract.limit_default:
        return Finding(point, said, f"the runtime's {size} runs fit on one page: the default is at least {size}",
                       NOT_SHOWN, [page])
    return Finding(point, said, f"{size} runs on one page without a limit (all of them): the default is at least "
                   f"{size}; set it by hand", REVIEW, [page])


def _minimum(obs: Observations, contract: Contract) -> Finding:
    point, said = "limit schema: minimum", f"{contract.limit_min} (below it: refused)"
    one, zero = obs.limit_one, obs.bad_queries["limit-zero"]
    if one.status == 200 and len(one.runs) <= 1 and _refused(zero):
        return Finding(point, said, f"limit=1 served, limit=0 refused {zero.status}", AGREES, [one, zero])
    return Finding(point, said, f"limit=1 answered {one.status} ({_runs(one.runs)}), limit=0 answered "
                   f"{zero.status}", REVIEW, [one, zero])


def _maximum(obs: Observations, contract: Contract) -> tuple[Finding, Finding]:
    """The maximum limit and what happens past it, from the search's answers."""
    point, said = "limit schema: maximum", str(contract.limit_max)
    above_point, above_said = "x-bctrl-contract.limitAboveMaximum", contract.limit_above_maximum
    search = obs.limit_search
    clamped = next((probe for probe in search if probe.answer == "clamped"), None)
    accepted = [probe.asked for probe in search if probe.answer in ("full", "short")]
    accepted += [1] if obs.limit_one.status == 200 else []
    refused = [probe for probe in search if probe.answer == "refused"]
    first_refused = min(refused, key=lambda probe: probe.asked, default=None)
    if clamped is not None:
        maximum, above, evidence = len(clamped.exchange.runs), "clamp", [clamped.exchange]
        shown = f"limit={clamped.asked} served {maximum} runs while more remain"
    elif first_refused is not None and accepted and first_refused.asked == max(accepted) + 1:
        maximum, above = max(accepted), "refuse"
        evidence = [p.exchange for p in search if p.asked == maximum] + [first_refused.exchange]
        shown = f"limit={maximum} served, limit={maximum + 1} refused {first_refused.exchange.status}"
    else:
        highest = max((p for p in search if p.answer in ("full", "short")), key=lambda p: p.asked, default=None)
        shown = (f"every limit asked was served, up to limit={highest.asked} ({_runs(highest.exchange.runs)}, all "
                 f"the runtime holds): where a maximum or a clamp starts, the data cannot show (discovery asks no more "
                 f"than {LIMIT_CEILING}); set both by hand" if highest and not refused
                 else "the answers did not settle it (see the evidence)")
        return (Finding(point, said, shown, REVIEW, [p.exchange for p in search]),
                Finding(above_point, above_said, "not shown", REVIEW))
    max_outcome = AGREES if maximum == contract.limit_max else DIFFERS
    above_outcome = AGREES if above == contract.limit_above_maximum else DIFFERS
    return (Finding(point, said, f"{maximum}: {shown}", max_outcome, evidence,
                    ("limit.maximum", maximum) if max_outcome == DIFFERS else None),
            Finding(above_point, above_said, f"{above}: {shown}", above_outcome, evidence,
                    ("limitAboveMaximum", above) if above_outcome == DIFFERS else None))


# -- refusals -----------------------------------------------------------------------------------------------------
def _refused(exchange: Exchange) -> bool:
    return 400 <= exchange.status < 500


def _status_choice(point: str, contract_status: int, exchanges: dict[str, Exchange], allowed: tuple[int, ...],
                   choice: str) -> Finding:
    """One status for several refusals of one kind: agrees, differs (another allowed status, the same for all) or
    review (statuses differ, or one no bctrl convention uses)."""
    refusals = {name: e for name, e in exchanges.items() if _refused(e)}
    said = str(contract_status)
    if not refusals:
        return Finding(point, said, "nothing was refused", NOT_SHOWN, list(exchanges.values()))
    statuses = {e.status for e in refusals.values()}
    shown = ", ".join(f"{name} {e.status}" for name, e in refusals.items())
    evidence = list(refusals.values())
    if len(statuses) > 1:
        return Finding(point, said, f"different statuses ({shown}); the contract has one for all", REVIEW, evidence)
    (status,) = statuses
    if status == contract_status:
        return Finding(point, said, shown, AGREES, evidence)
    if status in allowed:
        return Finding(point, said, shown, DIFFERS, evidence, (choice, status))
    usual = ", ".join(map(str, allowed))
    return Finding(point, said, f"{shown}: not a status bctrl's conventions use for it ({usual})",
                   REVIEW, evidence)


def _invalid_query(obs: Observations, contract: Contract, above: Finding) -> Finding:
    probes = dict(obs.bad_queries)
    refused_above = [p for p in obs.limit_search if p.answer == "refused"]
    if refused_above:
        probes["limit-above-maximum"] = min(refused_above, key=lambda p: p.asked).exchange
    clamps = above.change == ("limitAboveMaximum", "clamp") or (above.outcome == AGREES and contract.limit_clamped)
    served = [name for name, e in probes.items()
              if e.status == 200 and not (name == "limit-huge" and clamps)]
    finding = _status_choice("x-bctrl-contract.errorStatus.invalidQuery", contract.error_status("invalidQuery"),
                             {n: e for n, e in probes.items() if n not in served}, CONVENTIONAL_ERROR_STATUSES["invalidQuery"],
                             "errorStatus.invalidQuery")
    if served:
        finding.outcome = REVIEW if finding.outcome in (AGREES, NOT_SHOWN) else finding.outcome
        finding.target += f"; served (200) instead of refused: {', '.join(served)}"
        finding.evidence += [probes[name] for name in served]
    return finding


def _unauthenticated(obs: Observations, contract: Contract) -> Finding:
    return _status_choice("x-bctrl-contract.errorStatus.unauthenticated", contract.error_status("unauthenticated"),
                          {"no key": obs.no_key, "wrong key": obs.wrong_key, "key with extra characters":
                           obs.key_with_extra, "another key of the same shape": obs.key_of_the_same_shape},
                          CONVENTIONAL_ERROR_STATUSES["unauthenticated"],
                          "errorStatus.unauthenticated")


def _not_visible(obs: Observations, contract: Contract) -> Finding:
    exchanges = {"unknown runtime": obs.unknown_runtime}
    if obs.other_runtime is not None and _refused(obs.other_runtime):
        exchanges["another tenant's runtime"] = obs.other_runtime
    finding = _status_choice("x-bctrl-contract.errorStatus.notVisible", contract.error_status("notVisible"),
                             exchanges, CONVENTIONAL_ERROR_STATUSES["notVisible"], "errorStatus.notVisible")
    if obs.unknown_runtime.status == 200:
        finding.outcome = REVIEW
        finding.target = "an unknown runtime is served (200, an empty page) instead of refused"
    if obs.other_runtime is None:
        finding.target += " (another tenant's runtime not asked: BCTRL_OTHER_RUNTIME_ID is unset)"
    return finding


def _scheme_case(obs: Observations, contract: Contract) -> Finding:
    point = "x-bctrl-contract.bearerSchemeCaseInsensitive"
    said = "true (any case)" if contract.scheme_case_insensitive else "false (only `Bearer`)"
    answers = {f"`{word} <key>`": e for word, e in obs.scheme_words.items()}
    shown = ", ".join(f"{name} {e.status}" for name, e in answers.items())
    evidence = list(answers.values())
    if all(e.status == 200 for e in evidence):
        insensitive = True
    elif all(_refused(e) for e in evidence):
        insensitive = False
    else:
        return Finding(point, said, f"{shown}: neither case-insensitive nor exactly `Bearer`", REVIEW, evidence)
    if insensitive == contract.scheme_case_insensitive:
        return Finding(point, said, shown, AGREES, evidence)
    return Finding(point, said, shown, DIFFERS, evidence, ("bearerSchemeCaseInsensitive", insensitive))


def _envelope(obs: Observations, contract: Contract) -> Finding:
    """Which bctrl error envelope each refusal used; the overlay pins the one seen only when the contract would
    refuse it (a contract accepting both keeps both: an API may move to the newer envelope)."""
    point = "components.schemas.BctrlError (error envelopes)"
    accepted = contract.error_envelopes
    said = " or ".join(accepted) or "none"
    refusals = obs.api_refusals()
    if not refusals:
        return Finding(point, said, "nothing was refused", NOT_SHOWN)
    kinds = {id(e): envelope_of(e, contract) for e in refusals}
    neither = [e for e in refusals if kinds[id(e)] is None]
    if neither:
        return Finding(point, said, f"{len(neither)} of {len(refusals)} refusals in neither bctrl envelope, e.g. "
                       f"{neither[0].summary()}", REVIEW, neither[:2])
    seen = tuple(sorted(set(kinds.values())))
    shown = f"{' and '.join(seen)} on all {len(refusals)} refusals"
    evidence = [next(e for e in refusals if kinds[id(e)] == kind) for kind in seen]
    if set(seen) <= set(accepted):
        return Finding(point, said, shown, AGREES, evidence)
    return Finding(point, said, shown, DIFFERS, evidence, ("errorEnvelopes", seen))


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


# -- order, filters, statuses ----------------------------------------------------------------------------------------
def _order(obs: Observations, contract: Contract) -> tuple[list[Finding], Order | None]:
    """The primary order (not a choice discovery writes: the suite's live-data comparisons rely on it) and the
    tie-break (one is written), read from the biggest page served. Returns the order to judge the walk by."""
    said_order = contract.order
    reference = obs.reference_page
    runs = runs_of(reference.exchange) if reference else []
    evidence = [reference.exchange] if reference else []
    by, tie_by = said_order.by, said_order.tie_by or "id"
    direction = _direction([run.get(by) for run in runs])
    primary_said = f"{by} {'descending' if said_order.descending else 'ascending'}"
    if direction is None:
        return [Finding("x-bctrl-contract.order", primary_said, f"not shown ({len(runs)} runs on the biggest page)",
                        NOT_SHOWN, evidence)], None
    if direction != ("descending" if said_order.descending else "ascending"):
        return [Finding("x-bctrl-contract.order", primary_said, f"{by} {direction}: the overlay has no other line for "
                        "it (the suite's live-data comparisons assume new runs come first)", REVIEW, evidence)], None
    primary = Finding("x-bctrl-contract.order", primary_said, f"{by} {direction} on {len(runs)} runs", AGREES, evidence)
    tie_said = (f"{said_order.tie_by} {'descending' if said_order.tie_descending else 'ascending'}"
                if said_order.tie_by else "null (any stable order)")
    groups = _tie_groups(runs, by)
    point = "x-bctrl-contract.order.tieBreak"
    if not groups:
        order = said_order
        tie = Finding(point, tie_said, f"not shown: no two of the {len(runs)} runs share a {by}", NOT_SHOWN, evidence)
        return [primary, tie], order
    directions = {_direction([run.get(tie_by) for run in group], strict=True) for group in groups}
    seen = directions.pop() if len(directions) == 1 and None not in directions else None
    shown = (f"{tie_by} {seen} in all {len(groups)} groups of runs sharing a {by}" if seen
             else f"no one order by {tie_by} across {len(groups)} groups of runs sharing a {by}")
    agrees = said_order.tie_by is None or (seen is not None and said_order.tie_by == tie_by
                                           and said_order.tie_descending == (seen == "descending"))
    order = Order(by, said_order.descending, tie_by if seen else None, seen == "descending")
    if agrees:
        return [primary, Finding(point, tie_said, shown, AGREES, evidence)], said_order
    change = {"by": tie_by, "direction": seen} if seen else None
    return [primary, Finding(point, tie_said, shown, DIFFERS, evidence, ("order.tieBreak", change))], order


def _direction(values: list, strict: bool = False) -> str | None:
    """descending, ascending, or None (fewer than two distinct values, or neither)."""
    keys = [comparable(value) for value in values]
    try:
        pairs = list(zip(keys, keys[1:]))
        if not pairs or all(a == b for a, b in pairs):
            return None
        if all((a > b) if strict else (a >= b) for a, b in pairs):
            return "descending"
        if all((a < b) if strict else (a <= b) for a, b in pairs):
            return "ascending"
    except TypeError:  # values of different types: the schema check reports them
        return None
    return None


def _tie_groups(runs: list[dict], by: str) -> list[list[dict]]:
    key = Order(by, False, None, False).key
    groups, current = [], runs[:1]
    for previous, run in zip(runs, runs[1:]):
        try:
            same = key(previous) == key(run)
        except (TypeError, KeyError):  # a run without the field, or of another type: the schema check reports it
            same = False
        if same:
            current.append(run)
        else:
            if len(current) > 1:
                groups.append(current)
            current = [run]
    if len(current) > 1:
        groups.append(current)
    return groups


def _status_list(obs: Observations, contract: Contract) -> Finding:
    point = "status parameter: style form, explode true (repeated keys)"
    said = "repeated keys (status=a&status=b) mean any of them"
    union = obs.status_union
    if union is None:
        return Finding(point, said, "not shown: the data has runs in fewer than two statuses", NOT_SHOWN)
    label = "&".join(f"status={s}" for s in obs.union_statuses)
    if union_applied(union, obs.union_statuses):
        return Finding(point, said, f"{label} listed runs of both and no other", AGREES, [union])
    seen = sorted({str(run.get("status")) for run in runs_of(union)})
    shown = f"{label} answered {union.status} with runs in {', '.join(map(str, seen)) or 'no status'}"
    comma = obs.status_comma
    if comma is not None and union_applied(comma, obs.union_statuses):
        shown += f"; status={','.join(obs.union_statuses)} (one comma list) listed both"
    return Finding(point, said, shown + ": bctrl's SDKs send repeated keys, and the overlay has no other way to "
                   "say it", REVIEW, [e for e in (union, comma) if e is not None])


def _statuses(obs: Observations, contract: Contract) -> Finding:
    """The status enum as far as the data shows it: never narrowed for a status no run has."""
    point = "run statuses (the published enum)"
    pages = _own_pages(obs)
    seen = sorted({run.get("status") for page in pages for run in page.runs if isinstance(run, dict)}, key=str)
    unknown = [s for s in seen if s not in contract.statuses]
    unseen = [s for s in contract.statuses if s not in seen]
    shown = f"seen: {', '.join(map(str, seen)) or 'none'}"
    shown += f"; not seen: {', '.join(unseen)} (kept)" if unseen else ""
    if unknown:
        return Finding(point, ", ".join(contract.statuses), shown + "; outside the published enum: see the violations",
                       REVIEW, pages[:1])
    return Finding(point, ", ".join(contract.statuses), shown, AGREES if seen else NOT_SHOWN, pages[:1])


def _own_pages(obs: Observations) -> list[Exchange]:
    """The 200 pages of the configured runtime, asked with the key."""
    pages = [obs.first_page, obs.limit_one, *(p.exchange for p in obs.limit_search), obs.status_union,
             obs.status_comma, *obs.walk, *obs.scheme_words.values(), *obs.bad_queries.values(),
             *obs.limit_spellings.values(), *obs.status_spellings.values(), *obs.unknown_parameters.values(),
             *obs.other_query_cursor.values(), *obs.altered_cursor.values()]
    return [page for page in pages if page is not None and page.status == 200]


# -- query grammar, cursors, paths, error representation ------------------------------------------------------------
def _limit_outside_grammar(obs: Observations, contract: Contract) -> Finding:
    """Limits spelled otherwise (a sign, spaces, a point, an exponent, a prefix, letters, separators, other digits,
    a repeated key): refused, or served as a common parser reads them (lenient: a decision, written for review)."""
    point, said = "x-bctrl-contract.queryGrammar.limitOutsideGrammar", contract.limit_outside_grammar
    probes = {name: e for name, e in obs.limit_spellings.items() if name != "leading-zero"}
    if not probes:
        return Finding(point, said, "not asked", NOT_SHOWN)
    served = {name: e for name, e in probes.items() if e.status == 200}
    refused = {name: e for name, e in probes.items() if _refused(e)}
    lenient = contract.with_line("queryGrammar.limitOutsideGrammar", "lenient")
    unexplained = [name for name, e in served.items()
                   if not _size_fits(e, lenient_sizes(lenient, obs.limit_spelling_pairs[name]))]
    shown = _spelled(served, refused, obs.limit_spelling_pairs)
    if unexplained:
        return Finding(point, said, f"{shown}; served, but not as any common parser reads them: "
                       f"{', '.join(unexplained)}", REVIEW, [served[name] for name in unexplained][:3])
    if not served:
        return Finding(point, said, shown, AGREES if said == "refused" else NOT_SHOWN, list(refused.values())[:2])
    if said == "lenient":
        return Finding(point, said, shown, AGREES, list(served.values())[:3])
    return Finding(point, said, shown + ": the target reads them as a common number parser does. Accepting that "
                   "is the API team's decision, not a bug the suite can see: written as `lenient`; set it back to "
                   "`refused` and the gate fails on it", DECIDE, list(served.values())[:3],
                   ("queryGrammar.limitOutsideGrammar", "lenient"))


def _leading_zeros(obs: Observations, contract: Contract) -> Finding:
    point = "x-bctrl-contract.queryGrammar.limitLeadingZeros"
    said = contract.rules["queryGrammar"]["limitLeadingZeros"]
    answer = obs.limit_spellings.get("leading-zero")
    if answer is None:
        return Finding(point, said, "not asked", NOT_SHOWN)
    value = str(obs.limit_spelling_pairs["leading-zero"][0][1])
    if answer.status == 200 and _size_fits(answer, {int(value)}):
        outcome = AGREES if 200 in contract.leading_zeros_limit_statuses else DIFFERS
        return Finding(point, said, f"limit={value} served as {int(value)}", outcome, [answer],
                       ("queryGrammar.limitLeadingZeros", "accepted-or-refused") if outcome == DIFFERS else None)
    if answer.status == contract.error_status("invalidQuery"):
        outcome = AGREES if answer.status in contract.leading_zeros_limit_statuses else DIFFERS
        return Finding(point, said, f"limit={value} refused {answer.status}", outcome, [answer],
                       ("queryGrammar.limitLeadingZeros", "accepted-or-refused") if outcome == DIFFERS else None)
    return Finding(point, said, f"limit={value} answered {answer.status} with {_runs(answer.runs)} (see the "
                   "violations)", REVIEW, [answer])


def _status_outside_grammar(obs: Observations, contract: Contract) -> Finding:
    point, said = "x-bctrl-contract.queryGrammar.statusOutsideGrammar", contract.status_outside_grammar
    probes = obs.status_spellings
    if not probes:
        return Finding(point, said, "not asked", NOT_SHOWN)
    served = {name: e for name, e in probes.items() if e.status == 200}
    refused = {name: e for name, e in probes.items() if _refused(e)}
    lenient = contract.with_line("queryGrammar.statusOutsideGrammar", "lenient")
    unexplained = [name for name, e in served.items()
                   if not _statuses_within(e, resembled(lenient, obs.status_spelling_values[name]))]
    shown = _spelled(served, refused, {name: [("status", v) for v in values]
                                       for name, values in obs.status_spelling_values.items()})
    if unexplained:
        return Finding(point, said, f"{shown}; served, but not filtered on the statuses they resemble: "
                       f"{', '.join(unexplained)}", REVIEW, [served[name] for name in unexplained][:3])
    if not served:
        return Finding(point, said, shown, AGREES if said == "refused" else NOT_SHOWN, list(refused.values())[:2])
    if said == "lenient":
        return Finding(point, said, shown, AGREES, list(served.values())[:3])
    return Finding(point, said, shown + ": the target reads them as the statuses they resemble. Accepting that is the "
                   "API team's decision: written as `lenient`", DECIDE, list(served.values())[:3],
                   ("queryGrammar.statusOutsideGrammar", "lenient"))


def _unknown_parameters(obs: Observations, contract: Contract) -> Finding:
    point = "x-bctrl-contract.queryGrammar.unknownParameters"
    said = contract.rules["queryGrammar"]["unknownParameters"]
    answers = obs.unknown_parameters
    if not answers:
        return Finding(point, said, "not asked", NOT_SHOWN)
    ignored = {name for name, e in answers.items() if e.status == 200}
    refused = {name for name, e in answers.items() if e.status == contract.error_status("invalidQuery")}
    shown = ", ".join(f"{name} {answers[name].status}" for name in answers)
    if ignored | refused != set(answers):
        return Finding(point, said, shown, REVIEW, list(answers.values()))
    seen = ("ignored" if ignored else "") + ("-or-" if ignored and refused else "") + ("refused" if refused else "")
    allowed = contract.unknown_parameter_statuses
    agrees = (200 in allowed or not ignored) and (contract.error_status("invalidQuery") in allowed or not refused)
    return Finding(point, said, shown + " (an applied one is a violation)", AGREES if agrees else DIFFERS,
                   list(answers.values()), None if agrees else ("queryGrammar.unknownParameters", seen))


def _foreign_cursor(obs: Observations, contract: Contract) -> Finding:
    point = "x-bctrl-contract.foreignCursor"
    said = " or ".join(sorted(contract.foreign_cursor_outcomes))
    answer = obs.foreign_cursor
    if answer is None:
        return Finding(point, said, "not asked: neither BCTRL_SECOND_RUNTIME_ID nor BCTRL_EMPTY_RUNTIME_ID is set",
                       NOT_SHOWN)
    outcome = _cursor_outcome(answer, contract)
    shown = f"the walk's first cursor, with its query, on {obs.foreign_runtime}: {outcome} ({answer.status})"
    if outcome in contract.foreign_cursor_outcomes:
        return Finding(point, said, shown, AGREES, [answer])
    if outcome in ("refused", "empty", "own-runs"):
        return Finding(point, said, shown, DIFFERS, [answer],
                       ("foreignCursor", sorted(contract.foreign_cursor_outcomes | {outcome})))
    return Finding(point, said, shown, REVIEW, [answer])


def _cursor_outcome(answer: Exchange, contract: Contract) -> str:
    if answer.status == contract.error_status("invalidQuery"):
        return "refused"
    if answer.status == 200:
        return "own-runs" if answer.runs else "empty"
    return f"status {answer.status}"


def _served_or_refused(sent: str, answers: dict[str, Exchange], contract: Contract) -> tuple[str, set[str]]:
    """What each answer was (served, refused as an invalid query, or another status), said, and the set of them."""
    seen = {name: ("served" if e.status == 200 else "refused" if e.status == contract.error_status("invalidQuery")
                   else f"status {e.status}") for name, e in answers.items()}
    return f"{sent} " + ", ".join(f"{name}: {what}" for name, what in seen.items()), set(seen.values())


def _cursor_with_other_query(obs: Observations, contract: Contract) -> Finding:
    point = "x-bctrl-contract.cursorWithOtherQuery"
    said = " or ".join(sorted(contract.cursor_with_other_query))
    answers = obs.other_query_cursor
    if not answers:
        return Finding(point, said, "not asked: the walk handed out no cursor", NOT_SHOWN)
    shown, outcomes = _served_or_refused("the walk's first cursor with", answers, contract)
    if not outcomes <= {"served", "refused"}:
        return Finding(point, said, shown, REVIEW, list(answers.values()))
    if outcomes <= contract.cursor_with_other_query:
        return Finding(point, said, shown, AGREES, list(answers.values()))
    return Finding(point, said, shown, DIFFERS, list(answers.values()),
                   ("cursorWithOtherQuery", sorted(contract.cursor_with_other_query | outcomes)))


def _altered_cursor(obs: Observations, contract: Contract) -> Finding:
    point = "x-bctrl-contract.alteredCursor"
    said = " or ".join(sorted(contract.altered_cursor))
    answers = obs.altered_cursor
    if not answers:
        return Finding(point, said, "not asked: the walk handed out no cursor", NOT_SHOWN)
    shown, outcomes = _served_or_refused("the walk's first cursor", answers, contract)
    if not outcomes <= {"served", "refused"}:
        return Finding(point, said, shown, REVIEW, list(answers.values()))
    if outcomes <= contract.altered_cursor:
        return Finding(point, said, shown, AGREES, list(answers.values()))
    return Finding(point, said, shown + ": the target's cursors are unsigned positions (an altered one names another "
                   "position). Whether that is by design or a signature never checked, only the API team knows: "
                   "written as `served`", DECIDE, list(answers.values()),
                   ("alteredCursor", sorted(contract.altered_cursor | outcomes)))


def _path_refusals(obs: Observations, contract: Contract) -> Finding:
    """The statuses that refuse a runtime id of another shape and odd spellings of a runtime the key cannot see."""
    point = "x-bctrl-contract.pathSpellings.refusals"
    said = ", ".join(map(str, sorted(contract.path_refusal_statuses)))
    answers = {**({"a runtime id of another shape": obs.malformed_runtime} if obs.malformed_runtime else {}),
               **obs.path_spellings}
    if not answers:
        return Finding(point, said, "not asked", NOT_SHOWN)
    shown = ", ".join(f"{name} {e.status}" for name, e in answers.items())
    other = {e.status for e in answers.values() if 400 <= e.status < 500} - contract.path_refusal_statuses
    if any(not 400 <= e.status < 500 for e in answers.values() if e.status not in contract.path_redirect_statuses):
        return Finding(point, said, shown + " (a 2xx or 5xx is a violation)", REVIEW, list(answers.values()))
    if not other:
        return Finding(point, said, shown, AGREES, list(answers.values())[:2])
    refusals = list(contract.rules["pathSpellings"]["refusals"]) + sorted(other)
    return Finding(point, said, shown, DIFFERS, [e for e in answers.values() if e.status in other],
                   ("pathSpellings.refusals", refusals))


def _error_media_types(obs: Observations, contract: Contract) -> Finding:
    point = "x-bctrl-contract.errorMediaTypes"
    said = " or ".join(contract.error_media_types)
    refusals = obs.api_refusals()
    if not refusals:
        return Finding(point, said, "nothing was refused", NOT_SHOWN)
    seen = sorted({e.content_type or "(none)" for e in refusals})
    shown = f"{', '.join(seen)} on {len(refusals)} refusals"
    unknown = [e for e in refusals if contract.documented_media_type(e.status, e.content_type) is None]
    if not unknown:
        return Finding(point, said, shown, AGREES, refusals[:1])
    if all(e.content_type.endswith(("/json", "+json")) for e in unknown):
        return Finding(point, said, shown, DIFFERS, unknown[:2],
                       ("errorMediaTypes", list(contract.error_media_types) + sorted({e.content_type
                                                                                     for e in unknown})))
    return Finding(point, said, shown + ": not JSON (see the envelope line)", REVIEW, unknown[:2])


def _request_id(obs: Observations, contract: Contract) -> Finding:
    point = "x-bctrl-contract.requestId"
    said = " or ".join(sorted(contract.request_id_places))
    refusals = obs.api_refusals()
    if not refusals:
        return Finding(point, said, "nothing was refused", NOT_SHOWN)
    places = [frozenset(place for place, found in (("body", request_id_in_body(e.json)),
                                                   ("header", e.headers.get(REQUEST_ID_HEADER))) if found)
              for e in refusals]
    missing = [e for e, where in zip(refusals, places) if not where]
    seen = sorted(set().union(*places))
    shown = f"request id in {' and '.join(seen) or 'neither place'} on {len(refusals) - len(missing)} of " \
            f"{len(refusals)} refusals"
    if missing:
        return Finding(point, said, shown, REVIEW, missing[:2])
    if all(where & contract.request_id_places for where in places):
        return Finding(point, said, shown, AGREES, refusals[:1])
    return Finding(point, said, shown, DIFFERS, refusals[:1], ("requestId", seen))


def _not_probed(contract: Contract) -> list[Finding]:
    """The lines discovery cannot settle with a few GETs: what the contract in force allows stays."""
    lag = contract.read_lag_seconds
    return [
        Finding("x-bctrl-contract.otherMethods", " or ".join(map(str, sorted(contract.other_method_statuses))),
                "not probed: discovery sends GET only; the gate's methods checks judge it", NOT_PROBED),
        Finding("x-bctrl-contract.traceRefusalAllow", contract.trace_refusal_allow,
                "not probed: discovery sends GET only; the gate's methods checks judge TRACE (a 405 without Allow is "
                "named there as this line's decision)", NOT_PROBED),
        Finding("x-bctrl-contract.repeatedAuthorization",
                " or ".join(map(str, sorted(contract.repeated_authorization_statuses))),
                "not probed: discovery sends one Authorization header a request; the gate's credentials checks "
                "send two", NOT_PROBED),
        Finding("x-bctrl-contract.liveData", f"reads may lag {lag:g} s; the oldest runs "
                f"{'may' if contract.oldest_runs_may_be_deleted else 'may not'} be deleted",
                "not probed: a replica's lag and a retention job show only over time", NOT_PROBED),
    ]


def _size_fits(page: Exchange, sizes: set[int]) -> bool:
    """The page holds one of `sizes` runs (at most, on the last page)."""
    last = page.next_cursor is None
    return any(len(page.runs) <= size if last else len(page.runs) == size for size in sizes)


def _statuses_within(page: Exchange, statuses: frozenset[str]) -> bool:
    return bool(statuses) and {run.get("status") for run in runs_of(page)} <= statuses


def _spelled(served: dict[str, Exchange], refused: dict[str, Exchange], sent: dict[str, list]) -> str:
    def shown(name):
        return "&".join(f"{key}={value!r}" for key, value in sent[name])
    parts = []
    if served:
        parts.append("served: " + ", ".join(f"{shown(name)} ({len(e.runs)} runs)" for name, e in served.items()))
    if refused:
        parts.append(f"refused ({', '.join(sorted({str(e.status) for e in refused.values()}))}): "
                     + ", ".join(shown(name) for name in refused))
    return "; ".join(parts) or "neither served nor refused"




# -- violations: what no contract may allow ---------------------------------------------------------------------------
def _violations(obs: Observations, contract: Contract, order: Order | None) -> list[Forbidden]:
    found: list[Forbidden] = []
    for exchange in obs.all_exchanges():
        if exchange.status >= 500:
            found.append(Forbidden("server.no-5xx", f"a client's request got {exchange.status}", exchange))
        if exchange.status >= 400:
            found += [Forbidden("errors.hygiene", problem, exchange) for problem in
                      error_body_problems(exchange.text, contract, exchange.url)]
        elif contains_secret(exchange.text):
            found.append(Forbidden("errors.hygiene", "the answer echoes the API key", exchange))
    broken = [(page, problem) for page in _own_pages(obs) for problem in list(response_problems(page, contract))[:1]]
    if broken:
        page, problem = broken[0]
        more = f" (and {len(broken) - 1} more of the {len(_own_pages(obs))} pages)" if len(broken) > 1 else ""
        found.append(Forbidden(_page_rule(problem), f"a page breaks the published schema or a run's invariants: "
                                                    f"{problem}{more}", page))
    for page in _own_pages(obs):
        repeated = duplicates(Walk(runs=runs_of(page)))
        if repeated:
            found.append(Forbidden("cursor.walk", f"one page lists run {repeated[0]} twice", page))
    found += _auth_violations(obs)
    found += _page_size_violations(obs)
    found += _walk_violations(obs, order)
    found += _scope_violations(obs)
    unique: dict[tuple[str, str], Forbidden] = {}
    for violation in found:
        unique.setdefault((violation.rule, violation.what), violation)
    return list(unique.values())


def _scope_violations(obs: Observations) -> list[Forbidden]:
    """A cursor of the key's runtime that lists its runs on another runtime; another tenant's runtime served under
    another spelling of its path."""
    found = []
    own = {run["id"] for page in _own_pages(obs) for run in runs_of(page)}
    answer = obs.foreign_cursor
    leaked = [run for run in runs_of(answer) if run["id"] in own] if answer is not None else []
    if leaked:
        found.append(Forbidden("cursor.scope", f"a cursor of BCTRL_RUNTIME_ID, sent to {obs.foreign_runtime}, lists "
                               f"{_runs(leaked)} of BCTRL_RUNTIME_ID there", answer))
    for name, answer in obs.path_spellings.items():
        if name.startswith("other ") and 200 <= answer.status < 300:
            found.append(Forbidden("tenant.isolation", f"another tenant's runtime, spelled {name.split(' ', 1)[1]}, "
                                   f"is served ({answer.status}, {_runs(answer.runs)})", answer))
    return found


def _runs(runs: list) -> str:
    return f"{len(runs)} run{'' if len(runs) == 1 else 's'}"


def _page_rule(problem: str) -> str:
    """The rule a problem of response_problems() breaks: a run's invariants, a run's schema, or the page's."""
    if problem.startswith("data["):
        return "run.lifecycle"
    return "run.schema" if problem.startswith("schema: at data/") else "page.schema"


def _auth_violations(obs: Observations) -> list[Forbidden]:
    found = []
    for name, exchange in (("without a key", obs.no_key), ("with a wrong key", obs.wrong_key),
                           ("with the key and one more character", obs.key_with_extra),
                           ("with another key of the same shape", obs.key_of_the_same_shape)):
        if exchange.status == 200:
            found.append(Forbidden("auth.bearer", f"a request {name} is served ({_runs(exchange.runs)})", exchange))
    other, unknown = obs.other_runtime, obs.unknown_runtime
    if other is not None and other.status == 200:
        found.append(Forbidden("tenant.isolation", f"another tenant's runtime is served (200, {_runs(other.runs)})",
                               other))
    elif other is not None and _refused(unknown) and (other.status, other.error_code) != (
            unknown.status, unknown.error_code):
        found.append(Forbidden("tenant.isolation", f"another tenant's runtime is answered {other.status} "
                               f"{other.error_code!r}, an unknown one {unknown.status} {unknown.error_code!r}: the "
                               "difference tells that it exists", other))
    return found


def _page_size_violations(obs: Observations) -> list[Forbidden]:
    asked = [LimitProbe(1, obs.limit_one), *obs.limit_search]
    asked += [LimitProbe(obs.walk_limit, page) for page in obs.walk]
    return [Forbidden("limit.bounds", f"limit={probe.asked} got a page of {_runs(probe.exchange.runs)}",
                      probe.exchange) for probe in asked if probe.answer == "over"]


def _walk_violations(obs: Observations, order: Order | None) -> list[Forbidden]:
    """The short walk: no run twice, no cursor twice, none skipped of the runs the biggest page listed before it."""
    pages = [page for page in obs.walk if page.status == 200]
    if not pages:
        return []
    walk = Walk(runs=[run for page in pages for run in runs_of(page)], pages=pages,
                complete=pages[-1].next_cursor is None)
    found = []
    repeated = duplicates(walk)
    if repeated:
        found.append(Forbidden("cursor.walk", f"a walk of pages of {obs.walk_limit} lists run {repeated[0]} twice",
                               walk.page_of(repeated[0])))
    cursors = [page.next_cursor for page in pages if page.next_cursor]
    if len(set(cursors)) < len(cursors):
        found.append(Forbidden("cursor.walk", "a walk is handed the same nextCursor twice (it would never end)",
                               pages[-1]))
    reference = obs.reference_page
    if order is None or reference is None or not walk.runs or repeated:
        return found
    primary = Order(order.by, order.descending, None, False).key
    last, listed = walk.runs[-1], set(walk.ids)
    try:
        skipped = [run for run in runs_of(reference.exchange)
                   if run.get("id") not in listed and (walk.complete or primary(run) < primary(last))]
    except (TypeError, KeyError):  # a broken page: the schema check reports it
        return found
    if skipped:
        found.append(Forbidden("cursor.walk", f"a walk of pages of {obs.walk_limit} skips run {skipped[0].get('id')}, "
                               f"which the page of {reference.asked} listed before it", pages[-1]))
    return found

