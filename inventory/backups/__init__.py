"""Backups of the whole database and their restore (备份与恢复)."""
