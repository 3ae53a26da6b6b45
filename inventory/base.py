"""What every layer may import, Flask or not: the project's root folder and the mark for
strings translated where they are shown."""

from pathlib import Path

#: the repository's root (templates/, migrations/ and instance/ are found from it)
ROOT = Path(__file__).resolve().parent.parent


def N_(text: str) -> str:  # noqa: N802 - the usual name of gettext_noop
    """Mark a string for translation where it is defined; translate it where it is shown."""
    return text
