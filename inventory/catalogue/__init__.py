"""The catalogue of relief items."""
