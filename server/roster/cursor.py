"""Where a page of an event's roster goes on ("Show more"): the cursor a page hands the next,
and reading it back, for the roster and for what keeps a reader's place on it (a Block)."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from server.web import forms, pages

# A roster cursor's name key is the folded name of someone the page showed (at most 100
# characters, folded a little longer); anything far longer is no cursor of ours.
CURSOR_KEY_MAX = 1000
BAD_CURSOR = (
    'That "Show more" link is not one this list made, so it cannot say where to go on.'
    " Open the list of people again to start from the top."
)


def roster_cursor(row: Any) -> str:
    """``<tier>.<account id>.<name key>``: where the last person shown stands in the list, as
    the roster gave it, so the next page is placed by these values and no one's card."""
    return f"{row['tier']}.{row['account_id']}.{row['name_key']}"


def roster_after(request: Request, *, searching: bool) -> list[str] | None:
    """``?after=`` read back as roster_page() takes it (tier, name key, account id), None
    for the first page; anything else is refused in words (400), not started over: starting
    over under "Show more" repeats the first people, which htmx would add again."""
    after = request.query_params.get(pages.PARAM)
    if after is None:
        return None
    tier, _, rest = after.partition(".")
    account, dot, key = rest.partition(".")
    account_id = forms.an_id(account)
    if (
        tier not in (("1", "2", "3") if searching else ("1",))
        or account_id is None
        or not dot
        or len(key) > CURSOR_KEY_MAX
        or "\x00" in key
    ):
        raise HTTPException(400, BAD_CURSOR)
    return [tier, key, str(account_id)]
