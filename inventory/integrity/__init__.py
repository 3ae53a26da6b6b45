"""The auditor's integrity page: verify the ledger, see the rows that break it, take and list
seals."""
