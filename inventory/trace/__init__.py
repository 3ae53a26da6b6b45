"""The trace (追溯): for a lot, where it came from and where it went (receipt, transfers with
their waybills, what was handed out); for a shelter, what arrived and what was handed out."""


def init_app(app) -> None:
    """Register the sections other features add to a trace (``inventory.trace.sections``).

    Distribution to households adds the handed-out rows' distributions, by their
    references, to a lot's trace and to a shelter's.
    """
    from inventory.distribution.trace import (
        lot_distributions_section,
        shelter_distributions_section,
    )
    from inventory.donations.trace import donation_section
    from inventory.trace.sections import register_lot_section, register_shelter_section

    register_lot_section(donation_section)
    register_lot_section(lot_distributions_section)
    register_shelter_section(shelter_distributions_section)
