"""Contract area: sizes (requests of every size)."""
