"""Transport (运输): carriers, vehicles, transport agreements, waybills and trip times."""
