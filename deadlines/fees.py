"""The official fee of a renewal deadline, read from the fee tables kept as data (FeeSchedule / FeeAmount).

``fee_for(deadline)`` answers with the amount, its currency, the surcharge if paid in the grace period, and
the table it came from (legal basis, source, effective date); or with why there is no figure: no table for
that rule or year, the matter's claim count or entity size unknown. It never guesses a figure.

The table is the one in force on the day the fee would be paid: the due date while it is ahead (fees are
paid at the rate in force on the day of payment; a table already published for a later date applies), today
once the due date has passed (a payment in grace is made now). ``FeeBook`` holds every table in memory (a few
dozen rows) so a page of renewals prices all its rows with two queries whatever their number.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from .models import Deadline, FeeAmount, FeeSchedule

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class FeeQuote:
    """What a paralegal needs to instruct a renewal: the fee, the surcharge in grace, and where it comes from."""

    amount: Decimal | None = None
    currency: str = ""
    surcharge: Decimal | None = None  # payable on top of ``amount`` in the grace period; None: no figure
    in_grace: bool = False  # the due date has passed and the grace period is still running
    schedule: FeeSchedule | None = None
    basis: str = ""  # how the amount was made (base + claims × per claim)
    problem: str = ""  # why there is no amount, in words a paralegal can act on

    @property
    def known(self) -> bool:
        return self.amount is not None

    @property
    def payable_now(self) -> Decimal | None:
        """The fee plus the surcharge when paying in grace; None when a needed figure is missing."""
        if self.amount is None:
            return None
        if not self.in_grace:
            return self.amount
        return None if self.surcharge is None else self.amount + self.surcharge

    @property
    def source(self) -> str:
        s = self.schedule
        if s is None:
            return ""
        return f"{s.legal_basis}; {s.source}; in force from {s.effective_from.isoformat()}"


class FeeBook:
    """Every fee table and its lines, loaded once (two queries)."""

    def __init__(self, schedules: list[FeeSchedule] | None = None) -> None:
        if schedules is None:
            schedules = list(FeeSchedule.objects.prefetch_related("amounts"))
        self._by_rule: dict[str, list[FeeSchedule]] = defaultdict(list)
        for schedule in schedules:
            for rule_id in schedule.rule_id_list:
                self._by_rule[rule_id].append(schedule)

    def schedule_for(self, rule_id: str, day: dt.date) -> FeeSchedule | None:
        in_force = [s for s in self._by_rule.get(rule_id, []) if s.in_force_on(day)]
        return max(in_force, key=lambda s: s.effective_from, default=None)

    def has_rule(self, rule_id: str) -> bool:
        return rule_id in self._by_rule


def payment_day(deadline: Deadline, today: dt.date) -> dt.date:
    return max(deadline.effective_date, today)


def in_grace(deadline: Deadline, today: dt.date) -> bool:
    latest = deadline.latest_date
    return deadline.effective_date < today and latest is not None and today <= latest


def fee_for(deadline: Deadline, *, book: FeeBook | None = None, today: dt.date | None = None) -> FeeQuote:
    """The official fee of one renewal deadline (its matter must be loaded; see the module docstring)."""
    book = book or FeeBook()
    today = today or timezone.now().date()
    grace = in_grace(deadline, today)
    if not book.has_rule(deadline.rule_id):
        return FeeQuote(in_grace=grace, problem=f"no fee table for {deadline.rule_id or 'this deadline'}")
    day = payment_day(deadline, today)
    schedule = book.schedule_for(deadline.rule_id, day)
    if schedule is None:
        return FeeQuote(in_grace=grace, problem=f"no fee table for {deadline.rule_id} in force on {day.isoformat()}")
    try:
        year = Decimal(deadline.series_instance)
    except InvalidOperation:
        return FeeQuote(in_grace=grace, schedule=schedule, problem="no renewal year on this deadline")
    lines = [a for a in schedule.amounts.all() if a.year_from <= year <= a.year_to]
    if not lines:
        return FeeQuote(in_grace=grace, schedule=schedule, problem=f"no fee table for {deadline.rule_id} year {year:g}")
    matter = deadline.matter
    line = _line_for(lines, matter.entity_size)
    if line is None:
        return FeeQuote(in_grace=grace, schedule=schedule,
                        problem="entity size unknown: set it on the matter to price this fee")
    amount, basis = line.amount, f"{line.amount:,.0f}"
    if line.per_claim:
        if matter.claim_count is None:
            return FeeQuote(in_grace=grace, schedule=schedule,
                            problem="claim count unknown: set it on the matter to price this fee")
        amount = line.amount + line.per_claim * matter.claim_count
        basis = f"{line.amount:,.0f} + {matter.claim_count} claims × {line.per_claim:,.0f}"
    return FeeQuote(
        amount=amount, currency=schedule.currency, surcharge=_surcharge(schedule, line, amount),
        in_grace=grace, schedule=schedule, basis=basis,
    )


def _line_for(lines: list[FeeAmount], entity_size: str) -> FeeAmount | None:
    """The line for the matter's entity size; a line for any applicant when the table does not split."""
    for line in lines:
        if line.entity_size == FeeAmount.EntitySize.ANY:
            return line
    for line in lines:
        if entity_size and line.entity_size == entity_size:
            return line
    return None


def _surcharge(schedule: FeeSchedule, line: FeeAmount, amount: Decimal) -> Decimal | None:
    if line.surcharge is not None:
        return line.surcharge
    if schedule.surcharge_percent is not None:
        return (amount * schedule.surcharge_percent / HUNDRED).quantize(Decimal("0.01"))
    return None
