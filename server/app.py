"""Builds the Starlette app: the one route table, middleware, and the resources of its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from server import db, errors, push, time_zones
from server.csrf import CSRFCookieMiddleware
from server.headers import SecurityHeadersMiddleware, VersionedStatic
from server.limits import BodySizeLimitMiddleware
from server.listener import Listener
from server.routes import (
    cards,
    contacts,
    events,
    followups,
    health,
    home,
    matches,
    preferences,
    requests,
    scan,
    share,
    swaps,
    sync,
    tap,
)
from server.settings import Settings, load_settings
from server.templating import STATIC_DIR, create_templates

ROUTES = [
    Route("/", home.index, name="home"),
    Route("/healthz", health.healthz, name="healthz"),
    Route("/offline", home.offline, name="offline"),
    Route("/sw.js", home.service_worker, name="service_worker"),
    Route("/manifest.webmanifest", home.manifest, name="manifest"),
    Route("/card", cards.show, methods=["GET"], name="card"),
    Route("/card", cards.save, methods=["POST"], name="card_save"),
    Route("/card/edit", cards.edit, name="card_edit"),
    Route("/card/check/{field}", cards.check_field, methods=["POST"], name="card_check"),
    Route("/card/photo", cards.upload_photo, methods=["POST"], name="card_photo"),
    Route("/card/photo/remove", cards.remove_photo, methods=["POST"], name="card_photo_remove"),
    Route("/photos/{key}", cards.photo, name="photo"),
    Route("/share", share.show, name="share"),
    Route("/share/reset", share.reset, methods=["POST"], name="share_reset"),
    Route("/share/ask-first", share.set_ask_first, methods=["POST"], name="share_ask_first"),
    Route("/scan", scan.show, name="scan"),
    Route("/tap", tap.show, name="tap"),
    Route("/tap/clock", tap.clock, name="tap_clock"),
    Route("/tap/code", tap.my_code, methods=["POST"], name="tap_code"),
    Route("/tap/code/enter", tap.enter_code, methods=["POST"], name="tap_code_enter"),
    Route("/tap/guest", tap.add_guest, methods=["POST"], name="tap_guest"),
    Route("/tap/bumps", tap.bump, methods=["POST"], name="bump_create"),
    Route("/tap/bumps/{bump_id:int}", tap.bump_status, name="bump_status"),
    Route(
        "/tap/bumps/{bump_id:int}/confirm", tap.bump_confirm, methods=["POST"], name="bump_confirm"
    ),
    Route(
        "/tap/bumps/{bump_id:int}/decline", tap.bump_decline, methods=["POST"], name="bump_decline"
    ),
    Route("/tap/bumps/{bump_id:int}/choose", tap.bump_choose, methods=["POST"], name="bump_choose"),
    Route("/sync/actions", sync.action, methods=["POST"], name="sync_action"),
    Route("/c/{token}", swaps.show, name="public_card"),
    Route("/c/{token}/vcard", swaps.download_vcard, name="public_card_vcard"),
    Route("/c/{token}/swap", swaps.swap, methods=["POST"], name="swap"),
    Route("/c/{token}/details", swaps.leave_details, methods=["POST"], name="leave_details"),
    Route("/welcome/{contact_id:int}", contacts.welcome, name="welcome"),
    Route("/contacts", contacts.index, name="contacts"),
    Route("/contacts/{contact_id:int}", contacts.show, name="contact"),
    Route(
        "/contacts/{contact_id:int}/note", contacts.save_note, methods=["POST"], name="contact_note"
    ),
    Route("/contacts/{contact_id:int}/vcard", contacts.download_vcard, name="contact_vcard"),
    Route(
        "/contacts/{contact_id:int}/followup",
        followups.change,
        methods=["POST"],
        name="followup_change",
    ),
    Route(
        "/contacts/{contact_id:int}/give-get",
        contacts.save_give_get,
        methods=["POST"],
        name="contact_give_get",
    ),
    Route(
        "/contacts/{contact_id:int}/reach-out",
        followups.reach_out,
        methods=["POST"],
        name="reach_out",
    ),
    Route("/followups", followups.index, name="followups"),
    Route("/followups.ics", followups.calendar, name="followups_calendar"),
    Route(
        "/followups/{followup_id:int}/{action:str}/from-notification",
        followups.from_notification,
        methods=["POST"],
        name="followup_from_notification",
    ),
    Route("/events", events.index, name="events"),
    Route("/events/new", events.new, name="event_new"),
    Route("/events/new", events.create, methods=["POST"], name="event_create"),
    Route("/events/{event_id:int}", events.show, name="event"),
    Route("/events/{event_id:int}/edit", events.edit, name="event_edit"),
    Route("/events/{event_id:int}/edit", events.update, methods=["POST"], name="event_update"),
    Route("/events/{event_id:int}/close", events.close, methods=["POST"], name="event_close"),
    Route("/events/{event_id:int}/poster", events.poster, name="event_poster"),
    Route("/events/{event_id:int}/people", events.people, name="event_people"),
    Route(
        "/events/{event_id:int}/listing", events.set_listed, methods=["POST"], name="event_listing"
    ),
    Route("/events/{event_id:int}/leave", events.leave, methods=["POST"], name="event_leave"),
    Route(
        "/events/{event_id:int}/people/{account_id:int}/block",
        events.block,
        methods=["POST"],
        name="event_block",
    ),
    Route("/events/{event_id:int}/matches", matches.show, name="event_matches"),
    Route(
        "/events/{event_id:int}/people/{account_id:int}/request",
        requests.ask,
        methods=["POST"],
        name="request_connect",
    ),
    Route("/requests", requests.incoming, name="requests"),
    Route(
        "/requests/{request_id:int}/{decision:str}",
        requests.decide,
        methods=["POST"],
        name="request_decide",
    ),
    Route("/join", events.enter_code, name="join_code"),
    Route("/j/{code}", events.join_page, name="join_event"),
    Route("/j/{code}", events.join, methods=["POST"], name="join_event_submit"),
    Route("/settings", preferences.show, name="settings"),
    Route("/settings", preferences.save, methods=["POST"], name="settings_save"),
    Route("/push/subscriptions", preferences.subscribe, methods=["POST"], name="push_subscribe"),
    Route("/push/unsubscribe", preferences.unsubscribe, methods=["POST"], name="push_unsubscribe"),
    Route(
        "/push/subscriptions/{subscription_id:int}/delete",
        preferences.remove_device,
        methods=["POST"],
        name="push_remove_device",
    ),
    Mount("/static", VersionedStatic(StaticFiles(directory=STATIC_DIR)), name="static"),
]


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()
    if settings.database_url is None:
        raise RuntimeError("DATABASE_URL is not set; start the server with `python -m server web`")
    database_url = settings.database_url
    inline_css = (STATIC_DIR / "app.css").read_text()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = await db.create_pool(database_url)
        try:
            async with pool.acquire() as conn:
                await db.apply_migrations(conn)
            app.state.pool = pool
            app.state.time_zones = await time_zones.load_names(pool)
            app.state.vapid = await push.load_keys(pool, settings.vapid_private_key)
            app.state.listener = Listener(database_url, "bumps")
            await app.state.listener.start()
            try:
                yield
            finally:
                await app.state.listener.close()
        finally:
            await pool.close()

    app = Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(
                SecurityHeadersMiddleware, inline_css=inline_css, hsts=settings.secure_cookies
            ),
            Middleware(GZipMiddleware, minimum_size=512),
            Middleware(
                CSRFCookieMiddleware, secret_key=settings.secret_key, secure=settings.secure_cookies
            ),
            Middleware(
                BodySizeLimitMiddleware,
                default=settings.max_body_bytes,
                larger={"/card/photo": settings.max_photo_bytes},
            ),
        ],
        exception_handlers={HTTPException: errors.http_exception, Exception: errors.server_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.sql = db.Queries()
    app.state.templates = create_templates(inline_css, ROUTES)
    app.state.worker_script = home.worker_script(app.state.templates.env.globals["static_urls"])
    return app
