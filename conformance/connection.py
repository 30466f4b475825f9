"""The target layer every entry point uses (the suite's plugin, discovery, the kill matrix): settings, then the
polite session, then the contract, then the target (the API the settings name, or the embedded reference server),
then a first request that says the target can be judged at all.

A bad setting anywhere on the way is a SettingsError naming it (outcomes.py): one line, and the NOT_JUDGED exit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .contract import Contract, load_contract
from .outcomes import SettingsError, TargetUnavailable
from .redaction import register_secret
from .representation import unknown_like
from .settings import Settings
from .transport.client import ApiClient, page_params
from .transport.concurrency import Overlap
from .transport.exchange import Exchange
from .transport.session import PoliteSession

RUNTIME_SETTINGS = {"runtime_id": "BCTRL_RUNTIME_ID", "other_runtime_id": "BCTRL_OTHER_RUNTIME_ID",
                    "empty_runtime_id": "BCTRL_EMPTY_RUNTIME_ID", "second_runtime_id": "BCTRL_SECOND_RUNTIME_ID"}


@dataclass(frozen=True)
class Target:
    base_url: str
    api_key: str
    runtime_id: str
    other_runtime_id: str | None
    empty_runtime_id: str | None
    second_runtime_id: str | None  # another runtime of the key, with runs
    description: str  # for reports: never the key
    other_api_key: str | None = None  # a key of another tenant (the other runtime's)

    def __repr__(self) -> str:
        return f"Target({self.description})"

    def env(self) -> dict[str, str]:
        """The settings that point the suite (or discovery) at this target, as a user sets them."""
        values = {"BCTRL_BASE_URL": self.base_url, "BCTRL_API_KEY": self.api_key,
                  **({"BCTRL_OTHER_API_KEY": self.other_api_key} if self.other_api_key else {})}
        values.update({setting: getattr(self, name) for name, setting in RUNTIME_SETTINGS.items()
                       if getattr(self, name)})
        return values


def unknown_runtime_of(target: Target) -> str:
    """A runtime id that names nothing, shaped like the runtime ids the target uses (another tenant's, else the
    key's): a server that checks an id's shape before looking it up must still answer it as an unknown runtime."""
    known = {target.runtime_id, target.other_runtime_id, target.empty_runtime_id, target.second_runtime_id}
    return unknown_like(target.other_runtime_id or target.runtime_id, avoid=known - {None})


def external_target(settings: Settings) -> Target:
    return Target(settings.base_url, settings.api_key, settings.runtime_id, settings.other_runtime_id,
                  settings.empty_runtime_id, settings.second_runtime_id,
                  f"{settings.base_url} (runtime {settings.runtime_id})", settings.other_api_key)


def reference_target(server, description: str | None = None) -> Target:
    """The target a running reference server is, from its seed (the key's runtimes, another tenant's)."""
    seed = server.seed_info
    return Target(server.base_url, seed.api_key, seed.runtime_id, seed.other_runtime_id, seed.empty_runtime_id,
                  seed.second_runtime_id, description or f"{server.base_url} (runtime {seed.runtime_id})",
                  seed.other_api_key)


def contract_of(settings: Settings) -> Contract:
    """The contract BCTRL_CONTRACT names; a SettingsError naming it when it cannot be used."""
    try:
        return load_contract(Path(settings.contract))
    except (OSError, ValueError, KeyError, yaml.YAMLError) as error:  # OverlayError is a ValueError
        raise SettingsError(f"BCTRL_CONTRACT {str(settings.contract)!r} cannot be used: {error}") from None


def polite_session(settings: Settings, *, budget: int | None = None, rate: float | None = None) -> PoliteSession:
    """The session all traffic goes through, as the settings say (a caller may lower the budget or set a rate)."""
    return PoliteSession(budget=settings.request_budget if budget is None else budget,
                         rate=settings.rate_limit if rate is None else rate, timeout=settings.timeout,
                         retries=settings.retries, retry_after_max=settings.retry_after_max,
                         in_flight=settings.concurrency)


@dataclass
class Connection:
    """A target the run may judge: its settings, session, contract and API client, and the embedded server it
    started (None for an external target). `first_page`: the first contact's answer."""

    settings: Settings
    session: PoliteSession
    contract: Contract
    target: Target | None = None
    server: object = None
    first_page: Exchange | None = None
    api: ApiClient | None = field(default=None, repr=False)
    overlap: Overlap | None = field(default=None, repr=False)  # BCTRL_CONCURRENCY requests in flight at most

    def launch(self) -> "Connection":
        """Start the embedded reference server's process, if the settings name no target, without waiting for it:
        it starts while pytest collects the checks."""
        if self.settings.embedded and self.server is None:
            from reference_server.process import ServerProcess  # the embedded default only: not needed otherwise

            self.server = ServerProcess(host="127.0.0.1", port=0).launch()
        return self

    def open(self, first_limit: int | None = None) -> "Connection":
        """Wait for the embedded server or name the external target, and make first contact (a page of
        `first_limit`, by default the contract's largest: the readiness measure's first page)."""
        if self.settings.embedded:
            try:
                server = self.launch().server.ready()
            except RuntimeError as error:
                raise SettingsError(f"BCTRL_BASE_URL is not set and the embedded reference server cannot serve: "
                                    f"{error}") from None
            self.target = reference_target(server, f"embedded reference server {server.base_url} "
                                                   f"(runtime {server.seed_info.runtime_id})")
        else:
            self.target = external_target(self.settings)
        register_secret(self.target.api_key)
        register_secret(self.target.other_api_key, "BCTRL_OTHER_API_KEY")
        self.api = ApiClient(self.session, self.target.base_url, self.target.api_key, self.target.runtime_id,
                             self.contract)
        self.first_page = first_contact(self.api, self.contract.limit_max if first_limit is None else first_limit)
        return self

    def close(self) -> None:
        if self.overlap is not None:
            self.overlap.close()
        if self.server is not None:
            self.server.stop()
            self.server = None


def connection(settings: Settings, **session_options) -> Connection:
    """Settings → session → contract: a Connection ready to open (SettingsError on a bad contract)."""
    register_secret(settings.api_key)
    register_secret(settings.other_api_key, "BCTRL_OTHER_API_KEY")
    return Connection(settings, polite_session(settings, **session_options), contract_of(settings),
                      overlap=Overlap(settings.concurrency))


def first_contact(api: ApiClient, limit: int) -> Exchange:
    """One request before anything else: the target answers, takes the key and knows the runtime. If not, a
    SettingsError naming the setting to fix (a typo in a setting is not a broken contract). Returns the answer."""
    base_url = api.base_url
    try:
        answer = api.list_runs(params=page_params(limit=limit))
    except TargetUnavailable as exc:
        raise SettingsError(f"BCTRL_BASE_URL {base_url!r} cannot be reached: {exc}") from None
    if answer.status in (401, 403):
        raise SettingsError(f"BCTRL_API_KEY is refused by {base_url} ({answer.status})")
    if answer.status == 404:
        raise SettingsError(f"BCTRL_RUNTIME_ID {api.runtime_id!r} is not found with this key at {base_url}: fix the "
                            "setting if it names a runtime this key cannot see; if it is this key's runtime, the API "
                            "does not find it (a bug in its runtime or tenant lookup): open it with this key in "
                            "bctrl's console to tell which")
    return answer
