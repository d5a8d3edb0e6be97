"""Any card can carry someone else's address and press "Send me a confirmation": strangers'
cards together get 10 a day to one address. Each such email can be unsubscribed from (a link
in it and the one-click headers, RFC 8058), and then a confirmation comes at most once a week,
while a sign-in code its owner asks for still comes."""

from __future__ import annotations

import re

from tests.mail.test_codes_survive_an_unsubscribe import one_click
from tests.mailing import running_mail_worker

VICTIM = "vic@example.com"


async def asks(card) -> int:  # type: ignore[no-untyped-def]
    """The card presses "Send me a confirmation"; the mail worker sends what it queued."""
    answer = await card.post(card.url("settings_email_confirm"), {})
    return int(answer.status_code)


async def sent_to_victim(app, mail) -> list:  # type: ignore[no-untyped-def]
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    return [m for m in mail.received if m.recipients == (VICTIM,)]


async def test_strangers_confirmations_can_be_unsubscribed_then_come_once_a_week(
    new_phone, pool, mail, app
):
    cards = []
    for i in range(4):
        card = await new_phone()
        await card.make_card(name=f"Stranger {i}", email=VICTIM)
        cards.append(card)
    answers = []
    for card in cards:
        for _ in range(3):
            answers.append(await asks(card))
            await sent_to_victim(app, mail)
    assert answers.count(303) == 10 and answers[10:] == [429, 429], answers
    received = await sent_to_victim(app, mail)
    assert len(received) == 10

    base_url = app.state.settings.base_url
    for sent in received:
        message = sent.message
        assert message["List-Unsubscribe"].startswith(f"<{base_url}/m/unsubscribe?")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text = " ".join(message.get_body(("plain",)).get_content().split())
        assert "a few times a day" not in text
        assert "up to 10 confirmations a day can come to this address" in text
        assert (
            "Not your card? Unsubscribe, and a confirmation comes here once a week at most:"
            f" {base_url}/m/unsubscribe?" in text
        )
        html = message.get_body(("html",)).get_content()
        link = re.search(r'<a href="([^"]*/m/unsubscribe\?[^"]*)"[^>]*>Unsubscribe</a>', html)
        assert link is not None, html
        assert f"<{link.group(1).replace('&amp;', '&')}>" == message["List-Unsubscribe"]

    # Her mail app's one-click unsubscribe.
    await one_click(app, received[-1].message["List-Unsubscribe"].strip("<>"))

    # Two days on, the day's 10 no longer count: her unsubscribe does, one a week at most.
    await pool.execute("UPDATE emails SET created_at = created_at - interval '2 days'")
    newcomer = await new_phone()
    await newcomer.make_card(name="Stranger 5", email=VICTIM)
    assert await asks(newcomer) == 429
    assert len(await sent_to_victim(app, mail)) == 10, "nothing more came"

    # A week after the last: one goes (its button would subscribe her again), not two.
    await pool.execute("UPDATE emails SET created_at = created_at - interval '6 days'")
    assert await asks(newcomer) == 303
    assert await asks(cards[0]) == 429
    received = await sent_to_victim(app, mail)
    assert len(received) == 11
    assert received[-1].message["List-Unsubscribe"].startswith(f"<{base_url}/m/unsubscribe?")

    # A sign-in code she asks for herself still comes.
    laptop = await new_phone()
    assert (await laptop.post(laptop.url("sign_in_ask"), {"email": VICTIM})).status_code == 303
    received = await sent_to_victim(app, mail)
    assert len(received) == 12 and received[-1].subject.startswith("Your Reachout code: ")
    assert "List-Unsubscribe" not in received[-1].message
