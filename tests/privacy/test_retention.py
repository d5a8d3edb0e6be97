"""Retention: each rule deletes what is past its period and nothing else (a row just inside
its period stays, one just outside goes), what is kept for good stays however old, and
several workers share the work."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest

from server.config import SettingsError, load_settings
from server.privacy.retention import RULES, Retention
from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import text_of

MARGIN = timedelta(minutes=1)
_serial = itertools.count(1)

# A query counting a row (1 while it is there), and its one parameter.
Probe = tuple[str, Any]
# Makes a row whose age is ``when``; how to find it.
Seed = Callable[[asyncpg.Pool, datetime], Awaitable[Probe]]


async def there(pool: asyncpg.Pool, probe: Probe) -> int:
    count: int = await pool.fetchval(*probe)
    return count


async def account(pool: asyncpg.Pool, *, email: str = "", guest: bool = False) -> int:
    n = next(_serial)
    account_id: int = await pool.fetchval(
        "INSERT INTO accounts (guest) VALUES ($1) RETURNING id", guest
    )
    await pool.execute(
        "INSERT INTO cards (account_id, name, email) VALUES ($1, $2, $3)",
        account_id,
        f"Person {n}",
        email,
    )
    return account_id


async def followup(pool: asyncpg.Pool) -> int:
    a, b = await account(pool), await account(pool)
    contact = await pool.fetchval(
        "INSERT INTO contacts (owner_id, contact_id) VALUES ($1, $2) RETURNING id", a, b
    )
    followup_id: int = await pool.fetchval(
        "INSERT INTO followups (contact_id, owner_id, due_at) VALUES ($1, $2, now()) RETURNING id",
        contact,
        a,
    )
    return followup_id


async def event(pool: asyncpg.Pool) -> int:
    organizer = await account(pool)
    event_id: int = await pool.fetchval(
        """INSERT INTO events (organizer_id, name, starts_at, ends_at, time_zone, join_code)
           VALUES ($1, 'Meetup', now(), now() + interval '1 hour', 'UTC', $2) RETURNING id""",
        organizer,
        f"{next(_serial):06d}".translate(str.maketrans("0123456789", "ABCDEFGHJK")),
    )
    return event_id


async def limit_slots(pool: asyncpg.Pool, when: datetime) -> Probe:
    key = f"198.51.100.{next(_serial) % 250}"
    await pool.execute(
        "INSERT INTO limit_slots (bucket, key, slot, hits) VALUES ('x', $1, $2, 3)", key, when
    )
    return "SELECT count(*) FROM limit_slots WHERE key = $1", key


async def sign_in_codes(pool: asyncpg.Pool, when: datetime) -> Probe:
    row = await pool.fetchval(
        """INSERT INTO sign_in_codes (address, code_hash, expires_at, created_at, ip)
           VALUES ('x@example.com', '\\x00', $1::timestamptz + interval '10 minutes', $1,
                   '10.0.0.2')
           RETURNING id""",
        when,
    )
    return "SELECT count(*) FROM sign_in_codes WHERE id = $1", row


async def ended_sessions(pool: asyncpg.Pool, when: datetime) -> Probe:
    """Two browsers that ended at ``when``: one signed out, one unused for 400 days."""
    owner = await account(pool)
    ids = [
        await pool.fetchval(
            """INSERT INTO sessions (token_hash, account_id, ip, revoked_at, last_seen_at)
               VALUES ($1, $2, '10.0.0.3', $3, $4) RETURNING id""",
            f"token {next(_serial)}".encode(),
            owner,
            revoked,
            seen,
        )
        for revoked, seen in ((when, when), (None, when - timedelta(days=400)))
    ]
    return (
        # 1 while both are there, 0 when both went, -1 for one without the other.
        "SELECT CASE count(*) WHEN 2 THEN 1 WHEN 0 THEN 0 ELSE -1 END"
        " FROM sessions WHERE id = ANY($1::bigint[])",
        ids,
    )


async def sessions_of_deleted_accounts(pool: asyncpg.Pool, when: datetime) -> Probe:
    token_hash = f"cookie {next(_serial)}".encode()
    await pool.execute(
        "INSERT INTO sessions_of_deleted_accounts (token_hash, forget_at) VALUES ($1, $2)",
        token_hash,
        when,
    )
    return "SELECT count(*) FROM sessions_of_deleted_accounts WHERE token_hash = $1", token_hash


async def swap_codes(pool: asyncpg.Pool, when: datetime) -> Probe:
    code = f"{next(_serial):06d}"
    await pool.execute(
        "INSERT INTO swap_codes (code, account_id, expires_at) VALUES ($1, $2, $3)",
        code,
        await account(pool),
        when,
    )
    return "SELECT count(*) FROM swap_codes WHERE code = $1", code


async def move_codes(pool: asyncpg.Pool, when: datetime) -> Probe:
    row = await pool.fetchval(
        """INSERT INTO move_codes (account_id, code_hash, expires_at) VALUES ($1, $2, $3)
           RETURNING id""",
        await account(pool),
        f"move {next(_serial)}".encode(),
        when,
    )
    return "SELECT count(*) FROM move_codes WHERE id = $1", row


async def webauthn_challenges(pool: asyncpg.Pool, when: datetime) -> Probe:
    challenge = f"challenge {next(_serial)}".encode()
    await pool.execute(
        """INSERT INTO webauthn_challenges (challenge, purpose, expires_at)
           VALUES ($1, 'authenticate', $2)""",
        challenge,
        when,
    )
    return "SELECT count(*) FROM webauthn_challenges WHERE challenge = $1", challenge


async def link_joins(pool: asyncpg.Pool, when: datetime) -> Probe:
    """A try of "Leave your details" whose ten minutes end at ``when``."""
    attempt = f"try {next(_serial)}".encode()
    await pool.execute(
        """INSERT INTO link_joins (attempt_hash, account_id, made_at)
           VALUES ($1, $2, $3::timestamptz - interval '10 minutes')""",
        attempt,
        await account(pool),
        when,
    )
    return "SELECT count(*) FROM link_joins WHERE attempt_hash = $1", attempt


async def card_pages(pool: asyncpg.Pool, when: datetime) -> Probe:
    """A card page kept for a link that stops working at ``when``."""
    owner = await account(pool)
    token = f"token {next(_serial)}"
    await pool.execute(
        """INSERT INTO card_pages (account_id, token, release, version, updated_at, headers,
                                   page, expires_at)
           SELECT account_id, $2, 'r', xmin, updated_at, '{}', '\\x00', $3
           FROM cards WHERE account_id = $1""",
        owner,
        token,
        when,
    )
    return "SELECT count(*) FROM card_pages WHERE token = $1", token


async def bumps(pool: asyncpg.Pool, when: datetime) -> Probe:
    row = await pool.fetchval(
        """INSERT INTO bumps (account_id, scope, bumped_at, created_at)
           VALUES ($1, '', $2, $2) RETURNING id""",
        await account(pool),
        when,
    )
    return "SELECT count(*) FROM bumps WHERE id = $1", row


async def synced_actions(pool: asyncpg.Pool, when: datetime) -> Probe:
    owner = await account(pool)
    await pool.execute(
        """INSERT INTO synced_actions (account_id, key, payload_hash, created_at)
           VALUES ($1, gen_random_uuid(), '\\x00', $2)""",
        owner,
        when,
    )
    return "SELECT count(*) FROM synced_actions WHERE account_id = $1", owner


async def deliveries(pool: asyncpg.Pool, when: datetime) -> Probe:
    row = await pool.fetchval(
        """INSERT INTO deliveries (followup_id, round, status, created_at, sent_at)
           VALUES ($1, 0, 'sent', $2, $2) RETURNING id""",
        await followup(pool),
        when,
    )
    return "SELECT count(*) FROM deliveries WHERE id = $1", row


async def emails(pool: asyncpg.Pool, when: datetime) -> Probe:
    address = f"mail{next(_serial)}@example.com"
    owner = await account(pool, email=address)
    await pool.execute("INSERT INTO email_addresses (address) VALUES ($1)", address)
    row = await pool.fetchval(
        """INSERT INTO emails (kind, account_id, to_address, status, created_at, sent_at)
           VALUES ('confirm', $1, $2, 'sent', $3, $3) RETURNING id""",
        owner,
        address,
        when,
    )
    return "SELECT count(*) FROM emails WHERE id = $1", row


async def email_addresses(pool: asyncpg.Pool, when: datetime) -> Probe:
    """An address no card has any more, last written to (once, unasked) at ``when``."""
    address = f"old{next(_serial)}@example.com"
    await pool.execute(
        "INSERT INTO email_addresses (address, last_first_mail_at) VALUES ($1, $2)",
        address,
        when,
    )
    return "SELECT count(*) FROM email_addresses WHERE address = $1", address


async def answered_requests(pool: asyncpg.Pool, when: datetime) -> Probe:
    row = await pool.fetchval(
        """INSERT INTO connect_requests (event_id, from_id, to_id, status, decided_at)
           VALUES ($1, $2, $3, 'declined', $4) RETURNING id""",
        await event(pool),
        await account(pool),
        await account(pool),
        when,
    )
    return "SELECT count(*) FROM connect_requests WHERE id = $1", row


async def contact_removals(pool: asyncpg.Pool, when: datetime) -> Probe:
    """A removal whose Undo runs out at ``when``."""
    row = await pool.fetchval(
        """INSERT INTO contact_removals (remover_id, other_id, undo_until, contacts, followups,
                                         deliveries, emails)
           VALUES ($1, $2, $3, '[]', '[]', '[]', '[]') RETURNING id""",
        await account(pool),
        await account(pool),
        when,
    )
    return "SELECT count(*) FROM contact_removals WHERE id = $1", row


async def gone_followups(pool: asyncpg.Pool, when: datetime) -> Probe:
    """A follow-up gone with its contact, that the calendar file stops cancelling at ``when``."""
    followup_id = await followup(pool)
    await pool.execute(
        "DELETE FROM contacts WHERE id = (SELECT contact_id FROM followups WHERE id = $1)",
        followup_id,
    )
    await pool.execute(
        "UPDATE gone_followups SET gone_at = $1::timestamptz - interval '30 days'"
        " WHERE followup_id = $2",
        when,
        followup_id,
    )
    return "SELECT count(*) FROM gone_followups WHERE followup_id = $1", followup_id


async def events_left_behind(pool: asyncpg.Pool, when: datetime) -> Probe:
    """An event whose organizer deleted their account, nobody there any more, that only a
    removal whose Undo runs out at ``when`` says two people met at."""
    event_id = await event(pool)
    await pool.execute(
        "UPDATE events SET organizer_id = NULL, closed_at = now() WHERE id = $1", event_id
    )
    await pool.execute(
        """INSERT INTO contact_removals (remover_id, other_id, undo_until, contacts, followups,
                                         deliveries, emails)
           VALUES ($1, $2, $3, jsonb_build_array(jsonb_build_object('event_id', $4::bigint)),
                   '[]', '[]', '[]')""",
        await account(pool),
        await account(pool),
        when,
        event_id,
    )
    return "SELECT count(*) FROM events WHERE id = $1", event_id


async def unclaimed_guests(pool: asyncpg.Pool, when: datetime) -> Probe:
    guest = await account(pool, guest=True, email=f"guest{next(_serial)}@example.com")
    await pool.execute("UPDATE accounts SET created_at = $1 WHERE id = $2", when, guest)
    return "SELECT count(*) FROM accounts WHERE id = $1", guest


SEEDS: dict[str, Seed] = {
    f"retention.{seed.__name__}": seed
    for seed in (
        limit_slots,
        sign_in_codes,
        ended_sessions,
        sessions_of_deleted_accounts,
        swap_codes,
        move_codes,
        webauthn_challenges,
        link_joins,
        card_pages,
        bumps,
        synced_actions,
        deliveries,
        emails,
        email_addresses,
        answered_requests,
        contact_removals,
        gone_followups,
        events_left_behind,
        unclaimed_guests,
    )
}
QUERIES = [(rule, query) for rule in RULES for query in rule.queries]


def test_every_rule_s_query_has_a_test_here():
    assert sorted(query for _, query in QUERIES) == sorted(SEEDS)


@pytest.mark.parametrize(("rule", "query"), QUERIES, ids=[query for _, query in QUERIES])
async def test_each_rule_deletes_what_is_past_its_period_and_nothing_else(rule, query, pool, app):
    period = rule.period(app.state.settings)
    now = await pool.fetchval("SELECT now()")
    inside = await SEEDS[query](pool, now - period + MARGIN)
    outside = await SEEDS[query](pool, now - period - MARGIN)
    assert await there(pool, inside) == 1 and await there(pool, outside) == 1
    deleted = await Retention(pool, app.state.sql, app.state.settings).run_once()
    assert await there(pool, outside) == 0, f"{query}: kept past {period}"
    assert await there(pool, inside) == 1, f"{query}: deleted within {period}"
    assert deleted >= 1


async def test_periods_come_from_the_settings(pool, app):
    longer = replace(app.state.settings, retain_bumps=timedelta(days=3))
    now = await pool.fetchval("SELECT now()")
    two_days = await bumps(pool, now - timedelta(days=2))
    four_days = await bumps(pool, now - timedelta(days=4))
    await Retention(pool, app.state.sql, longer).run_once()
    assert (await there(pool, two_days), await there(pool, four_days)) == (1, 0)


async def test_what_is_kept_for_good_stays_however_old(pool, app):
    ancient = (await pool.fetchval("SELECT now()")) - timedelta(days=3650)
    claimed = await account(pool, email="kept@example.com")
    await pool.execute(
        """INSERT INTO email_addresses (address, last_first_mail_at, unsubscribed_at)
           VALUES ('kept@example.com', $1, NULL), ('unsubscribed@example.com', $1, $1),
                  ('bounced@example.com', $1, NULL)""",
        ancient,
    )
    await pool.execute(
        "UPDATE email_addresses SET bounced_at = $1 WHERE address LIKE 'b%'", ancient
    )
    await pool.execute("UPDATE accounts SET created_at = $1", ancient)
    live = await pool.fetchval(
        """INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at)
           VALUES ('\\x01', $1, $2, now() - interval '300 days') RETURNING id""",
        claimed,
        ancient,
    )
    queued = await pool.fetchval(
        """INSERT INTO deliveries (followup_id, round, created_at) VALUES ($1, 0, $2)
           RETURNING id""",
        await followup(pool),
        ancient,
    )
    pending = await pool.fetchval(
        """INSERT INTO connect_requests (event_id, from_id, to_id, created_at)
           VALUES ($1, $2, $3, $4) RETURNING id""",
        await event(pool),
        claimed,
        await account(pool),
        ancient,
    )
    await Retention(pool, app.state.sql, app.state.settings).run_once()
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", claimed) == 1
    assert await pool.fetchval("SELECT count(*) FROM sessions WHERE id = $1", live) == 1
    assert await pool.fetchval("SELECT count(*) FROM deliveries WHERE id = $1", queued) == 1
    assert await pool.fetchval("SELECT count(*) FROM connect_requests WHERE id = $1", pending) == 1
    kept = await pool.fetch("SELECT address FROM email_addresses ORDER BY address")
    assert [row["address"] for row in kept] == [
        "bounced@example.com",
        "kept@example.com",
        "unsubscribed@example.com",
    ]


async def test_a_request_withdrawn_unanswered_goes_as_an_answered_one_does(pool, app):
    period = app.state.settings.retain_requests
    now = await pool.fetchval("SELECT now()")

    async def withdrawn(at: datetime) -> int:
        return await pool.fetchval(
            """INSERT INTO connect_requests (event_id, from_id, to_id, withdrawn_at)
               VALUES ($1, $2, $3, $4) RETURNING id""",
            await event(pool),
            await account(pool),
            await account(pool),
            at,
        )

    inside, outside = await withdrawn(now - period + MARGIN), await withdrawn(now - period - MARGIN)
    await Retention(pool, app.state.sql, app.state.settings).run_once()
    left = await pool.fetch("SELECT id FROM connect_requests WHERE id IN ($1, $2)", inside, outside)
    assert [row["id"] for row in left] == [inside]


async def test_an_unclaimed_guest_goes_with_its_connection_and_the_counts_stay(
    new_phone, pool, app
):
    _, event_id = await organizer_with_event(new_phone)
    dana = await attendee(new_phone, pool, event_id, "Dana Lee")
    await dana.post(dana.url("tap_guest"), {"name": "Lou Park", "email": "lou@example.com"})
    stats = dict(await app.state.sql.run(pool, "events.stats", event_id=event_id))
    assert stats["swaps"] == 1
    await pool.execute("UPDATE accounts SET created_at = now() - interval '366 days' WHERE guest")
    await Retention(pool, app.state.sql, app.state.settings).run_once()
    assert "Lou Park" not in text_of(await dana.get(dana.url("contacts")))
    assert await pool.fetchval("SELECT count(*) FROM email_addresses") == 0, "Lou's went too"
    assert dict(await app.state.sql.run(pool, "events.stats", event_id=event_id)) == stats


async def test_two_workers_share_a_big_table_without_waiting_on_each_other(pool, app):
    owner = await account(pool)
    await pool.execute(
        """INSERT INTO bumps (account_id, scope, bumped_at, created_at)
           SELECT $1, '', now() - interval '2 days', now() - interval '2 days'
           FROM generate_series(1, 5000)""",
        owner,
    )
    workers = [Retention(pool, app.state.sql, app.state.settings) for _ in range(2)]
    deleted = await asyncio.gather(*(worker.run_once() for worker in workers))
    assert sum(deleted) == 5000
    assert await pool.fetchval("SELECT count(*) FROM bumps") == 0


async def test_the_worker_loop_deletes_then_waits_until_stopped(pool, app):
    now = await pool.fetchval("SELECT now()")
    old = await bumps(pool, now - timedelta(days=2))
    stop = asyncio.Event()
    retention = Retention(pool, app.state.sql, app.state.settings, every_seconds=60)
    running = asyncio.create_task(retention.run(stop))
    for _ in range(100):
        if await there(pool, old) == 0:
            break
        await asyncio.sleep(0.05)
    assert await there(pool, old) == 0
    stop.set()
    await asyncio.wait_for(running, 5)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("RETAIN_BUMPS_DAYS", "0", "RETAIN_BUMPS_DAYS must be at least 1, not 0"),
        ("RETAIN_ATTEMPTS_DAYS", "-1", "RETAIN_ATTEMPTS_DAYS must be at least 1"),
        ("RETAIN_SENT_DAYS", "7", "RETAIN_SENT_DAYS must be at least 30, not 7"),
        ("RETAIN_GUESTS_DAYS", "a year", "RETAIN_GUESTS_DAYS must be a whole number"),
    ],
)
def test_a_period_that_cannot_work_is_refused_by_name(tmp_path, name, value, says):
    with pytest.raises(SettingsError, match=says):
        load_settings({"REACHOUT_DATA_DIR": str(tmp_path), name: value})


def test_the_periods_default_to_what_the_issue_asked(tmp_path):
    settings = load_settings({"REACHOUT_DATA_DIR": str(tmp_path)})
    days = {rule.keep: rule.period(settings).days for rule in RULES if rule.keep}
    assert days == {
        "retain_attempts": 1,
        "retain_bumps": 1,
        "retain_synced": 30,
        "retain_sent": 90,
        "retain_requests": 90,
        "retain_guests": 365,
    }
