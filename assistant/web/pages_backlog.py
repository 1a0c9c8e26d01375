"""我的回复: an agent's replies sent (a lead's: everyone's), their outcomes recorded in place or in bulk with the
sheet it downloads."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile as StarletteUploadFile

from assistant import replying
from assistant.engine import triage as batch
from assistant.errors import InvalidInput
from assistant.log import history, outcomes, worksheet
from assistant.log.auth import (
    User,
    display_names,
    list_users,
)
from assistant.log.stats import YEARS
from assistant.taxonomy import RESULTS
from assistant.web.deps import (
    DB,
    CsrfChecked,
    EngineDep,
    OptionalText,
    PageUser,
    ReplyId,
    SettingsDep,
    blank,
)
from assistant.web.messages import chinese, unreadable
from assistant.web.rendering import render

router = APIRouter(include_in_schema=False)


REPLIES_PER_PAGE = 50


class Filters(BaseModel):
    """我的回复's filters, as its form and its links carry them (the worksheet's link too)."""

    show: str = "pending"
    platform: str = ""
    intent: str = ""
    agent: str = ""
    q: Annotated[str, Field(max_length=200)] = ""
    since: str = ""
    until: str = ""
    page: Annotated[int, Field(ge=1, le=10**6)] = 1

    def select(self, user: User) -> tuple[history.ReplyFilter, list[str]]:
        """What the filters select for ``user`` (an agent: only their own replies), and what was not understood."""
        errors = []
        show = self.show
        if show not in ("pending", "all", *RESULTS):
            errors.append("结果筛选不在列表里，已显示全部。")
            show = "all"
        dates = {}
        for name, value in (("since", self.since), ("until", self.until)):
            try:
                dates[name] = parse_day(value) if value.strip() else None
            except ValueError:
                errors.append(f"日期“{value[:20]}”看不懂，请用 2026-11-30 这样的格式（2000 到 2099 年）。")
                dates[name] = None
        where = history.ReplyFilter(
            agent=(blank(self.agent) if user.is_lead else user.name),
            status=show,
            platform=blank(self.platform),
            intent=blank(self.intent),
            text=blank(self.q),
            since=dates["since"],
            until=dates["until"],
        )
        return where, errors

    def kept(self, user: User) -> dict[str, str]:
        """The filters set (not left at their defaults), as a link keeps them (without the page)."""
        values = self.model_dump(exclude={"page"}, exclude_defaults=True) | {"agent": self.agent if user.is_lead else ""}
        return {k: v for k, v in values.items() if v}


# A day as an agent types it in 我的回复's date fields: 2026-11-30, 2026/11/30, 2026.11.30 or 2026年11月30日.
_DAY = re.compile(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*")


def parse_day(value: str) -> date:
    """The day ``value`` names (``_DAY``'s forms).

    :raises ValueError: for anything else, a day that does not exist (2026-02-30), or one outside the years the
        statistics keep (``stats.YEARS``: 9999-12-31 overflowed the time zone arithmetic into a 500)
    """
    m = _DAY.fullmatch(value)
    if not m or int(m.group(1)) not in YEARS:
        raise ValueError(value)
    return date(*(int(part) for part in m.groups()))


@router.get("/replies", response_class=HTMLResponse)
def my_replies(
    request: Request,
    user: PageUser,
    db: DB,
    settings: SettingsDep,
    filters: Annotated[Filters, Query()],
    imported: Annotated[int | None, Query(ge=0)] = None,
    unchanged: Annotated[int, Query(ge=0)] = 0,
):
    """The agent's replies (leads: everyone's), filtered by status, platform, intent, agent, words and local dates, 50 a page.

    After a sheet's upload, ``imported`` outcomes were recorded and ``unchanged`` rows were already recorded as filled in.
    """
    return _replies_page(request, user, db, settings, filters, imported=imported, unchanged=unchanged)


def _replies_page(request: Request, user: User, db, settings, filters: Filters, *, status_code: int = 200, **extra):
    where, errors = filters.select(user)
    page = filters.page

    def find(n: int):
        return history.find_replies(db, where, tz=settings.tz, limit=REPLIES_PER_PAGE, offset=(n - 1) * REPLIES_PER_PAGE)

    rows, total = find(page)
    pages = max(1, -(-total // REPLIES_PER_PAGE))
    if page > pages:  # outcomes recorded since the link was made emptied this page: show the last one
        page = pages
        rows, total = find(page)
    kept = filters.kept(user)

    def link(n: int) -> str:
        return "/replies?" + urlencode({**kept, "page": n})

    context = {
        "rows": rows,
        "list_query": urlencode({**kept, "page": page} if page > 1 else kept),  # a reply's page links back to this one
        "show": where.status,
        "filters": filters,
        "results": RESULTS,
        "total": total,
        "page": page,
        "pages": pages,
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
        "errors": errors,
        "agents": [u["name"] for u in list_users(db)] if user.is_lead else [],
        "agent_names": display_names(db) if user.is_lead else {},  # a lead reads agents as their drafts sign
        "kept": kept,
        "worksheet_link": "/replies/worksheet.csv?" + urlencode(kept),
        # The address a reload asks for after an upload (app.js: data-page-url): not the post again, not 已从表格登记 again.
        "page_url": link(page) if page > 1 else "/replies" + ("?" + urlencode(kept) if kept else ""),
        "worksheet_rows": worksheet.WORKSHEET_ROWS,
        "imported": None,
        "unchanged": 0,
        "import_errors": [],
        "import_skipped": [],
        "skipped_count": 0,
        **extra,
    }
    return render(request, "replies.html", context, user, status_code=status_code)


@router.get("/replies/worksheet.csv")
def replies_worksheet(user: PageUser, db: DB, settings: SettingsDep, filters: Annotated[Filters, Query()]):
    """The replies the filters select, as a sheet to fill in with Excel: its 结果 column is read back by the upload."""
    where, _ = filters.select(user)
    content = worksheet.worksheet_csv(db, where, tz=settings.tz)
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="replies-{date.today().isoformat()}.csv"'},
    )


IMPORT_PROBLEMS_SHOWN = 30  # a refused sheet lists at most this many of its bad lines


@router.post("/replies/import", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def replies_import(request: Request, user: PageUser, db: DB, settings: SettingsDep):
    """Record the outcomes of a filled-in worksheet (or any outcome CSV), all or nothing; agents only for their own replies.

    Success goes back to 我的回复 with how many were recorded (a redirect, so a reload does not post again); a refused
    file is answered on the page, every bad line listed in Chinese, and nothing is recorded.
    """
    form = await request.form()
    upload = form.get("file")
    try:  # the list's filters ride along, so the list looks the same after the upload
        filters = Filters.model_validate({k: v for k, v in form.items() if k in Filters.model_fields and isinstance(v, str)})
    except ValidationError:
        filters = Filters()

    def refuse(*problems: tuple[int | None, str]):
        shown = [{"line": line, "message": message} for line, message in problems]
        return _replies_page(request, user, db, settings, filters, status_code=400, import_errors=shown)

    if not isinstance(upload, StarletteUploadFile) or not upload.filename:
        return refuse((None, "请先选择填好的表格文件（CSV），再点上传。"))
    decoded = batch.decode(await upload.read())
    if decoded is None:
        return refuse((None, unreadable(upload.filename)))
    agent = None if user.is_lead else user.name
    try:
        done = await run_in_threadpool(worksheet.import_outcomes, db, decoded[0], by=user.name, agent=agent)
    except worksheet.ImportRejected as e:
        return refuse(*((p.line, chinese(p.message)) for p in e.errors[:IMPORT_PROBLEMS_SHOWN]))
    if not (done.recorded or done.unchanged or done.skipped):
        return refuse((None, f"文件“{upload.filename}”里没有填写结果的行：请在“结果”列填上结果再上传。"))
    if done.skipped:  # said on the page itself (its data-page-url keeps a reload from posting again)
        shown = [{"line": p.line, "message": chinese(p.message)} for p in done.skipped[:IMPORT_PROBLEMS_SHOWN]]
        return _replies_page(
            request,
            user,
            db,
            settings,
            filters,
            imported=done.recorded,
            unchanged=done.unchanged,
            import_skipped=shown,
            skipped_count=len(done.skipped),
        )
    said = {"imported": done.recorded, **({"unchanged": done.unchanged} if done.unchanged else {})}
    return RedirectResponse("/replies?" + urlencode({**filters.kept(user), **said}), status_code=303)


def list_query(query: str) -> str:
    """The filters of 我的回复 in a query string (a reply page's own, or the list's address an outcome was posted from),
    only those, as its links carry them: what the reply page's way back and the row's link keep."""
    keys = set(Filters.model_fields)
    return urlencode([(k, v) for k, v in parse_qsl(query) if k in keys and v])


@router.get("/replies/{reply_id}", response_class=HTMLResponse)
def reply_detail(request: Request, user: PageUser, db: DB, engine: EngineDep, reply_id: ReplyId):
    """One reply whole, with a copy button for the text sent and the outcome form of 我的回复's rows; its way back is the
    list it was opened from, filters and page kept (they come with the link, as the list's query)."""
    row = replying.own_reply(db, reply_id, user=user.name, is_lead=user.is_lead)
    query = list_query(request.url.query)
    context = {
        "r": row,
        "history": outcomes.outcome_history(db, reply_id),
        "results": RESULTS,
        "agent_names": display_names(db),
        "template_titles": engine.library.situations,
        "back": "/replies" + ("?" + query if query else ""),
    }
    return render(request, "reply.html", context, user)


@router.post("/replies/{reply_id}/outcome", response_class=HTMLResponse, dependencies=[CsrfChecked])
def reply_outcome(
    request: Request,
    user: PageUser,
    db: DB,
    reply_id: ReplyId,
    result: OptionalText = None,
    note: OptionalText = None,
    rating_after: OptionalText = None,
    view: OptionalText = None,
):
    """Record an outcome (with an optional note and the rating after) from the list; answers with the updated row, or,
    from the reply's own page (``view=detail``), with its outcome section.

    Nothing is chosen in advance: a form sent without a result, or with a rating outside 1-5, is refused (400)
    with the row (the section) and a message in Chinese, and nothing is recorded.
    """
    row = replying.own_reply(db, reply_id, user=user.name, is_lead=user.is_lead)
    detail = view == "detail"
    names = display_names(db) if user.is_lead or detail else {}
    # The row's link to the reply's page keeps the list's filters: htmx names the page the form was on.
    shown = {
        "results": RESULTS,
        "agent_names": names,
        "list_query": list_query(urlsplit(request.headers.get("HX-Current-URL", "")).query),
    }
    partial = "_reply_outcome.html" if detail else "_reply_row.html"

    def answer(r, **extra):
        history_ = {"history": outcomes.outcome_history(db, reply_id)} if detail else {}
        return render(request, partial, {"r": r, **shown, **history_, **extra}, user, status_code=400 if extra else 200)

    def refuse(message: str):
        return answer(row, error=message, note=note or "", rating_after=rating_after or "")

    result = blank(result)
    if result is None:
        return refuse("请先选择结果，再点登记。")
    try:
        stars = outcomes.parse_rating(rating_after)
    except InvalidInput as e:  # named as the outcome import names the column, so said as it says it
        return refuse(chinese(f"rating_after: {e}"))
    try:  # the log checks the result (one of RESULTS) and the note's length
        replying.record_outcome(db, reply_id, result, user=user.name, is_lead=user.is_lead, note=blank(note), rating_after=stars)
    except InvalidInput as e:
        return refuse(chinese(str(e)))
    row = replying.own_reply(db, reply_id, user=user.name, is_lead=user.is_lead)
    response = answer(row)
    response.headers["HX-Trigger"] = "outcome-recorded"
    return response
