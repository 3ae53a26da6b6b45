"""A dispatch drawn as a map from the register's coordinates, server-side, with no tiles: the
sources and shelters as dots, each flow as a line as wide as its share of the units, shelters
left short in red. Plain SVG, so it needs no script, works offline and scales to a phone."""

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from inventory.contracts.models import CapacityReserve
from inventory.geo.models import Area, Depot
from inventory.shelters.models import Shelter

if TYPE_CHECKING:  # results draws its map with this module
    from inventory.planning.results import DispatchResult

#: the drawing's size in SVG units (it scales to the width it is given)
WIDTH, HEIGHT, MARGIN = 600, 420, 36
#: stroke widths of the thinnest and widest flow
THINNEST, WIDEST = 1.0, 9.0
#: sources named on the map, the busiest first (a county's village points would crowd it)
LABELLED_SOURCES = 6


@dataclass
class Dot:
    code: str
    x: float
    y: float
    #: "source" or "site"
    role: str
    short: bool = False
    #: whether the code is written beside the dot (every site, the busiest sources)
    labelled: bool = True


@dataclass
class Flow:
    source: str
    site: str
    units: int
    x1: float
    y1: float
    x2: float
    y2: float
    width: float


@dataclass
class FlowMap:
    dots: list[Dot]
    flows: list[Flow]
    #: sources and sites the register has no coordinates for (listed beside the map)
    unplaced: list[str] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT


def coordinates(session, codes: set[str]) -> dict[str, tuple[float, float]]:
    """Return (latitude, longitude) of the depots, shelters and firms among the codes."""
    found: dict[str, tuple[float, float]] = {}
    for code, lat, lon in session.execute(select(Depot.code, Depot.latitude, Depot.longitude)
                                          .where(Depot.code.in_(codes))):
        if lat is not None and lon is not None:
            found[code] = (float(lat), float(lon))
    for code, lat, lon in session.execute(select(Shelter.code, Shelter.latitude,
                                                 Shelter.longitude)
                                          .where(Shelter.code.in_(codes))):
        if lat is not None and lon is not None:
            found[code] = (float(lat), float(lon))
    firms = {int(code[3:]): code for code in codes if code.startswith("CN-") and code[3:].isdigit()}
    for firm_id, lat, lon in session.execute(
            select(CapacityReserve.id, Area.latitude, Area.longitude)
            .join(Area, Area.id == CapacityReserve.area_id)
            .where(CapacityReserve.id.in_(firms))):
        if lat is not None and lon is not None:
            found[firms[firm_id]] = (float(lat), float(lon))
    return found


def flow_map(result: "DispatchResult", where: dict[str, tuple[float, float]]) -> FlowMap:
    """Lay the dispatch out on the drawing: north up, east right, distances true to scale."""
    flows: dict[tuple[str, str], int] = {}
    for source in result.sources:
        for row in source.shipments:
            flows[source.source, row["site"]] = flows.get((source.source, row["site"]), 0) + (
                row["quantity"])
    codes = [s.source for s in result.sources] + [s.site for s in result.sites]
    placed = {code: where[code] for code in codes if code in where}
    unplaced = sorted({code for code in codes if code not in where})
    if not placed:
        return FlowMap([], [], unplaced)
    lats = [lat for lat, _ in placed.values()]
    lons = [lon for _, lon in placed.values()]
    # A degree of longitude is shorter than one of latitude away from the equator.
    squeeze = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lons) - min(lons)) * squeeze, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    scale = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN) / span_y)

    def point(code: str) -> tuple[float, float]:
        lat, lon = placed[code]
        return (round(MARGIN + (lon - min(lons)) * squeeze * scale, 1),
                round(HEIGHT - MARGIN - (lat - min(lats)) * scale, 1))

    short = {site.site for site in result.sites if site.short > 0}
    sites = {site.site for site in result.sites}
    sent = {source.source: source.units for source in result.sources}
    busiest = set(sorted(sent, key=lambda code: -sent[code])[:LABELLED_SOURCES])
    dots = [Dot(code, *point(code), "site" if code in sites else "source", code in short,
                code in sites or code in busiest)
            for code in dict.fromkeys(codes) if code in placed]
    most = max(flows.values(), default=1)
    lines = [Flow(source, site, units, *point(source), *point(site),
                  round(THINNEST + (WIDEST - THINNEST) * units / most, 1))
             for (source, site), units in sorted(flows.items())
             if source in placed and site in placed and source != site]
    return FlowMap(dots, lines, unplaced)
