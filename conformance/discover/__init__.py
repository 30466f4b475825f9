"""Discovery: first contact with a real deployment.

`python -m conformance.discover` sends a small, GET-only, budgeted, rate-capped set of probes (probes.py), works
out what the target does on each line of the overlay the registry (conformance/contract/choices.py) says it settles
(conclude.py: one settling function per line in points/<area>.py, findings.py for what they find), and writes an
overlay a user can review and commit, with a short Markdown diff against the contract in force (overlay_writer.py).
It never writes down what no contract may allow (a 5xx, a leak, another tenant's runs, a broken walk): those are
violations (violations.py), and the exit status is 1, as the suite's would be.
"""
