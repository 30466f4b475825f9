"""Contract area: whole run (what every other check saw, judged together at the end)."""
