"""The weekly workbook a team lead downloads reads like the 数据统计 page: its labels, names, number formats and figures."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from helpers import make_reply, sign_in
from openpyxl import load_workbook

from assistant.log.auth import add_user
from assistant.log.outcomes import record_outcome

WEEK = "2026-W47"
MONDAY = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def site(make_client, engine):
    """A lead, an agent with a display name, and a week of that agent's replies: one upgraded, one with a positive
    follow-up, one unchanged and one still waiting for its result."""
    client, db = make_client()
    users = {"组长": add_user(db, "组长", "lead"), "agent7": add_user(db, "agent7", "agent", display_name="王小美")}
    for n, outcome in enumerate(["upgraded", "positive_followup", "unchanged", None]):
        reply_id = make_reply(db, engine, agent="agent7", platform="jd", now=MONDAY + timedelta(hours=n))
        if outcome:
            record_outcome(db, reply_id, outcome, by="组长", now=MONDAY + timedelta(days=1))
    sign_in(client, "组长", users["组长"].password)
    return client, db


def download(client):
    response = client.get("/stats/export", params={"week": WEEK, "format": "xlsx"})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def figure_labels_on_the_page(client) -> list[str]:
    """The labels under the big figures of 数据统计 (the outcome parts are one figure, 「a/b/c」)."""
    page = BeautifulSoup(client.get("/stats", params={"week": WEEK}).text, "html.parser")
    labels = []
    for figure in page.select("section.card div.figures")[0].select("div"):
        for part in figure.select(".big, small"):
            part.decompose()
        labels += figure.get_text(strip=True).split("/")
    return labels


def test_the_workbook_says_the_figures_as_the_stats_page_does(site):
    client, _ = site
    book = download(client)
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    on_page = figure_labels_on_the_page(client)
    assert "等待结果" in on_page and "正面追评" in on_page
    for label in on_page:  # every figure the page shows is in the summary under the same name
        assert label in summary, (label, list(summary))
    assert (summary["等待结果"], summary["正面追评"], summary["已改好评"]) == (1, 1, 1)
    assert "待登记" not in summary and "追评好评" not in summary
    headers = next(book["按客服"].iter_rows(max_row=1, values_only=True))
    assert "等待结果" in headers and "正面追评" in headers
    rows = list(book["回复明细"].iter_rows(values_only=True))
    detail = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert [r["结果"] for r in detail] == ["已改好评", "正面追评", "没有变化", "等待结果"]  # as 我的回复 and 数据统计 say


def test_rates_read_as_percentages_counts_as_whole_numbers_and_headers_stay_in_view(site):
    client, _ = site
    book = download(client)
    summary = {row[0].value: row[1] for row in book["汇总"].iter_rows(min_row=2)}
    rate = summary["转化率"]
    assert rate.value == pytest.approx(2 / 3, abs=1e-4) and rate.number_format == "0.0%"  # Excel shows 66.7%
    assert summary["95%区间下限"].number_format == summary["转线下占比"].number_format == "0.0%"
    assert summary["已回复"].value == 4 and summary["已回复"].number_format == "#,##0"
    sheet = book["按客服"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, sheet[2]))
    assert row["转化率"].number_format == row["95%区间上限"].number_format == "0.0%"
    assert row["已回复"].number_format == row["等待结果"].number_format == "#,##0"
    rows = book["回复明细"]
    edited = dict(zip([c.value for c in rows[1]], rows[2]))["改动比例"]
    assert edited.number_format == "0.0%"
    for sheet in book.worksheets:  # scrolling down a long sheet keeps its Chinese headers in view
        assert sheet.freeze_panes == "A2", sheet.title


def test_agents_are_named_as_on_the_page_with_their_login_name_beside(site, engine):
    client, db = site
    make_reply(db, engine, agent="小周", now=MONDAY)  # sent through the API by a name without an account: shown as it is
    page = BeautifulSoup(client.get("/stats", params={"week": WEEK}).text, "html.parser")
    shown = {td["title"]: td.get_text() for td in page.select("table.list tbody td[title]") if td["title"] in ("agent7", "小周")}
    assert shown == {"agent7": "王小美", "小周": "小周"}
    book = download(client)
    rows = list(book["按客服"].iter_rows(values_only=True))
    accounts = BeautifulSoup(client.get("/users").text, "html.parser").select("table.users th")
    assert rows[0][:3] == ("客服", "用户名", "已回复") and accounts[0].get_text() == "用户名"  # as 账号 heads login names
    assert [r[:3] for r in rows[1:]] == [("王小美", "agent7", 4), ("小周", "小周", 1)]
    rows = list(book["回复明细"].iter_rows(values_only=True))
    agents = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert [(r["客服"], r["用户名"]) for r in agents] == [("王小美", "agent7")] * 4 + [("小周", "小周")]


def _reviewed(db, intent, escalate, agent_intent, agent_escalate, reasons=None, agent_reasons=None):
    """A reply the assistant read as (intent, escalate, reasons) and the agent sent as (agent_intent, agent_escalate,
    agent_reasons); the reasons are ("safety",) for an escalation unless given."""
    from helpers import KEY, SHANGHAI

    from assistant.log.sent import log_shown
    from assistant.log.shown import Shown, Verdict

    reasons = reasons if reasons is not None else ("safety",) if escalate else ()
    shown = Shown(intents=((intent, 0.9),), escalate=escalate, reasons=reasons, drafts=(("t.1", "您好，今天18:00前回电。"),))
    agent_reasons = agent_reasons if agent_reasons is not None else ("safety",) if agent_escalate else ()
    verdict = Verdict(agent_intent, agent_escalate, agent_reasons)
    log_shown(
        db,
        shown,
        "投诉",
        "您好，今天18:00前回电。",
        agent="agent7",
        platform="jd",
        key=KEY,
        tz=SHANGHAI,
        verdict=verdict,
        now=MONDAY,
    )


def test_the_reasons_for_going_offline_are_the_agents_when_they_corrected_the_escalation(site):
    """转线下 is the agent's corrected verdict: 转线下原因 follows it, so no row reads 否 with reasons listed (review 15b
    #7), in the workbook, the page's CSV and the API's."""
    import csv

    client, db = site
    _reviewed(db, "logistics_delay", True, "logistics_delay", False)  # the assistant said 人身安全; the agent: not offline
    _reviewed(db, "logistics_delay", False, "logistics_delay", True)  # the assistant: not offline; the agent: 人身安全
    rows = list(download(client)["回复明细"].iter_rows(values_only=True))
    said = [dict(zip(rows[0], r)) for r in rows[-2:]]
    assert [(r["转线下"], r["转线下原因"], r["助手建议转线下"]) for r in said] == [("否", None, "是"), ("是", "人身安全", "否")]
    page = client.get("/stats/export", params={"week": WEEK, "format": "csv", "table": "rows"})
    said = list(csv.DictReader(io.StringIO(page.content.decode("utf-8-sig"))))[-2:]
    assert [(r["转线下"], r["转线下原因"]) for r in said] == [("否", ""), ("是", "人身安全")]
    token = add_user(db, "script", "lead").token
    api = client.get(
        "/api/v1/export", params={"week": WEEK, "format": "csv", "table": "rows"}, headers={"Authorization": f"Bearer {token}"}
    )
    said = list(csv.DictReader(io.StringIO(api.content.decode("utf-8-sig"))))[-2:]
    assert [(r["escalate"], r["reasons"], r["assistant_escalate"]) for r in said] == [("0", "[]", "1"), ("1", '["safety"]', "0")]


def test_the_rows_name_the_assistants_reasons_beside_the_agents(site):
    """转线下原因 follows the agent's verdict; the assistant's own reasons (助手判断的转线下原因, ``assistant_reasons``)
    come right after it, as 助手判断的问题类型 and 助手建议转线下 follow theirs, in the workbook, the page's CSV and the
    API's."""
    import csv

    client, db = site
    # the assistant: 投诉/法律 and 曝光/媒体; the agent: offline, but for 人身安全
    _reviewed(db, "quality_defect", True, "quality_defect", True, ("legal_threat", "media_threat"), ("safety",))
    _reviewed(db, "logistics_delay", True, "logistics_delay", False)  # the assistant: 人身安全; the agent: stays online
    _reviewed(db, "logistics_delay", False, "logistics_delay", True)  # the assistant: online; the agent: 人身安全
    rows = list(download(client)["回复明细"].iter_rows(values_only=True))
    head = list(rows[0])
    at = head.index("转线下")
    assert head[at : at + 4] == ["转线下", "助手建议转线下", "转线下原因", "助手判断的转线下原因"]
    said = [dict(zip(head, r)) for r in rows[-3:]]
    assert [(r["转线下原因"], r["助手判断的转线下原因"]) for r in said] == [
        ("人身安全", "投诉/法律、曝光/媒体"),
        (None, "人身安全"),
        ("人身安全", None),
    ]
    unreviewed = [dict(zip(head, r)) for r in rows[1:-3]]
    assert [r["助手判断的转线下原因"] for r in unreviewed] == [None] * 4  # the assistant gave no reason to go offline

    page = client.get("/stats/export", params={"week": WEEK, "format": "csv", "table": "rows"})
    lines = list(csv.reader(io.StringIO(page.content.decode("utf-8-sig"))))
    assert lines[0][lines[0].index("转线下原因") + 1] == "助手判断的转线下原因"
    said = [dict(zip(lines[0], line)) for line in lines[-3:]]
    assert [r["助手判断的转线下原因"] for r in said] == ["投诉/法律、曝光/媒体", "人身安全", ""]
    token = add_user(db, "script", "lead").token
    api = client.get(
        "/api/v1/export", params={"week": WEEK, "format": "csv", "table": "rows"}, headers={"Authorization": f"Bearer {token}"}
    )
    lines = list(csv.reader(io.StringIO(api.content.decode("utf-8-sig"))))
    head = lines[0]
    assert head[head.index("escalate") : head.index("escalate") + 4] == [
        "escalate",
        "assistant_escalate",
        "reasons",
        "assistant_reasons",
    ]
    said = [dict(zip(head, line)) for line in lines[-3:]]
    assert [(r["reasons"], r["assistant_reasons"]) for r in said] == [
        ('["safety"]', '["legal_threat", "media_threat"]'),
        ("[]", '["safety"]'),
        ('["safety"]', "[]"),
    ]


def test_the_agreement_with_the_assistant_is_a_sheet_as_on_the_page(site):
    client, db = site
    _reviewed(db, "logistics_delay", False, "logistics_delay", False)
    _reviewed(db, "logistics_delay", False, "logistics_delay", True)
    _reviewed(db, "logistics_delay", False, "service_attitude", False)
    _reviewed(db, "safety_hazard", True, "quality_defect", False)
    book = download(client)
    sheet = book["助手判断被采纳率"]
    assert sheet.freeze_panes == "A2" and book.sheetnames.index("助手判断被采纳率") == 1  # right after 汇总, as on the page
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [
        ("指标", "助手判断的问题类型", "被采纳", "核对过", "采纳率"),
        ("问题类型被采纳", "全部", 2, 4, 0.5),
        ("转线下判断被采纳", "全部", 2, 4, 0.5),
        ("问题类型被采纳", "物流问题", 2, 3, 0.6667),
        ("问题类型被采纳", "安全隐患", 0, 1, 0.0),
    ]
    assert all(row[4].number_format == "0.0%" for row in sheet.iter_rows(min_row=2))
    page = BeautifulSoup(client.get("/stats", params={"week": WEEK}).text, "html.parser").select_one("#agreement")
    on_page = [[td.get_text() for td in tr.select("td")] for tr in page.select("#agreement-by-intent tbody tr")]
    assert [[r[1], str(r[2]), str(r[3])] for r in rows[3:]] == [r[:3] for r in on_page]
    assert [th.get_text() for th in page.select("#agreement-by-intent th")] == list(rows[0][1:])
    assert "问题类型被采纳" in page.get_text() and "转线下判断被采纳" in page.get_text()


def test_a_week_nobody_reviewed_has_blank_agreement_rates_not_zero(site):
    client, _ = site  # replies sent, none with the agent's own verdict
    rows = list(download(client)["助手判断被采纳率"].iter_rows(min_row=2, values_only=True))
    assert rows == [("问题类型被采纳", "全部", 0, 0, None), ("转线下判断被采纳", "全部", 0, 0, None)]


def test_the_pages_csv_files_read_as_the_workbook_and_the_apis_keep_their_column_ids(site):
    """数据统计's 汇总 CSV and 明细 CSV are for the lead (Chinese headers, names, local times); the API's
    ``GET /api/v1/export?format=csv`` is a contract for scripts (DESIGN.md) and keeps its column ids and values."""
    import csv

    client, db = site
    token = add_user(db, "script", "lead").token
    api = {"Authorization": f"Bearer {token}"}

    def lines(response) -> list[dict]:
        assert response.status_code == 200 and response.content.startswith("\ufeff".encode())
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))

    page_rows = lines(client.get("/stats/export", params={"week": WEEK, "format": "csv", "table": "rows"}))
    api_rows = lines(client.get("/api/v1/export", params={"week": WEEK, "format": "csv", "table": "rows"}, headers=api))
    assert [r["结果"] for r in page_rows] == ["已改好评", "正面追评", "没有变化", "等待结果"]
    assert {(r["客服"], r["用户名"], r["平台"]) for r in page_rows} == {("王小美", "agent7", "京东")}
    assert page_rows[0]["发送时间（本地时间）"] == "2026-11-16 10:00"  # 02:00 UTC in Shanghai
    assert [r["outcome"] for r in api_rows] == ["upgraded", "positive_followup", "unchanged", ""]
    assert (
        api_rows[0]["agent"] == "agent7"
        and api_rows[0]["platform"] == "jd"
        and api_rows[0]["sent_at"].startswith("2026-11-16T02:00")
    )
    page_figures = lines(client.get("/stats/export", params={"week": WEEK, "format": "csv"}))
    api_figures = lines(client.get("/api/v1/export", params={"week": WEEK, "format": "csv"}, headers=api))
    summary = page_figures[0]
    assert (summary["分类"], summary["名称"], summary["已回复"], summary["转化率"]) == ("汇总", "2026 年第 47 周", "4", "66.7%")
    agent = next(r for r in page_figures if r["分类"] == "按客服")
    assert (agent["名称"], agent["用户名"]) == ("王小美", "agent7")
    assert (api_figures[0]["table"], api_figures[0]["key"], api_figures[0]["sent"]) == ("summary", WEEK, "4")


def test_the_exports_count_a_corrected_intent_and_escalation_as_the_page_does(site):
    """A reply the agent corrected on the draft page (物流问题 → 质量问题, 转线下 → 不转) is counted under the agent's
    answer by the page, the workbook and both CSV files; the rows name the assistant's answer beside it."""
    import csv

    client, db = site  # four replies the assistant and nobody else read (物流问题, not offline)
    _reviewed(db, "logistics_delay", True, "quality_defect", False)

    page = BeautifulSoup(client.get("/stats", params={"week": WEEK}).text, "html.parser")
    labels = [a["aria-label"] for a in page.select("a.drill")]
    assert "查看质量问题的回复" in labels and "查看物流问题的回复" in labels
    assert page.select_one("#escalation-share").get_text() == "0%"
    book = download(client)
    sheet = {r[0]: r for r in book["按问题类型"].iter_rows(min_row=2, values_only=True)}
    head = next(book["按问题类型"].iter_rows(max_row=1, values_only=True))
    assert dict(zip(head, sheet["质量问题"]))["已回复"] == 1 and dict(zip(head, sheet["物流问题"]))["已回复"] == 4
    assert dict(zip(head, sheet["质量问题"]))["转线下"] == 0
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert (summary["转线下"], summary["转线下占比"]) == (0, 0)
    rows = list(book["回复明细"].iter_rows(values_only=True))
    last = dict(zip(rows[0], rows[-1]))
    assert (last["问题类型"], last["助手判断的问题类型"], last["转线下"], last["助手建议转线下"]) == (
        "质量问题",
        "物流问题",
        "否",
        "是",
    )
    first = dict(zip(rows[0], rows[1]))  # not reviewed: both are the assistant's
    assert (first["问题类型"], first["助手判断的问题类型"]) == ("物流问题", "物流问题")

    figures = list(csv.DictReader(io.StringIO(client.get("/stats/export", params={"week": WEEK}).content.decode("utf-8-sig"))))
    assert {r["名称"]: r["已回复"] for r in figures if r["分类"] == "按问题类型"} == {"物流问题": "4", "质量问题": "1"}
    token = add_user(db, "script", "lead").token
    api = client.get(
        "/api/v1/export", params={"week": WEEK, "format": "csv", "table": "rows"}, headers={"Authorization": f"Bearer {token}"}
    )
    last = list(csv.DictReader(io.StringIO(api.content.decode("utf-8-sig"))))[-1]
    assert (last["intent"], last["assistant_intent"], last["escalate"], last["assistant_escalate"]) == (
        "quality_defect",
        "logistics_delay",
        "0",
        "1",
    )
