"""Reserves beyond the shelf (contract and capacity reserves), norms, targets and adequacy."""
