"""The Tap screen in two real phones: swap by typing a code, or by bumping the phones."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from playwright.async_api import Locator, Page, Route, expect

from server.cards import fields
from server.tap import codes
from server.tap.bump_pairing import TOLERANCE_MS
from server.tap.routes import LONG_POLL_MS
from tests.browser.conftest import NewPage
from tests.browser.network_proxy import Sent, network_proxy
from tests.browser.ui import (
    DANA,
    DOUBLE_TAP,
    MIA,
    SAM,
    all_connections,
    connections,
    contacts_once,
    make_card_from_home,
    name_input,
    offline_mark,
    outbox_list,
    outbox_records,
    service_worker_controls,
)
from tests.waiting import eventually

WRONG_CODE = "That code didn't work. Check the digits, or ask them for a fresh code."
READY = "Ready: bump your phone gently against theirs."
# A bump of 25 m/s² sideways, over gravity, felt at the wall-clock moment `at`: the
# phones share this machine's clock (the pairing tolerance is 40 ms). A timer alone fired
# up to 39 ms apart in two pages while the whole suite ran on two cores, so each page
# sleeps until 50 ms before and spins through the rest. Resolves with the moment the page
# felt it, by its clock: on a busy machine a page is still sometimes tens of ms late.
BUMP_AT = """(at) => new Promise((resolve) => setTimeout(() => {
  while (Date.now() < at) { /* the last few milliseconds, awake */ }
  const felt = Date.now();
  window.dispatchEvent(new DeviceMotionEvent("devicemotion", {
    acceleration: { x: 25, y: 0, z: 0 },
    accelerationIncludingGravity: { x: 25, y: 0, z: 9.8 },
    interval: 16,
  }));
  resolve(felt);
}, at - Date.now() - 50))"""
# Felt this close together by the pages' own clock (the machine's), the phones bumped as
# one: their reports, in server time by each page's clock estimate, must pair.
FELT_TOGETHER_MS = 10
CROWD = "Several phones bumped at once. Try again."
LOOKING = "Bump! Looking for the other phone…"
NO_PARTNER = "No phone bumped back. Try again."
QUIET_MS = 1500  # as tap.js's QUIET_MS: one bump per gesture, however long the phone rattles


async def open_tap(page: Page) -> None:
    await page.goto("/tap")
    await expect(page.get_by_role("heading", level=1, name="Tap to swap")).to_be_visible()


async def my_code(page: Page) -> str:
    """On the Tap screen: the digits under "Your code"."""
    code = page.locator("#my-code")
    await expect(code).to_have_text(re.compile(r"^\s*\d[\d ]*\d\s*$"))
    return re.sub(r"\D", "", await code.inner_text())


def code_form(page: Page) -> Locator:
    return page.locator("form", has=page.get_by_label("Their code"))


async def type_code(page: Page, code: str) -> None:
    form = code_form(page)
    await form.get_by_label("Their code").fill(code)
    await form.get_by_role("button", name="Swap", exact=True).tap()


def other_code(*taken: str) -> str:
    """A code of the same length that nobody here has."""
    length = len(taken[0])
    for n in range(10**length):
        candidate = str(n).zfill(length)
        if candidate not in taken:
            return candidate
    raise AssertionError("no free code")


async def on_contact_page_of(page: Page, name: str) -> None:
    await expect(page).to_have_url(re.compile(r"/contacts/\d+(\?notice=swapped)?$"))
    await expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


async def two_phones_on_tap(new_phone_page: NewPage) -> tuple[Page, Page]:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await open_tap(dana)
    await open_tap(mia)
    return dana, mia


async def test_code_swap_with_a_wrong_code_first(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana, mia = await two_phones_on_tap(new_phone_page)
    dana_code = await my_code(dana)
    mia_code = await my_code(mia)
    assert dana_code != mia_code

    await type_code(mia, other_code(dana_code, mia_code))
    await expect(code_form(mia).get_by_role("alert")).to_have_text(WRONG_CODE)
    await expect(mia).to_have_url(re.compile(r"/tap$"))
    assert await all_connections(pool) == 0

    await type_code(mia, dana_code)
    await on_contact_page_of(mia, DANA.name)
    # Dana's screen, still showing the code, says who swapped with it.
    said = dana.get_by_role("status").filter(has_text="Swapped with Mia Chen!")
    await expect(said).to_be_visible(timeout=10_000)
    await expect(dana.locator("#my-code")).to_have_count(0)
    await expect(dana.get_by_role("button", name="New code")).to_be_visible()
    await said.get_by_role("link", name="Open Mia Chen").tap()
    await expect(dana.get_by_role("heading", level=1, name=MIA.name)).to_be_visible()
    await contacts_once(dana, MIA.name)
    await contacts_once(mia, DANA.name)
    assert await connections(pool, DANA.name, MIA.name) == 1
    assert await connections(pool, MIA.name, DANA.name) == 1


async def test_code_typed_offline_swaps_when_back_online(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana, mia = await two_phones_on_tap(new_phone_page)
    dana_code = await my_code(dana)
    await service_worker_controls(mia)

    await mia.context.set_offline(True)
    await expect(offline_mark(mia)).to_be_visible()
    await type_code(mia, dana_code)
    await expect(outbox_list(mia)).to_contain_text(f"Code {dana_code} - Waiting for a connection")
    assert await all_connections(pool) == 0

    await mia.context.set_offline(False)
    await expect(outbox_list(mia)).to_contain_text(f"Swapped with {DANA.name}.")
    await contacts_once(dana, MIA.name)
    await contacts_once(mia, DANA.name)


async def code_typed_offline(new_phone_page: NewPage, proxy: str) -> tuple[Page, str]:
    """Mia, her service worker in charge, types Dana's code with no network: it waits on
    her phone. Both phones go through ``proxy`` (network_proxy). Her page, and Dana's code."""

    async def phone(**options: Any) -> Page:
        return await new_phone_page(proxy={"server": proxy}, **options)

    dana, mia = await two_phones_on_tap(phone)
    dana_code = await my_code(dana)
    await service_worker_controls(mia)
    await mia.context.set_offline(True)
    await type_code(mia, dana_code)
    await expect(outbox_list(mia)).to_contain_text(f"Code {dana_code} - Waiting for a connection")
    return mia, dana_code


# The locks on kept records (outbox.js, attempt()) that the page and its service worker hold
# or wait for, in the one origin they share.
OUTBOX_LOCKS = """async () => {
  const locks = await navigator.locks.query();
  const ours = (list) => list.filter((lock) => lock.name.startsWith("reachout-outbox-")).length;
  return { held: ours(locks.held), pending: ours(locks.pending) };
}"""


async def until_the_other_sender_waits(page: Page) -> None:
    """Until the page or its service worker, whichever did not send first, waits for the
    other's try: its turn then comes after that try's answer."""

    async def waits() -> bool:
        return bool((await page.evaluate(OUTBOX_LOCKS))["pending"])

    await eventually(waits, "the other sender waiting for the first's try")


async def until_both_had_their_turn(page: Page) -> None:
    """Until neither the page nor its service worker sends or waits to."""

    async def done() -> bool:
        return await page.evaluate(OUTBOX_LOCKS) == {"held": 0, "pending": 0}

    await eventually(done, "both senders done")


class SyncTries:
    """For network_proxy: once ``armed`` (back online), each try to send a kept swap is
    answered by ``answer``, given the tries so far; every other request passes."""

    def __init__(self, answer: Callable[[list[Sent]], Awaitable[bytes | None]]) -> None:
        self.answer = answer
        self.tries: list[Sent] = []
        self.armed = False

    async def __call__(self, sent: Sent) -> bytes | None:
        if not self.armed or sent.path != "/sync/actions":
            return None
        self.tries.append(sent)
        return await self.answer(self.tries)


async def test_a_swap_sent_by_the_page_and_the_worker_at_once_goes_through(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """Back online, the page and the service worker (its sync woken by the network) both send
    what waits. The first try fails (the network not quite back): the other, which waited
    for it, sends it then, rather than leaving it waiting until the next retry.

    The tries are seen on the network (network_proxy): ``context.route`` let one by now
    and then, and the swap went through unseen."""

    async def first_fails(tries: list[Sent]) -> bytes | None:
        if len(tries) > 1:
            return None
        await until_the_other_sender_waits(mia)
        return b""  # the connection dropped, unanswered

    sync = SyncTries(first_fails)
    async with network_proxy(sync) as proxy:
        mia, _ = await code_typed_offline(new_phone_page, proxy)
        sync.armed = True
        await mia.context.set_offline(False)
        # The worker sends too, whether or not the browser's Background Sync wakes it now.
        await mia.evaluate("navigator.serviceWorker.controller.postMessage({ type: 'flush' })")
        await expect(outbox_list(mia)).to_contain_text(f"Swapped with {DANA.name}.")
        assert len(sync.tries) == 2, sync.tries
        await contacts_once(mia, DANA.name)


async def test_told_to_wait_the_other_sender_waits_too(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """Back online, the page and the service worker both send what waits; the server answers
    the first "too many, try again in a minute" (429). The other, which waited for it, does
    not send it again at once: the swap waits its minute, still pending."""

    async def too_many(tries: list[Sent]) -> bytes:
        await until_the_other_sender_waits(mia)
        body = json.dumps({"retry_after": 60, "message": "Too many"}).encode()
        head = (
            "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        return head.encode() + body

    sync = SyncTries(too_many)
    async with network_proxy(sync) as proxy:
        mia, dana_code = await code_typed_offline(new_phone_page, proxy)
        sync.armed = True
        await mia.context.set_offline(False)
        await mia.evaluate("navigator.serviceWorker.controller.postMessage({ type: 'flush' })")
        await eventually(lambda: asyncio.sleep(0, len(sync.tries)), "a first try")
        await until_both_had_their_turn(mia)
        assert len(sync.tries) == 1, sync.tries
        # The server's words for the wait, not "Waiting for a connection": it is online.
        await expect(outbox_list(mia)).to_contain_text(
            f"Code {dana_code} - Waiting: Too many. Tries again by itself at "
        )
        assert await all_connections(pool) == 0


def bump_prompt(page: Page) -> Locator:
    """The "Swap with ...?" question a bump brings up, with its two buttons."""
    return page.get_by_role("status").filter(has=page.get_by_role("button", name="Not them"))


async def turn_on_bump(page: Page) -> None:
    await page.get_by_role("button", name="Turn on bump").tap()
    await expect(page.get_by_text(READY)).to_be_visible()


async def bump_together(pool: asyncpg.Pool, *phones: Page) -> None:
    """The phones feel one bump at the same moment, 300 ms from now, as the server sees it.

    Each page reports its bump in server time by its own clock estimate (tap.js). A try the
    pages felt further apart than FELT_TOGETHER_MS (a page's timer late on a busy machine: a
    CI run had them 81 ms apart) was not one bump: the phones bump again, as people would.
    A try felt together but reported further apart than the server's window is the pages'
    clock estimates failing: once or twice is bumped again too, a third time fails."""
    missed: list[list[float]] = []
    for _ in range(10):
        before = await pool.fetchval("SELECT coalesce(max(id), 0) FROM bumps")
        at = time.time() * 1000 + 300
        felt = await asyncio.gather(*(phone.evaluate(BUMP_AT, at) for phone in phones))
        moments = await bumped_at_since(pool, before, len(phones))
        if max(moments) - min(moments) <= TOLERANCE_MS:
            return
        if max(felt) - min(felt) <= FELT_TOGETHER_MS:
            missed.append(moments)
            if len(missed) == 3:
                raise AssertionError(
                    f"felt together 3 times, never reported within {TOLERANCE_MS} ms: {missed}"
                )
        for phone in phones:
            await expect(phone.get_by_text(LOOKING)).to_have_count(0, timeout=10_000)
        # A page ignores a bump within QUIET_MS of its last, counted from when it felt it.
        await asyncio.sleep(max(0.0, max(felt) + QUIET_MS + 50 - time.time() * 1000) / 1000)
    raise AssertionError(f"bumped 10 times, never felt within {FELT_TOGETHER_MS} ms: {felt}")


async def bumped_at_since(pool: asyncpg.Pool, after_id: int, count: int) -> list[float]:
    """The server-time moments, in ms, of the ``count`` bumps recorded after ``after_id``."""
    for _ in range(100):
        moments: list[float] = await pool.fetchval(
            "SELECT coalesce(array_agg(extract(epoch FROM bumped_at)::float8 * 1000), '{}')"
            " FROM bumps WHERE id > $1",
            after_id,
        )
        if len(moments) >= count:
            return moments
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} bumps felt, {len(moments)} reported")


async def bumped_and_asked(new_phone_page: NewPage, pool: asyncpg.Pool) -> tuple[Page, Page]:
    dana, mia = await two_phones_on_tap(new_phone_page)
    await turn_on_bump(dana)
    await turn_on_bump(mia)
    await bump_together(pool, dana, mia)
    await expect(bump_prompt(dana)).to_contain_text(f"Swap with {MIA.name}?")
    await expect(bump_prompt(mia)).to_contain_text(f"Swap with {DANA.name}?")
    return dana, mia


async def test_bump_then_both_say_swap(new_phone_page: NewPage, pool: asyncpg.Pool) -> None:
    dana, mia = await bumped_and_asked(new_phone_page, pool)

    # Named for whom: the code form below has a "Swap" of its own.
    await bump_prompt(dana).get_by_role("button", name=f"Swap with {MIA.name}").tap()
    await expect(dana.get_by_text(f"Waiting for {MIA.name} to confirm…")).to_be_visible()
    assert await all_connections(pool) == 0  # one yes is not a swap
    # Told at once, not when Mia's page next asks (LONG_POLL_MS).
    await expect(bump_prompt(mia)).to_contain_text(f"{DANA.name} said yes.", timeout=5_000)
    await bump_prompt(mia).get_by_role("button", name=f"Swap with {DANA.name}").tap()

    await on_contact_page_of(mia, DANA.name)
    await on_contact_page_of(dana, MIA.name)
    assert await connections(pool, DANA.name, MIA.name) == 1
    assert await connections(pool, MIA.name, DANA.name) == 1


async def test_bump_then_not_them(new_phone_page: NewPage, pool: asyncpg.Pool) -> None:
    dana, mia = await bumped_and_asked(new_phone_page, pool)

    await bump_prompt(dana).get_by_role("button", name="Not them").tap()
    await expect(bump_prompt(dana)).to_have_count(0)
    # Mia is told, without doing anything, and cannot swap on her own.
    await expect(bump_prompt(mia)).to_have_count(0)
    await expect(mia.get_by_role("status").filter(has_text="Not swapped")).to_be_visible()
    await expect(mia).to_have_url(re.compile(r"/tap$"))
    await expect(dana).to_have_url(re.compile(r"/tap$"))
    assert await all_connections(pool) == 0


async def offline_on_tap(new_phone_page: NewPage) -> Page:
    """Dana on her Tap screen, kept by the service worker, then the venue's network gone."""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await open_tap(dana)
    await service_worker_controls(dana)
    await dana.context.set_offline(True)
    await expect(offline_mark(dana)).to_be_visible()
    return dana


async def guest_form(page: Page) -> Locator:
    """The form for someone without the app, unfolded."""
    await page.get_by_text("Someone without the app or a phone to hand?").tap()
    return page.locator("form", has=page.get_by_role("button", name="Save their details"))


async def test_guest_details_left_offline_are_saved_once_back_online(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await offline_on_tap(new_phone_page)
    form = await guest_form(dana)
    await name_input(form).fill("Omar Haddad")
    await form.get_by_label("Email", exact=True).fill("omar@example.com")
    # A double tap: queued once (twice was two Omars once back online).
    await form.get_by_role("button", name="Save their details").evaluate(DOUBLE_TAP)
    pending = "Details of Omar Haddad - Waiting for a connection"
    await expect(outbox_list(dana)).to_contain_text(pending)
    await expect(name_input(form)).to_have_value("")  # ready for the next guest
    assert len(await outbox_records(dana)) == 1
    assert await all_connections(pool) == 0

    await dana.context.set_offline(False)
    await expect(outbox_list(dana)).not_to_contain_text(pending)
    await expect(outbox_list(dana).get_by_role("link", name="Open Omar Haddad")).to_be_visible()
    [record] = await outbox_records(dana)
    assert record["status"] == "done", record
    await contacts_once(dana, "Omar Haddad")
    assert await connections(pool, DANA.name, "Omar Haddad") == 1


async def test_a_tap_screen_opened_offline_shows_my_code_once_online(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await open_tap(dana)
    await service_worker_controls(dana)
    await dana.reload()  # kept by the service worker
    shown = await my_code(dana)

    await dana.context.set_offline(True)
    await dana.reload()
    await expect(dana.get_by_text("Your code appears here when you're online.")).to_be_visible()
    await dana.context.set_offline(False)
    assert await my_code(dana) == shown  # the code still in force, not a new one


async def test_what_the_server_would_refuse_is_refused_offline_at_once(
    new_phone_page: NewPage,
) -> None:
    """Kept offline, a five-digit code or a guest with no way to reach them would fail only
    once back online, the guest long gone: the phone says so at once, keeps nothing, and
    leaves what was typed in the form to be put right."""
    dana = await offline_on_tap(new_phone_page)

    await type_code(dana, "12345")
    their_code = code_form(dana).get_by_label("Their code")
    await expect(dana.get_by_role("alert")).to_have_text(codes.MALFORMED)
    await expect(their_code).to_be_focused()
    await expect(their_code).to_have_accessible_description(codes.MALFORMED)
    await type_code(dana, "123 456")  # put right: kept, and the error is gone
    await expect(outbox_list(dana)).to_contain_text("Code 123 456 - Waiting for a connection")
    await expect(dana.get_by_role("alert")).to_have_count(0)

    form = await guest_form(dana)
    await name_input(form).fill("Omar Haddad")
    await form.get_by_role("button", name="Save their details").tap()
    await expect(form.get_by_role("alert")).to_have_text(fields.THEIR_REACH)
    await expect(name_input(form)).to_have_value("Omar Haddad")
    assert len(await outbox_records(dana)) == 1  # the code alone


async def test_a_guest_refused_after_sync_comes_back_to_be_put_right(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """An address the phone could not check fails once back online: the row says whose
    details and why, and "Type again" puts them back in the form, not lost with the row."""
    dana = await offline_on_tap(new_phone_page)
    form = await guest_form(dana)
    await name_input(form).fill("Omar Haddad")
    await form.get_by_label("Email", exact=True).fill("omar.@example.com")
    await form.get_by_role("button", name="Save their details").tap()
    await expect(outbox_list(dana)).to_contain_text(
        "Details of Omar Haddad - Waiting for a connection"
    )
    await dana.get_by_text("Someone without the app or a phone to hand?").tap()  # folded

    await dana.context.set_offline(False)
    failed = outbox_list(dana).get_by_role("listitem")
    await expect(failed).to_have_text(
        re.compile(r"^Details of Omar Haddad - Not swapped: That email address does not")
    )
    await failed.get_by_role("button", name="Type again").tap()
    await expect(name_input(form)).to_have_value("Omar Haddad")
    await expect(form.get_by_label("Email", exact=True)).to_have_value("omar.@example.com")
    await expect(name_input(form)).to_be_focused()
    assert await outbox_records(dana) == []
    await form.get_by_label("Email", exact=True).fill("omar@example.com")
    await form.get_by_role("button", name="Save their details").tap()
    await expect(dana.get_by_role("heading", level=1, name="Omar Haddad")).to_be_visible()
    assert await connections(pool, DANA.name, "Omar Haddad") == 1


async def test_a_new_bump_lets_the_last_question_go(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """Dana bumps again while "Swap with Mia?" is up: the old question does not come back
    when its wait for Mia's answer ends (the page's long-poll, LONG_POLL_MS)."""
    dana, _mia = await bumped_and_asked(new_phone_page, pool)
    await dana.wait_for_timeout(QUIET_MS)  # a new gesture, not the same bump rattling on
    await bump_together(pool, dana)
    await expect(dana.get_by_text(NO_PARTNER)).to_be_visible()
    await dana.wait_for_timeout(LONG_POLL_MS + 2_000)
    await expect(dana.get_by_text(NO_PARTNER)).to_be_visible()
    await expect(bump_prompt(dana)).to_have_count(0)


async def test_three_bumps_at_once_then_two_pick_each_other(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana, mia = await two_phones_on_tap(new_phone_page)
    sam = await new_phone_page()
    await make_card_from_home(sam, SAM)
    await open_tap(sam)
    for phone in (dana, mia, sam):
        await turn_on_bump(phone)
    await bump_together(pool, dana, mia, sam)
    for phone in (dana, mia, sam):
        await expect(phone.get_by_text(CROWD)).to_be_visible()
        await expect(phone.get_by_text("Or pick who you bumped:")).to_be_visible()
    assert await all_connections(pool) == 0

    await dana.get_by_role("button", name=re.compile(f"^{MIA.name}")).tap()
    await expect(dana.get_by_text(f"Waiting for {MIA.name} to pick you too…")).to_be_visible()
    await mia.get_by_role("button", name=re.compile(f"^{DANA.name}")).tap()
    await on_contact_page_of(mia, DANA.name)
    await on_contact_page_of(dana, MIA.name)
    assert await connections(pool, DANA.name, MIA.name) == 1
    assert await connections(pool, MIA.name, DANA.name) == 1
    assert await all_connections(pool) == 2, "Sam is connected to nobody"
    await expect(sam).to_have_url(re.compile(r"/tap$"))
    # Sam touched nothing: the list lets the two go by itself (checked every 3 s).
    gone = sam.get_by_role("button", name=re.compile(f"^({DANA.name}|{MIA.name})"))
    await expect(gone).to_have_count(0, timeout=10_000)
    await expect(sam.get_by_text("Or pick who you bumped:")).to_have_count(0)
    await expect(sam.get_by_text(CROWD)).to_be_visible()


async def test_bump_turns_off_and_is_not_offered_to_work_offline(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await open_tap(dana)
    await turn_on_bump(dana)
    # On, every jolt of a phone in a pocket would be a question: the same button turns it off.
    await dana.get_by_role("button", name="Turn off bump").tap()
    await expect(dana.get_by_text("Bump is off.")).to_be_visible()
    await dana.evaluate(BUMP_AT, time.time() * 1000 + 100)
    await asyncio.sleep(0.5)
    await expect(dana.get_by_text(LOOKING)).to_have_count(0)
    assert await pool.fetchval("SELECT count(*) FROM bumps") == 0
    # Offline, turning it on says it cannot work, and what can.
    await dana.context.set_offline(True)
    await dana.get_by_role("button", name="Turn on bump").tap()
    await expect(dana.get_by_text("You're offline, so bumping can't work.")).to_be_visible()
    await expect(dana.get_by_role("button", name="Turn on bump")).to_be_visible()


async def test_my_code_coming_in_moves_nothing_below_it(new_phone_page: NewPage) -> None:
    """My code comes after the page has loaded: the form for theirs stayed put, or a thumb
    about to tap "Swap" landed on whatever moved under it (a full run failed so)."""
    # No service worker: with one in charge, the route holding the code back could miss the
    # request now and then, and the code come before the form was measured.
    dana = await new_phone_page(service_workers="block")
    await make_card_from_home(dana, DANA)
    held = asyncio.Event()

    async def later(route: Route) -> None:
        await held.wait()
        await route.continue_()

    await dana.route("**/tap/code", later)
    await dana.goto("/tap")
    swap = dana.get_by_role("button", name="Swap", exact=True)
    before = await swap.bounding_box()
    held.set()
    await expect(dana.locator("#my-code")).to_be_visible()
    after = await swap.bounding_box()
    assert before is not None and after is not None
    assert after["y"] == before["y"], (before, after)


async def test_a_linkedin_link_to_another_site_is_refused_offline_in_the_server_s_words(
    new_phone_page: NewPage,
) -> None:
    """Kept offline, "LinkedIn: omar.haddad" (a link to omar.haddad, not a username) would
    be refused only once back online, the guest long gone: the phone refuses it at once, in
    the words the server says online, and keeps a link to LinkedIn or a bare username."""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await open_tap(dana)
    await service_worker_controls(dana)
    await dana.reload()  # kept by the service worker, for the reload offline
    form = await guest_form(dana)
    await name_input(form).fill("Omar Haddad")
    await form.get_by_label("LinkedIn", exact=True).fill("omar.haddad")
    await form.get_by_role("button", name="Save their details").tap()
    await expect(dana.locator("#qerr-linkedin")).to_be_visible()
    server_says = await dana.locator("#qerr-linkedin").inner_text()
    assert server_says == fields.LINKEDIN_ONLY, server_says

    await dana.context.set_offline(True)
    await dana.reload()
    await expect(offline_mark(dana)).to_be_visible()
    form = await guest_form(dana)
    await name_input(form).fill("Omar Haddad")
    linkedin = form.get_by_label("LinkedIn", exact=True)
    for elsewhere in ("omar.haddad", "https://example.com/in/omar-haddad"):
        await linkedin.fill(elsewhere)
        await form.get_by_role("button", name="Save their details").tap()
        await expect(form.get_by_role("alert")).to_have_text(server_says)
        await expect(linkedin).to_be_focused()
        await expect(linkedin).to_have_accessible_description(
            re.compile(re.escape(server_says) + "$")
        )
        await expect(name_input(form)).to_have_value("Omar Haddad")  # left to be put right
        assert await outbox_records(dana) == []

    for kept, name in (("linkedin.com/in/omar-haddad", "Omar Haddad"), ("lena", "Lena Park")):
        await name_input(form).fill(name)
        await linkedin.fill(kept)
        await form.get_by_role("button", name="Save their details").tap()
        await expect(outbox_list(dana)).to_contain_text(f"Details of {name} - Waiting")
        await expect(form.get_by_role("alert")).to_have_count(0)
    assert len(await outbox_records(dana)) == 2
