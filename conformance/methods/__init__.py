"""Contract area: methods."""
