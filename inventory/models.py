"""Every model, imported in one place so that the metadata is complete (alembic, tests)."""

from inventory.audit import AuditEvent
from inventory.auth.models import ApiToken, User, user_depots
from inventory.catalogue.models import Item
from inventory.db import db
from inventory.geo.models import Area, Depot
from inventory.stock.models import IdempotencyRecord, Lot, Movement, Seal, SealHead
from inventory.transfers.models import Transfer, TransferLine

metadata = db.metadata

__all__ = [
    "ApiToken", "Area", "AuditEvent", "Depot", "IdempotencyRecord", "Item", "Lot", "Movement", "Seal",
    "SealHead", "Transfer", "TransferLine", "User", "metadata", "user_depots",
]
