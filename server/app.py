"""Builds the Starlette app: the one route table, middleware, and the resources of its lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from zoneinfo import ZoneInfo

import asyncpg
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from server.cards import fields, photos, web_links
from server.cards import routes as cards_routes
from server.config import Settings, load_settings
from server.contacts import block_routes as contacts_block_routes
from server.contacts import contact_routes as contacts_contact_routes
from server.contacts import kept_routes as contacts_kept_routes
from server.contacts import note_routes as contacts_note_routes
from server.contacts import remove_routes as contacts_remove_routes
from server.contacts import routes as contacts_routes
from server.contacts import sharing_routes as contacts_sharing_routes
from server.db import away, migrations, queries, time_zones
from server.db import pool as db_pool
from server.db.listener import Listener
from server.devmail import routes as devmail_routes
from server.events import code_routes as events_code_routes
from server.events import events
from server.events import form_routes as events_form_routes
from server.events import join_routes as events_join_routes
from server.events import routes as events_routes
from server.export import met
from server.export import routes as export_routes
from server.followups import push, wording
from server.followups import routes as followups_routes
from server.home import routes as home_routes
from server.mail import routes as mail_routes
from server.privacy import routes as privacy_routes
from server.roster import answer_routes as roster_answer_routes
from server.roster import ask_routes as roster_ask_routes
from server.roster import block_routes as roster_block_routes
from server.roster import listing_routes as roster_listing_routes
from server.roster import match_routes as roster_match_routes
from server.roster import request_routes as roster_request_routes
from server.roster import routes as roster_routes
from server.roster import sent_routes as roster_sent_routes
from server.settings import confirm_routes as settings_confirm_routes
from server.settings import routes as settings_routes
from server.signin import merge_routes as signin_merge_routes
from server.signin import move_routes as signin_move_routes
from server.signin import passkey_routes as signin_passkey_routes
from server.signin import routes as signin_routes
from server.swaps import routes as swaps_routes
from server.tap import bumps, codes
from server.tap import routes as tap_routes
from server.web import errors, garbage, limits, page_cache, release
from server.web.auth import SessionBackend
from server.web.csrf import CrossOriginProtectionMiddleware
from server.web.headers import SecurityHeadersMiddleware, VersionedStatic
from server.web.limits import BodySizeLimitMiddleware
from server.web.sessions import SessionCookieUpkeep
from server.web.templating import STATIC_DIR, create_templates
from server.web.urls import Urls

log = logging.getLogger("reachout.web")

STATIC_PREFIX = "/static"
# About 4 KB each (kept compressed): 4 MB per web process.
CARD_PAGES_KEPT = 1024

# The one route table: each area's ``routes`` list. Starlette tries them in order, and no path
# matches routes of two areas (tests/test_app.py), so what is asked for most comes first: the
# static files every page loads, then a card opened from its QR code (a crowd scanning one
# code at once).
ROUTES: list[BaseRoute] = [
    Mount(STATIC_PREFIX, VersionedStatic(StaticFiles(directory=STATIC_DIR)), name="static"),
    *swaps_routes.routes,
    *home_routes.routes,
    *cards_routes.routes,
    *tap_routes.routes,
    *contacts_routes.routes,
    *contacts_contact_routes.routes,
    *contacts_note_routes.routes,
    *contacts_sharing_routes.routes,
    *contacts_remove_routes.routes,
    *contacts_block_routes.routes,
    *contacts_kept_routes.routes,
    *followups_routes.routes,
    *events_routes.routes,
    *events_form_routes.routes,
    *events_code_routes.routes,
    *events_join_routes.routes,
    *roster_routes.routes,
    *roster_listing_routes.routes,
    *roster_block_routes.routes,
    *roster_match_routes.routes,
    *roster_ask_routes.routes,
    *roster_request_routes.routes,
    *roster_sent_routes.routes,
    *roster_answer_routes.routes,
    *settings_routes.routes,
    *settings_confirm_routes.routes,
    *export_routes.routes,
    *mail_routes.routes,
    *signin_passkey_routes.routes,
    *signin_routes.routes,
    *signin_move_routes.routes,
    *signin_merge_routes.routes,
    *privacy_routes.routes,
    *devmail_routes.routes,
]


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()
    if settings.database_url is None:
        raise RuntimeError("DATABASE_URL is not set; start the server with `python -m server web`")
    database_url = settings.database_url
    # LISTEN and the migrations' advisory lock need a session: past any pooler.
    direct_url = settings.database_direct_url or database_url
    inline_css = (STATIC_DIR / "app.css").read_text()
    urls = Urls(ROUTES)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = await db_pool.create_pool(
            database_url,
            application_name="reachout-web",
            statement_cache=settings.database_statement_cache,
        )
        try:

            async def start() -> None:
                await migrations.apply_migrations_at(direct_url)
                app.state.time_zones = await time_zones.load_names(pool)
                app.state.time_zone_choices = time_zones.choices(app.state.time_zones)
                app.state.vapid = await push.load_keys(pool, settings.vapid_private_key)

            # `python -m server web` waited for the database before uvicorn started; it may
            # have gone away since (a restart): wait again rather than fail to start.
            await away.wait_for_database(
                start, seconds=settings.database_wait_seconds, say=log.warning
            )
            app.state.pool = pool
            app.state.photo_decoding = photos.decoding()
            app.state.listener = Listener(direct_url, "bumps")
            await app.state.listener.start()
            try:
                # Bumps timed on PostgreSQL's clock, which every web machine shares.
                # Only here, in the web process (each uvicorn worker runs this lifespan); the
                # worker process (server/worker_process.py) runs no lifespan of the app.
                async with bumps.clock_kept(pool):
                    with garbage.collected_rarely():
                        yield
            finally:
                await app.state.listener.close()
        finally:
            await pool.close()

    app = Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(limits.SlowDownMiddleware),
            Middleware(
                SecurityHeadersMiddleware, inline_css=inline_css, hsts=settings.secure_cookies
            ),
            Middleware(
                GZipMiddleware,
                minimum_size=page_cache.GZIP_MINIMUM,
                compresslevel=page_cache.COMPRESS_LEVEL,
                # A vCard is mostly a photo's base64, of which gzip wins back a quarter for
                # more CPU than making the file (server/export/making.py).
                exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, "text/vcard"),
            ),
            # The viewer first, so even a refused request's error page shows who is signed in.
            Middleware(
                AuthenticationMiddleware,
                on_error=errors.authentication_error,
                backend=SessionBackend(
                    STATIC_PREFIX,
                    # The Tap screen's clock too: only the time, asked five times a sync by
                    # every phone with bump on, and it must answer while sessions can't.
                    same_for_everyone=(
                        urls.path(name)
                        for name in ("healthz", "service_worker", "manifest", "tap_clock")
                    ),
                    secure=settings.secure_cookies,
                ),
            ),
            Middleware(SessionCookieUpkeep),
            Middleware(CrossOriginProtectionMiddleware, base_url=settings.base_url),
            Middleware(
                BodySizeLimitMiddleware,
                default=settings.max_body_bytes,
                larger={"/card/photo": settings.max_photo_bytes},
            ),
        ],
        exception_handlers={
            **dict.fromkeys(db_pool.DATABASE_AWAY, errors.database_away),
            asyncpg.InterfaceError: errors.connection_closed,
            HTTPException: errors.http_exception,
            queries.UnstorableText: errors.unreadable,
            Exception: errors.server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.sql = queries.Queries()
    # The card page a QR code opens, as someone with no account sees it
    # (server/swaps/card_pages.py): kept in the process, and in the database for processes of
    # the same release; not in development, where a template may change under a running one.
    app.state.card_pages = page_cache.PageCache(CARD_PAGES_KEPT)
    app.state.release = None if settings.env == "development" else release.digest(settings.base_url)
    app.state.urls = urls
    app.state.templates = create_templates(
        inline_css,
        app.state.urls,
        domain_globals={
            "fields": fields.FIELDS,
            "quick_fields": [fields.BY_NAME[name] for name in fields.QUICK_FIELDS],
            "followup_state": wording.state,
            "earliest_snooze_day": wording.earliest_snooze_day,
            "tomorrow_morning": wording.tomorrow_morning,
            "latest_snooze_day": wording.latest_snooze_day,
            "event_when": events.when,
            "event_limits": events.LIMITS,
            # What Tap's forms refuse on the phone before keeping a swap offline (tap.js),
            # in the server's words: kept, it would only fail once back online.
            "offline_checks": {
                "malformed": codes.MALFORMED,
                "no_name": fields.THEIR_NAME,
                "no_reach": fields.THEIR_REACH,
                "reach": " ".join(n for n in fields.QUICK_FIELDS if n in fields.REACH_FIELDS),
            },
            # The day we met on my calendar, as every export says it: {{ met_on(contact, tz) }}
            "met_on": lambda contact, tz: met.met_on(contact, ZoneInfo(tz)),
        },
        domain_filters={
            "phone": fields.display_phone,
            "web_link": web_links.shown,
            "mailto": fields.mailto_url,
            "tel": lambda number: fields.phone_url("tel", number),
        },
        auto_reload=settings.env == "development",
    )
    app.state.worker_script = home_routes.worker_script(
        app.state.templates.env.globals["static_urls"], app.state.urls
    )
    return app
