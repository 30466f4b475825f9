"""Contract area: authentication and tenant isolation."""
