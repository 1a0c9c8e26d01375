"""Schemathesis against the app's own OpenAPI schema, in process: no operation answers 5xx.

The app is built once for the module on a fresh log (sharing the session engine),
its lifespan is run, and a lead, an agent and one logged reply (id 1) are created
so that generated requests reach the handlers rather than stopping at 401. Every
API request carries the lead's bearer token (a lead may call every operation).

- one test per operation of the schema: schemathesis-generated cases, valid and
  invalid by the schema, through Hypothesis, with the built-in ``not_a_server_error``
  check (and a plain ``status < 500`` assertion that prints the request);
- the same cases with edge values pinned: 64-bit integer bounds in path
  parameters, ISO weeks at the calendar's ends or written with non-ASCII digits;
- the outcome import, whose CSV body the schema does not describe, with
  Hypothesis-built CSV;
- the HTML pages (``include_in_schema=False``) with the same kind of edge values.

The lazy ``schemathesis.pytest.from_fixture`` loader is not used: under pytest 9
it fails with ``AttributeError: 'Function' object has no attribute '_nodeid'``.
The operations are listed at collection from a throw-away app's ``openapi()``
(no lifespan, no engine) and driven through ``APIOperation.as_strategy``.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from contextlib import closing
from pathlib import Path

import pytest

schemathesis = pytest.importorskip(
    "schemathesis", reason="needs schemathesis 4.x (in the [test] extra: pip install -e '.[test]')"
)

from fastapi.testclient import TestClient
from helpers import sign_in
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from assistant.config import Settings
from assistant.log.auth import add_user
from assistant.log.db import open_db
from assistant.log.outcomes import RESULTS
from assistant.web.app import create_app

MAX_EXAMPLES = 30
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
VALID_WEEK = "2026-W47"
INT64_EDGES = [0, -1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**30]
WEEK_LABELS = {
    "2026-W53": "2026-W53",  # a real 53rd week
    "0001-W01": "0001-W01",  # the calendar's first week
    "9999-W52": "9999-W52",  # its last
    "２０２６-W４７": "fullwidth-digits",  # what a Chinese IME types
    "٢٠٢٦-W٤٧": "arabic-indic-digits",
    "2026-W47\n": "trailing-newline",
}
WEEK_EDGES = list(WEEK_LABELS)
SUGGESTION = "快递一个星期还没到"
SENT = "您好，今天18:00前给您回电说明物流进度。"


def _documented_operations() -> dict[tuple[str, str], dict]:
    """(METHOD, path) -> OpenAPI operation object, read from a throw-away app without starting it."""
    with tempfile.TemporaryDirectory() as tmp:
        document = create_app(Settings(db_path=Path(tmp) / "data" / "assistant.db")).openapi()
    return {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


DOCUMENTED = _documented_operations()
OPERATIONS = sorted(DOCUMENTED)


def _parameters(method: str, path: str, where: str) -> dict[str, dict]:
    return {p["name"]: p.get("schema", {}) for p in DOCUMENTED[(method, path)].get("parameters") or [] if p["in"] == where}


INTEGER_PATH_CASES = [
    (method, path, name, value)
    for method, path in OPERATIONS
    for name, schema_ in _parameters(method, path, "path").items()
    if schema_.get("type") == "integer"
    for value in INT64_EDGES
]
WEEK_CASES = [
    (method, path, {"week": week, **extra})
    for method, path in OPERATIONS
    if "week" in _parameters(method, path, "query")
    for week in WEEK_EDGES
    for extra in ([{"format": "csv"}, {"format": "xlsx"}] if "format" in _parameters(method, path, "query") else [{}])
]


# --- the app ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def running_app(engine, tmp_path_factory):
    """The app after its lifespan ran, with a lead and an agent, and one reply (id 1) in its log."""
    settings_ = Settings(db_path=tmp_path_factory.mktemp("schemathesis") / "data" / "assistant.db")
    app = create_app(settings_, engine=engine)
    with TestClient(app) as client:  # runs the lifespan: engine, migrations, secret key
        db = open_db(settings_.db_path)
        try:
            lead = add_user(db, "组长", "lead")
            agent = add_user(db, "小林", "agent")
        finally:
            db.close()
        reply = client.post(
            "/api/v1/replies",
            json={"complaint": SUGGESTION, "sent_text": SENT, "platform": "taobao"},
            headers={"Authorization": f"Bearer {agent.token}"},
        )
        assert reply.status_code == 201, reply.text
    return app, lead


@pytest.fixture(scope="module")
def api_schema(running_app):
    app, _ = running_app
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def lead_headers(running_app):
    return {"Authorization": f"Bearer {running_app[1].token}"}


@pytest.fixture(scope="module")
def raw_client(running_app):
    """A plain client that turns unhandled exceptions into the 500 a real server would send."""
    app, _ = running_app
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def lead_page(running_app):
    """A client signed in to the pages as the lead, and its CSRF token."""
    app, lead = running_app
    client = TestClient(app, raise_server_exceptions=False)
    return client, sign_in(client, lead.name, lead.password)


def describe(case, response, headers) -> str:
    text = response.text
    body = text if len(text) < 1500 else text[:1500] + "…"
    return (
        f"{case.method.upper()} {case.formatted_path} answered {response.status_code} (expected < 500)\n"
        f"path_parameters={case.path_parameters!r} query={case.query!r} body={case.body!r}\n"
        f"response: {body}\n"
        f"reproduce: {case.as_curl_command(headers=headers)}"
    )


def run_cases(strategy, headers, max_examples: int, *, shrink: bool = True) -> None:
    """Send every generated case; fail on a 5xx (with the request) and on header values a server cannot send."""

    @settings(
        max_examples=max_examples,
        phases=[p for p in Phase if shrink or p not in (Phase.shrink, Phase.explain)],
        deadline=None,
        database=None,
        derandomize=True,  # the same cases on every run: a failure here is never a flake
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(case=strategy)
    def check(case):
        response = case.call(headers=dict(headers))  # call() adds to the dict it is given
        assert response.status_code < 500, describe(case, response, headers)
        case.validate_response(response, checks=[not_a_server_error], headers=headers)
        for name, values in response.headers.items():
            for value in values if isinstance(values, list) else [values]:
                # RFC 9110 5.5: no CR/LF in a field value; h11 (uvicorn) refuses to send such a response
                assert "\r" not in value and "\n" not in value, f"header {name}: {value!r}\n" + describe(case, response, headers)

    check()


# --- the schema ---------------------------------------------------------------------------------------------------


def test_the_schema_documents_the_api(api_schema):
    live = sorted((op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations())
    assert live == OPERATIONS
    assert ("POST", "/api/v1/suggest") in OPERATIONS and len(OPERATIONS) >= 8


@pytest.mark.parametrize("method,path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_operation_answers_5xx(api_schema, lead_headers, method, path):
    operation = api_schema.find_operation_by_path(method, path)
    assert operation is not None, f"{method} {path} is not in the live schema"
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE, headers=lead_headers),
        operation.as_strategy(GenerationMode.NEGATIVE, headers=lead_headers),
    ]
    if "week" in _parameters(method, path, "query"):  # otherwise a random string never names a real week
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, headers=lead_headers, query={"week": VALID_WEEK}))
    run_cases(st.one_of(strategies), lead_headers, MAX_EXAMPLES)


@pytest.mark.parametrize(
    "method,path,name,value", INTEGER_PATH_CASES, ids=[f"{m} {p} {n}={v}" for m, p, n, v in INTEGER_PATH_CASES]
)
def test_integer_path_parameters_at_64_bit_edges_never_answer_5xx(api_schema, lead_headers, method, path, name, value):
    operation = api_schema.find_operation_by_path(method, path)
    strategy = operation.as_strategy(GenerationMode.POSITIVE, headers=lead_headers, path_parameters={name: value})
    run_cases(strategy, lead_headers, 5, shrink=False)  # the value under test is pinned: nothing to shrink


@pytest.mark.parametrize(
    "method,path,query",
    WEEK_CASES,
    ids=[f"{m} {p} week={WEEK_LABELS[q['week']]} {q.get('format', '')}".rstrip() for m, p, q in WEEK_CASES],
)
def test_edge_weeks_never_answer_5xx_or_break_headers(api_schema, lead_headers, method, path, query):
    operation = api_schema.find_operation_by_path(method, path)
    strategy = operation.as_strategy(GenerationMode.POSITIVE, headers=lead_headers, query=query)
    run_cases(strategy, lead_headers, 3, shrink=False)


# --- the outcome import: a CSV body the schema does not describe ----------------------------------------------------

cells = st.text(max_size=12)
reply_ids = st.one_of(
    st.just("1"), st.integers(-(2**70), 2**70).map(str), st.sampled_from(["", " 1 ", "1.0", "1e3", "٣", "²", "1_0"]), cells
)
results = st.one_of(st.sampled_from(RESULTS), cells)
ratings = st.one_of(
    st.just(""), st.integers(-10, 10).map(str), st.sampled_from(["²", "٣", "５", "99999999999999999999", " 3 "]), cells
)
rows = st.lists(st.tuples(reply_ids, results, ratings, cells), max_size=6)
headers_ = st.sampled_from(
    [["reply_id", "result"], ["reply_id", "result", "rating_after"], ["reply_id", "result", "rating_after", "note"], ["result"]]
)


def _csv(header, records) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for record in records:
        writer.writerow(record[: len(header)])
    return out.getvalue().encode("utf-8")


csv_bodies = st.one_of(st.builds(_csv, headers_, rows), st.binary(max_size=200), st.text(max_size=200).map(str.encode))
IMPORT_EDGES = {
    # "\u00b2".isdigit() is True, int() refuses it
    "rating-superscript-two": b"reply_id,result,rating_after\n1,upgraded,\xc2\xb2\n",
    "rating-fullwidth-five": "reply_id,result,rating_after\n1,upgraded,５\n".encode(),
    "reply-id-over-int64": b"reply_id,result\n99999999999999999999999,upgraded\n",
    "field-over-csv-limit": b'reply_id,result,note\n1,upgraded,"' + b"x" * 140_000 + b'"\n',  # csv.field_size_limit() is 131072
    "header-over-csv-limit": b"reply_id,result," + b"x" * 140_000 + b"\n1,upgraded,\n",
    "not-utf8": b"reply_id,result\n1,\xff\xfe\n",
    "nul-bytes": b"reply_id,result\n1,upgraded\x00\n",
}


def post_import(client, headers, body: bytes):
    response = client.post("/api/v1/outcomes/import", content=body, headers={**headers, "Content-Type": "text/csv"})
    assert response.status_code < 500, (
        f"POST /api/v1/outcomes/import {body[:120]!r} answered {response.status_code}: {response.text[:300]}"
    )


@settings(max_examples=80, deadline=None, database=None, derandomize=True)
@given(body=csv_bodies)
def test_outcome_import_never_answers_5xx(raw_client, lead_headers, body):
    post_import(raw_client, lead_headers, body)


@pytest.mark.parametrize("body", list(IMPORT_EDGES.values()), ids=list(IMPORT_EDGES))
def test_outcome_import_edge_bodies_never_answer_5xx(raw_client, lead_headers, body):
    post_import(raw_client, lead_headers, body)


def test_a_well_formed_import_is_taken_beside_the_refused_edges(raw_client, lead_headers, running_app):
    """The cases above pass as long as nothing answers 5xx, so they would pass if every import were refused: a
    well-formed body must be imported and change the replies."""
    reply = {"complaint": "快递一个星期还没到", "sent_text": "您好，今天18:00前回电说明物流进度。", "platform": "jd"}
    ids = [raw_client.post("/api/v1/replies", json=reply, headers=lead_headers).json()["id"] for _ in range(2)]
    body = f"reply_id,result,rating_after,note\n{ids[0]},upgraded,5,已改好评\n{ids[1]},deleted,,\n".encode()
    response = raw_client.post("/api/v1/outcomes/import", content=body, headers={**lead_headers, "Content-Type": "text/csv"})
    assert response.status_code == 200 and response.json() == {"imported": 2, "unchanged": 0, "skipped": []}, response.text
    with closing(open_db(running_app[0].state.settings.db_path)) as db:
        rows = db.execute(f"select outcome, rating_after from replies where id in ({ids[0]}, {ids[1]}) order by id").fetchall()
    assert rows == [("upgraded", 5), ("deleted", None)]


# --- the pages, which are not in the schema -------------------------------------------------------------------------

PAGE_CASES = [
    *[
        (f"reply-id={label}", "GET", f"/replies/{v}", None)
        for label, v in (("2**63", 2**63), ("-2**63-1", -(2**63) - 1), ("10**30", 10**30))
    ],
    *[
        (f"reply-id={label}", "POST", f"/replies/{v}/outcome", {"result": "upgraded"})
        for label, v in (("2**63", 2**63), ("10**30", 10**30))
    ],
    *[(f"week={WEEK_LABELS[w]}", "GET", "/stats", {"week": w}) for w in WEEK_EDGES],
    *[
        (f"week={WEEK_LABELS[w]} {f}", "GET", "/stats/export", {"week": w, "format": f})
        for w in WEEK_EDGES
        for f in ("csv", "xlsx")
    ],
    *[
        (f"rating={label}", "POST", "/compose/sent", {"complaint": SUGGESTION, "sent_text": SENT, "platform": "jd", "rating": r})
        for label, r in (("superscript-two", "²"), ("10**20", "99999999999999999999"), ("arabic-indic-three", "٣"))
    ],
    *[
        (f"rating_after={label}", "POST", "/replies/1/outcome", {"result": "upgraded", "rating_after": r})
        for label, r in (("superscript-two", "²"), ("10**20", "99999999999999999999"), ("arabic-indic-three", "٣"))
    ],
    ("template-syntax", "POST", "/compose/suggest", {"text": "{{ 7*7 }}" * 600}),
    ("nul-and-rtl", "POST", "/compose/sincerity", {"sent_text": "\x00" * 1000, "complaint": "\u202e" * 1000}),
    ("hostile-lines", "POST", "/triage", {"text": "\n".join(["快递太慢", "\x00", "{{ 7*7 }}", "差" * 6000])}),
]


@pytest.mark.parametrize(
    "method,path,data",
    [c[1:] for c in PAGE_CASES],
    ids=[f"{c[1]} {re.sub(r'-?[0-9]{6,}', '{id}', c[2])} {c[0]}" for c in PAGE_CASES],
)
def test_page_edge_inputs_never_answer_5xx(lead_page, method, path, data):
    client, csrf = lead_page
    if method == "GET":
        response = client.get(path, params=data)
    else:
        response = client.post(path, data=data, headers={"X-CSRF-Token": csrf})
    assert response.status_code < 500, f"{method} {path} {data!r} answered {response.status_code}"
    for name, value in response.headers.items():
        assert "\r" not in value and "\n" not in value, f"{method} {path} {data!r}: header {name}: {value!r}"
