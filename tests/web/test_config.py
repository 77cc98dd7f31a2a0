"""Configuration read from the environment."""

from __future__ import annotations

import pytest

from cxtrain.web import config


def test_optional_settings_only_when_named(tmp_path) -> None:
    base = {"CXTRAIN_INSTANCE": str(tmp_path)}
    plain = config.from_environment(base)
    assert "PUBLIC_URL" not in plain and "LEVEL_CURVE" not in plain
    settings = config.from_environment(
        {
            **base,
            "CXTRAIN_PUBLIC_URL": "https://cx.example.org",
            "CXTRAIN_LEADERBOARDS": "off",
            "CXTRAIN_LEADERBOARD_CACHE_SECONDS": "0",
            "CXTRAIN_LEVEL_CURVE": '[{"name": "Listener", "xp": 0}, {"name": "Helper", "xp": 50}]',
        }
    )
    assert settings["PUBLIC_URL"] == "https://cx.example.org"
    assert settings["LEADERBOARDS"] == "off" and settings["LEADERBOARD_CACHE_SECONDS"] == 0.0
    assert settings["LEVEL_CURVE"][1] == {"name": "Helper", "xp": 50}


def test_unreadable_setting_stops_with_its_name(tmp_path) -> None:
    with pytest.raises(SystemExit, match="CXTRAIN_LEVEL_CURVE"):
        config.from_environment({"CXTRAIN_INSTANCE": str(tmp_path), "CXTRAIN_LEVEL_CURVE": "[oops"})


def test_postgres_urls_use_psycopg(tmp_path) -> None:
    settings = config.from_environment({"CXTRAIN_INSTANCE": str(tmp_path), "DATABASE_URL": "postgres://u@h/db"})
    assert settings["DATABASE_URL"] == "postgresql+psycopg://u@h/db"
