"""A module whose import fails (for the CLI's one-line error test)."""

raise RuntimeError("configuration file missing\nsecond line that must not be printed")
