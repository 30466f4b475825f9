"""Contract area: requests in flight together each get their own answer."""
