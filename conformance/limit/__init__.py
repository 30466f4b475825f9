"""Contract area: limit."""
