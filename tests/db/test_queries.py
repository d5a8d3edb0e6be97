"""Named SQL: ``:name`` rewritten to ``$n`` at load, the declared shape, and the one call API."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from server.db.queries import Queries, Shape, rewrite
from tests.conftest import PROJECT_ROOT

SAMPLE = """\
-- name: numbers
-- The numbers from :low (a comment's :low is left alone) to :high.
SELECT g FROM generate_series(:low::int, :high::int) AS g ORDER BY g

-- name: pair^
SELECT :word::text AS word, ':word' AS literal, length(:word) AS size

-- name: total$
SELECT :a::int + :b::int

-- name: nothing!
SELECT :a::int
"""


@pytest.fixture
def sample(tmp_path: Path) -> Queries:
    (tmp_path / "sample.sql").write_text(SAMPLE)
    return Queries(tmp_path)


def test_names_become_numbers_in_order_of_first_appearance():
    sql, params = rewrite("SELECT :b, :a, :b")
    assert sql == "SELECT $1, $2, $1"
    assert params == ("b", "a")


def test_casts_literals_identifiers_and_comments_are_left_alone():
    text = (
        "SELECT :id::bigint, x::text, ':not_a', E'it\\'s :no', 'it''s :nor', "
        '"col:umn", $body$ :inside $body$ -- :comment\n'
        "/* :block */ FROM t WHERE a = :other"
    )
    sql, params = rewrite(text)
    assert params == ("id", "other")
    assert sql == (
        "SELECT $1::bigint, x::text, ':not_a', E'it\\'s :no', 'it''s :nor', "
        '"col:umn", $body$ :inside $body$ -- :comment\n'
        "/* :block */ FROM t WHERE a = $2"
    )


def test_positional_parameters_in_a_query_file_are_refused(tmp_path: Path):
    (tmp_path / "old.sql").write_text("-- name: get^\nSELECT * FROM t WHERE id = $1\n")
    with pytest.raises(ValueError, match=r"old\.get"):
        Queries(tmp_path)


def test_lookup_gives_the_rewritten_text_and_params_their_order(sample: Queries):
    assert sample["sample.numbers"].endswith(
        "SELECT g FROM generate_series($1::int, $2::int) AS g ORDER BY g"
    )
    assert "(a comment's :low is left alone)" in sample["sample.numbers"]
    assert sample.params("sample.numbers") == ("low", "high")
    assert sample.params("sample.pair") == ("word",)
    assert [sample.query(key).shape for key in sample] == [
        Shape.ROWS,
        Shape.ROW,
        Shape.VALUE,
        Shape.NOTHING,
    ]


async def test_run_returns_what_the_shape_declares(pool, sample: Queries):
    rows = await sample.run(pool, "sample.numbers", high=3, low=1)
    assert [row["g"] for row in rows] == [1, 2, 3]
    row = await sample.run(pool, "sample.pair", word="hello")
    assert dict(row) == {"word": "hello", "literal": ":word", "size": 5}
    assert await sample.run(pool, "sample.total", a=2, b=40) == 42
    assert await sample.run(pool, "sample.nothing", a=7) is None
    async with pool.acquire() as conn:  # a connection works as well as the pool
        assert await sample.run(conn, "sample.total", a=1, b=1) == 2


async def test_a_missing_or_unknown_parameter_names_the_query(pool, sample: Queries):
    with pytest.raises(TypeError, match=r"query sample\.total: missing parameter\(s\) b"):
        await sample.run(pool, "sample.total", a=1)
    with pytest.raises(TypeError, match=r"query sample\.total: unknown parameter\(s\) c"):
        await sample.run(pool, "sample.total", a=1, b=2, c=3)


def test_every_call_in_the_code_passes_exactly_the_query_s_parameters():
    """Calls on paths the tests do not reach would fail only in production: check them all."""
    queries = Queries()
    problems, checked = [], 0
    for path in sorted((PROJECT_ROOT / "server").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "run"
                and len(node.args) == 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                continue
            key = node.args[1].value
            checked += 1
            given = {keyword.arg for keyword in node.keywords}
            if None in given:  # a **values splat: the card fields, checked at run time
                given.discard(None)
                if not given <= set(queries.params(key)):
                    problems.append(f"{path.name}:{node.lineno} {key}")
            elif given != set(queries.params(key)):
                problems.append(f"{path.name}:{node.lineno} {key}")
    assert problems == []
    assert checked > len(queries)  # the walk found the calls (most queries have several)
