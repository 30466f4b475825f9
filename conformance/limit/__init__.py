"""Contract area: page sizes: default, bounds, refusals."""
