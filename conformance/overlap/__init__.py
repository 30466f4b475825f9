"""Contract area: overlap (requests in flight at the same time)."""
