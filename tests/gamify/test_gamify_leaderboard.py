"""Leaderboards: competition ranks, the viewer's neighbourhood, privacy choices, teams, weeks."""

from __future__ import annotations

import dataclasses
import json

from gamify_helpers import at
from hypothesis import given
from hypothesis import strategies as st

from cxtrain.gamify import LeaderEntry, in_period, period_xp, rank, team_board, week_start
from cxtrain.gamify.leaderboard import anonymous_label


def named(i: int, xp: int, **kw) -> LeaderEntry:
    return LeaderEntry(learner_id=i, xp=xp, name=f"Learner {i}", visibility="named", **kw)


def test_ties_share_a_competition_rank():
    board = rank([named(1, 50), named(2, 80), named(3, 80), named(4, 10)], viewer_id=4)
    assert [(r.rank, r.name, r.xp) for r in board.entries] == [
        (1, "Learner 2", 80),
        (1, "Learner 3", 80),
        (3, "Learner 1", 50),
        (4, "Learner 4", 10),
    ]
    assert board.as_dict()["you"] == {"rank": 4, "xp": 10}


def test_ties_keep_the_order_the_service_s_sql_gives_them():
    # The service orders a tie by its integer account ids; the rule must agree (10 after 6, not
    # before it as text), or the XBlock and the service would list one tie two ways.
    board = rank([named(10, 80), named(6, 80), named(8, 80)], viewer_id=6)
    assert [r.name for r in board.entries] == ["Learner 6", "Learner 8", "Learner 10"]
    text_ids = rank([LeaderEntry(learner_id=f"anon-{i}", xp=5, name=f"L{i}", visibility="named") for i in "ba"], "x")
    assert [r.name for r in text_ids.entries] == ["La", "Lb"]


def test_top_few_and_the_viewers_neighbourhood():
    entries = [named(i, 1000 - i) for i in range(1, 31)]
    board = rank(entries, viewer_id=20, top=3, around=2)
    assert [r.rank for r in board.entries] == [1, 2, 3, 18, 19, 20, 21, 22]
    assert [r.you for r in board.entries].count(True) == 1
    assert rank(entries, viewer_id=2, top=3, around=2).entries[-1].rank == 4


def test_api_shape_has_only_the_contract_keys():
    data = rank([named(1, 5)], viewer_id=1).as_dict()
    assert set(data) == {"entries", "you"}
    assert set(data["entries"][0]) == {"rank", "name", "xp", "you"}


def test_new_learners_are_anonymous_by_their_ladder_role():
    fresh = LeaderEntry(learner_id=7, xp=40, name="Sam Lee", role_title="Frontline associate")
    board = rank([fresh, named(1, 10)], viewer_id=1)
    assert board.entries[0].name == "A frontline associate"
    assert "Sam Lee" not in json.dumps(board.as_dict())
    assert anonymous_label("Executive") == "An executive"
    assert anonymous_label("CEO") == "A CEO"
    assert anonymous_label(None) == "A colleague"


def test_hidden_learners_are_absent_for_others_but_see_their_own_rank():
    hidden = LeaderEntry(learner_id=9, xp=500, name="Quiet Kim", visibility="hidden")
    others = [named(1, 100), named(2, 50)]
    seen_by_others = rank([hidden, *others], viewer_id=1)
    assert [(r.rank, r.name) for r in seen_by_others.entries] == [(1, "Learner 1"), (2, "Learner 2")]
    assert "Quiet Kim" not in json.dumps(seen_by_others.as_dict()) and 500 not in [r.xp for r in seen_by_others.entries]
    own = rank([hidden, *others], viewer_id=9)
    assert own.you is not None and (own.you.rank, own.you.name) == (1, "Quiet Kim")


def test_emails_never_show_and_zero_xp_learners_are_not_listed():
    assert "email" not in {f.name for f in dataclasses.fields(LeaderEntry)}
    leaky = LeaderEntry(learner_id=3, xp=30, name="kim@example.org", role_title="Executive", visibility="named")
    board = rank([leaky, named(1, 0), named(2, 10)], viewer_id=2)
    assert [r.name for r in board.entries] == ["An executive", "Learner 2"]
    assert "@" not in json.dumps(rank([leaky], viewer_id=3).as_dict())  # not even to themselves
    assert rank([named(1, 0)], viewer_id=1).you.rank == 1  # a learner with no XP still sees themselves


def test_an_unknown_visibility_counts_as_anonymous():
    odd = LeaderEntry(learner_id=5, xp=10, name="Odd One", role_title="Executive", visibility="public!")
    assert rank([odd], viewer_id=1).entries[0].name == "An executive"


visibility = st.sampled_from(["named", "anonymous", "hidden", "weird"])
learners = st.lists(st.tuples(st.integers(min_value=0, max_value=300), visibility), min_size=1, max_size=40)


@given(learners, st.data())
def test_privacy_and_ranking_properties(rows, data):
    entries = [
        LeaderEntry(learner_id=i, xp=xp, name=f"Person{i:03d}", role_title="Clerical intern", visibility=vis)
        for i, (xp, vis) in enumerate(rows)
    ]
    viewer = data.draw(st.integers(min_value=0, max_value=len(entries) - 1))
    board = rank(entries, viewer_id=viewer, top=data.draw(st.integers(0, 6)), around=data.draw(st.integers(0, 3)))
    text = json.dumps(board.as_dict())
    for i, entry in enumerate(entries):
        if i != viewer and entry.visibility != "named":
            assert entry.name not in text  # hidden and anonymous names never reach another viewer
    listed_xps = [r.xp for r in board.entries]
    assert listed_xps == sorted(listed_xps, reverse=True)
    assert [r.rank for r in board.entries] == sorted(r.rank for r in board.entries)
    assert board.you is not None and board.you.xp == entries[viewer].xp
    # the viewer's rank counts exactly the visible learners with more XP
    above = sum(
        1 for i, e in enumerate(entries) if i != viewer and e.visibility != "hidden" and e.xp > entries[viewer].xp
    )
    assert board.you.rank == above + 1


def test_team_board_ranks_by_xp_per_member():
    entries = [
        *(LeaderEntry(learner_id=f"b{i}", xp=100, team="Big") for i in range(10)),  # 1000 XP, 100 each
        *(LeaderEntry(learner_id=f"s{i}", xp=x, team="Small") for i, x in enumerate((150, 150, 0))),  # 100 each
        *(LeaderEntry(learner_id=f"k{i}", xp=x, team="Keen", visibility="hidden") for i, x in enumerate((300, 0, 0))),
        LeaderEntry(learner_id="p1", xp=900, team="Pair"),
        LeaderEntry(learner_id="p2", xp=900, team="Pair"),
    ]
    board = team_board(entries, viewer_team="Small")
    # 1000 XP over ten members ties with 300 over three: the small teams are not outnumbered
    assert [(r.rank, r.name, r.xp, r.you) for r in board.entries] == [
        (1, "Big", 100, False),
        (1, "Keen", 100, False),
        (1, "Small", 100, True),
    ]
    assert "Pair" not in {r.name for r in board.entries}  # two members: too few to average privately
    assert team_board(entries, viewer_team="Pair").you is None


def test_weekly_period_is_the_iso_week_in_utc():
    now = at("2024-05-08 12:00")  # a Wednesday
    assert week_start(now) == at("2024-05-06 00:00")
    assert not in_period(at("2024-05-05 23:59"), "week", now)
    assert in_period(at("2024-05-06 00:00"), "week", now)
    assert in_period(at("2024-01-01 00:00"), "all", now)
    events = [(1, 10, at("2024-05-05 23:59")), (1, 5, at("2024-05-07 08:00")), (2, 7, at("2024-05-06 01:00"))]
    assert period_xp(events, "week", now) == {1: 5, 2: 7}
    assert period_xp(events, "all", now) == {1: 15, 2: 7}
