"""The audit trail as CSV for auditors: UTF-8 with a BOM, so that Excel opens it in Chinese."""

import csv
import io
import json

from inventory import clock

HEADERS = ("编号", "时间", "操作人", "动作", "对象类型", "对象编号", "变更前", "变更后", "其他")
#: a cell starting with one of these is a formula to a spreadsheet
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    # A value someone typed must not run as a formula when the auditor opens the file.
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def trail_csv(events) -> bytes:
    """Return the events as CSV rows, times in the bureau's time zone with their offset."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for event in events:
        writer.writerow([
            event.id, clock.local_time(event.at).isoformat(timespec="seconds"),
            _cell(event.actor.username if event.actor else "（系统）"), _cell(event.action),
            _cell(event.subject_type), event.subject_id, _cell(event.before),
            _cell(event.after), _cell(event.particulars or None)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
