"""The ``int`` path convertor, bounded: an id in a path is one PostgreSQL's bigint can hold.

Starlette's own takes any run of digits, so ``/events/99999999999999999999`` reached a
query that could not bind it (a 500), and 5,000 digits overflowed ``int()`` itself while
routing. Registered in place of Starlette's ``int`` when ``server`` is imported (before any
route is built), so every ``{name:int}`` of every area is bounded without saying so: a
path with more digits matches no route, a 404 like any other unknown page.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

# Ids start at 1 and count up; 18 digits stay under 2**63 - 1 (19 digits) whatever they are.
MAX_DIGITS = 18


class IdConvertor(Convertor[int]):
    regex = f"[0-9]{{1,{MAX_DIGITS}}}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        value = int(value)
        assert 0 <= value < 10**MAX_DIGITS, "an id is 0 to 18 digits"
        return str(value)


def register() -> None:
    register_url_convertor("int", IdConvertor())
