"""我的回复's worksheet both ways (``log/worksheet.py``): the sheet as downloaded, filled in and read back."""

import csv
import io

import pytest
from helpers import SHANGHAI, make_reply

from assistant.engine.triage import decode
from assistant.log.history import ReplyFilter
from assistant.log.worksheet import MAX_IMPORT_ROWS, WORKSHEET_ROWS, ImportRejected, import_outcomes, worksheet_csv


def _filled(db, fill: dict[int, dict[str, str]]) -> list[list[str]]:
    """The downloaded sheet's rows with the cells a user types, found by the headers the sheet shows."""
    rows = list(csv.reader(io.StringIO(worksheet_csv(db, ReplyFilter(), tz=SHANGHAI).decode("utf-8-sig"))))
    header = rows[0]
    for row in rows[1:]:
        for title, value in fill.get(int(row[0]), {}).items():
            row[header.index(title)] = value
    return rows


def _csv(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue()


def test_every_column_a_user_fills_in_the_downloaded_sheet_is_read_back(db, engine):
    first, second = make_reply(db, engine), make_reply(db, engine, "收到的杯子碎了")
    rows = _filled(db, {first: {"结果": "已改好评", "之后的评分": "5", "备注": "电话回访后改了"}, second: {"结果": "顾客未回应"}})
    assert import_outcomes(db, _csv(rows), by="组长").recorded == 2
    got = {r["reply_id"]: (r["result"], r["rating_after"], r["note"]) for r in db["outcomes"].rows}
    assert got == {first: ("upgraded", 5, "电话回访后改了"), second: ("no_response", None, None)}


def _unicode_text(rows: list[list[str]]) -> bytes:
    """A sheet as Excel saves it as 「Unicode 文本」: tab-separated, UTF-16 with a byte-order mark."""
    return _csv(rows, "\t").encode("utf-16")


def test_a_sheet_saved_as_unicode_text_is_read_back(db, engine):
    first = make_reply(db, engine)
    content, encoding = decode(_unicode_text(_filled(db, {first: {"结果": "已删差评", "备注": "顾客删了"}})))
    assert encoding == "UTF-16"
    assert import_outcomes(db, content, by="组长").recorded == 1
    assert [(r["outcome"]) for r in db["replies"].rows] == ["deleted"]


def test_import_outcomes_reads_a_unicode_text_sheet(tmp_path, engine):
    from click.testing import CliRunner

    from assistant.cli import cli
    from assistant.log.db import open_db

    db_path = tmp_path / "log.db"
    db = open_db(db_path)
    first = make_reply(db, engine)
    sheet = tmp_path / "回复.txt"
    sheet.write_bytes(_unicode_text(_filled(db, {first: {"结果": "已改好评"}})))
    db.close()
    result = CliRunner().invoke(cli, ["import-outcomes", str(sheet), "--db", str(db_path)])
    assert (result.exit_code, result.output) == (0, "imported 1 outcome(s)\n")


def test_the_api_imports_a_unicode_text_sheet(make_client, engine):
    from assistant.log.auth import add_user

    client, db = make_client()
    lead = add_user(db, "组长", "lead")
    first = make_reply(db, engine)
    body = _unicode_text(_filled(db, {first: {"结果": "已改好评"}}))
    response = client.post("/api/v1/outcomes/import", content=body, headers={"Authorization": f"Bearer {lead.token}"})
    assert (response.status_code, response.json()) == (200, {"imported": 1, "unchanged": 0, "skipped": []})


def _many(db, count: int) -> None:
    """``count`` replies whose complaint and reply each hold a line break, as many do."""
    row = {"sent_at": "2026-11-20T02:00:00+00:00", "week": "2026-W47", "agent": "小林", "platform": "taobao"}
    row |= {"intent": "quality_defect", "intents": "[]", "escalate": 0, "reasons": "[]"}
    db["replies"].insert_all(
        {**row, "complaint": f"第{i}条：水壶坏了\n客服也不回", "sent_text": "您好\n马上处理"} for i in range(count)
    )


def test_the_largest_sheet_the_page_offers_is_taken_back_though_its_cells_hold_line_breaks(db):
    # The import counted line breaks, not rows: a 20,000-row sheet has 60,001 lines and was refused (review 10 #6).
    _many(db, WORKSHEET_ROWS)
    rows = _filled(db, {1: {"结果": "已改好评"}})
    assert len(rows) == WORKSHEET_ROWS + 1
    assert import_outcomes(db, _csv(rows), by="组长").recorded == 1


def test_a_file_over_the_row_limit_is_refused_in_rows(db):
    from assistant.web.messages import chinese

    _many(db, 2)
    body = "reply_id,result\n" + "1,upgraded\n" * (MAX_IMPORT_ROWS + 1)
    with pytest.raises(ImportRejected) as refused:
        import_outcomes(db, body, by="组长")
    assert [p.line for p in refused.value.errors] == [1]
    assert (
        chinese(refused.value.errors[0].message)
        == f"表格超过 {MAX_IMPORT_ROWS} 行，一次最多登记 {MAX_IMPORT_ROWS} 条，请分几次上传。"
    )
    assert db["outcomes"].count == 0
