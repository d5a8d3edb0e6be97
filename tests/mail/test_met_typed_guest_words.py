"""Lou's details were typed on Dana's phone (Tap, "Someone without the app"): the "You met" he
gets says so to the end, footer included (he left this address nowhere), even when he signed in
before it went; and its "Remind me tomorrow" page names the time zone its 09:00 is in, which is
Dana's phone's, not one Lou chose."""

from __future__ import annotations

from tests.mail.test_met_typed_words import both_parts
from tests.mailing import leaves_details, link_in, pressed, running_mail_worker, sent_once
from tests.phone import text_of
from tests.reminders import next_morning
from tests.signin.test_guests import LOU, dana_types_lou, signs_in

TYPED = "Not you? Someone typed this address into Reachout:"
LEFT = "Not you? Someone left this address on a Reachout card:"


async def test_the_footer_to_a_typed_guest_says_the_address_was_typed(new_phone, mail, app):
    await dana_types_lou(new_phone)
    typed = await sent_once(app, mail)
    assert typed.recipients == ("lou@example.com",)
    for part, said in both_parts(typed).items():
        assert TYPED in said, part
        assert "left this address" not in said and "left again" not in said, part
        # The rest of what the footer says, as for an address left on a card.
        footer = said[said.index(TYPED) :]
        assert "no reminders come unless" in footer, part
        assert "Remind me tomorrow" in footer, part
        assert "can come if the address is typed again" in footer, part
        assert "nsubscrib" in footer, part

    # Mia left hers on Sam's card, from her own phone: hers says so, as before.
    sam = await new_phone()
    await sam.make_card(name="Sam Roe", email="sam@example.com")
    await leaves_details(new_phone, sam, email="mia@example.com")
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    [left] = mail.received_for("mia@example.com")
    for part, said in both_parts(left).items():
        assert LEFT in said and "can come if the address is left again" in said, part
        assert "typed this address" not in said, part


async def test_a_guest_who_signs_in_before_it_is_sent_is_still_told_dana_typed_them(
    new_phone, pool, mail, app
):
    """The relay put the "You met" off; meanwhile Lou signed in with his address, which makes
    the card Dana typed his. Sent then, it still says how his details got there, and no
    longer asks him to sign in to keep the card: it is his."""
    await dana_types_lou(new_phone)
    mail.refuse(451, "4.3.0 Try again later", times=1)
    async with running_mail_worker(app, mail, backoff_base=3600) as worker:
        await worker.run_once()
    assert mail.received_for("lou@example.com") == []

    lou = await new_phone()
    signed = await signs_in(lou, mail, app)
    assert signed.headers["location"] == lou.url("contacts") + "?notice=signed_in"
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE guest") == 0, "his now"

    await pool.execute("UPDATE emails SET next_attempt_at = now() WHERE kind = 'met'")  # retry
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    [met] = [m for m in mail.received_for("lou@example.com") if m.subject == "You met Dana Lee"]
    for part, said in both_parts(met).items():
        assert "Hi Lou, Dana Lee typed your details into Reachout on their phone." in said, part
        assert "left your details" not in said and "left this address" not in said, part
        assert TYPED in said, part
        assert "Sign in to Reachout with" not in said and "to delete it" not in said, part


async def test_remind_me_tomorrow_names_the_zone_of_the_phone_that_typed_them(new_phone, mail, app):
    """Dana, in Tokyo for a conference, typed Lou in: his card took her phone's zone. The
    page of his "Remind me tomorrow" says whose 09:00 it is once pressed (this press sends no
    zone of its own, so Tokyo's stays)."""
    dana = await new_phone()
    await dana.make_card(time_zone="Asia/Tokyo")
    typed = await dana.post(dana.url("tap_guest"), LOU)
    assert typed.status_code == 303
    link = link_in(await sent_once(app, mail), "/m/confirm/")

    lou = await new_phone()
    day = next_morning("Asia/Tokyo")
    page = await lou.get(link)
    assert page.status_code == 200
    # Before the press the page cannot know where Lou is (his browser sends its zone with it).
    assert "We will email lou@example.com tomorrow morning to remind you." in text_of(page)
    done = await pressed(lou, link)
    assert (
        f"We will email lou@example.com {day} at 09:00 (Asia/Tokyo) to follow up with Dana Lee."
        in text_of(done)
    )
