"""The token bucket: capacity, refill, minimum interval, hard cap, and what it says."""

from __future__ import annotations

import datetime as dt

import pytest

from grader.core.values import Quota
from grader.server.quota import quota_status

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def test_a_full_bucket_then_empty_then_refilled() -> None:
    quota = Quota(capacity=5, refill_per_day=5)
    assert quota_status(quota, [], T0).left == 5
    five = [_at(0.01 * i) for i in range(5)]
    empty = quota_status(quota, five, _at(0.1))
    assert not empty.allowed and empty.left == 0
    # one token comes back every 24/5 = 4.8 hours after the bucket started to drain
    assert empty.next_at is not None and abs((empty.next_at - _at(4.8)).total_seconds()) < 60
    assert "next one comes at" in empty.reason
    assert quota_status(quota, five, _at(4.9)).left == 1
    assert quota_status(quota, five, _at(48)).left == 5  # never above capacity


def test_min_interval_and_hard_cap() -> None:
    quota = Quota(capacity=10, refill_per_day=10, min_interval_minutes=30, max_total=3)
    soon = quota_status(quota, [T0], _at(0.25))
    assert not soon.allowed and "30 minute" in soon.reason and soon.next_at == _at(0.5)
    assert quota_status(quota, [T0], _at(0.5)).allowed
    capped = quota_status(quota, [T0, _at(1), _at(2)], _at(50))
    assert not capped.allowed and capped.next_at is None and "3 in all" in capped.reason
    assert quota_status(quota, [T0, _at(1)], _at(50)).left == 1


@pytest.mark.parametrize("refill", [0.0, 1.0, 24.0])
def test_never_more_than_capacity_in_any_window(refill: float) -> None:
    """Submitting whenever allowed for a week never exceeds capacity + refill over the elapsed time."""
    quota = Quota(capacity=3, refill_per_day=refill)
    times: list[dt.datetime] = []
    moment = T0
    while moment < T0 + dt.timedelta(days=7):
        if quota_status(quota, times, moment).allowed:
            times.append(moment)
        moment += dt.timedelta(minutes=7)
    assert len(times) <= 3 + refill * 7 + 1e-9
    assert len(times) >= min(3 + int(refill * 7) - 1, 3)
