"""Reachout: swap contact details phone to phone, then get reminded to reach out."""

from server.web import convertors

# Before any module builds its routes: every ``{name:int}`` in a path is a bounded id.
convertors.register()
