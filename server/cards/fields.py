"""The fields of a card and their validation: clear messages, normalised values."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from starlette.datastructures import FormData

from server.cards import web_links
from server.web.forms import text


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    max_length: int
    kind: str = "text"  # text | email | tel | url | linkedin | long
    hint: str = ""
    autocomplete: str = "off"

    @property
    def offline_check(self) -> dict[str, str]:
        """What the Tap page's offline check of this field needs (tap.js): the words this
        module refuses it in and, for LinkedIn, its rule. Empty for a field not checked."""
        return OFFLINE_CHECKS.get(self.kind, {})


FIELDS: tuple[Field, ...] = (
    Field("name", "Name", 100, autocomplete="name"),
    Field("headline", "Role or headline", 120, hint="e.g. Online marketing, fashion"),
    Field("company", "Company", 100, autocomplete="organization"),
    Field("email", "Email", 254, kind="email", autocomplete="email"),
    Field("phone", "Phone", 32, kind="tel", autocomplete="tel"),
    Field("linkedin", "LinkedIn", 500, kind="linkedin", hint="Profile link or username"),
    Field("website", "Website", 500, kind="url", autocomplete="url"),
    Field("other_link", "One more link", 500, kind="url", hint="Portfolio, GitHub, Instagram..."),
    Field("looking_for", "I'm looking for", 500, kind="long", hint="A job in, an intro to..."),
    Field("can_help_with", "I can help with", 500, kind="long", hint="Skills, people you know..."),
)
FIELD_NAMES = tuple(field.name for field in FIELDS)
BY_NAME = {field.name: field for field in FIELDS}


def card_values(values: dict[str, str]) -> dict[str, str]:
    """Every card field by name, blank where the form did not ask for it (the short
    forms): the named parameters of the queries that write a card."""
    return {name: values.get(name, "") for name in FIELD_NAMES}


# Fields the short "Leave your details" form asks for.
QUICK_FIELDS = ("name", "email", "phone", "linkedin", "headline")
# What matches people at an event (roster/matches.sql), asked on its page.
MATCHING_FIELDS = ("looking_for", "can_help_with")
REACH_FIELDS = ("email", "phone", "linkedin", "website", "other_link")


LINKEDIN_ONLY = "Use a linkedin.com link, or just your LinkedIn username."
# A LinkedIn value with none of these is a bare username, made into a link to its profile.
LINKEDIN_LINK_MARKS = "/.:"
# The site every LinkedIn link must be on, itself or a subdomain (web_links.is_linkedin).
LINKEDIN_SITE = "linkedin.com"
# What such a bare username may be: LinkedIn's own rule for a profile's address is 3 to 100
# letters, digits and hyphens. Letters of any script (its older addresses have them:
# /in/dana-müller), but none of ASCII's other characters, no space and no invisible
# character: "Dana Lee" (a name typed in) made a link to a profile nobody has. In the syntax
# Python's re and JavaScript's RegExp (flag "u") read alike, so tap.js tests the same rule.
LINKEDIN_USERNAME = (
    r"@*(?:[A-Za-z0-9-]|[^\x00-\x7f\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f"
    r"\u205f-\u206f\u3000\ufeff]){3,100}"
)
_LINKEDIN_USERNAME = re.compile(LINKEDIN_USERNAME)
NOT_LINKEDIN_USERNAME = (
    "A LinkedIn username is 3 to 100 letters, digits or hyphens."
    " Paste your profile link (linkedin.com/in/…) or your username."
)
BAD_EMAIL = "That email address does not look right."
BAD_PHONE = "That phone number does not look right."
PHONE_CHECK_DIGITS = f"{BAD_PHONE} Check its digits."
PHONE_ADD_COUNTRY = f"{BAD_PHONE} Include the country code."
PHONE_EXTENSION = "We can't keep an extension: leave it out, or put it in your headline."
NO_NAME = "Please enter your name."
THEIR_NAME = "Please enter their name."
NO_VISIBLE_NAME = "Type a name people can see."
# Letters that show as nothing: the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0, the
# "ㅤ" of blank-name tricks) and the blank braille pattern (U+2800). ``plain`` has taken
# out format characters already; white space, marks and variation selectors are no letter.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Categories with nothing to see alone: spaces, line and paragraph separators, combining
# marks (with no letter to sit on), controls and format characters.
UNSEEN = ("Zs", "Zl", "Zp", "Mn", "Me", "Cc", "Cf")
THEIR_REACH = "Add their email, phone number or LinkedIn profile, so you can reach them."


class Invalid(ValueError):
    pass


def _url(value: str) -> str:
    try:
        return web_links.normalise(value)
    except web_links.Refused as refused:
        raise Invalid(str(refused)) from None


def _linkedin(value: str) -> str:
    if not any(mark in value for mark in LINKEDIN_LINK_MARKS):
        if not _LINKEDIN_USERNAME.fullmatch(value):
            raise Invalid(NOT_LINKEDIN_USERNAME)
        # A bare username: letters outside ASCII quoted, as a browser writes them in a link.
        value = "https://www.linkedin.com/in/" + quote(value.lstrip("@"), safe="-_~")
    try:
        link = web_links.parse(value)
    except web_links.Refused as refused:
        # Why, then what the field wants: "the site's name in that link" alone puzzled
        # someone who typed no link at all (one who typed a LinkedIn link needs only why).
        advice = "" if "linkedin." in value.casefold() else f" {LINKEDIN_ONLY}"
        raise Invalid(f"{refused}{advice}") from None
    if not web_links.is_linkedin(link):
        raise Invalid(LINKEDIN_ONLY)
    return link.href


NOT_EMAILABLE = (
    "We can't send email to an address with accents or non-Latin letters before the @."
    " Please use another address."
)


# Handed to the Tap page (Field.offline_check), so a guest kept offline is refused at once,
# in these words, where the server surely would refuse them (tap.js says which cases).
OFFLINE_CHECKS: dict[str, dict[str, str]] = {
    "email": {"bad": BAD_EMAIL, "not_emailable": NOT_EMAILABLE},
    "tel": {"bad": BAD_PHONE, "check_digits": PHONE_CHECK_DIGITS, "add_country": PHONE_ADD_COUNTRY},
    "linkedin": {
        "only": LINKEDIN_ONLY,
        "not_username": NOT_LINKEDIN_USERNAME,
        "username": LINKEDIN_USERNAME,
        "site": LINKEDIN_SITE,
        "link_marks": LINKEDIN_LINK_MARKS,
        "longest": str(web_links.MAX_LENGTH),
    },
}


def validate_email_address(value: str) -> str:
    """The address as the card form keeps it; Invalid with a readable message. A domain in
    any script is kept as typed (mail goes to its ASCII form); letters outside ASCII before
    the @ would need SMTPUTF8 of every mail server on the way, which we do not ask for."""
    try:
        valid = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise Invalid(BAD_EMAIL) from None
    if not valid.local_part.isascii():
        raise Invalid(NOT_EMAILABLE)
    return valid.normalized


def _phone(value: str, region: str) -> str:
    try:
        number = phonenumbers.parse(value, region)
        if not phonenumbers.is_valid_number(number) and value.lstrip().startswith("00"):
            # "00 44 …" is how much of the world dials abroad, but not North America ("011"):
            # read from a phone there, it is the same number written with a "+".
            number = phonenumbers.parse("+" + value.lstrip()[2:], region)
    except phonenumbers.NumberParseException:
        raise Invalid(BAD_PHONE) from None
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        if value.lstrip().startswith(("+", "00")):
            # It has its country code: asking for one would send them looking for a mistake
            # they did not make.
            raise Invalid(PHONE_CHECK_DIGITS)
        raise Invalid(PHONE_ADD_COUNTRY)
    if number.extension:
        # Refused, not kept: a number is stored, linked (tel:, sms:), exported and put in
        # vCards as bare E.164, which has no extension; dropped, the person never knew.
        raise Invalid(PHONE_EXTENSION)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def seen(name: str) -> bool:
    """Whether ``name`` has a character that shows: one of only fillers (U+3164 twice)
    is a blank-looking name in every roster, crowd and notification."""
    return any(ch not in BLANK_LETTERS and unicodedata.category(ch) not in UNSEEN for ch in name)


def clean(field: Field, raw: str, region: str) -> str:
    """The stored form of one field's value, or ``Invalid`` with a message for the person."""
    if len(raw) > field.max_length:
        raise Invalid(f"Please keep this under {field.max_length} characters.")
    if field.kind != "long":
        raw = " ".join(raw.split())
    if not raw:
        if field.name == "name":
            raise Invalid(NO_NAME)
        return ""
    if field.name == "name" and not seen(raw):
        raise Invalid(NO_VISIBLE_NAME)
    if field.kind == "email":
        return validate_email_address(raw)
    if field.kind == "tel":
        return _phone(raw, region)
    if field.kind == "url":
        return _url(raw)
    if field.kind == "linkedin":
        return _linkedin(raw)
    return raw


def validate(
    form: FormData, region: str, names: tuple[str, ...] = FIELD_NAMES
) -> tuple[dict[str, str], dict[str, str]]:
    """Return (values as typed, errors by field) plus normalised values in place of typed ones.

    Values are what to show back in the form; when ``errors`` is empty they are
    the normalised values to store.
    """
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in names:
        raw = text(form, name)
        try:
            values[name] = clean(BY_NAME[name], raw, region)
        except Invalid as invalid:
            values[name] = raw[: BY_NAME[name].max_length * 2]
            errors[name] = str(invalid)
    return values, errors


def validate_quick(
    form: FormData, region: str, *, someone_else: bool = False
) -> tuple[dict[str, str], dict[str, str]]:
    """The one short form for someone with no card: a name and a way to be reached.
    ``someone_else``: typed on my phone for the person in front of me (Tap's guest form),
    so what is missing is theirs."""
    values, errors = validate(form, region, QUICK_FIELDS)
    if someone_else and errors.get("name") == NO_NAME:
        errors["name"] = THEIR_NAME
    # Said with the other errors (a missing name), not in a second round.
    reach_checked = not any(name in errors for name in REACH_FIELDS)
    if reach_checked and not any(values.get(name) for name in REACH_FIELDS):
        errors["email"] = (
            THEIR_REACH
            if someone_else
            else "Add an email, a phone number or a LinkedIn profile, so people can reach you."
        )
    return values, errors


def region_from(accept_language: str, default: str) -> str:
    """The country to read national phone numbers in, from the browser's language."""
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip()
        pieces = tag.replace("_", "-").split("-")
        if len(pieces) >= 2 and len(pieces[-1]) == 2 and pieces[-1].isalpha():
            return pieces[-1].upper()
    return default


def display_phone(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mailto_url(address: str, query: str = "") -> str:
    """A ``mailto:`` link to one address, whatever its local part holds: a legal address
    such as ``x?cc=eve%40evil.example@example.com`` must not add recipients (RFC 6068: ``?``,
    ``&``, ``=``, ``%`` and ``#`` in the address are percent-encoded)."""
    encoded = quote(address, safe="@+")
    return f"mailto:{encoded}?{query}" if query else f"mailto:{encoded}"


def phone_url(scheme: str, number: str, query: str = "") -> str:
    """A ``tel:`` or ``sms:`` link: stored numbers are E.164, encoded all the same."""
    encoded = quote(number.replace(" ", ""), safe="+")
    return f"{scheme}:{encoded}?{query}" if query else f"{scheme}:{encoded}"
