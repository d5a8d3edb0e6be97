"""One-off notices after a redirect: ``?notice=<key>`` names one from this table.

A notice only says what just happened; a link with an unknown key, or none, shows
nothing, and a page kept for offline use is the same page without it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from markupsafe import Markup, escape
from starlette.requests import Request

from server.web.urls import url_path

PARAM = "notice"


@dataclass(frozen=True)
class Notice:
    title: str
    # May name ``{name}``: the person the page is about, given by the page as ``notice_name``.
    text: str
    # Words of ``text`` that link to what to do next: (the words, the route's name, a part
    # of its page such as "#push"), made a link where the notice is shown (notice_context).
    link: tuple[str, str, str] | None = None


NOTICES = {
    "swapped": Notice("Swapped!", "{name} has your card, and you have theirs."),
    # Their card asks for details first: as the welcome page says it to someone who left theirs.
    "swap_sent": Notice(
        "Sent!", "{name} has your card. You'll see all their card once they accept."
    ),
    # My card asks for details first, and I have yet to accept them (an earlier scan of my
    # card): a bump or an accepted request adds nothing to what they see of me.
    "swap_to_accept": Notice(
        "Saved!",
        "{name} is in your contacts. They see only your name, headline and photo until you"
        " accept them.",
    ),
    # A guest typed in on my phone: they have no app, so only an email reaches them. The same
    # words whether it went or not: an address gets one a day until it is confirmed for an
    # account, and 30 after, so "went" or "not" for a second try would tell anyone typing an
    # address whether it has a Reachout account (queue_met_mail() in sql/logic.sql). So what
    # we do, "if we can" (true whatever stops it: a limit, an unsubscribe, a bounce), and the
    # usual why, as the welcome page says it; the exceptions are on Privacy, the same for all.
    "guest_emailing": Notice(
        "Saved!",
        "{name} is in your contacts. We'll email them your card if we can: we limit how many"
        " emails an address gets each day. Reach out to them yourself too.",
    ),
    "guest_saved": Notice(
        "Saved!",
        "{name} is in your contacts. They left no email, so we can't send them your card:"
        " reach out to them yourself.",
    ),
    "card_saved": Notice("", "Saved."),
    "settings_saved": Notice("", "Saved."),
    "signed_in": Notice("Signed in.", "Your card, contacts and reminders are on this device."),
    # "Confirm my address" pressed where a card someone typed with it is offered to merge in.
    "address_confirmed": Notice(
        "Address confirmed.", "A code to it signs you in on any phone or browser."
    ),
    # Signing in ended the session this phone's reminders came to (another account's):
    # their subscription went with it (sessions.revoke), so they are off until turned on.
    "signed_in_reminders_off": Notice(
        "Signed in.",
        "Your card and contacts are on this device. Reminders are off on this phone:"
        " turn them on in Settings.",
        link=("turn them on in Settings", "settings", "#push"),
    ),
    # Settings → "Add a passkey" (passkey_routes): said where focus lands (passkeys.js).
    "passkey_added": Notice("Passkey added.", "You can sign in with it on this device."),
    "passkey_removed": Notice("", "Passkey removed. It no longer signs in to your account."),
    "merged": Notice("Merged.", "Everything from the other card is in this account now."),
    "kept_apart": Notice("", "Kept apart: the other card stays its own account."),
    # Kept apart when nothing else could open it (merge_routes: accounts.ways_in): as it is.
    "kept_apart_closed": Notice(
        "Kept apart.", "Nobody can open the other card again: only this browser could."
    ),
    # Its only address bounced our mail: a code still goes there, and may arrive.
    "kept_apart_bounced": Notice(
        "Kept apart.",
        "You may not be able to open the other card again: our mail to its address bounced,"
        " so a sign-in code may never reach it.",
    ),
    "guest_deleted": Notice("Deleted.", "The card someone typed for you is gone from their list."),
    "not_now": Notice("", "Nothing changed: the card they typed for you stays as it is."),
    "signed_out_there": Notice("", "That browser is signed out."),
    # Sign out, from a page opened while the card had another way in (routes.sign_out).
    "only_way_in": Notice(
        "You are still signed in.",
        "This device is now the only way into your card: signed out, nobody could open it"
        " again. Add a way in first, or sign out anyway, below.",
    ),
    "signed_out_elsewhere": Notice("", "Every other browser is signed out."),
    "email_back": Notice("", "Reachout emails you again: reminders can go to your address."),
    "confirmation_sent": Notice(
        "Sent.", "Open the email we just sent you and press its button to confirm your address."
    ),
    "code_reset": Notice("", "New code made. The old QR code and link no longer work."),
    "joined": Notice(
        "You're in!", "Swap details with anyone here, and find the others in the list of people."
    ),
    "joined_after": Notice(
        "You're in.",
        "The event has ended: find the people who were there in its list, and ask to connect.",
    ),
    "requested": Notice("Request sent.", "They will see it in their requests."),
    "restored": Notice("", "{name} is back in your contacts, and you in theirs."),
    # "Accept and share my card" (sharing_routes). Not a word of their "You met" email: it goes
    # if it can (limits, an unsubscribe), and saying whether would tell which addresses have
    # an account (queue_met_mail() in sql/logic.sql); the welcome page promised it already.
    "accepted": Notice("Accepted.", "{name} now sees all your card."),
    "accepted_before": Notice(
        "", "{name} was accepted already: what they see of your card is under What they see of me."
    ),
    "declined": Notice("Declined.", "They are not told, and see their request as sent."),
    "matching_saved": Notice(
        "Saved to your card.", "“Who can help me” now matches you with people here by it."
    ),
    "request_withdrawn": Notice(
        "Request withdrawn.", "It is no longer in their requests. You can ask again at the event."
    ),
    "event_saved": Notice("", "Saved. Everyone here sees the event as it is now."),
    "left_event": Notice(
        "You left the event.", "You are off its list of people, and it is off this list."
    ),
    # The organizer's "New join code": the printed poster and handed-out links opened the old.
    "join_code_new": Notice(
        "", "New code made: the old poster no longer lets anyone in. Print or show this one."
    ),
    "event_closed": Notice(
        "Event closed.", "Nobody new can join, by code or poster; the people here stay."
    ),
    "attendee_removed": Notice(
        "Removed.", "They are off the list of people and can't rejoin from that account."
    ),
    "blocked": Notice(
        "Blocked.",
        "You two won't see each other at events, and can't swap details or send requests."
        " Settings lists the people you blocked.",
    ),
    "account_deleted": Notice(
        "Your account is deleted.",
        "Your card, your contacts and everything else of yours are gone from Reachout, and"
        " from this browser. The people you met no longer have you in their list.",
    ),
    "unblocked": Notice(
        "Unblocked.", "You can swap details again if you meet; your old connection stays gone."
    ),
    # A row's buttons on Follow-ups, sent without htmx (followups/routes.py ROW_NOTICES): the
    # list again, saying what was done and to whom, as the row's own line does with htmx.
    "followup_done": Notice(
        "", "{name}: marked done. To follow up again, open them under Contacts."
    ),
    # After midnight "Tomorrow" is this morning's 09:00: words true either way.
    "followup_snoozed": Notice("", "{name}: snoozed until the next morning, 09:00."),
    "followup_snoozed_later": Notice("", "{name}: snoozed. They are under Coming up."),
    "followup_reopened": Notice("", "{name}: open again."),
    # Done or turned off elsewhere since the list was shown: it stays so.
    "followup_closed": Notice("", "{name}: already done or turned off, so nothing changed."),
    # Undo after Tomorrow (a row's line offers it): put back, or overtaken since.
    "followup_unsnoozed": Notice("", "{name}: snooze undone."),
    "followup_unsnooze_refused": Notice(
        "", "{name}: done, snoozed again or reminded since, so nothing changed."
    ),
}


def swap_notice(*, they_wait: bool, i_wait: bool) -> str:
    """The notice a swap lands with, said as it is: ``they_wait`` for them to accept me,
    ``i_wait`` to accept them (``awaits_accept`` each way). Mine waiting comes first: they
    lack my card then, whatever I see of theirs, and accepting them is what is left to do."""
    if i_wait:
        return "swap_to_accept"
    return "swap_sent" if they_wait else "swapped"


def with_notice(path: str, key: str) -> str:
    """``path`` with the notice ``key`` to show once it is opened (in place of any notice
    its query had, the rest of the query kept)."""
    if key not in NOTICES:
        raise KeyError(f"no notice named {key!r}")
    page, _, query = path.partition("?")
    kept = [(name, value) for name, value in parse_qsl(query) if name != PARAM]
    return f"{page}?{urlencode([*kept, (PARAM, key)])}"


def notice_context(request: Request) -> dict[str, Any]:
    """The notice this page was opened with, if any (a Jinja2Templates context processor)."""
    notice = NOTICES.get(request.query_params.get(PARAM, ""))
    if notice is not None and notice.link is not None:
        notice = _linked(request, notice, *notice.link)
    return {"notice": notice}


def _linked(request: Request, notice: Notice, words: str, route: str, part: str) -> Notice:
    """``notice`` with ``words`` a link to the route's page. Its text becomes Markup, which
    the layout's escaping (``| e``) leaves as it is, and whose format() escapes the name."""
    before, _, after = notice.text.partition(words)
    link = Markup('<a href="{}">{}</a>').format(url_path(request, route) + part, words)
    return replace(notice, text=escape(before) + link + escape(after), link=None)
