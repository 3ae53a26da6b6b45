"""The key of recipients' ID-number hashes, read from the app's configuration."""

from flask import current_app

from inventory.distribution import domain


def hash_key() -> bytes:
    """DISTRIBUTION_ID_KEY, else a key derived from SECRET_KEY."""
    configured = current_app.config.get("DISTRIBUTION_ID_KEY")
    if configured:
        return configured.encode()
    return domain.id_key(current_app.config["SECRET_KEY"])
