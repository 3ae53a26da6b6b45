"""A lot's trace as a file: one row per step (every ledger row of the traced lots, each with
its transfer and waybill), then the sections other features add; CSV (UTF-8 with a byte
order mark, for Excel) or XLSX. Times are the bureau's, with their offset in the CSV."""

import csv
import io

from flask import Response
from flask_babel import gettext

from inventory import clock
from inventory.audit.export import FORMULA_STARTS
from inventory.stock.models import KIND_LABELS
from inventory.trace.queries import LotTrace, Step
from inventory.xlsx import add_table, send_workbook, workbook


def _text(value) -> str:
    """Text someone typed, made safe to open in a spreadsheet (never run as a formula)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def headers() -> list[str]:
    """Return the column headings of a lot's trace export."""
    return [gettext("时间"), gettext("环节"), gettext("储备库编号"), gettext("储备库"),
            gettext("物资编号"), gettext("批次号"), gettext("批次编号"), gettext("数量"),
            gettext("单据号"), gettext("调拨单"), gettext("运单"), gettext("发车时间"),
            gettext("到达时间"), gettext("行程（小时）")]


def step_label(step: Step) -> str:
    """What the step was, in the reader's language: handed out, sent, arrived, …"""
    if step.handed_out:
        return gettext("发放")
    return gettext(KIND_LABELS[step.kind])


def _iso(moment) -> str:
    local = clock.local_time(moment)
    return local.isoformat(timespec="minutes") if local else ""


def rows(trace: LotTrace, *, spreadsheet: bool = False) -> list[list]:
    """The steps as rows: times ISO 8601 with offset (a spreadsheet's: local, no zone)."""
    when = clock.spreadsheet_time if spreadsheet else _iso
    found = []
    for step in trace.steps:
        waybill = step.waybill
        found.append([
            when(step.at), step_label(step), step.depot.code, step.depot.name,
            step.lot.item.code, _text(step.lot.code), step.lot.id, step.movement.quantity,
            _text(step.movement.reference), step.transfer.number if step.transfer else "",
            waybill.number if waybill else "",
            when(waybill.departed_at) if waybill else "",
            when(waybill.arrived_at) if waybill and waybill.arrived_at else "",
            waybill.trip_hours if waybill and waybill.trip_hours is not None else ""])
    return found


def _section_rows(trace: LotTrace) -> list[list]:
    lines: list[list] = []
    for section in trace.sections:
        lines += [[], [gettext(section.title)], [gettext(h) for h in section.headers]]
        lines += [[_text(cell) for cell in row] for row in section.rows]
    return lines


def filename(trace: LotTrace, fmt: str) -> str:
    """Return the download's file name for a lot's trace."""
    return f"lot-{trace.lot.id}-trace.{fmt}"


def send_csv(trace: LotTrace) -> Response:
    """Answer with the trace as a CSV download."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([gettext("批次追溯"), trace.lot.item.name_zh, trace.lot.code,
                     trace.lot.depot.name])
    writer.writerow(headers())
    writer.writerows(rows(trace))
    writer.writerows(_section_rows(trace))
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="{filename(trace, "csv")}"'})


def send_xlsx(trace: LotTrace) -> Response:
    """Answer with the trace as an XLSX download: the steps, then a sheet per section."""
    book = workbook()
    add_table(book, gettext("追溯"), headers(), rows(trace, spreadsheet=True),
              preamble=[[gettext("批次追溯"), trace.lot.item.name_zh, trace.lot.code,
                         trace.lot.depot.name]])
    for section in trace.sections:
        add_table(book, gettext(section.title)[:31], [gettext(h) for h in section.headers],
                  [[_text(cell) for cell in row] for row in section.rows])
    return send_workbook(book, filename(trace, "xlsx"))
