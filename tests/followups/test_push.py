"""Our layer over the ``webpush`` package: what it leaves out, checked."""

from __future__ import annotations

import json
import ssl

import jwt
import pytest

from server.followups import push
from server.followups.push_http import PushHttp


def test_aud_keeps_a_non_default_port():
    assert push.push_origin("https://127.0.0.1:8443/push/x") == "https://127.0.0.1:8443"
    assert (
        push.push_origin("https://fcm.googleapis.com:443/fcm/send/x")
        == "https://fcm.googleapis.com"
    )
    assert push.push_origin("https://[::1]:9000/p") == "https://[::1]:9000"


def test_jwt_is_cached_per_origin_and_resigned_after_12_hours():
    keys = push.VapidKeys.generate()
    sender = push.PushSender(keys, "mailto:ops@example.com", http=None)  # type: ignore[arg-type]
    first = sender.authorization("https://a.example/1", now=1000.0)
    assert sender.authorization("https://a.example/2", now=2000.0) == first
    assert sender.authorization("https://b.example/1", now=2000.0) != first
    later = sender.authorization("https://a.example/1", now=1000.0 + 12 * 3600 + 1)
    assert later != first
    token = first.split("t=", 1)[1].split(",", 1)[0]
    claims = jwt.decode(
        token,
        keys.public_pem,
        algorithms=["ES256"],
        audience="https://a.example",
        options={"verify_exp": False},
    )
    assert claims["sub"] == "mailto:ops@example.com"
    assert claims["exp"] - 1000 <= 24 * 3600


def test_payload_over_one_record_is_refused_before_sending(push_service):
    sender = push.PushSender(push.VapidKeys.generate(), "mailto:ops@example.com", http=None)  # type: ignore[arg-type]
    browser = push_service.subscribe()
    subscription = push.Subscription(browser.endpoint, browser.p256dh, browser.auth)
    body = sender.encrypt(b"x" * push.MAX_PLAINTEXT, subscription)
    assert len(body) == 4096
    assert browser.decrypt(body) == b"x" * push.MAX_PLAINTEXT
    with pytest.raises(ValueError, match="at most 3993"):
        sender.encrypt(b"x" * (push.MAX_PLAINTEXT + 1), subscription)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("soon", None),
        ("²", None),
        (None, None),
    ],
)
def test_retry_after_seconds_or_date(value, expected):
    assert push.parse_retry_after(value, now=1445412480.0 + 100) == expected


async def test_redirects_are_never_followed(push_service, app):
    # A push endpoint that redirects must not make us POST somewhere else.
    from aiohttp import web

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect("https://example.com/elsewhere")

    server_app = web.Application()
    server_app.router.add_post("/push/x", redirect)
    runner = web.AppRunner(server_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        browser = push_service.subscribe()
        async with PushHttp(ssl.create_default_context(), limit=4) as http:
            sender = push.PushSender(app.state.vapid, "mailto:ops@example.com", http)
            result = await sender.send(
                push.Subscription(f"http://127.0.0.1:{port}/push/x", browser.p256dh, browser.auth),
                {"title": "t"},
                ttl=60,
            )
        assert result.status == 307 and not result.sent
    finally:
        await runner.cleanup()


async def test_network_error_is_retryable(app, push_service):
    browser = push_service.subscribe()
    async with PushHttp(ssl.create_default_context(), limit=4) as http:
        sender = push.PushSender(app.state.vapid, "mailto:ops@example.com", http, timeout=2)
        result = await sender.send(
            push.Subscription("https://127.0.0.1:1/push/x", browser.p256dh, browser.auth),
            {},
            ttl=60,
        )
    assert result.status == 0 and result.retryable and result.error


def test_configured_vapid_key_in_either_format_gives_the_same_public_key():
    keys = push.VapidKeys.generate()
    scalar = keys.private_key.private_numbers().private_value.to_bytes(32, "big")
    from_raw = push.keys_from_setting(push.b64url(scalar))
    from_pem = push.keys_from_setting(keys.private_pem.replace("\n", "\\n"))
    assert from_raw.application_server_key == keys.application_server_key
    assert from_pem.application_server_key == keys.application_server_key


async def test_generated_key_is_kept_and_shared_by_every_process(app):
    again = await push.load_keys(app.state.pool, None)
    assert again.application_server_key == app.state.vapid.application_server_key


@pytest.mark.parametrize("fill", ["🎉", 'say "hi" ', "שלום ", "\x01"])
def test_a_body_too_long_for_one_record_is_cut_to_fit_and_says_so(fill):
    message = {"title": "Follow up with Mia", "body": fill * 2000, "url": "/contacts/1"}
    data = push.payload(message)
    assert len(data) <= push.MAX_PLAINTEXT
    shown = json.loads(data)
    assert shown["title"] == "Follow up with Mia" and shown["url"] == "/contacts/1"
    assert shown["body"].endswith("…") and shown["body"].startswith(fill.strip()[:1])
    # As little cut as needs be: one more character would not have fitted.
    assert len(data) > push.MAX_PLAINTEXT - 16


def test_text_goes_as_utf8_not_escaped():
    assert push.payload({"body": "שלום 🌷"}) == '{"body":"שלום 🌷"}'.encode()


def test_a_message_too_long_without_its_body_is_unsendable():
    with pytest.raises(push.Unsendable):
        push.payload({"title": "x" * 5000, "body": "short"})
