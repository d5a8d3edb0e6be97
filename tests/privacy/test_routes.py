"""``/privacy``: plain words on what is kept, who sees it and how long, with the periods the
worker uses (change a setting and the page says so); linked where people decide."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from server.privacy.retention import RULES
from tests.mailing import confirm_addresses, running_mail_worker
from tests.phone import soup, text_of


async def test_the_page_shows_every_rule_with_its_configured_period(new_phone, app):
    visitor = await new_phone()
    page = await visitor.get(visitor.url("privacy"))
    assert page.status_code == 200
    assert soup(page).h1.get_text(strip=True) == "Privacy"
    said = [" ".join(li.get_text().split()) for li in soup(page).select("#retention li")]
    settings = app.state.settings
    assert said == [f"{rule.what}: {rule.says(settings)}." for rule in RULES]
    assert "Bumps: when a phone bumped another, and how hard: deleted after 1 day." in said
    assert any(
        "deleted after 365 days, with their connection (and the note and follow-up of the"
        " person who typed them); sooner once nobody has them as a contact" in line
        for line in said
    )
    whole = text_of(page)
    for heading in ("What is stored", "Who sees what", "How long", "Leaving"):
        assert heading in whole
    assert "until 30 days after it ends" in whole, "ROSTER_DAYS"
    # What the organizer's own page shows (tests/events/test_joining.py), said as it is.
    assert "Organizers see who joined their event (name and headline" in whole
    assert "Never who swapped with whom, never your email or phone, never your notes." in whole


async def test_changing_a_setting_changes_the_page(new_phone, app):
    kept = app.state.settings
    # Not monkeypatch: undoing it on Starlette's State deletes the attribute.
    app.state.settings = replace(kept, retain_bumps=timedelta(days=3), roster_days=14)
    try:
        visitor = await new_phone()
        whole = text_of(await visitor.get(visitor.url("privacy")))
    finally:
        app.state.settings = kept
    assert "Bumps: when a phone bumped another, and how hard : deleted after 3 days." in whole
    assert "until 14 days after it ends" in whole


async def test_linked_from_the_start_page_the_details_form_welcome_and_settings(new_phone):
    visitor = await new_phone()
    privacy = visitor.url("privacy")
    home = await visitor.get(visitor.url("home"))
    assert soup(home).find("a", href=privacy) is not None
    dana = await new_phone()
    await dana.make_card()
    card = await visitor.get(await dana.share_link())
    form = soup(card).select_one("#leave-details")
    assert form.find("a", href=privacy) is not None
    left = await visitor.post(
        await dana.share_link() + "/details", {"name": "Mia Chen", "email": "mia@example.com"}
    )
    welcome = await visitor.get(left.headers["location"])
    assert soup(welcome).find("a", href=privacy) is not None
    section = soup(await dana.get(dana.url("settings"))).select_one("#your-data-section")
    assert section.find("a", href=privacy) is not None
    assert section.find("a", href=dana.url("delete_account")).get_text() == "Delete my account"
    # Signed in, the page links straight to deleting.
    page = soup(await dana.get(privacy))
    assert page.find("a", href=dana.url("delete_account")) is not None


async def test_the_deletion_code_email_says_what_it_is_for(new_phone, pool, app, mail):
    dana = await new_phone()
    await dana.make_card()
    # Her address was confirmed (the confirmation email's button, tested in tests/mail).
    await confirm_addresses(pool, "dana@example.com")
    await dana.post(dana.url("delete_account_send_code"))
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    [message] = [m for m in mail.received if m.recipients == ("dana@example.com",)]
    # The code first: a phone's notification shows the start of a subject.
    code, said = message.subject.split(" ", 1)
    assert code.isdigit() and len(code) == 8
    assert said == "is your code to delete your Reachout account"
    text = message.message.get_body(("plain",)).get_content()
    assert "Nothing is deleted without this code" in text
    assert "http://testserver/settings" in text
    assert "List-Unsubscribe" not in message.message
    assert await pool.fetchval("SELECT code FROM emails WHERE kind = 'delete_code'") is None
    outbox = text_of(await dana.get(dana.url("settings")))
    assert "Code to delete your account · sent" in outbox


async def test_how_long_says_a_contact_typed_for_someone_goes_after_the_guest_period(
    new_phone, app
):
    """Contacts stay until I delete them, except a guest card nobody claimed: that one goes
    after RETAIN_GUESTS_DAYS, with my note and follow-up on it, and the page says so."""
    kept = app.state.settings
    app.state.settings = replace(kept, retain_guests=timedelta(days=200))
    try:
        visitor = await new_phone()
        section = soup(await visitor.get(visitor.url("privacy"))).select_one(
            "section[aria-labelledby=how-long-title]"
        )
    finally:
        app.state.settings = kept
    said = " ".join(section.get_text().split())
    assert "contacts, notes, follow-ups and events stay until you delete them" not in said
    assert (
        'someone whose details were typed on a phone ("Someone without the app") and who never'
        " signed in to claim them is deleted after 200 days, even from your contacts, with your"
        " note, promises and follow-up on them."
    ) in said
    assert "once Undo of removing it runs out, when you unblock it, or with your account" in said


async def test_the_delete_page_lists_the_cards_i_typed(new_phone):
    dana = await new_phone()
    await dana.make_card()
    for name, email in (("Lou Park", "lou@example.com"), ("Ana Ruiz", "ana@example.com")):
        typed = await dana.post(dana.url("tap_guest"), {"name": name, "email": email})
        assert typed.status_code == 303
    page = " ".join(text_of(await dana.get(dana.url("delete_account"))).split())
    assert (
        "the 2 cards you typed for people without the app, who never signed in to claim them;"
    ) in page


async def test_it_says_what_stays_as_the_code_keeps_it(new_phone):
    """Review r51: the page promised cards and events "stay until you delete them", yet
    neither can be deleted on its own; and leaving did not say that an event I organised stays
    when others were there (delete_account() in logic.sql), nor that a removal keeps a hash of
    my confirmed addresses as long as the event (event_removed_addresses)."""
    visitor = await new_phone()
    page = soup(await visitor.get(visitor.url("privacy")))

    def said(section: str) -> str:
        return " ".join(page.select_one(f"section[aria-labelledby={section}]").get_text().split())

    how_long = said("how-long-title")
    assert "until you delete them" not in how_long
    assert "Your card stays until you delete your account." in how_long
    assert "Events you organise or join stay until you delete your account." in how_long
    assert "You can edit or close an event you organise, but not delete it." in how_long
    leaving = said("leaving-title")
    assert (
        "An event you organise goes too, unless other people were there. Then it stays for"
        " them, closed and with no organizer: its name, times, venue and description stay,"
        " until none of them has it any more."
    ) in leaving
    assert (
        "If an organizer removed you from an event, we keep a hash of each email address you"
        " confirmed: enough to know that address again, nothing else. It stays as long as the"
        " event has its organizer, so that you can't join it again with a new account."
    ) in leaving
