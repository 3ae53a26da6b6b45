"""The demo county (placeholder until the generator lands)."""


def seed(session) -> dict:
    return {}
