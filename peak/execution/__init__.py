"""Cost and fill models for simulated and live orders."""
