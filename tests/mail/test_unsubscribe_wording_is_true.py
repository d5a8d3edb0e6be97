"""What unsubscribing and ignoring an email are said to do is what they do: codes someone asks
for still come after an unsubscribe, and another "You met" can come to someone who ignores one."""

from __future__ import annotations

import re

from tests.mailing import leaves_details, link_in, sent_once
from tests.phone import text_of


async def test_unsubscribe_says_codes_still_come(new_phone, mail, app):
    _, mia = await leaves_details(new_phone)
    met = await sent_once(app, mail)
    unsubscribe = link_in(met, "/m/unsubscribe")
    for page in (await mia.post(unsubscribe, {}), await mia.get(unsubscribe)):
        said = text_of(page)
        assert "You are unsubscribed" in said
        assert "no more reminders or updates to mia@example.com" in said
        assert "Codes you ask for still come" in said
        assert "no more email" not in said and "sends no email" not in said


async def test_the_unsubscribe_question_asks_what_the_button_does(new_phone, mail, app):
    """The question and its answer agree: codes asked for still come, so it does not ask to
    stop all email."""
    _, mia = await leaves_details(new_phone)
    met = await sent_once(app, mail)
    unsubscribe = link_in(met, "/m/unsubscribe")
    question = text_of(await mia.get(unsubscribe))
    assert "Stop reminders and updates from Reachout to mia@example.com?" in question
    assert "Codes you ask for still come" in question
    assert "all email" not in question
    answer = text_of(await mia.post(unsubscribe, {}))
    still_comes = (
        "Codes you ask for still come, and a confirmation asked for in Reachout's settings at"
        " most once a week."
    )
    assert still_comes in question and still_comes in answer


async def test_you_met_does_not_promise_nothing_more_will_come(new_phone, mail, app):
    await leaves_details(new_phone)
    message = (await sent_once(app, mail)).message
    for part in ("plain", "html"):
        body = message.get_body((part,)).get_content()
        assert "you will hear nothing more" not in body
        assert "can come if the address is left again" in body


async def test_a_confirmation_does_not_promise_nothing_more_will_come(new_phone, mail, app):
    """Cards may ask again (10 a day to one address): ignoring it stops no such thing, and
    unsubscribing leaves one a week."""
    dana = await new_phone()
    await dana.make_card()
    await dana.post(dana.url("settings_email_confirm"), {})
    message = (await sent_once(app, mail)).message
    for part in ("plain", "html"):
        body = message.get_body((part,)).get_content()
        assert "you will hear nothing more" not in body
        body = " ".join(re.sub(r"<[^>]+>", "", body).split())  # as read: the words, no tags
        assert "a few times a day" not in body
        assert "up to 10 confirmations a day can come to this address" in body
        assert "Unsubscribe, and a confirmation comes here once a week at most" in body
