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


def test_a_retired_setting_is_named_at_start_up(app_config, monkeypatch, caplog) -> None:
    from cxtrain.web import create_app

    monkeypatch.delenv("CXTRAIN_MAX_UPLOAD_BYTES", raising=False)
    create_app(app_config).extensions["cxtrain.engine"].dispose()
    assert "no longer read" not in caplog.text

    monkeypatch.setenv("CXTRAIN_MAX_UPLOAD_BYTES", "1048576")
    app = create_app(app_config)
    app.extensions["cxtrain.engine"].dispose()
    assert "CXTRAIN_MAX_UPLOAD_BYTES is no longer read" in caplog.text and "4 MiB" in caplog.text
    assert app.config["MAX_CONTENT_LENGTH"] > 4 * 1024 * 1024  # the old value is not applied


def test_rate_limits_are_read_and_a_wrong_one_stops_with_its_name(tmp_path) -> None:
    base = {"CXTRAIN_INSTANCE": str(tmp_path)}
    plain = config.from_environment(base)
    assert (plain["RESET_RATE_LIMIT"], plain["RESET_EMAIL_RATE_LIMIT"]) == ("5 per minute;30 per hour", "3 per hour")
    set_ = config.from_environment({**base, "CXTRAIN_RESET_EMAIL_RATE_LIMIT": "2 per day"})
    assert set_["RESET_EMAIL_RATE_LIMIT"] == "2 per day"
    with pytest.raises(SystemExit, match="CXTRAIN_RESET_RATE_LIMIT: cannot read '3 per fortnight'"):
        config.from_environment({**base, "CXTRAIN_RESET_RATE_LIMIT": "3 per fortnight"})


def _cxtrain(env: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    whole = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env
    return subprocess.run([sys.executable, "-m", "cxtrain.cli", *args], env=whole, capture_output=True, text=True)


def test_a_database_that_cannot_be_reached_is_one_sentence_not_a_traceback(tmp_path) -> None:
    from liveserver import free_port

    closed = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/cxtrain"
    for args in (("db", "upgrade"), ("users", "list")):
        done = _cxtrain({"CXTRAIN_INSTANCE": str(tmp_path), "DATABASE_URL": closed}, *args)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.startswith("Error: The database cannot be used: connection failed")
        assert "Check DATABASE_URL" in done.stderr and len(done.stderr.splitlines()) == 1


def test_an_instance_folder_that_cannot_be_made_is_named(tmp_path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    done = _cxtrain({"CXTRAIN_INSTANCE": str(tmp_path / "a-file" / "instance")}, "users", "list")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "CXTRAIN_INSTANCE: cannot use the instance folder" in done.stderr


def test_a_postgresql_database_that_does_not_exist_is_named(tmp_path) -> None:
    import pgdb
    from sqlalchemy.engine import make_url

    missing = make_url(pgdb.server_url_or_skip()).set(database="cxtrain_no_such_database")
    url = missing.render_as_string(hide_password=False)
    done = _cxtrain({"CXTRAIN_INSTANCE": str(tmp_path), "DATABASE_URL": url}, "db", "upgrade")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert 'database "cxtrain_no_such_database" does not exist' in done.stderr


def test_db_upgrade_names_the_migrations_it_applies_and_then_none(tmp_path) -> None:
    from alembic.script import ScriptDirectory

    from cxtrain.store.migrate import alembic_config

    revisions = list(ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions())
    env = {"CXTRAIN_INSTANCE": str(tmp_path)}
    first = _cxtrain(env, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"Applied {len(revisions)} migration(s):\n  0001: Initial tables")
    again = _cxtrain(env, "db", "upgrade")
    assert again.stdout == "The database was up to date: no migration to apply.\n"


def test_serve_on_a_port_in_use_is_refused_in_a_sentence_at_once(tmp_path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _cxtrain({"CXTRAIN_INSTANCE": str(tmp_path)}, "serve", "--port", str(port))
    assert done.returncode == 1 and "Traceback" not in done.stderr and "Connection in use" not in done.stderr
    assert done.stderr == (
        f"Error: port {port} on 127.0.0.1 is in use (Address already in use); "
        "is cxtrain already running? Stop it, or choose another port with --port.\n"
    )


def test_reminders_run_without_the_service_s_settings_say_so(tmp_path) -> None:
    elsewhere = tmp_path / "cron-home"
    elsewhere.mkdir()
    done = _cxtrain({"CXTRAIN_INSTANCE": str(elsewhere / "instance")}, "reminders", "send", "--dry-run")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "has no cxtrain tables" in done.stderr and "same DATABASE_URL or CXTRAIN_INSTANCE" in done.stderr
    assert _cxtrain({"CXTRAIN_INSTANCE": str(elsewhere / "instance")}, "db", "upgrade").returncode == 0
    ready = _cxtrain({"CXTRAIN_INSTANCE": str(elsewhere / "instance")}, "reminders", "send", "--dry-run")
    assert ready.returncode == 0, ready.stderr


def test_a_system_locale_names_its_language_and_a_leaderboards_typo_is_refused(tmp_path) -> None:
    base = {"CXTRAIN_INSTANCE": str(tmp_path)}
    for locale in ("fr_FR", "fr-FR", "fr_FR.UTF-8", "FR"):
        assert config.from_environment({**base, "CXTRAIN_DEFAULT_LANGUAGE": locale})["DEFAULT_LANGUAGE"] == "fr"
    with pytest.raises(SystemExit, match="CXTRAIN_DEFAULT_LANGUAGE"):
        config.from_environment({**base, "CXTRAIN_DEFAULT_LANGUAGE": "xx_XX"})
    assert config.from_environment({**base, "CXTRAIN_LEADERBOARDS": "False"})["LEADERBOARDS"] == "off"
    with pytest.raises(SystemExit, match="CXTRAIN_LEADERBOARDS: cannot read 'of' \\(write on or off\\)"):
        config.from_environment({**base, "CXTRAIN_LEADERBOARDS": "of"})
