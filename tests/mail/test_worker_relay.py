"""The mail worker when our own mail server refuses us (relaying denied, a login turned down):
nothing fails for good and no address is marked bouncing; it is said once, loudly, and the
mail goes once the server takes it. And how long the worker keeps trying."""

from __future__ import annotations

import dataclasses
import logging
import random
import re

from server.followups.worker import backoff
from server.mail.worker import MailWorker
from tests.mail.relay import Relay
from tests.mailing import leaves_details, running_mail_worker
from tests.phone import text_of
from tests.signin.test_routes import ask_code


async def states(pool) -> list[tuple[str, str, int, bool]]:
    """Each email: to whom, its status, its tries, and whether its address is bouncing."""
    rows = await pool.fetch(
        """SELECT m.to_address, m.status, m.attempts, a.bounced_at IS NOT NULL AS bouncing
           FROM emails m LEFT JOIN email_addresses a ON a.address = m.to_address ORDER BY m.id"""
    )
    return [(r["to_address"], r["status"], r["attempts"], r["bouncing"]) for r in rows]


def said(caplog, level: int) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == "reachout.mail" and r.levelno == level
    ]


async def test_relaying_denied_bounces_no_one_and_the_mail_goes_once_the_relay_takes_it(
    new_phone, pool, app, caplog
):
    await leaves_details(new_phone, name="Mia Chen", email="mia@example.com")
    await leaves_details(new_phone, name="Gil Ward", email="gil@example.com")
    caplog.set_level(logging.INFO, logger="reachout.mail")
    async with Relay() as relay:
        relay.refusals["RCPT"] = "550 5.7.1 Relaying denied: authentication required"
        async with running_mail_worker(app, relay) as worker:  # type: ignore[arg-type]
            assert await worker.run_once() == 2
            assert await states(pool) == [
                ("mia@example.com", "queued", 1, False),
                ("gil@example.com", "queued", 1, False),
            ], "waiting for a retry, neither address bouncing"
            errors = await pool.fetchval("SELECT array_agg(last_error) FROM emails")
            assert all("Relaying denied" in error for error in errors), "the reason is kept"
            [told] = said(caplog, logging.ERROR)
            assert "refuses our mail (550 5.7.1 Relaying denied" in told
            assert await worker.run_once() == 0, "not again before its time"

            relay.refusals.clear()
            await pool.execute("UPDATE emails SET next_attempt_at = now()")
            assert await worker.run_once() == 2
        assert sorted(relay.recipients) == [("gil@example.com",), ("mia@example.com",)]
    assert [(status, tries, bouncing) for _, status, tries, bouncing in await states(pool)] == [
        ("sent", 2, False),
        ("sent", 2, False),
    ]
    assert len(said(caplog, logging.ERROR)) == 1, "said once, however many emails met it"
    [back] = said(caplog, logging.WARNING)
    assert back.startswith("the mail server takes our mail again")


async def test_a_login_turned_down_keeps_a_sign_in_code_waiting_and_it_then_signs_in(
    new_phone, pool, app, caplog
):
    dana = await new_phone()
    await dana.make_card()
    laptop = await new_phone()
    await ask_code(laptop, "dana@example.com")
    async with Relay() as relay:
        relay.login = False
        async with running_mail_worker(app, relay) as worker:  # type: ignore[arg-type]
            await worker.run_once()
            assert await states(pool) == [("dana@example.com", "queued", 1, False)]
            assert "535" in said(caplog, logging.ERROR)[0]

            relay.login = True
            await pool.execute("UPDATE emails SET next_attempt_at = now()")
            assert await worker.run_once() == 1
        [message] = relay.received
    found = re.search(r"code: (\d{8})", str(message["Subject"]))
    assert found, message["Subject"]
    signed = await laptop.post(
        laptop.url("sign_in_code"), {"email": "dana@example.com", "code": found.group(1)}
    )
    assert signed.status_code == 303
    assert "Signed in." in text_of(await laptop.get(signed.headers["location"]))


class LeastJitter(random.Random):
    """Every wait drawn at the least its jitter allows."""

    def uniform(self, a: float, b: float) -> float:
        return min(a, b)


def test_the_mail_worker_keeps_trying_through_a_six_hour_outage():
    """As MAX_ATTEMPTS's comment says: with the worker's defaults and every wait at its
    shortest, the last try comes at least 6 hours after the first."""
    defaults = {f.name: f.default for f in dataclasses.fields(MailWorker)}
    tries, base = defaults["max_attempts"], defaults["backoff_base"]
    # After try n (n counted from 1) the worker waits backoff(n); the last try fails for good.
    window = sum(backoff(n, None, LeastJitter(), base) for n in range(1, tries))
    assert window >= 6 * 3600, f"{window / 3600:.1f} hours"
