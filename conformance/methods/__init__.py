"""Contract area: every method HTTP gives a GET resource: HEAD, conditional requests, the others refused."""
