"""Follow-ups: the list of who to reach out to, and done / snooze / off / undo / reach out."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.contacts.contacts import NO_CONTACTS, load_contact, load_followup, unreached_fix
from server.db.pool import Connection
from server.db.queries import Queries
from server.export import downloads
from server.followups import calendar_file, notifications, push_actions, wording
from server.mail import links
from server.web import errors, signing
from server.web.auth import signed_in, signed_in_account, tab_count, viewer
from server.web.forms import an_id, read_form, text
from server.web.htmx import htmx, trigger_client_event
from server.web.notices import with_notice
from server.web.templating import render
from server.web.urls import url_path

ACTIONS = ("done", "snooze", "off", "undo", "unsnooze")
# What a row of the Follow-ups list sends (``from=list``): Done, Tomorrow, and Undo after
# either. Its answer is the row (or, sent without htmx, the list again with a notice), not the
# contact page's #followup section.
FROM_LIST = "list"
ROW_ACTIONS = ("done", "snooze", "undo", "unsnooze")
# The list's notices after a row's button sent without htmx: each names its person, given as
# ``contact`` in the list's address (read back as the owner's, so no address names another's).
ROW_NOTICES = (
    "followup_done",
    "followup_snoozed",
    "followup_snoozed_later",
    "followup_reopened",
    "followup_closed",
    "followup_unsnoozed",
    "followup_unsnooze_refused",
)
# Undo after a snooze carries what the follow-up was before it (SnoozeUndo), signed for this
# follow-up and its owner: nothing is kept on the server for an Undo that is mostly never
# tapped, and followups.unsnooze puts it back only while the follow-up is as that snooze left
# it, so an old or replayed Undo changes nothing.
UNSNOOZE_PURPOSE = "followup-unsnooze"
UNSNOOZE_REFUSED = "Nothing changed: this follow-up was done, snoozed again or reminded since."
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The list's rows at most: the follow-ups due most recently, and the next ones coming up,
# limited apart so neither crowds out the other (500 in all, as the one list was before).
DUE_SHOWN = 400
LATER_SHOWN = 100
# The calendar file's entries: every follow-up coming up (to this many), and the overdue ones
# due most recently only: fifty alarms at once is already more than anyone works through.
CALENDAR_OVERDUE = 50
CALENDAR_LATER = 500
# The calendar file is made and sent as an export is, one of them at a time: refused, it says
# so in its own words (a calendar was tapped), and that an export may be what it waits for.
CALENDAR_REFUSALS = downloads.Refusals(
    making="Your calendar file or an export is still being made. Try again in a moment.",
    sending="Three of your calendar files or exports are still on their way to this or another"
    " of your browsers. Once one of them has finished, try again.",
)
NOTIFICATION_EXPIRED = (
    "This reminder's buttons have expired. Open the follow-up to mark it done or snooze it."
)
NOTIFICATION_SIGNED_OUT = (
    "This reminder's buttons no longer work: the device it was sent to was signed out or"
    " removed. Sign in to mark the follow-up done or snooze it."
)


async def followups(request: Request) -> Response:
    await links.check_meant_for(request)  # a summary's or digest's "See who to follow up"
    account_id = viewer(request).account_id
    if account_id is None and errors.from_our_message(request):
        # Our email's link, in a browser not signed in: "Sign in to open this", not an empty
        # list (server/web/errors.py says it for every page behind a card).
        raise errors.NoCard(404, "")
    due: list[Any] = []
    later: list[Any] = []
    due_total = later_total = 0
    reach = None
    event_name = None
    event_id = None
    notice_name = None
    if account_id is not None:
        pool, sql = request.app.state.pool, request.app.state.sql
        notice_name = await _row_notice_name(request, account_id)
        event_id = an_id(request.query_params.get("event", ""))
        if event_id is not None:
            event_name = await sql.run(
                pool, "followups.event_name", event_id=event_id, owner_id=account_id
            )
            if event_name is None:
                # Not an event of theirs (or a mistyped link): everyone, rather than nobody.
                event_id = None
        rows = await sql.run(
            pool,
            "followups.list_open",
            owner_id=account_id,
            event_id=event_id,
            due_limit=DUE_SHOWN,
            later_limit=LATER_SHOWN,
        )
        if rows:
            reach = await sql.run(pool, "followups.reminders_reach", account_id=account_id)
        # Split as the query limited them: its now(), not this process's, draws the line.
        due = [row for row in rows if row["is_due"]]
        later = [row for row in rows if not row["is_due"]]
        due_total, later_total = len(due), len(later)
        if due_total == DUE_SHOWN or later_total == LATER_SHOWN:
            # A limit reached: the page says how many there are, not only how many fit.
            counts = await sql.run(
                pool, "followups.open_counts", owner_id=account_id, event_id=event_id
            )
            due_total = max(due_total, counts["due"])
            later_total = max(later_total, counts["later"])
    now = datetime.now(UTC)
    return render(
        request,
        "followups.html",
        {
            "due": due,
            "later": later,
            "due_total": due_total,
            "later_total": later_total,
            "now": now,
            "tz": viewer(request).time_zone,
            "unreached_fix": wording.unreached_fix(reach),
            "event_name": event_name,
            # Kept by the rows' buttons, so that without htmx they come back to this list.
            "event_id": event_id,
            **({"notice_name": notice_name} if notice_name is not None else {}),
        },
    )


async def _row_notice_name(request: Request, account_id: int) -> str | None:
    """The person a row's notice is about (``?contact=``, one of ``account_id``'s contacts),
    when the list opens with one of ``ROW_NOTICES``; else None. A contact gone meanwhile (or
    a link edited) is named as "This follow-up", not left as a blank before the colon."""
    if request.query_params.get("notice") not in ROW_NOTICES:
        return None
    contact_id = an_id(request.query_params.get("contact"))
    contact = None
    if contact_id is not None:
        contact = await request.app.state.sql.run(
            request.app.state.pool, "contacts.get", id=contact_id, owner_id=account_id
        )
    return "This follow-up" if contact is None else str(contact["name"])


async def _followup_fragment(
    request: Request,
    contact: Any,
    *,
    status_code: int = 200,
    error: str | None = None,
    snooze_date: str = "",
    undo: str | None = None,
    undone: bool = False,
    snooze_undo: SnoozeUndo | None = None,
    unsnoozed: bool | None = None,
    open_url: str | None = None,
) -> Response:
    followup = await load_followup(request, contact)
    response = render(
        request,
        "_followup.html",
        {
            "contact": contact,
            "followup": followup,
            "unreached_fix": await unreached_fix(request, followup),
            "now": datetime.now(UTC),
            "tz": viewer(request).time_zone,
            "followup_error": error,
            "snooze_date": snooze_date,
            "undo": undo,
            "undone": undone,
            # After a snooze: its Undo (SnoozeUndo); after that Undo, whether it changed it.
            "snooze_undo": snooze_undo,
            "unsnoozed": unsnoozed,
        },
        status_code=status_code,
    )
    if open_url:
        # app.js opens the mail/SMS/LinkedIn link once the new state is shown.
        trigger_client_event(response, "reachout:open", open_url, after="settle")
    return response


@signed_in(status_code=404, message=NO_CONTACTS)
async def followup_change(request: Request) -> Response:
    """POST /contacts/<id>/followup: done, snooze (days or a date), off, undo (after done or
    off), or unsnooze (Undo after a snooze). From a row of the Follow-ups list
    (``from=list``), answered with that row: ``_row_answer``."""
    form = await read_form(request)
    owner_id, contact = await load_contact(request)
    action = text(form, "action")
    from_list = text(form, "from") == FROM_LIST
    if action not in (ROW_ACTIONS if from_list else ACTIONS):
        raise HTTPException(400, "That is not something a follow-up can do.")
    pool, sql = request.app.state.pool, request.app.state.sql
    followup = await load_followup(request, contact)
    if followup is None:
        raise HTTPException(404, "That contact has no follow-up.")
    error, undo, undone, snoozed = None, None, False, False
    snooze_undo: SnoozeUndo | None = None
    unsnoozed: bool | None = None  # asked for (Undo after a snooze): whether it changed it
    if action == "done":
        # A page shown before the follow-up was turned off elsewhere: it stays off, and no
        # "Undo" is offered that would reopen it (mark_done changes an open one only; so
        # does turn_off, for one done elsewhere).
        if await sql.run(pool, "followups.mark_done", id=followup["id"], owner_id=owner_id):
            undo = "done"
    elif action == "off":
        if await sql.run(pool, "followups.turn_off", id=followup["id"], owner_id=owner_id):
            undo = "off"
    elif action == "undo":
        undone = bool(await sql.run(pool, "followups.reopen", id=followup["id"], owner_id=owner_id))
    elif action == "unsnooze":
        unsnoozed = await _unsnooze(request, form, followup["id"], owner_id)
    elif from_list and followup["status"] != "open":
        # The list shown before it was done or turned off elsewhere: "Tomorrow" there was
        # about an open one, and must not reopen one followed up since (the contact page's
        # "Remind me tomorrow" is how one done is asked about again).
        pass
    else:
        error, snooze_undo = await _snooze(request, form, followup["id"], owner_id)
        snoozed = error is None
    if from_list:
        if error:
            raise HTTPException(422, error)
        changed = {
            "done": undo is not None,
            "undo": undone,
            "snooze": snoozed,
            "unsnooze": bool(unsnoozed),
        }[action]
        return await _row_answer(
            request, form, contact, action=action, changed=changed, snooze_undo=snooze_undo
        )
    if htmx(request):
        # A refused date stays in its field, to be corrected rather than picked again. An
        # Undo that changed nothing is a 409, so that #flash does not say it did (data-sent).
        return await _followup_fragment(
            request,
            contact,
            status_code=422 if error else 409 if unsnoozed is False else 200,
            error=error,
            snooze_date=text(form, "date") if error else "",
            undo="snoozed" if snooze_undo else undo,
            undone=undone,
            snooze_undo=snooze_undo,
            unsnoozed=unsnoozed,
        )
    if error:
        raise HTTPException(422, error)
    if unsnoozed is False:
        raise HTTPException(409, UNSNOOZE_REFUSED)
    back = text(form, "next")
    if back != url_path(request, "followups"):
        back = url_path(request, "contact", contact_id=contact["id"])
    return RedirectResponse(back, status_code=303)


async def _row_answer(
    request: Request,
    form: Any,
    contact: Any,
    *,
    action: str,
    changed: bool,
    snooze_undo: SnoozeUndo | None = None,
) -> Response:
    """A row of the Follow-ups list after its button: with htmx, the row as it is now. A line
    saying what was done ("Dana Lee: marked done.", "snoozed until …", each with Undo), or,
    after Undo, the row again; one done or turned off elsewhere meanwhile, or an Undo of a
    snooze overtaken since (nothing changed), says so, as a 409, so that #flash does not also
    say the button's words (data-sent: 2xx only). Without htmx, back to the list (its event
    kept) with a notice naming the person."""
    event_id = an_id(text(form, "event"))
    if not htmx(request):
        if action == "unsnooze":
            notice = "followup_unsnoozed" if changed else "followup_unsnooze_refused"
        elif not changed:
            notice = "followup_closed"
        elif action == "snooze":
            notice = "followup_snoozed" if text(form, "days") == "1" else "followup_snoozed_later"
        else:
            notice = "followup_reopened" if action == "undo" else "followup_done"
        kept = [("event", event_id)] if event_id else []
        query = urlencode([*kept, ("contact", contact["id"])])
        back = with_notice(f"{url_path(request, 'followups')}?{query}", notice)
        return RedirectResponse(back, status_code=303)
    followup = await load_followup(request, contact)
    if followup is None:  # its contact removed meanwhile, on another phone
        raise HTTPException(404, "That contact has no follow-up.")
    item = {
        "contact_id": contact["id"],
        "name": contact["name"],
        "photo_key": contact["photo_key"],
        "promised": contact["promised"],
        "status": followup["status"],
        "due_at": followup["due_at"],
        "snoozed": followup["snoozed"],
        "delivery_failed": followup["push_undelivered"] or followup["email_undelivered"],
    }
    now = datetime.now(UTC)
    tz = viewer(request).time_zone
    context = {
        "item": item,
        "now": now,
        "tz": tz,
        "unreached_fix": await unreached_fix(request, followup),
        "event_id": event_id,
        # The tab's number (and the app icon's) as the change left it: out of band.
        "tab": await tab_count(request),
    }
    if followup["status"] == "open" and action in ("undo", "unsnooze") and changed:
        return render(request, "_followup_row.html", context)
    if action == "unsnooze" and followup["status"] == "open":
        said = "overtaken"  # snoozed again or reminded since: Undo changed nothing
    elif not changed or action in ("undo", "unsnooze"):  # undone, and closed again at once
        said = "closed"
    elif action == "snooze":
        said = "snoozed"
    else:
        said = "done"
    return render(
        request,
        "_followup_row_changed.html",
        {**context, "said": said, "snooze_undo": snooze_undo},
        status_code=409 if said in ("closed", "overtaken") else 200,
    )


async def _snooze(
    request: Request, form: Any, followup_id: int, owner_id: int
) -> tuple[str | None, SnoozeUndo | None]:
    """Snooze by ``days`` or to a ``date``: what is wrong with the date, or its Undo (None
    when the follow-up was not open: "Remind me tomorrow" on one done or turned off, whose
    "Mark done" or "No reminder", there again, is the way back)."""
    pool, sql = request.app.state.pool, request.app.state.sql
    days = text(form, "days")
    if days in wording.SNOOZE_DAYS:
        row = await sql.run(
            pool,
            "followups.snooze_days",
            id=followup_id,
            owner_id=owner_id,
            days=wording.SNOOZE_DAYS[days],
        )
    else:
        tz = viewer(request).time_zone
        try:
            due = wording.snooze_until(text(form, "date"), datetime.now(UTC), tz)
        except wording.InvalidSnooze as invalid:
            return str(invalid), None
        row = await sql.run(pool, "followups.snooze", id=followup_id, owner_id=owner_id, due_at=due)
    if row is None or row["was_status"] != "open":
        return None, None
    return None, SnoozeUndo.of(request.app.state.settings.secret_key, owner_id, row)


async def _unsnooze(request: Request, form: Any, followup_id: int, owner_id: int) -> bool:
    """Undo a snooze (the form's ``snooze``, a SnoozeUndo's token): whether it was put back.
    A token not signed for this follow-up is refused (403)."""
    undo = SnoozeUndo.read(
        request.app.state.settings.secret_key, followup_id, owner_id, text(form, "snooze")
    )
    if undo is None:
        raise HTTPException(403, "That Undo is not valid. Open the follow-up to change it.")
    return bool(
        await request.app.state.sql.run(
            request.app.state.pool,
            "followups.unsnooze",
            id=followup_id,
            owner_id=owner_id,
            round=undo.round,
            until=undo.until,
            due_at=undo.was_due_at,
            snoozed=undo.was_snoozed,
        )
    )


def _micros(at: datetime) -> int:
    """``at`` exactly, as PostgreSQL keeps it: whole microseconds since 1970."""
    return (at - _EPOCH) // timedelta(microseconds=1)


@dataclass(frozen=True)
class SnoozeUndo:
    """What Undo after a snooze of follow-up ``followup_id`` puts back: its due time and
    snoozed state before (``was_*``), in the round before ``round``, the one the snooze made
    (due ``until``). Travels in the Undo form as ``token``, signed with the follow-up and its
    owner (``server/web/signing.py``)."""

    followup_id: int
    round: int
    until: datetime
    was_due_at: datetime
    was_snoozed: bool
    token: str

    @classmethod
    def of(cls, secret_key: str, owner_id: int, snoozed: Any) -> SnoozeUndo:
        """The Undo of a snooze, from followups.snooze's (or snooze_days') row."""
        fields = ".".join(
            str(part)
            for part in (
                snoozed["round"],
                _micros(snoozed["due_at"]),
                _micros(snoozed["was_due_at"]),
                int(snoozed["was_snoozed"]),
            )
        )
        signature = signing.sign(secret_key, UNSNOOZE_PURPOSE, snoozed["id"], owner_id, fields)
        return cls(
            followup_id=snoozed["id"],
            round=snoozed["round"],
            until=snoozed["due_at"],
            was_due_at=snoozed["was_due_at"],
            was_snoozed=snoozed["was_snoozed"],
            token=f"{fields}.{signature}",
        )

    @classmethod
    def read(
        cls, secret_key: str, followup_id: int, owner_id: int, token: str
    ) -> SnoozeUndo | None:
        """The Undo ``token`` carries, when signed for this follow-up and owner; else None."""
        fields, _, signature = token.rpartition(".")
        parts = fields.split(".")
        if len(parts) != 4 or not all(p.isascii() and p.isdigit() and len(p) < 19 for p in parts):
            return None
        signed = (followup_id, owner_id, fields)
        if not signing.verify(secret_key, signature, UNSNOOZE_PURPOSE, *signed):
            return None
        round_, until, was_due_at, was_snoozed = (int(part) for part in parts)
        return cls(
            followup_id=followup_id,
            round=round_,
            until=_EPOCH + timedelta(microseconds=until),
            was_due_at=_EPOCH + timedelta(microseconds=was_due_at),
            was_snoozed=bool(was_snoozed),
            token=token,
        )

    @property
    def was(self) -> dict[str, Any]:
        """The follow-up as it was before the snooze, for ``followup_state`` (what Undo will
        make it: "Due now")."""
        return {"status": "open", "due_at": self.was_due_at, "snoozed": self.was_snoozed}


@signed_in(status_code=404, message=NO_CONTACTS)
async def reach_out(request: Request) -> Response:
    """Open email, SMS or LinkedIn with a worded message, and count it as followed up."""
    form = await read_form(request)
    owner_id, contact = await load_contact(request)
    channel = text(form, "via")
    me = await request.app.state.sql.run(request.app.state.pool, "cards.get", account_id=owner_id)
    now = datetime.now(UTC)
    words = wording.message(me["name"], contact, now, viewer(request).time_zone)
    url = wording.reach_out_url(channel, contact, words)
    if url is None:
        raise HTTPException(400, "They did not share a way to reach them like that.")
    followup = await load_followup(request, contact)
    # Only an open follow-up is marked done, and only then is "Undo" offered: one she turned
    # off stays off, one done stays done, and Undo (reopen) never turns a reminder back on
    # that she had turned off, nor lists again someone she had followed up with.
    marked = followup is not None and bool(
        await request.app.state.sql.run(
            request.app.state.pool, "followups.mark_done", id=followup["id"], owner_id=owner_id
        )
    )
    if htmx(request):
        return await _followup_fragment(
            request, contact, undo="done" if marked else None, open_url=url
        )
    # Without JavaScript: a page with the link, since the CSP's form-action 'self' blocks a
    # form POST's redirect to mailto: or sms:.
    first = wording.first_name(contact["name"])
    labels = {
        "email": f"Open your email app to write to {first}",
        "sms": f"Open your messages to text {first}",
        "linkedin": f"Open {first}'s LinkedIn",
    }
    return render(
        request,
        "reach_out.html",
        {
            "contact": contact,
            "open_url": url,
            "via": channel,
            "label": labels[channel],
            # What the page says of the follow-up: as it is now, after this tap.
            "followup_status": "done" if marked else followup and followup["status"],
        },
    )


async def followup_from_notification(request: Request) -> Response:
    """The notification's "Done" / "Snooze" buttons, signed instead of CSRF-protected: for
    one round of the follow-up, for ``push_actions.ACTION_DAYS``, and while the device they
    were pushed to is still subscribed. A refusal is a page saying why; the service worker
    then opens the follow-up instead."""
    followup_id = request.path_params["followup_id"]
    action = request.path_params["action"]
    checked, owner_id, round_ = push_actions.check(
        request.app.state.settings.secret_key,
        followup_id,
        action,
        request.query_params,
        datetime.now(UTC),
    )
    if checked is push_actions.Check.FORGED:
        raise HTTPException(403, "That reminder link is not valid.")
    if checked is push_actions.Check.EXPIRED:
        raise HTTPException(410, NOTIFICATION_EXPIRED)
    pool, sql = request.app.state.pool, request.app.state.sql
    await _from_a_device_still_subscribed(request, followup_id, action, owner_id, round_)
    item = await sql.run(pool, "followups.for_mail_link", id=followup_id)
    if item is None or item["owner_id"] != owner_id:
        raise HTTPException(404, "That follow-up no longer exists.")
    # Only the round the notification was about, and only while it is open: a replayed
    # button (after a snooze, or after "Done" on another device) changes nothing.
    if action == "done":
        changed = await sql.run(pool, "followups.done_once", id=followup_id, round=round_)
    else:
        changed = await sql.run(pool, "followups.snooze_once", id=followup_id, round=round_, days=1)
    if changed is None:
        raise HTTPException(409, f"This reminder about {item['name']} was already done or snoozed.")
    return Response(status_code=204)


async def _from_a_device_still_subscribed(
    request: Request, followup_id: int, action: str, owner_id: int, round_: int
) -> None:
    """Refuse a button whose device (push subscription) was signed out or removed, or is not
    the owner's: a lost phone signed out from Settings must not act from its lock screen.
    Checked before the follow-up is looked at, so such a phone learns nothing of it (not even
    whom it was about). Buttons pushed before they named their device are refused as expired:
    one cannot tell them from a link stripped of its device, and the service worker opens the
    follow-up instead."""
    query = request.query_params
    device, device_signature = query.get("device"), query.get("dsig")
    if device is None and device_signature is None:
        raise HTTPException(410, NOTIFICATION_EXPIRED)
    if not (
        device is not None
        and device.isascii()
        and device.isdigit()
        and len(device) < 19
        and signing.verify(
            request.app.state.settings.secret_key,
            device_signature or "",
            notifications.DEVICE_PURPOSE,
            followup_id,
            owner_id,
            action,
            round_,
            int(device),
        )
    ):
        raise HTTPException(403, "That reminder link is not valid.")
    pool, sql = request.app.state.pool, request.app.state.sql
    if not await sql.run(pool, "push.still_subscribed", id=int(device), account_id=owner_id):
        raise HTTPException(410, NOTIFICATION_SIGNED_OUT)


async def _calendar_pieces(
    conn: Connection,
    *,
    sql: Queries,
    account_id: int,
    base_url: str,
    tz: str,
    contact_path: Callable[[int], str],
) -> AsyncGenerator[str, None]:
    """The calendar file as one piece, for ``downloads.download``."""
    rows = await sql.run(
        conn,
        "followups.upcoming_for_calendar",
        owner_id=account_id,
        overdue_limit=CALENDAR_OVERDUE,
        later_limit=CALENDAR_LATER,
        cancelled_days=calendar_file.CANCELLED_DAYS,
        cancelled_limit=calendar_file.CANCELLED_LIMIT,
    )
    # icalendar takes 0.4 s for 500 long entries: in a thread, the event loop serves others.
    body = await anyio.to_thread.run_sync(
        partial(
            calendar_file.build,
            rows,
            base_url=base_url,
            now=datetime.now(UTC),
            tz=tz,
            contact_path=contact_path,
        )
    )
    yield body.decode()


@signed_in(status_code=404, message="Save your card first.")
async def followups_calendar(request: Request) -> Response:
    """The calendar file, made and sent as an export is (``server/export/downloads.py``): one
    of the account's at a time (another while it is made: a 429 page), a few on their way at
    most, gzipped at the exports' fast level rather than GZipMiddleware's 9."""
    account_id = signed_in_account(request)
    return await downloads.download(
        request,
        partial(
            _calendar_pieces,
            sql=request.app.state.sql,
            account_id=account_id,
            base_url=request.app.state.settings.base_url,
            tz=viewer(request).time_zone,
            contact_path=lambda contact_id: url_path(request, "contact", contact_id=contact_id),
        ),
        account_id=account_id,
        filename="reachout-follow-ups.ics",
        media_type="text/calendar; charset=utf-8",
        refusals=CALENDAR_REFUSALS,
    )


routes = [
    Route("/followups", followups, name="followups"),
    Route("/followups.ics", followups_calendar, name="followups_calendar"),
    Route(
        "/followups/{followup_id:int}/{action:str}/from-notification",
        followup_from_notification,
        methods=["POST"],
        name="followup_from_notification",
    ),
    Route(
        "/contacts/{contact_id:int}/followup",
        followup_change,
        methods=["POST"],
        name="followup_change",
    ),
    Route("/contacts/{contact_id:int}/reach-out", reach_out, methods=["POST"], name="reach_out"),
]
