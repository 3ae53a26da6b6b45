"""The shared A4 layout of printed documents, on plain data: pages, footers, markup, QR cells."""

import io

import pypdfium2
import zxingcpp
from pypdf import PdfReader

from inventory.documents.layout import Column, Document, Qr, render

COLUMNS = [Column("序号", 0.08), Column("物资", 0.4), Column("数量", 0.2, numeric=True),
           Column("二维码", 0.32)]


def document(count: int = 0, **changes) -> Document:
    fields = dict(
        title="应急物资调拨单", number="DB-2026-00042",
        parties=[("调出单位", "县级救灾物资储备库（XZ-01）"), ("调入单位", "凤城镇储备点（TS-01）"),
                 ("调拨事由", "汛前预置")],
        columns=COLUMNS,
        rows=[[str(n), f"折叠床 L-{n:03d}", str(n), Qr(f"https://reserves.example.cn/q/L-{n}-AAAA")]
              for n in range(1, count + 1)],
        signatures=["调出单位经办人", "调入单位验收人"], footer="打印于 2026-11-23 10:00")
    return Document(**fields | changes)


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_long_document_runs_over_pages_each_numbered_with_the_count():
    texts = pages(render(document(20)))
    assert len(texts) >= 2
    for number, text in enumerate(texts, start=1):
        assert f"第 {number} 页，共 {len(texts)} 页" in text
        assert "应急物资调拨单 DB-2026-00042" in text and "打印于 2026-11-23 10:00" in text
        assert "序号" in text  # the table's heading is repeated on every page
    assert "L-001" in texts[0] and "L-020" in texts[-1]
    assert "调入单位验收人" in texts[-1] and "调入单位验收人" not in texts[0]


def test_the_parties_and_a_short_table_fit_one_page():
    [text] = pages(render(document(2)))
    assert "编号：DB-2026-00042" in text and "县级救灾物资储备库（XZ-01）" in text
    assert "汛前预置" in text and "第 1 页，共 1 页" in text


def test_data_that_looks_like_markup_is_printed_as_typed():
    rows = [["1", "<b>帐篷</b> & <br/>棉被", "3", ""]]
    [text] = pages(render(document(rows=rows, totals=["", "合计", "3", ""])))
    assert "<b>帐篷</b> & <br/>棉被" in text and "合计" in text


def test_every_qr_cell_decodes_to_its_text():
    pdf = render(document(3))
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=200 / 72).to_pil()
    assert sorted(found.text for found in zxingcpp.read_barcodes(image)) == [
        f"https://reserves.example.cn/q/L-{n}-AAAA" for n in (1, 2, 3)]
