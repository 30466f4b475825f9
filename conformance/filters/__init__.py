"""Contract area: filters."""
