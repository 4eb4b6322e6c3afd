"""Example applications (importable from the repository root: ``examples.quickstart:broken``)."""
