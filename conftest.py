"""Registers the suite's pytest plugin (settings, target, fixtures, reports); see conformance/plugin."""

pytest_plugins = ["conformance.plugin"]
