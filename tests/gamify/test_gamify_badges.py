"""Badges: the bundled file, the loader's findings, lint, every rule, and awarding once."""

from __future__ import annotations

import re
import textwrap
from datetime import timedelta

import pytest
from gamify_helpers import at, finish
from hypothesis import given, settings
from hypothesis import strategies as st

from cxtrain.gamify import (
    BadgeContext,
    Catalog,
    FinishedAttempt,
    badges_earned,
    badges_file_for,
    default_badges_path,
    lint_badges,
    load_badges,
    load_badges_text,
    new_badges,
)
from cxtrain.gamify.badges import Rule, holds
from cxtrain.scenario import ScenarioError, bundled_path, load_library

REQUIRED = {"first-pass", "perfect-play", "line-of-sight", "own-seat", "streak-7", "team-player"}


def badges_yaml(body: str) -> str:
    return "format: 1\nbadges:\n" + textwrap.indent(textwrap.dedent(body), "  ")


# -- the bundled file ----------------------------------------------------------------------


def test_bundled_badges_load_and_hold_the_required_ones():
    badges = load_badges()
    assert {b.id for b in badges} >= REQUIRED
    for badge in badges:
        assert badge.title and badge.description and badge.criteria
        assert badge.rule.used()


def test_bundled_criteria_give_scores_in_percent_like_the_pages():
    # Learners see "Score 100%" on the ending page; "a score of 1.0" on the badges page reads as a different scale.
    for badge in load_badges():
        assert not re.search(r"\b[01]\.\d", badge.criteria), badge.criteria


def test_bundled_badges_lint_clean_against_the_bundled_library():
    library = load_library([bundled_path()])
    findings = lint_badges(load_badges(), library)
    assert [f.format() for f in findings if f.severity == "error"] == []
    for badge in load_badges():
        if badge.rule.role is not None:
            assert badge.rule.role in library.roles


def test_bundled_rules_are_the_documented_ones():
    rules = {b.id: b.rule for b in load_badges()}
    assert rules["first-pass"] == Rule(passes=1)
    assert rules["perfect-play"] == Rule(score=1.0)
    assert rules["line-of-sight"] == Rule(every_role=True)
    assert rules["own-seat"] == Rule(own_role="all")
    assert rules["streak-7"] == Rule(streak=7)
    assert rules["team-player"] == Rule(team_track="any")


def test_a_library_folder_can_replace_the_bundled_badges(tmp_path):
    assert badges_file_for([tmp_path]) == default_badges_path()
    (tmp_path / "badges.yaml").write_text(badges_yaml("ours: {title: Ours, description: D, rule: {xp: 10}}\n"))
    assert badges_file_for([bundled_path(), tmp_path]) == tmp_path / "badges.yaml"
    assert [b.id for b in load_badges(badges_file_for([tmp_path]))] == ["ours"]


# -- the loader ----------------------------------------------------------------------------


def load_errors(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_badges_text(text, "badges.yaml")
    return [f.format() for f in caught.value.findings]


def test_a_badge_title_of_spaces_only_is_refused_like_an_empty_one():
    [error] = load_errors(badges_yaml("blank: {title: '   ', description: D, rule: {xp: 10}}\n"))
    assert "Must not be empty or only spaces" in error


def test_an_unknown_rule_key_is_reported_at_its_line():
    errors = load_errors(
        badges_yaml(
            """
            first:
              title: First
              description: Pass one.
              rule: {pases: 1}
            """
        )
    )
    assert len(errors) == 1
    assert errors[0].startswith("badges.yaml:7:")
    assert "'pases'" in errors[0] and "Did you mean 'passes'?" in errors[0] and "[unknown-key]" in errors[0]


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ("{}", "at least one condition"),
        ("{own_role: some}", "a count of modules"),
        ("{own_role: 0}", "a count of modules"),
        ("{every_role: false}", "every_role: true"),
        ("{passes: 0}", "1 or more"),
        ("{score: 1.5}", "at most 1"),
        ("{passes: '3'}", "integer"),
        ("{track: Not A Slug}", "lower-case"),
    ],
)
def test_bad_rules_are_findings(rule, fragment):
    errors = load_errors(badges_yaml(f"b:\n  title: B\n  description: D\n  rule: {rule}\n"))
    assert errors and fragment in " ".join(errors), errors


def test_missing_keys_and_duplicate_badges_are_findings():
    errors = load_errors(badges_yaml("b:\n  title: B\n  rule: {passes: 1}\n"))
    assert any("'description'" in e and "[missing-key]" in e for e in errors)
    errors = load_errors(badges_yaml("b:\n  title: B\n  description: D\n  rule: {passes: 1}\nb:\n  title: C\n"))
    assert any("uplicate" in e for e in errors)


def test_criteria_default_to_the_description_and_order_is_kept():
    badges = load_badges_text(
        badges_yaml(
            "z:\n  title: Z\n  description: Dz\n  rule: {xp: 5}\na:\n  title: A\n  description: Da\n"
            "  criteria: Ca\n  rule: {practice: 3}\n"
        )
    )
    assert [(b.id, b.criteria) for b in badges] == [("z", "Dz"), ("a", "Ca")]


# -- lint ----------------------------------------------------------------------------------


def test_lint_names_unknown_roles_modules_and_tracks_with_lines(catalog):
    badges = load_badges_text(
        badges_yaml(
            """
            a: {title: A, description: D, rule: {role: clerical-inturn}}
            b: {title: B, description: D, rule: {module: nope}}
            c: {title: C, description: D, rule: {track: basic}}
            d: {title: D, description: D, rule: {team_track: topp}}
            e: {title: E, description: D, rule: {role: executive}}
            f: {title: F, description: D, rule: {passes: 50}}
            """
        ),
        "badges.yaml",
    )
    found = {(f.code, f.line, f.severity) for f in lint_badges(badges, catalog)}
    assert found == {
        ("unknown-role", 4, "error"),
        ("unknown-module", 5, "error"),
        ("unknown-track", 6, "error"),
        ("unknown-track", 7, "error"),
        ("unearnable-badge", 8, "warning"),
        ("unearnable-badge", 9, "warning"),
    }
    messages = " ".join(f.message for f in lint_badges(badges, catalog))
    assert "Did you mean 'clerical-intern'?" in messages and "Did you mean 'basics'?" in messages


def test_lint_warns_when_no_track_exists_for_any():
    badges = load_badges_text(badges_yaml("t: {title: T, description: D, rule: {team_track: any}}\n"))
    findings = lint_badges(badges, Catalog(ladder=("ceo",), module_roles={"c1": "ceo"}))
    assert [f.code for f in findings] == ["unearnable-badge"]


# -- the rules -----------------------------------------------------------------------------


def ctx(catalog, attempts=(), **kwargs):
    return BadgeContext(catalog=catalog, attempts=tuple(attempts), **kwargs)


def test_passes_and_score(catalog):
    assert not holds(Rule(passes=1), ctx(catalog, [finish("i1", "clerical-intern", 0.5)]))
    assert holds(Rule(passes=1), ctx(catalog, [finish("i1", "clerical-intern", 0.8)]))
    two_of_same = [finish("i1", "clerical-intern", 0.8), finish("i1", "clerical-intern", 0.9)]
    assert not holds(Rule(passes=2), ctx(catalog, two_of_same))
    assert holds(Rule(score=1.0), ctx(catalog, [finish("i1", "clerical-intern", 0.99999999999)]))
    assert not holds(Rule(score=1.0), ctx(catalog, [finish("i1", "clerical-intern", 0.99)]))


def test_every_role_needs_each_role_with_modules(catalog):
    some = [finish("i1", "clerical-intern", 0.9), finish("f1", "frontline-associate", 0.9)]
    assert not holds(Rule(every_role=True), ctx(catalog, some))
    # 'executive' has no modules, so it is not required
    assert holds(Rule(every_role=True), ctx(catalog, [*some, finish("c1", "ceo", 0.8)]))
    assert not holds(Rule(every_role=True), ctx(catalog, [*some, finish("c1", "ceo", 0.2)]))


def test_own_role_all_or_a_number(catalog):
    one = [finish("i1", "clerical-intern", 0.9)]
    both = [*one, finish("i2", "clerical-intern", 0.9)]
    assert not holds(Rule(own_role="all"), ctx(catalog, one, job_role="clerical-intern"))
    assert holds(Rule(own_role="all"), ctx(catalog, both, job_role="clerical-intern"))
    assert not holds(Rule(own_role="all"), ctx(catalog, both))  # no job role, no own seat
    assert not holds(Rule(own_role="all"), ctx(catalog, both, job_role="executive"))  # nothing to pass
    assert holds(Rule(own_role=1), ctx(catalog, one, job_role="clerical-intern"))
    assert not holds(Rule(own_role=1), ctx(catalog, one, job_role="ceo"))


def test_role_module_and_track(catalog):
    done = [finish("i1", "clerical-intern", 0.9), finish("f1", "frontline-associate", 0.9)]
    assert holds(Rule(module="f1"), ctx(catalog, done))
    assert not holds(Rule(role="clerical-intern"), ctx(catalog, done))
    assert holds(Rule(track="basics"), ctx(catalog, done))
    assert holds(Rule(track="any"), ctx(catalog, done))
    assert not holds(Rule(track="top"), ctx(catalog, done))


def test_team_track_needs_every_member_and_a_team(catalog):
    basics = [finish("i1", "clerical-intern", 0.9), finish("f1", "frontline-associate", 0.9)]
    assert not holds(Rule(team_track="any"), ctx(catalog, basics))  # a team of one is not a team
    assert holds(Rule(team_track="any"), ctx(catalog, basics, teammates_passed=[{"i1", "f1", "c1"}]))
    assert holds(Rule(team_track="basics"), ctx(catalog, basics, teammates_passed=[{"i1", "f1"}, {"i1", "f1"}]))
    assert not holds(Rule(team_track="any"), ctx(catalog, basics, teammates_passed=[{"i1", "f1"}, {"i1"}]))
    # each passes *a* track is not enough: it must be the same track
    assert not holds(Rule(team_track="any"), ctx(catalog, basics, teammates_passed=[{"c1"}]))


def test_streak_xp_practice_and_combined_rules(catalog):
    start = at("2024-05-01 09:00")
    week = [FinishedAttempt("i1", "clerical-intern", 0.2, False, start + timedelta(days=d), 0) for d in range(6)]
    practice = [start + timedelta(days=6)]
    now = start + timedelta(days=6, hours=1)
    six = BadgeContext.for_learner(catalog, week, now, "Europe/Paris")
    seven = BadgeContext.for_learner(catalog, week, now, "Europe/Paris", practice_times=practice, practice_xp=4)
    assert (six.longest_streak, seven.longest_streak) == (6, 7)
    assert not holds(Rule(streak=7), six) and holds(Rule(streak=7), seven)
    assert holds(Rule(xp=4), seven) and not holds(Rule(xp=5), seven)
    assert holds(Rule(practice=3), ctx(catalog, practice_correct=3))
    both = Rule(streak=7, passes=1)
    assert not holds(both, seven)
    assert holds(
        both, BadgeContext.for_learner(catalog, [*week, finish("c1", "ceo", 1.0)], now, practice_times=practice)
    )


def test_an_empty_rule_never_holds(catalog):
    assert not holds(Rule(), ctx(catalog, [finish("i1", "clerical-intern", 1.0)]))


# -- awarding once -------------------------------------------------------------------------


def test_new_badges_awards_once_and_keeps_awards(catalog):
    badges = load_badges()
    c = ctx(catalog, [finish("c1", "ceo", 1.0)], job_role="ceo")
    first = new_badges(badges, c, set())
    assert [b.id for b in first] == ["first-pass", "perfect-play", "own-seat"]
    assert new_badges(badges, c, {b.id for b in first}) == []
    assert new_badges(badges, c, {b.id for b in first}) == []
    # the badge stays awarded even when its rule no longer holds (here: a changed role)
    assert new_badges(badges, ctx(catalog, c.attempts, job_role="executive"), {b.id for b in first}) == []


modules = st.sampled_from(
    [("i1", "clerical-intern"), ("i2", "clerical-intern"), ("f1", "frontline-associate"), ("c1", "ceo")]
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(modules, st.floats(min_value=0, max_value=1)), max_size=12),
    st.sampled_from([None, "clerical-intern", "ceo"]),
)
def test_incremental_awards_match_the_final_state_and_never_repeat(catalog, plays, job_role):
    badges = load_badges()
    awarded: list[str] = []
    attempts: list[FinishedAttempt] = []
    for (module_id, role), score in plays:
        attempts.append(finish(module_id, role, score))
        c = ctx(catalog, attempts, job_role=job_role)
        fresh = new_badges(badges, c, set(awarded))
        assert new_badges(badges, c, set(awarded) | {b.id for b in fresh}) == []
        awarded.extend(b.id for b in fresh)
    assert len(awarded) == len(set(awarded))
    # badges only ever get earned here (attempts only accumulate), so the awards equal the final state
    assert set(awarded) == badges_earned(badges, ctx(catalog, attempts, job_role=job_role))


def test_a_badge_s_texts_in_the_page_s_language() -> None:
    from cxtrain.gamify import load_badges

    first = next(b for b in load_badges() if b.id == "first-pass")  # the bundled file: English, with French
    french = first.text_for("fr-CA")
    assert (french.title, french.criteria, french.language) == (
        "Premier succès",
        "Réussir un module, quel qu’il soit.",
        "fr",
    )
    assert first.text_for("de") == first.text_for(None)
    assert (first.text_for("de").title, first.text_for("de").language) == ("First pass", "en")


def test_a_translation_under_a_wrong_tag_or_without_a_title_is_a_finding() -> None:
    import pytest

    from cxtrain.gamify.badgefile import load_badges_text
    from cxtrain.scenario import ScenarioError

    text = """format: 1
language: en
badges:
  first-pass:
    title: First pass
    description: You passed your first module.
    translations:
      French: {title: Premier succès, description: Vous avez réussi.}
      de: {description: Bestanden.}
    rule: {passes: 1}
"""
    with pytest.raises(ScenarioError) as caught:
        load_badges_text(text, "badges.yaml")
    found = sorted((f.line, f.code) for f in caught.value.findings)
    assert found == [(8, "invalid-value"), (9, "missing-key")]
    assert any("write its tag instead: fr." in f.message for f in caught.value.findings)
