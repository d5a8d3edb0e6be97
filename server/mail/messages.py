"""Each email, composed from a claimed outbox row: plain text and HTML (CSS inlined, readable
with images off and in dark mode), and headers built by the ``email`` package only.

A name is put into a header through ``email.utils.formataddr``, after every run of
whitespace (CR and LF included) is made one space: it is encoded (RFC 2047) when it is not
ASCII, or when it holds ``=?`` (what starts an encoded word, which a mail client would decode:
a right-to-left override the card form removes could come back that way), in as many encoded
words as its length needs (none over RFC 2047's 75 characters), and can never start a header
of its own. The MIME classes (``email.mime``) build the
message: measured at a third of the CPU of ``EmailMessage`` with the modern policy, whose
header parsing was most of a message's cost (bench/mail.py --profile).

What someone else typed (a card's name, headline or company, an event's name) is written
``unlinked`` (``server/mail/unlinked.py``), in the subject and both parts: it reads as typed,
but no mail app makes a link of a host or address in it. Not the reader's own notes (what she
promised, what they asked) in the message to start with, which she copies to send: a link she
wrote there stays whole.
"""

from __future__ import annotations

import binascii
import contextlib
import io
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.generator import BytesGenerator
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import Compat32
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import css_inline
import jinja2
from email_validator import EmailNotValidError, validate_email

from server.cards import fields, vcard, web_links
from server.config import PROJECT_ROOT
from server.followups import wording
from server.mail.links import MailLinks
from server.mail.unlinked import short_name, unlinked

TEMPLATES = PROJECT_ROOT / "web" / "templates" / "mail"
# How long a sign-in code works (server/signin/codes.py asks the same).
CODE_LIFETIME = timedelta(minutes=10)
# The note of the vCard "Save contact" gives (server/swaps/routes.py), which "You met" attaches.
VCARD_NOTE = "Added from Reachout."
# RFC 2047, section 2: an encoded word is at most 75 characters. Header's own limit is of the
# line, and lets a word on a continuation line reach 76: one less keeps every word within.
ENCODED_LINE = 75
# The kinds a list's headers suit: mail that comes again and again, unasked (RFC 2919), which a
# reader's filters sort by ``List-Id``. Not a code or a confirmation, asked for each time.
LIST_KINDS = frozenset({"reminder", "digest", "summary", "met"})


class Unsendable(ValueError):
    """The row cannot become a message (an address the email package refuses)."""


class OneLineHeaders(Compat32):
    """compat32, except that a header that is already one line of ASCII within the line
    limit is written as it is: every header we set is (names and subjects are encoded
    before they are set), and compat32's folding of each one through ``Header`` was a fifth
    of a message's cost. Anything else (a CR or LF, non-ASCII, a long line) is folded by
    compat32 as before."""

    def _as_is(self, name: str, value: Any) -> str | None:
        if (
            isinstance(value, str)
            and value.isascii()
            and "\r" not in value
            and "\n" not in value
            and len(name) + len(value) + 2 <= (self.max_line_length or 998)
        ):
            return f"{name}: {value}{self.linesep}"
        return None

    def fold(self, name: str, value: Any) -> str:
        return self._as_is(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        line = self._as_is(name, value)
        return line.encode("ascii") if line else super().fold_binary(name, value)


# Header lines are not folded below RFC 5322's 998 characters: a long List-Unsubscribe URL
# stays on its line, as some clients expect. Encoded names fold themselves.
POLICY = OneLineHeaders(max_line_length=998)


# Any line ending, as the stdlib's generator splits bodies (its own NLCRE).
LINE_ENDING = re.compile(r"\r\n|\r|\n")


class _Flattener(BytesGenerator):
    """The stdlib's generator, writing a body's lines in one go: it writes each line and each
    line ending on its own, half a million calls for 2,000 "You met" emails (the vCard's photo
    is many base64 lines)."""

    def _write_lines(self, lines: str) -> None:
        if lines:
            self.write(self._NL.join(LINE_ENDING.split(lines)))  # type: ignore[attr-defined]


def flatten(message: Message) -> bytes:
    """The message as SMTP sends it: CRLF line endings, each header as its policy writes it."""
    out = io.BytesIO()
    _Flattener(out, mangle_from_=False, policy=message.policy.clone(linesep="\r\n")).flatten(
        message
    )
    return out.getvalue()


def one_line(text: str) -> str:
    return " ".join(text.split())


def sendable_address(address: str) -> str:
    """``address`` as SMTP and a header carry it, its domain in ASCII (IDNA); Unsendable when
    it cannot be one address in ASCII (letters outside ASCII before the @ need SMTPUTF8,
    which we do not use; cards from before that check may hold such an address)."""
    if not address.isascii():
        try:
            valid = validate_email(address, check_deliverability=False, allow_smtputf8=False)
        except EmailNotValidError:
            raise Unsendable(f"the address cannot be written in ASCII: {address!r}") from None
        address = valid.ascii_email or ""
    if "@" not in address or parseaddr(address)[1] != address or any(c.isspace() for c in address):
        raise Unsendable(f"the address cannot be used: {address!r}")
    return address


def _written_as_is(text: str) -> bool:
    """Whether ``text`` reads the same in a header as it is: ASCII, and nothing a mail
    client would take for an encoded word (RFC 2047's ``=?charset?b?…?=``), which it decodes."""
    return text.isascii() and "=?" not in text


def encoded_words(text: str, header: str) -> str:
    """``text`` encoded whole (RFC 2047) for the header named ``header``, in as many encoded
    words as it needs, one a line: a long name in one word breaks the 75 characters a word
    may have, and a client may then show it raw. A reader joins the words again, ignoring the
    white space between them (section 6.2)."""
    return Header(text, "utf-8", maxlinelen=ENCODED_LINE, header_name=header).encode()


def address_header(header: str, name: str, address: str) -> str:
    """``Name <address>`` for the header named ``header``, the name encoded when it needs to
    be; Unsendable for an address the header could not carry as one address."""
    line, address = one_line(name), sendable_address(address)
    if line and not _written_as_is(line):
        # formataddr encodes only a name that is not ASCII, in one word however long: this
        # one is encoded whole, so that what looks like an encoded word shows as typed.
        return f"{encoded_words(line, header)} <{address}>"
    return formataddr((line, address), charset="utf-8")


def header_text(header: str, text: str) -> str:
    """A free-text header (the subject): as it is when it reads the same written as is,
    else encoded (RFC 2047)."""
    line = one_line(text)
    return line if _written_as_is(line) else encoded_words(line, header)


def text_part(text: str, subtype: str) -> MIMENonMultipart:
    """A text/<subtype> part in quoted-printable UTF-8: readable in the raw message, 7-bit on
    the wire, lines within SMTP's limit whatever the text (a reach-out link can be long).
    Encoded by ``binascii`` (C) rather than ``email.charset`` (pure Python, a tenth of a
    message's cost); no MIME-Version of its own, which only the message needs."""
    part = MIMENonMultipart("text", subtype, policy=POLICY, charset="utf-8")
    del part["MIME-Version"]
    part["Content-Transfer-Encoding"] = "quoted-printable"
    part.set_payload(binascii.b2a_qp(text.encode("utf-8"), istext=True).decode("ascii"))
    return part


def boundary() -> str:
    """A multipart boundary no part can contain: every part is quoted-printable, where "="
    is always followed by two hex digits, so "=_" never occurs (RFC 2045, 6.7). Set here
    because the generator's own search for a safe one compiled a regular expression per
    message (a tenth of its cost)."""
    return f"=_{secrets.token_hex(12)}"


class InlinedStyles(jinja2.FileSystemLoader):
    """The mail templates, their CSS already inlined into ``style`` attributes once, when a
    template is loaded, rather than in every rendered message (a seventh of a message's
    cost). The layout is inlined as the document it is; every other HTML template as a
    fragment with the layout's ``<style>``, so a class must not depend on a template
    expression (write each variant out). Media queries (dark mode) cannot be inlined: they
    stay in the layout's ``<style>``."""

    def __init__(self, path: Path, layout: str = "layout.html") -> None:
        super().__init__(path)
        self._inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
        found = re.search(r"<style>(.*?)</style>", (path / layout).read_text(), re.DOTALL)
        self._css = found.group(1) if found else ""
        self._layout = layout

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if template == self._layout:
            source = self._inliner.inline(source)
        elif template.endswith(".html"):
            source = self._inliner.inline_fragment(source, self._css)
        return source, filename, uptodate


@dataclass
class Composer:
    mail_from: str
    links: MailLinks
    roster_days: int = 30  # ROSTER_DAYS: how long a digest says the list of people stays open
    _env: jinja2.Environment = field(init=False)
    _domain: str = field(init=False)
    _from: str = field(init=False)
    _list_id: str = field(init=False)

    def __post_init__(self) -> None:
        self._env = jinja2.Environment(
            loader=InlinedStyles(TEMPLATES),
            auto_reload=False,  # read once: checking each file per message cost a stat each
            autoescape=jinja2.select_autoescape(["html"]),
            trim_blocks=False,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
        )
        # Card links and addresses are read again as the app's pages read them (cards/).
        self._env.filters.update(
            phone=fields.display_phone,
            web_link=web_links.shown,
            mailto=fields.mailto_url,
            tel=lambda number: fields.phone_url("tel", number),
            # What someone else typed (names, headlines, an event's name): never a link.
            unlinked=unlinked,
        )
        name, address = parseaddr(self.mail_from)
        self._domain = address.rpartition("@")[2] or "localhost"
        self._from = formataddr((name, address), charset="utf-8")
        host = urlsplit(self.links.base_url).hostname or self._domain
        self._list_id = f"Reachout <reachout.{host}>"

    def stale(self, row: Any) -> str | None:
        """Why the row is no longer worth sending, or None."""
        if row["kind"] in ("code", "delete_code", "merge_code", "prove_code"):
            # Asked for by someone waiting: sent even to an unsubscribed address, not when late.
            late = datetime.now(UTC) - row["created_at"] > CODE_LIFETIME
            return "expired" if late or row["code"] is None else None
        if row["kind"] == "confirm" and not row["on_card"]:
            # Asked for before the card's address changed (a slip fixed): the address may be
            # someone else's, and the button would confirm nothing (server/mail/routes.py).
            return "not on the card"
        if row["unsubscribed_at"] is not None and row["kind"] != "confirm":
            # A confirmation goes to an unsubscribed address at most once a week (Settings
            # asks: mail.confirm_refused), and only its button, pressed there, undoes it.
            return "unsubscribed"
        if row["kind"] != "confirm" and row["bounced_at"] is not None:
            return "bouncing"
        if row["kind"] in ("reminder", "digest", "summary") and not row["reminded_there"]:
            # Queued for a later hour, and meanwhile the card's address changed or reminders
            # went to push: the old inbox is no longer where this person is reminded. Skipped,
            # it goes by push instead when that is how reminders come now (skip_email() in
            # sql/logic.sql, which mail.mark_skipped calls).
            return "not reminded there"
        if row["kind"] == "reminder" and (
            row["followup_status"] != "open" or row["followup_round"] != row["round"]
        ):
            return "followed up"
        if row["kind"] == "summary" and not row["summary_waiting"]:
            return "followed up"
        if row["kind"] == "met" and row["about_name"] is None:
            return "gone"
        return None

    def compose(self, row: Any, now: datetime, photo_jpeg: bytes | None = None) -> Message:
        """The message for ``row``; ``photo_jpeg``, of the card "You met" attaches (the
        worker loads it: ``about_photo_key``), goes into its vCard."""
        context, unsubscribe, reply_to, attached = getattr(self, f"_{row['kind']}")(row, now)
        kind = row["kind"]
        url = self.links.unsubscribe(row["to_address"]) if unsubscribe else None
        context["unsubscribe_url"] = url
        # A subject may carry a name someone typed: no link of it in the HTML's title either.
        context["subject"] = unlinked(context["subject"])
        body = MIMEMultipart("alternative", boundary=boundary(), policy=POLICY)
        body.attach(text_part(self._env.get_template(f"{kind}.txt").render(context), "plain"))
        body.attach(text_part(self._env.get_template(f"{kind}.html").render(context), "html"))
        message: Message = body
        if attached is not None:
            # The vCard "Save contact" gives: its note, and the photo when the card has one.
            vcard_text = vcard.build(attached, note=VCARD_NOTE, photo_jpeg=photo_jpeg)
            message = MIMEMultipart("mixed", boundary=boundary(), policy=POLICY)
            message.attach(body)
            card = text_part(vcard_text, "vcard")
            card["Content-Disposition"] = vcard.disposition(attached["name"])
            message.attach(card)
        message["From"] = self._from
        # A sign-in code goes to an address, not a person: several cards may carry it, and
        # the code does not know yet whose it is ("Which card is yours?").
        name = "" if kind == "code" else row["recipient_name"]
        message["To"] = address_header("To", name, row["to_address"])
        if reply_to is not None:
            # The person met, whose card may hold an address from before the check on
            # letters before the @: the message goes without a Reply-To rather than not at all.
            with contextlib.suppress(Unsendable):
                message["Reply-To"] = address_header("Reply-To", *reply_to)
        message["Subject"] = header_text("Subject", context["subject"])
        message["Date"] = format_datetime(now)
        # The same on every try, so a copy sent twice is recognisably one message.
        created = int(row["created_at"].timestamp())
        message["Message-ID"] = f"<{row['id']}.{created}@{self._domain}>"
        # Every email is sent by the app, not typed by someone: an out-of-office reply must
        # not answer it (RFC 3834), least of all "You met", whose Reply-To is the person met.
        message["Auto-Submitted"] = "auto-generated"
        if kind in LIST_KINDS:
            message["List-Id"] = self._list_id
        if url is not None:
            message["List-Unsubscribe"] = f"<{url}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        return message

    # Each kind: the template's context, whether it can be unsubscribed from, a Reply-To,
    # and the card to attach as a vCard.
    def _met(self, row: Any, now: datetime) -> tuple[dict[str, Any], bool, Any, Any]:
        card = {name: row[f"about_{name}"] or "" for name in fields.FIELD_NAMES}
        contact = {**card, "met_at": row["created_at"], "met_event_name": row["about_event_name"]}
        words = wording.message(
            row["recipient_name"], contact, now, row["time_zone"], read_later=True
        )
        context = {
            # The name cut short: the email gives it whole (a card's name can say anything).
            "subject": f"You met {short_name(card['name'])}",
            "first_name": wording.first_name(row["recipient_name"]) or "there",
            "card": card,
            "event_name": row["about_event_name"],
            "reach_out": _reach_out(contact, words),
            "words": _words_shown(row["recipient_name"], contact, now, row["time_zone"]),
            "confirm_url": self.links.confirm(row["id"]),
            # Typed in for them on the Tap screen (a guest card): the email opens with who typed
            # them and ends with how the address got here (they left nothing on a card), as
            # when it was queued: a sign-in since changes neither. Not said to someone who left
            # their details on their own phone: the card is there already.
            "typed_for_them": bool(row["typed_for_them"]),
            # Still a guest card (not signed in to since): how to keep it or delete it, which
            # signing in with this address offers (server/signin/starting.py). Once claimed
            # (or merged into their own), it is theirs already.
            "guest_card": bool(row["recipient_guest"]),
            "address": row["to_address"],
            "sign_in_url": self.links.page(None, "sign_in"),
        }
        reply_to = (card["name"], card["email"]) if card["email"] else None
        return context, True, reply_to, card

    def _reminder(self, row: Any, now: datetime) -> tuple[dict[str, Any], bool, Any, Any]:
        contact = {
            "name": row["contact_name"],
            "email": row["contact_email"],
            "phone": row["contact_phone"],
            "linkedin": row["contact_linkedin"],
            "looking_for": row["contact_looking_for"],
            "met_at": row["met_at"],
            "promised": row["promised"],
            "they_asked": row["they_asked"],
            "met_event_name": row["met_event_name"],
        }
        # Their name and the event's as no link (what they typed); the notes are the
        # reader's own, a link in them may stay one. The notes go below the links: a phone
        # shows an email's first lines on its lock screen, as it shows a push.
        title, body, notes = wording.reminder_parts(
            _strangers_unlinked(contact), now, row["time_zone"]
        )
        words = wording.message(
            row["recipient_name"], contact, now, row["time_zone"], read_later=True
        )
        followup, round_ = row["followup_id"], row["round"]
        context = {
            "subject": title,
            "title": title,
            "body": body,
            "notes": notes,
            "name": row["contact_name"],
            "reach_out": _reach_out(contact, words),
            "words": _words_shown(row["recipient_name"], contact, now, row["time_zone"]),
            "done_url": self.links.followup(followup, round_, "done"),
            "snooze_url": self.links.followup(followup, round_, "snooze"),
            "contact_url": self.links.page(
                row["account_id"], "contact", contact_id=row["contact_id"]
            ),
            "settings_url": self.links.page(row["account_id"], "settings"),
            "why_by_email": wording.why_by_email(row["reminders_by"]),
        }
        return context, True, None, None

    def _digest(self, row: Any, now: datetime) -> tuple[dict[str, Any], bool, Any, Any]:
        title, body = wording.digest(
            row["digest_met"], row["digest_waiting"], row["digest_event_name"], self.roster_days
        )
        event_id = row["digest_event_id"]
        if row["digest_met"] and row["digest_waiting"]:
            button = (
                "See who to follow up",
                self.links.page(row["account_id"], "followups", {"event": event_id}),
            )
        else:
            # Nobody met there: the people who were, to find whom they missed. All followed
            # up: the same list, open for a while yet (the event's follow-ups are empty).
            button = (
                "See who was there",
                self.links.page(row["account_id"], "event_people", event_id=event_id),
            )
        context = {
            "subject": title,
            "title": title,
            "body": body,
            "button": button[0],
            "followups_url": button[1],
            "settings_url": self.links.page(row["account_id"], "settings"),
            "why_by_email": wording.why_by_email(row["reminders_by"]),
        }
        return context, True, None, None

    def _summary(self, row: Any, now: datetime) -> tuple[dict[str, Any], bool, Any, Any]:
        title, body = wording.summary(row["summary_waiting"])
        context = {
            "subject": title,
            "title": title,
            "body": body,
            "followups_url": self.links.page(row["account_id"], "followups"),
            "settings_url": self.links.page(row["account_id"], "settings"),
            "why_by_email": wording.why_by_email(row["reminders_by"]),
        }
        return context, True, None, None

    def _code(self, row: Any, now: datetime) -> tuple[dict[str, Any], bool, Any, Any]:
        context = {
            "subject": f"Your Reachout code: {row['code']}",
            "code": _code_groups(row["code"]),
            "works_for": _works_for(row, now),
        }
        return context, False, None, None

    def _delete_code(self, row: Any, now: datetime) -> tuple[dict[str, Any], bool, Any, Any]:
        return self._account_code(row, now, "delete your Reachout account")

    def _merge_code(self, row: Any, now: datetime) -> tuple[dict[str, Any], bool, Any, Any]:
        return self._account_code(row, now, "merge your Reachout account")

    def _prove_code(self, row: Any, now: datetime) -> tuple[dict[str, Any], bool, Any, Any]:
        return self._account_code(row, now, "confirm it's you")

    def _account_code(
        self, row: Any, now: datetime, to_do: str
    ) -> tuple[dict[str, Any], bool, Any, Any]:
        """A code that proves to one of its sessions that the account is its owner's, for
        ``to_do`` (its subject says what)."""
        context = {
            # The code first, as the sign-in code's: a phone's notification shows the start.
            "subject": f"{row['code']} is your code to {to_do}",
            "code": _code_groups(row["code"]),
            "works_for": _works_for(row, now),
            "settings_url": self.links.page(row["account_id"], "settings"),
        }
        return context, False, None, None

    def _confirm(self, row: Any, now: datetime) -> tuple[dict[str, Any], bool, Any, Any]:
        context = {
            "subject": "Confirm your address for Reachout",
            "address": row["to_address"],
            # Whose card asked: the address may be on someone else's by a slip, or on purpose.
            "card_name": row["recipient_name"],
            "confirm_url": self.links.confirm(row["id"]),
        }
        # Any card carrying an address can ask for one (10 a day to an address, from cards
        # enough): it can be unsubscribed from, after which one a week at most goes there
        # (mail.confirm_refused), whose button subscribes the address again.
        return context, True, None, None


def _works_for(row: Any, now: datetime) -> str:
    """How long the code in ``row`` still works, as the email says it: what is left of its
    ``CODE_LIFETIME`` (made with the email, in one transaction), not all of it, as a retry
    may send it minutes later. To the nearest minute, so that one sent at once says 10."""
    left = row["created_at"] + CODE_LIFETIME - now
    minutes = round(left.total_seconds() / 60)
    if left < timedelta(minutes=1):
        return "less than a minute"
    return "the next minute" if minutes == 1 else f"the next {minutes} minutes"


def _code_groups(code: str) -> str:
    return f"{code[:4]} {code[4:]}"


# What the message to start with takes from others: the contact's name, what their card says
# they look for, the event's name (whoever made it). Not the reader's own notes on the contact
# (what she promised them, what they asked her): a link she wrote there is hers to send.
STRANGER_TYPED = ("name", "looking_for", "met_event_name")


def _strangers_unlinked(contact: dict[str, Any]) -> dict[str, Any]:
    """``contact`` with what someone else typed in it ``unlinked``, the reader's notes as is."""
    return {
        **contact,
        **{key: unlinked(contact[key] or "") for key in STRANGER_TYPED if key in contact},
    }


def _words_shown(my_name: str, contact: dict[str, Any], now: datetime, tz: str) -> str:
    """The message to start with as the plain text shows it, to be copied: what others typed
    in it as no link, the reader's own notes whole (a link in them still works once copied
    and sent). Her own name is a name as well: a guest card's was typed by the card's owner.
    The mail and SMS buttons carry the message as typed (``_reach_out``): the reader's own
    app opens with it, and the mark would go with it to the person written to."""
    return wording.message(
        unlinked(my_name), _strangers_unlinked(contact), now, tz, read_later=True
    )


def _reach_out(contact: dict[str, Any], words: str) -> list[dict[str, str]]:
    """The reach-out buttons: each one's label, its link (the mail or SMS app with ``words``,
    or LinkedIn), and what the plain-text part shows instead (``shown``): the address or
    number, as the link with the message in it is hundreds of percent-encoded characters."""
    first = wording.first_name(contact["name"])
    # "Message … on LinkedIn", not "LinkedIn": the card above has a "LinkedIn:" line already.
    labels = {
        "email": f"Email {first}",
        "sms": f"Text {first}",
        "linkedin": f"Message {first} on LinkedIn",
    }
    found = []
    for channel, label in labels.items():
        url = wording.reach_out_url(channel, contact, words)
        if url is not None:
            shown = {
                "email": contact["email"],
                "sms": fields.display_phone(contact["phone"] or ""),
                "linkedin": url,
            }[channel]
            found.append({"label": label, "url": url, "shown": shown})
    return found
