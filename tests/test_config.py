"""Settings: generated and kept in development, required in production."""

from __future__ import annotations

import subprocess
import sys

import pytest

from server.config import SettingsError, load_settings
from tests.conftest import PROJECT_ROOT


def test_development_generates_a_secret_once_and_keeps_it(tmp_path):
    first = load_settings({"REACHOUT_DATA_DIR": str(tmp_path)})
    second = load_settings({"REACHOUT_DATA_DIR": str(tmp_path)})
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "DATABASE_URL",
        "BASE_URL",
        "VAPID_PRIVATE_KEY",
        "VAPID_SUBJECT",
        "SMTP_URL",
        "MAIL_FROM",
    ],
)
def test_production_refuses_to_start_without_each_secret(tmp_path, missing):
    environ = {
        "REACHOUT_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "DATABASE_URL": "postgresql://db/reachout",
        "BASE_URL": "https://reachout.example",
        "VAPID_PRIVATE_KEY": "k" * 43,
        "VAPID_SUBJECT": "mailto:ops@reachout.example",
        "SMTP_URL": "smtp://reachout:secret@mail.example:587",
        "MAIL_FROM": "Reachout <hello@reachout.example>",
        "REACHOUT_DATA_DIR": str(tmp_path),
    }
    del environ[missing]
    with pytest.raises(SettingsError, match=missing):
        load_settings(environ)
    assert not (tmp_path / "secret_key").exists(), "production never invents a secret"


def test_production_server_process_exits_naming_the_missing_setting(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "server", "web"],
        env={"REACHOUT_ENV": "production", "REACHOUT_DATA_DIR": str(tmp_path), "PATH": ""},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "DATABASE_URL" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "eighty"),
        ("BASE_URL", "ftp://x"),
        ("REACHOUT_ENV", "staging"),
        ("VAPID_SUBJECT", "ops@example.com"),
        ("VAPID_SUBJECT", "mailto:"),
    ],
)
def test_bad_values_are_named(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({"REACHOUT_DATA_DIR": str(tmp_path), name: value})


def test_https_base_url_makes_cookies_secure(tmp_path):
    settings = load_settings({"REACHOUT_DATA_DIR": str(tmp_path), "BASE_URL": "https://x.example"})
    assert settings.secure_cookies


def test_every_setting_is_documented_in_the_readme():
    import re

    source = (PROJECT_ROOT / "server" / "config.py").read_text()
    names = set(re.findall(r'"([A-Z][A-Z0-9_]+)"', source)) - {"US"}
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert names, "found no settings"
    assert sorted(name for name in names if f"`{name}`" not in readme) == []


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("SMTP_URL", "http://mail.example", "SMTP_URL must be smtp://"),
        ("SMTP_URL", "smtp://", "SMTP_URL must be smtp://"),
        ("MAIL_FROM", "nobody", "MAIL_FROM must be an address"),
        ("MAIL_FROM", "Reachout <a@b.example>\r\nBcc: x@y.example", "MAIL_FROM must be an address"),
    ],
)
def test_mail_settings_that_cannot_work_are_refused(tmp_path, name, value, says):
    with pytest.raises(SettingsError, match=says) as refused:
        load_settings({"REACHOUT_DATA_DIR": str(tmp_path), name: value})
    assert "secret" not in str(refused.value)


def test_an_smtp_password_is_never_repeated_in_the_refusal(tmp_path):
    with pytest.raises(SettingsError) as refused:
        load_settings({"REACHOUT_DATA_DIR": str(tmp_path), "SMTP_URL": "ftp://u:hunter2@mail"})
    assert "hunter2" not in str(refused.value)


def test_what_needs_a_session_goes_to_database_url_unless_a_direct_url_is_given(tmp_path):
    base = {"REACHOUT_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://db/app"}
    alone = load_settings(base)
    assert alone.database_direct_url == "postgresql://db/app"
    assert alone.database_statement_cache, "no pooler: asyncpg keeps its prepared statements"
    pooled = {**base, "DATABASE_URL": "postgresql://pooler:6432/app"}
    pooled["DATABASE_DIRECT_URL"] = "postgresql://db/app"
    behind = load_settings(pooled)
    assert behind.database_direct_url == "postgresql://db/app"
    assert not behind.database_statement_cache, "PgBouncer 1.18 cannot keep them"
    # A pooler that keeps prepared statements (PgBouncer 1.21's max_prepared_statements).
    assert load_settings({**pooled, "DATABASE_STATEMENT_CACHE": "on"}).database_statement_cache
    assert not load_settings({**base, "DATABASE_STATEMENT_CACHE": "off"}).database_statement_cache
    with pytest.raises(SettingsError, match="DATABASE_STATEMENT_CACHE must be on or off"):
        load_settings({**base, "DATABASE_STATEMENT_CACHE": "yes"})
    with pytest.raises(SettingsError, match="DATABASE_DIRECT_URL needs DATABASE_URL"):
        load_settings(
            {"REACHOUT_DATA_DIR": str(tmp_path), "DATABASE_DIRECT_URL": "postgresql://db/app"}
        )


def _production(tmp_path, base_url: str) -> dict[str, str]:
    return {
        "REACHOUT_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "DATABASE_URL": "postgresql://db/reachout",
        "BASE_URL": base_url,
        "VAPID_PRIVATE_KEY": "k" * 43,
        "VAPID_SUBJECT": "mailto:ops@reachout.example",
        "SMTP_URL": "smtp://reachout:secret@mail.example:587",
        "MAIL_FROM": "Reachout <hello@reachout.example>",
        "REACHOUT_DATA_DIR": str(tmp_path),
    }


def test_production_refuses_an_http_base_url(tmp_path):
    """Email links and List-Unsubscribe (RFC 8058 one-click needs https) carry BASE_URL, and
    cookies are Secure only on https: production on http would send them all in clear."""
    with pytest.raises(SettingsError, match=r"BASE_URL must start with https://") as refused:
        load_settings(_production(tmp_path, "http://reachout.example"))
    assert "http://reachout.example" in str(refused.value)
    https = load_settings(_production(tmp_path, "https://reachout.example"))
    assert https.base_url == "https://reachout.example" and https.secure_cookies


@pytest.mark.parametrize("base_url", ["http://localhost:8000", "http://127.0.0.1:8000"])
def test_production_on_this_computer_may_use_http(tmp_path, base_url):
    assert load_settings(_production(tmp_path, base_url)).base_url == base_url


def test_development_keeps_http_base_urls(tmp_path):
    environ = {"REACHOUT_DATA_DIR": str(tmp_path), "BASE_URL": "http://192.168.1.20:8000"}
    assert load_settings(environ).base_url == "http://192.168.1.20:8000"
