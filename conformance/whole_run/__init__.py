"""Contract area: judges what the whole run saw; runs last, in every profile, and sends nothing."""
