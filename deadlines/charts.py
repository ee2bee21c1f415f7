"""Deadlines per week for the next 26 weeks, stacked by kind, as geometry for a server-rendered SVG.

One aggregate query (due date × kind → count); the weeks are built here so empty weeks still show as gaps
instead of silently disappearing from the axis.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce

from patents.dates import format_date

from .models import Deadline

WEEKS = 26
# Same colours as the kind badges in the tables, so one legend reads everywhere.
KIND_COLOURS = {
    # Red is kept for "overdue" alone; a statutory badge must never be mistaken for an alarm.
    Deadline.Kind.STATUTORY: "#6d28d9",
    Deadline.Kind.PROCEDURAL: "#0e7490",
    Deadline.Kind.INTERNAL: "#6b7280",
}
WIDTH, HEIGHT = 760, 220
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 10, 38


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    legend: list[tuple[str, str, int]] = field(default_factory=list)
    total: int = 0
    start: dt.date | None = None
    end: dt.date | None = None
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM
    table: list[dict] = field(default_factory=list)


def week_start(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def chart_range(today: dt.date, weeks: int = WEEKS) -> tuple[dt.date, dt.date]:
    start = week_start(today)
    return start, start + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)


def build_weekly_chart(qs: QuerySet, today: dt.date, weeks: int = WEEKS) -> Chart:
    start, end = chart_range(today, weeks)
    rows = (
        qs.filter(status=Deadline.Status.OPEN)
        .annotate(when=Coalesce("extended_to", "due_date"))
        .filter(when__gte=start, when__lte=end)
        .order_by()
        .values("when", "kind")
        .annotate(n=Count("pk"))
    )
    return chart_from_counts(rows, today, weeks)


def chart_from_counts(rows, today: dt.date, weeks: int = WEEKS) -> Chart:
    """The chart from counts of open deadlines per date in force and kind (``{"when", "kind", "n"}`` rows;
    rows outside the chart's weeks are ignored)."""
    start, end = chart_range(today, weeks)
    kinds = list(Deadline.Kind)
    counts = [{k: 0 for k in kinds} for _ in range(weeks)]
    for row in rows:
        index = (row["when"] - start).days // 7
        if 0 <= index < weeks and row["kind"] in counts[index]:
            counts[index][row["kind"]] += row["n"]

    chart = Chart(start=start, end=end)
    peak = max((sum(c.values()) for c in counts), default=0)
    scale_max = max(peak, 4)
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / weeks
    bar_w = slot * 0.72
    labels = dict(Deadline.Kind.choices)
    for i, week in enumerate(counts):
        monday = start + dt.timedelta(weeks=i)
        x = LEFT + i * slot + (slot - bar_w) / 2
        y: float = TOP + plot_h
        for kind in kinds:
            n = week[kind]
            if not n:
                continue
            h = plot_h * n / scale_max
            y -= h
            chart.bars.append(
                Bar(
                    x=round(x, 1),
                    y=round(y, 1),
                    width=round(bar_w, 1),
                    height=round(h, 1),
                    colour=KIND_COLOURS[kind],
                    title=f"Week of {format_date(monday)}: {n} {labels[kind].lower()}",
                )
            )
        if i % 4 == 0:
            chart.x_labels.append((round(LEFT + i * slot + slot / 2, 1), f"{monday:%d %b}"))
        chart.table.append({"week": monday, **{k.value: week[k] for k in kinds}, "total": sum(week.values())})
    step = max(1, -(-scale_max // 4))
    chart.y_ticks = [(round(TOP + plot_h - plot_h * v / scale_max, 1), v) for v in range(0, scale_max + 1, step)]
    totals = {k: sum(c[k] for c in counts) for k in kinds}
    chart.legend = [(labels[k], KIND_COLOURS[k], totals[k]) for k in kinds]
    chart.total = sum(totals.values())
    return chart
