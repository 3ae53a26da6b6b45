"""The new-transfer form as posted: items and quantities wanted, then the quantity taken from
each proposed lot. Raw values are kept so that a refused form comes back as it was typed."""

from dataclasses import dataclass, field

from inventory.errors import InvalidInput

#: the most one line may move, as the API allows
MAX_QUANTITY = 1_000_000_000
#: the most rows of items one form takes
MAX_ROWS = 100
#: ids of lots as the database stores them
MAX_ID = 2**31 - 1


def digits(text: str, most: int) -> bool:
    """Tell whether the text is a whole number of at most ``most`` ASCII digits."""
    return text.isascii() and text.isdigit() and len(text) <= most


def _whole(raw: str, *, field_name: str, zh: str, en: str, minimum: int) -> int:
    text = raw.strip()
    if not digits(text, 10) or not minimum <= int(text) <= MAX_QUANTITY:
        raise InvalidInput(zh, en, {field_name: [f"whole number {minimum} … {MAX_QUANTITY}"]})
    return int(text)


@dataclass
class TransferForm:
    from_depot: str = ""
    to_depot: str = ""
    reason: str = ""
    reference: str = ""
    #: (item code, quantity) as typed, rows left blank dropped
    rows: list[tuple[str, str]] = field(default_factory=list)
    #: lot id → quantity to take, as typed on the proposal
    takes: dict[int, str] = field(default_factory=dict)

    @classmethod
    def read(cls, form) -> "TransferForm":
        """Read the posted form (or the query string of a first visit)."""
        rows = [(item.strip(), quantity.strip()) for item, quantity
                in zip(form.getlist("item"), form.getlist("quantity"), strict=False)
                if item.strip() or quantity.strip()]
        takes = {}
        for name, value in form.items(multi=True):
            number = name.removeprefix("lot-")
            if number != name and digits(number, 10) and 0 < int(number) <= MAX_ID:
                takes[int(number)] = value
        return cls(from_depot=form.get("from_depot", "").strip(),
                   to_depot=form.get("to_depot", "").strip(),
                   reason=form.get("reason", "").strip(),
                   reference=form.get("reference", "").strip(),
                   rows=rows[:MAX_ROWS], takes=takes)

    def wanted(self) -> list[tuple[str, int]]:
        """The items and quantities asked for.

        :raise InvalidInput: for a row without an item or a whole quantity.
        """
        wanted = []
        for number, (item, quantity) in enumerate(self.rows, start=1):
            if not item:
                raise InvalidInput(f"第 {number} 行未选物资。", f"Row {number} has no item.",
                                   {"item": ["required"]})
            wanted.append((item, _whole(
                quantity, field_name="quantity", minimum=1,
                zh=f"第 {number} 行的数量须为正整数。",
                en=f"The quantity in row {number} must be a positive whole number.")))
        return wanted

    def order(self) -> dict:
        """The arguments of ``services.create``: the depots, texts and one line per lot taken.

        :raise InvalidInput: for a missing depot, an overlong text or a quantity that is not
            a whole number.
        """
        if not self.from_depot or not self.to_depot:
            raise InvalidInput("请选择调出库和调入库。",
                               "Choose the depot to send from and the one to send to.",
                               {"from_depot": ["required"], "to_depot": ["required"]})
        if len(self.reason) > 500 or len(self.reference) > 100:
            raise InvalidInput("事由最多 500 字，依据文号最多 100 字。",
                               "The reason may have 500 characters, the reference 100.",
                               {"reason": ["at most 500"], "reference": ["at most 100"]})
        lines = []
        for lot, raw in self.takes.items():
            if not raw.strip():
                continue
            quantity = _whole(raw, field_name=f"lot-{lot}", minimum=0,
                              zh="调拨数量须为不小于 0 的整数。",
                              en="A quantity to send must be a whole number, 0 or more.")
            if quantity:
                lines.append({"lot": lot, "quantity": quantity})
        return {"from_depot": self.from_depot, "to_depot": self.to_depot, "lines": lines,
                "reason": self.reason or None, "reference": self.reference or None}
