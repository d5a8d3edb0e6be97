"""A card merged into another account: its NFC tag, QR code and share links open the card
kept (the same person), not "deleted their account"; a new code on the card kept ends them,
and deleting the account kept makes them say deleted, leaving no row about it."""

from __future__ import annotations

from tests.cards.test_tag_links import tag_link
from tests.phone import Phone, soup, text_of
from tests.reminders import zone_where_it_is
from tests.signin.test_merging import two_accounts_and_a_shared_contact
from tests.signin.test_moving import show_code

DELETED = "deleted their Reachout account"


async def merged_with_old_links(new_phone, pool) -> tuple[Phone, str, str]:  # type: ignore[no-untyped-def]
    """Dana wrote her installed app's card ("Dana L.", account 5) to a badge's tag and sent
    its link; then she merged it into her Safari card ("Dana Lee", account 1). The installed
    app, signed in to account 1, and the tag and link of the card merged away."""
    safari, installed = await two_accounts_and_a_shared_contact(new_phone, pool)
    tag = await tag_link(installed)
    link = await installed.share_link()
    code = await show_code(safari)
    await installed.post(installed.url("move_enter_submit"), {"code": code})
    # The merge page says what becomes of them, before the button.
    said = " ".join(text_of(await installed.get(installed.url("sign_in_merge"))).split())
    assert "its QR code, links and NFC tags open the card of Dana Lee from then on" in said
    merged = await installed.post(installed.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = 5") == 0
    return installed, tag, link


async def connected_with_dana(pool, name: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether ``name`` and the account kept (1) have each other, both ways."""
    other = await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", name)
    both = await pool.fetchval(
        "SELECT count(*) FROM contacts WHERE (owner_id, contact_id) IN ((1, $1), ($1, 1))",
        other,
    )
    return bool(both == 2)


async def test_old_tag_and_link_of_a_merged_card_open_the_card_kept(new_phone, pool):
    _dana, tag, link = await merged_with_old_links(new_phone, pool)
    # Ben taps her tag again at the next event: her card, not a deleted account.
    ben = await new_phone()
    await ben.make_card(name="Ben Two", email="ben2@example.com")
    for old in (tag, link):
        opened = await ben.get(old)
        assert opened.status_code == 200, text_of(opened)
        assert "Dana Lee" in text_of(opened) and DELETED not in text_of(opened)
        assert (await ben.get(old + "/vcard")).status_code == 200
    # Scanned on the Scan screen: "Swap with Dana Lee?", then Swap connects him with her.
    preview = await ben.get(tag + "/preview")
    assert preview.status_code == 200 and preview.json()["name"] == "Dana Lee"
    swapped = await ben.post(tag + "/swap")
    assert swapped.status_code == 303, text_of(swapped)
    assert await connected_with_dana(pool, "Ben Two")
    # Someone with no app (the page kept rendered for a crowd) leaves their details on it.
    stranger = await new_phone()
    page = await stranger.get(link)
    assert page.status_code == 200 and "Dana Lee" in text_of(page)
    assert soup(page).find("form", id="leave-details")["action"] == link + "/details"
    left = await stranger.post(
        link + "/details",
        {"name": "Eve Rao", "email": "eve@example.com", "time_zone": zone_where_it_is(True)},
    )
    assert left.status_code == 303, text_of(left)
    assert await connected_with_dana(pool, "Eve Rao")


async def test_a_new_code_on_the_card_kept_ends_the_merged_cards_links(new_phone, pool):
    dana, tag, link = await merged_with_old_links(new_phone, pool)
    await dana.post(dana.url("share_reset"))
    visitor = await new_phone()
    for old in (tag, link):
        opened = await visitor.get(old)
        assert opened.status_code == 410
        assert "replaced by a newer one" in text_of(opened)
    # Her new tag works.
    assert (await visitor.get(await tag_link(dana))).status_code == 200


async def test_deleting_the_account_kept_makes_the_old_links_say_deleted(new_phone, pool):
    _dana, tag, _link = await merged_with_old_links(new_phone, pool)
    async with pool.acquire() as conn, conn.transaction():
        assert await conn.fetchval("SELECT delete_account(1)")
    assert await pool.fetchval("SELECT count(*) FROM merged_accounts") == 0
    opened = await (await new_phone()).get(tag)
    assert opened.status_code == 410 and DELETED in text_of(opened)


async def test_a_card_merged_into_one_merged_on_opens_the_last(new_phone, pool):
    """Dana Lee merged "Dana L." in, then her own card went into a third one: the first
    card's tag opens the third; the second's too."""
    _dana, tag, _link = await merged_with_old_links(new_phone, pool)
    first = await new_phone()
    await first.make_card(name="Dana Lee (work)", email="dana.work@example.com")
    kept_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Dana Lee (work)'")
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT lock_merge(1, $1)", kept_id)
        await conn.execute("SELECT merge_accounts(1, $1)", kept_id)
    opened = await (await new_phone()).get(tag)
    assert opened.status_code == 200 and "Dana Lee (work)" in text_of(opened)
