"""Distribution rules in plain Python: the national ID number (masked, keyed hash, never kept
in clear), the household key, the repeat-ration window and the confirmation image's limits."""

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from inventory.errors import InvalidInput, StateConflict

#: the largest signature drawn on a phone (a PNG from a canvas)
MAX_SIGNATURE_BYTES = 200 * 1024
#: the largest photo of a signed paper list
MAX_PHOTO_BYTES = 2 * 1024 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
#: what a confirmation may be: drawn on the phone, a photo, or the printed sign-off sheet
CONFIRMATION_KINDS = ("signature", "photo", "sheet")

_ID_18 = re.compile(r"^\d{17}[\dX]$")
_ID_15 = re.compile(r"^\d{15}$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


class RepeatDistribution(StateConflict):
    """The household already received this ration within the norm's duration."""

    code = "repeat_distribution"


def id_check_character(first17: str) -> str:
    """Return the check character of an 18-character resident ID number (GB 11643)."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalize_id_number(raw: str) -> str:
    """Return the ID number without spaces, its check letter upper case.

    :raise InvalidInput: when it is not 15 digits, or 18 with the right check character; the
        message never repeats the number.
    """
    number = re.sub(r"[\s-]", "", raw or "").upper()
    if _ID_15.match(number):
        return number
    if _ID_18.match(number) and id_check_character(number[:17]) == number[17]:
        return number
    raise InvalidInput("身份证号码格式或校验位有误。",
                       "The national ID number is malformed or its check digit is wrong.",
                       {"id_number": ["not a valid ID number"]})


def mask_id_number(number: str) -> str:
    """Show the first four and last four characters only: ``6401**********1234``."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def keyed_hash(key: bytes, text: str) -> str:
    """Return HMAC-SHA256 of the text under the installation's key, in hex."""
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def id_key(secret_key: str) -> bytes:
    """Derive the ID-number hash key from SECRET_KEY (the default of DISTRIBUTION_ID_KEY)."""
    return hmac.new(secret_key.encode(), b"distribution.id_number", hashlib.sha256).digest()


@dataclass(frozen=True)
class Recipient:
    """Who received: the ID number only as its masked display and keyed hash."""

    name: str
    household_size: int
    phone: str | None
    id_masked: str | None
    id_hash: str | None

    def household_key(self, key: bytes) -> str:
        """Name the household for the repeat check: by ID number when given, else by name and
        phone (a name alone may warn about a namesake, which the keeper then confirms)."""
        if self.id_hash:
            return self.id_hash
        return keyed_hash(key, f"np:{self.name}|{self.phone or ''}")


def recipient(key: bytes, *, name: str, household_size: int, phone: str | None = None,
              id_number: str | None = None) -> Recipient:
    """Check a recipient's fields and turn the ID number into its mask and keyed hash.

    :raise InvalidInput: naming the fields that do not fit.
    """
    name = (name or "").strip()
    phone = (phone or "").strip() or None
    errors = {}
    if not 1 <= len(name) <= 50:
        errors["name"] = ["1 to 50 characters"]
    if isinstance(household_size, bool) or not isinstance(household_size, int) \
            or not 1 <= household_size <= 50:
        errors["household_size"] = ["a whole number from 1 to 50"]
    if phone is not None and not re.fullmatch(r"[\d+\- ]{3,30}", phone):
        errors["phone"] = ["digits, +, - and spaces, at most 30"]
    if errors:
        raise InvalidInput("领取人信息有误：请检查" + "、".join(
            _LABELS[k] for k in errors) + "。", "Check the recipient's "
            + ", ".join(errors) + ".", errors)
    masked = hashed = None
    if id_number:
        number = normalize_id_number(id_number)
        masked, hashed = mask_id_number(number), keyed_hash(key, f"id:{number}")
    return Recipient(name, household_size, phone, masked, hashed)


_LABELS = {"name": "姓名", "household_size": "家庭人口", "phone": "电话"}


def household_code(household_key: str) -> str:
    """The household as the ledger names it: a short code from its keyed hash, no personal
    data (the ledger is exported to auditors)."""
    return "HH-" + household_key[:10].upper()


def repeats(previous: list[tuple[str, datetime]], when: datetime,
            duration_hours: int | None) -> list[str]:
    """Return the numbers of earlier distributions of the item to the household that fall
    within the ration's duration of ``when``, before or after (a phone replays late).

    ``previous`` holds (number, occurred_at) of the household's earlier distributions of the
    item; no norm (no duration) means no ration to repeat.
    """
    if not duration_hours:
        return []
    window = timedelta(hours=duration_hours)
    return [number for number, at in previous if abs(when - at) < window]


def ensure_not_repeated(found: dict[str, list[str]], labels: dict[str, str],
                        confirmed: bool) -> None:
    """:raise RepeatDistribution: when an item was given to the household within its ration's
    duration and the keeper has not confirmed giving it again."""
    found = {item: numbers for item, numbers in found.items() if numbers}
    if not found or confirmed:
        return
    zh = "；".join(f"{labels[i]} 已于 {'、'.join(n)} 发放" for i, n in found.items())
    en = "; ".join(f"{i} was given in {', '.join(n)}" for i, n in found.items())
    raise RepeatDistribution(
        f"该户在标准保障时长内已领取过同一物资（{zh}）。如确需再次发放，请确认后重新提交。",
        f"This household already received the same ration within the norm's duration ({en}). "
        "Confirm to give it again (confirm_repeat: true).",
        {"items": [f"{i}: {', '.join(n)}" for i, n in found.items()]})


@dataclass(frozen=True)
class Image:
    kind: str
    mime: str
    data: bytes


def decode_confirmation(kind: str, data_url: str) -> Image:
    """Read a confirmation image sent as a data URL (``data:image/png;base64,…``).

    A signature is a PNG of at most 200 KB, a photo a JPEG or PNG of at most 2 MB.

    :raise InvalidInput: for another kind, another format, a broken or too large image.
    """
    if kind not in ("signature", "photo"):
        raise InvalidInput("确认方式须为签名或照片。",
                           "The confirmation is a signature or a photo.",
                           {"confirmation": ["signature or photo"]})
    head, _, payload = (data_url or "").partition(",")
    mime = head.removeprefix("data:").removesuffix(";base64")
    allowed = ("image/png",) if kind == "signature" else ("image/png", "image/jpeg")
    limit = MAX_SIGNATURE_BYTES if kind == "signature" else MAX_PHOTO_BYTES
    if not head.endswith(";base64") or mime not in allowed:
        raise InvalidInput("签名须为 PNG 图片，照片须为 JPEG 或 PNG。",
                           "A signature is a PNG image, a photo a JPEG or PNG.",
                           {"confirmation": [" or ".join(allowed)]})
    if len(payload) > limit * 4 // 3 + 4:
        raise _too_large(limit)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("图片数据无法读取。", "The image data cannot be read.",
                           {"confirmation": ["not base64"]}) from None
    if len(data) > limit:
        raise _too_large(limit)
    magic = PNG_MAGIC if mime == "image/png" else JPEG_MAGIC
    if len(data) < 32 or not data.startswith(magic):
        raise InvalidInput("图片数据无法读取。", "The image data is not a readable image.",
                           {"confirmation": ["not an image"]})
    return Image(kind, mime, data)


def _too_large(limit: int) -> InvalidInput:
    return InvalidInput(f"图片过大（最大 {limit // 1024} KB）。",
                        f"The image is too large (at most {limit // 1024} KB).",
                        {"confirmation": [f"at most {limit // 1024} KB"]})


def image_from_upload(data: bytes) -> Image:
    """Read an uploaded photo (a form's file) as a confirmation image, its type told by its
    first bytes rather than by what the browser claims.

    :raise InvalidInput: as ``decode_confirmation``.
    """
    mime = "image/png" if data.startswith(PNG_MAGIC) else "image/jpeg"
    return decode_confirmation("photo", f"data:{mime};base64," + base64.b64encode(data).decode())
