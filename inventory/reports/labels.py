"""Words the reports print, in Chinese (marked with ``N_``, translated where shown), and the
line that says what a report covers, which every page of a PDF repeats."""

from flask_babel import gettext

from inventory import clock
from inventory.base import N_
from inventory.geo.models import LEVEL_LABELS
from inventory.i18n import punctuation
from inventory.reports.scope import Scope
from inventory.stock.models import KIND_LABELS

COLUMN_LABELS = {
    "opening": N_("期初结存"),
    **KIND_LABELS,
    "closing": N_("期末结存"),
    "on_hand": N_("结存"),
}
TITLES = {
    "stock_summary": N_("物资进销存报表"),
    "stock_on_hand": N_("时点库存报表"),
    "settlements": N_("协议储备结算报表"),
}


def column(name: str) -> str:
    """A figure column's heading in the page's language."""
    return gettext(COLUMN_LABELS[name])


def title(report: str) -> str:
    """A report's title in the page's language."""
    return gettext(TITLES[report])


def period_text(period) -> str:
    """Say the period: its first and last day, both included."""
    return gettext("期间 %(first)s 至 %(last)s", first=period.first.isoformat(),
                   last=period.last.isoformat())


def moment_text(at) -> str:
    """Say the moment a stock-on-hand report reads up to."""
    return gettext("截至 %(at)s", at=clock.format_local(at, "%Y-%m-%d %H:%M:%S"))


def scope_text(scope: Scope) -> str:
    """Say the filters a report was asked for; every depot and item when none."""
    parts = []
    if scope.depot is None and scope.depot_ids is not None:
        parts.append(gettext("我负责的储备库"))
    if scope.depot:
        parts.append(gettext("储备库 %(code)s", code=scope.depot))
    if scope.item:
        parts.append(gettext("物资 %(code)s", code=scope.item))
    if scope.tier:
        parts.append(gettext("层级 %(tier)s", tier=gettext(LEVEL_LABELS[scope.tier])))
    if scope.category:
        parts.append(gettext("类别 %(category)s", category=scope.category))
    if not parts:
        return gettext("全部储备库和物资")
    return punctuation("clause").join(parts)


def covers(report) -> str:
    """The line that says what a report covers: its period or moment, then its filters."""
    when = period_text(report.period) if report.period else moment_text(report.at)
    return f"{when}{punctuation('clause')}{scope_text(report.scope)}"
