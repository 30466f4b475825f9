"""The suite's pytest plugin (conformance/plugin) is registered by the installed package's `pytest11` entry point
(pyproject.toml), not here: install the package first (`pip install -c constraints.txt -e .`)."""
