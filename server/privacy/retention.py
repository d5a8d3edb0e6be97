"""Retention: what Reachout keeps only for a while, and the worker loop that deletes it.

``RULES`` is the one list. The worker runs each rule's queries (``sql/queries/retention.sql``)
with the rule's period from the settings, and ``/privacy`` shows each rule's words with that
same period, so the page cannot drift from what is done.

Each query deletes a batch of rows and says how many; a rule's query runs again until a batch
comes back short. Batches keep every transaction short on a big table, and their
``FOR UPDATE SKIP LOCKED`` lets any number of workers run side by side without waiting on
each other (a row another worker is deleting is skipped, and gone by the next pass).
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from server.config import Settings
from server.contacts.contacts import UNDO_SECONDS
from server.db import away
from server.db.queries import Queries
from server.followups.calendar_file import CANCELLED_DAYS

log = logging.getLogger("reachout.worker")

EVERY_SECONDS = 3600.0  # an hour: the shortest period is a day
BATCH = 1000


@dataclass(frozen=True)
class Rule:
    """Something kept only for a while: what it is and when it goes, in plain words for
    ``/privacy``, the setting holding its period, and the queries deleting it."""

    what: str
    # When it goes; ``{period}`` stands for the setting's value, as words ("30 days").
    when: str
    # The Settings field with the period (a timedelta); None: as soon as it expires.
    keep: str | None
    queries: tuple[str, ...]
    batch: int = BATCH

    def period(self, settings: Settings) -> timedelta:
        return timedelta(0) if self.keep is None else getattr(settings, self.keep)

    def says(self, settings: Settings) -> str:
        """When it goes, in words, with the period as configured."""
        return self.when.format(period=in_words(self.period(settings)))


def in_words(period: timedelta) -> str:
    days = period.days
    return "1 day" if days == 1 else f"{days} days"


RULES = (
    Rule(
        "Sign-in codes sent by email, with the address and the IP address they were asked from",
        "deleted after {period}",
        "retain_attempts",
        ("retention.sign_in_codes",),
    ),
    Rule(
        "What the limits count (new accounts, events, swaps, guests, bumps and requests per"
        " account,"
        " share link and IP address, and wrong codes typed on the Tap screen, to move to"
        " another phone or to join an event), with the IP address",
        "deleted after {period}",
        "retain_attempts",
        ("retention.limit_slots",),
    ),
    Rule(
        "Browsers that signed out, or were not used for 400 days, with their IP address and"
        " browser name",
        "deleted {period} after",
        "retain_attempts",
        ("retention.ended_sessions",),
    ),
    Rule(
        "Browsers still signed in to an account when it was deleted from another: only a hash"
        " of their cookie (nothing says whose it was), so that they say it was deleted",
        "deleted 400 days after, when such a cookie has ended anyway",
        None,
        ("retention.sessions_of_deleted_accounts",),
    ),
    Rule(
        "Six-digit swap codes",
        "deleted {period} after they expire (a code typed offline still counts once the phone"
        " is back online)",
        "retain_attempts",
        ("retention.swap_codes",),
    ),
    Rule(
        "Contacts you removed, with your notes on them, kept so that Undo can put them back",
        f"deleted within the hour after Undo runs out, {UNDO_SECONDS} seconds after removing",
        None,
        ("retention.contact_removals",),
    ),
    Rule(
        "Codes shown to move to another phone, and passkey challenges",
        "deleted as soon as they expire, after five minutes",
        None,
        ("retention.move_codes", "retention.webauthn_challenges"),
    ),
    Rule(
        "When you leave your details on a card, or join an event before you have a card, which"
        " try made your card (a code your browser made, scrambled), so that Send or Join"
        " tapped again after the network lost the answer makes no second card",
        "deleted after ten minutes",
        None,
        ("retention.link_joins",),
    ),
    Rule(
        "Your card's page as someone with no account sees it from your link, kept ready to open"
        " fast for a crowd",
        "deleted as soon as you change your card, and otherwise when the link stops working",
        None,
        ("retention.card_pages",),
    ),
    Rule(
        "Follow-ups of a contact who went (you or they removed the other, they blocked you or"
        " deleted their account): only which entry it was in your calendar file and when it was"
        " due, no name, so that the file cancels it in a calendar that imported it",
        f"deleted after {CANCELLED_DAYS} days, when the calendar file stops cancelling it",
        None,
        ("retention.gone_followups",),
    ),
    Rule(
        "Bumps: when a phone bumped another, and how hard",
        "deleted after {period}",
        "retain_bumps",
        ("retention.bumps",),
    ),
    Rule(
        "The answers to swaps a phone made offline (kept so that a swap sent twice counts once)",
        "deleted after {period}",
        "retain_synced",
        ("retention.synced_actions",),
    ),
    Rule(
        "Reminders and other notifications sent by push or email, and the ones that could not"
        " be delivered, with the push service's or mail server's reply",
        "deleted after {period}",
        "retain_sent",
        ("retention.deliveries", "retention.emails"),
    ),
    Rule(
        "Email addresses that no card has any more",
        "deleted once no email to them is kept (see above). An address that unsubscribed or"
        " bounced is kept, with nothing else about it, so that we never write to it again;"
        " one you confirmed is kept until you delete your account, to confirm it's you",
        "retain_attempts",
        ("retention.email_addresses",),
    ),
    Rule(
        "Requests to connect, once accepted, declined or withdrawn",
        "deleted {period} after the answer, or after the sender withdrew it",
        "retain_requests",
        ("retention.answered_requests",),
    ),
    Rule(
        "Events whose organizer deleted their account, kept closed for the people who were there",
        "deleted once none of them has it: nobody still has it among their events, no"
        " contact says they met there, and no request to connect made there is kept",
        None,
        ("retention.events_left_behind",),
    ),
    Rule(
        "Guest cards: details someone typed on another person's phone, when their owner never"
        " signed in to claim them",
        "deleted after {period}, with their connection (and the note and follow-up of the"
        " person who typed them); sooner once nobody has them as a contact and no block"
        " names them: when Undo of removing them runs out, or with the account of the person"
        " who typed them",
        "retain_guests",
        ("retention.unclaimed_guests",),
        # Each one is an account deleted with everything keyed to it: fewer at a time.
        batch=50,
    ),
)


@dataclass
class Retention:
    """The worker's loop: every ``every_seconds``, each rule deletes what is past its period."""

    pool: Any
    sql: Queries
    settings: Settings
    every_seconds: float = EVERY_SECONDS
    rng: random.Random = field(default_factory=random.Random)
    outage: away.Outage = field(default_factory=lambda: away.Outage(log))

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """One pass over every rule; how many rows were deleted."""
        total = 0
        for rule in RULES:
            keep = rule.period(self.settings)
            for query in rule.queries:
                while not (stop is not None and stop.is_set()):
                    gone: int = await self.sql.run(self.pool, query, keep=keep, batch=rule.batch)
                    total += gone
                    if gone:
                        log.info("retention: %s deleted %d", query, gone)
                    if gone < rule.batch:
                        break
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop``: a pass now, then every ``every_seconds``, riding out the database
        going away."""
        await away.keep_running(
            lambda: self.run_once(stop),
            stop,
            outage=self.outage,
            poll_seconds=self.every_seconds,
            rng=self.rng,
        )
