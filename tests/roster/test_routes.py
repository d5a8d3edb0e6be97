"""The roster: listed people, leaving, blocking, matches and requests to connect."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from server.roster.routes import REQUESTS
from tests.events.test_routes import attendee, organizer_with_event
from tests.limit_counts import hits
from tests.phone import soup, text_of, words
from tests.reminders import event_ended, running_worker, subscribe, zone_where_it_is
from tests.waiting import until_waiting_for_lock


async def story(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(
        new_phone,
        pool,
        event_id,
        "Ana Silva",
        can_help_with="Intros to recruiters in fashion and apparel",
        looking_for="A designer for my shop",
    )
    ben = await attendee(
        new_phone,
        pool,
        event_id,
        "Ben Ode",
        looking_for="Recruiting contacts in fashion",
        can_help_with="Designing websites and shops",
    )
    return event_id, ana, ben


async def test_request_is_pushed_accepted_and_becomes_a_tagged_connection(
    new_phone, pool, push, app
):
    event_id, ana, ben = await story(new_phone, pool)
    device = await subscribe(ana, push)
    response = await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    assert response.status_code == 303
    roster = await ben.get(ben.url("event_people", event_id=event_id))
    assert "Request sent." in text_of(roster)
    # Ben sees what he sent, in Requests, under its own heading.
    sent = soup(await ben.get(ben.url("requests"))).select_one("#sent-list")
    assert sent.find_previous("h2").get_text() == "Sent by you"
    assert [li.select_one(".name").get_text() for li in sent.select("li")] == ["Ana Silva"]
    assert "Request sent at Lunch & Learn" in sent.get_text()
    assert sent.select("img, .avatar") == [] and "Intros" not in sent.get_text()
    async with running_worker(app, push) as worker:
        await worker.run_once()
    [message] = push.received_for(device)
    assert message.json()["title"] == "Request to connect: “Ben Ode”"
    assert "Lunch & Learn" in message.json()["body"]
    # Marked as pushed to Ana (account 2): tapped after a switch, it says whose it was.
    assert message.json()["url"].startswith(f"{ana.url('requests')}?from=push&for=2.")

    inbox = await ana.get(ana.url("requests"))
    assert "Ben Ode" in text_of(inbox)
    buttons = [
        b.get("aria-label", b.get_text()) for b in soup(inbox).select("#request-list button")
    ]
    assert buttons == ["Accept Ben Ode", "Decline Ben Ode", "Block Ben Ode"]
    assert soup(inbox).select_one(".tabs .badge").get_text() == "1"
    # Nothing is due in Follow-ups, where the badge leads: the way to Requests says why.
    followups = soup(await ana.get(ana.url("followups")))
    way = followups.select_one(f'main a[href="{ana.url("requests")}"]')
    assert way.get_text(" ", strip=True) == "Requests to connect 1"
    assert way.select_one(".badge")["aria-label"] == "1 waiting"
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    accepted = await ana.post(ana.url("request_decide", request_id=request_id, decision="accept"))
    assert accepted.status_code == 303
    rows = await pool.fetch("SELECT owner_id, contact_id, event_id FROM contacts ORDER BY owner_id")
    assert [tuple(r) for r in rows] == [(2, 3, event_id), (3, 2, event_id)]
    assert await pool.fetchval("SELECT count(*) FROM followups WHERE status = 'open'") == 2
    assert "Ana Silva" in text_of(await ben.get(ben.url("contacts")))


async def test_decline_is_silent_and_bad_requests_change_nothing(new_phone, pool):
    event_id, ana, ben = await story(new_phone, pool)
    ask = ben.url("request_connect", event_id=event_id, account_id=2)
    assert (await ben.post(ask)).status_code == 303
    myself = await ben.post(ben.url("request_connect", event_id=event_id, account_id=3))
    assert myself.status_code == 400 and "That is you" in text_of(myself)
    nobody = await ben.post(ben.url("request_connect", event_id=event_id, account_id=99))
    assert nobody.status_code == 404
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    assert (
        await ben.post(ben.url("request_decide", request_id=request_id, decision="accept"))
    ).status_code == 404
    assert (
        await ana.post(ana.url("request_decide", request_id=request_id, decision="explode"))
    ).status_code == 404
    declined = await ana.post(ana.url("request_decide", request_id=request_id, decision="decline"))
    assert declined.headers["location"] == ana.url("requests") + "?notice=declined"
    said = text_of(await ana.get(declined.headers["location"]))
    assert "Declined. They are not told, and see their request as sent." in said
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert "Request sent." in text_of(await ben.get(ben.url("event_people", event_id=event_id)))
    # Still "sent" in his Requests: declining is silent there too.
    assert "Ana Silva" in text_of(await ben.get(ben.url("requests")))
    # Asking again reads as asked (a decline is silent), and makes no second notification.
    again = await ben.post(ask)
    assert again.headers["location"] == ben.url("event_people", event_id=event_id) + (
        "?notice=requested"
    )
    assert await pool.fetchval("SELECT count(*) FROM connect_requests") == 1


async def test_request_to_connect_tapped_twice_is_sent_once_and_counted_once(new_phone, pool):
    event_id, ana, ben = await story(new_phone, pool)
    ask = ben.url("request_connect", event_id=event_id, account_id=2)
    first, second = await ben.post(ask), await ben.post(ask)
    assert second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    assert "Request sent." in text_of(await ben.get(second.headers["location"]))
    tapped = await ben.post(ask, headers={"HX-Request": "true"})
    assert tapped.status_code == 200 and "Request sent." in text_of(tapped)
    assert await pool.fetchval("SELECT count(*) FROM connect_requests") == 1
    assert await hits(pool, bucket=REQUESTS.bucket) == 1, "one of the hour's requests, not 3"
    assert len(soup(await ana.get(ana.url("requests"))).select("#request-list > li")) == 1


async def test_accept_or_decline_tapped_twice_goes_where_the_first_answer_went(new_phone, pool):
    event_id, ana, ben = await story(new_phone, pool)
    await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    accept = ana.url("request_decide", request_id=request_id, decision="accept")
    first, second = await ana.post(accept), await ana.post(accept)
    assert second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    assert "Ben Ode" in text_of(await ana.get(second.headers["location"]))
    # On her other device, a Decline on the page from before: she is connected all the same.
    late = await ana.post(ana.url("request_decide", request_id=request_id, decision="decline"))
    assert late.headers["location"] == first.headers["location"]
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 2

    cleo = await attendee(new_phone, pool, event_id, "Cleo Park")
    await cleo.post(cleo.url("request_connect", event_id=event_id, account_id=2))
    request_id = await pool.fetchval("SELECT id FROM connect_requests WHERE from_id = 4")
    decline = ana.url("request_decide", request_id=request_id, decision="decline")
    first, second = await ana.post(decline), await ana.post(decline)
    assert (
        second.headers["location"]
        == first.headers["location"]
        == (ana.url("requests") + "?notice=declined")
    )
    # Decline, then (the other device) Decline and block: the block is still made.
    blocked = await ana.post(ana.url("request_decide", request_id=request_id, decision="block"))
    assert blocked.headers["location"] == ana.url("requests") + "?notice=blocked"
    assert await pool.fetchval("SELECT count(*) FROM blocks") == 1
    # Nobody else's request answers for hers.
    assert (
        await ben.post(ben.url("request_decide", request_id=request_id, decision="accept"))
    ).status_code == 404


def sent_by_me(page) -> list[tuple[str, str]]:
    """ "Sent by you" on Requests: each name, and its button's form."""
    listed = soup(page).select_one("#sent-list")
    if listed is None:
        return []
    return [
        (li.select_one(".name").get_text(), li.select_one("form")["action"])
        for li in listed.select("li")
    ]


async def test_a_sent_request_withdrawn_leaves_their_requests_and_asking_again_notifies_once(
    new_phone, pool, push, app
):
    event_id, ana, ben = await story(new_phone, pool)
    device = await subscribe(ana, push)
    ask = ben.url("request_connect", event_id=event_id, account_id=2)
    assert (await ben.post(ask)).status_code == 303
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert len(push.received_for(device)) == 1
    [(name, withdraw)] = sent_by_me(await ben.get(ben.url("requests")))
    button = soup(await ben.get(ben.url("requests"))).select_one("#sent-list button")
    assert name == "Ana Silva"
    assert button["aria-label"] == "Withdraw your request to Ana Silva"

    withdrawn = await ben.post(withdraw)
    assert withdrawn.headers["location"] == ben.url("requests") + "?notice=request_withdrawn"
    page = await ben.get(withdrawn.headers["location"])
    assert "Request withdrawn. It is no longer in their requests." in text_of(page)
    assert sent_by_me(page) == []
    inbox = await ana.get(ana.url("requests"))
    assert "Ben Ode" not in text_of(inbox) and "No requests waiting." in text_of(inbox)
    assert soup(inbox).select_one(".tabs .badge") is None
    # On the roster, Ben may ask again; a second tap on Withdraw changes nothing.
    roster = await ben.get(ben.url("event_people", event_id=event_id))
    assert "Request sent." not in text_of(roster)
    assert (await ben.post(withdraw)).status_code == 303
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    late = await ana.post(ana.url("request_decide", request_id=request_id, decision="accept"))
    assert late.status_code == 404, "a withdrawn request cannot be accepted"
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0

    # Asked again: the same request is back in her list, without a second push.
    assert (await ben.post(ask)).status_code == 303
    assert "Ben Ode" in text_of(await ana.get(ana.url("requests")))
    assert [n for n, _ in sent_by_me(await ben.get(ben.url("requests")))] == ["Ana Silva"]
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert len(push.received_for(device)) == 1, "asking again notified her again"
    assert await pool.fetchval("SELECT count(*) FROM connect_requests") == 1
    accepted = await ana.post(ana.url("request_decide", request_id=request_id, decision="accept"))
    assert accepted.status_code == 303
    # Accepted: nothing left to withdraw.
    gone = await ben.post(withdraw)
    assert gone.status_code == 404 and "if they accepted, they are in your contacts" in (
        text_of(gone)
    )
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 2


async def test_a_declined_request_withdrawn_reads_as_any_other_and_stays_declined(
    new_phone, pool, push, app
):
    """Declining is silent: Ben withdraws and asks again as if she never answered, and she
    hears nothing of it."""
    event_id, ana, ben = await story(new_phone, pool)
    ask = ben.url("request_connect", event_id=event_id, account_id=2)
    assert (await ben.post(ask)).status_code == 303
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    await ana.post(ana.url("request_decide", request_id=request_id, decision="decline"))
    device = await subscribe(ana, push)
    [(_, withdraw)] = sent_by_me(await ben.get(ben.url("requests")))
    assert (await ben.post(withdraw)).status_code == 303
    assert sent_by_me(await ben.get(ben.url("requests"))) == []
    roster = await ben.get(ben.url("event_people", event_id=event_id))
    assert "Request sent." not in text_of(roster)
    asked = await ben.post(ask, headers={"HX-Request": "true"})
    assert asked.status_code == 200 and "Request sent." in text_of(asked)
    assert [n for n, _ in sent_by_me(await ben.get(ben.url("requests")))] == ["Ana Silva"]
    assert "Ben Ode" not in text_of(await ana.get(ana.url("requests")))
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert push.received_for(device) == []
    assert await pool.fetchval("SELECT array_agg(status) FROM connect_requests") == ["declined"]


async def test_a_request_withdrawn_before_its_push_went_out_is_not_pushed(
    new_phone, pool, push, app
):
    event_id, ana, ben = await story(new_phone, pool)
    device = await subscribe(ana, push)
    assert (
        await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    ).status_code == 303
    [(_, withdraw)] = sent_by_me(await ben.get(ben.url("requests")))
    assert (await ben.post(withdraw)).status_code == 303
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert push.received_for(device) == []
    assert await pool.fetchval("SELECT status FROM deliveries") == "skipped"
    # In Ben's export, as he left it.
    data = (await ben.get(ben.url("export_everything"))).json()
    [sent] = data["requests"]["sent"]
    assert (sent["name"], sent["status"]) == ("Ana Silva", "withdrawn")
    assert sent["withdrawn_at"] is not None
    # Not in Ana's: she never saw it answered or not.
    assert (await ana.get(ana.url("export_everything"))).json()["requests"]["received"] == []


async def test_requests_sent_by_someone_the_organizer_removes_are_withdrawn(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    assert "Ben Ode" in text_of(await ana.get(ana.url("requests")))
    removed = await olga.post(
        olga.url("event_remove_attendee", event_id=event_id, account_id=3), {}
    )
    assert removed.status_code == 303
    assert "Ben Ode" not in text_of(await ana.get(ana.url("requests")))
    assert await pool.fetchval(
        "SELECT withdrawn_at IS NOT NULL FROM connect_requests WHERE from_id = 3"
    )


async def test_block_in_requests_asks_twice(new_phone, pool):
    event_id, ana, ben = await story(new_phone, pool)
    await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    page = soup(await ana.get(ana.url("requests")))
    block = page.find("button", string="Block Ben Ode").find_parent("details")
    assert block.summary.get_text() == "Block Ben Ode…"
    # Not told, but not misled either: a swap they try says it cannot be made.
    assert "They aren't told (a swap they try just won't go through)" in block.get_text()


async def test_only_the_sender_withdraws_their_own_request(new_phone, pool):
    event_id, ana, ben = await story(new_phone, pool)
    assert (
        await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    ).status_code == 303
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    withdraw = ben.url("request_withdraw", request_id=request_id)
    for someone in (ana, await new_phone()):
        refused = await someone.post(withdraw)
        assert refused.status_code == 404, refused.text
        assert "That request is not" in text_of(refused)
    assert (await ben.post(ben.url("request_withdraw", request_id=999))).status_code == 404
    assert "Ben Ode" in text_of(await ana.get(ana.url("requests")))


async def test_someone_who_asked_me_is_offered_accept_and_asking_back_accepts(new_phone, pool):
    event_id, ana, ben = await story(new_phone, pool)
    assert (
        await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    ).status_code == 303
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    accept_url = ana.url("request_decide", request_id=request_id, decision="accept")
    for page in ("event_people", "event_matches"):
        shown = await ana.get(ana.url(page, event_id=event_id))
        # Matches list Ben each way he matches; the roster once.
        bens = [li for li in soup(shown).select("li:has(.name)") if "Ben Ode" in li.get_text()]
        assert bens, page
        for ben_there in bens:
            assert "Ben Ode asked to connect with you." in words(ben_there), page
            assert "Request to connect" not in ben_there.get_text(" "), page
            [form] = [f for f in ben_there.select("form") if "Accept Ben Ode" in f.get_text()]
            assert form["action"] == accept_url
    # A page from before their request still offers "Request to connect": asking back
    # accepts theirs (it used to be refused, 409, with nothing to do about it).
    back = await ana.post(
        ana.url("request_connect", event_id=event_id, account_id=3), headers={"HX-Request": "true"}
    )
    assert back.status_code == 204
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 2")
    assert back.headers["hx-redirect"].startswith(ana.url("contact", contact_id=contact_id))
    rows = await pool.fetch("SELECT owner_id, contact_id, event_id FROM contacts ORDER BY owner_id")
    assert [tuple(r) for r in rows] == [(2, 3, event_id), (3, 2, event_id)]
    assert await pool.fetchval("SELECT array_agg(status) FROM connect_requests") == ["accepted"]
    roster = await ana.get(ana.url("event_people", event_id=event_id))
    assert "In your contacts" in text_of(roster) and "asked to connect" not in text_of(roster)


async def test_two_people_asking_each_other_at_once_are_connected(new_phone, pool):
    # Whichever way the two posts interleave, neither is refused: one asks, the other's
    # ask accepts it (before, the one-pending-per-pair index could leave one with a 409).
    event_id, ana, ben = await story(new_phone, pool)
    answers = await asyncio.gather(
        ana.post(ana.url("request_connect", event_id=event_id, account_id=3)),
        ben.post(ben.url("request_connect", event_id=event_id, account_id=2)),
    )
    assert [a.status_code for a in answers] == [303, 303]
    rows = await pool.fetch("SELECT owner_id, contact_id FROM contacts ORDER BY owner_id")
    assert [tuple(r) for r in rows] == [(2, 3), (3, 2)]


async def test_asking_again_while_they_ask_me_connects_us(new_phone, pool, app):
    """Ben withdrew his request, and asks again at the moment Ana asks him (her request
    being made, not yet committed): they are connected, not a 500 from the index that keeps
    one request waiting per pair."""
    event_id, _ana, ben = await story(new_phone, pool)
    await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    [(_, withdraw)] = sent_by_me(await ben.get(ben.url("requests")))
    assert (await ben.post(withdraw)).status_code == 303
    sql = app.state.sql
    async with pool.acquire() as hers:
        # Ana's request_connect, stopped just before it commits.
        held = hers.transaction()
        await held.start()
        await hers.execute("SELECT lock_pair(2, 3)")  # as requests.lock_between
        assert await sql.run(hers, "requests.create", event_id=event_id, from_id=2, to_id=3)
        his = asyncio.create_task(
            ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
        )
        await until_waiting_for_lock(
            pool, "his request waiting for hers", held_by=hers.get_server_pid()
        )
        await held.commit()
        asked = await his
    assert asked.status_code == 303
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 3")
    assert asked.headers["location"].startswith(ben.url("contact", contact_id=contact_id))
    rows = await pool.fetch("SELECT owner_id, contact_id FROM contacts ORDER BY owner_id")
    assert [tuple(r) for r in rows] == [(2, 3), (3, 2)]


async def test_blocked_person_cannot_ask(new_phone, pool):
    event_id, ana, ben = await story(new_phone, pool)
    await ana.post(ana.url("event_block", event_id=event_id, account_id=3))
    blocked = await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    assert blocked.status_code == 404
    assert await pool.fetchval("SELECT count(*) FROM connect_requests") == 0


async def test_requests_sent_all_at_once_stop_at_thirty_an_hour(new_phone, pool):
    """The attack: one script fires requests to everyone on the roster at once. Counting
    first and inserting after let them all through; exactly 30 may pass."""
    from tests.mailing import confirm_addresses

    event_id, _ana, ben = await story(new_phone, pool)
    # Ben's address confirmed: his card is no new one held to a few (test_request_limit_new_cards).
    await confirm_addresses(pool, "ben@example.com")
    others = [await attendee(new_phone, pool, event_id, f"Guest{n} Park") for n in range(32)]
    ids = [await pool.fetchval("SELECT max(account_id) FROM cards") - n for n in range(32)]
    assert others
    asks = [ben.post(ben.url("request_connect", event_id=event_id, account_id=i)) for i in ids]
    answers = await asyncio.gather(*asks)
    assert sorted(a.status_code for a in answers) == [303] * 30 + [429] * 2
    assert await pool.fetchval("SELECT count(*) FROM connect_requests") == 30
    limited = next(a for a in answers if a.status_code == 429)
    assert "30 requests in the last hour" in text_of(limited)
    assert 0 < int(limited.headers["retry-after"]) <= 3600


async def test_people_who_can_help_you_with_the_reason_marked(new_phone, pool):
    event_id, _, ben = await story(new_phone, pool)
    page = await ben.get(ben.url("event_matches", event_id=event_id))
    cards = soup(page).select(".roster .card")
    assert cards and "Ana Silva" in cards[0].get_text()
    marked = [m.get_text() for m in cards[0].select("mark")]
    assert "recruiters" in [w.lower() for w in marked] and "fashion" in [w.lower() for w in marked]
    assert "People you can help" in text_of(page)
    helps = text_of(page).split("People you can help")[1]
    assert "Ana Silva" in helps  # Ben designs shops; Ana looks for a designer
    stranger = await new_phone()
    await stranger.make_card(name="Sam")
    assert (await stranger.get(stranger.url("event_matches", event_id=event_id))).status_code == 404


async def test_an_empty_list_of_matches_asks_only_for_what_my_card_lacks(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(
        new_phone, pool, event_id, "Ana Silva", looking_for="A sailing crew", can_help_with=""
    )
    page = soup(await ana.get(ana.url("event_matches", event_id=event_id)))
    helps_me, i_help = (h.find_next("p").get_text(" ", strip=True) for h in page.find_all("h2"))
    assert helps_me.startswith("Nobody here matches yet.")
    assert i_help.startswith("Nobody yet. Add what you can help with to your card")


async def test_people_who_can_help_you_offer_what_i_can_still_do(new_phone, pool):
    """Ana is already in Ben's contacts: open her, not a request that would be refused."""
    event_id, ana, ben = await story(new_phone, pool)

    def ana_card(page):
        return next(c for c in soup(page).select(".roster .card") if "Ana Silva" in c.get_text())

    before = ana_card(await ben.get(ben.url("event_matches", event_id=event_id)))
    request = before.find("button", string="Request to connect")
    # Heard by a screen reader with whom it is for: every card on the page has one.
    assert request is not None and request["aria-label"] == "Request to connect with Ana Silva"
    asked = await ben.post(request.find_parent("form")["action"], {})
    assert asked.status_code == 303
    sent = ana_card(await ben.get(ben.url("event_matches", event_id=event_id)))
    assert (
        "Request sent." in sent.get_text()
        and sent.find("button", string="Request to connect") is None
    )

    await ben.post((await ana.share_link()) + "/swap")
    contact_id = await pool.fetchval(
        "SELECT ct.id FROM contacts ct JOIN cards c ON c.account_id = ct.contact_id"
        " WHERE c.name = 'Ana Silva'"
    )
    after = ana_card(await ben.get(ben.url("event_matches", event_id=event_id)))
    assert after.find("button", string="Request to connect") is None
    # Swapped since: no longer a request "sent" in Ben's Requests.
    assert soup(await ben.get(ben.url("requests"))).select_one("#sent-list") is None
    link = after.find("a", string="In your contacts")
    assert link is not None and link["href"] == ben.url("contact", contact_id=contact_id)


async def test_in_a_crowd_the_person_sharing_a_rare_need_comes_first(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    # 600 people offer what nearly everyone offers: more than the 500 candidates ranked.
    crowd = await pool.fetch(
        "WITH made AS (INSERT INTO accounts (time_zone) SELECT 'UTC' FROM generate_series(1, 600)"
        " RETURNING id)"
        " INSERT INTO cards (account_id, name, can_help_with)"
        " SELECT id, 'Crowd ' || id, 'Intros to investors' FROM made RETURNING account_id"
    )
    await pool.executemany(
        "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)",
        [(event_id, row["account_id"]) for row in crowd],
    )
    # Zoe joins last (her card is the index's last) and offers the one thing Ben needs.
    await attendee(
        new_phone, pool, event_id, "Zoe Quist", can_help_with="Intros to investors in aquaculture"
    )
    ben = await attendee(
        new_phone, pool, event_id, "Ben Ode", looking_for="Intros to investors in aquaculture"
    )
    await pool.execute("ANALYZE cards")  # what the server's statistics would know by then
    page = await ben.get(ben.url("event_matches", event_id=event_id))
    cards = soup(page).select(".roster .card")
    assert "Zoe Quist" in cards[0].get_text()
    assert "aquaculture" in [m.get_text().lower() for m in cards[0].select("mark")]
    assert len(cards) == 30


async def test_highlight_escapes_hostile_words(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    await attendee(
        new_phone,
        pool,
        event_id,
        "Evil Eve",
        can_help_with="<script>alert(1)</script> fashion intros",
    )
    ben = await attendee(new_phone, pool, event_id, "Ben Ode", looking_for="fashion")
    page = await ben.get(ben.url("event_matches", event_id=event_id))
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;" in page.text and "<mark>fashion</mark>" in page.text


async def test_digest_after_the_event_once_per_attendee(new_phone, pool, push, app):
    event_id, ana, ben = await story(new_phone, pool)
    await ben.post((await ana.share_link()) + "/swap")
    device = await subscribe(ana, push)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.run_once()
        assert push.received_for(device) == [], "not while the event is on"
        await event_ended(pool)
        await worker.run_once()
        await worker.run_once()
    [message] = push.received_for(device)
    assert message.json()["title"] == "You met 1 person at Lunch & Learn"
    assert message.json()["body"] == "1 person to follow up."
    marked = f"{ana.url('followups')}?event={event_id}&from=push&for=2."  # pushed to Ana
    assert message.json()["url"].startswith(marked)
    assert message.urgency == "low"
    assert (
        await pool.fetchval("SELECT count(*) FROM event_attendees WHERE digest_queued_at IS NULL")
        == 0
    )
    listing = await ana.get(message.json()["url"])
    assert "Ben Ode" in text_of(listing)


async def test_an_event_ending_in_the_night_sends_its_digest_in_the_morning(
    new_phone, pool, push, mail, app
):
    """The evening ran late: for Ana it is night where she is. Her digest (push and email)
    waits for 09:00 her time, and then goes."""
    from tests.mailing import confirm_addresses, running_mail_worker

    event_id, ana, ben = await story(new_phone, pool)
    await ben.post((await ana.share_link()) + "/swap")
    device = await subscribe(ana, push)
    await confirm_addresses(pool, "ana@example.com")
    await pool.execute("UPDATE accounts SET reminders_by = 'both'")
    await event_ended(pool)
    night = zone_where_it_is(day=False)
    await pool.execute(
        "UPDATE accounts SET time_zone = $1"
        " WHERE id = (SELECT account_id FROM cards WHERE name = 'Ana Silva')",
        night,
    )
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.run_once()
        assert push.received_for(device) == []
        async with running_mail_worker(app, mail) as mailer:
            await mailer.run_once()
        assert mail.received_for("ana@example.com") == []
        local = datetime.now(ZoneInfo(night))
        morning = local.replace(hour=9, minute=0, second=0, microsecond=0)
        if morning <= local:
            morning += timedelta(days=1)
        times = await pool.fetch(
            "SELECT next_attempt_at FROM deliveries WHERE digest_event_id = $1"
            " UNION ALL SELECT next_attempt_at FROM emails"
            " WHERE digest_event_id = $1 AND to_address = 'ana@example.com'",
            event_id,
        )
        assert [row["next_attempt_at"] for row in times] == [morning, morning]

        # The morning comes.
        await pool.execute("UPDATE deliveries SET next_attempt_at = now()")
        await pool.execute("UPDATE emails SET next_attempt_at = now()")
        await worker.run_once()
        async with running_mail_worker(app, mail) as mailer:
            await mailer.run_once()
    [message] = push.received_for(device)
    assert message.json()["title"] == "You met 1 person at Lunch & Learn"
    await mail.wait_for(1)
    [email] = mail.received_for("ana@example.com")
    assert email.subject == "You met 1 person at Lunch & Learn"


async def test_a_digest_enqueued_in_parallel_batches_reaches_each_attendee_once(
    new_phone, pool, push, app
):
    event_id, ana, ben = await story(new_phone, pool)
    cy = await attendee(new_phone, pool, event_id, "Cy Twombly")
    await ben.post((await ana.share_link()) + "/swap")
    devices = {name: await subscribe(phone, push) for name, phone in [("Ana", ana), ("Ben", ben)]}
    devices["Cy"] = await subscribe(cy, push)
    await event_ended(pool)
    cy_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Cy Twombly'")
    # Statements of one attendee each, two at once: they share the attendees out, and pass
    # over one that another worker holds (it is left to that worker, or to the next pass).
    async with running_worker(
        app, push, digest_delay_seconds=0, digest_batch=1, digest_enqueuers=2
    ) as worker:
        async with pool.acquire() as other, other.transaction():
            await other.execute(
                "SELECT 1 FROM event_attendees WHERE account_id = $1 FOR UPDATE", cy_id
            )
            taken = await asyncio.wait_for(worker.enqueue_digests(), 10)
            assert taken == 3  # Ana, Ben and the organizer, who has no device
        assert await worker.enqueue_digests() == 1  # Cy, now let go
        assert await worker.enqueue_digests() == 0
        await worker.run_once()
    titles = {
        name: [m.json()["title"] for m in push.received_for(device)]
        for name, device in devices.items()
    }
    assert titles == {
        "Ana": ["You met 1 person at Lunch & Learn"],
        "Ben": ["You met 1 person at Lunch & Learn"],
        "Cy": ["Who did you miss at Lunch & Learn?"],
    }
    # Cy met nobody: his opens the people who were there (his follow-ups would be empty).
    [missed] = push.received_for(devices["Cy"])
    marked = f"{cy.url('event_people', event_id=event_id)}?from=push&for={cy_id}."  # to Cy
    assert missed.json()["url"].startswith(marked)
    assert missed.json()["body"] == (
        "The list of people stays open for 30 days: find them and ask to connect."
    )
    people = text_of(await cy.get(missed.json()["url"]))
    assert "Ana" in people and "Ben Ode" in people


async def test_a_digest_email_to_someone_who_met_nobody_opens_who_was_there(
    new_phone, pool, push, mail, app
):
    from server.mail.links import MailLinks
    from server.mail.messages import Composer
    from tests.mailing import confirm_addresses, link_in, running_mail_worker

    event_id, _, ben = await story(new_phone, pool)
    await confirm_addresses(pool, "ben@example.com")
    await event_ended(pool)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.run_once()
    settings = app.state.settings
    links = MailLinks(app.state.urls, settings.base_url, settings.secret_key)
    # ROSTER_DAYS as set: the email says how long the list really stays open.
    async with running_mail_worker(
        app, mail, composer=Composer(settings.mail_from, links, roster_days=14)
    ) as mailer:
        await mailer.run_once()
    sent = {m.recipients[0]: m for m in await mail.wait_for(1)}
    digest = sent["ben@example.com"]
    assert digest.subject == "Who did you miss at Lunch & Learn?"
    text = digest.message.get_body(("plain",)).get_content()
    assert "The list of people stays open for 14 days" in text
    assert "See who was there: " in text
    people = text_of(await ben.get(link_in(digest, f"/events/{event_id}/people")))
    assert "Ana" in people


async def ben_emailed_the_digest(new_phone, pool, push, mail, app):
    """Ben met Ana at the event; it ended; his digest goes by email (he chose email in
    Settings, his address confirmed; Ana has neither). The event, both phones, the email."""
    from tests.mailing import confirm_addresses, running_mail_worker

    event_id, ana, ben = await story(new_phone, pool)
    await ben.post((await ana.share_link()) + "/swap")
    await confirm_addresses(pool, "ben@example.com")
    await pool.execute(
        "UPDATE accounts SET reminders_by = 'email'"
        " WHERE id = (SELECT account_id FROM cards WHERE email = 'ben@example.com')"
    )
    await event_ended(pool)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.run_once()
    async with running_mail_worker(app, mail) as mailer:
        await mailer.run_once()
    [digest] = await mail.wait_for(1)
    return event_id, ana, ben, digest


async def test_digest_by_email_to_those_who_chose_email(new_phone, pool, push, mail, app):
    event_id, _, _, digest = await ben_emailed_the_digest(new_phone, pool, push, mail, app)
    assert await pool.fetchval("SELECT count(*) FROM deliveries") == 0
    assert digest.recipients == ("ben@example.com",)
    assert digest.subject == "You met 1 person at Lunch & Learn"
    text = digest.message.get_body(("plain",)).get_content()
    assert f"/followups?event={event_id}" in text
    assert "You asked Reachout to remind you by email." in text
    assert digest.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


async def test_a_digest_opened_signed_out_leads_through_sign_in_to_that_events_follow_ups(
    new_phone, pool, push, mail, app
):
    """Ben opens the digest's link in his mail app's browser, which is not signed in: after
    the code he is on the follow-ups of that event, and the page says it shows only those."""
    from tests.mailing import link_in
    from tests.signin.test_guests import CODE, code_sent

    event_id, _, _, digest = await ben_emailed_the_digest(new_phone, pool, push, mail, app)
    mail_app = await new_phone()
    page = soup(await mail_app.get(link_in(digest, "/followups")))
    assert page.h1.get_text() == "Sign in to open this"
    sign_in = soup(await mail_app.get(page.find("a", string="Sign in")["href"]))
    form = sign_in.find("button", string="Send me a code").find_parent("form")
    going = form.select_one("[name=next]")["value"]
    assert going == f"/followups?event={event_id}", "where it was going, less from=email"
    await mail_app.post(form["action"], {"email": "ben@example.com", "next": going})
    code = await code_sent(app, mail, CODE, "ben@example.com")
    signed = await mail_app.post(
        mail_app.url("sign_in_code"), {"email": "ben@example.com", "code": code, "next": going}
    )
    assert signed.headers["location"] == (
        mail_app.url("followups") + f"?event={event_id}&notice=signed_in"
    )
    listing = await mail_app.get(signed.headers["location"])
    filtered = soup(listing).select_one("#filtered")
    assert " ".join(filtered.get_text().split()) == (
        "Only the people you met at Lunch & Learn. Show everyone"
    )
    assert "Ana Silva" in text_of(listing)
    assert filtered.find("a", string="Show everyone")["href"] == mail_app.url("followups")
    # Another's event, or none: everyone's follow-ups, not a page saying nobody.
    other = await mail_app.get(mail_app.url("followups") + "?event=999999")
    assert soup(other).select_one("#filtered") is None and "Ana Silva" in text_of(other)

    # A link from elsewhere (a calendar entry, a bookmark) on a phone with no card: "I
    # already have a card" leads back to it too.
    contact = await pool.fetchval(
        "SELECT c.id FROM contacts c JOIN cards k ON k.account_id = c.contact_id"
        " WHERE k.name = 'Ana Silva' AND c.owner_id ="
        " (SELECT account_id FROM cards WHERE name = 'Ben Ode')"
    )
    laptop = await new_phone()
    page = soup(await laptop.get(laptop.url("contact", contact_id=contact)))
    have_one = page.find("a", string="I already have a card")["href"]
    assert have_one == laptop.url("sign_in") + f"?next=%2Fcontacts%2F{contact}"


async def test_roster_search_shows_listed_people_never_contact_details(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    await attendee(
        new_phone,
        pool,
        event_id,
        "Ana Silva",
        can_help_with="Intros to fashion recruiters",
        phone="+14155550111",
    )
    ben = await attendee(new_phone, pool, event_id, "Ben Ode", looking_for="A marketing job")
    hidden = await attendee(new_phone, pool, event_id, "Hana Hidden")
    await hidden.post(hidden.url("event_listing", event_id=event_id), {})
    url = ben.url("event_people", event_id=event_id)
    everyone = text_of(await ben.get(url))
    assert "Ana Silva" in everyone and "Olga Organizer" in everyone
    assert "Hana Hidden" not in everyone and "Ben Ode" not in everyone
    found = await ben.get(url, params={"q": "recru"}, headers={"HX-Request": "true"})
    assert "<html" not in found.text
    assert [n.get_text() for n in soup(found).select(".name")] == ["Ana Silva"]
    assert [
        n.get_text() for n in soup(await ben.get(url, params={"q": "sil an"})).select(".name")
    ] == ["Ana Silva"]
    assert "Nobody here matches" in text_of(await ben.get(url, params={"q": "zzz"}))
    for query in ("", "ana", "&|!:*()'", "<script>"):
        page = await ben.get(url, params={"q": query})
        assert page.status_code == 200
        assert "@example.com" not in page.text and "555" not in page.text
        assert "<script>" not in page.text


async def test_roster_search_lists_names_first_then_headlines_then_the_rest(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    # Best match first, each tier in name order: typing "rec" on a phone at a crowded event
    # looks for someone called Rec..., then recruiters, then people who want recruiters.
    await attendee(new_phone, pool, event_id, "Zed Recto")
    await attendee(new_phone, pool, event_id, "Amy Pike", looking_for="Recruiters in retail")
    await attendee(new_phone, pool, event_id, "Bo Hale", headline="Recruiter at Arcbase")
    await attendee(new_phone, pool, event_id, "Rebecca Stone")
    await attendee(new_phone, pool, event_id, "Abe Rector")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    url = ben.url("event_people", event_id=event_id)
    for typed, names in (
        ("r", ["Abe Rector", "Rebecca Stone", "Zed Recto", "Bo Hale", "Amy Pike"]),
        ("rec", ["Abe Rector", "Zed Recto", "Bo Hale", "Amy Pike"]),
        ("recruiter", ["Bo Hale", "Amy Pike"]),
        ("bo rec", ["Bo Hale"]),
    ):
        page = await ben.get(url, params={"q": typed})
        assert [n.get_text() for n in soup(page).select(".name")] == names, typed


async def test_roster_is_private_to_present_attendees_within_the_window(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    url = ben.url("event_people", event_id=event_id)
    stranger = await new_phone()
    await stranger.make_card(name="Sam Stranger")
    anonymous = await new_phone()
    assert (await stranger.get(url)).status_code == 404
    assert (await anonymous.get(url)).status_code == 404
    assert (await stranger.get(stranger.url("event", event_id=event_id))).status_code == 404

    # Blocking: Ana blocks Ben, so he no longer sees her, and she no longer sees him.
    await ana.post(ana.url("event_block", event_id=event_id, account_id=3))
    assert "Ana Silva" not in text_of(await ben.get(url))
    assert "Ben Ode" not in text_of(await ana.get(ana.url("event_people", event_id=event_id)))

    # Leaving, asked twice, closes the roster to me and takes me off it; it says so.
    page = soup(await ben.get(ben.url("event", event_id=event_id)))
    leave = page.find("button", string="Leave this event").find_parent("details")
    assert leave.summary.get_text() == "Leave this event…"
    assert "You can join again with its code." in leave.get_text()
    left = await ben.post(ben.url("event_leave", event_id=event_id))
    assert "You left the event." in text_of(await ben.get(left.headers["location"]))
    assert (await ben.get(url)).status_code == 404
    back = await ben.get(ben.url("event", event_id=event_id))  # Back, after leaving
    assert back.status_code == 404 and soup(back).h1.get_text() == "You left this event"
    assert "Ben Ode" not in text_of(await ana.get(ana.url("event_people", event_id=event_id)))

    # 30 days after the end, the roster closes for everyone: the event's page offers no way
    # to it, and the list itself says what closed, not that a code no longer works.
    await pool.execute(
        "UPDATE events SET starts_at = now() - interval '32 days',"
        " ends_at = now() - interval '31 days'"
    )
    for name in ("event_people", "event_matches"):
        closed = await ana.get(ana.url(name, event_id=event_id))
        assert closed.status_code == 410
        assert soup(closed).h1.get_text(strip=True) == "The list of people has closed"
    page = soup(await ana.get(ana.url("event", event_id=event_id)))
    assert page.find("a", string="People here") is None
    assert page.find("a", string="Who can help me") is None
    assert "Its list of people has closed." in page.get_text()
    leave = page.find("button", string="Leave this event").find_parent("details")
    assert "Nobody can join it any more, so you can't come back." in leave.get_text()


async def test_blocking_yourself_or_a_non_attendee_is_refused(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    assert (
        await ana.post(ana.url("event_block", event_id=event_id, account_id=2))
    ).status_code == 400
    assert (
        await ana.post(ana.url("event_block", event_id=event_id, account_id=99))
    ).status_code == 404
    assert await pool.fetchval("SELECT count(*) FROM blocks") == 0


async def test_blocking_from_the_list_tells_nobody_who_is_there(new_phone, pool):
    """Dana blocked Mal, then joined an event unlisted. Mal, trying to block her there (her
    account number seen in some form), gets the answer anyone gets for someone not there;
    a second tap of Dana's own Block is no error."""
    _, event_id = await organizer_with_event(new_phone)
    dana = await attendee(new_phone, pool, event_id, "Dana Lee")
    mal = await attendee(new_phone, pool, event_id, "Mal Ice")
    dana_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Dana Lee'")
    mal_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Mal Ice'")
    for _ in range(2):  # the second: a double tap
        again = await dana.post(dana.url("event_block", event_id=event_id, account_id=mal_id))
        assert again.status_code == 303
    nobody = await mal.post(mal.url("event_block", event_id=event_id, account_id=99))
    there = await mal.post(mal.url("event_block", event_id=event_id, account_id=dana_id))
    assert (there.status_code, text_of(there)) == (nobody.status_code, text_of(nobody))
    assert there.status_code == 404
    await pool.execute("UPDATE event_attendees SET listed = false WHERE account_id = $1", mal_id)
    hidden = await dana.post(dana.url("event_block", event_id=event_id, account_id=mal_id))
    assert hidden.status_code == 303, "hers to repeat"
    ole = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Olga Organizer'")
    await pool.execute("UPDATE event_attendees SET listed = false WHERE account_id = $1", ole)
    unlisted = await mal.post(mal.url("event_block", event_id=event_id, account_id=ole))
    assert unlisted.status_code == 404, "not shown to him: not his to find out about"
    assert await pool.fetchval("SELECT count(*) FROM blocks") == 1


async def test_a_search_of_signs_alone_says_it_looks_for_words(new_phone, pool):
    """Not "nobody matches": Ben's name may carry the very emoji; nor everyone listed as if
    they all matched."""
    event_id, ana, _ben = await story(new_phone, pool)
    for typed in ("🚀", "?!"):
        page = await ana.get(ana.url("event_people", event_id=event_id), params={"q": typed})
        assert f"Search looks for words and numbers, and “{typed}” has none." in text_of(page)
        assert "Nobody here matches" not in text_of(page)
        assert "Ben Ode" not in text_of(page)


async def test_roster_search_finds_names_with_or_without_their_accents(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    for name, company, email in (
        ("Ann Åström", "Lågpris AB", "ann@example.com"),
        ("José Müller", "Straße & Co", "jose@example.com"),
        ("İpek Şahin", "", "ipek@example.com"),
        ("Nguyễn Văn Đức", "Phạm & Zhōu", "duc@example.com"),
    ):
        await attendee(new_phone, pool, event_id, name, company=company, email=email)
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    url = ben.url("event_people", event_id=event_id)

    async def found(typed: str) -> list[str]:
        page = await ben.get(url, params={"q": typed})
        return [n.get_text() for n in soup(page).select(".name")]

    for typed in ("Ast", "åst", "ÅSTRÖM", "astrom"):
        assert await found(typed) == ["Ann Åström"], typed
    for typed in ("jose", "MULLER", "josé mül", "strasse", "lagpris"):
        assert len(await found(typed)) == 1, typed
    assert await found("jose") == ["José Müller"]
    for typed in ("İpek", "ipek", "ŞAHİN", "sahin"):
        assert await found(typed) == ["İpek Şahin"], typed
    for typed in ("nguyen", "NGUYỄN van", "duc", "pham", "zhou"):
        assert await found(typed) == ["Nguyễn Văn Đức"], typed
    assert await found("ost") == [], "a prefix, not any substring"


async def test_each_person_in_a_list_with_buttons_is_a_heading(new_phone, pool):
    """A screen reader jumps person to person by heading, and each person's buttons follow
    their own name: the roster, "People who can help you" and Requests."""
    event_id, ana, ben = await story(new_phone, pool)

    def people(page, level):
        return [
            (h.get_text(), h.find_next("button").get("aria-label"))
            for h in soup(page).select(f"main {level}.name")
        ]

    roster = await ben.get(ben.url("event_people", event_id=event_id))
    assert people(roster, "h2") == [
        ("Ana Silva", "Request to connect with Ana Silva"),
        ("Olga Organizer", "Request to connect with Olga Organizer"),
    ]
    matches = await ben.get(ben.url("event_matches", event_id=event_id))
    # Each list under its own heading, one level down.
    assert people(matches, "h3") == [("Ana Silva", "Request to connect with Ana Silva")] * 2
    assert [h.find_previous("h2").get_text() for h in soup(matches).select("main h3.name")] == [
        "People who can help you",
        "People you can help",
    ]
    assert soup(matches).h1.get_text() == "Who can help you at Lunch & Learn"
    await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    inbox = await ana.get(ana.url("requests"))
    assert people(inbox, "h2") == [("Ben Ode", "Accept Ben Ode")]


async def test_names_typed_in_another_direction_are_set_apart_in_our_sentences(new_phone, pool):
    """An Arabic event name in "Met at …, 9 minutes ago" drew the comma and the number into
    its right-to-left run: each such name is in its own <bdi>."""
    arabic = "\u0645\u0644\u062a\u0642\u0649 \u0631\u0648\u0627\u062f"
    _, event_id = await organizer_with_event(new_phone, name=arabic)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    inbox = soup(await ana.get(ana.url("requests")))
    assert [b.get_text() for b in inbox.select("#request-list bdi")] == [arabic]
    sent = soup(await ben.get(ben.url("requests")))
    assert [b.get_text() for b in sent.select("#sent-list bdi")] == [arabic]
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    await ana.post(ana.url("request_decide", request_id=request_id, decision="accept"))
    listed = soup(await ana.get(ana.url("contacts")))
    assert [b.get_text() for b in listed.select("#contact-list bdi")] == [arabic]
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 2")
    page = soup(await ana.get(ana.url("contact", contact_id=contact_id)))
    # The event's name, and Ben's own in the Reach out buttons ("Email Ben Ode").
    assert sorted(b.get_text() for b in page.select("main bdi")) == sorted([arabic, "Ben Ode"])
