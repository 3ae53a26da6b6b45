"""Reading a households list: the columns by their Chinese or English headers, items in one
column or one column per item code, CSV in UTF-8 or GBK."""

import pytest

from inventory.distribution.batches import read_households
from inventory.errors import InvalidInput


def csv_bytes(text: str, encoding: str = "utf-8-sig") -> bytes:
    return text.encode(encoding)


def test_items_are_read_from_an_items_column_and_from_item_code_columns():
    data = csv_bytes("姓名*,家庭人口,电话,身份证号,物资,压缩饼干（FW-BISCUIT）\n"
                     "刘一,3,138,,FW-WATER-5L×2，SH-QUILT x 1,4\n"
                     "陈二,2,,,,\n")
    first, second = read_households(data, "户表.csv")
    assert first == {"row": 2, "name": "刘一", "household_size": 3, "phone": "138",
                     "items": [{"item": "FW-WATER-5L", "quantity": 2},
                               {"item": "SH-QUILT", "quantity": 1},
                               {"item": "FW-BISCUIT", "quantity": 4}]}
    assert second == {"row": 3, "name": "陈二", "household_size": 2, "items": []}


def test_english_headers_and_a_gbk_file_are_read_alike():
    data = csv_bytes("name,household size,phone,ID number,items\n王五,1,139,,FW-WATER-5L:3\n",
                     "gb18030")
    [household] = read_households(data, "list.csv")
    assert household["name"] == "王五" and household["items"] == [
        {"item": "FW-WATER-5L", "quantity": 3}]


def test_an_item_written_without_a_quantity_is_kept_for_the_check_to_refuse():
    [household] = read_households(csv_bytes("姓名,家庭人口,物资\n刘一,3,棉被\n"), "x.csv")
    assert household["items"] == [{"item": "棉被", "quantity": None}]


@pytest.mark.parametrize("text", ["", "电话,物资\n138,FW-WATER-5L×1\n"])
def test_a_file_without_rows_or_the_name_and_size_columns_is_refused(text):
    with pytest.raises(InvalidInput):
        read_households(csv_bytes(text), "x.csv")
