"""Contract area: Schemathesis fuzzing from the effective contract."""
