"""Small things Contacts said that were not so (a reviewer's phone): a search with a NUL in
it refused as an unreadable request, where the event's people search answers it in words;
"Your reminder will mention it" when no reminder can reach me; a "Where we met" filter over
a list with nobody in it to filter."""

from __future__ import annotations

from typing import Any

from tests.mailing import confirm_addresses
from tests.phone import Phone, soup, text_of, words
from tests.reminders import swapped

COUNT = "#contact-count[role=status]"


async def test_a_search_with_a_nul_is_answered_in_words(new_phone):
    dana, _ = await swapped(new_phone)
    url = dana.url("contacts")
    for headers in ({}, {"HX-Request": "true"}):
        answer = await dana.get(url, params={"q": "\x00"}, headers=headers)
        assert answer.status_code == 200, headers
        page = soup(answer)
        assert page.select_one(COUNT).get_text() == "No words to search for."
        assert page.select(".people .name") == []
        assert "Nothing to search for in what was typed." in text_of(answer)
        assert "\x00" not in answer.text
    # Hidden characters in a name typed are left out, as every form field leaves them.
    found = soup(await dana.get(url, params={"q": "Mi\x00a"}))
    assert found.select_one(COUNT).get_text() == "1 person"
    assert [words(name) for name in found.select(".people .name")] == ["Mia Chen"]
    assert found.select_one("#q")["value"] == "Mia"


async def give_get_saved(phone: Phone, pool: Any) -> tuple[str, str]:
    """What saving give and get says: where it was saved (htmx), and what #flash is told
    (the form's data-sent), as the contact page and the htmx answer each give them."""
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    page = soup(await phone.get(phone.url("contact", contact_id=contact_id)))
    url = phone.url("contact_give_get", contact_id=contact_id)
    answer = await phone.post(
        url, {"promised": "An intro to Jo", "they_asked": "", "promised_was": ""}, htmx=True
    )
    assert answer.status_code == 200
    form = soup(answer).select_one("form#give-get")
    assert form["data-sent"] == page.select_one("form#give-get")["data-sent"]
    return words(form.select_one(".ok[role=status]")), form["data-sent"]


async def test_saved_give_and_get_promises_a_reminder_only_if_one_can_reach_me(new_phone, pool):
    # Dana's address unconfirmed and no phone with push: the page says no reminder reaches her.
    dana, _ = await swapped(new_phone)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    page = await dana.get(dana.url("contact", contact_id=contact_id))
    assert "No reminder can reach you yet." in text_of(page)
    assert await give_get_saved(dana, pool) == ("Saved.", "Give and get saved.")

    await confirm_addresses(pool, "dana@example.com")
    assert await give_get_saved(dana, pool) == (
        "Saved. Your reminder will mention it.",
        "Give and get saved. Your reminder will mention it.",
    )
    # The follow-up done, or reminders chosen off ("neither"): none is coming either.
    await pool.execute("UPDATE followups SET status = 'done' WHERE owner_id = 1")
    assert await give_get_saved(dana, pool) == ("Saved.", "Give and get saved.")
    await pool.execute("UPDATE followups SET status = 'open' WHERE owner_id = 1")
    await pool.execute("UPDATE accounts SET reminders_by = 'neither' WHERE id = 1")
    assert await give_get_saved(dana, pool) == ("Saved.", "Give and get saved.")


async def test_saved_without_htmx_lands_on_the_page_that_says_no_reminder(new_phone, pool):
    dana, _ = await swapped(new_phone)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    url = dana.url("contact_give_get", contact_id=contact_id)
    page = soup(await dana.get(dana.url("contact", contact_id=contact_id)))
    assert "reminder will mention" not in page.select_one("form#give-get")["data-sent"]
    # Too long: the page again, with the form and what was typed.
    refused = await dana.post(url, {"promised": "x" * 501, "they_asked": ""})
    assert refused.status_code == 422
    assert "reminder will mention" not in soup(refused).select_one("form#give-get")["data-sent"]


def filter_shown(page: Any) -> bool:
    return page.select_one("#event-filter") is not None


async def met_at_an_event(new_phone: Any, pool: Any) -> Phone:
    """My phone, with one contact, met at an event of mine."""
    dana, _ = await swapped(new_phone)
    event_id = await pool.fetchval(
        "INSERT INTO events (organizer_id, name, starts_at, ends_at, time_zone, join_code)"
        " VALUES (1, 'Spring Mixer', now(), now() + interval '2 hours', 'UTC', 'EVAB23')"
        " RETURNING id"
    )
    await pool.execute("UPDATE contacts SET event_id = $1 WHERE owner_id = 1", event_id)
    return dana


async def test_where_we_met_is_offered_only_with_someone_to_filter(new_phone, pool):
    dana = await met_at_an_event(new_phone, pool)
    url = dana.url("contacts")
    assert filter_shown(soup(await dana.get(url)))
    # A search or a filter that finds nobody: the filter stays, to be changed.
    nobody = soup(await dana.get(url, params={"q": "zz"}))
    assert filter_shown(nobody) and "Nobody matches" in words(nobody)
    other = await pool.fetchval(
        "INSERT INTO events (organizer_id, name, starts_at, ends_at, time_zone, join_code)"
        " VALUES (1, 'Autumn Mixer', now(), now() + interval '2 hours', 'UTC', 'EVAB24')"
        " RETURNING id"
    )
    assert filter_shown(soup(await dana.get(url, params={"event": str(other)})))

    # No contacts at all (her events are still hers): nothing to filter, no filter.
    await pool.execute("DELETE FROM contacts WHERE owner_id = 1")
    empty = soup(await dana.get(url))
    assert "Nobody yet." in words(empty)
    assert not filter_shown(empty) and "Where we met" not in words(empty)
    assert empty.select_one("#q") is not None, "the search box stays"
