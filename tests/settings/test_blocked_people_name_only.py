"""Settings' "Blocked people" names whom I blocked, and nothing more of their card: their new
job after the block is not mine to read there, as it is not in my export."""

from __future__ import annotations

from tests.contacts.test_blocks import blocked_names
from tests.contacts.test_take_back import contact_of
from tests.phone import soup, text_of, words
from tests.reminders import swapped


async def test_blocked_people_shows_the_name_only(new_phone, pool):
    dana, mia = await swapped(new_phone)
    blocked = await mia.post(mia.url("contact_block", contact_id=await contact_of(pool, 2)))
    assert blocked.status_code == 303
    # Dana, blocked, changes jobs afterwards.
    await dana.make_card(headline="Head of Talent at SecretCo", company="SecretCo")

    assert await blocked_names(mia) == ["Dana Lee"]
    settings = await mia.get(mia.url("settings"))
    section = soup(settings).select_one("#blocked-section")
    assert section is not None
    assert "SecretCo" not in words(section)
    assert "Recruiter" not in words(section)  # nor the job she had when blocked
    assert "SecretCo" not in text_of(settings)

    # The list as Unblock's fragment redraws it (after unblocking someone else) says no more.
    eve = await new_phone()
    await eve.make_card(name="Eve Intruder", email="eve@example.com")
    assert (await eve.post(await mia.share_link() + "/swap")).status_code == 303
    eve_contact = await pool.fetchval(
        "SELECT ct.id FROM contacts ct JOIN cards c ON c.account_id = ct.contact_id"
        " WHERE ct.owner_id = 2 AND c.name = 'Eve Intruder'"
    )
    assert (await mia.post(mia.url("contact_block", contact_id=eve_contact))).status_code == 303
    section = soup(await mia.get(mia.url("settings"))).select_one("#blocked-section")
    unblock = section.select_one('button[aria-label="Unblock Eve Intruder"]')
    fragment = await mia.post(unblock.find_parent("form")["action"], htmx=True)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Dana Lee" in text_of(fragment) and "SecretCo" not in text_of(fragment)
