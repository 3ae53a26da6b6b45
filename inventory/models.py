"""Every model, imported in one place so that the metadata is complete (alembic, tests)."""

from inventory.audit import AuditEvent
from inventory.auth.models import ApiToken, User, user_depots
from inventory.catalogue.models import Item
from inventory.contracts.models import Agreement, CallOff, CapacityReserve
from inventory.db import db
from inventory.distribution.models import (
    Confirmation,
    Distribution,
    DistributionBatch,
    DistributionLine,
)
from inventory.donations.models import (
    DonationReceipt,
    DonationReceiptLine,
    Donor,
    Pledge,
    PledgeLine,
)
from inventory.geo.models import Area, Bin, Depot
from inventory.jobs.models import Job
from inventory.outlets.models import Outlet
from inventory.planning.models import Run, Scenario
from inventory.planorders.models import (
    PlanOrders,
    ProductionOrder,
    PurchaseLine,
    RotationOrder,
    RotationOrderLine,
)
from inventory.readiness.models import Norm, Target, TravelTime
from inventory.shelters.models import Shelter, ShelterTravelTime
from inventory.stock.models import IdempotencyRecord, Lot, Movement, Seal, SealHead
from inventory.stocktake.models import Stocktake, StocktakeCount
from inventory.transfers.models import Transfer, TransferLine
from inventory.transport.models import Carrier, TransportAgreement, Vehicle, Waybill

metadata = db.metadata

__all__ = [
    "Agreement", "ApiToken", "Area", "AuditEvent", "Bin", "CallOff", "CapacityReserve", "Depot",
    "Job", "Norm", "Outlet", "PlanOrders", "ProductionOrder", "PurchaseLine", "RotationOrder",
    "RotationOrderLine", "Run", "Scenario", "Shelter", "ShelterTravelTime", "Target", "TravelTime",
    "IdempotencyRecord", "Item", "Lot", "Movement",
    "Seal", "SealHead", "Stocktake", "StocktakeCount", "Transfer", "TransferLine", "User",
    "Carrier", "TransportAgreement", "Vehicle", "Waybill",
    "DonationReceipt", "DonationReceiptLine", "Donor", "Pledge", "PledgeLine",
    "Confirmation", "Distribution", "DistributionBatch", "DistributionLine",
    "metadata", "user_depots",
]
