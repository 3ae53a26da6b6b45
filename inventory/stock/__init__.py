"""Lots, the append-only stock ledger, its seals, and the stock services."""
