"""The recipient trace (领取人追溯): what one household received, for the bureau, admins and
auditors only.

A household is looked up by a national ID number, hashed with the same keyed hash the
distributions were recorded with (the number itself is neither stored, logged nor answered
back: the answer shows it masked), or by name and phone. Reading a person's record is
sensitive, so every look-up is written to the audit trail: who looked, which households were
found, and the masked ID number only.
"""

import logging
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from inventory import audit
from inventory.auth.permissions import can_move_stock, ensure_role
from inventory.distribution import domain
from inventory.distribution.models import Distribution
from inventory.errors import InvalidInput
from inventory.uow import unit_of_work

log = logging.getLogger(__name__)

#: who may read what a person received: the trace of a lot or a shelter names no one
READERS = ("admin", "bureau", "auditor")


def sees_recipient(user, depot) -> bool:
    """Whether the user may see who received at a depot (name, phone, masked ID number,
    signature): the bureau, admins and auditors everywhere, a keeper at their own depots.
    Planners and other keepers see the household code only."""
    return user.role in READERS or can_move_stock(user, depot)
#: the audit trail's name for what was read
SUBJECT = "household"


@dataclass
class RecipientTrace:
    """The distributions one household received, oldest first, as a look-up found them."""

    #: "id_number" or "name_phone"
    by: str
    #: the ID number as it may be shown (first four, last four), or None
    id_masked: str | None
    distributions: list[Distribution] = field(default_factory=list)

    @property
    def households(self) -> list[str]:
        """The household codes found (one, unless a name and phone were used for two)."""
        return sorted({record.household_code for record in self.distributions})

    @property
    def lot_ids(self) -> list[int]:
        """The lots the household's goods came from, for their traces."""
        return sorted({line.lot_id for record in self.distributions for line in record.lines})


def _by_id_number(session, key: bytes, id_number: str) -> tuple[str, list[Distribution]]:
    number = domain.normalize_id_number(id_number)
    hashed = domain.keyed_hash(key, f"id:{number}")
    records = session.scalars(select(Distribution).where(
        or_(Distribution.id_hash == hashed, Distribution.household_key == hashed))
        .order_by(Distribution.occurred_at, Distribution.id))
    return domain.mask_id_number(number), list(records)


def _by_name_and_phone(session, key: bytes, name: str, phone: str) -> list[Distribution]:
    """The households that received under the name and phone (recorded with or without an ID
    number), then everything those households received."""
    named_key = domain.keyed_hash(key, f"np:{name}|{phone}")
    keys = set(session.scalars(select(Distribution.household_key).where(or_(
        (Distribution.recipient_name == name) & (Distribution.phone == phone),
        Distribution.household_key == named_key))))
    if not keys:
        return []
    return list(session.scalars(select(Distribution).where(
        Distribution.household_key.in_(keys))
        .order_by(Distribution.occurred_at, Distribution.id)))


def _checked_name_and_phone(name: str | None, phone: str | None) -> tuple[str, str]:
    """:raise InvalidInput: unless both a name and a phone are given."""
    name, phone = (name or "").strip(), (phone or "").strip()
    if not name or not phone:
        raise InvalidInput("请填写身份证号，或同时填写姓名和电话。",
                           "Give an ID number, or a name and a phone number.",
                           {"id_number": ["an ID number, or name and phone"]})
    return name, phone


def trace_recipient(session, actor, *, id_key: bytes, id_number: str | None = None,
                    name: str | None = None, phone: str | None = None) -> RecipientTrace:
    """Return every distribution one household received, by its ID number or by name and
    phone, and write the look-up to the audit trail (the ID number masked only).

    :raise Forbidden: unless the actor is the bureau, an admin or an auditor.
    :raise InvalidInput: for a malformed ID number (never repeated in the message), or for
        neither an ID number nor both a name and a phone.
    """
    ensure_role(actor, *READERS)
    with unit_of_work(session):
        if id_number and id_number.strip():
            masked, records = _by_id_number(session, id_key, id_number)
            found = RecipientTrace("id_number", masked, records)
        else:
            name, phone = _checked_name_and_phone(name, phone)
            found = RecipientTrace("name_phone", None, _by_name_and_phone(
                session, id_key, name, phone))
        audit.record(session, actor, "recipient.trace", SUBJECT,
                     found.distributions[0].id if found.distributions else 0,
                     by=found.by, id_number=found.id_masked, households=found.households,
                     distributions=[record.number for record in found.distributions])
        log.info("recipient trace by %s: %d households, %d distributions", found.by,
                 len(found.households), len(found.distributions))
    return found
