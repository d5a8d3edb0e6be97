"""The local mail sink (server/local_services) is a real SMTP server that keeps every message.

Messages are sent with aiosmtplib, the client the app uses, over a real connection.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest

from server.local_services.mail_sink import EML_NAME, LocalMailSink, kept_at
from tests.waiting import eventually

# 8-bit UTF-8 headers and body (SMTPUTF8, 8BITMIME), CRLF line ends as on the wire, and a
# line starting with a dot (dot-stuffed by the client, restored by the server).
RAW = (
    "From: Reachout <reachout@localhost>\r\n"
    "To: Dana Lee <dana@example.com>\r\n"
    "Subject: Reach out to Zoë — 3 follow-ups ✓\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Hello Dana,\r\n"
    ".a line that starts with a dot\r\n"
    "Zoë is waiting — café at 9?\r\n"
).encode()


def a_message(subject: str = "Reach out to Mia", to: str = "dana@example.com") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Reachout <reachout@localhost>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content("You met Mia at Lunch & Learn.\n")
    message.add_alternative("<p style='color:#0b3d91'>You met <b>Mia</b>.</p>", subtype="html")
    return message


def files(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


async def send(sink: LocalMailSink, message: EmailMessage | bytes, **options: object) -> str:
    if isinstance(message, bytes):
        options = {"sender": "reachout@localhost", "recipients": ["dana@example.com"], **options}
    _, reply = await aiosmtplib.send(
        message,
        hostname="127.0.0.1",
        port=sink.port,
        timeout=10,
        **options,  # type: ignore[arg-type]
    )
    return reply


async def test_a_message_is_kept_byte_for_byte_on_disk_and_parses_back(tmp_path: Path):
    async with LocalMailSink(directory=tmp_path) as sink:
        reply = await send(sink, RAW)
        [mail] = await sink.wait_for(1)

    assert mail.raw == RAW
    assert mail.sender == "reachout@localhost"
    assert mail.recipients == ("dana@example.com",)
    assert mail.path is not None and mail.path.parent == tmp_path
    assert EML_NAME.fullmatch(mail.path.name)
    assert reply.endswith(f"kept as {mail.path.name}")
    assert mail.path.read_bytes() == RAW
    assert files(tmp_path) == [mail.path.name]  # no temporary file left
    assert abs((kept_at(mail.path.name) - mail.received_at).total_seconds()) < 0.001

    parsed = email.message_from_bytes(mail.path.read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Reach out to Zoë — 3 follow-ups ✓"
    assert mail.subject == parsed["Subject"]
    body = mail.message.get_body(preferencelist=("plain",))
    assert body is not None
    # The email package keeps the wire's CRLF inside bodies.
    assert body.get_content().splitlines() == [
        "Hello Dana,",
        ".a line that starts with a dot",
        "Zoë is waiting — café at 9?",
    ]


async def test_an_email_message_arrives_parsed_with_its_parts(tmp_path: Path):
    async with LocalMailSink(directory=tmp_path) as sink:
        await send(sink, a_message())
        [mail] = await sink.wait_for(1)

    assert mail.recipients == ("dana@example.com",)
    assert mail.message["From"].addresses[0].addr_spec == "reachout@localhost"
    html = mail.message.get_body(preferencelist=("html",))
    text = mail.message.get_body(preferencelist=("plain",))
    assert html is not None and "<b>Mia</b>" in html.get_content()
    assert text is not None and text.get_content() == "You met Mia at Lunch & Learn.\r\n"


async def test_without_a_directory_nothing_is_written(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    async with LocalMailSink() as sink:
        await send(sink, a_message())
        [mail] = await sink.wait_for(1)
    assert mail.path is None
    assert files(tmp_path) == []


async def test_utf8_addresses_and_many_recipients(tmp_path: Path):
    message = a_message(to="zoë@exämple.com, mia@example.com")
    async with LocalMailSink(directory=tmp_path) as sink:
        await send(sink, message)
        [mail] = await sink.wait_for(1)
        assert mail.recipients == ("zoë@exämple.com", "mia@example.com")
        assert sink.received_for("MIA@example.com") == [mail]
        assert sink.received_for("nobody@example.com") == []


async def test_credentials_are_accepted_when_a_client_logs_in_and_not_required(tmp_path: Path):
    async with LocalMailSink(directory=tmp_path) as sink:
        await send(sink, a_message("plain"))
        await send(sink, a_message("with login"), username="reachout", password="anything")
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=sink.port, timeout=10)
        async with smtp:
            assert smtp.supports_extension("auth")
            for extension in ("smtputf8", "8bitmime", "size"):
                assert smtp.supports_extension(extension), extension
            assert not smtp.supports_extension("starttls")
            await smtp.login("someone", "wrong password")
        mails = await sink.wait_for(2)
    assert [mail.subject for mail in mails] == ["plain", "with login"]


async def test_a_message_over_the_size_limit_is_refused(tmp_path: Path):
    async with LocalMailSink(directory=tmp_path, max_size=1000) as sink:
        big = EmailMessage()
        big["Subject"] = "too big"
        big.set_content("x" * 2000)
        with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
            await send(sink, big, sender="a@example.com", recipients=["b@example.com"])
        assert refused.value.code == 552
        assert sink.received == []
    assert files(tmp_path) == []


@pytest.mark.parametrize(("code", "text"), [(451, "4.3.0 Try again later"), (550, "5.1.1 No")])
async def test_refuse_answers_the_end_of_data_with_that_reply_and_keeps_nothing(
    tmp_path: Path, code: int, text: str
):
    async with LocalMailSink(directory=tmp_path) as sink:
        sink.refuse(code, text, times=2)
        for _ in range(2):
            with pytest.raises(aiosmtplib.SMTPDataError) as refused:
                await send(sink, a_message())
            assert isinstance(refused.value, aiosmtplib.SMTPResponseException)
            assert (refused.value.code, refused.value.message) == (code, text)
        assert sink.received == []
        assert files(tmp_path) == []
        assert sink.refusals == 2

        await send(sink, a_message("after the refusals"))  # times=2 has run out
        [mail] = await sink.wait_for(1)
        assert mail.subject == "after the refusals"


async def test_refuse_without_times_lasts_until_accept(tmp_path: Path):
    async with LocalMailSink(directory=tmp_path) as sink:
        sink.refuse(451, "4.7.1 Greylisted")
        for _ in range(3):
            with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
                await send(sink, a_message())
            assert refused.value.code == 451
        sink.accept()
        await send(sink, a_message())
        assert len(await sink.wait_for(1)) == 1
        assert sink.refusals == 3


def test_refuse_takes_only_error_replies():
    sink = LocalMailSink()
    with pytest.raises(ValueError, match="4xx or 5xx"):
        sink.refuse(250, "OK")
    with pytest.raises(ValueError, match="at least 1"):
        sink.refuse(451, "later", times=0)


async def test_stop_refuses_connections_and_start_listens_again_on_the_same_port(
    tmp_path: Path,
):
    async with LocalMailSink(directory=tmp_path) as sink:
        port, url = sink.port, sink.url
        await send(sink, a_message("before"))
        await sink.stop()
        assert not sink.running
        with pytest.raises(aiosmtplib.SMTPConnectError):
            await send(sink, a_message("while down"))
        await sink.start()
        assert (sink.port, sink.url) == (port, url)
        await send(sink, a_message("after"))
        mails = await sink.wait_for(2)
    assert [mail.subject for mail in mails] == ["before", "after"]
    assert url == f"smtp://127.0.0.1:{port}"


async def test_stop_cuts_a_message_waiting_for_its_answer_and_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    async with LocalMailSink(directory=tmp_path, latency=5.0) as sink:
        answering = asyncio.Event()
        answer = sink._answer

        async def noted(envelope):  # type: ignore[no-untyped-def]
            answering.set()
            return await answer(envelope)

        monkeypatch.setattr(sink, "_answer", noted)
        sending = asyncio.create_task(send(sink, a_message()))
        await eventually(
            lambda: asyncio.sleep(0, answering.is_set()), "the message sent, waiting for its answer"
        )
        await sink.stop()
        with pytest.raises(aiosmtplib.SMTPServerDisconnected):
            await sending
        assert sink.received == []
    assert files(tmp_path) == []


async def test_latency_delays_the_answer(tmp_path: Path):
    async with LocalMailSink(directory=tmp_path, latency=0.3) as sink:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await send(sink, a_message())
        assert loop.time() - started >= 0.3
        assert len(sink.received) == 1


async def test_wait_for_says_what_arrived_when_it_times_out(tmp_path: Path):
    async with LocalMailSink(directory=tmp_path) as sink:
        await send(sink, a_message("only this one"))
        with pytest.raises(AssertionError) as timed_out:
            await sink.wait_for(2, timeout=0.2)
    assert "expected at least 2 message(s) within 0.2 s, got 1" in str(timed_out.value)
    assert "'only this one' to dana@example.com" in str(timed_out.value)


async def test_wait_for_returns_as_soon_as_the_messages_arrive(tmp_path: Path):
    async with LocalMailSink(directory=tmp_path) as sink:
        waiting = asyncio.create_task(sink.wait_for(2, timeout=5))
        await send(sink, a_message("one"))
        await send(sink, a_message("two"))
        mails = await asyncio.wait_for(waiting, 2)
    assert [mail.subject for mail in mails] == ["one", "two"]


async def test_announce_prints_one_line_per_message(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    directory = tmp_path / ".data" / "mail"
    async with LocalMailSink(directory=directory, announce=True) as sink:
        capsys.readouterr()
        await send(sink, a_message("Reach out to Mia"))
        sink.refuse(451, "4.3.0 later", times=1)
        with pytest.raises(aiosmtplib.SMTPResponseException):
            await send(sink, a_message("refused, so never announced"))
        await send(sink, a_message("Line\tbreak?", to="mia@example.com, zoe@example.com"))
        first, second = await sink.wait_for(2)
    lines = capsys.readouterr().out.splitlines()
    assert first.path is not None and second.path is not None
    assert lines == [
        f'mail: "Reach out to Mia" to dana@example.com (saved .data/mail/{first.path.name})',
        f'mail: "Line break?" to mia@example.com, zoe@example.com'
        f" (saved .data/mail/{second.path.name})",
    ]


async def test_the_session_sink_is_what_the_test_app_sends_to(mail_sink, settings):
    assert settings.smtp_url == mail_sink.url
    before = len(mail_sink.received)
    await aiosmtplib.send(a_message(), hostname="127.0.0.1", port=mail_sink.port, timeout=10)
    mails = await mail_sink.wait_for(before + 1)
    assert mails[-1].path is not None and mails[-1].path.exists()
