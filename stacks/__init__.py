"""Correct implementations of the endpoint on other stacks than the reference server, for the project's tests."""
