"""Contract area: schema."""
