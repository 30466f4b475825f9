"""The front end in front of the app: what a correct one answers itself (`front_end_answer`, Variants.front_end), and
faults of the front end and the upstreams behind it that fail one kind of request every time while every other
request is served (issue 23: honest blame; the front end is part of the API). A client's retries cannot get past
them, and a run that took them for the target being down would blame itself. The catalogue entries and the answers
they give are kept together here; app.py's front end (`_edge`) asks `failing_upstream` first.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from .fault import Fault

FRONT_END_FAULTS = [
    Fault("dot-dot-path-502", "auth",
          "nginx passes a path with a `..` segment (escaped or not) to the app, whose router answers it with a "
          "redirect to the normalised path and a Link header repeating the raw path; the headers outgrow nginx's "
          "proxy_buffer_size, and nginx answers its own HTML 502 Bad Gateway, every time, to every such path",
          rules=("server.no-5xx", "runtime.spelling"), issue=23),
    Fault("multi-status-filter-503", "filters",
          "a filter on two or more statuses is routed to the reporting replica, whose connection pool a stuck batch "
          "job holds: every such request waits out the upstream and gets the front end's 503, with no Retry-After, "
          "while every other request is served",
          rules=("server.no-5xx", "status.union"), issue=23),
]
_DOT_DOT = re.compile(r"/(\.\.|%2e%2e|\.%2e|%2e\.)(/|$)", re.IGNORECASE)
_NGINX_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
              b"</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


def failing_upstream(target: str, faults: frozenset[str]) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """The front end's own failure for this request target under the faults (status, headers, body); None: none."""
    parts = urlsplit(target)
    path, query = parts.path, parts.query
    if "dot-dot-path-502" in faults and _DOT_DOT.search(path):
        return 502, [("Content-Type", "text/html")], _NGINX_502
    if "multi-status-filter-503" in faults and sum(key == "status" for key, _ in parse_qsl(query)) >= 2:
        return 503, [("Content-Type", "text/html")], b"<html><body><h1>503 Service Unavailable</h1></body></html>"
    return None


# -- a correct front end's own answers (Variants.front_end): not faults, what nginx at its defaults does -------------
NGINX_LARGE_CLIENT_HEADER_BUFFER = 8 * 1024  # large_client_header_buffers 4 8k: a longer request line is refused
_NGINX_PAGES = {400: "400 Bad Request", 405: "405 Not Allowed", 414: "414 Request-URI Too Large"}


def front_end_answer(front_end: str, method: str, target: str, headers) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """What the front end answers itself, before the app sees the request; None to pass it on."""
    if front_end != "nginx":
        return None
    lines = headers.get_all("Authorization") if hasattr(headers, "get_all") else None
    status = (414 if len(f"{method} {target} HTTP/1.1") > NGINX_LARGE_CLIENT_HEADER_BUFFER
              else 400 if lines is not None and len(lines) > 1
              else 405 if method == "TRACE" else None)
    if status is None:
        return None
    page = _NGINX_PAGES[status]
    body = (f"<html>\r\n<head><title>{page}</title></head>\r\n<body>\r\n<center><h1>{page}</h1></center>\r\n"
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n").encode()
    return status, [("Content-Type", "text/html")], body
