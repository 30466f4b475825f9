"""The checks of the suite, by name: `area/test_file.py::test_name`, relative to conformance/. Each catalogued fault
names the one designated to catch it (Fault.check); fault_matrix proves it does. Plain strings, so that the catalogue
needs nothing of the suite to name them.
"""

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
# Issue 23, by class: 1 the wire, 2 refusals at the transport, 4 equivalent requests, 6 honest blame
WIRE = "wire/test_framing.py::test_answers_end_where_their_framing_says_on_one_kept_alive_connection"
EQUIVALENT_CURSOR_PAGE = ("equivalence/test_equivalent_requests.py::"
                          "test_a_page_after_a_cursor_asked_another_way_is_the_same_page")
EQUIVALENT_FILTER = "equivalence/test_equivalent_requests.py::test_a_filter_asked_another_way_lists_the_same_runs"
CURSOR_TWICE = "equivalence/test_equivalent_requests.py::test_a_cursor_redeemed_twice_gets_the_same_page"
NAMED_RUNTIME = "auth/test_auth.py::test_a_runtime_the_settings_name_gets_an_answer_the_contract_allows"
