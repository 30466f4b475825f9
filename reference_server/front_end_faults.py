"""Faults of the front end and the upstreams behind it that fail one kind of request every time while every other
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
    path, query = urlsplit(target).path, urlsplit(target).query
    if "dot-dot-path-502" in faults and _DOT_DOT.search(path):
        return 502, [("Content-Type", "text/html")], _NGINX_502
    if "multi-status-filter-503" in faults and sum(key == "status" for key, _ in parse_qsl(query)) >= 2:
        return 503, [("Content-Type", "text/html")], b"<html><body><h1>503 Service Unavailable</h1></body></html>"
    return None
