"""The judges: what the contract allows of one answer, of a walk of pages, of every answer of the run, called
explicitly by the checks on what the transport brought back."""
