"""Follow-ups: how their state, the reminder and the "reach out" message are worded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from markupsafe import Markup

from server.cards import fields, web_links
from server.mail.unlinked import short_name

SNOOZE_DAYS = {"1": 1, "3": 3, "7": 7}
SNOOZE_REACH = timedelta(days=366)  # how far ahead a picked date can snooze to
TIMINGS = {
    "this_evening": "This evening (18:00, or an hour after meeting)",
    "next_morning": "Next morning (09:00)",
    "in_3_days": "In 3 days (09:00)",
    "never": "Never",
}
# When the reminder after a meeting comes, as Settings' "Reminders on this phone" says it.
REMINDED_WHEN = {
    "this_evening": "The evening you meet someone",
    "next_morning": "The morning after you meet someone",
    "in_3_days": "Three days after you meet someone",
    "never": "When a follow-up you set falls due",
}
# How reminders come; "" is automatic: email for a confirmed address with no push device.
REMINDERS_BY = {
    "": "Automatically: by email if no device has push turned on, else by push",
    "push": "By push",
    "email": "By email",
    "both": "By push and by email",
    "neither": "Neither (I will look at my follow-ups)",
}
REACH_OUT_CHANNELS = ("email", "sms", "linkedin")


class InvalidSnooze(ValueError):
    pass


def local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


# Until 05:00 the night belongs to the day before (reminder_day() in sql/logic.sql): "Remind
# me tomorrow" pressed at 01:00 is 09:00 the same calendar day.
NIGHT_ENDS = 5


def day_phrase(moment: datetime, now: datetime, tz: str) -> str:
    """ "today", "yesterday", "on Monday" within a week, else "on 3 Dec"; in the night, a
    time still to come before noon is "this morning": "today" would read as the day just
    ending, and deny the "tomorrow" the person chose."""
    at, here = local(moment, tz), local(now, tz)
    day, today = at.date(), here.date()
    delta = (today - day).days
    if delta == 0 and here.hour < NIGHT_ENDS and here <= at and at.hour < 12:
        return "this morning"
    if delta == 0:
        return "today"
    if delta == 1:
        return "yesterday"
    if delta == -1:
        return "tomorrow"
    if 1 < delta < 7:
        return f"on {day:%A}"
    return f"on {day.day} {day:%b}" + (f" {day.year}" if day.year != today.year else "")


def when_phrase(moment: datetime, now: datetime, tz: str) -> str:
    return f"{day_phrase(moment, now, tz)} at {local(moment, tz):%H:%M}"


def state(followup: Mapping[str, Any], now: datetime, tz: str, reminded: bool = True) -> str:
    """What the contact page and the list say about a follow-up; ``reminded`` False for
    someone who chose no reminders: the time is when to follow up, and nothing will come."""
    status, due = followup["status"], followup["due_at"]
    if status == "done":
        return "Done"
    if status == "off":
        return "No reminder"
    if due <= now:
        if now - due < timedelta(hours=12):
            return "Due now"
        # "since 3 Dec", "since Monday": not "since on Monday"; earlier today, the hour.
        day = day_phrase(due, now, tz)
        return (
            f"Overdue since {local(due, tz):%H:%M}"
            if day == "today"
            else (f"Overdue since {day.removeprefix('on ')}")
        )
    if followup["snoozed"]:
        return f"Snoozed until {when_phrase(due, now, tz).removeprefix('on ')}"
    return f"{'Reminder' if reminded else 'Follow up'} {when_phrase(due, now, tz)}"


@dataclass(frozen=True)
class Step:
    """A control on Settings that lets a reminder reach someone: its label, as the page
    shows it, and the section it is in (its heading, and its id there)."""

    label: str
    section: str
    anchor: str


TURN_ON = Step("Turn on reminders", "Reminders on this phone", "push")
CONFIRM = Step("Send me a confirmation", "Email", "email-section")
EMAIL_AGAIN = Step("Email me again", "Email", "email-section")


class UnreachedFix(str):
    """What lets a reminder reach someone no reminder can reach yet: as words ("tap Turn on
    reminders under Reminders on this phone"), and with each section's name a link to it
    (``linked``, ``in_settings``). ``add_email``: her card has no email, so Settings' Email
    section has no button, only "Add an email address to your card": that is the step then.
    A ``str``, so a page that only says it needs nothing more."""

    steps: tuple[Step, ...]
    note: str
    add_email: bool

    def __new__(
        cls, steps: tuple[Step, ...], note: str = "", add_email: bool = False
    ) -> UnreachedFix:
        said = [f"{step.label} under {step.section}" for step in steps]
        taps = [f"tap {', or '.join(said)}"] if said else []
        words = ", or ".join(taps + (["add an email address to your card"] if add_email else []))
        fix = super().__new__(cls, words + (f" ({note})" if note else ""))
        fix.steps, fix.note, fix.add_email = steps, note, add_email
        return fix

    def linked(self, settings_url: str, card_url: str = "", *, first: bool = False) -> Markup:
        """The same words, each label as the page shows a control's (``<em>``) and each
        section a link to it on Settings at ``settings_url`` ("" on Settings itself); "your
        card" a link to ``card_url``, or else to Settings' Email section, which links it.
        ``first``: "Add …" starts a sentence (only with no section to tap: ``in_settings``)."""
        said: list[Markup] = []
        if self.steps:
            said.append(
                Markup("tap ")
                + Markup(", or ").join(
                    Markup('{} under <a href="{}#{}">{}</a>').format(
                        Markup("<em>%s</em>") % step.label, settings_url, step.anchor, step.section
                    )
                    for step in self.steps
                )
            )
        if self.add_email:
            said.append(
                Markup('{} an email address to <a href="{}">your card</a>').format(
                    "Add" if first and not said else "add",
                    card_url or f"{settings_url}#{CONFIRM.anchor}",
                )
            )
        note = Markup(" ({})").format(self.note) if self.note else Markup()
        return Markup(", or ").join(said) + note

    def in_settings(self, settings_url: str, card_url: str) -> Markup:
        """The same, as a sentence on a page other than Settings: "In Settings, tap …"; or,
        when adding an email to her card is all there is, that alone (the card is not in
        Settings)."""
        if self.steps:
            return Markup("In Settings, ") + self.linked(settings_url, card_url)
        return self.linked(settings_url, card_url, first=True)


def unreached_fix(reach: Mapping[str, Any] | None) -> UnreachedFix | None:
    """What lets a reminder reach someone no reminder can reach yet, from her
    ``followups.reminders_reach`` row, in the labels Settings shows: Follow-ups, a contact's
    page and Settings all say it. None when one can (or nothing was asked): her follow-up's
    time is then a reminder's."""
    if reach is None or reach["reached"]:
        return None
    by = reach["reminders_by"]
    if by == "push":
        return UnreachedFix((TURN_ON,))
    if not reach["has_email"]:
        # Settings' Email section has no button then: "Add an email address to your card".
        return UnreachedFix(() if by == "email" else (TURN_ON,), add_email=True)
    # Confirmed, then unsubscribed: "Email me again", not a confirmation.
    email, note = (
        (EMAIL_AGAIN, "you unsubscribed your email") if reach["unsubscribed"] else (CONFIRM, "")
    )
    return UnreachedFix((email,) if by == "email" else (TURN_ON, email), note)


def tomorrow_morning(now: datetime, tz: str) -> str:
    """When "Tomorrow" snoozes to, in words: the next day's 09:00, the night belonging to the
    day before (``NIGHT_ENDS``), so pressed at 01:00 it is "this morning", as the line the
    snooze leaves says it (``when_phrase``)."""
    return "this morning" if local(now, tz).hour < NIGHT_ENDS else "tomorrow morning"


def earliest_snooze_day(now: datetime, tz: str) -> date:
    """The first day a picked date can snooze to (09:00 there must still be ahead): the
    date picker's minimum."""
    here = local(now, tz)
    return here.date() if here.time() < time(9, 0) else here.date() + timedelta(days=1)


def latest_snooze_day(now: datetime, tz: str) -> date:
    """The last day a picked date can snooze to (09:00 there within SNOOZE_REACH): the date
    picker's maximum."""
    last = now + SNOOZE_REACH
    day = local(last, tz).date()
    return day if datetime.combine(day, time(9, 0), ZoneInfo(tz)) <= last else day - timedelta(1)


def snooze_until(value: str, now: datetime, tz: str) -> datetime:
    """A picked date means 09:00 that day, in the person's time zone. Refused, it says the
    days that can be picked."""
    days = (
        f"from {earliest_snooze_day(now, tz):%-d %b %Y} to {latest_snooze_day(now, tz):%-d %b %Y}"
    )
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidSnooze(f"Pick a date {days}.") from None
    due = datetime.combine(day, time(9, 0), ZoneInfo(tz))
    if due <= now:
        raise InvalidSnooze(f"Pick a date in the future: {days}.")
    if due > now + SNOOZE_REACH:
        raise InvalidSnooze(f"Pick a date within the next year: {days}.")
    return due


def notes_said(item: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Her notes on the contact as a reminder says them, each with its label: ("You
    promised:", "an intro to Sam."), then ("They asked:", …); one left empty is not said."""
    said: list[tuple[str, str]] = []
    if item.get("promised"):
        said.append(("You promised:", sentence(item["promised"])))
    if item.get("they_asked"):
        said.append(("They asked:", sentence(item["they_asked"])))
    return said


def notes_left_out(item: Mapping[str, Any]) -> str:
    """What a push says of her notes when it does not carry them (``reminder``'s
    ``notes=False``): which of them Reachout has, in the words Settings' checkbox uses; ""
    when there are none."""
    promised, asked = bool(item.get("promised")), bool(item.get("they_asked"))
    if promised and asked:
        return "What you promised and what they asked are in Reachout."
    if promised:
        return "What you promised is in Reachout."
    return "What they asked is in Reachout." if asked else ""


def reminder_parts(
    item: Mapping[str, Any], now: datetime, tz: str, *, short: bool = False
) -> tuple[str, str, list[tuple[str, str]]]:
    """A reminder's title, its "You met …" sentence and her notes (``notes_said``), as read at
    ``now``; where we met when the item has it (``met_event_name``). ``short`` for a push: the
    name cut at a word as a request's is (``short_name``), a lock screen shows a line or two.
    An email puts the notes below its links, out of a lock screen's preview of it."""
    title = f"Follow up with {short_name(item['name']) if short else item['name']}"
    where = f" at {item['met_event_name']}," if item.get("met_event_name") else ""
    return title, f"You met{where} {day_phrase(item['met_at'], now, tz)}.", notes_said(item)


def reminder(
    item: Mapping[str, Any], now: datetime, tz: str, *, short: bool = False, notes: bool = True
) -> tuple[str, str]:
    """Title and body of a reminder (push, calendar entry): ``reminder_parts`` in one body.
    ``notes`` False: her notes (what she promised, what they asked) are not said, only which
    of them Reachout has (``notes_left_out``): a push is read on the lock screen by anyone
    who sees the phone, unless she chose to show them there (Settings,
    accounts.notes_on_lock_screen)."""
    title, met, said = reminder_parts(item, now, tz, short=short)
    if not notes:
        return title, " ".join(filter(None, (met, notes_left_out(item))))
    return title, " ".join([met, *(f"{label} {note}" for label, note in said)])


def sentence(note: str) -> str:
    """A note as a sentence: a full stop after it, unless it ends one already ("Are you
    hiring?", "an intro to Sam.": not "hiring?." nor "Sam..")."""
    note = note.rstrip()
    return note if note.endswith((".", "?", "!", "…")) else f"{note}."


def digest(met: int, waiting: int, event_name: str, roster_days: int) -> tuple[str, str]:
    """Title and body of the digest after an event (push and email); the list of people
    stays open ``roster_days`` (ROSTER_DAYS) after it. ``waiting``: the event's open
    follow-ups, due or not. The digest goes an hour after the end, and a follow-up falls due
    that evening at the soonest, by default the next morning: "N follow-ups waiting" would
    count what the Follow-ups badge (due ones) does not show yet. "N to follow up" is true
    either way, and the page it opens lists them, under "Reach out now" or "Coming up"."""
    open_for = f"{roster_days} day{'' if roster_days == 1 else 's'}"
    if met:
        title = f"You met {met} {'person' if met == 1 else 'people'} at {event_name}"
        body = (
            f"{waiting} {'person' if waiting == 1 else 'people'} to follow up."
            if waiting
            else f"All followed up. The list of people stays open for {open_for}."
        )
        return title, body
    title = f"Who did you miss at {event_name}?"
    return title, f"The list of people stays open for {open_for}: find them and ask to connect."


def summary(waiting: int) -> tuple[str, str]:
    """Title and body of the one reminder past the day's first few (push and email)."""
    title = f"You have {waiting} {'person' if waiting == 1 else 'people'} to follow up"
    return title, "Lots of new contacts today. Open Reachout to see who."


def quoted_name(name: str) -> str:
    """A stranger's name in a notification's title: after our own words, in quotes, cut at
    a word to ``short_name``'s 40 characters. A card's name is what its owner typed (up to
    100 characters): put first and whole, "Reachout security alert: new sign-in on another
    phone" read as our alert on a lock screen."""
    return f"\u201c{short_name(name)}\u201d"


def request(requester: str, event_name: str, waiting: int) -> tuple[str, str]:
    """Title and body of the push of a request to connect, ``waiting`` of them (this one
    included) waiting for an answer: one notification says how many. Our words first, the
    requester's name after them (``quoted_name``)."""
    if waiting <= 1:
        return (
            f"Request to connect: {quoted_name(requester)}",
            f"You were both at {event_name}. Open Reachout to accept.",
        )
    others = waiting - 1
    title = (
        f"Requests to connect: {quoted_name(requester)}"
        f" and {others} other{'' if others == 1 else 's'}"
    )
    return title, f"{waiting} requests to connect are waiting. Open Reachout to answer them."


def why_by_email(reminders_by: str | None) -> str:
    """The footer line of a reminder email: why it came by email (Settings, "Reminders by")."""
    if reminders_by == "email":
        return "You asked Reachout to remind you by email."
    if reminders_by == "both":
        return "You asked Reachout to remind you by notification and by email."
    # Automatically: by email while none of their phones has notifications on.
    return "Reachout reminds you by email while none of your phones has notifications on."


def first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


def message(
    my_name: str, contact: Mapping[str, Any], now: datetime, tz: str, *, read_later: bool = False
) -> str:
    """The short message "Reach out" starts with, worded from what we know. ``read_later``
    for one an email carries, read hours or days after ``now``: no "today" or "yesterday",
    which would be wrong by then, but where we met when the contact has it
    (``met_event_name``)."""
    lines = [f"Hi {first_name(contact['name'])},", ""]
    if read_later:
        event = contact.get("met_event_name")
        opening = f"Great to meet you at {event}!" if event else "Great to meet you!"
    else:
        met = day_phrase(contact["met_at"], now, tz)
        opening = (
            f"Great to meet you {met}!" if met in ("today", "yesterday") else "Great to meet you!"
        )
    if contact.get("looking_for"):
        opening += f" You mentioned you are looking for {contact['looking_for'].rstrip('.')}."
    lines.append(opening)
    if contact.get("promised"):
        lines.append(f"As promised: {contact['promised'].rstrip('.')}.")
    elif contact.get("they_asked"):
        lines.append(f"About what you asked ({contact['they_asked'].rstrip('.')}): ")
    lines += ["", "Let's stay in touch.", first_name(my_name)]
    return "\n".join(lines)


def reach_out_url(channel: str, contact: Mapping[str, Any], text: str) -> str | None:
    """Where "Reach out" goes: the phone's mail or SMS app with the message, or LinkedIn."""
    if channel == "email" and contact.get("email"):
        query = urlencode({"subject": "Great to meet you", "body": text}, quote_via=quote)
        return fields.mailto_url(contact["email"], query)
    if channel == "sms" and contact.get("phone"):
        # "?&body=" is the form both iOS and Android accept.
        return fields.phone_url("sms", contact["phone"], f"&body={quote(text)}")
    if channel == "linkedin" and contact.get("linkedin"):
        # LinkedIn has no pre-filled message link. The stored link is read again: a row saved
        # before today's rules may open another site than linkedin.com.
        link = web_links.shown(contact["linkedin"], linkedin=True)
        return None if link is None else link.href
    return None
