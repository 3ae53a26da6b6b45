"""Ledger exports for auditors: the stock ledger as CSV, XLSX or PDF, streamed, each file
carrying the hash of its last row and the SHA-256 of its rows, and checked back against the
ledger by ``verify-export``."""

#: who may export the ledger: it names every actor and reason, so it is for the auditor, the
#: bureau and admins (as are verification and seals)
EXPORT_ROLES = ("admin", "bureau", "auditor")
