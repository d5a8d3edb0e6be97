"""``unlinked``: a stranger's words as they read, with nothing in them a mail app's
autolinker takes for a host, an address or a URL."""

from __future__ import annotations

from server.mail.unlinked import MARK, SUBJECT_NAME, short_name, unlinked
from tests.mail.test_stranger_text_is_no_link import AUTOLINK, NAME


def test_unlinked_reads_the_same_and_breaks_hosts_addresses_and_schemes():
    for typed in (
        NAME,
        "https://evil.example.com",
        "a@b.co",
        "paypal\u3002com",  # an ideographic full stop, which a browser reads as "." in a host
        "Dr. Who, e.g. at 10:30",
    ):
        shown = unlinked(typed)
        assert shown.replace(MARK, "") == typed
        assert not AUTOLINK.search(shown), shown
        assert unlinked(shown) == shown, "made so twice, the same"
    assert unlinked("Dr. Who") == "Dr. Who", "nothing added where a space follows"
    assert unlinked("paypal\u3002com") == f"paypal\u3002{MARK}com"
    assert unlinked("https://a") == f"https:{MARK}//a", "no scheme a linkifier knows"


def test_a_subject_gives_a_long_name_cut_at_a_word():
    assert short_name("Dana Lee") == "Dana Lee"
    assert short_name(NAME) == "Account locked - verify at…"
    assert len(short_name("x" * 100)) == SUBJECT_NAME
