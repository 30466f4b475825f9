"""Contract area: requests of every size: never a 5xx."""
