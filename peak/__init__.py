"""Peak: configuration-as-code engine for crypto trading research and operations."""

__version__ = "0.1.0"
