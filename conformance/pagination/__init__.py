"""Contract area: cursor walks end, repeat nothing, skip nothing, keep the contract's order."""
