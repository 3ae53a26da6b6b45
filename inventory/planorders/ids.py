"""How a run's optimizer input names the things orders are made from.

The input builder and the orders read the same names, so both use these functions:

- a depot (a physical source, a pre-positioning depot) is its code: ``XZ-01``;
- a shelter (a dispatch site) is its code, which its receiving point (a ``shelter`` depot)
  shares, so a site id is also the code of the depot the goods go to;
- a contract source is its agreement's number: ``XY-2026-003``;
- a capacity source is its capacity reserve's stable code: ``CN-0007``;
- a lot in a rotation input is the lot's database id in decimal: ``"1234"`` (lot codes are
  unique only within a depot and an item).

The input's ``kind`` of a source (physical, contract, capacity) says which of these it is.
"""

import re

#: the source kinds of the optimizer's input (``optimizer.problems``; not imported here, so
#: that the web app does not load the solver)
PHYSICAL, CONTRACT, CAPACITY = "physical", "contract", "capacity"
CAPACITY_CODE = re.compile(r"^CN-(\d{1,9})$")
LOT_ID = re.compile(r"^[1-9]\d{0,17}$")


def depot_id(depot) -> str:
    """Name a depot (physical source or pre-positioning depot) in a run's input."""
    return depot.code


def site_id(shelter) -> str:
    """Name a shelter as a dispatch site; its receiving point's depot has the same code."""
    return shelter.code


def agreement_source_id(agreement) -> str:
    """Name a contract reserve as a source."""
    return agreement.number


def capacity_source_id(reserve) -> str:
    """Name a capacity reserve as a source: its stable code, ``CN-0007``."""
    return reserve.code


def lot_id(lot) -> str:
    """Name a lot in a rotation input."""
    return str(lot.id)


def capacity_reserve_number(source_id: str) -> int | None:
    """Return the capacity reserve's id a source id names, or None when it names none."""
    match = CAPACITY_CODE.match(source_id)
    return int(match.group(1)) if match else None


def lot_number(lot: str) -> int | None:
    """Return the lot's database id a rotation input names, or None when it names none."""
    return int(lot) if LOT_ID.match(lot) else None
