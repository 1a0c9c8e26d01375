"""批量分拣: a morning's backlog of complaints ranked, most severe first, each with a draft; the ranked list as a
CSV, and 写回复 opened from a row with what the row knows."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time
from pathlib import Path as FilePath

import openpyxl
import sqlite_utils
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile as StarletteUploadFile

from assistant.engine import triage as batch
from assistant.errors import InvalidInput, NotFound
from assistant.log import backlog
from assistant.log.auth import (
    User,
)
from assistant.replying import FIELD_CHARS, platform_id, prefilled_rating
from assistant.taxonomy import PLATFORMS
from assistant.web.deps import (
    DB,
    CsrfChecked,
    EngineDep,
    PageUser,
    read_form,
)
from assistant.web.messages import chinese, unreadable
from assistant.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/triage", response_class=HTMLResponse)
def triage_page(request: Request, user: PageUser):
    return render(request, "triage.html", _triage_context(), user)


def _triage_context(**values) -> dict:
    base: dict[str, object] = {"records": None, "skipped": [], "result_id": None, "error": None, "note": None, "pasted": ""}
    helpers = {"severity_level": batch.severity_level, "row_fields": row_fields, "own_columns": backlog.own_columns}
    return {**base, "platform": "", **helpers, **values}


# 写回复's fields that a row of an uploaded backlog fills, from its columns as ``taxonomy.INPUT_HEADINGS`` names them.
ROW_FIELDS = ("platform", "order_id", "customer", "buyer_id", "product", "rating")


def row_fields(record: dict, platform: str = "") -> dict[str, str]:
    """What 批量分拣's 写回复 hands the draft page from a ranked row: its own columns (``ROW_FIELDS``; the first named
    with a value wins), and the platform chosen for the whole batch where the row names none. Only what a row gives;
    nothing empty."""
    found = {}
    for name in ROW_FIELDS:
        columns = batch.columns_named(name, record)
        value = next((record[c] for c in columns if isinstance(record[c], (str, int)) and str(record[c]).strip()), None)
        if value is not None:
            found[name] = str(value).strip()
    if "rating" in found:  # 「1星」, 「1 星」 or 1; not 10, 3.5 or 「4-5」
        rating = prefilled_rating(found.pop("rating"))
        if rating:
            found["rating"] = rating
    given = platform_id(found.get("platform") or platform or None)
    if given:
        found["platform"] = given if given in PLATFORMS else "other"
    return {name: value[: FIELD_CHARS.get(name, 100)] for name, value in found.items()}


# A backlog is ranked in the thread pool (never on the event loop, so /healthz and other agents are served meanwhile),
# and bounded: at most this many complaints and characters in one batch (about 10 s of engine time at the limit).
TRIAGE_MAX_ROWS = 2000
TRIAGE_MAX_CHARS = 200_000


@router.post("/triage", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def triage_run(request: Request, user: PageUser, engine: EngineDep, db: DB):
    """Rank a pasted or uploaded backlog with the same function as ``assistant triage``.

    Only the form is read here; decoding, parsing and ranking run in the thread pool. A file that cannot be
    read (encoding, no complaint column, no complaints) or a batch over the limits is answered on the page, in Chinese.
    """
    form = await read_form(request)  # a paste over 1 MB reaches the limits below, said in Chinese with the paste kept
    upload, pasted = form.get("file"), str(form.get("text") or "")
    chosen = platform_id(str(form.get("platform") or "")) or ""
    platform = chosen if chosen in PLATFORMS else ""
    # request.form() gives Starlette's UploadFile (FastAPI's is a subclass of it).
    if isinstance(upload, StarletteUploadFile) and upload.filename:
        name, raw = upload.filename, await upload.read()
        # The file wins; the page says the pasted lines were left as they are, rather than dropping them unsaid.
        return await run_in_threadpool(
            _triage, request, user, engine, db, name, raw, "", ignored_paste=bool(pasted.strip()), platform=platform
        )
    return await run_in_threadpool(_triage, request, user, engine, db, None, b"", pasted, platform=platform)


def _triage(
    request: Request,
    user: User,
    engine,
    db: sqlite_utils.Database,
    name: str | None,
    raw: bytes,
    pasted: str,
    *,
    ignored_paste: bool = False,
    platform: str = "",
):
    """The triage page for an uploaded file (``name`` and its bytes) or pasted lines (blocking: run in the thread pool);
    ``platform``: where the batch came from (a known platform's id, or empty), for rows that do not say."""
    note = None

    def refuse(message: str):  # pasted lines stay in the box, to be cut down rather than pasted again
        context = _triage_context(error=message, pasted=pasted, platform=platform)
        return render(request, "triage.html", context, user, status_code=400)

    if name is not None:
        suffix = FilePath(name).suffix.lower()
        if suffix not in (".csv", ".xlsx", ".jsonl", ".ndjson", ".txt"):
            old_excel = "旧版 .xls 表格请在 Excel 里另存为 .xlsx 或“CSV UTF-8”。" if suffix == ".xls" else ""
            return refuse(f"不能分拣“{name}”：只能上传 Excel 表格（.xlsx）、CSV、JSONL 或 TXT 文件。{old_excel}")
        if suffix == ".xlsx":
            sheet = xlsx_as_csv(raw)
            if sheet is None:
                return refuse(f"读不出 Excel 表格“{name}”：文件可能已损坏或加了密码。请在 Excel 里打开后另存为 .xlsx 再上传。")
            content, sheet_name = sheet
            decoded: tuple[str, str] | None = content, f"Excel 表格的工作表“{sheet_name}”"
        else:
            decoded = batch.decode(raw)
        if decoded is None:
            return refuse(unreadable(name))
        content, encoding = decoded
        # a workbook's sheet is read as the CSV it was turned into (parse_rows goes by the file's extension)
        parsed_as = str(FilePath(name).with_suffix(".csv")) if suffix == ".xlsx" else name
        try:  # parse_rows is the one check of a table's header (a complaint column, only one)
            parsed = batch.parse_rows(content, parsed_as)
        except InvalidInput as e:
            return refuse(chinese(str(e)).replace(f"“{parsed_as}”", f"“{name}”"))
        rows, skipped = parsed.rows, parsed.skipped
        read = f"已读取“{name}”里{encoding}" if suffix == ".xlsx" else f"已按 {encoding} 编码读取“{name}”"
        taken = f"，投诉取自“{parsed.column}”列" if parsed.column else ""
        note = read + taken + (f"，“{parsed.followup}”列接在投诉后面" if parsed.followup else "") + "。"
        if ignored_paste:
            note += "这次分拣的是上传的文件；文本框里粘贴的内容没有分拣，需要的话请清空文件后再提交一次。"
        if not rows and not skipped:
            return refuse(f"文件“{name}”里没有投诉（是空的，或只有表头）。")
    else:
        parsed = batch.parse_rows(pasted, "pasted.txt")
        rows, skipped = parsed.rows, parsed.skipped
        if not rows:
            return refuse("没有要分拣的投诉：请粘贴投诉（每行一条），或选择一个 CSV 文件。")
    if len(rows) > TRIAGE_MAX_ROWS:
        return refuse(f"一次最多分拣 {TRIAGE_MAX_ROWS} 条，这次有 {len(rows)} 条，请分批上传。")
    chars = sum(len(r.text) for r in rows)
    if chars > TRIAGE_MAX_CHARS:
        return refuse(f"一次最多分拣 {TRIAGE_MAX_CHARS // 10000} 万字，这次有 {chars} 字，请分批上传。")
    records, failed = batch.triage(engine, rows, agent=user.signature)
    result_id = backlog.keep_triage_csv(db, user.name, records)  # in Chinese for agents; ``assistant triage`` keeps the ids
    skipped = [batch.Skipped(s.line, chinese(s.reason)) for s in sorted(skipped + failed, key=lambda s: s.line)]
    context = _triage_context(records=records, skipped=skipped, result_id=result_id, note=note, platform=platform)
    return render(request, "triage.html", context, user)


def xlsx_as_csv(raw: bytes) -> tuple[str, str] | None:
    """An uploaded Excel workbook's first sheet as CSV text, and the sheet's name; None for a file openpyxl cannot read.

    A shop's export comes as .xlsx: the lead need not save it as CSV first. Cells read as Excel shows them: a whole
    number without ``.0`` (an order number typed as a number), a date as 2026-11-30 (with its time when it has one).
    Reading stops past ``TRIAGE_MAX_ROWS`` rows (the batch is refused above that anyway) and at 200 columns.
    """
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises zip, XML, key and value errors for a file that is not a workbook
        return None
    try:
        sheet = book.worksheets[0]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        width = 0  # the header's columns (up to its last named one): cells beyond it belong to no column
        for n, row in enumerate(sheet.iter_rows(values_only=True)):
            if n > TRIAGE_MAX_ROWS + 1:
                break
            cells = [_cell_text(v) for v in row[:200]]
            if n == 0:
                width = max((i + 1 for i, c in enumerate(cells) if c.strip()), default=0)
            # an empty row (one Excel merely formatted) is an empty line: skipped, and the lines still count as Excel's rows
            writer.writerow(cells[:width] if any(c.strip() for c in cells[:width]) else [])
        return out.getvalue(), sheet.title
    except Exception:  # a sheet openpyxl cannot stream (a chart sheet, a broken part)
        return None
    finally:
        book.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d" if value.time() == time() else "%Y-%m-%d %H:%M")
    return str(value)


@router.get("/triage/{result_id}.csv")
def triage_download(user: PageUser, db: DB, result_id: str):
    text = backlog.triage_csv(db, result_id[:40], user.name)
    if text is None:
        raise NotFound("这份分拣结果已过期（只保留一小时），请重新分拣。")
    return Response(
        ("\ufeff" + text).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="triage.csv"'},
    )
