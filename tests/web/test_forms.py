"""Reading what a request submitted: text fields cleaned, files never taken for text."""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile

from server.web.forms import text


def test_text_is_trimmed_and_control_characters_go():
    form = FormData([("name", "  Dana\x00 Lee\x07 \t"), ("note", "line one\nline two")])
    assert text(form, "name") == "Dana Lee"
    assert text(form, "note") == "line one\nline two"


def test_a_missing_field_or_a_file_counts_as_empty():
    upload = UploadFile(file=None, filename="x.txt")  # type: ignore[arg-type]
    form = FormData([("photo", upload)])
    assert text(form, "photo") == ""
    assert text(form, "absent") == ""


async def test_garbled_json_from_a_script_is_a_clear_400(new_phone):
    phone = await new_phone()
    await phone.make_card()
    response = await phone.client.post(
        phone.url("push_subscribe"), content=b"{not json", headers={"sec-fetch-site": "same-origin"}
    )
    assert response.status_code == 400
    assert "could not be read" in response.text
