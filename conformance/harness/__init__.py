"""The harness: everything that talks HTTP to the target, and judges what comes back against the contract."""
