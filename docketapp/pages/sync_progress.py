"""What a "sync now" did, for the page that polls it: the SyncRun's own counters (matters, events, quarantine,
errors) and, from the deadline history of the requested matters since the run started, the deadlines the
recompute created and closed. The page stops polling once every run is finished and no recompute of its
matters is pending."""

from __future__ import annotations

from dataclasses import dataclass, field

from deadlines.models import Deadline, MatterComputation
from patents.models import Matter, SyncRun

CLOSED = [Deadline.Status.DONE, Deadline.Status.COMPLETED, Deadline.Status.MOOT, Deadline.Status.SUPERSEDED,
          Deadline.Status.WAIVED, Deadline.Status.MISSED]


@dataclass
class RunProgress:
    run: SyncRun
    matters: list[Matter] = field(default_factory=list)
    deadlines_created: int = 0
    deadlines_closed: int = 0
    computing: bool = False  # the deadline recompute of a requested matter has not finished yet
    errors: list[str] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.run.finished_at is not None and not self.computing


@dataclass
class Progress:
    runs: list[RunProgress] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return all(r.done for r in self.runs)


def progress_for(runs: list[SyncRun]) -> Progress:
    """A fixed number of queries whatever the number of runs and matters (none without runs)."""
    if not runs:
        return Progress()
    wanted = {pk for run in runs for pk in run.requested_matters}
    matters = {m.pk: m for m in Matter.objects.filter(pk__in=wanted).only("pk", "reference", "office")}
    pending = set(
        MatterComputation.objects.filter(matter_id__in=wanted, recompute_requested_at__isnull=False)
        .values_list("matter_id", flat=True)
    )
    since = min((run.started_at for run in runs), default=None)
    history = (
        list(Deadline.history.filter(matter_id__in=wanted, history_date__gte=since)
             .values_list("id", "matter_id", "history_type", "status", "history_date"))
        if since is not None else []
    )
    out = Progress()
    for run in runs:
        ids = set(run.requested_matters)
        created = {i for i, m, t, _, when in history if m in ids and t == "+" and when >= run.started_at}
        closed = {i for i, m, t, s, when in history if m in ids and t == "~" and s in CLOSED and when >= run.started_at}
        out.runs.append(RunProgress(
            run=run, matters=[matters[pk] for pk in run.requested_matters if pk in matters],
            deadlines_created=len(created), deadlines_closed=len(closed - created),
            computing=bool(ids & pending),
            errors=[e.get("message", "") for e in run.error_log if not e.get("deferred")][-5:],
        ))
    return out
