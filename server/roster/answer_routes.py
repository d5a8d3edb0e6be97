"""Answering a request to connect from its buttons on Requests: accept, decline, or decline and
block the person who asked (the answer itself: ``answering.py``)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.roster.answering import decide
from server.web.auth import signed_in, signed_in_account


@signed_in(status_code=404, message="That request is not for you.")
async def request_decide(request: Request) -> Response:
    """Accept, decline, or decline and block the person who asked."""
    account_id = signed_in_account(request)
    decision = request.path_params["decision"]
    if decision not in ("accept", "decline", "block"):
        raise HTTPException(404, "That is not something you can do with a request.")
    return await decide(request, account_id, request.path_params["request_id"], decision)


routes = [
    Route(
        "/requests/{request_id:int}/{decision:str}",
        request_decide,
        methods=["POST"],
        name="request_decide",
    ),
]
