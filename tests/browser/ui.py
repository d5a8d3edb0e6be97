"""What a person does with their thumbs, written once for the browser tests."""

from __future__ import annotations

import asyncio
import io
import re
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest
import zxingcpp
from PIL import Image
from playwright.async_api import CDPSession, Locator, Page, expect

from tests.browser.conftest import NewPage
from tests.waiting import eventually


@dataclass(frozen=True)
class Card:
    name: str
    headline: str = ""
    email: str = ""
    phone: str = ""
    looking_for: str = ""
    can_help_with: str = ""


DANA = Card(
    name="Dana Lee",
    headline="Recruiter, fashion and apparel",
    email="dana@example.com",
    phone="+1 415 555 0134",
    looking_for="Online marketers who know fashion",
    can_help_with="Intros to recruiters in fashion and apparel",
)
MIA = Card(name="Mia Chen", email="mia@example.com", headline="Growth marketer")
SAM = Card(name="Sam Roe", email="sam@example.com", headline="Founder, robotics")


# Two taps in the same instant: the second comes before any answer to the first.
DOUBLE_TAP = "(button) => { button.click(); button.click(); }"


def card_form(page: Page) -> Locator:
    return page.locator("form", has=page.get_by_role("button", name="Save my card"))


def name_input(scope: Page | Locator) -> Locator:
    # The label reads "Name (required)"; anchored so "LinkedIn: ...username" never matches.
    return scope.get_by_label(re.compile(r"^Name\b"))


async def fill_card_form(page: Page, card: Card) -> None:
    form = card_form(page)
    await name_input(form).fill(card.name)
    await form.get_by_label("Role or headline").fill(card.headline)
    await form.get_by_label("Email", exact=True).fill(card.email)
    await form.get_by_label("Phone", exact=True).fill(card.phone)
    await form.get_by_label("I'm looking for").fill(card.looking_for)
    await form.get_by_label("I can help with").fill(card.can_help_with)


async def make_card_from_home(page: Page, card: Card) -> None:
    """Open the home page, tap "Make my card", fill it in and save: ends on /share."""
    await page.goto("/")
    await page.get_by_role("link", name="Make my card").tap()
    await expect(page.get_by_role("heading", level=1, name="Make my card")).to_be_visible()
    await fill_card_form(page, card)
    await page.get_by_role("button", name="Save my card").tap()
    await expect(page).to_have_url(re.compile(r"/share$"))
    await expect(page.get_by_role("heading", level=1, name=card.name)).to_be_visible()


async def scan_qr(page: Page) -> str:
    """Point a camera at the QR code: decode a screenshot of it, never the DOM."""
    png = await page.locator("#qr").screenshot()
    image = Image.open(io.BytesIO(png))
    codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1, f"expected one readable code in the QR screenshot, got {len(codes)}"
    assert codes[0].format == zxingcpp.BarcodeFormat.QRCode
    return codes[0].text


async def leave_details(page: Page, owner: str, name: str, email: str) -> None:
    """On someone's public card, leave my name and email: ends on the welcome page."""
    form = page.locator("form", has=page.get_by_role("heading", name="Leave your details"))
    await expect(form).to_be_visible()
    await name_input(form).fill(name)
    await form.get_by_label("Email", exact=True).fill(email)
    await form.get_by_role("button", name=f"Send my details to {owner}").tap()
    await expect(page).to_have_url(re.compile(r"/welcome/\d+$"))
    await expect(page.get_by_role("status").filter(has_text="has your details")).to_contain_text(
        f"{owner} has your details"
    )


def tab(page: Page, name: str) -> Locator:
    """A link in the bottom navigation ("My QR", "Contacts", "Follow-ups", "My card")."""
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


def contact_links(page: Page) -> Locator:
    return page.locator("#contact-list").get_by_role("link")


async def mark_document(page: Page) -> None:
    """Tag this document so a later check can tell a full page load from an htmx swap."""
    await page.evaluate("() => { window.__sameDocument = true; }")


async def assert_same_document(page: Page) -> None:
    assert await page.evaluate("() => window.__sameDocument === true"), (
        "the page did a full navigation instead of an in-place htmx update"
    )


# The installed app: its service worker, the outbox of swaps made offline, and the database.

# IndexedDB "reachout"/"outbox" as the app stores it, without creating the database
# when the app has not (an empty version-1 database would block its first upgrade).
OUTBOX_RECORDS = """async () => {
  const names = (await indexedDB.databases()).map((db) => db.name);
  if (!names.includes("reachout")) return [];
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open("reachout");
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    if (!db.objectStoreNames.contains("outbox")) return [];
    return await new Promise((resolve, reject) => {
      const all = db.transaction("outbox").objectStore("outbox").getAll();
      all.onsuccess = () => resolve(all.result);
      all.onerror = () => reject(all.error);
    });
  } finally {
    db.close();
  }
}"""

# What the app itself sends for a queued action: POST /sync/actions with the session cookie.
POST_ACTION = """async (action) => {
  const response = await fetch("/sync/actions", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(action),
  });
  return { status: response.status, body: await response.json() };
}"""


async def service_worker_controls(page: Page) -> None:
    """Wait until the app's service worker is active and controls this page."""
    await page.wait_for_function("() => !!navigator.serviceWorker?.controller")


async def outbox_records(page: Page) -> list[dict[str, Any]]:
    """Every record in this phone's outbox, as stored."""
    records: list[dict[str, Any]] = await page.evaluate(OUTBOX_RECORDS)
    return records


async def post_action(page: Page, record: dict[str, Any]) -> dict[str, Any]:
    """Send a queued action again from the page, as a replay would: key, kind, made_at, payload."""
    action = {key: record[key] for key in ("key", "kind", "made_at", "payload")}
    answer: dict[str, Any] = await page.evaluate(POST_ACTION, action)
    return answer


def offline_mark(page: Page) -> Locator:
    """The "Offline" mark, where a person can see it."""
    return page.get_by_text(re.compile(r"\bOffline\b")).filter(visible=True)


def outbox_list(page: Page) -> Locator:
    return page.locator("[data-outbox]")


async def share_link(page: Page) -> str:
    """My card's link, as the share page offers it to copy (the QR holds the same)."""
    await page.goto("/share")
    return await page.locator("#share-link").input_value()


async def contacts_once(page: Page, name: str) -> None:
    """The Contacts tab lists ``name`` exactly once."""
    await page.goto("/contacts")
    await expect(page.get_by_role("heading", level=1, name="Contacts")).to_be_visible()
    await expect(contact_links(page).filter(has_text=name)).to_have_count(1)


async def connections(pool: asyncpg.Pool, owner: str, contact: str) -> int:
    """How many times ``owner`` has ``contact`` in their contacts, by card names."""
    count: int = await pool.fetchval(
        """
        SELECT count(*) FROM contacts c
        JOIN cards mine ON mine.account_id = c.owner_id
        JOIN cards theirs ON theirs.account_id = c.contact_id
        WHERE mine.name = $1 AND theirs.name = $2
        """,
        owner,
        contact,
    )
    return count


async def all_connections(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM contacts")
    return count


# What the page's service worker shows now, as the phone's notification tray would.
SHOWN_NOTIFICATIONS = """async () => {
  const registration = await navigator.serviceWorker.ready;
  return (await registration.getNotifications()).map((n) => ({
    title: n.title, body: n.body, tag: n.tag, data: n.data, renotify: n.renotify,
    actions: (n.actions || []).map((a) => a.action),
  }));
}"""


@dataclass
class ServiceWorkerControl:
    """The DevTools protocol's hold on the app's service worker, for what headless
    Chromium never does by itself: fire Background Sync when the network returns, and
    hand it a push as Chromium's push client would."""

    cdp: CDPSession
    origin: str
    registration_id: str
    # What the service worker threw, as DevTools reports it: shown when a test fails.
    errors: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    async def attach(cls, page: Page, origin: str) -> ServiceWorkerControl:
        cdp = await page.context.new_cdp_session(page)
        scope = f"{origin}/"
        scopes: dict[str, str] = {}
        activated: set[str] = set()

        def registrations(event: dict[str, Any]) -> None:
            for registration in event["registrations"]:
                if not registration.get("isDeleted"):
                    scopes[registration["registrationId"]] = registration["scopeURL"]

        def versions(event: dict[str, Any]) -> None:
            for version in event["versions"]:
                if version["status"] == "activated":
                    activated.add(version["registrationId"])

        cdp.on("ServiceWorker.workerRegistrationUpdated", registrations)
        cdp.on("ServiceWorker.workerVersionUpdated", versions)
        await cdp.send("ServiceWorker.enable")
        deadline = asyncio.get_running_loop().time() + 10
        while True:
            found = next((r for r in activated if scopes.get(r) == scope), None)
            if found is not None:
                control = cls(cdp, origin, found)
                cdp.on("ServiceWorker.workerErrorReported", control.error_reported)
                return control
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no activated service worker for {scope}: {scopes}")
            await asyncio.sleep(0.05)

    async def shown_after_push(self, page: Page, data: str) -> list[dict[str, Any]]:
        """The notifications the page's service worker shows once ``data`` was pushed.

        DevTools hands a push over without waiting for the service worker to take it, and
        now and then in a loaded run nothing comes of it: the same message is handed over
        once more (its tag makes it one notification, as with a push service's redelivery).
        """

        async def shown() -> list[dict[str, Any]]:
            return await page.evaluate(SHOWN_NOTIFICATIONS)  # type: ignore[no-any-return]

        try:
            return await eventually(shown, "nothing shown", seconds=5.0)
        except pytest.fail.Exception:
            await self.deliver_push(data)
            return await eventually(
                shown, f"the service worker showed no notification (its errors: {self.errors})"
            )

    def error_reported(self, event: dict[str, Any]) -> None:
        self.errors.append(event["errorMessage"])

    async def deliver_push(self, data: str) -> None:
        await self.cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": self.origin, "registrationId": self.registration_id, "data": data},
        )

    async def sync(self, tag: str = "reachout-outbox", last_chance: bool = False) -> None:
        """Fire the service worker's ``sync`` event, as Chromium does when the network is back."""
        await self.cdp.send(
            "ServiceWorker.dispatchSyncEvent",
            {
                "origin": self.origin,
                "registrationId": self.registration_id,
                "tag": tag,
                "lastChance": last_chance,
            },
        )


async def swap_with_mia(new_phone_page: NewPage) -> Page:
    """Dana makes her card and Mia swaps with her; returns Dana's phone."""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    link = await scan_qr(dana)
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await mia.goto(link)
    await mia.get_by_role("button", name="Swap details").tap()
    await expect(mia).to_have_url(re.compile(r"/contacts/\d+\?notice=swapped$"))
    await mia.context.close()
    return dana
