"""The trace (追溯): for a lot, where it came from and where it went (receipt, transfers with
their waybills, what was handed out); for a shelter, what arrived and what was handed out."""


def init_app(app) -> None:
    """Register the sections other features add to a trace (``inventory.trace.sections``).

    Distribution to households plugs its section in here: a provider of the handed-out
    rows' distributions, by their references.
    """
    from inventory.donations.trace import donation_section
    from inventory.trace.sections import register_lot_section

    register_lot_section(donation_section)
