"""The card page a QR code opens, kept rendered for people with no account, in each web
process and in the database for all of them (server/swaps/card_pages.py): every visitor still
sees the card as it is now, in any encoding and from any process, someone with a card still
gets their own page, and a changed card leaves no copy of what it said."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from server.app import create_app
from tests.cards.test_share_tokens import legacy_token
from tests.conftest import TEST_SECRET
from tests.phone import Phone, soup, text_of
from tests.waiting import until_waiting_for_lock


@pytest.fixture
async def other_process(app: Starlette) -> AsyncIterator[Starlette]:
    """A second web process of the same release on the same database, with its own memory."""
    other = create_app(app.state.settings)
    # The same release as ``app`` by definition: a release is a digest of the files in the
    # checkout, read when each app is made, and a file edited since the session's ``app`` was
    # made (while the tests run) would make this one another release, rendering for itself.
    other.state.release = app.state.release
    async with other.router.lifespan_context(other):
        yield other


def phone_on(app: Starlette) -> Phone:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    return Phone(client, app)


def queries_run(app: Starlette, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the queries ``app`` runs from now on."""
    ran: list[str] = []
    run = app.state.sql.run

    async def recorded(conn, key, /, **params):  # type: ignore[no-untyped-def]
        ran.append(key)
        return await run(conn, key, **params)

    monkeypatch.setattr(app.state.sql, "run", recorded)
    return ran


async def kept_pages(pool) -> list[str]:  # type: ignore[no-untyped-def]
    """Every page the database keeps, as text."""
    rows = await pool.fetch("SELECT page FROM card_pages")
    return [zlib.decompress(row["page"], 16 + zlib.MAX_WBITS).decode() for row in rows]


async def test_a_crowd_sees_the_card_as_it_is_now(new_phone):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()

    first = await new_phone()
    assert "Threadline" in text_of(await first.get(link))
    await dana.make_card(company="Loomworks")  # she edits her card while people scan

    second = await new_phone()
    page = await second.get(link)
    assert page.status_code == 200
    assert "Loomworks" in text_of(page)
    assert "Threadline" not in text_of(page)


async def test_the_same_page_compressed_or_not(new_phone):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    visitor = await new_phone()

    pages = [
        await visitor.get(link, headers={"accept-encoding": encoding})
        for encoding in ("gzip", "identity", "gzip")
    ]
    assert [p.headers.get("content-encoding") for p in pages] == ["gzip", None, "gzip"]
    assert pages[0].text == pages[1].text == pages[2].text
    for page in pages:
        assert page.headers["x-robots-tag"] == "noindex, nofollow"
        assert page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["vary"] == "Accept-Encoding"
    form = soup(pages[1]).find("form", id="leave-details")
    assert form is not None and form["action"] == link + "/details"


async def test_each_card_compressed_reads_as_its_own_page(new_phone):
    # Pages start alike down to the inline stylesheet, compressed once per process and
    # carried on from for each card: every card must still arrive whole and as itself.
    people = [("Dana Lee", "dana@example.com"), ("Mia Chen", "mia@example.com")]
    people.append(("Ravi Iyer", "ravi@example.com"))
    links = []
    for name, email in people:
        sharer = await new_phone()
        await sharer.make_card(name=name, email=email)
        links.append(await sharer.share_link())
    visitor = await new_phone()
    for (name, _), link in zip(people, links, strict=True):
        compressed = await visitor.get(link, headers={"accept-encoding": "gzip"})
        plain = await visitor.get(link, headers={"accept-encoding": "identity"})
        assert compressed.headers["content-encoding"] == "gzip"
        assert compressed.text == plain.text
        assert soup(compressed).find("h1").get_text(strip=True) == name


async def test_someone_with_a_card_gets_their_own_page_after_the_crowd(new_phone):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    await (await new_phone()).get(link)  # someone with no account opened it first

    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    page = soup(await mia.get(link))
    assert page.find("button", string="Swap details") is not None
    assert page.find("form", id="leave-details") is None
    assert (await dana.get(link)).text.count("This is your own card") == 1


async def test_a_change_made_in_the_database_itself_shows_at_once(new_phone, pool):
    # Kept by the row's version, not by a column the app sets: a change by hand (a support
    # fix, a migration) that touches no timestamp is seen by the next visitor all the same.
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    assert "Threadline" in text_of(await (await new_phone()).get(link))

    await pool.execute("UPDATE cards SET company = 'Loomworks' WHERE name = 'Dana Lee'")
    page = await (await new_phone()).get(link)
    assert "Loomworks" in text_of(page)
    assert "Threadline" not in text_of(page)


async def test_a_kept_page_is_not_shown_for_a_reset_or_deleted_card(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    visitor = await new_phone()
    assert (await visitor.get(link)).status_code == 200

    await dana.post(dana.url("share_reset"))
    assert "replaced by a newer one" in text_of(await visitor.get(link))

    fresh = await dana.share_link()
    assert (await visitor.get(fresh)).status_code == 200
    await pool.execute(
        "DELETE FROM accounts WHERE id = (SELECT account_id FROM cards WHERE name = 'Dana Lee')"
    )
    gone = await visitor.get(fresh)
    assert gone.status_code == 410
    assert "deleted their Reachout account" in text_of(gone)


async def test_the_next_visitor_of_a_kept_page_costs_one_narrow_read(new_phone, app, monkeypatch):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    await (await new_phone()).get(link)

    ran = queries_run(app, monkeypatch)
    page = await (await new_phone()).get(link)
    assert page.status_code == 200 and "Threadline" in text_of(page)
    assert ran == ["card_pages.version_and_page"]


async def test_a_page_one_process_rendered_opens_from_another_as_it_is(
    new_phone, other_process, monkeypatch
):
    # A crowd's scans spread over the web processes: the card is rendered by the first one
    # asked, and the others send the page it kept, with that same one read.
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    first = await (await new_phone()).get(link)

    ran = queries_run(other_process, monkeypatch)
    async with phone_on(other_process).client as client:
        compressed = await client.get(link, headers={"accept-encoding": "gzip"})
        plain = await client.get(link, headers={"accept-encoding": "identity"})
    assert ran == ["card_pages.version_and_page"] * 2
    assert compressed.headers["content-encoding"] == "gzip"
    assert compressed.text == plain.text == first.text
    assert compressed.headers["x-robots-tag"] == "noindex, nofollow"
    assert compressed.headers["cache-control"] == "no-store"
    assert soup(plain).find("form", id="leave-details")["action"] == link + "/details"


async def test_a_code_printed_before_share_ids_opens_the_card_kept_alike(
    new_phone, pool, other_process, monkeypatch
):
    # Such a link names the card by its account: a query of its own, kept and sent as any.
    dana = await new_phone()
    await dana.make_card(company="Threadline")
    card = await pool.fetchrow("SELECT account_id, share_generation FROM cards")
    expires = datetime.now(UTC) + timedelta(days=1)
    link = "/c/" + legacy_token(TEST_SECRET, card["account_id"], card["share_generation"], expires)
    first = await (await new_phone()).get(link)
    assert first.status_code == 200
    assert soup(first).find("h1").get_text(strip=True) == "Dana Lee"

    ran = queries_run(other_process, monkeypatch)
    async with phone_on(other_process).client as client:
        again = await client.get(link)
    assert ran == ["card_pages.version_and_page_of_account"]
    assert again.text == first.text

    await dana.make_card(company="Loomworks")
    changed = await (await new_phone()).get(link)
    assert "Loomworks" in text_of(changed)
    assert "Threadline" not in text_of(changed)


async def test_a_changed_card_leaves_no_copy_of_what_it_said(new_phone, other_process, pool):
    dana = await new_phone()
    await dana.make_card(company="Threadline")
    link = await dana.share_link()
    await (await new_phone()).get(link)
    assert ["Threadline" in page for page in await kept_pages(pool)] == [True]

    await dana.make_card(company="Loomworks")  # she left Threadline
    assert await kept_pages(pool) == []
    async with phone_on(other_process).client as client:
        page = await client.get(link)
    assert "Loomworks" in text_of(page) and "Threadline" not in page.text
    assert ["Threadline" in page for page in await kept_pages(pool)] == [False]


async def test_a_process_of_another_release_renders_the_page_itself(
    new_phone, other_process, monkeypatch
):
    # After a deploy that changed a template, old and new processes run side by side for a
    # while: each sends only pages rendered as it would render them.
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    await (await new_phone()).get(link)

    other_process.state.release = "the next release"
    ran = queries_run(other_process, monkeypatch)
    async with phone_on(other_process).client as client:
        page = await client.get(link)
    assert page.status_code == 200 and "Threadline" in text_of(page)
    assert "cards.by_share_id" in ran and "card_pages.keep" in ran


async def test_a_page_kept_while_the_card_is_edited_does_not_outlive_the_edit(new_phone, app, pool):
    # A process renders the card, and keeps the page just as its owner's edit is under way:
    # the edit's trigger cannot see that page yet, so the keep must not write it.
    dana = await new_phone()
    await dana.make_card(company="Threadline")
    link = await dana.share_link()
    seen = await pool.fetchrow(
        "SELECT account_id, xmin AS version, updated_at FROM cards WHERE company = 'Threadline'"
    )
    async with pool.acquire() as editing:
        edit = editing.transaction()
        await edit.start()
        await editing.execute("UPDATE cards SET company = 'Loomworks', updated_at = now()")
        keeping = asyncio.create_task(
            app.state.sql.run(
                pool,
                "card_pages.keep",
                account_id=seen["account_id"],
                token=link.rsplit("/", 1)[1],
                release=app.state.release,
                version=seen["version"],
                updated_at=seen["updated_at"],
                headers=[],
                page=gzip.compress(b"<p>Threadline</p>"),
                expires_at=None,
            )
        )
        # The keep waits for the edit's row lock: only then is it the race this is about.
        await until_waiting_for_lock(
            pool, "the keep waiting for the edit", held_by=editing.get_server_pid()
        )
        await edit.commit()
    await keeping
    assert await kept_pages(pool) == []
