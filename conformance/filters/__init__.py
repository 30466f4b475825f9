"""Contract area: the status filter, single and repeated."""
