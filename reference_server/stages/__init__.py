"""The stages of a request through the reference server, each with the faults that live in it: front_end (what the
proxy answers itself), routing, auth, query (limit and status), cursors, paging, rendering (one run as JSON),
headers (and conditional requests) and errors. app.py's RunsApp runs them in order."""
