"""The digest goes an hour after an event ends; the follow-ups of the people met there fall
due later (by default the next morning). It says how many people there are to follow up,
not that they are "waiting": the Follow-ups badge, which counts those due, shows none yet,
and the page the digest opens lists them under "Coming up"."""

from __future__ import annotations

from tests.phone import soup, text_of
from tests.reminders import event_ended, running_worker, subscribe
from tests.roster.test_routes import story


async def test_a_digest_before_anyone_is_due_says_what_the_badge_says(new_phone, pool, push, app):
    _, ana, ben = await story(new_phone, pool)
    await ben.post((await ana.share_link()) + "/swap")  # Ana meets Ben there
    device = await subscribe(ana, push)
    await event_ended(pool)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.run_once()
    [digest] = [m.json() for m in push.received_for(device)]
    assert digest["title"] == "You met 1 person at Lunch & Learn"
    assert digest["body"] == "1 person to follow up."
    # Tapped: Ben is there, coming up; the badge says nothing is due.
    page = await ana.get(digest["url"])
    assert page.status_code == 200
    assert soup(page).select_one(".tabs .badge") is None
    assert "Nobody is due yet: the people coming up are below." in text_of(page)
    coming_up = soup(page).find("h2", string="Coming up")
    assert coming_up is not None and "Ben Ode" in coming_up.find_next("ul").get_text()
