"""What the pages' forms share: run a service, say how it went, go on."""

from flask import flash, redirect

from inventory.errors import DomainError
from inventory.i18n import message_of


def act(action, done: str, back: str, forward=None, code: int = 302):
    """Run a form's service; flash ``done`` or the refusal in the page's language; go to
    ``forward(result)`` when given and the service succeeded, else to ``back``."""
    try:
        result = action()
    except DomainError as error:
        flash(message_of(error), "error")
        return redirect(back, code)
    flash(done, "ok")
    return redirect(forward(result) if forward else back, code)
