"""Risk rules and limits."""
