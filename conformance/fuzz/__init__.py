"""Contract area: fuzz."""
