"""Reminders end to end in Chromium: subscribe in the settings page, push, show, tap.

Headless Chromium cannot reach a real push service, so only
``PushManager.prototype.subscribe`` / ``getSubscription`` are replaced (an init
script making real WebCrypto P-256 keys and an auth secret, with an endpoint on the
local test push service). Everything after that is real: the page registers the
service worker and posts the subscription through the app's UI, the worker encrypts
and sends, the test push service checks VAPID, decrypts, and hands the payload to the
service worker with the DevTools protocol (``ServiceWorker.deliverPushMessage``), and
the service worker shows the notification and acts on a tap. The tap is a
``notificationclick`` dispatched inside the service worker; as Chromium lets only a
trusted one focus a window, ``WindowClient.focus()`` is stood in for during the tap
(see ``TAP_NOTIFICATION``).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import asyncpg
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.async_api import BrowserContext, Page, Worker, expect
from starlette.applications import Starlette

from server.local_services.push_service import (
    BrowserSubscription,
    LocalPushService,
    Received,
    b64url,
    b64url_decode,
    public_key_bytes,
)
from tests.browser.conftest import NewPage
from tests.browser.ui import (
    DANA,
    SHOWN_NOTIFICATIONS,
    ServiceWorkerControl,
    make_card_from_home,
    swap_with_mia,
)
from tests.mailing import confirm_addresses
from tests.reminders import make_due, running_worker, zone_where_it_is
from tests.waiting import eventually

# Runs in every page before its scripts. A subscription is kept in localStorage, so
# getSubscription() agrees with subscribe() across reloads, as a browser's would.
FAKE_PUSH_MANAGER = """
((origin, id) => {
  if (typeof PushManager === "undefined") return;
  const KEY = "__reachoutTestPush";
  const b64url = (bytes) =>
    btoa(String.fromCharCode(...new Uint8Array(bytes)))
      .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  const bytesOf = (text) =>
    Uint8Array.from(
      atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4)),
      (c) => c.charCodeAt(0),
    ).buffer;
  const keyText = (key) =>
    typeof key === "string" ? key
      : ArrayBuffer.isView(key) ? b64url(new Uint8Array(key.buffer, key.byteOffset, key.byteLength))
      : b64url(key);

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)); } catch (e) { return null; }
  }

  function subscription(state) {
    window.__reachoutTestPush = state;
    return {
      endpoint: state.endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true, applicationServerKey: bytesOf(state.applicationServerKey) },
      getKey: (name) => (name === "p256dh" || name === "auth" ? bytesOf(state[name]) : null),
      toJSON: () => ({
        endpoint: state.endpoint,
        expirationTime: null,
        keys: { p256dh: state.p256dh, auth: state.auth },
      }),
      unsubscribe: () => {
        localStorage.removeItem(KEY);
        window.__reachoutTestPush = null;
        return Promise.resolve(true);
      },
    };
  }

  PushManager.prototype.getSubscription = function () {
    const state = load();
    return Promise.resolve(state ? subscription(state) : null);
  };

  PushManager.prototype.subscribe = async function (options) {
    if (Notification.permission !== "granted") {
      throw new DOMException("Registration failed - permission denied", "NotAllowedError");
    }
    if (!options || !options.userVisibleOnly || !options.applicationServerKey) {
      throw new DOMException("userVisibleOnly and applicationServerKey needed", "NotAllowedError");
    }
    const existing = load();
    if (existing) return subscription(existing);
    const pair = await crypto.subtle.generateKey(
      { name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"],
    );
    const state = {
      endpoint: `${origin}/push/${id}`,
      p256dh: b64url(await crypto.subtle.exportKey("raw", pair.publicKey)),
      auth: b64url(crypto.getRandomValues(new Uint8Array(16))),
      privateJwk: await crypto.subtle.exportKey("jwk", pair.privateKey),
      applicationServerKey: keyText(options.applicationServerKey),
    };
    localStorage.setItem(KEY, JSON.stringify(state));
    return subscription(state);
  };

  const current = load();
  if (current) window.__reachoutTestPush = current;
})
"""

# Inside the service worker: the person taps the shown reminder, or one of its buttons.
# A NotificationEvent made by a script is not extendable, so what the handler passes to
# waitUntil() is collected and awaited here instead (its errors reach the test). And only
# a trusted tap may focus a window, which headless Chromium cannot make on a notification:
# WindowClient.focus() alone is stood in for while the tap is handled (it resolves with
# the same client, as a real focus() does); navigate() and everything else are real.
TAP_NOTIFICATION = """async ({ tag, action }) => {
  const [notification] = await self.registration.getNotifications({ tag });
  if (!notification) throw new Error(`no notification with tag ${tag}`);
  const event = new NotificationEvent("notificationclick", { notification, action });
  const work = [];
  Object.defineProperty(event, "waitUntil", { value: (promise) => { work.push(promise); } });
  const focus = WindowClient.prototype.focus;
  const focused = [];
  WindowClient.prototype.focus = function () {
    focused.push(this.url);
    return Promise.resolve(this);
  };
  try {
    self.dispatchEvent(event);
    const results = await Promise.all(work);
    return {
      focused,
      results: results.map((r) =>
        r instanceof Response ? { status: r.status, url: r.url }
          : r && typeof r === "object" && "url" in r ? { url: r.url } : r ?? null),
    };
  } finally {
    WindowClient.prototype.focus = focus;
  }
}"""


def fake_push_manager(origin: str, subscription_id: str) -> str:
    return f"{FAKE_PUSH_MANAGER}({json.dumps(origin)}, {json.dumps(subscription_id)});"


def subscription_from_browser(state: dict[str, Any]) -> BrowserSubscription:
    """The subscription the page made, with the private key it exported as a JWK."""
    jwk = state["privateJwk"]
    assert jwk["kty"] == "EC" and jwk["crv"] == "P-256"
    public = ec.EllipticCurvePublicNumbers(
        int.from_bytes(b64url_decode(jwk["x"]), "big"),
        int.from_bytes(b64url_decode(jwk["y"]), "big"),
        ec.SECP256R1(),
    )
    private_key = ec.EllipticCurvePrivateNumbers(
        int.from_bytes(b64url_decode(jwk["d"]), "big"), public
    ).private_key()
    assert state["p256dh"] == b64url(public_key_bytes(private_key.public_key()))
    endpoint = state["endpoint"]
    return BrowserSubscription(
        id=endpoint.rsplit("/", 1)[1],
        endpoint=endpoint,
        p256dh=state["p256dh"],
        auth=state["auth"],
        private_key=private_key,
        application_server_key=state["applicationServerKey"],
    )


async def service_worker(context: BrowserContext, origin: str) -> Worker:
    async def running() -> Worker | None:
        workers = [w for w in context.service_workers if w.url.startswith(f"{origin}/sw.js")]
        return workers[-1] if workers else None

    return await eventually(running, "no service worker is running")


async def turn_on_reminders(page: Page, live_server: str, push: LocalPushService) -> None:
    """On the settings page, tap "Turn on reminders" as the person would."""
    context = page.context
    await context.grant_permissions(["notifications"], origin=live_server)
    await context.add_init_script(fake_push_manager(push.origin, secrets.token_urlsafe(16)))
    await page.goto("/settings")
    await page.get_by_role("button", name="Turn on reminders").tap()
    status = page.locator("#push").get_by_role("status")
    await expect(status).to_have_text("Reminders are on for this phone.")


async def followup_of(pool: asyncpg.Pool, owner: str, contact: str) -> asyncpg.Record:
    row = await pool.fetchrow(
        """
        SELECT c.id AS contact_id, f.id AS followup_id, f.status
        FROM contacts c
        JOIN cards mine ON mine.account_id = c.owner_id
        JOIN cards theirs ON theirs.account_id = c.contact_id
        JOIN followups f ON f.contact_id = c.id
        WHERE mine.name = $1 AND theirs.name = $2
        """,
        owner,
        contact,
    )
    assert row is not None, f"{owner} has no follow-up with {contact}"
    return row


async def test_reminder_is_pushed_to_the_service_worker_shown_and_tapped(
    new_phone_page: NewPage,
    live_server: str,
    app: Starlette,
    push: LocalPushService,
    pool: asyncpg.Pool,
) -> None:
    dana = await swap_with_mia(new_phone_page)
    await turn_on_reminders(dana, live_server, push)

    state = await dana.evaluate("() => window.__reachoutTestPush")
    assert state, "the page never called PushManager.subscribe()"
    subscription = push.adopt(subscription_from_browser(state))
    assert subscription.application_server_key == app.state.vapid.application_server_key
    stored = await pool.fetchrow("SELECT endpoint, p256dh, auth, device FROM push_subscriptions")
    assert stored is not None
    assert (stored["endpoint"], stored["p256dh"], stored["auth"]) == (
        subscription.endpoint,
        subscription.p256dh,
        subscription.auth,
    )
    assert stored["device"].startswith("Chrome")
    # The device list updates in place, with this phone marked.
    await expect(dana.locator("#devices .this-device")).to_be_visible()
    await expect(dana.locator("#devices")).to_contain_text(stored["device"])

    # getSubscription() agrees after a reload: this phone is marked in the list.
    await dana.reload()
    await expect(
        dana.get_by_role("button", name="Turn off reminders on this phone")
    ).to_be_visible()
    await expect(dana.locator("#devices .this-device")).to_be_visible()

    # The push service hands what it accepts for this phone to its service worker.
    sw_push = await ServiceWorkerControl.attach(dana, live_server)

    async def forward(received: Received) -> None:
        if received.subscription_id == subscription.id:
            await sw_push.deliver_push(received.text())

    errors_before = len(push.callback_errors)
    push.on_accept = forward
    try:
        followup = await followup_of(pool, "Dana Lee", "Mia Chen")
        contact_path = f"/contacts/{followup['contact_id']}"
        # Dana lives where it is day: they met "today" still when it goes (in the browser's
        # zone, a swap at 23:59 would be "yesterday" by then).
        await pool.execute(
            "UPDATE accounts SET time_zone = $1"
            " WHERE id = (SELECT account_id FROM cards WHERE name = 'Dana Lee')",
            zone_where_it_is(day=True),
        )
        await make_due(pool)
        async with running_worker(app, push) as worker:
            assert await worker.run_once() == 1  # Mia has no device: only Dana's goes out
        [message] = push.received_for(subscription)
        await push.drain()
        assert push.callback_errors[errors_before:] == []
    finally:
        push.on_accept = None
    assert await pool.fetchval("SELECT status FROM deliveries") == "sent"

    [notification] = await sw_push.shown_after_push(dana, message.text())
    assert notification["title"] == "Follow up with Mia Chen"
    assert notification["body"] == "You met today."
    assert notification["tag"] == f"contact-{followup['contact_id']}"
    # With the marks of the card it was pushed to (from=push, for: notifications.Paths).
    assert notification["data"]["url"].startswith(f"{contact_path}?from=push&for=")
    contact_path = notification["data"]["url"]
    assert notification["data"]["followup"] == followup["followup_id"]
    assert notification["actions"] == ["done", "snooze"]
    done_url = notification["data"]["actions"]["done"]
    assert done_url.startswith(f"/followups/{followup['followup_id']}/done/from-notification?")

    # A tap on the reminder itself takes the open app to the contact.
    worker_in_browser = await service_worker(dana.context, live_server)
    tap = await worker_in_browser.evaluate(
        TAP_NOTIFICATION, {"tag": notification["tag"], "action": ""}
    )
    assert tap["focused"] == [f"{live_server}/settings"], tap
    assert tap["results"] == [{"url": f"{live_server}{contact_path}"}], tap
    await expect(dana).to_have_url(f"{live_server}{contact_path}")
    await expect(dana.get_by_role("heading", level=1, name="Mia Chen")).to_be_visible()
    assert len(dana.context.pages) == 1, "a second window was opened"
    assert await dana.evaluate(SHOWN_NOTIFICATIONS) == [], "the tapped reminder is still shown"

    # The same reminder again (a push service may deliver twice): its "Done" button.
    await sw_push.deliver_push(message.text())
    assert await sw_push.shown_after_push(dana, message.text()), "the redelivered reminder"
    tap = await worker_in_browser.evaluate(
        TAP_NOTIFICATION, {"tag": notification["tag"], "action": "done"}
    )
    assert tap == {"focused": [], "results": [{"status": 204, "url": live_server + done_url}]}
    assert (
        await pool.fetchval("SELECT status FROM followups WHERE id = $1", followup["followup_id"])
        == "done"
    )
    assert await dana.evaluate(SHOWN_NOTIFICATIONS) == []
    await expect(dana).to_have_url(f"{live_server}{contact_path}")  # the button opens nothing

    # Its "Snooze" with no signal: nothing reached us, so the contact opens (from what the
    # phone saved) rather than the reminder just vanishing, as if it had been snoozed.
    await sw_push.deliver_push(message.text())
    assert await sw_push.shown_after_push(dana, message.text()), "delivered a third time"
    await dana.goto("/settings")
    await dana.context.set_offline(True)
    try:
        tap = await worker_in_browser.evaluate(
            TAP_NOTIFICATION, {"tag": notification["tag"], "action": "snooze"}
        )
    finally:
        await dana.context.set_offline(False)
    assert tap["results"] == [{"url": f"{live_server}{contact_path}"}], tap
    await expect(dana).to_have_url(f"{live_server}{contact_path}")
    await expect(dana.get_by_role("heading", level=1, name="Mia Chen")).to_be_visible()


async def test_a_browser_that_cannot_subscribe_is_told_so_in_our_words(
    new_phone_page: NewPage, live_server: str
) -> None:
    """Chromium's own push client is not there (as in a private window): its error, in the
    browser's words ("Registration failed - …"), is said in ours."""
    dana = await swap_with_mia(new_phone_page)
    await dana.context.grant_permissions(["notifications"], origin=live_server)
    await dana.goto("/settings")
    await dana.get_by_role("button", name="Turn on reminders").tap()
    status = dana.locator("#push").get_by_role("status")
    await expect(status).to_have_text(
        "This browser could not turn on reminders here (a private window can't)."
        " Try again in a normal window, or use “Add to calendar”."
    )
    await expect(dana.get_by_role("button", name="Turn on reminders")).to_be_enabled()


async def test_a_phone_removed_from_the_list_offers_reminders_again_and_turning_on_works(
    new_phone_page: NewPage, live_server: str, push: LocalPushService, pool: asyncpg.Pool
) -> None:
    dana = await swap_with_mia(new_phone_page)
    await turn_on_reminders(dana, live_server, push)
    devices = dana.locator("#devices")
    await expect(devices.get_by_text("(this phone)")).to_be_visible()

    # Removed from the list (the browser keeps its subscription): we send it nothing, and the
    # page says so by offering to turn reminders on, not to turn them off.
    await devices.get_by_role("button", name="Remove Chrome").tap()
    await expect(dana.get_by_text("No device gets reminders yet.")).to_be_visible()
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 0
    turn_on = dana.get_by_role("button", name="Turn on reminders")
    await expect(turn_on).to_be_visible()
    await expect(dana.get_by_role("button", name="Turn off reminders on this phone")).to_be_hidden()

    await turn_on.tap()
    await expect(dana.locator("#push").get_by_role("status")).to_have_text(
        "Reminders are on for this phone."
    )
    await expect(devices.get_by_text("(this phone)")).to_be_visible()
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 1


async def test_turning_off_with_no_network_says_they_are_still_on_then_works(
    new_phone_page: NewPage, live_server: str, push: LocalPushService, pool: asyncpg.Pool
) -> None:
    dana = await swap_with_mia(new_phone_page)
    await turn_on_reminders(dana, live_server, push)
    turn_off = dana.get_by_role("button", name="Turn off reminders on this phone")
    status = dana.locator("#push").get_by_role("status")

    await dana.context.route(
        "**/push/unsubscribe", lambda route: route.abort("internetdisconnected")
    )
    await turn_off.tap()
    await expect(status).to_have_text(
        "Reminders are still on: Reachout could not be reached."
        " Check your connection and try again."
    )
    await expect(turn_off).to_be_enabled()
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 1
    assert await dana.evaluate("() => window.__reachoutTestPush") is not None

    await dana.context.unroute("**/push/unsubscribe")
    await turn_off.tap()
    await expect(status).to_have_text("Reminders are off for this phone.")
    # The list below says so too, without a reload.
    await expect(dana.get_by_text("No device gets reminders yet.")).to_be_visible()
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 0
    await expect(dana.get_by_role("button", name="Turn on reminders")).to_be_visible()


async def test_saving_how_and_when_reminders_come_updates_what_the_page_says_of_them(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await confirm_addresses(pool, DANA.email)
    await dana.goto("/settings")
    email_status = dana.locator("#email-section")
    await expect(email_status).to_contain_text("confirmed. Your reminders go there.")
    await expect(dana.locator("#push")).to_contain_text("The morning after you meet someone")

    preferences = dana.locator("#preferences")
    await preferences.get_by_label("In 3 days (09:00)").check()
    await preferences.get_by_label("By push", exact=True).check()
    await preferences.get_by_role("button", name="Save reminder settings").tap()
    await expect(preferences.get_by_role("status")).to_have_text("Saved.")
    # Saved in place: the rest of the page says the new settings, with no reload.
    await expect(dana.locator("#push")).to_contain_text("Three days after you meet someone")
    await expect(email_status).to_contain_text("Your reminders do not go there now")
