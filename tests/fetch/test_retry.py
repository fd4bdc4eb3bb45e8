"""Pure retry policy: Retry-After parsing (RFC 9110 §10.2.3) and jittered exponential backoff, with a fixed `now`."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedstation.fetch.retry import backoff_delay, is_transient_status, parse_retry_after, retry_delay

NOW = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)


def test_retry_after_delta_seconds() -> None:
    assert parse_retry_after("120", NOW) == 120.0
    assert parse_retry_after(" 0 ", NOW) == 0.0


def test_retry_after_http_date_is_seconds_from_now() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:30:00 GMT", NOW) == 120.0


def test_retry_after_date_in_the_past_means_now() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", NOW) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5", "Wed, 99 Foo 2015"])
def test_retry_after_unreadable_is_none(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None


def test_backoff_doubles_and_is_capped() -> None:
    # jitter just under 1 shows the top of each window.
    tops = [round(backoff_delay(n, 0.5, 30.0, 0.999999), 3) for n in range(8)]
    assert tops == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


@given(attempt=st.integers(0, 40), jitter=st.floats(0, 1, exclude_max=True))
def test_backoff_stays_within_zero_and_cap(attempt: int, jitter: float) -> None:
    assert 0.0 <= backoff_delay(attempt, 0.5, 30.0, jitter) <= 30.0


def test_retry_after_within_cap_is_waited() -> None:
    assert retry_delay(0, 5.0, 0.5, 30.0, 0.0) == 5.0


def test_retry_after_beyond_cap_stops_retrying() -> None:
    assert retry_delay(0, 3600.0, 0.5, 30.0, 0.5) is None


def test_no_retry_after_uses_backoff() -> None:
    assert retry_delay(2, None, 0.5, 30.0, 0.5) == 1.0


@pytest.mark.parametrize(("status", "transient"), [(500, True), (503, True), (408, True), (429, True), (404, False), (403, False), (410, False)])
def test_transient_statuses(status: int, transient: bool) -> None:
    assert is_transient_status(status) is transient
