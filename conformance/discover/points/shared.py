"""What the settling functions of several areas share: what a refusal is, how runs are counted and spelled."""

from __future__ import annotations

from ...contract.choices import CHOICES
from ...transport.exchange import Exchange
from ..findings import AGREES, DIFFERS, NOT_SHOWN, REVIEW, Finding
from ..probes import Observations


def is_refusal(exchange: Exchange) -> bool:
    return 400 <= exchange.status < 500


def runs_said(runs: list) -> str:
    return f"{len(runs)} run{'' if len(runs) == 1 else 's'}"


def own_pages(obs: Observations) -> list[Exchange]:
    """The 200 pages of the configured runtime, asked with the key."""
    pages = [obs.first_page, obs.limit_one, *(p.exchange for p in obs.limit_search), obs.status_union,
             obs.status_comma, *obs.walk, *obs.scheme_words.values(), *obs.bad_queries.values(),
             *obs.limit_spellings.values(), *obs.status_spellings.values(), *obs.unknown_parameters.values(),
             *obs.other_query_cursor.values(), *obs.altered_cursor.values()]
    return [page for page in pages if page is not None and page.status == 200]


def status_choice(line: str, contract_status: int, exchanges: dict[str, Exchange]) -> Finding:
    """One status for several refusals of one kind (an errorStatus line): agrees, differs (another status the line
    may take, the same for all) or review (statuses differ, or one no bctrl convention uses)."""
    allowed = CHOICES[line].values
    refusals = {name: e for name, e in exchanges.items() if is_refusal(e)}
    said = str(contract_status)
    if not refusals:
        return Finding(line, said, "nothing was refused", NOT_SHOWN, list(exchanges.values()))
    statuses = {e.status for e in refusals.values()}
    shown = ", ".join(f"{name} {e.status}" for name, e in refusals.items())
    evidence = list(refusals.values())
    if len(statuses) > 1:
        return Finding(line, said, f"different statuses ({shown}); the contract has one for all", REVIEW, evidence)
    (status,) = statuses
    if status == contract_status:
        return Finding(line, said, shown, AGREES, evidence)
    if status in allowed:
        return Finding(line, said, shown, DIFFERS, evidence, (line, status))
    usual = ", ".join(map(str, allowed))
    return Finding(line, said, f"{shown}: not a status bctrl's conventions use for it ({usual})",
                   REVIEW, evidence)


def size_fits(page: Exchange, sizes: set[int]) -> bool:
    """The page holds one of `sizes` runs (at most, on the last page)."""
    last = page.next_cursor is None
    return any(len(page.runs) <= size if last else len(page.runs) == size for size in sizes)


def spelled(served: dict[str, Exchange], refused: dict[str, Exchange], sent: dict[str, list]) -> str:
    def shown(name):
        return "&".join(f"{key}={value!r}" for key, value in sent[name])
    parts = []
    if served:
        parts.append("served: " + ", ".join(f"{shown(name)} ({len(e.runs)} runs)" for name, e in served.items()))
    if refused:
        parts.append(f"refused ({', '.join(sorted({str(e.status) for e in refused.values()}))}): "
                     + ", ".join(shown(name) for name in refused))
    return "; ".join(parts) or "neither served nor refused"
