"""Which API the suite talks to: the one named by the settings, or the embedded reference server."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from ..outcomes import SettingsError, TargetUnavailable
from ..settings import Settings


@dataclass(frozen=True)
class Target:
    base_url: str
    api_key: str
    runtime_id: str
    other_runtime_id: str | None
    empty_runtime_id: str | None
    second_runtime_id: str | None  # another runtime of the key, with runs
    description: str  # for reports: never the key

    def __repr__(self) -> str:
        return f"Target({self.description})"


def external_target(settings: Settings) -> Target:
    return Target(
        base_url=settings.base_url,
        api_key=settings.api_key,
        runtime_id=settings.runtime_id,
        other_runtime_id=settings.other_runtime_id,
        empty_runtime_id=settings.empty_runtime_id,
        second_runtime_id=settings.second_runtime_id,
        description=f"{settings.base_url} (runtime {settings.runtime_id})",
    )


def start_embedded():
    """Start the reference server on a free loopback port; return (server, target)."""
    from reference_server import ReferenceServer

    server = ReferenceServer(host="127.0.0.1", port=0)
    server.start()
    seed = server.seed_info
    target = Target(
        base_url=server.base_url,
        api_key=seed.api_key,
        runtime_id=seed.runtime_id,
        other_runtime_id=seed.other_runtime_id,
        empty_runtime_id=seed.empty_runtime_id,
        second_runtime_id=seed.second_runtime_id,
        description=f"embedded reference server {server.base_url} (runtime {seed.runtime_id})",
    )
    return server, target


def probe(session, target: Target, limit: int = 1):
    """One request before any test: the target answers, takes the key and knows the runtime. If not, raise
    SettingsError naming the setting to fix (a typo in a setting is not a broken contract). Returns the answer
    (a page of `limit`: the readiness probe's first page)."""
    url = f"{target.base_url}/v2/runtimes/{quote(target.runtime_id, safe='')}/runs"
    try:
        answer = session.get(url, params={"limit": limit}, headers={"Authorization": f"Bearer {target.api_key}"})
    except TargetUnavailable as exc:
        raise SettingsError(f"BCTRL_BASE_URL {target.base_url!r} cannot be reached: {exc}") from None
    if answer.status_code in (401, 403):
        raise SettingsError(f"BCTRL_API_KEY is refused by {target.base_url} ({answer.status_code})")
    if answer.status_code == 404:
        raise SettingsError(f"BCTRL_RUNTIME_ID {target.runtime_id!r} is not found with this key at {target.base_url}")
    return answer
