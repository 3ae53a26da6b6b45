"""Reserves beyond the shelf: contract reserves with their call-offs, and capacity reserves."""
