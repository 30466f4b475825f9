"""Contract area: auth."""
