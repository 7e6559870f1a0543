"""Research tools that read finished backtests: Monte-Carlo resampling of returns and trades."""
