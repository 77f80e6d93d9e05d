"""How many submissions a student has left: a token bucket replayed over their counted submissions.

Nothing is stored but the submissions themselves: the bucket starts full, each counted submission
takes a token, tokens come back at ``refill_per_day``. A submission that ended in a judge error is
not counted (the caller leaves it out), so it costs the student nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from grader.core.values import Quota

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class QuotaStatus:
    """Whether a submission is allowed ``now``, how many are left, and when the next one comes."""

    allowed: bool
    left: int
    used: int
    next_at: dt.datetime | None  # when one more becomes available (None: full, or never again)
    reason: str = ""

    def describe(self) -> str:
        if self.allowed:
            text = f"{self.left} submission(s) left"
            if self.next_at is not None:
                text += f"; the next one comes back at {self.next_at.isoformat(timespec='seconds')}"
            return text
        return self.reason


def quota_status(quota: Quota, counted: Sequence[dt.datetime], now: dt.datetime) -> QuotaStatus:
    """The bucket after ``counted`` (the times of the submissions that use quota), seen at ``now``."""
    times = sorted(counted)
    rate = quota.refill_per_day / DAY.total_seconds()  # tokens per second
    tokens, last = float(quota.capacity), None
    for moment in times:
        if last is not None:
            tokens = min(quota.capacity, tokens + (moment - last).total_seconds() * rate)
        tokens -= 1  # may go below zero only if the quota was made smaller afterwards
        last = moment
    if last is not None:
        tokens = min(quota.capacity, tokens + max(0.0, (now - last).total_seconds()) * rate)
    left = max(0, math.floor(tokens + 1e-9))
    next_at = None
    if tokens < quota.capacity and rate > 0:
        missing = (1 - (tokens - math.floor(tokens + 1e-9))) if left else 1 - tokens
        next_at = now + dt.timedelta(seconds=missing / rate)
    used = len(times)
    if quota.max_total and used >= quota.max_total:
        return QuotaStatus(False, 0, used, None, f"no submissions left: the limit is {quota.max_total} in all")
    if quota.max_total:
        left = min(left, quota.max_total - used)
    if left < 1:
        when = f"; the next one comes at {next_at.isoformat(timespec='seconds')}" if next_at else ""
        return QuotaStatus(False, 0, used, next_at, f"no submissions left for now{when}")
    if quota.min_interval_minutes and last is not None:
        ready = last + dt.timedelta(minutes=quota.min_interval_minutes)
        if now < ready:
            return QuotaStatus(False, left, used, ready,
                               f"wait until {ready.isoformat(timespec='seconds')}: submissions must be at least "
                               f"{quota.min_interval_minutes:g} minute(s) apart")
    return QuotaStatus(True, left, used, next_at)
