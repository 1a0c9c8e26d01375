"""HTML pages for team leads: weekly statistics with charts and exports, the template library, users."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from assistant import reporting
from assistant.engine.library import GENERAL_SHOP
from assistant.errors import InvalidInput, LibraryError
from assistant.log.auth import ROLES, add_user, display_names, list_users, reset_password, set_active, set_display_name
from assistant.log.export import export_file
from assistant.replying import first_sentence
from assistant.web.deps import DB, CsrfChecked, EngineDep, OptionalText, PageLead, PageUser, SettingsDep, Text
from assistant.web.messages import ROLE_LABELS, chinese, library_problem
from assistant.web.rendering import NO_STORE, download, render

router = APIRouter(include_in_schema=False)
# Published reference (DESIGN.md): after a reply, 33% of complainers formed a positive view, 34% deleted the review.
REFERENCE = {"positive": 0.33, "deleted": 0.34}
# How the statistics name the zone their weeks are counted in (``week_timezone``); any other zone by its id.
ZONE_NAMES = {"Asia/Shanghai": "北京时间", "Asia/Chongqing": "北京时间", "PRC": "北京时间", "Asia/Hong_Kong": "香港时间"}


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request, user: PageLead, db: DB, settings: SettingsDep, engine: EngineDep, week: str | None = None):
    """The week's figures, breakdowns and charts, beside the published reference.

    A week that is not one (typed into the address, or an old link) is said at the field, over this week's
    figures, rather than on an error page away from the statistics.
    """
    try:
        o, week_error = reporting.week_overview(db, week, settings.tz), None
    except InvalidInput as e:
        o, week_error = reporting.week_overview(db, None, settings.tz), chinese(str(e))
    context = {
        "week_error": week_error,
        "week": o.week,
        "monday": o.monday,
        "sunday": o.sunday,
        "st": o.current,
        "trend": o.trend,
        "reference": REFERENCE,
        "zone": ZONE_NAMES.get(settings.week_timezone, settings.week_timezone),
        "rows": o.rows,
        "prev_week": o.prev_week,
        "next_week": o.next_week,
        "choices": o.choices,
        "template_titles": engine.library.situations,  # charts and rows name templates, not ids
        "agent_names": display_names(db),  # and agents as drafts sign
    }
    return render(request, "stats.html", context, user, status_code=400 if week_error else 200)


@router.get("/stats/export")
def stats_export(
    user: PageLead, db: DB, engine: EngineDep, settings: SettingsDep, week: str, format: str = "csv", table: str = "figures"
):
    """Download a week's figures as CSV (UTF-8 with BOM) or XLSX for the lead who opens them in Excel: the workbook as the
    API gives it, the CSV files reading as it does (Chinese headers, names, local times; the API's CSV keeps ids)."""
    titles = engine.library.situations
    return download(*export_file(db, week, format, table, template_titles=titles, tz=settings.tz, for_people=True))


@router.get("/library", response_class=HTMLResponse)
def library_page(request: Request, user: PageUser, engine: EngineDep, db: DB, q: str = "", intent: str = "", view: str = ""):
    """Browse and search templates by intent, with usage, measured conversion and sincerity findings.

    The default view is compact (one line a template: title, first line, copy and insert, groups folded unless searched);
    ``view=full`` shows every preview whole with its sincerity findings.
    """
    groups = reporting.library_overview(engine, db, q=q, intent=intent)
    model = model_note(engine.model_summary())
    full = view == "full"
    switch = "/library?" + urlencode({k: v for k, v in {"q": q, "intent": intent, "view": "" if full else "full"}.items() if v})
    context = {
        "groups": groups,
        "q": q,
        "intent": intent,
        "model": model,
        "full": full,
        "switch": switch,
        "first_line": first_sentence,
        "shop_kind": engine.library.policy.shop_kind,
        "general_shop": GENERAL_SHOP,
    }
    return render(request, "library.html", context, user)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, user: PageLead, db: DB):
    return render(request, "users.html", _users_context(db), user)


@router.post("/users", response_class=HTMLResponse, dependencies=[CsrfChecked])
def users_add(request: Request, user: PageLead, db: DB, name: Text, role: Text, display_name: OptionalText = None):
    """Add an account; a refused one (taken name, bad role) is said on the page, with the form kept (the role too) and
    the cursor in the field to fix.

    The page shows the one-time password and token, so no cache may keep it. The lead knows that password, so the
    person must choose their own at the first sign-in.
    """
    try:
        created = add_user(db, name, role, display_name, must_change_password=True)
    except InvalidInput as e:
        field = "new-display" if str(e).startswith("display name") else "new-role" if str(e).startswith("role") else "new-name"
        context = _users_context(
            db, error=chinese(str(e)), error_field=field, name=name, display_name=display_name or "", role=role
        )
        return render(request, "users.html", context, user, status_code=400)
    return render(request, "users.html", _users_context(db, created=created), user, headers=NO_STORE)


@router.post("/users/display-name", response_class=HTMLResponse, dependencies=[CsrfChecked])
def users_display_name(request: Request, user: PageLead, db: DB, name: Text, display_name: OptionalText = None):
    """Change the name an account's drafts sign with (empty: its login name)."""
    try:
        set_display_name(db, name, display_name)
    except InvalidInput as e:
        return render(request, "users.html", _users_context(db, error=chinese(str(e))), user, status_code=400)
    return render(request, "users.html", _users_context(db, done=f"已把“{name}”的显示名改好。"), user)


@router.post("/users/password", response_class=HTMLResponse, dependencies=[CsrfChecked])
def users_reset_password(request: Request, user: PageLead, db: DB, name: Text):
    """A new one-time password for an account, shown once (no-store); its open sessions end, and it must be changed at sign-in."""
    password = reset_password(db, name)
    return render(request, "users.html", _users_context(db, reset=(name, password)), user, headers=NO_STORE)


@router.post("/users/active", response_class=HTMLResponse, dependencies=[CsrfChecked])
def users_set_active(request: Request, user: PageLead, db: DB, name: Text, active: Text):
    """Deactivate an account (sessions and API token stop at once; its replies stay in the statistics) or reactivate it."""
    if name == user.name and active != "1":
        return render(request, "users.html", _users_context(db, error="不能停用自己正在使用的账号。"), user, status_code=400)
    set_active(db, name, active == "1")
    done = f"已重新启用“{name}”。" if active == "1" else f"已停用“{name}”：它的登录和 API 令牌立即失效，发过的回复仍计入统计。"
    return render(request, "users.html", _users_context(db, done=done), user)


def _users_context(db, **values) -> dict:
    return {
        "rows": list_users(db),
        "created": None,
        "reset": None,
        "done": None,
        "roles": ROLES,
        "role_labels": ROLE_LABELS,
        "error": None,
        "error_field": None,
        "name": "",
        "display_name": "",
        "role": "",
        **values,
    }


# What the figures of ``Engine.model_summary`` measured, as a team lead reads it
CROSS_VALIDATION = {
    "whole_path": "交叉验证（整条识别流程）",
    "model_level": "交叉验证（仅模型本身，不含线上识别流程的规则）",
}


def model_note(summary: dict | None) -> str:
    """A few Chinese sentences on the intent model in use: how well it recognised labelled complaints it had not seen,
    said as a team lead reads it, and whether the library changed since it was trained."""
    if summary is None:
        return "没有找到训练好的模型（replies/model.npz），目前只按关键词规则识别。"
    whole = summary["cross_validation"] == "whole_path"
    n = summary.get("n_labelled")
    tested = f"用 {n} 条已标注的投诉检验" if n else "用已标注的投诉检验"
    tested += "，每条都按线上的识别流程判断" if whole else "，只看模型本身的判断"
    figures = {
        k: f"{summary[k]:.0%}" if isinstance(summary.get(k), int | float) else "—"
        for k in ("top1", "top3", "precision", "recall")
    }
    note = (
        f"识别模型 · {CROSS_VALIDATION[summary['cross_validation']]}：{tested}，且检验时模型没学过那一条。"
        f"排第一的问题类型判对 {figures['top1']}，前三个里有正确类型 {figures['top3']}；"
        f"该转线下的投诉找出 {figures['recall']}，建议转线下的投诉中 {figures['precision']} 确实该转。"
    )
    if not whole:
        note += "这份模型文件没有整条识别流程的成绩，运行 assistant train 重新训练后会显示。"
    if summary["library_changed"]:
        note += "模板库在训练之后有改动，请运行 assistant train 重新训练，让新模板参与识别。"
    return note


@router.post("/library/reload", response_class=HTMLResponse, dependencies=[CsrfChecked])
def library_reload(request: Request, user: PageLead, settings: SettingsDep):
    """Reload the template files. When a file cannot be used (missing, unreadable, not UTF-8, malformed: every such
    problem is a ``LibraryError``) the page says 载入失败 and where, in Chinese, and the last good library keeps serving."""
    try:
        engine, request.app.state.library_version = reporting.reload_library(settings)
        request.app.state.engine = engine
        message, ok = f"已重新载入 {len(engine.library.templates)} 个模板。{model_note(engine.model_summary())}", True
    except LibraryError as e:
        message, ok = f"载入失败，继续使用上一版模板库：{library_problem(e.file, e.line, e.message)}", False
    return render(request, "_reload.html", {"message": message, "ok": ok}, user)
