"""The audit trail: who changed what outside the ledger, when, before and after.

Services write it through ``record``; auditors browse, filter and export it, and nothing in
the application changes or removes an event.
"""

from inventory.audit.models import AuditEvent
from inventory.audit.queries import events_for
from inventory.audit.services import changes, plain, record, snapshot

__all__ = ["AuditEvent", "changes", "events_for", "plain", "record", "snapshot"]
