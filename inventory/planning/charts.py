"""A rotation plan's stock drawn month by month against the minimum, as server-side SVG: the
plan's stock line, doing nothing's (dashed) and the minimum, one small chart per item."""

from dataclasses import dataclass

from inventory.planorders.schedule import Schedule

#: the drawing's size in SVG units (it scales to the width it is given)
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 600, 180, 48, 12, 12, 24


@dataclass
class StockChart:
    item: str
    minimum: int
    #: "x,y x,y …" for an SVG polyline: under the plan, and doing nothing
    plan: str
    idle: str
    minimum_y: float
    #: the highest stock drawn, labelled at the top of the axis
    top: int
    #: (x, "YYYY-MM") of the months labelled along the bottom
    months: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT


def stock_charts(schedule: Schedule) -> list[StockChart]:
    """Return a chart per item the plan holds stock of."""
    count = len(schedule.months)
    step = (WIDTH - LEFT - RIGHT) / max(count - 1, 1)
    charts = []
    for item in schedule.items:
        planned = [month.stock.get(item) for month in schedule.months]
        if all(value is None for value in planned):
            continue
        idle = [month.idle_stock.get(item, 0) for month in schedule.months]
        minimum = schedule.minimum.get(item, 0)
        top = max([value or 0 for value in planned] + idle + [minimum, 1])

        def y(value: float, top=top) -> float:
            return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top), 1)

        def line(values) -> str:
            return " ".join(f"{round(LEFT + n * step, 1)},{y(v)}"
                            for n, v in enumerate(values) if v is not None)

        every = max(1, count // 6)
        months = [(round(LEFT + n * step, 1), month.month.strftime("%Y-%m"))
                  for n, month in enumerate(schedule.months) if n % every == 0]
        charts.append(StockChart(item, minimum, line(planned), line(idle), y(minimum), top,
                                 months))
    return charts
