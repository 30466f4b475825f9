"""What the suite is pointed at and how it behaves: environment variables, each also a pytest option.

Every setting is declared once in SETTINGS (name, option, meaning, default per profile); the README's table is
the same list. Bad values raise SettingsError (outcomes.py), which names the setting; the plugin turns it into one
line and the NOT_JUDGED exit code, so "the suite could not run" never looks like "the API broke the contract".
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import urlsplit

from .contract import DEFAULT_OVERLAY
from .outcomes import SettingsError
from .readiness.vocabulary import GAP_NAMES, parse_accepted_gaps

PROFILES = ("gate", "smoke")
DEFAULT_SEED = 20261128  # BCTRL_SEED's default: the suite's Schemathesis and Hypothesis runs, and the kill matrix's


@dataclass(frozen=True)
class Setting:
    env: str
    help: str
    parse: Callable[[str], object] = str
    defaults: Mapping[str, object] = field(default_factory=dict)  # profile -> default (missing: None)
    secret: bool = False

    @property
    def option(self) -> str:
        return "--" + self.env.lower().replace("_", "-")

    @property
    def dest(self) -> str:
        return self.env.lower()


def _everywhere(value: object) -> dict[str, object]:
    """The same default in every profile."""
    return dict.fromkeys(PROFILES, value)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be at least 1")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _profile(text: str) -> str:
    if text not in PROFILES:
        raise ValueError(f"must be one of {', '.join(PROFILES)}")
    return text


def _yes_or_no(text: str) -> bool:
    if text.lower() not in ("yes", "no"):
        raise ValueError("must be yes or no")
    return text.lower() == "yes"


# The smoke profile's rotation has a night for each date: the date's ordinal mod NIGHTS (BCTRL_SMOKE_DAY names one).
NIGHTS = 7
# A date whose night is the first: the week that runs which must not depend on the date they run name, and the week
# the README's tables are stated for.
WEEK_START = date.fromordinal(NIGHTS * (date(2026, 1, 1).toordinal() // NIGHTS + 1))


def day_of_night(night: int) -> date:
    """The date of that week whose night of the rotation is `night` (0..6)."""
    return date.fromordinal(WEEK_START.toordinal() + night % NIGHTS)


def week() -> list[date]:
    """Every night of the rotation, as the dates of that week."""
    return [day_of_night(night) for night in range(NIGHTS)]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("must be a date like 2026-11-30") from None


def _base_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host, like https://api.bctrl.ai")
    if parts.username or parts.password:
        raise ValueError("must not carry credentials; put the key in BCTRL_API_KEY")
    if parts.query or parts.fragment:
        raise ValueError("must not have a query or fragment")
    return text.rstrip("/")


SETTINGS: tuple[Setting, ...] = (
    Setting("BCTRL_BASE_URL", "API base URL; unset: start the embedded reference server", _base_url),
    Setting("BCTRL_API_KEY", "API key sent as `Authorization: Bearer <key>` (required with a base URL)", secret=True),
    Setting("BCTRL_RUNTIME_ID", "a runtime of that key with runs in it (required with a base URL)"),
    Setting("BCTRL_OTHER_RUNTIME_ID", "a runtime the key must not see (another tenant's); unset: those checks skip"),
    Setting("BCTRL_EMPTY_RUNTIME_ID", "a runtime of the key with no runs; unset: the empty-runtime check skips"),
    Setting("BCTRL_SECOND_RUNTIME_ID", "another runtime of the key, with runs; unset: the cursor-scope checks on it "
            "skip"),
    Setting("BCTRL_OTHER_API_KEY", "a key of another tenant (BCTRL_OTHER_RUNTIME_ID's), which must see nothing of "
            "the key's; unset: the checks from its side are not judged (gap other-key)", secret=True),
    Setting("BCTRL_PROFILE", "gate (everything; the default) or smoke (read-only, budgeted, for production)",
            _profile),
    Setting("BCTRL_CONTRACT", "the contract: an Overlay over the spec it `extends`", Path,
            _everywhere(DEFAULT_OVERLAY)),
    Setting("BCTRL_REPORTS_DIR", "where reports are written", Path, _everywhere(Path("reports"))),
    Setting("BCTRL_REQUEST_BUDGET", "hard cap on requests sent; reaching it stops the run as a tool error",
            _positive_int, {"gate": 5000, "smoke": 60}),
    Setting("BCTRL_RATE_LIMIT", "requests per second at most (0: no cap)", _non_negative_float,
            {"gate": 0.0, "smoke": 5.0}),
    Setting("BCTRL_CONCURRENCY", "requests in flight at once at most (1: one after another); walks stay in order",
            _positive_int, {"gate": 6, "smoke": 1}),
    Setting("BCTRL_MAX_WALK_RUNS", "a cursor walk stops after this many runs (a bounded prefix on big runtimes)",
            _positive_int, {"gate": 400, "smoke": 100}),
    Setting("BCTRL_MAX_WALK_PAGES", "a walk of small pages stops after this many (a bounded prefix: at a page size of "
            "1, a page per run)", _positive_int, {"gate": 40, "smoke": 12}),
    Setting("BCTRL_TIMEOUT", "seconds to wait for one response", _non_negative_float, _everywhere(10.0)),
    Setting("BCTRL_RETRIES", "retries of one request on 429/502/503/504 and connection errors", int,
            {"gate": 3, "smoke": 2}),
    Setting("BCTRL_RETRY_AFTER_MAX", "longest Retry-After honoured, in seconds (longer: a tool error)",
            _non_negative_float, _everywhere(30.0)),
    Setting("BCTRL_FUZZ_EXAMPLES", "Schemathesis examples per generation mode in the fuzzing phase, and generated "
            "path spellings",
            _positive_int, {"gate": 60, "smoke": 4}),
    Setting("BCTRL_FUZZ_COVERAGE", "yes: the fuzzer's coverage phase (every boundary of every parameter: most of its "
            "requests) runs; no: it does not", _yes_or_no, {"gate": True, "smoke": False}),
    Setting("BCTRL_ACCEPT_GAPS", "gaps in the target's data accepted knowingly, comma-separated ("
            + ", ".join(GAP_NAMES) + "): their checks are listed as not judged and the run still passes",
            parse_accepted_gaps, _everywhere(frozenset())),
    Setting("BCTRL_SEED", "seed for Schemathesis and Hypothesis (printed in the run's summary)", int,
            _everywhere(DEFAULT_SEED)),
    Setting("BCTRL_SMOKE_DAY", "the date (YYYY-MM-DD) whose share of the rotating checks the smoke profile runs",
            _day),
)


@dataclass(frozen=True)
class Settings:
    base_url: str | None
    api_key: str | None
    runtime_id: str | None
    other_runtime_id: str | None
    empty_runtime_id: str | None
    second_runtime_id: str | None
    other_api_key: str | None
    profile: str
    contract: Path
    reports_dir: Path
    request_budget: int
    rate_limit: float
    concurrency: int
    max_walk_runs: int
    max_walk_pages: int
    timeout: float
    retries: int
    retry_after_max: float
    fuzz_examples: int
    fuzz_coverage: bool
    accept_gaps: frozenset[str]
    seed: int
    smoke_day: date | None  # None: today (UTC), when the run starts

    @property
    def embedded(self) -> bool:
        """True when no target was given: the suite runs against its own reference server."""
        return self.base_url is None

    def __repr__(self) -> str:  # never print the key
        return f"Settings(base_url={self.base_url!r}, profile={self.profile!r}, runtime_id={self.runtime_id!r})"


def read_settings(env: Mapping[str, str], options: Mapping[str, object] | None = None) -> Settings:
    """Settings from pytest options (first) and environment variables; raises SettingsError on bad ones."""
    options = options or {}
    raw = {s.dest: _raw_value(s, env, options) for s in SETTINGS}
    profile = "gate" if raw["bctrl_profile"] is None else _parse(_by_env("BCTRL_PROFILE"), raw["bctrl_profile"])
    values = {}
    for setting in SETTINGS:
        text = raw[setting.dest]
        values[setting.dest] = setting.defaults.get(profile) if text is None else _parse(setting, text)
    values["bctrl_profile"] = profile
    _check_target(values)
    return Settings(**{dest.removeprefix("bctrl_"): value for dest, value in values.items()})


def _by_env(env: str) -> Setting:
    return next(setting for setting in SETTINGS if setting.env == env)


def _raw_value(setting: Setting, env: Mapping[str, str], options: Mapping[str, object]) -> str | None:
    value = options.get(setting.dest)
    if value is None:
        value = env.get(setting.env)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _parse(setting: Setting, text: str) -> object:
    try:
        return setting.parse(text)
    except ValueError as exc:
        shown = "(the value is hidden)" if setting.secret else repr(text)
        reason = str(exc) if setting.parse not in (int, float) else "must be a number"
        raise SettingsError(f"{setting.env} {shown} {reason}") from None


def _check_target(values: dict) -> None:
    if values["bctrl_base_url"] is None:
        for dest in ("bctrl_api_key", "bctrl_runtime_id", "bctrl_other_runtime_id", "bctrl_empty_runtime_id",
                     "bctrl_second_runtime_id", "bctrl_other_api_key"):
            if values[dest] is not None:
                raise SettingsError(f"{dest.upper()} is set but BCTRL_BASE_URL is not; set both, or neither to use "
                                    "the embedded reference server")
        return
    for dest in ("bctrl_api_key", "bctrl_runtime_id"):
        if values[dest] is None:
            raise SettingsError(f"{dest.upper()} is required when BCTRL_BASE_URL is set")


def settings_from_environment() -> Settings:
    return read_settings(os.environ)
