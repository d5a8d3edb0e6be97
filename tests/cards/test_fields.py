"""Card fields: what each kind accepts, how it is stored, and the messages people see."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData

from server.cards import fields
from server.cards.fields import BY_NAME, Invalid, clean


def form(**values: str) -> FormData:
    return FormData(list(values.items()))


@pytest.mark.parametrize(
    ("raw", "region", "stored"),
    [
        ("(415) 555-0134", "US", "+14155550134"),
        ("+1 415 555 0134", "DE", "+14155550134"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("030 901820", "DE", "+4930901820"),
    ],
)
def test_phone_numbers_are_read_in_the_region_and_stored_as_e164(raw, region, stored):
    assert clean(BY_NAME["phone"], raw, region) == stored


def test_a_number_written_with_00_is_read_with_a_plus_wherever_the_phone_is():
    # A London number typed on a phone in the US, where "00" is not how one dials abroad.
    assert clean(BY_NAME["phone"], "0044 20 7946 0018", "US") == "+442079460018"
    assert clean(BY_NAME["phone"], "0044 20 7946 0018", "DE") == "+442079460018"


@pytest.mark.parametrize(
    ("raw", "advice"),
    [
        ("12", "Include the country code."),
        ("not a number", ""),
        # "020 7946 0018" is a London number, which read as a US one is not valid.
        ("020 7946 0018", "Include the country code."),
        # With its country code, but not a number in use (Ofcom's drama range): the advice
        # is about the digits, not a country code it has.
        ("+1 555", "Check its digits."),
        ("+44 7700 900123", "Check its digits."),
        ("0044 7700 900123", "Check its digits."),
    ],
)
def test_impossible_phone_numbers_are_refused_with_a_message(raw, advice):
    with pytest.raises(Invalid, match="phone number does not look right") as refused:
        clean(BY_NAME["phone"], raw, "US")
    assert str(refused.value).endswith(advice)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("danalee", "https://www.linkedin.com/in/danalee"),
        ("@danalee", "https://www.linkedin.com/in/danalee"),
        ("linkedin.com/in/danalee", "https://linkedin.com/in/danalee"),
        ("https://uk.linkedin.com/in/dana", "https://uk.linkedin.com/in/dana"),
    ],
)
def test_linkedin_takes_a_username_or_a_linkedin_link(raw, stored):
    assert clean(BY_NAME["linkedin"], raw, "US") == stored


@pytest.mark.parametrize(
    "raw",
    [
        "https://evil.example.com/in/dana",
        "https://linkedin.com.evil.io/x",
        "notlinkedin.com/x",
        "<script>alert(1)</script>",  # also says what the field wants, not only a link's host
        "javascript:alert(1)",
    ],
)
def test_linkedin_refuses_other_sites(raw):
    with pytest.raises(
        Invalid, match=r"Use a linkedin\.com link, or just your LinkedIn username\.$"
    ):
        clean(BY_NAME["linkedin"], raw, "US")


def test_a_linkedin_link_refused_as_a_link_says_why_and_nothing_it_already_did():
    with pytest.raises(Invalid) as refused:
        clean(BY_NAME["linkedin"], "www.linkedin.com/in/dana lee", "US")
    assert "a space" in str(refused.value) and "Use a linkedin.com link" not in str(refused.value)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("danalee.example.com", "https://danalee.example.com/"),
        ("http://example.com/a?b=c", "http://example.com/a?b=c"),
        ("example.com:8080/path", "https://example.com:8080/path"),
    ],
)
def test_web_links_get_a_scheme_when_missing(raw, stored):
    assert clean(BY_NAME["website"], raw, "US") == stored


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("javascript:alert(1)", "Only web links"),
        ("ftp://example.com/file", "Only web links"),
        ("data:text/html,hi", "Only web links"),
        ("localhost", "does not look like a web address"),
        ("https://", "does not look like a web address"),
    ],
)
def test_other_schemes_and_hostless_links_are_refused(raw, message):
    with pytest.raises(Invalid, match=message):
        clean(BY_NAME["website"], raw, "US")


def test_email_is_normalised_and_bad_ones_are_refused():
    assert clean(BY_NAME["email"], "Dana@EXAMPLE.com", "US") == "Dana@example.com"
    for raw in ("dana", "dana@", "dana@@example.com", "@example.com"):
        with pytest.raises(Invalid, match="email address does not look right"):
            clean(BY_NAME["email"], raw, "US")


def test_whitespace_is_collapsed_except_in_long_fields():
    assert clean(BY_NAME["company"], "  Thread \t line \n Co ", "US") == "Thread line Co"
    assert clean(BY_NAME["looking_for"], "a\n\nb  c", "US") == "a\n\nb  c"


def test_length_limits_and_the_required_name():
    assert clean(BY_NAME["name"], "x" * 100, "US") == "x" * 100
    with pytest.raises(Invalid, match="under 100 characters"):
        clean(BY_NAME["name"], "x" * 101, "US")
    with pytest.raises(Invalid, match="Please enter your name"):
        clean(BY_NAME["name"], "   ", "US")
    assert clean(BY_NAME["website"], "", "US") == ""


def test_validate_shows_typed_values_back_with_errors_and_stores_normalised_ones():
    values, errors = fields.validate(
        form(name=" Dana\x00 Lee ", email="bad", phone="(415) 555-0134"), "US"
    )
    assert errors == {"email": "That email address does not look right."}
    assert values["email"] == "bad"
    assert values["name"] == "Dana Lee"
    assert values["phone"] == "+14155550134"
    assert set(values) == set(fields.FIELD_NAMES)


def test_validate_keeps_at_most_twice_the_limit_of_an_oversized_value():
    values, errors = fields.validate(form(name="Dana", headline="h" * 1000), "US")
    assert "headline" in errors
    assert values["headline"] == "h" * 240


def test_quick_form_says_a_missing_name_and_a_missing_way_to_reach_at_once():
    errors = fields.validate_quick(form(name=""), "US")[1]
    assert set(errors) == {"name", "email"}
    # A way typed wrong is said as itself, not as missing.
    errors = fields.validate_quick(form(name="", email="dana@"), "US")[1]
    assert set(errors) == {"name", "email"}
    assert errors["email"] == "That email address does not look right."


def test_quick_form_needs_a_way_to_be_reached():
    values, errors = fields.validate_quick(form(name="Dana", headline="Recruiter"), "US")
    assert set(errors) == {"email"} and "so people can reach you" in errors["email"]
    assert set(values) == set(fields.QUICK_FIELDS)

    for reach in ({"email": "d@example.com"}, {"phone": "+14155550134"}, {"linkedin": "dana"}):
        assert fields.validate_quick(form(name="Dana", **reach), "US")[1] == {}


def test_quick_form_reports_field_errors_before_the_reach_rule():
    _, errors = fields.validate_quick(form(name="", phone="12"), "US")
    assert set(errors) == {"name", "phone"}


def test_card_values_names_every_field_blank_where_missing():
    values = fields.card_values({"name": "Dana", "email": "d@example.com", "extra": "x"})
    assert list(values) == list(fields.FIELD_NAMES)
    assert values["name"] == "Dana" and values["email"] == "d@example.com"
    assert values["website"] == "" and "extra" not in values


@pytest.mark.parametrize(
    ("header", "region"),
    [
        ("en-GB,en;q=0.9", "GB"),
        ("de_at", "AT"),
        ("fr, en-US;q=0.8", "US"),
        ("zh-Hant-TW", "TW"),
        ("en", "NL"),
        ("es-419", "NL"),
        ("", "NL"),
    ],
)
def test_region_from_accept_language(header, region):
    assert fields.region_from(header, "NL") == region


def test_display_phone_formats_e164_and_leaves_anything_else():
    assert fields.display_phone("+14155550134") == "+1 415-555-0134"
    assert fields.display_phone("+442079460018") == "+44 20 7946 0018"
    assert fields.display_phone("call me") == "call me"
