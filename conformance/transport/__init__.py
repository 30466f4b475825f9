"""The transport: everything that talks HTTP to the target (the polite session, the client, the record of each
exchange). It sends and records; it judges nothing (conformance/judge/ does, in explicit calls)."""
