"""A guest's details typed on Tap with no network: what the server would refuse is refused
there and then, in its words; what it refuses once back online is told of away from Tap and
kept, past the day other settled swaps are kept, until typed again or dismissed (and Sign out
says so before deleting them). A refused code is told of too, asking for a new code rather
than typing it again, and goes after a day: it is dead by then."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Locator, Page, expect

from server.tap import codes
from tests.browser.conftest import NewPage
from tests.browser.test_tap import guest_form, my_code, open_tap, other_code, type_code
from tests.browser.ui import (
    DANA,
    SHOWN_NOTIFICATIONS,
    make_card_from_home,
    name_input,
    offline_mark,
    outbox_list,
    outbox_records,
    service_worker_controls,
)
from tests.waiting import eventually

KEPT = "Kept on this phone:"
BAD_EMAIL = "That email address does not look right."
# The phone says "online" a moment before a request gets through: the service worker tries at
# once and again 2, 7 and 22 s on (sw.js RETRY_WAITS_MS), so a refusal is told within that.
WORKER_TRIES_SECONDS = 30.0
# Two days ago for every record in this phone's outbox: made, and (if it was) settled.
TWO_DAYS_AGO = """async () => {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open("reachout");
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const ago = Date.now() - 2 * 24 * 3600 * 1000;
  await new Promise((resolve, reject) => {
    const tx = db.transaction("outbox", "readwrite");
    const store = tx.objectStore("outbox");
    const all = store.getAll();
    all.onsuccess = () => all.result.forEach((r) => {
      r.made_at = ago;
      if (r.settled_at) r.settled_at = ago;
      store.put(r);
    });
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}"""
# What the service worker tells this page, from now on.
LISTEN_TO_WORKER = """() => {
  window.toldByWorker = [];
  navigator.serviceWorker.addEventListener("message", (e) => window.toldByWorker.push(e.data));
}"""


async def dana_on_tap_ready_for_offline(new_phone_page: NewPage) -> Page:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/share")  # opened online once: kept for when the network is gone
    await open_tap(dana)
    await service_worker_controls(dana)
    return dana


def save(form: Locator) -> Locator:
    return form.get_by_role("button", name="Save their details")


async def keep_guest(dana: Page, name: str, email: str) -> None:
    form = await guest_form(dana)
    await name_input(form).fill(name)
    await form.get_by_label("Email", exact=True).fill(email)
    await save(form).tap()
    said = dana.get_by_role("status").filter(has_text=f"{KEPT} Details of {name}.")
    await expect(said).to_be_visible()
    await dana.get_by_text("Someone without the app or a phone to hand?").tap()  # folded


async def test_a_malformed_email_or_phone_is_refused_offline_in_the_server_s_words(
    new_phone_page: NewPage,
) -> None:
    dana = await dana_on_tap_ready_for_offline(new_phone_page)
    # What the server says of them, online.
    form = await guest_form(dana)
    await name_input(form).fill("Omar Haddad")
    await form.get_by_label("Email", exact=True).fill("omar@gmail")
    await form.get_by_label("Phone", exact=True).fill("+44 20")
    await save(form).tap()
    await expect(dana.locator("#qerr-email")).to_be_visible()
    server_says = [
        await dana.locator("#qerr-email").inner_text(),
        await dana.locator("#qerr-phone").inner_text(),
    ]
    assert server_says[0] == BAD_EMAIL, server_says

    await dana.context.set_offline(True)
    await dana.reload()  # the copy the phone kept: a fresh form
    await expect(offline_mark(dana)).to_be_visible()
    form = await guest_form(dana)
    await name_input(form).fill("Omar Haddad")
    email = form.get_by_label("Email", exact=True)
    await email.fill("omar@gmail")
    await form.get_by_label("Phone", exact=True).fill("+44 20")
    await save(form).tap()
    await expect(form.get_by_role("alert")).to_have_text(server_says)
    await expect(email).to_be_focused()
    await expect(email).to_have_accessible_description(BAD_EMAIL)
    await expect(name_input(form)).to_have_value("Omar Haddad")  # left to be put right
    await expect(dana.get_by_text(KEPT)).to_have_count(0)
    assert await outbox_records(dana) == []

    # An address Chromium's own check calls malformed but the server takes (its domain not
    # in ASCII) is kept: a guest wrongly refused here could not be kept at all.
    await email.fill("omar@bücher.example")
    await form.get_by_label("Phone", exact=True).fill("")
    await save(form).tap()
    await expect(dana.get_by_text(f"{KEPT} Details of Omar Haddad.")).to_be_visible()
    await expect(form.get_by_role("alert")).to_have_count(0)
    assert len(await outbox_records(dana)) == 1


async def shown_notifications(page: Page) -> list[dict[str, Any]]:
    shown: list[dict[str, Any]] = await page.evaluate(SHOWN_NOTIFICATIONS)
    return shown


async def test_a_guest_refused_once_online_is_told_of_and_kept_till_typed_again(
    new_phone_page: NewPage, live_server: str
) -> None:
    """Typed offline, sent from My QR once back online (the service worker), refused: a
    notification says so, and pages hear it from the worker; two days on, Tap still lists
    the guest with Type again and Dismiss, and Scan links back to Tap."""
    dana = await dana_on_tap_ready_for_offline(new_phone_page)
    await dana.context.grant_permissions(["notifications"], origin=live_server)
    await dana.context.set_offline(True)
    await expect(offline_mark(dana)).to_be_visible()
    # Addresses the phone cannot tell from good ones: the server refuses them.
    await keep_guest(dana, "Omar Haddad", "omar.@example.com")
    await keep_guest(dana, "Lena Park", "lena.@example.com")

    await dana.goto("/share")  # the page the phone kept
    await dana.evaluate(LISTEN_TO_WORKER)
    await dana.context.set_offline(False)

    async def told_of_omar() -> list[dict[str, Any]]:
        shown = await shown_notifications(dana)
        return [n for n in shown if n["title"] == "Not swapped: Details of Omar Haddad"]

    [notification] = await eventually(
        told_of_omar, "no notification of Omar refused", WORKER_TRIES_SECONDS
    )
    assert notification["body"] == f"{BAD_EMAIL} Type it again on the Tap screen.", notification
    assert notification["data"] == {"url": "/tap"}, notification  # opened, it goes there

    both = ["Details of Lena Park", "Details of Omar Haddad"]

    async def pages_told() -> list[str] | None:
        labels = await labels_told(dana)
        return labels if labels == both else None  # the worker may tell of one first

    await eventually(pages_told, f"the worker did not tell pages of {both}", WORKER_TRIES_SECONDS)
    # The page open (My QR) says so too, with the way back to Tap.
    await expect(dana.locator("#flash")).to_contain_text("Not swapped: Details of")
    await expect(
        dana.locator("#flash").get_by_role("link", name="Type it again on Tap")
    ).to_have_attribute("href", "/tap")

    # Two days on, past the day a settled swap is kept.
    await dana.evaluate(TWO_DAYS_AGO)
    await open_tap(dana)
    omar = outbox_list(dana).get_by_role("listitem").filter(has_text="Omar Haddad")
    await expect(omar).to_contain_text(f"Details of Omar Haddad - Not swapped: {BAD_EMAIL}")
    await expect(
        omar.get_by_role("button", name="Type again: Details of Omar Haddad")
    ).to_be_visible()
    await expect(omar.get_by_role("button", name="Dismiss: Details of Omar Haddad")).to_be_visible()
    assert len(await outbox_records(dana)) == 2

    await dana.goto("/scan")
    back = outbox_list(dana).get_by_role("link", name="Type again on Tap: Details of Omar Haddad")
    await expect(back).to_have_attribute("href", "/tap")
    await back.click()
    await expect(dana.get_by_role("heading", level=1, name="Tap to swap")).to_be_visible()

    await outbox_list(dana).get_by_role("button", name="Dismiss: Details of Lena Park").click()
    await expect(outbox_list(dana)).not_to_contain_text("Lena Park")
    await expect(dana.get_by_role("heading", name="Swaps made on this phone")).to_be_focused()
    [left] = await outbox_records(dana)
    assert left["label"] == "Details of Omar Haddad", left

    await omar.get_by_role("button", name="Type again").click()
    form = dana.locator("#guest-form")
    await expect(name_input(form)).to_have_value("Omar Haddad")
    await expect(form.get_by_label("Email", exact=True)).to_have_value("omar.@example.com")
    assert await outbox_records(dana) == []


async def labels_told(page: Page) -> list[str]:
    """The refused ones the service worker last named to this page (LISTEN_TO_WORKER)."""
    told = await page.evaluate("() => window.toldByWorker")
    failed = [m.get("failed") or [] for m in told if m.get("type") == "outbox-changed"]
    return sorted(f["label"] for f in failed[-1]) if failed else []


async def test_a_code_refused_once_online_is_told_of_and_goes_after_a_day(
    new_phone_page: NewPage, live_server: str
) -> None:
    """A code is dead within minutes, or someone else's: refused away from Tap, the
    notification asks for a new code; no page nags about it; two days on it is gone."""
    dana = await dana_on_tap_ready_for_offline(new_phone_page)
    nobodys = other_code(await my_code(dana))
    await dana.context.grant_permissions(["notifications"], origin=live_server)
    await dana.context.set_offline(True)
    await expect(offline_mark(dana)).to_be_visible()
    await type_code(dana, nobodys)
    await expect(dana.get_by_text(f"{KEPT} Code {nobodys}.")).to_be_visible()

    await dana.goto("/share")
    await dana.evaluate(LISTEN_TO_WORKER)
    await dana.context.set_offline(False)

    async def told_of_code() -> list[dict[str, Any]]:
        shown = await shown_notifications(dana)
        return [n for n in shown if n["title"] == f"Not swapped: Code {nobodys}"]

    [notification] = await eventually(
        told_of_code, "no notification of the code refused", WORKER_TRIES_SECONDS
    )
    assert notification["body"] == codes.WRONG, notification

    async def settled() -> list[dict[str, Any]]:
        return [r for r in await outbox_records(dana) if r["status"] == "failed"]

    await eventually(settled, "the code was not refused")
    told = await dana.evaluate("() => window.toldByWorker")
    assert told and all(m.get("failed") == [] for m in told), told  # nothing to type again
    await expect(dana.locator("#flash")).not_to_contain_text("Not swapped")

    await open_tap(dana)  # within the day: listed, with no Type again
    code = outbox_list(dana).get_by_role("listitem").filter(has_text=f"Code {nobodys}")
    await expect(code).to_contain_text(f"Not swapped: {codes.WRONG}")
    await expect(code.get_by_role("button", name="Type again")).to_have_count(0)
    await expect(code.get_by_role("button", name=f"Dismiss: Code {nobodys}")).to_be_visible()

    await dana.evaluate(TWO_DAYS_AGO)
    await dana.reload()
    await expect(dana.get_by_role("heading", level=1, name="Tap to swap")).to_be_visible()
    await expect(outbox_list(dana)).to_be_hidden()
    assert await outbox_records(dana) == []


async def test_signing_out_with_a_refused_guest_kept_says_so_first(
    new_phone_page: NewPage,
) -> None:
    """Omar's details, refused once online, are kept on Dana's phone to be typed again:
    signing out would delete them (Clear-Site-Data), so Sign out says so first."""
    dana = await dana_on_tap_ready_for_offline(new_phone_page)
    await dana.context.set_offline(True)
    await expect(offline_mark(dana)).to_be_visible()
    await keep_guest(dana, "Omar Haddad", "omar.@example.com")
    await dana.context.set_offline(False)
    await expect(
        dana.get_by_role("status").filter(has_text="Not swapped: Details of Omar Haddad.")
    ).to_be_visible()

    await dana.goto("/settings")
    sign_out = dana.get_by_role("button", name="Sign out of this device")
    await sign_out.tap()
    await expect(dana.get_by_role("alert").filter(has_text="not swapped")).to_have_text(
        "1 guest's details on this phone were not swapped: signing out deletes them. Type them"
        " again on Tap first, or tap Sign out again to sign out anyway."
    )
    await expect(dana.get_by_role("heading", level=1, name="Settings")).to_be_visible()
    assert len(await outbox_records(dana)) == 1
    await sign_out.tap()
    await expect(dana.get_by_role("heading", level=1, name="You are signed out")).to_be_visible()


async def test_refused_on_the_tap_screen_it_says_where_to_type_it_again(
    new_phone_page: NewPage, live_server: str
) -> None:
    """Refused while Tap is in view: said next to its form (a code: ask for a new one; a
    guest: pointing the right way to the list above), and no notification on top."""
    dana = await dana_on_tap_ready_for_offline(new_phone_page)
    nobodys = other_code(await my_code(dana))
    await dana.context.grant_permissions(["notifications"], origin=live_server)
    await dana.context.set_offline(True)
    await expect(offline_mark(dana)).to_be_visible()
    await type_code(dana, nobodys)
    await expect(dana.get_by_text(f"{KEPT} Code {nobodys}.")).to_be_visible()
    await keep_guest(dana, "Omar Haddad", "omar.@example.com")
    await dana.context.set_offline(False)

    where = 'To put it back in the form, tap Type again in "Swaps made on this phone",'
    code_said = dana.get_by_role("status").filter(has_text=f"Not swapped: Code {nobodys}.")
    await expect(code_said).to_have_text(f"Not swapped: Code {nobodys}. {codes.WRONG}")
    guest_said = dana.get_by_role("status").filter(has_text="Not swapped: Details of Omar Haddad.")
    await expect(guest_said).to_have_text(
        f"Not swapped: Details of Omar Haddad. {BAD_EMAIL} {where} above."
    )
    list_box = await outbox_list(dana).bounding_box()
    code_box = await code_said.bounding_box()
    guest_box = await guest_said.bounding_box()
    assert list_box and code_box and guest_box
    assert code_box["y"] < list_box["y"] < guest_box["y"]  # as said
    assert await shown_notifications(dana) == []
