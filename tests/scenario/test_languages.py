"""The ``language`` key of a module: a BCP 47 tag, normalised, refused with the tag that was meant."""

from __future__ import annotations

import pytest

from cxtrain.playview import lang_attributes
from cxtrain.scenario import lint_text, load_module
from cxtrain.scenario.jsonschema import module_json_schema
from cxtrain.scenario.languages import LanguageError, direction, display_name, normalize

MODULE = """id: spoken
title: Spoken
role: frontline-associate
{language}start: a
nodes:
  a:
    text: Hello
    choices:
      - {{id: go, text: Go, next: b}}
  b:
    text: Bye
    ending: {{title: Done}}
"""


@pytest.mark.parametrize(
    "written, canonical",
    [("en", "en"), ("EN", "en"), ("fr-CA", "fr-CA"), ("fr_ca", "fr-CA"), ("pt-br", "pt-BR"), ("en-UK", "en-GB")],
)
def test_tags_are_normalised(written: str, canonical: str) -> None:
    assert normalize(written) == canonical
    assert load_module(MODULE.format(language=f"language: {written}\n"), "spoken.yaml").language == canonical


def test_a_module_that_does_not_say_has_no_language() -> None:
    assert load_module(MODULE.format(language=""), "spoken.yaml").language is None


@pytest.mark.parametrize(
    "written, says",
    [
        ("English", "'English' is a language's name; write its tag instead: en."),
        ("français", "write its tag instead: fr."),
        ("en-XX", "Write 'en', or a tag such as"),
        ("klingon-ish", "is not a language tag cxtrain knows. Write a BCP 47 tag such as 'en', 'fr' or 'pt-BR'."),
    ],
)
def test_a_wrong_language_is_one_finding_at_its_line_saying_what_to_write(written: str, says: str) -> None:
    report = lint_text(MODULE.format(language=f"language: {written}\n"), "spoken.yaml")
    errors = [f for f in report.findings if f.severity == "error"]
    assert len(errors) == 1 and (errors[0].line, errors[0].code) == (4, "invalid-value")
    assert says in errors[0].message
    with pytest.raises(LanguageError):
        normalize(written)


def test_a_language_that_is_not_text_is_refused() -> None:
    report = lint_text(MODULE.format(language="language: [en, fr]\n"), "spoken.yaml")
    assert [(f.line, f.code) for f in report.findings if f.severity == "error"] == [(4, "invalid-value")]


def test_editors_learn_the_key_from_the_json_schema() -> None:
    prop = module_json_schema()["properties"]["language"]
    assert "BCP 47" in prop["description"] and "en" in prop["examples"]


def test_direction_and_names() -> None:
    assert (direction("ar"), direction("en"), direction("not a tag")) == ("rtl", "ltr", "ltr")
    assert display_name("en", "fr") == "anglais" and display_name("fr-CA", "en") == "French (Canada)"


@pytest.mark.parametrize(
    "module, page, attrs",
    [
        ("en", "fr", ' lang="en"'),
        ("en", "en", ""),
        ("en", "en-US", ""),  # the page's own language, said less precisely
        ("fr-CA", "fr", ' lang="fr-CA"'),  # more precise than the page: a screen reader can use it
        (None, "fr", ""),  # not said: taken as the page's
        ("en", None, ' lang="en"'),  # page unknown (a bare XBlock runtime): a redundant lang is harmless
        ("ar", "en", ' lang="ar" dir="rtl"'),
        ("he", "ar", ' lang="he"'),  # both right-to-left
    ],
)
def test_lang_attributes(module: str | None, page: str | None, attrs: str) -> None:
    assert str(lang_attributes(module, page)) == attrs


def test_roles_yaml_says_its_language_or_gets_a_finding(tmp_path) -> None:
    from cxtrain.scenario import bundled_path, lint_paths, load_library

    assert {role.language for role in load_library([bundled_path()]).roles.values()} == {"en"}
    roles = (bundled_path() / "roles.yaml").read_text(encoding="utf-8")
    (tmp_path / "roles.yaml").write_text(roles.replace("language: en", "language: English"), encoding="utf-8")
    module = (bundled_path() / "intern-forms-per-hour.yaml").read_text(encoding="utf-8")
    (tmp_path / "intern-forms-per-hour.yaml").write_text(module, encoding="utf-8")
    line = roles.splitlines().index("language: en") + 1
    findings = [f for f in lint_paths([tmp_path]).findings if f.path.endswith("roles.yaml")]
    assert [(f.line, f.code) for f in findings] == [(line, "invalid-value")]
    assert "write its tag instead: en." in findings[0].message
    # A folder with no module yet still has its roles.yaml checked (once, with modules or not).
    (tmp_path / "intern-forms-per-hour.yaml").unlink()
    assert [(f.line, f.code) for f in lint_paths([tmp_path]).findings] == [(line, "invalid-value")]
    assert [(f.line, f.code) for f in lint_paths([tmp_path / "roles.yaml"]).findings] == [(line, "invalid-value")]
    (tmp_path / "roles.yaml").write_text(roles.replace("language: en\n", ""), encoding="utf-8")
    assert {role.language for role in load_library([tmp_path]).roles.values()} == {None}


def test_a_role_s_title_in_another_language() -> None:
    from cxtrain.scenario.library import Role

    role = Role("r", "Clerical intern", 1, "x", "en", (("fr", "Stagiaire"), ("fr-CA", "Stagiaire (CA)")))
    assert role.title_for("fr") == ("Stagiaire", "fr")
    assert role.title_for("fr-CA") == ("Stagiaire (CA)", "fr-CA")
    assert role.title_for("fr-BE") == ("Stagiaire", "fr")  # the language's plain title before a region's
    assert role.title_for("de") == role.title_for(None) == ("Clerical intern", "en")


def test_a_wrong_language_in_a_role_s_titles_is_a_finding(tmp_path) -> None:
    from cxtrain.scenario import bundled_path, lint_paths

    roles = (bundled_path() / "roles.yaml").read_text(encoding="utf-8")
    (tmp_path / "roles.yaml").write_text(roles.replace("titles: {fr: Chef", "titles: {French: Chef"), encoding="utf-8")
    findings = lint_paths([tmp_path / "roles.yaml"]).findings
    assert [f.code for f in findings] == ["invalid-value"]
    assert "'French' is a language's name; write its tag instead: fr." in findings[0].message
