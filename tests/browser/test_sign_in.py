"""One account on every device, in a real browser: Dana's card is made in Safari on her
iPhone; the app on her home screen (its own cookies, apart from Safari's) signs in with a
short code Safari shows; a new phone signs in with a code by email; then, from Settings,
every other device is signed out, and last this one, which keeps nothing of hers.

Everything is real: the web process in development, the worker process sending the code
over SMTP to a local mail sink (see the ``dev_server`` and ``dev_mail`` fixtures), and each
device a Chromium context of its own, with its own cookies, service worker and caches.
One story, as the steps need what the ones before made (three signed-in devices); axe-core
and tap targets are checked on each sign-in page on the way and reported together.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace

import asyncpg
import zxingcpp
from PIL import Image
from playwright.async_api import Locator, Page, expect

from tests.browser.axe import axe_violations, describe_violations
from tests.browser.conftest import DevMail, DevServer, NewPage
from tests.browser.test_accessibility import MIN_TAP_PX, TAP_TARGETS_JS
from tests.browser.ui import (
    DANA,
    MIA,
    contact_links,
    leave_details,
    make_card_from_home,
    scan_qr,
    service_worker_controls,
    tab,
)

IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36"
    " (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
)
MOVE_CODE = re.compile(r"^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$")  # moving.ALPHABET, shown
CODE_SUBJECT = re.compile(r"^Your Reachout code: (\d{8})$")
SESSION_COOKIE = "ro_session"

# The app opened from the Home Screen, as iOS tells its pages (no "Add to Home Screen" there).
STANDALONE = "Object.defineProperty(Navigator.prototype, 'standalone', { get: () => true });"
# My contacts, kept by the service worker for a venue with no network.
KEPT_CONTACTS = """async () => {
  if (!(await caches.keys()).includes("reachout-pages")) return false;
  const kept = await (await caches.open("reachout-pages")).keys();
  return kept.some((request) => new URL(request.url).pathname === "/contacts");
}"""
WORKERS = "async () => (await navigator.serviceWorker.getRegistrations()).length"
FITS_THE_SCREEN = "() => document.documentElement.scrollWidth <= window.innerWidth"


class Checks:
    """axe-core and tap targets on a page as it is now; every problem is reported at the end."""

    def __init__(self) -> None:
        self.reports: list[str] = []
        self.checked: list[str] = []

    async def __call__(self, label: str, page: Page) -> None:
        await page.wait_for_load_state("load")  # styled: app.css has loaded
        self.checked.append(label)
        violations = await axe_violations(page)
        if violations:
            self.reports.append(describe_violations(f"{label} ({page.url})", violations))
        small = await page.evaluate(TAP_TARGETS_JS, MIN_TAP_PX)
        self.reports.extend(f"{label}: under {MIN_TAP_PX}px tall: {what}" for what in small)


def devices(page: Page) -> Locator:
    """The entries of Settings' "Signed-in devices" list."""
    section = page.get_by_role("region", name="Signed-in devices")
    return section.get_by_role("listitem")


async def open_settings(page: Page) -> None:
    """Settings, as Dana finds it: the My card tab, then the link to it."""
    await tab(page, "My card").tap()
    await page.get_by_role("link", name="Settings: reminders, devices, sign out").tap()
    await expect(page.get_by_role("heading", level=1, name="Settings")).to_be_visible()


async def has_only_mia(page: Page) -> None:
    await page.goto("/contacts")
    await expect(page.get_by_role("heading", level=1, name="Contacts")).to_be_visible()
    await expect(contact_links(page)).to_have_count(1)
    await expect(contact_links(page)).to_contain_text(MIA.name)


async def lands_signed_in(page: Page) -> None:
    """Where signing in ends: Dana's contacts, saying so."""
    await expect(page).to_have_url(re.compile(r"/contacts\?notice=signed_in$"))
    await expect(page.get_by_role("status").filter(has_text="Signed in.")).to_contain_text(
        "Your card, contacts and reminders are on this device."
    )
    await expect(contact_links(page)).to_have_count(1)
    await expect(contact_links(page)).to_contain_text(MIA.name)


async def is_signed_out(page: Page) -> None:
    """On its next request, this browser has no card and no contacts."""
    await page.goto("/card")
    await expect(page.get_by_role("heading", level=1, name="Make my card")).to_be_visible()
    await page.goto("/contacts")
    await expect(
        page.get_by_text("No card on this phone yet, so no contacts here.")
    ).to_be_visible()
    await expect(page.get_by_role("link", name="I already have a card")).to_be_visible()
    await expect(page.get_by_text(MIA.name)).to_have_count(0)


def read_qr(png: bytes) -> str:
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(codes) == 1, f"expected one readable code in the QR screenshot, got {len(codes)}"
    return codes[0].text


async def signed_in_devices(pool: asyncpg.Pool, name: str) -> int:
    """How many browsers are signed in to the account whose card has ``name``."""
    count: int = await pool.fetchval(
        """
        SELECT count(*) FROM sessions s JOIN cards c ON c.account_id = s.account_id
        WHERE c.name = $1 AND s.revoked_at IS NULL
        """,
        name,
    )
    return count


async def emailed_code(dev_mail: DevMail, address: str) -> str:
    """The code in the newest "Your Reachout code" email to ``address`` (the worker also
    sends other mail meanwhile: Mia's "You met")."""
    arrived = 0
    while True:
        received = await dev_mail.wait_for(arrived + 1)
        arrived = len(received)
        for mail in reversed(received):
            found = CODE_SUBJECT.match(mail.subject)
            if found and mail.recipients == (address,):
                return found.group(1)


async def test_dana_signs_in_on_every_device_and_signs_them_out(
    dev_phone_page: NewPage, dev_server: DevServer, dev_mail: DevMail, pool: asyncpg.Pool
) -> None:
    check = Checks()

    # Safari on Dana's iPhone: her card, and Mia, who left her details on it.
    safari = await dev_phone_page(user_agent=IPHONE_SAFARI)
    await make_card_from_home(safari, DANA)
    # Safari offers to add the app to the Home Screen, then to move the card to it.
    banner = safari.locator("[data-install-banner]")
    await expect(banner).to_contain_text("Add Reachout to your Home Screen")
    await expect(banner.get_by_role("link", name="move your card to it")).to_have_attribute(
        "href", "/move"
    )
    await banner.get_by_role("button", name="Dismiss").tap()  # it hides half the QR
    await expect(banner).to_be_hidden()
    mia = await dev_phone_page()
    await mia.goto(await scan_qr(safari))
    await leave_details(mia, DANA.name, MIA.name, MIA.email)
    await mia.context.close()
    await has_only_mia(safari)

    # 1. Safari shows a code: Settings, "Move to another app or phone", "Show a code".
    await open_settings(safari)
    await expect(devices(safari)).to_have_count(1)
    await expect(devices(safari)).to_contain_text("Safari on iPhone (this device)")
    await safari.get_by_role("link", name="Move to another app or phone").tap()
    await expect(
        safari.get_by_role("heading", level=1, name="Move to another app or phone")
    ).to_be_visible()
    await check("move page", safari)
    await safari.get_by_role("button", name="Show a code").tap()
    # Read out one character at a time, as it is typed on the other phone.
    shown = safari.get_by_role("img", name=re.compile(r"^Code: "))
    await expect(shown).to_have_text(MOVE_CODE)
    code = (await shown.inner_text()).strip()
    spelt = ", ".join(" ".join(half) for half in code.split("-"))
    await expect(shown).to_have_accessible_name(f"Code: {spelt}")
    # Its QR, on a 360 px screen, is read by another phone's camera: the same code.
    qr = safari.get_by_role("img", name="QR code to move to another app or phone")
    await expect(qr).to_be_visible()
    scanned = read_qr(await qr.screenshot())
    assert scanned == f"{dev_server.url}/move/enter/{code.replace('-', '')}"
    assert await safari.evaluate(FITS_THE_SCREEN), "the code page scrolls sideways"
    await check("move page with a code", safari)

    # The installed app, with cookies of its own: it types the code Safari shows.
    installed = await dev_phone_page(user_agent=IPHONE_SAFARI)
    await installed.context.add_init_script(STANDALONE)
    await installed.goto("/")
    await installed.get_by_role("link", name="I already have a card").tap()
    await expect(
        installed.get_by_role("heading", level=1, name="I already have a card")
    ).to_be_visible()
    await check("sign-in page", installed)
    await installed.get_by_role("link", name="Type a code from another phone").tap()
    await expect(
        installed.get_by_role("heading", level=1, name="Type a code from another phone")
    ).to_be_visible()
    await check("move-enter page", installed)
    await installed.get_by_label("Code from your other phone").fill(code)
    await installed.get_by_role("button", name="Sign in here").tap()
    await lands_signed_in(installed)
    await expect(installed.locator("[data-install-banner]")).to_be_hidden()
    # Safari, still on the code, learns it was used: the code gives way to what happened.
    await expect(
        safari.get_by_role("status").filter(has_text="Done: the other app or phone is signed in.")
    ).to_be_visible(timeout=10_000)
    await expect(shown).to_have_count(0)

    # 2. A new phone, with no app to move from: a code by email.
    new_phone = await dev_phone_page(user_agent=ANDROID_CHROME)
    # Safari's QR, scanned now, opens the code typed in; but it was used: once only.
    await new_phone.goto(scanned)
    field = new_phone.get_by_label("Code from your other phone")
    await expect(field).to_have_value(code.replace("-", ""))
    await new_phone.get_by_role("button", name="Sign in here").tap()
    await expect(new_phone.get_by_role("alert")).to_contain_text("That code does not work")
    await expect(field).to_have_accessible_description(re.compile("That code does not work"))

    await new_phone.goto("/")
    await new_phone.get_by_role("link", name="I already have a card").tap()
    await new_phone.get_by_label("Email on your card").fill(DANA.email)
    await new_phone.get_by_role("button", name="Send me a code").tap()
    await expect(new_phone.get_by_role("status").filter(has_text="we sent it")).to_have_text(
        f"If {DANA.email} is on a card or confirmed for one, we sent it a code."
        " It works for 10 minutes."
    )
    await check("sign-in page, code step", new_phone)
    emailed = await emailed_code(dev_mail, DANA.email)
    typed = new_phone.get_by_label("8-digit code from the email")
    # A slip of the thumb first: said at once, with the tries left.
    await typed.fill("00000000" if emailed != "00000000" else "11111111")
    await new_phone.get_by_role("button", name="Sign in", exact=True).tap()
    await expect(new_phone.get_by_role("alert")).to_have_text(
        "That code is not right. 4 tries left."
    )
    await expect(typed).to_have_accessible_description("That code is not right. 4 tries left.")
    await check("sign-in page, a wrong code", new_phone)
    await typed.fill(emailed)
    await new_phone.get_by_role("button", name="Sign in", exact=True).tap()
    await lands_signed_in(new_phone)
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 2, "Dana's and Mia's"
    # Back goes to the sign-in page, as a page ("Confirm Form Resubmission" before), sending
    # nothing; its code used, it is the first step, saying which card is signed in (the code
    # form looked as if nothing had happened). Forward to the contacts again.
    codes = await pool.fetchval("SELECT count(*) FROM sign_in_codes")
    await new_phone.go_back()
    await expect(
        new_phone.get_by_role("heading", level=1, name="I already have a card")
    ).to_be_visible()
    await expect(new_phone.get_by_text("This phone is signed in to")).to_contain_text(DANA.name)
    await expect(new_phone.get_by_label("8-digit code from the email")).to_have_count(0)
    assert await pool.fetchval("SELECT count(*) FROM sign_in_codes") == codes
    await new_phone.go_forward()
    await expect(contact_links(new_phone)).to_contain_text(MIA.name)

    # 3. Settings lists the three; from the new phone, every other one is signed out.
    await open_settings(new_phone)
    listed = devices(new_phone)
    await expect(listed).to_have_count(3)
    await expect(listed.filter(has_text="(this device)")).to_have_count(1)
    await expect(listed.filter(has_text="(this device)")).to_contain_text(
        "Chrome on Android (this device)"
    )
    await expect(listed.filter(has_text="Signed in with an email code")).to_contain_text(
        "Chrome on Android"
    )
    await expect(listed.filter(has_text="Made the card here")).to_contain_text("Safari on iPhone")
    await expect(listed.filter(has_text="Moved here from another device")).to_contain_text(
        "Safari on iPhone"
    )
    await expect(listed.get_by_role("button", name=re.compile(r"^Sign out "))).to_have_count(2)
    await check("settings, three devices", new_phone)
    await new_phone.get_by_role("button", name="Sign out everywhere else").tap()
    await expect(new_phone).to_have_url(re.compile(r"/settings\?notice=signed_out_elsewhere$"))
    await expect(
        new_phone.get_by_role("status").filter(has_text="Every other browser is signed out.")
    ).to_be_visible()
    await expect(listed).to_have_count(1)
    await expect(new_phone.get_by_role("button", name="Sign out everywhere else")).to_have_count(0)
    await is_signed_out(safari)
    await is_signed_out(installed)
    await has_only_mia(new_phone)

    # 4. Sign out of this device: the cookie goes, and the offline copies of her pages too.
    await service_worker_controls(new_phone)
    await new_phone.wait_for_function(KEPT_CONTACTS)
    await open_settings(new_phone)
    await new_phone.get_by_role("button", name="Sign out of this device").tap()
    await expect(
        new_phone.get_by_role("heading", level=1, name="You are signed out")
    ).to_be_visible()
    await expect(new_phone.get_by_role("status").filter(has_text="no longer")).to_contain_text(
        "This browser no longer has your card, your contacts or your reminders."
    )
    await expect(new_phone.get_by_role("navigation", name="Main")).to_have_count(0)
    await check("signed out", new_phone)
    cookies = await new_phone.context.cookies()
    assert SESSION_COOKIE not in {cookie["name"] for cookie in cookies}, cookies
    assert await new_phone.evaluate("caches.keys()") == [], "Cache Storage is not empty"
    assert await new_phone.evaluate(WORKERS) == 0, "the service worker is still registered"
    await new_phone.goto("/")
    await expect(new_phone.get_by_role("link", name="I already have a card")).to_be_visible()
    assert await signed_in_devices(pool, DANA.name) == 0

    assert check.checked == [
        "move page",
        "move page with a code",
        "sign-in page",
        "move-enter page",
        "sign-in page, code step",
        "sign-in page, a wrong code",
        "settings, three devices",
        "signed out",
    ]
    assert not check.reports, "accessibility problems:\n" + "\n".join(check.reports)


async def test_a_code_for_an_address_two_cards_carry_asks_which_card_is_yours(
    dev_phone_page: NewPage, dev_server: DevServer, dev_mail: DevMail, pool: asyncpg.Pool
) -> None:
    """Dana's address is on Mia's card too (a slip): her code asks which card is hers, on a
    page of its own, and she signs in to hers by its button."""
    dana = await dev_phone_page()
    await make_card_from_home(dana, DANA)
    mia = await dev_phone_page()
    await make_card_from_home(mia, replace(MIA, email=DANA.email))
    laptop = await dev_phone_page()
    await laptop.goto("/sign-in")
    await laptop.get_by_label("Email on your card").fill(DANA.email)
    await laptop.get_by_role("button", name="Send me a code").tap()
    await laptop.get_by_label("8-digit code from the email").fill(
        await emailed_code(dev_mail, DANA.email)
    )
    await laptop.get_by_role("button", name="Sign in", exact=True).tap()
    await expect(
        laptop.get_by_role("heading", level=1, name="Which card is yours?")
    ).to_be_visible()
    await expect(laptop.get_by_role("heading", level=2)).to_have_text([DANA.name, MIA.name])
    # A reload asks again: the question does not hang on the code, spent by now.
    await laptop.reload()
    await expect(laptop.get_by_role("heading", level=2)).to_have_text([DANA.name, MIA.name])
    await laptop.get_by_role("button", name=re.compile(f"sign in as {DANA.name}")).tap()
    await expect(laptop).to_have_url(re.compile(r"/contacts\?notice=signed_in$"))
    await laptop.goto("/card")
    await expect(laptop.locator("main")).to_contain_text(DANA.name)


async def test_a_reload_of_the_move_page_makes_no_new_code(
    dev_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """ "Show a code" shows it in place: a reload (the phone locked and woken, say) shows the
    page as it was first opened, and the code shown stays the one that works."""
    dana = await dev_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/move")
    await dana.get_by_role("button", name="Show a code").tap()
    shown = dana.get_by_role("img", name=re.compile(r"^Code: "))
    await expect(shown).to_have_text(MOVE_CODE)
    await dana.reload()
    await expect(dana.get_by_role("button", name="Show a code")).to_be_visible()
    await expect(shown).to_have_count(0)
    assert await pool.fetchval("SELECT count(*) FROM move_codes") == 1
