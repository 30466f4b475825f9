"""Contract area: pagination."""
