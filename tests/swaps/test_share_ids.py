"""Share links name a card by an opaque id, not the account's sequential number: the attack
is reading a scanned token's first eight bytes to count accounts and tell who joined when."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from server.cards import share_tokens
from tests.conftest import TEST_SECRET
from tests.phone import text_of
from tests.swaps.test_sync import token_of
from tests.tap.test_routes import two_phones


def account_field(token: str) -> int:
    raw = base64.urlsafe_b64decode(token + "==")
    return int(share_tokens._PAYLOAD.unpack(raw[: share_tokens._PAYLOAD.size])[0])


async def test_a_scanned_token_does_not_carry_the_account_id(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    rows = await pool.fetch("SELECT account_id, share_id FROM cards ORDER BY account_id")
    fields = [account_field(token_of(await phone.share_link())) for phone in (dana, mia)]
    assert fields == [row["share_id"] for row in rows]
    assert not {row["account_id"] for row in rows} & set(fields)
    assert abs(fields[0] - fields[1]) > 1_000_000, "not sequential"
    page = await mia.get(await dana.share_link())
    assert page.status_code == 200 and "Dana Lee" in text_of(page)


async def test_a_link_made_before_share_ids_still_opens_until_it_expires(new_phone, pool):
    _dana, mia = await two_phones(new_phone)
    account = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Dana Lee'")

    def old_link(expires: datetime) -> str:
        payload = share_tokens._PAYLOAD.pack(account, 0, int(expires.timestamp()))
        key = share_tokens._key(TEST_SECRET, b"share-token")
        mac = hmac.new(key, payload, hashlib.sha256).digest()[:12]
        return "/c/" + base64.urlsafe_b64encode(payload + mac).rstrip(b"=").decode()

    live = old_link(datetime.now(UTC) + timedelta(hours=5))
    page = await mia.get(live)
    assert page.status_code == 200 and "Dana Lee" in text_of(page)
    visitor = await new_phone()  # no account: the page kept for everyone, as for a new link
    for _ in range(2):
        page = await visitor.get(live)
        assert page.status_code == 200 and "Dana Lee" in text_of(page)
    await pool.execute("UPDATE cards SET headline = 'Shoe buyer' WHERE account_id = $1", account)
    assert "Shoe buyer" in text_of(await visitor.get(live))
    assert (await mia.get(old_link(datetime.now(UTC) - timedelta(hours=1)))).status_code == 410
