"""A flood of new contacts is one notification, not one each: a script leaves details on
Dana's card from many addresses at once; next morning her phone gets the first few reminders
and then one "You have N people to follow up", whose names the script does not choose."""

from __future__ import annotations

import asyncio

import httpx

from server.followups.worker import REMINDERS_EACH_DAY
from tests.phone import Phone
from tests.reminders import make_due, running_worker, subscribe


async def test_a_flood_of_new_contacts_is_a_few_reminders_then_one_summary(
    new_phone, app, pool, push
):
    dana = await new_phone()
    await dana.make_card()
    device = await subscribe(dana, push)
    link = await dana.share_link()
    bots = [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(f"198.51.100.{n}", 5000)),
            base_url="http://testserver",
        )
        for n in range(12)
    ]
    try:
        answers = await asyncio.gather(
            *(
                Phone(bot, app).post(
                    link + "/details", {"name": f"Buy Pills {n}", "email": f"b{n}@example.com"}
                )
                for n, bot in enumerate(bots)
            )
        )
    finally:
        for bot in bots:
            await bot.aclose()
    assert [a.status_code for a in answers] == [303] * 12
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
        titles = [m.json()["title"] for m in push.received_for(device)]
        assert len(titles) == REMINDERS_EACH_DAY + 1
        assert "You have 12 people to follow up" in titles
        assert sum(t.startswith("Follow up with Buy Pills") for t in titles) == REMINDERS_EACH_DAY
        summary = next(
            m.json() for m in push.received_for(device) if "12 people" in m.json()["title"]
        )
        assert summary["url"] == dana.url("followups")

        # More the same day: no second summary, no more one by one.
        await pool.execute(
            "UPDATE followups SET round = round + 1, due_at = now() - interval '1 minute'"
            " WHERE owner_id = 1"
        )
        await worker.run_once()
        assert len(push.received_for(device)) == REMINDERS_EACH_DAY + 1
    # Every one of them is still on her follow-ups page.
    page = await dana.get(dana.url("followups"))
    assert page.text.count("Buy Pills") >= 12
