"""Contract area: every response matches the contract's schemas and each run's own invariants."""
