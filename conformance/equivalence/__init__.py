"""Contract area: the same question asked two ways (parameter order, percent-escapes) gets the same answer."""
