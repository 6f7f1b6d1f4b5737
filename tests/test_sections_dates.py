"""Dates and datelines."""

from __future__ import annotations

import pytest

from plugins.sections.dates import is_byline, is_dateline, parse_date


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("January 7, 2026", "2026-01-07"),
        ("7 January 2026", "2026-01-07"),
        ("Jan. 7, 2026", "2026-01-07"),
        ("Sep. 5, 2023", "2023-09-05"),
        ("Wednesday, November 15, 2023", "2023-11-15"),
        ("2024-10-21", "2024-10-21"),
        ("Posted on May 18, 2020 by Jack Huey", "2020-05-18"),
        ("By A and B | May 1, 2018", "2018-05-01"),
        ("Created: 21-Oct-2009", "2009-10-21"),
        ("25/12/2020", "2020-12-25"),
    ],
)
def test_datelines_parse(line: str, iso: str) -> None:
    assert is_dateline(line)
    assert parse_date(line) == iso


def test_ambiguous_numeric_date_is_not_guessed() -> None:
    assert is_dateline("03/04/2020")
    assert parse_date("03/04/2020") is None


def test_impossible_date() -> None:
    assert parse_date("February 30, 2021") is None


def test_prose_with_a_date_is_not_a_dateline() -> None:
    assert not is_dateline("On January 7, 2026 the two leaders met in Beijing and agreed on a plan.")
    assert not is_dateline("")


def test_byline() -> None:
    assert is_byline("By Jane Doe")
    assert is_byline("Posted on March 3, 2020 by Jane")
    assert not is_byline("Bypass surgery is common.")
