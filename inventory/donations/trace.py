"""What donations add to the trace and to pages: the donation section of a lot's trace (the
donor, pledge and receipt a donated lot came from), and a donor's name as the public reads it."""

from flask_babel import gettext

from inventory.base import N_
from inventory.donations.models import Donor
from inventory.donations.queries import receipt_of_lot
from inventory.trace.queries import LotTrace
from inventory.trace.sections import Section


def donation_section(session, lot_trace: LotTrace) -> Section | None:
    """The donor, pledge and receipt a donated lot came from (the donor's public name only);
    None for goods that were not received against a pledge."""
    line = receipt_of_lot(session, lot_trace.first.id)
    if line is None:
        return None
    receipt, pledge = line.receipt, line.receipt.pledge
    return Section(
        key="donation", title=N_("捐赠来源"),
        headers=[N_("捐赠登记"), N_("捐赠方"), N_("接收单"), N_("用途"), N_("数量")],
        rows=[[pledge.number, public_name(pledge.donor), receipt.number,
               line.pledge_line.use or "", str(line.quantity)]],
        links=[("donations.pledge", {"pledge_id": pledge.id})])


def public_name(donor: Donor) -> str:
    """The donor's name as shown to the public, in the request's language."""
    return gettext("匿名捐赠人") if donor.anonymous else donor.name
