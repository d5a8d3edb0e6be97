"""Codes and addresses as a phone types them (a reviewer's phone): a Move code typed on an
East Asian keyboard (full-width letters, digits and dash) works, as event and email codes do;
an empty or malformed email, or an empty Move code, is answered in the page (a 422, the words
by the field, an alert), never by the browser's own popup or a 500."""

from __future__ import annotations

from server.signin import moving
from tests.limit_counts import hits
from tests.phone import Phone, soup
from tests.signin.test_moving import show_code


def full_width(typed: str) -> str:
    """``typed`` as a Japanese or Chinese keyboard in full-width mode gives it."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in typed)


def said_by(page, field: str) -> str:
    """The error by ``field`` (an alert, tied to the field), and that the field is marked."""
    html = soup(page)
    control = html.select_one(f"#{field}")
    assert control is not None and control.get("aria-invalid") == "true"
    error = html.select_one(f"#{field}-error[role=alert]")
    assert error is not None and error["id"] in control["aria-describedby"].split()
    return " ".join(error.get_text().split())


async def test_a_move_code_typed_full_width_moves_the_account(new_phone, pool):
    safari = await new_phone()
    await safari.make_card()
    code = await show_code(safari)
    typed = full_width(f"{code[:4]}-{code[4:]}")
    assert typed != f"{code[:4]}-{code[4:]}" and len(typed) == 9
    installed = await new_phone()
    signed = await installed.post(installed.url("move_enter_submit"), {"code": typed})
    assert signed.status_code == 303, signed.status_code
    card = await installed.get(installed.url("card"))
    assert "Dana Lee" in card.text


async def test_a_move_code_typed_full_width_in_lower_case_works_too(new_phone):
    safari = await new_phone()
    await safari.make_card()
    code = await show_code(safari)
    installed = await new_phone()
    typed = full_width(f"{code[:4].lower()} {code[4:].lower()}").replace(" ", "\u3000")
    signed = await installed.post(installed.url("move_enter_submit"), {"code": typed})
    assert signed.status_code == 303


async def check_sign_in_forms(phone: Phone) -> None:
    """The email step's form and the Move code's: the server answers what they send, so
    the browser does not stop them with its own popup (``novalidate``)."""
    for name, form_id in (("sign_in", "sign-in"), ("move_enter", "move-enter")):
        form = soup(await phone.get(phone.url(name))).select_one(f"form#{form_id}")
        assert form is not None and form.has_attr("novalidate"), name


async def test_the_forms_leave_empty_and_malformed_to_the_server(new_phone):
    await check_sign_in_forms(await new_phone())


async def test_an_empty_or_malformed_email_is_said_by_the_field(new_phone):
    phone = await new_phone()
    url = phone.url("sign_in_ask")
    for typed, says in (
        ("", "Type the email address on your card."),
        ("   ", "Type the email address on your card."),
        ("nope", "That email address does not look right."),
    ):
        answer = await phone.post(url, {"email": typed})
        assert answer.status_code == 422, typed
        assert said_by(answer, "sign-in-email") == says, typed
        assert soup(answer).select_one("#sign-in-email")["value"] == typed.strip()


async def test_an_empty_move_code_is_said_and_counts_no_miss(new_phone, pool):
    phone = await new_phone()
    for typed in ("", "  ", "-"):
        answer = await phone.post(phone.url("move_enter_submit"), {"code": typed})
        assert answer.status_code == 422, typed
        assert said_by(answer, "move-code") == (
            "Type the code your other phone shows: 8 letters and digits, like 7QA2-7KHB."
        )
    # Nothing was guessed: the address's wrong tries are as they were.
    assert await hits(pool, bucket=moving.MISSES.bucket) == 0
    wrong = await phone.post(phone.url("move_enter_submit"), {"code": "AAAA-AAAA"})
    assert wrong.status_code == 422
    assert "That code does not work" in said_by(wrong, "move-code")
    assert await hits(pool, bucket=moving.MISSES.bucket) == 1
