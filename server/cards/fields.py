"""The fields of a card and their validation: clear messages, normalised values."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from starlette.datastructures import FormData

from server.web.forms import text


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    max_length: int
    kind: str = "text"  # text | email | tel | url | linkedin | long
    hint: str = ""
    autocomplete: str = "off"


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
REACH_FIELDS = ("email", "phone", "linkedin", "website", "other_link")


class Invalid(ValueError):
    pass


def _url(value: str) -> str:
    if "://" not in value:
        if ":" in value.split("/")[0] and not value.split("/")[0].split(":")[-1].isdigit():
            # "javascript:alert(1)" and friends: a scheme we never link to.
            raise Invalid("Only web links (http or https) are allowed.")
        value = "https://" + value
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https"):
        raise Invalid("Only web links (http or https) are allowed.")
    host = parts.hostname or ""
    if "." not in host or any(ch.isspace() for ch in value):
        raise Invalid("That does not look like a web address.")
    return value


def _linkedin(value: str) -> str:
    if "/" not in value and "." not in value and ":" not in value:
        return f"https://www.linkedin.com/in/{value.lstrip('@')}"
    url = _url(value)
    host = (urlsplit(url).hostname or "").lower()
    if host != "linkedin.com" and not host.endswith(".linkedin.com"):
        raise Invalid("Use a linkedin.com link, or just your LinkedIn username.")
    return url


def validate_email_address(value: str) -> str:
    """The address as the card form keeps it; Invalid with a readable message."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise Invalid("That email address does not look right.") from None


def _phone(value: str, region: str) -> str:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise Invalid("That phone number does not look right.") from None
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        raise Invalid("That phone number does not look right. Include the country code.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean(field: Field, raw: str, region: str) -> str:
    """The stored form of one field's value, or ``Invalid`` with a message for the person."""
    if len(raw) > field.max_length:
        raise Invalid(f"Please keep this under {field.max_length} characters.")
    if field.kind != "long":
        raw = " ".join(raw.split())
    if not raw:
        if field.name == "name":
            raise Invalid("Please enter your name.")
        return ""
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


def validate_quick(form: FormData, region: str) -> tuple[dict[str, str], dict[str, str]]:
    """The one short form for someone with no card: a name and a way to be reached."""
    values, errors = validate(form, region, QUICK_FIELDS)
    if not errors and not any(values.get(name) for name in REACH_FIELDS):
        errors["email"] = (
            "Add an email, a phone number or a LinkedIn profile, so people can reach you."
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
