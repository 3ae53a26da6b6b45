"""Sections other features add to a trace, so that the trace needs to know none of them.

A provider is a function ``provider(session, trace) -> Section | None``: it reads what its
feature knows about the traced lot (or shelter) and returns a table, or None when it has
nothing to say. Donations add the donor and the pledge of a donated lot. Distribution to
households (``inventory.distribution``) plugs in the same way: register a provider that
reads its records by the references of the trace's handed-out rows (``trace.handed_out``)
and returns what it may show; a lot's or a shelter's trace is read by every role, so a
provider shows no recipient's personal data there.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """A titled table a feature adds to a trace page and its export."""

    #: a stable name, e.g. "donation" or "distributions"
    key: str
    #: the title in Chinese, marked for translation (``N_``) by the provider
    title: str
    headers: list[str]
    rows: list[list[str]]
    #: for each row, the page its first cell links to, as (endpoint, values) for ``url_for``,
    #: or None: built where a page is drawn, so a section is read outside a request too
    links: list[tuple[str, dict] | None] = field(default_factory=list)


#: providers of sections for a lot's trace, in the order their sections are shown
LOT_SECTION_PROVIDERS: list[Callable] = []
#: providers of sections for a shelter's trace
SHELTER_SECTION_PROVIDERS: list[Callable] = []


def register_lot_section(provider: Callable) -> None:
    """Add a provider of a section to every lot's trace (once, however often it is called)."""
    if provider not in LOT_SECTION_PROVIDERS:
        LOT_SECTION_PROVIDERS.append(provider)


def register_shelter_section(provider: Callable) -> None:
    """Add a provider of a section to every shelter's trace (once)."""
    if provider not in SHELTER_SECTION_PROVIDERS:
        SHELTER_SECTION_PROVIDERS.append(provider)


def for_lot(session, trace) -> list[Section]:
    """Return the sections the providers add to a lot's trace."""
    return [found for provider in LOT_SECTION_PROVIDERS
            if (found := provider(session, trace)) is not None]


def for_shelter(session, trace) -> list[Section]:
    """Return the sections the providers add to a shelter's trace."""
    return [found for provider in SHELTER_SECTION_PROVIDERS
            if (found := provider(session, trace)) is not None]
