"""我的回复's sheet and 写回复's mark-as-sent, as the outcome log keeps them, in headless Chromium (review 10).
Uses the server and browser of test_browser."""

import csv
import io
import sqlite3
from pathlib import Path

import test_browser as shared
from helpers import sign_in_as
from playwright.sync_api import expect

pytestmark = shared.pytestmark  # skipped, with the reason, where Chromium is missing
server, browser, page = shared.server, shared.browser, shared.page  # the same fixtures: a real server, Chromium, a lead
log_rows, log_replies = shared.log_rows, shared.log_replies


def download_worksheet(page) -> list[list[str]]:
    """The rows of the 我的回复 sheet the page's 下载表格 link gives for the list on screen, header first."""
    page.click("#worksheet summary")
    with page.expect_download() as download:
        page.click("#worksheet-link")
    return list(csv.reader(io.StringIO(Path(download.value.path()).read_bytes().decode("utf-8-sig"))))


def test_a_sheet_saved_by_excel_as_unicode_text_is_recorded(page, engine, tmp_path):
    """Excel's 「Unicode 文本」 is UTF-16 with tabs: the upload took its encoding but read the header as one column and
    blamed the header (review 10 #4)."""
    ids = log_replies(page, engine, "空调不制冷，Unicode 文本测试", 2)
    page.goto(f"{page.base}/replies?q=Unicode 文本测试")
    rows = download_worksheet(page)
    header = rows[0]
    for row in rows[1:]:
        if int(row[0]) == ids[0]:
            row[header.index("结果")], row[header.index("之后的评分")] = "已改好评", "5"
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
    sheet = tmp_path / "回复.txt"
    sheet.write_bytes(out.getvalue().encode("utf-16"))  # with its byte-order mark, as Excel writes it
    page.set_input_files("#worksheet input[type=file]", str(sheet))
    page.click("#worksheet button[type=submit]")
    expect(page.locator("#imported")).to_have_text("已从表格登记 1 条结果。")
    got = {r["id"]: (r["outcome"], r["rating_after"]) for r in log_rows(page, f"id in ({ids[0]}, {ids[1]})")}
    assert got == {ids[0]: ("upgraded", 5), ids[1]: (None, None)}


def test_a_reply_corrected_and_marked_sent_again_is_what_the_log_holds(page):
    """The second 标记为已发送 of an edited draft answered 「已经记录过了」 and the log kept the first text (review 10 #5)."""
    page.goto(f"{page.base}/compose")
    page.fill("#text", "买的台灯用了两天就不亮了，改字测试")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#draft-1 textarea.reply")
    before = len(log_rows(page))
    page.click("#draft-1 button[type=submit]")
    page.wait_for_selector("#draft-1 .sent .ok")
    page.locator("#reply-1").focus()
    page.keyboard.press("Control+End")
    page.keyboard.type("（补充：今天下午就给您寄出新的灯泡。）")
    page.click("#draft-1 button[type=submit]")
    expect(page.locator("#draft-1 .sent")).to_contain_text("已更新为这次的文字")
    rows = log_rows(page)
    assert len(rows) == before + 1
    assert rows[-1]["sent_text"].endswith("（补充：今天下午就给您寄出新的灯泡。）") and rows[-1]["edit_ratio"] > 0


def test_a_reply_whose_outcome_is_recorded_keeps_its_text_when_marked_sent_again(page):
    """The outcome was judged on the text logged first: a correction marked sent after it is refused, in Chinese, and
    the log keeps the first text (REVIEW10B #4)."""
    page.goto(f"{page.base}/compose")
    page.fill("#text", "买的电风扇用了三天就不转了，结果之后改字测试")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#draft-1 textarea.reply")
    page.click("#draft-1 button[type=submit]")
    page.wait_for_selector("#draft-1 .sent .ok")
    reply = log_rows(page)[-1]
    lead = page.context.new_page()  # a lead records the outcome on 我的回复 meanwhile
    lead.goto(f"{page.base}/replies")
    row = lead.locator(f"#reply-{reply['id']}")
    row.locator("select[name=result]").select_option("upgraded")
    row.locator("button").click()
    lead.wait_for_selector(f"#reply-{reply['id']} .outcome.upgraded")
    lead.close()
    page.locator("#reply-1").focus()
    page.keyboard.press("Control+End")
    page.keyboard.type("（补充一句）")
    page.click("#draft-1 button[type=submit]")
    expect(page.locator("#draft-1")).to_contain_text("已经登记了结果，文字不能再改")
    assert log_rows(page, "id = ?", [reply["id"]])[0]["sent_text"] == reply["sent_text"]


def test_a_draft_marked_sent_after_the_password_changed_elsewhere_says_so_and_keeps_the_text(page, browser):
    """The agent's password changed on another device while the draft page was open (REVIEW11 #4): 标记为已发送 put the
    whole login page into the draft card, nothing was logged and nothing said so. Now the card says the sign-in is gone
    and nothing was recorded, and the edited text is still in the editor."""
    import httpx2 as httpx
    from helpers import sign_in

    from assistant.log.auth import add_user
    from assistant.log.db import open_db

    db = open_db(page.db_path, migrate=False)
    password = add_user(db, "xiaoyu", "agent", display_name="小雨").password
    db.close()
    agent = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    agent.goto(f"{page.base}/login")
    sign_in_as(agent, "xiaoyu", password)
    agent.wait_for_url("**/compose")
    agent.fill("#text", "买的电饭煲用了三天就不加热了，改密码测试")
    agent.keyboard.press("Control+Enter")
    agent.wait_for_selector("#draft-1 textarea.reply")
    agent.locator("#reply-1").focus()
    agent.keyboard.press("Control+End")
    agent.keyboard.type("（补充：新锅今天寄出。）")
    edited = agent.input_value("#reply-1")
    before = len(log_rows(page))

    with httpx.Client(base_url=page.base, timeout=30) as other:  # the same agent, on another device, changes the password
        csrf = sign_in(other, "xiaoyu", password)
        form = {"csrf": csrf, "current": password, "new": "在别处改的密码-2026", "repeat": "在别处改的密码-2026"}
        assert other.post("/account/password", data=form).status_code == 200

    agent.click("#draft-1 button[type=submit]")
    expect(agent.locator("#draft-1 .request-error")).to_have_text(
        "没有记录为已发送：登录已失效（密码在别处改过或被重设）。请先复制写好的内容，再刷新页面重新登录。"
    )
    assert agent.input_value("#reply-1") == edited
    assert agent.locator("#draft-1 #password, #draft-1 form[action='/login'], #draft-1 header").count() == 0
    assert agent.inner_text("#draft-1 .sent") == ""
    assert len(log_rows(page)) == before
    agent.context.close()


def test_a_verdict_corrected_after_marking_sent_is_what_the_log_holds(page):
    """The agent marked the draft sent, then saw the intent was wrong, corrected it and the escalation and marked it sent
    again: the page said 「已更新为这次的文字」 (the text had not changed) and the log kept the first verdict (REVIEW11 #5)."""
    page.goto(f"{page.base}/compose")
    page.fill("#text", "买的吹风机用了一周就冒烟了，改判断测试")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#draft-1 textarea.reply")
    shown, before = page.input_value("#agent-intent"), len(log_rows(page))
    page.click("#draft-1 button[type=submit]")
    page.wait_for_selector("#draft-1 .sent .ok")
    reply = log_rows(page)[-1]
    assert reply["agent_intent"] == shown
    options = page.eval_on_selector_all("#agent-intent option", "os => os.map(o => o.value)")
    corrected = next(o for o in options if o != shown)
    page.select_option("#agent-intent", corrected)
    if not page.is_checked("#agent-escalate"):
        page.check("#agent-escalate")
    page.check("#agent-reasons input[value=repeat_unresolved]")
    page.click("#draft-1 button[type=submit]")
    expect(page.locator("#draft-1 .sent .updated")).to_contain_text("已更新为这次的问题类型和转线下判断")
    row = log_rows(page, "id = ?", [reply["id"]])[0]
    assert (row["agent_intent"], row["agent_escalate"]) == (corrected, 1) and "repeat_unresolved" in row["agent_reasons"]
    assert row["sent_text"] == reply["sent_text"] and len(log_rows(page)) == before + 1


def test_a_sheet_row_whose_reply_was_changed_on_the_page_after_the_download_is_skipped_and_said(page, engine, tmp_path):
    """A sheet downloaded before an outcome was recorded on the row wrote over it without a word, and the same sheet
    uploaded again recorded every outcome a second time (review 15 #1). Now the changed row is passed over and named,
    and the second upload records nothing."""
    ids = log_replies(page, engine, "电水壶不加热，过期表格测试", 2)
    page.goto(f"{page.base}/replies?q=过期表格测试")
    rows = download_worksheet(page)
    header = rows[0]
    row = page.locator(f"#reply-{ids[0]}")  # meanwhile its outcome is recorded on the row
    row.locator("select[name=result]").select_option("deleted")
    row.locator("button").click()
    page.wait_for_selector(f"#reply-{ids[0]} .outcome.deleted")
    fill = {ids[0]: "已改好评", ids[1]: "没有变化"}
    for r in rows[1:]:
        r[header.index("结果")] = fill[int(r[0])]
    line = next(n for n, r in enumerate(rows, start=1) if r[0] == str(ids[0]))
    sheet = tmp_path / "过期的表格.csv"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    sheet.write_bytes(out.getvalue().encode("utf-8-sig"))

    def upload() -> None:
        if page.locator("#worksheet").get_attribute("open") != "":
            page.click("#worksheet summary")
        page.set_input_files("#worksheet input[type=file]", str(sheet))
        page.click("#worksheet button[type=submit]")

    upload()
    expect(page.locator("#imported")).to_have_text("已从表格登记 1 条结果。")
    expect(page.locator("#import-skipped li")).to_have_text(
        [f"第 {line} 行：回复 {ids[0]} 的结果在下载表格之后已改为“已删差评”，这一行没有登记。"]
    )
    got = {r["id"]: r["outcome"] for r in log_rows(page, f"id in ({ids[0]}, {ids[1]})")}
    assert got == {ids[0]: "deleted", ids[1]: "unchanged"}
    upload()  # the same file again
    expect(page.locator("#imported")).to_have_text("这次没有登记新的结果：1 行和已登记的结果相同，没有重复登记。")
    expect(page.locator("#import-skipped li")).to_have_count(1)
    db = sqlite3.connect(page.db_path)
    try:
        query = f"select reply_id, result from outcomes where reply_id in ({ids[0]}, {ids[1]}) order by id"
        history = db.execute(query).fetchall()
    finally:
        db.close()
    assert history == [(ids[0], "deleted"), (ids[1], "unchanged")]
