"""Levels: the default curve, boundaries, progress, level-up moments and configuration."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxtrain.gamify import DEFAULT_CURVE, LevelCurve, level_for, level_up
from cxtrain.gamify.levels import LEVEL_NAMES


def test_default_curve_names_and_floors():
    assert [name for name, _ in DEFAULT_CURVE.rows] == list(LEVEL_NAMES)
    assert [floor for _, floor in DEFAULT_CURVE.rows] == [0, 100, 300, 700, 1500, 3100, 6300, 12700]


def test_level_at_boundaries():
    assert level_for(0).name == "Listener"
    assert level_for(99).number == 1
    hundred = level_for(100)
    assert (hundred.number, hundred.name, hundred.xp_floor, hundred.xp_next, hundred.progress) == (
        2,
        "Helper",
        100,
        300,
        0.0,
    )
    assert level_for(200).progress == pytest.approx(0.5)
    top = level_for(1_000_000)
    assert (top.name, top.xp_next, top.progress) == ("Culture Carrier", None, 1.0)
    assert level_for(-5).number == 1


def test_level_up_reports_the_new_level_once():
    assert level_up(90, 99) is None
    assert level_up(90, 100).name == "Helper"
    assert level_up(100, 150) is None
    # a big finish that skips a level celebrates the highest one reached
    assert level_up(50, 800).name == "Advocate"


def test_curve_from_config():
    table = LevelCurve.from_config([{"name": "Listener", "xp": 0}, {"name": "Helper", "xp": 50}])
    assert level_for(60, table).name == "Helper"
    geo = LevelCurve.from_config({"first": 10, "ratio": 3, "names": ["A", "B", "C"]})
    assert [f for _, f in geo.rows] == [0, 10, 40]
    assert LevelCurve.from_config(None) is DEFAULT_CURVE


@pytest.mark.parametrize(
    "config",
    [
        [{"name": "Helper", "xp": 5}],
        [{"name": "A", "xp": 0}, {"name": "B", "xp": 0}],
        [{"name": "A", "xp": 0, "colour": "red"}],
        {"first": 0},
        {"steps": 3},
        [{"name": " ", "xp": 0}],
        [],
    ],
)
def test_bad_curves_are_refused(config):
    with pytest.raises(ValueError):
        LevelCurve.from_config(config)


@given(st.integers(min_value=0, max_value=100_000), st.integers(min_value=0, max_value=100_000))
def test_levels_never_go_down_as_xp_grows(a, b):
    low, high = sorted((a, b))
    assert level_for(low).number <= level_for(high).number
    level = level_for(a)
    assert 0.0 <= level.progress <= 1.0
    assert level.xp_floor <= a and (level.xp_next is None or a < level.xp_next)
    up = level_up(low, high)
    assert (up is not None) == (level_for(high).number > level_for(low).number)
