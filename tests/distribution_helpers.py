"""Shared pieces of the distribution tests: a signature PNG, valid ID numbers, a norm."""

import base64
import io
from decimal import Decimal

from PIL import Image

from inventory.distribution.domain import id_check_character
from inventory.readiness.models import Norm


def signature_png() -> str:
    """A small signature as a canvas would send it: a PNG data URL."""
    image = Image.new("RGBA", (120, 40), (255, 255, 255, 0))
    for x in range(10, 110):
        image.putpixel((x, 20 + (x % 7) - 3), (0, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (240, 240, 240)).save(buffer, format="JPEG")
    return buffer.getvalue()


def id_number(serial: int, region: str = "640102") -> str:
    """A well-formed 18-character ID number (right check character) for test households."""
    first17 = f"{region}19800101{serial % 1000:03d}"
    return first17 + id_check_character(first17)


def add_norm(session, item, hours: int = 72) -> None:
    session.add(Norm(item_id=item.id, per_person=Decimal(1), duration_hours=hours,
                     season="all"))
    session.commit()
