"""我的回复's worksheet both ways (``log/worksheet.py``): the sheet as downloaded, filled in and read back."""

import csv
import io

from helpers import SHANGHAI, make_reply

from assistant.log.history import ReplyFilter
from assistant.log.worksheet import import_outcomes, worksheet_csv


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
    assert import_outcomes(db, _csv(rows), by="组长") == 2
    got = {r["reply_id"]: (r["result"], r["rating_after"], r["note"]) for r in db["outcomes"].rows}
    assert got == {first: ("upgraded", 5, "电话回访后改了"), second: ("no_response", None, None)}
