"""批量分拣's ranked backlogs, kept an hour for their owner's download link (personal data masked in every column but
the file's order numbers)."""

from __future__ import annotations

import io
import json
import re
import secrets
import time

import sqlite_utils

from assistant.engine.triage import COLUMNS, columns_named, write_records
from assistant.log.db import write_transaction
from assistant.log.redact import redact

TRIAGE_KEPT_S = 3600  # how long a ranked backlog's download link works


# Beside the order number (a column ``INPUT_HEADINGS["order_id"]`` names, which 写回复 is filled in with), the other
# numbers an agent acts on: a waybill (快递单号, 运单号), a refund or after-sale case (退款单号, 售后单号), a payment
# (交易号, 支付流水号), an order number however else a sheet heads it (淘宝订单编号, Order ID#). The cells of all these
# columns are kept as they are: masked, a number of 16-19 digits reads as a bank card, of 18 as an ID number, of 11 as a
# mobile (REVIEW12 #2, REVIEW13 #4).
REFERENCE_NUMBER_COLUMN = re.compile(r"单号|交易号|流水号|订单(?:编号|号码|id)|order[\s_\-.]*(?:id|no|num|number|sn|#)", re.I)


def kept_as_uploaded(column: str) -> bool:
    """Whether a column of the uploaded file is kept unmasked: an order number's (the one 写回复 is filled in with) or
    another reference number's (``REFERENCE_NUMBER_COLUMN``)."""
    return bool(columns_named("order_id", [column]) or REFERENCE_NUMBER_COLUMN.search(column))


def keep_triage_csv(db: sqlite_utils.Database, owner: str, records: list[dict], *, now: float | None = None) -> str:
    """Keep a ranked backlog as 批量分拣's CSV (``triage.write_records(labels=True)``) for its owner's download link;
    return the link's id.

    Personal data is masked (``redact``) in every stored cell: the complaint, its draft (which quotes it) and the
    uploaded file's own columns (a backlog export has 收货人手机 and 收货地址), as the README promises for every stored
    text. Only a column whose heading names an order or another reference number (``kept_as_uploaded``) is kept as it
    is: the agent needs it to act on a row. Results older than ``TRIAGE_KEPT_S`` are deleted on the way, so the table
    holds at most an hour of batches.
    """
    now = time.time() if now is None else now
    out = io.StringIO()
    write_records([_masked(r) for r in records], out, "csv", labels=True)
    result_id = secrets.token_urlsafe(12)
    with write_transaction(db):
        db.execute("delete from triage_results where at < ?", [now - TRIAGE_KEPT_S])
        db.execute("insert into triage_results (id, owner, at, csv) values (?, ?, ?, ?)", [result_id, owner, now, out.getvalue()])
    return result_id


def triage_csv(db: sqlite_utils.Database, result_id: str, owner: str, *, now: float | None = None) -> str | None:
    """A kept backlog's CSV for its owner, or None when it is unknown, another user's or older than an hour."""
    now = time.time() if now is None else now
    row = db.execute(
        "select csv from triage_results where id = ? and owner = ? and at >= ?", [result_id, owner, now - TRIAGE_KEPT_S]
    ).fetchone()
    return row[0] if row else None


def own_columns(record: dict) -> list[tuple[str, str]]:
    """The uploaded file's own columns of a ranked record as 批量分拣's page shows them beside the complaint: (heading,
    cell) in the file's order, masked as the download masks them (``_masked``: an order number's column as uploaded),
    empty cells left out. A column spelt like one of ours was kept as ``input_<name>``; it is headed by its own name."""
    masked = _masked(record)
    out = []
    for column in record:
        if column in COLUMNS:
            continue
        value = masked[column]
        cell = value if isinstance(value, str) else "" if value is None else json.dumps(value, ensure_ascii=False)
        if cell.strip():
            out.append((column.removeprefix("input_") if column.removeprefix("input_") in COLUMNS else column, cell.strip()))
    return out


def _masked(record: dict) -> dict:
    """A ranked record with personal data masked in the complaint, the draft and the file's own columns (all but those
    naming an order number)."""
    out = {**record, "text": redact(record["text"]), "draft": redact(record["draft"])}
    for column, value in record.items():
        if column not in COLUMNS and not kept_as_uploaded(column):
            out[column] = _masked_value(value)
    return out


def _masked_value(value):
    """A cell of the uploaded file masked: text as ``redact`` masks it; a JSONL input's numbers (a phone as 13812345678)
    as their text, its lists and objects as JSON."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(value)
    else:
        return value
    masked = redact(text)
    return value if masked == text else masked
