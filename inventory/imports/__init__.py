"""Bringing existing records in from the bureau's spreadsheets (XLSX or CSV)."""
