"""Proof of the suite's power: run it (and Schemathesis alone) against the reference server, clean and with each
catalogued fault, and tabulate what each catches. `python -m fault_matrix --help`."""
