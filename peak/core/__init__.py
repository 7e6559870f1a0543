"""Domain types, the error ladder and small shared value objects. Imports nothing else from peak."""
