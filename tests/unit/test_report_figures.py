"""The reports' plain pieces: money written from cents, the check on a line, the period and
the moment a request names."""

from datetime import date, datetime, time, timedelta

import pytest

from inventory import clock
from inventory.errors import InvalidInput
from inventory.reports import scope
from inventory.reports.queries import SUMMARY_COLUMNS, Figures
from inventory.reports.schemas import yuan


@pytest.mark.parametrize("cents, written", [(0, "0.00"), (5, "0.05"), (-5, "-0.05"),
                                            (123450, "1234.50"), (-100, "-1.00"),
                                            (2_075_185_40, "2075185.40")])
def test_money_is_written_from_whole_cents_without_rounding(cents, written):
    assert yuan(cents) == written


def line(opening, movements, closing, cents=(0, 0, 0)) -> Figures:
    quantities = [opening, *movements, closing]
    values = [cents[0], *([0] * 7), cents[1], cents[2]]
    return Figures(dict(zip(SUMMARY_COLUMNS, quantities, strict=True)),
                   dict(zip(SUMMARY_COLUMNS, values, strict=True)))


def test_a_line_balances_when_opening_plus_movements_is_its_closing():
    found = line(10, [5, -3, 0, 0, 0, 0, 0, -2], 10, cents=(1000, -200, 800))
    assert found.differences() == (0, 0) and found.balanced


def test_a_line_that_does_not_add_up_says_by_how_much():
    found = line(10, [5, -3, 0, 0, 0, 0, 0, 0], 11, cents=(1000, 0, 1001))
    assert found.differences() == (-1, 1) and not found.balanced
    assert str(found.value_difference) == "0.01"


def test_totals_add_lines_column_by_column():
    total = Figures.zero(SUMMARY_COLUMNS)
    for found in (line(1, [1] * 8, 9, (100, 0, 100)), line(2, [0] * 8, 2, (50, 0, 50))):
        total.add(found)
    assert total.quantity["opening"] == 3 and total.quantity["closing"] == 11
    assert total.cents["closing"] == 150 and total.balanced


def test_a_period_defaults_to_this_year_up_to_today_and_refuses_to_run_backwards():
    today = clock.today()
    assert scope.period() == scope.Period(date(today.year, 1, 1), today)
    assert scope.period(last=date(2025, 3, 4)) == scope.Period(date(2025, 1, 1),
                                                               date(2025, 3, 4))
    with pytest.raises(InvalidInput) as refused:
        scope.period(date(2026, 6, 2), date(2026, 6, 1))
    assert refused.value.errors == {"from": ["after to"]}
    with pytest.raises(InvalidInput):
        scope.period(date(1, 1, 1), date(2026, 1, 1))


def test_a_period_runs_from_its_first_local_midnight_to_the_midnight_after_its_last_day():
    period = scope.Period(date(2026, 1, 1), date(2026, 1, 31))
    assert period.starts_at == datetime(2026, 1, 1, tzinfo=clock.TIMEZONE)
    assert period.ends_before == datetime(2026, 2, 1, tzinfo=clock.TIMEZONE)
    assert period.ends_before - period.starts_at == timedelta(days=31)


def test_a_moment_named_by_a_day_is_its_end_and_one_without_a_zone_is_local_time():
    assert scope.moment(date(2026, 6, 30)) == datetime.combine(date(2026, 6, 30), time.max,
                                                               clock.TIMEZONE)
    assert scope.moment(datetime(2026, 6, 30, 18)) == datetime(2026, 6, 30, 18,
                                                               tzinfo=clock.TIMEZONE)
    assert scope.moment().tzinfo is not None
    with pytest.raises(InvalidInput):
        scope.moment(date(3000, 1, 1))
