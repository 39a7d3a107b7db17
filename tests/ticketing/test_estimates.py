"""The waiting estimate: people ahead × mean service time ÷ counters, rounded up; nothing
when the service time is unknown; a standalone kiosk's queue replayed from issue times."""

from __future__ import annotations

import pytest

from ticketing.estimates import mean_service_minutes, replay_queue, wait_minutes


def test_wait_is_people_ahead_times_service_time_over_counters_rounded_up() -> None:
    assert wait_minutes(4, 5.0, 1) == 20
    assert wait_minutes(1, 5.0, 2) == 3  # 2.5 → 3
    assert wait_minutes(3, 4.0, 2) == 6
    assert wait_minutes(7, 6.5, 3) == 16  # 15.17 → 16


def test_nobody_ahead_is_no_wait_and_an_unknown_service_time_is_no_figure() -> None:
    assert wait_minutes(0, None, 1) == 0
    assert wait_minutes(0, 5.0, 2) == 0
    assert wait_minutes(3, None, 2) is None  # unknown: say nothing, never guess
    assert wait_minutes(2, 5.0, 0) == 10  # no counter open yet: one will serve


def test_mean_service_time_of_recent_durations() -> None:
    assert mean_service_minutes([4.0, 6.0, 5.0]) == pytest.approx(5.0)
    assert mean_service_minutes([0.1, 0.2]) == 0.5  # instant clicks are no basis
    assert mean_service_minutes([-3.0, 6.0]) == 6.0  # a clock step is left out
    assert mean_service_minutes([]) is None
    assert mean_service_minutes([], fallback=7.0) == 7.0  # the centre's own figure


def test_a_standalone_queue_is_replayed_from_issue_times() -> None:
    # one counter, 10 min each; tickets at 8:00, 8:01, 8:02; it is 8:05
    issued = [480.0, 481.0, 482.0]
    waiting, wait = replay_queue(issued, 485.0, 10.0, 1)
    # 8:00 served now; 8:01 called at 8:10 and 8:02 at 8:20: both wait; a new one 8:30
    assert (waiting, wait) == (2, 25)
    # two counters: 8:00 and 8:01 served, 8:02 called at 8:10, a new one at 8:11
    assert replay_queue(issued, 485.0, 10.0, 2) == (1, 6)
    # long after: everyone was served, no wait
    assert replay_queue(issued, 600.0, 10.0, 1) == (0, 0)
    assert replay_queue([], 600.0, 10.0, 1) == (0, 0)


def test_a_standalone_queue_without_a_service_time_gives_no_estimate() -> None:
    assert replay_queue([480.0, 481.0], 485.0, None, 1) == (2, None)
