"""A confirmation waiting in the outbox when the card's address changes is not sent: the
address may be someone else's (a slip, since fixed), and its button would confirm nothing."""

from __future__ import annotations

from tests.mailing import running_mail_worker
from tests.phone import text_of


async def test_a_confirmation_for_an_address_taken_off_the_card_is_not_sent(
    new_phone, pool, mail, app
):
    dana = await new_phone()
    await dana.make_card(email="sam@example.com")  # a slip: her colleague's address
    asked = await dana.post(dana.url("settings_email_confirm"), {})
    assert asked.status_code == 303, asked.text
    await dana.make_card(email="dana@example.com")  # fixed before the worker sent it
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    assert [m.recipients for m in mail.received] == [], "nothing goes to Sam"
    assert await pool.fetchval("SELECT status FROM emails WHERE kind = 'confirm'") == "skipped"
    # Settings no longer says one is on its way, and she can ask for one to her own address.
    page = text_of(await dana.get(dana.url("settings")))
    assert "A confirmation is on its way." not in page
    again = await dana.post(dana.url("settings_email_confirm"), {})
    assert again.status_code == 303, again.text
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    assert [m.recipients for m in mail.received] == [("dana@example.com",)]
