"""Helpers the GitHub workflows run: the gate action's verdict, nightly alerts, the published-spec watch.

Each module does one job and runs as `python -m pipeline.<module>`; they need nothing but the standard library,
except spec_watch, which fetches with `requests`.
"""
