"""Loading the catalogue of relief items from the packaged CSV."""

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from inventory.catalogue.models import Item
from inventory.catalogue.seed import load_catalogue, read_catalogue
from inventory.db import db

SHARED = Path(__file__).resolve().parents[3] / "shared" / "domain" / "catalogue.csv"


def _shared_rows() -> dict[str, list[str]]:
    """The shared catalogue, read leniently: its English names may hold unquoted commas."""
    rows = {}
    lines = SHARED.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        parts = line.split(",")
        head, tail = parts[:2], parts[-6:]
        rows[head[0]] = [*head, ",".join(parts[2:-6]), *tail]
    return rows


@pytest.mark.skipif(not SHARED.exists(), reason="the shared domain data is not beside the repo")
def test_the_packaged_catalogue_matches_the_shared_one():
    shared = _shared_rows()
    packaged = {row.code: row for row in read_catalogue()}
    assert packaged.keys() == shared.keys()
    for code, fields in shared.items():
        row = packaged[code]
        _, name_zh, name_en, category, gbt_class, unit, shelf, volume, weight = fields
        assert (row.name_zh, row.name_en, row.category, row.gbt_class, row.unit) == (
            name_zh, name_en, category, gbt_class, unit)
        assert row.shelf_life_days == (int(shelf) if shelf else None)
        assert row.unit_volume_m3 == Decimal(volume) and row.unit_weight_kg == Decimal(weight)


def test_durable_goods_have_no_shelf_life():
    rows = {row.code: row for row in read_catalogue()}
    assert rows["SH-TENT-12"].shelf_life_days is None
    assert rows["FW-WATER-5L"].shelf_life_days == 730
    assert rows["FW-BISCUIT"].name_en == "Compressed biscuits (2,100 kcal pack)"


def test_a_row_with_an_unquoted_comma_is_refused_with_its_line_number():
    text = ("code,name_zh,name_en,category,gbt38565_top_class,unit,shelf_life_days,"
            "unit_volume_m3,unit_weight_kg\n"
            "SH-QUILT,棉被,Quilt,生活类,1 基本生活保障物资,床,,0.04,2.5\n"
            "FW-BISCUIT,压缩饼干,Biscuits (2,100 kcal),食品饮水,1 基本生活保障物资,包,"
            "1095,0.0012,0.5\n")
    with pytest.raises(ValueError, match="line 3"):
        read_catalogue(text)


def test_loading_twice_changes_nothing_and_updates_by_code(app):
    first = load_catalogue(db.session)
    assert first == {"created": len(read_catalogue()), "updated": 0}
    assert load_catalogue(db.session) == {"created": 0, "updated": 0}
    quilt = db.session.scalar(select(Item).where(Item.code == "SH-QUILT"))
    quilt.name_zh = "旧名称"
    db.session.commit()
    assert load_catalogue(db.session) == {"created": 0, "updated": 1}
    db.session.expire_all()
    assert db.session.scalar(select(Item.name_zh).where(Item.code == "SH-QUILT")) == "棉被"
