"""QR label payloads: the kind and id of an object, signed with the installation's label secret.

A payload reads ``L-17-7QK3J9QX2MZT``: the kind (L lot, D depot, B bin, W waybill), the
object's id, a two-character tag of the installation and a ten-character signature (50 bits
of an HMAC-SHA256). A label printed today stays valid for the life of its object: the label
secret is kept apart from the session key, so rotating one never invalidates the other.
The QR code holds the payload inside a URL (``https://host/q/<payload>``), so a phone's own
camera opens the object's page; the scan screen accepts the URL, the bare payload, or a
lot code typed by hand.
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from inventory.errors import DomainError

KINDS = {"L": "lot", "D": "depot", "B": "bin", "W": "waybill"}
LETTERS = {name: letter for letter, name in KINDS.items()}
_PAYLOAD = re.compile(r"^([A-Z])-(\d{1,12})-([A-Z2-7]{2})([A-Z2-7]{10})$")
_ALMOST = re.compile(r"^[A-Z]-\d")


class InvalidLabel(DomainError):
    code = "invalid_label"
    status = 422


@dataclass(frozen=True)
class Target:
    kind: str  # lot, depot or bin
    id: int


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii")


def installation_tag(secret: str) -> str:
    """Two characters that tell this installation's labels from another's."""
    return _b32(hashlib.sha256(b"label-installation:" + secret.encode()).digest())[:2]


def _signature(secret: str, letter: str, object_id: int) -> str:
    mac = hmac.new(secret.encode(), f"{letter}-{object_id}".encode(), hashlib.sha256)
    return _b32(mac.digest())[:10]


def sign(kind: str, object_id: int, secret: str) -> str:
    """Return the payload for an object of a kind (lot, depot, bin)."""
    letter = LETTERS[kind]
    return f"{letter}-{object_id}-{installation_tag(secret)}{_signature(secret, letter, object_id)}"


def extract(text: str) -> str:
    """Return the payload from a scan: a label URL (…/q/<payload>) or the payload itself."""
    text = text.strip()
    if "/q/" in text:
        text = text.rsplit("/q/", 1)[1]
    return text.split("?", 1)[0].split("#", 1)[0].strip("/").upper()


def looks_like_payload(text: str) -> bool:
    """True when a scan is meant as a label (as opposed to a lot code typed by hand)."""
    text = text.strip()
    return "/q/" in text or bool(_PAYLOAD.match(text.upper()))


def parse(text: str, secret: str) -> Target:
    """Return what a scanned label points at.

    :raise InvalidLabel: for a truncated or damaged code, another installation's label,
        or a signature that does not match (a hand-made code).
    """
    payload = extract(text)
    match = _PAYLOAD.match(payload)
    if match is None:
        if _ALMOST.match(payload):
            raise InvalidLabel("标签内容不完整，请重新扫描或手工输入批次号。",
                               "The label code is incomplete; scan again or type the lot code.",
                               {"code": ["incomplete label"]})
        raise InvalidLabel("无法识别的标签。", "This is not one of our labels.",
                           {"code": ["unknown format"]})
    letter, object_id, tag, signature = match.groups()
    if letter not in KINDS:
        raise InvalidLabel("无法识别的标签类型。", "Unknown label kind.",
                           {"code": ["unknown kind"]})
    if tag != installation_tag(secret):
        raise InvalidLabel("此标签来自其他系统（其他单位或测试环境），不能在本系统使用。",
                           "This label belongs to another installation and is not valid here.",
                           {"code": ["another installation"]})
    if not hmac.compare_digest(signature, _signature(secret, letter, int(object_id))):
        raise InvalidLabel("标签校验失败：可能是伪造或损坏的标签，请联系管理员。",
                           "The label's signature does not match: it is forged or damaged.",
                           {"code": ["bad signature"]})
    return Target(KINDS[letter], int(object_id))
