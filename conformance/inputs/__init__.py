"""What the checks send: spellings of the query values and of the runs path, and cursors the API did not hand out,
each with what the contract lets the API do with it."""
