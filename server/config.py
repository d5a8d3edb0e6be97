"""Settings, read once from the environment (Heroku-style names).

In development a missing secret is generated once and kept under ``./.data/``;
with ``REACHOUT_ENV=production`` a missing one stops the boot with its name.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production", "test")
# Where `make run` starts its local mail sink (python -m server mail-sink), and sends to.
DEV_SMTP_URL = "smtp://127.0.0.1:8025"
# Where production may run on http:// (tried on this computer): nothing leaves it in clear.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
# Hosts of the push services browsers use; a subscription elsewhere is refused.
DEFAULT_PUSH_SERVICES = (
    "fcm.googleapis.com,updates.push.services.mozilla.com,*.push.apple.com,*.notify.windows.com"
)


class SettingsError(Exception):
    """The environment cannot run the server; the message says what to set."""


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str | None
    # Where what needs a session of its own goes (LISTEN, the migrations' advisory lock):
    # PostgreSQL itself, when DATABASE_URL is a transaction pooler (PgBouncer).
    database_direct_url: str | None
    # asyncpg's prepared statements, kept per connection. Off by default behind a pooler
    # (DATABASE_DIRECT_URL elsewhere than DATABASE_URL): PgBouncer before 1.21, or without
    # max_prepared_statements, would run a statement prepared on one server connection on
    # another, where it does not exist.
    database_statement_cache: bool
    port: int
    base_url: str
    secret_key: str
    data_dir: Path
    share_token_ttl: timedelta
    default_phone_region: str
    max_body_bytes: int
    max_photo_bytes: int
    web_concurrency: int
    vapid_private_key: str | None
    vapid_subject: str
    push_services: tuple[str, ...]
    push_ca_file: str | None
    worker_concurrency: int
    worker_lease_seconds: int
    roster_days: int
    digest_delay_minutes: int
    database_wait_seconds: int
    smtp_url: str
    mail_from: str
    # How long what is not kept for good is kept (server/privacy/retention.py, /privacy).
    retain_attempts: timedelta
    retain_bumps: timedelta
    retain_synced: timedelta
    retain_sent: timedelta
    retain_requests: timedelta
    retain_guests: timedelta

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def production(self) -> bool:
        return self.env == "production"


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "")
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None


def _days(environ: Mapping[str, str], name: str, default: int, minimum: int) -> timedelta:
    days = _int(environ, name, default)
    if days < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {days}")
    return timedelta(days=days)


def _dev_secret(data_dir: Path, name: str) -> str:
    """A secret generated on first start and kept, so sessions survive restarts."""
    path = data_dir / name.lower()
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(value)
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    env = environ.get("REACHOUT_ENV", "development")
    if env not in ENVIRONMENTS:
        raise SettingsError(f"REACHOUT_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    production = env == "production"
    data_dir = Path(environ.get("REACHOUT_DATA_DIR") or PROJECT_ROOT / ".data")
    port = _int(environ, "PORT", 8000)

    missing = [
        name
        for name in (
            "SECRET_KEY",
            "DATABASE_URL",
            "BASE_URL",
            "VAPID_PRIVATE_KEY",
            "VAPID_SUBJECT",
            "SMTP_URL",
            "MAIL_FROM",
        )
        if production and not environ.get(name)
    ]
    if missing:
        raise SettingsError(
            "REACHOUT_ENV=production needs " + ", ".join(missing) + " set in the environment"
        )

    secret_key = environ.get("SECRET_KEY") or _dev_secret(data_dir, "SECRET_KEY")
    if production and len(secret_key) < 32:
        raise SettingsError("SECRET_KEY must be at least 32 characters in production")

    base_url = (environ.get("BASE_URL") or f"http://localhost:{port}").rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"BASE_URL must be an http(s) URL, not {base_url!r}")
    if production and parts.scheme != "https" and parts.hostname not in LOCAL_HOSTS:
        # Every email link, and List-Unsubscribe (RFC 8058 one-click needs https), carries
        # BASE_URL, and cookies are Secure only on https: on http they all go out in clear.
        raise SettingsError(
            f"BASE_URL must start with https:// in production, not {base_url!r}"
            " (http:// is only for localhost)"
        )

    region = environ.get("DEFAULT_PHONE_REGION", "US").upper()
    if len(region) != 2 or not region.isalpha():
        raise SettingsError(f"DEFAULT_PHONE_REGION must be a two-letter country code: {region!r}")

    subject = environ.get("VAPID_SUBJECT") or "mailto:reachout-dev@example.com"
    if not subject.startswith(("mailto:", "https://")) or len(subject) < 10:
        # Apple answers 403 BadJwtToken to a subject that is not a real contact.
        raise SettingsError(f"VAPID_SUBJECT must be a mailto: or https: contact, not {subject!r}")
    services = environ.get("PUSH_SERVICES") or DEFAULT_PUSH_SERVICES
    smtp_url = environ.get("SMTP_URL") or DEV_SMTP_URL
    smtp = urlsplit(smtp_url)
    if smtp.scheme not in ("smtp", "smtps") or not smtp.hostname:
        # Not the URL itself in the message: it may carry a password.
        raise SettingsError(
            "SMTP_URL must be smtp://[user:password@]host[:port] (STARTTLS when offered)"
            " or smtps://[user:password@]host[:port] (TLS)"
        )
    mail_from = environ.get("MAIL_FROM") or "Reachout <reachout@localhost>"
    _, from_address = parseaddr(mail_from)
    if "@" not in from_address or any(c in mail_from for c in "\r\n"):
        raise SettingsError(
            f"MAIL_FROM must be an address like Reachout <hi@example.com>, not {mail_from!r}"
        )
    database_url = environ.get("DATABASE_URL") or None
    direct_url = environ.get("DATABASE_DIRECT_URL") or None
    if direct_url and not database_url:
        raise SettingsError("DATABASE_DIRECT_URL needs DATABASE_URL (the pooler's URL) set too")
    statement_cache = environ.get("DATABASE_STATEMENT_CACHE", "")
    if statement_cache not in ("", "on", "off"):
        raise SettingsError(f"DATABASE_STATEMENT_CACHE must be on or off, not {statement_cache!r}")
    behind_pooler = direct_url not in (None, database_url)

    lease = _int(environ, "WORKER_LEASE_SECONDS", 20)
    if lease < 2:
        # Renewed every quarter of it, and a send needs half of it left to start.
        raise SettingsError(f"WORKER_LEASE_SECONDS must be at least 2, not {lease}")

    return Settings(
        env=env,
        database_url=database_url,
        database_direct_url=direct_url or database_url,
        database_statement_cache=statement_cache == "on" or not (statement_cache or behind_pooler),
        port=port,
        base_url=base_url,
        secret_key=secret_key,
        data_dir=data_dir,
        share_token_ttl=timedelta(hours=_int(environ, "SHARE_TOKEN_TTL_HOURS", 24)),
        default_phone_region=region,
        max_body_bytes=_int(environ, "MAX_BODY_BYTES", 64 * 1024),
        # A 50 MP phone photo is a 10-20 MB JPEG; a JPEG this large decodes in under 1 s of CPU
        # (server/cards/photos.py), and other formats stay at photos.MAX_OTHER_BYTES.
        max_photo_bytes=_int(environ, "MAX_PHOTO_BYTES", 20 * 1024 * 1024),
        web_concurrency=_int(environ, "WEB_CONCURRENCY", 1),
        vapid_private_key=environ.get("VAPID_PRIVATE_KEY") or None,
        vapid_subject=subject,
        push_services=tuple(s.strip().lower() for s in services.split(",") if s.strip()),
        push_ca_file=environ.get("PUSH_CA_FILE") or None,
        # 128 in flight allow 2,560 pushes a second at a push service's 50 ms, more than one
        # worker process can encrypt (bench/push.py); 64 capped it at 1,280.
        worker_concurrency=_int(environ, "WORKER_CONCURRENCY", 128),
        worker_lease_seconds=lease,
        roster_days=_int(environ, "ROSTER_DAYS", 30),
        digest_delay_minutes=_int(environ, "DIGEST_DELAY_MINUTES", 60),
        database_wait_seconds=_int(environ, "DATABASE_WAIT_SECONDS", 60),
        smtp_url=smtp_url,
        mail_from=mail_from,
        # A day at least: the sign-in limits count the last hour's codes and tries.
        retain_attempts=_days(environ, "RETAIN_ATTEMPTS_DAYS", 1, 1),
        retain_bumps=_days(environ, "RETAIN_BUMPS_DAYS", 1, 1),
        retain_synced=_days(environ, "RETAIN_SYNCED_DAYS", 30, 1),
        # Links in an email find it by its row for 30 days (server/mail/links.py LINK_DAYS).
        retain_sent=_days(environ, "RETAIN_SENT_DAYS", 90, 30),
        retain_requests=_days(environ, "RETAIN_REQUESTS_DAYS", 90, 1),
        retain_guests=_days(environ, "RETAIN_GUESTS_DAYS", 365, 1),
    )
