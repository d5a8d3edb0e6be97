"""``/export/…``: my contacts as one vCard file or a spreadsheet, and everything about me as
JSON; each made when I ask (a GET: making it changes nothing), from one moment of the
database, one at a time, and sent once it is made whole."""

from __future__ import annotations

from functools import partial
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.export import csv_export, downloads, everything, vcards
from server.web.auth import signed_in, signed_in_account, viewer

NO_CARD = "Save your card first; then there is something to export."


@signed_in(status_code=404, message=NO_CARD)
async def export_vcards(request: Request) -> Response:
    zone, account_id = ZoneInfo(viewer(request).time_zone), signed_in_account(request)
    return await downloads.download(
        request,
        partial(vcards.cards, sql=request.app.state.sql, owner_id=account_id, zone=zone),
        account_id=account_id,
        filename=downloads.filename("contacts", "vcf", zone),
        media_type=vcards.MEDIA_TYPE,
        compress=False,  # mostly photos (making.py)
    )


@signed_in(status_code=404, message=NO_CARD)
async def export_csv(request: Request) -> Response:
    zone, account_id = ZoneInfo(viewer(request).time_zone), signed_in_account(request)
    return await downloads.download(
        request,
        partial(csv_export.rows, sql=request.app.state.sql, owner_id=account_id, zone=zone),
        account_id=account_id,
        filename=downloads.filename("contacts", "csv", zone),
        media_type=csv_export.MEDIA_TYPE,
    )


@signed_in(status_code=404, message=NO_CARD)
async def export_everything(request: Request) -> Response:
    seen, account_id = viewer(request), signed_in_account(request)
    return await downloads.download(
        request,
        partial(
            everything.document,
            sql=request.app.state.sql,
            account_id=account_id,
            session_id=seen.session_id,
        ),
        account_id=account_id,
        filename=downloads.filename("everything", "json", ZoneInfo(seen.time_zone)),
        media_type=everything.MEDIA_TYPE,
    )


routes = [
    Route("/export/contacts.vcf", export_vcards, name="export_vcards"),
    Route("/export/contacts.csv", export_csv, name="export_csv"),
    Route("/export/everything.json", export_everything, name="export_everything"),
]
