"""Input checks that span fields, and marshmallow's nested errors as ``path: message`` lines.

Used by ``optimizer.schemas``: the schemas check each field, these what spans fields (unknown
item codes, duplicate ids, travel pairs between places that do not exist).
"""

from collections.abc import Iterator

from marshmallow import Schema, fields

from optimizer.errors import InvalidInput
from optimizer.problems import CAPACITY, DispatchLimit


def _message(text: str) -> str:
    """Make marshmallow's own messages read like ours: lower case, no full stop."""
    text = text.rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _join(path: str, name: str) -> str:
    if name == "_schema":
        return path
    return f"{path}.{name}" if path else str(name)


def flatten_errors(errors, path: str = "", field=None) -> Iterator[str]:
    """Yield ``path: message`` for each error in marshmallow's nested error dict."""
    if isinstance(errors, list | tuple):
        for message in errors:
            if isinstance(message, dict):
                yield from flatten_errors(message, path, field)
            else:
                yield f"{path or '(document)'}: {_message(str(message))}"
        return
    if isinstance(errors, str):
        yield f"{path or '(document)'}: {_message(errors)}"
        return
    if isinstance(field, fields.Dict):
        for key, parts in errors.items():
            key_path = f"{path}.{key}"
            if not isinstance(parts, dict):
                yield from flatten_errors(parts, key_path)
                continue
            for part, sub in parts.items():
                inner = field.value_field if part == "value" else None
                yield from flatten_errors(sub, key_path, inner)
    elif isinstance(field, fields.List):
        for index, sub in errors.items():
            yield from flatten_errors(sub, f"{path}[{index}]", field.inner)
    else:
        schema = field.schema if isinstance(field, fields.Nested) else field
        declared = schema.fields if isinstance(schema, Schema) else {}
        by_key = {(f.data_key or name): f for name, f in declared.items()}
        for name, sub in errors.items():
            yield from flatten_errors(sub, _join(path, name), by_key.get(name))


class Checks:
    """Collects the errors that span fields, each with its path."""

    def __init__(self):
        self.errors: list[str] = []

    def add(self, path: str, message: str) -> None:
        """Record the error ``message`` at ``path``."""
        self.errors.append(f"{path}: {message}")

    def unique(self, rows: list[dict], key: str, path: str, what: str) -> set[str]:
        """Record each repeated ``key`` among ``rows``; return the keys seen."""
        seen: set[str] = set()
        for index, row in enumerate(rows):
            if row[key] in seen:
                self.add(f"{path}[{index}].{key}", f"duplicate {what} {row[key]!r}")
            seen.add(row[key])
        return seen

    def known_items(self, mapping: dict, path: str, items: set[str]) -> None:
        """Record each key of ``mapping`` that is not one of ``items``."""
        for code in mapping:
            if code not in items:
                self.add(f"{path}.{code}", "unknown item")

    def raise_any(self) -> None:
        """:raise InvalidInput: listing every error recorded, if any."""
        if self.errors:
            raise InvalidInput(self.errors)


def check_sites(checks: Checks, sites: list[dict], path: str, items: set[str]) -> None:
    """Check that site ids are unique and that each demand names known items."""
    checks.unique(sites, "id", path, "site")
    for index, site in enumerate(sites):
        checks.known_items(site["demand"], f"{path}[{index}].demand", items)


def check_sources(checks: Checks, sources: list[dict], path: str, items: set[str]) -> None:
    """Check that sources name known items and give only the fields of their kind."""
    for index, source in enumerate(sources):
        where = f"{path}[{index}]"
        for name in ("stock", "unit_cost", "rate_per_hour", "max"):
            checks.known_items(source[name], f"{where}.{name}", items)
        if source["kind"] == CAPACITY:
            for name in ("stock", "handling_hours"):
                if source[name]:
                    checks.add(f"{where}.{name}", "not used by capacity sources "
                               "(give rate_per_hour, max and ramp_hours)")
        else:
            for name in ("rate_per_hour", "max", "ramp_hours"):
                if source[name]:
                    checks.add(f"{where}.{name}", f"only capacity sources have {name}")


def check_travel(checks: Checks, travel: list[dict], origins: set[str], places: set[str]
                 ) -> dict[tuple[str, str], float]:
    """Check that each travel pair joins known places once; return the hours by pair."""
    hours: dict[tuple[str, str], float] = {}
    for index, leg in enumerate(travel):
        where = f"travel_hours[{index}]"
        if leg["from_"] not in origins:
            checks.add(f"{where}.from", f"unknown source {leg['from_']!r}")
        if leg["to"] not in places:
            checks.add(f"{where}.to", f"unknown destination {leg['to']!r}")
        pair = (leg["from_"], leg["to"])
        if pair in hours:
            checks.add(where, f"duplicate pair {pair[0]}→{pair[1]}")
        hours[pair] = leg["hours"]
    return hours


def check_limits(checks: Checks, limits: list[dict], sources: set[str]
                 ) -> dict[str, DispatchLimit]:
    """Check that each dispatch limit names a known source once; return them by source."""
    checks.unique(limits, "source", "dispatch_limits", "limit for source")
    for index, limit in enumerate(limits):
        if limit["source"] not in sources:
            checks.add(f"dispatch_limits[{index}].source", f"unknown source {limit['source']!r}")
    return {limit["source"]: DispatchLimit(**limit) for limit in limits}
