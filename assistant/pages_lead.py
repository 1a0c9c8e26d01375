"""HTML pages for team leads: weekly statistics with charts and exports, the template library, users."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from assistant.auth import ROLES, add_user
from assistant.deps import DB, CsrfChecked, EngineDep, PageLead, PageUser, SettingsDep
from assistant.export import export_file
from assistant.library import PLACEHOLDERS
from assistant.pages import render
from assistant.sincerity import check_sincerity
from assistant.stats import iso_week, parse_week, template_conversion, weekly_stats
from assistant.taxonomy import INTENTS, OFFLINE

router = APIRouter(include_in_schema=False)
# Published reference (DESIGN.md): after a reply, 33% of complainers formed a positive view, 34% deleted the review.
REFERENCE = {"positive": 0.33, "deleted": 0.34}
TREND_WEEKS = 12


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request, user: PageLead, db: DB, settings: SettingsDep, week: str | None = None):
    """The week's figures, breakdowns and charts, beside the published reference."""
    week = parse_week(week) if week else iso_week(datetime.now(timezone.utc), settings.tz)
    current = weekly_stats(db, week)
    trend = [weekly_stats(db, w) for w in previous_weeks(week, TREND_WEEKS)]
    rows = list(db.query("select id, agent, platform, intent, agent_intent, template_id, complaint, sent_text, outcome from replies where week = ? order by id desc limit 50", [week]))
    context = {
        "week": week, "st": current, "trend": trend, "reference": REFERENCE, "rows": rows,
        "prev_week": previous_weeks(week, 2)[0], "next_week": _shift(week, 1),
    }
    return render(request, "stats.html", context, user)


@router.get("/stats/export")
def stats_export(user: PageLead, db: DB, week: str, format: str = "csv", table: str = "figures"):
    """Download a week's figures as CSV (UTF-8 with BOM) or XLSX, the same files as the API."""
    content, media, name = export_file(db, week, format, table)
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/library", response_class=HTMLResponse)
def library_page(request: Request, user: PageUser, engine: EngineDep, db: DB, q: str = "", intent: str = ""):
    """Browse and search templates by intent, with usage, measured conversion and sincerity findings."""
    usage = dict(db.execute("select template_id, count(*) from replies where template_id is not null group by template_id").fetchall())
    conversion = template_conversion(db)
    library = engine.library
    groups = []
    for group in [*INTENTS, OFFLINE]:
        if intent and group != intent:
            continue
        templates = library.templates if group == OFFLINE else library.for_intent(group)
        items = []
        for t in templates:
            if (group == OFFLINE) != (t.kind == OFFLINE):
                continue
            text = library.render(t, PLACEHOLDERS)
            haystack = " ".join([t.id, t.situation, text, " ".join(t.examples), " ".join(t.keywords)])
            if q and q.lower() not in haystack.lower():
                continue
            converted, known = conversion.get(t.id, (0, 0))
            items.append({"t": t, "text": text, "used": usage.get(t.id, 0), "converted": converted, "known": known,
                          "sincerity": check_sincerity(text, t.examples[0] if t.examples else None)})
        if items:
            groups.append((group, items))
    model = model_note(engine.model_summary())
    return render(request, "library.html", {"groups": groups, "q": q, "intent": intent, "model": model}, user)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, user: PageLead, db: DB):
    rows = list(db.query("select name, role, created_at, active from users order by created_at"))
    return render(request, "users.html", {"rows": rows, "created": None, "roles": ROLES}, user)


@router.post("/users", response_class=HTMLResponse, dependencies=[CsrfChecked])
def users_add(request: Request, user: PageLead, db: DB, name: str = Form(), role: str = Form()):
    created = add_user(db, name, role)
    rows = list(db.query("select name, role, created_at, active from users order by created_at"))
    return render(request, "users.html", {"rows": rows, "created": created, "roles": ROLES}, user)


def previous_weeks(week: str, n: int) -> list[str]:
    """The ``n`` ISO weeks ending with ``week`` (oldest first)."""
    return [_shift(week, -k) for k in range(n - 1, -1, -1)]


def _shift(week: str, by: int) -> str:
    year, number = int(week[:4]), int(week[6:])
    monday = date.fromisocalendar(year, number, 1) + timedelta(weeks=by)
    y, w, _ = monday.isocalendar()
    return f"{y}-W{w:02d}"


def model_note(summary: dict | None) -> str:
    """One Chinese sentence on the intent model in use."""
    if summary is None:
        return "没有找到训练好的模型（replies/model.npz），目前只按关键词规则识别。"
    note = f"识别模型：交叉验证首选准确率 {summary['top1']:.0%}，前三命中 {summary['top3']:.0%}，转线下召回 {summary['recall']:.0%}。"
    if summary["library_changed"]:
        note += "模板库在训练之后有改动，请运行 assistant train 重新训练，让新模板参与识别。"
    return note


@router.post("/library/reload", response_class=HTMLResponse, dependencies=[CsrfChecked])
def library_reload(request: Request, user: PageLead, settings: SettingsDep):
    """Reload the template files; on an error the page says where, and the last good library keeps serving."""
    from assistant.api import reload_engine
    from assistant.errors import LibraryError

    try:
        engine = reload_engine(request.app, settings)
        message, ok = f"已重新载入 {len(engine.library.templates)} 个模板。{model_note(engine.model_summary())}", True
    except LibraryError as e:
        message, ok = f"载入失败，继续使用上一版模板库：{e}", False
    return render(request, "_reload.html", {"message": message, "ok": ok}, user)
