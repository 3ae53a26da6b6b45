"""Named domain errors, each with an HTTP status and a message a keeper understands.

Services raise these; one handler (``inventory.api.errors``) turns them into JSON
``{"code", "status", "message", "errors"}`` in Chinese or English.
"""


class DomainError(Exception):
    """A refused request: nothing was changed."""

    code = "refused"
    status = 409

    def __init__(self, zh: str, en: str, errors: dict | None = None):
        super().__init__(en)
        self.zh = zh
        self.en = en
        self.errors = errors or {}

    def message(self, language: str = "zh") -> str:
        return self.en if language == "en" else self.zh


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    status = 409


class LotNotUsable(DomainError):
    code = "lot_not_usable"
    status = 409


class StateConflict(DomainError):
    code = "state_conflict"
    status = 409


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 409


def ensure_length(text: str | None, field: str, most: int) -> str | None:
    """Return a typed text when it fits its field; a form has no schema to bound it.

    :raise InvalidInput: when it is longer than ``most`` characters.
    """
    if text is not None and len(text) > most:
        raise InvalidInput(f"内容过长（至多 {most} 个字符）。",
                           f"The text is too long (at most {most} characters).",
                           {field: [f"longer than {most} characters"]})
    return text
