"""Two browsers of one person each ask a code for her address (Safari, and the app on the home
screen); signing in on one ends the other's code too, as it ends every code for the address
(signin.use_code: one that got out, asked for anywhere, dies once its owner signs in). Typed
in the other, that code, never typed before, said "That code was used already: each code
works once", and its owner went looking for who had used it (review r74). It says now that
she signed in elsewhere."""

from __future__ import annotations

from tests.mailing import running_mail_worker
from tests.phone import text_of
from tests.signin.test_guests import CODE

DANA = "dana@example.com"


async def test_the_other_browsers_code_says_she_signed_in_elsewhere(new_phone, pool, mail, app):
    dana = await new_phone()
    await dana.make_card()
    safari, installed = await new_phone(), await new_phone()
    await safari.post(safari.url("sign_in_ask"), {"email": DANA})
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    await installed.post(installed.url("sign_in_ask"), {"email": DANA})
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    safaris, installeds = (CODE.match(m.subject).group(1) for m in mail.received)  # type: ignore[union-attr]
    signed = await safari.post(safari.url("sign_in_code"), {"email": DANA, "code": safaris})
    assert signed.status_code == 303
    ended = await installed.post(installed.url("sign_in_code"), {"email": DANA, "code": installeds})
    assert ended.status_code == 422
    said = text_of(ended)
    assert "That code stopped working: you signed in with another code in another browser" in said
    assert "used already" not in said
    # Ended all the same: the app is not signed in by it.
    assert "Dana Lee" not in text_of(await installed.get(installed.url("card")))
    # The code typed is the one used, in the browser that typed it.
    again = await safari.post(safari.url("sign_in_code"), {"email": DANA, "code": safaris})
    assert "That code was used already" in text_of(again)
