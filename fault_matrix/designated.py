"""The check designated to catch each catalogued fault: the suite must fail that check (others may fail too).

Checks are named `area/test_file.py::test_name`, relative to conformance/.
"""

from __future__ import annotations

from reference_server.faults import FAULTS

SCHEMA = "schema/test_responses.py::test_every_run_of_the_runtime_matches_the_run_schema"
FIRST_PAGE = "schema/test_responses.py::test_first_page_matches_the_page_schema"
ERROR_ENVELOPE = "schema/test_responses.py::test_error_answers_use_a_bctrl_error_envelope"
WALK_END = "pagination/test_cursor_walk.py::test_cursor_walk_ends_once_and_in_order"
WALK_SIZES = "pagination/test_cursor_walk.py::test_walks_with_any_page_size_see_the_same_runs_in_the_same_order"
WALK_KEEPS = "pagination/test_cursor_walk.py::test_following_a_cursor_keeps_the_filter_and_limit"
BAD_CURSOR = "pagination/test_cursor_walk.py::test_malformed_or_tampered_cursor_is_rejected"
EMPTY = "pagination/test_cursor_walk.py::test_empty_runtime_gives_one_empty_page"
DEFAULT_LIMIT = "limit/test_limit.py::test_absent_limit_gives_the_default_page_size"
LIMIT_BOUNDS = "limit/test_limit.py::test_limit_at_each_bound_gives_exactly_that_many"
BAD_LIMIT = "limit/test_limit.py::test_invalid_limit_is_rejected"
SINGLE = "filters/test_status_filter.py::test_single_status_returns_exactly_the_runs_in_it"
UNION = "filters/test_status_filter.py::test_repeated_status_keys_return_the_union"
REPEATED = "filters/test_status_filter.py::test_repeated_identical_status_behaves_like_one"
BAD_STATUS = "filters/test_status_filter.py::test_invalid_status_is_rejected"
BAD_KEY = "auth/test_auth.py::test_bad_credentials_are_rejected"
SCHEME_CASE = "auth/test_auth.py::test_scheme_word_is_case_insensitive"
AUTH_FIRST = "auth/test_auth.py::test_authentication_comes_before_query_validation"
UNKNOWN = "auth/test_auth.py::test_unknown_runtime_is_not_found"
OTHER_TENANT = "auth/test_auth.py::test_other_tenants_runtime_looks_like_an_unknown_one"
FUZZ = "fuzz/test_fuzz.py::test_fuzzed_requests_get_answers_the_contract_allows"
OTHER_METHODS = "methods/test_methods.py::test_other_methods_are_refused_never_served"
LEDGER = "whole_run/test_whole_run.py::test_no_run_changes_what_cannot_change_across_the_whole_run"
HTTP_RULES = "whole_run/test_whole_run.py::test_every_answer_keeps_the_http_rules_the_contract_implies"
# 4 cursor scope
FOREIGN_CURSOR = ("pagination/test_cursor_scope.py::"
                  "test_a_cursor_taken_to_another_runtime_of_the_key_lists_no_run_of_its_own_runtime")
FOREIGN_TENANT = ("pagination/test_cursor_scope.py::"
                  "test_a_cursor_taken_to_another_tenants_runtime_is_answered_like_an_unknown_runtime")
OWN_CURSORS = "pagination/test_cursor_scope.py::test_two_runtimes_walked_with_their_own_cursors_share_no_run"
# 5 boundaries
EXACT_WALKS = "pagination/test_page_boundaries.py::test_walks_whose_last_page_is_exactly_full_or_one_off_end_cleanly"
DEFAULT_WALKS = "pagination/test_page_boundaries.py::test_walks_that_never_send_limit_get_the_default_on_every_page"
ONE_PAGE_FILTER = "pagination/test_page_boundaries.py::test_a_filter_whose_matches_fill_exactly_one_page"
# Blind spots 1 (inputs never varied) and 2 (strict grammar)
OTHER_SPELLINGS = "auth/test_path_spellings.py::test_another_tenants_runtime_stays_invisible_however_spelled"
OWN_SPELLINGS = "auth/test_path_spellings.py::test_the_keys_runtime_however_spelled_lists_only_its_runs_or_is_refused"
SPELLING_PROPERTY = ("fuzz/test_path_spellings.py::"
                     "test_generated_spellings_of_the_runs_path_get_answers_the_contract_allows")
LIMIT_GRAMMAR = "limit/test_limit.py::test_limit_is_read_only_as_plain_decimal_digits"
LIMIT_BRACKETS = "limit/test_limit.py::test_bracketed_limit_key_is_never_read_as_the_limit"
STATUS_GRAMMAR = "filters/test_status_filter.py::test_status_is_read_only_as_exact_enum_values"
STATUS_BRACKETS = "filters/test_status_filter.py::test_bracketed_status_key_is_never_applied_as_the_filter"
REPEATED_PAGE = "filters/test_status_filter.py::test_a_page_of_a_repeated_status_lists_each_run_once"
# Issue 16, by class: 1 credentials, 2 methods, 3 every page, 4 sizes, 5 overlap, 6 time between pages
NEAR_MISS = "auth/test_credentials.py::test_a_near_miss_of_the_key_does_not_authenticate"
KEY_IN_QUERY = "auth/test_credentials.py::test_the_key_in_a_query_parameter_does_not_authenticate"
KEY_IN_COOKIE = "auth/test_credentials.py::test_the_key_in_a_cookie_does_not_authenticate"
KEY_UNDER_OTHER_SCHEME = ("auth/test_credentials.py::"
                          "test_the_key_under_another_scheme_or_in_a_split_header_does_not_authenticate")
KEY_IN_SECOND_HEADER = "auth/test_credentials.py::test_the_key_in_a_second_authorization_header_does_not_authenticate"
OTHER_KEY = "auth/test_other_key.py::test_the_other_key_gets_nothing_of_the_keys"
HEAD = "methods/test_head.py::test_head_gets_what_get_gets_without_a_body_or_is_refused"
OPTIONS = "methods/test_methods.py::test_options_describes_or_refuses_never_lists"
CONDITIONAL = "methods/test_conditional.py::test_a_condition_never_gets_around_authentication_or_isolation"
LATE_VALIDATOR = ("methods/test_conditional.py::"
                  "test_a_validator_redeemed_long_after_gets_a_304_only_for_an_unchanged_page")
LIMIT_EVERY_PAGE = "limit/test_limit.py::test_a_limit_is_judged_the_same_on_every_page"
STATUS_EVERY_PAGE = "filters/test_status_filter.py::test_a_status_is_judged_the_same_on_every_page"
SIZES = "sizes/test_sizes.py::test_a_request_of_any_size_gets_the_contracts_answer_never_a_5xx"
OVERLAP = "overlap/test_overlap.py::test_requests_in_flight_together_each_get_their_own_answer"
TIME = "pagination/test_time_between_pages.py::test_a_cursor_redeemed_long_after_continues_after_its_page"

# Fault -> the check meant to catch it. Add a line with every new fault.
CATCHER = {
    "created-at-epoch": SCHEMA, "timestamp-without-offset": SCHEMA, "run-id-not-uuid": SCHEMA,
    "status-uppercase": SCHEMA, "next-cursor-omitted": WALK_END, "data-null-when-empty": EMPTY,
    "started-before-created": SCHEMA, "active-with-finished-at": SCHEMA, "terminal-without-finished-at": SCHEMA,
    "finished-before-started": SCHEMA,
    "duplicate-at-page-boundary": WALK_END, "skip-at-page-boundary": WALK_SIZES, "cursor-loops": WALK_SIZES,
    "cursor-on-last-page": WALK_END, "tie-break-ascending": WALK_END, "cursor-ignores-tie": WALK_SIZES,
    "order-ascending": WALK_END, "filter-first-page-only": WALK_KEEPS, "limit-first-page-only": WALK_KEEPS,
    "cursor-not-validated": BAD_CURSOR, "cursor-tamper-accepted": BAD_CURSOR,
    "limit-plus-one": LIMIT_BOUNDS, "default-limit-20": DEFAULT_LIMIT, "limit-clamped": BAD_LIMIT,
    "limit-zero-means-default": BAD_LIMIT, "limit-float-truncated": BAD_LIMIT, "limit-repeated-last-wins": BAD_LIMIT,
    "limit-huge-500": BAD_LIMIT,
    "status-array-first-only": UNION, "status-case-insensitive": BAD_STATUS, "status-unknown-ignored": BAD_STATUS,
    "status-empty-ignored": BAD_STATUS, "status-stopped-includes-failed": SINGLE,
    "status-repeat-duplicates": REPEATED,
    "auth-any-scheme": BAD_KEY, "auth-bearer-case-sensitive": SCHEME_CASE, "auth-key-prefix": BAD_KEY,
    "auth-key-without-scheme": BAD_KEY, "validate-before-auth": AUTH_FIRST, "tenant-leak": OTHER_TENANT,
    "other-tenant-403": OTHER_TENANT, "unknown-runtime-empty": UNKNOWN,
    "error-stack-trace": ERROR_ENVELOPE, "error-plain-text": ERROR_ENVELOPE, "invalid-query-422": ERROR_ENVELOPE,
    "error-echoes-key": BAD_KEY, "error-missing-code": ERROR_ENVELOPE,
    "content-type-text-html": FIRST_PAGE,
    "post-served-as-get": OTHER_METHODS, "405-without-allow": OTHER_METHODS,
    # Blind spots (issue 8), by class: 1 inputs, 2 grammar
    "tenant-check-raw-path": OTHER_SPELLINGS, "trailing-slash-legacy-route": OTHER_SPELLINGS,
    "runtime-id-non-bmp-500": OWN_SPELLINGS, "runtime-id-cache-key-500": SPELLING_PROPERTY,
    "limit-python-int": LIMIT_GRAMMAR, "limit-javascript-number": LIMIT_GRAMMAR, "limit-go-base-prefix": LIMIT_GRAMMAR,
    "limit-array-coerced": LIMIT_BRACKETS, "status-comma-split": STATUS_GRAMMAR,
    "status-whitespace-stripped": STATUS_GRAMMAR, "status-bracket-array": STATUS_BRACKETS,
    # 3 whole-run ledger, 6 HTTP semantics, 7 live data
    "filtered-listing-local-time": LEDGER, "stale-status-cache": LEDGER, "finished-at-from-updated-at": LEDGER,
    "page-cache-ignores-runtime": LEDGER,
    "rate-limit-without-retry-after": HTTP_RULES, "cache-control-public": HTTP_RULES,
    "error-answers-s-maxage": HTTP_RULES,
    "offset-cursor": WALK_SIZES, "created-at-on-update": LEDGER, "started-at-reset-on-end": LEDGER,
    # 4 cursor scope, 5 boundaries
    "cursor-runtime-from-cursor": FOREIGN_CURSOR,
    "cursor-skips-access-checks": FOREIGN_TENANT, "cursor-page-drops-runtime-filter": OWN_CURSORS,
    "more-when-page-full": EXACT_WALKS, "more-counts-cursor-row": EXACT_WALKS,
    "filtered-more-from-unfiltered": ONE_PAGE_FILTER,
    "default-limit-on-cursor-pages": DEFAULT_WALKS, "default-limit-with-filter": DEFAULT_WALKS,
    # 8 rules without a fault, 9 smoke
    # Issue 16: 1 credentials
    "auth-query-access-token": KEY_IN_QUERY, "auth-cookie-key": KEY_IN_COOKIE,
    "auth-basic-user-is-key": KEY_UNDER_OTHER_SCHEME, "auth-any-of-repeated-headers": KEY_IN_SECOND_HEADER,
    "auth-key-like-prefix": NEAR_MISS, "auth-key-nocase-collation": NEAR_MISS, "auth-key-percent-decoded": NEAR_MISS,
    "auth-key-whitespace-removed": NEAR_MISS, "auth-key-environment-ignored": NEAR_MISS,
    "session-cookie-echoes-key": HTTP_RULES, "validation-error-dumps-headers": ERROR_ENVELOPE,
    # 2 methods and conditional requests
    "head-health-check-200": HEAD, "head-skips-validation": HEAD, "head-500": HEAD,
    "trace-echoes-request": OTHER_METHODS, "options-serves-listing": OPTIONS, "options-preflight-500": OPTIONS,
    "etag-304-before-auth": CONDITIONAL, "etag-304-any-tenant": OTHER_KEY, "etag-runtime-version": CONDITIONAL,
    "etag-from-page-ids": LATE_VALIDATOR, "last-modified-newest-created": LATE_VALIDATOR,
    # 3 every rule on every page
    "cursor-page-limit-unchecked": LIMIT_EVERY_PAGE, "cursor-carries-query": LIMIT_EVERY_PAGE,
    "cursor-page-repeated-params": LIMIT_EVERY_PAGE, "validated-query-memo-by-cursor": LIMIT_EVERY_PAGE,
    "cursor-page-drops-unknown-status": STATUS_EVERY_PAGE, "cursor-page-status-normalised": STATUS_EVERY_PAGE,
    # 4 every size
    "status-compound-select-500": SIZES, "query-max-fields-500": SIZES, "cursor-buffer-overflow-500": SIZES,
    "audit-log-varchar-500": SIZES, "cursor-regex-backtracking-500": BAD_CURSOR, "auth-bcrypt-72-500": NEAR_MISS,
    # 5 overlap
    "current-tenant-global": OVERLAP, "current-runtime-global": OVERLAP, "parsed-query-shared": OVERLAP,
    "shared-db-cursor": OVERLAP, "last-page-memo-cursor": OVERLAP,
    # 6 time between pages
    "scroll-expired-restarts": TIME, "scroll-expired-ends-walk": TIME, "cursor-ttl-seconds": TIME,
    "cursor-as-of-hides-ended": TIME, "page-cache-keyed-by-page-number": WALK_SIZES,
    # Issue 23: 1 the wire
    "large-answer-cut-at-proxy-buffer": LIMIT_BOUNDS, "last-page-chunk-missing": WALK_END,
    # 3 numbers where machine types break
    "limit-int32-wrap": BAD_LIMIT, "limit-int64-wrap": BAD_LIMIT,
    # 6 honest blame: one request failing every time while the others are served
    "dot-dot-path-502": OWN_SPELLINGS, "multi-status-filter-503": UNION,
}

# Fault -> the smoke profile's own check for it, where the gate's designated check costs more requests than the
# smoke can spend (the smoke column of the matrix, run on that check's night, must show it failing there).
SMOKE_CATCHER = {"status-repeat-duplicates": REPEATED_PAGE}

WHOLE_RUN_MODULE = "whole_run/test_whole_run.py"


# Checks that judge what the whole run saw, or redeem late what the run handed out when it started: focused on them
# alone, no time would pass and nothing else would be seen.
WHOLE_RUN_CHECKS = (WHOLE_RUN_MODULE, TIME.split("::")[0], LATE_VALIDATOR)


def focus(fault: str) -> tuple[str, ...]:
    """The pytest arguments that prove `fault` is caught: its designated check (every case of it), or every
    hand-written check (the fuzzer's traffic is not needed) when that check judges what the whole run saw, or
    redeems late what it handed out early, or when the fault shows only as live data moves: one module may be done
    before the data has moved at all (a new run every 0.2 s on the reference server: a focused run takes one
    second, and page-cache-keyed-by-page-number went unseen when no run started between two walks)."""
    check = CATCHER[fault]
    if check.split("::")[0] in WHOLE_RUN_CHECKS or check in WHOLE_RUN_CHECKS or "churn" in FAULTS[fault].needs:
        return ("conformance", "--ignore=conformance/fuzz")
    return (f"conformance/{check}",)
