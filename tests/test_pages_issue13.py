"""Issue 13 on the pages, through the in-process client: uploads in any encoding Excel writes, messages in Chinese,
error pages with the navigation, the severe-reply confirmation, severity, favicon, rates of groups without outcomes."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from helpers import make_reply, sign_in
from openpyxl import load_workbook

from assistant.log.auth import add_user
from assistant.log.export import write_csv, write_xlsx
from assistant.log.outcomes import record_outcome
from assistant.log.stats import weekly_stats

INDUCEMENT = "非常抱歉热水壶不加热，我们今天18:00前给您补发一台新的。给个好评返现20元哦"
STOCK = "给您带来不便深表歉意，感谢您的理解与支持"  # scores 0
ENGLISH = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z']{2,}){2,}")  # three English words in a row: a sentence, not an id


@pytest.fixture
def site(make_client):
    client, db = make_client()
    users = {name: add_user(db, name, role) for name, role in [("小林", "agent"), ("组长", "lead")]}
    return client, db, users


def shown_text(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "code"]):
        hidden.decompose()
    return soup.get_text(" ", strip=True)


def triage_upload(client, csrf, name, content: bytes):
    return client.post("/triage", data={"csrf": csrf, "text": ""}, files={"file": (name, content, "text/csv")})


def test_an_uploaded_csv_is_triaged_in_utf8_gbk_and_utf16(site):
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    table = "text,order\n孩子用了过敏住院了，我要投诉到12315,A1\n物流有点慢,A2\n"
    for encoding, label in [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8"), ("gbk", "GBK"), ("utf-16", "UTF-16")]:
        response = triage_upload(client, csrf, "backlog.csv", table.encode(encoding))
        assert response.status_code == 200, (encoding, response.text)
        soup = BeautifulSoup(response.text, "html.parser")
        assert len(soup.select("table.triage tbody tr")) == 2, encoding
        assert "共 2 条" in soup.get_text()
        assert "过敏住院" in soup.select_one("table.triage tbody tr").get_text()
        assert label in soup.select_one("#triage-note").get_text()


def test_an_uploaded_csv_with_two_text_columns_is_refused_in_chinese(site):
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    response = triage_upload(client, csrf, "backlog.csv", "text,order,text\n快递太慢了,A1,备注\n".encode())
    assert response.status_code == 400 and "2 个“text”列" in shown_text(response.text)


def test_the_missing_complaint_column_is_said_in_chinese_by_messages():
    from assistant.web.messages import chinese

    assert chinese("backlog.csv has no complaint column (columns: 备注, 订单号); head it one of: text, 评价内容, 留言") == (
        "文件“backlog.csv”里找不到投诉所在的列（找到的列：备注、订单号）。请把投诉那一列的表头改成其中一个再上传："
        "text、评价内容、留言。"
    )
    assert "（找到的列：没有）" in chinese("b.csv has no complaint column (columns: none); head it one of: text")


def test_a_file_and_pasted_lines_together_say_which_was_triaged(site):
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    both = client.post(
        "/triage",
        data={"csrf": csrf, "text": "快递一个星期还没到"},
        files={"file": ("b.csv", b"text\n\xe5\xa4\xaa\xe5\xb7\xae\n", "text/csv")},
    )
    soup = BeautifulSoup(both.text, "html.parser")
    assert len(soup.select("table.triage tbody tr")) == 1 and "粘贴的内容没有分拣" in soup.select_one("#triage-note").get_text()
    alone = triage_upload(client, csrf, "b.csv", "text\n太差了\n".encode())
    assert "粘贴" not in BeautifulSoup(alone.text, "html.parser").select_one("#triage-note").get_text()


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("backlog.csv", "备注,订单号\n太差了,A1\n".encode("gbk"), "找不到投诉所在的列（找到的列：备注、订单号）"),
        ("backlog.csv", b"text\n", "没有投诉"),
        ("backlog.csv", b"", "找不到投诉所在的列（找到的列：没有）"),
        ("backlog.csv", b"\xff\xfe\xfftext\x00\x81", "不是 UTF-8、GBK 或 UTF-16"),
        ("backlog.xls", b"\xd0\xcf\x11\xe0", "只能上传 Excel 表格（.xlsx）、CSV、JSONL 或 TXT"),
        ("backlog.xlsx", b"PK\x03\x04", "读不出 Excel 表格“backlog.xlsx”"),  # UX13: a workbook is read, a broken one refused
        # a quote that never closes would make every later line one complaint: refused, with its line
        ("backlog.csv", '订单,text\nA1,"快递没到\nA2,电热水壶坏了\nA3,孩子被烫伤了\n'.encode(), "第 2 行有一个没有配对的引号"),
        ("backlog.csv", ('text\n"' + "长" * 140_000 + '"\n').encode(), "有一格超过 13 万字"),
    ],
)
def test_an_upload_that_cannot_be_triaged_says_why_in_chinese(site, name, content, message):
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    response = triage_upload(client, csrf, name, content)
    assert response.status_code == 400
    soup = BeautifulSoup(response.text, "html.parser")
    assert message in soup.select_one("#triage-error").get_text()
    assert "共 0 条" not in soup.get_text() and soup.select_one("nav") is not None


def test_a_paste_over_1_mb_is_refused_on_the_page_in_chinese_and_kept_in_the_box(site):
    """22,000 pasted lines (1.1 MB) on 批量分拣 got Starlette's English JSON, 「Part exceeded maximum size of 1024KB.」,
    read before the page's own limits (REVIEW11 #9)."""
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    pasted = "\n".join(f"快递一个星期还没到，第 {n} 条，客服也不回消息" for n in range(22_000))
    assert len(pasted.encode()) > 1024 * 1024
    response = client.post("/triage", data={"csrf": csrf, "text": pasted}, files={"file": ("", b"", "text/csv")})
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    soup = BeautifulSoup(response.text, "html.parser")
    assert "一次最多分拣 2000 条，这次有 22000 条" in soup.select_one("#triage-error").get_text()
    assert soup.select_one("#backlog").get_text() == pasted


def test_a_form_the_server_cannot_read_is_refused_in_chinese_on_a_page_and_in_json_on_the_api(site):
    """Whatever Starlette refuses before a route runs reaches a page as the Chinese error page (REVIEW11 #9)."""
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    broken = {"Content-Type": "multipart/form-data", "X-CSRF-Token": csrf}  # no boundary
    page = client.post("/triage", content=b"text=x", headers=broken)
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "提交的表单格式不对" in shown_text(page.text) and not ENGLISH.search(shown_text(page.text))
    fields = "&".join(f"f{n}=x" for n in range(1001))
    many = client.post("/triage", content=fields.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert many.status_code == 400 and "表单的项目太多（最多 1000 项）" in shown_text(many.text)
    token = {"Authorization": f"Bearer {users['小林'].token}"}
    api = client.post("/api/v1/outcomes/import", content=b"text=x", headers={**broken, **token})
    assert api.headers["content-type"].startswith("application/json")


def test_an_empty_paste_says_so_and_bad_rows_are_reported_in_chinese(site):
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    empty = client.post("/triage", data={"csrf": csrf, "text": "  \n"})
    assert empty.status_code == 400 and "没有要分拣的投诉" in empty.text
    response = triage_upload(client, csrf, "b.csv", 'text\n物流有点慢\n""\n太差了,多的一格\n'.encode())
    text = shown_text(response.text)
    assert "投诉内容是空的" in text and "格子比表头多" in text
    assert not ENGLISH.search(text), ENGLISH.search(text)


def test_triage_severity_is_said_in_a_word_with_its_whole_number(site):
    """An agent reads 紧急 / 较急 / 一般 (a bare 211 meant nothing); the whole number stays beside it, as the CSV has it."""
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    text = "孩子用了过敏住院了，我要投诉到12315\n收到的酸奶已经过期发霉了\n物流有点慢"
    response = client.post("/triage", data={"csrf": csrf, "text": text})
    cells = [td.get_text(" ", strip=True) for td in BeautifulSoup(response.text, "html.parser").select("td.severity")]
    assert [re.fullmatch(r"(紧急|较急|一般) (\d+)", c).group(1) for c in cells] == ["紧急", "较急", "一般"], cells


def test_triage_drafts_sign_with_the_agents_name_like_the_draft_page(site):
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    response = client.post("/triage", data={"csrf": csrf, "text": "物流有点慢\n衣服颜色和图片差太多了"})
    drafts = [td.get_text() for td in BeautifulSoup(response.text, "html.parser").select("td.draft-cell")]
    assert len(drafts) == 2 and all("我是小林" in d for d in drafts), drafts


def test_triage_says_praise_and_questions_are_not_complaints(site):
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    response = client.post("/triage", data={"csrf": csrf, "text": "好评，物流很快\n请问什么时候发货？\n物流太慢了"})
    cells = {
        td.find_next_sibling("td").get_text(): td.get_text()
        for td in BeautifulSoup(response.text, "html.parser").select("td.kinds")
    }
    assert cells["好评，物流很快"] == "好评，不是投诉" and cells["请问什么时候发货？"] == "咨询，不是投诉"
    assert "物流问题" in cells["物流太慢了"]


def test_a_compose_link_generates_drafts_on_load(site):
    client, _, users = site
    sign_in(client, "小林", users["小林"].password)
    form = BeautifulSoup(client.get("/compose", params={"text": "快递太慢了"}).text, "html.parser").select_one("#compose-form")
    assert "load" in form["hx-trigger"]
    form = BeautifulSoup(client.get("/compose").text, "html.parser").select_one("#compose-form")
    assert "load" not in form["hx-trigger"]


def _suggest(client, csrf, text):
    response = client.post("/compose/suggest", data={"text": text, "platform": "taobao"}, headers={"X-CSRF-Token": csrf})
    soup = BeautifulSoup(response.text, "html.parser")
    form = soup.select_one("form.draft")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    data["suggestion"] = soup.select_one("#verdict input[name=suggestion]")["value"]
    return data


@pytest.mark.parametrize("reply", [INDUCEMENT, STOCK])
def test_a_severe_or_zero_sincerity_reply_needs_a_confirmation_before_it_is_logged(site, reply):
    client, db, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    data = {**_suggest(client, csrf, "买的电热水壶用了两周就不加热了"), "sent_text": reply}
    refused = client.post("/compose/sent", data=data, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 400
    soup = BeautifulSoup(refused.text, "html.parser")
    assert soup.select_one("input[type=checkbox][name=confirm_send]") is not None and "仍然发送" in soup.get_text()
    assert ("诱导" in soup.get_text()) if reply == INDUCEMENT else ("0 分" in soup.get_text())
    assert db.execute("select count(*) from replies").fetchone()[0] == 0
    confirmed = client.post("/compose/sent", data={**data, "confirm_send": "1"}, headers={"X-CSRF-Token": csrf})
    assert confirmed.status_code == 200 and "已记录为已发送" in confirmed.text
    assert db.execute("select count(*) from replies").fetchone()[0] == 1


def test_the_send_gate_scores_a_reply_as_the_badge_beside_it_does(site):
    """The badge counted the action the agent ticked as done and the offline template (score 10); the gate did not
    (score 0) and refused it with 「真诚度只有 0 分」."""
    client, db, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    data = _suggest(client, csrf, "孩子用了这个台灯被电了一下，手都麻了")
    assert data["template_id"].startswith("offline.safety.")
    data |= {"sent_text": "亲，给您带来不便深表歉意，已为您补发了底座。", "done": "已为您补发了底座"}
    badge = client.post("/compose/sincerity", data=data, headers={"X-CSRF-Token": csrf})
    assert re.search(r"真诚度\D*([1-9]\d*)", BeautifulSoup(badge.text, "html.parser").get_text())
    response = client.post("/compose/sent", data=data, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200 and "已记录为已发送" in response.text
    assert db.execute("select count(*) from replies").fetchone()[0] == 1


def test_a_sincere_reply_is_logged_without_a_confirmation(site):
    client, db, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    data = _suggest(client, csrf, "买的电热水壶用了两周就不加热了")
    data["sent_text"] = "非常抱歉热水壶用了两周就不加热，我们今天18:00前给您补发一台新的，旧的不用寄回。"
    response = client.post("/compose/sent", data=data, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200 and "已记录为已发送" in response.text


def test_page_messages_are_chinese_and_error_pages_keep_the_navigation(site):
    client, _, users = site
    csrf = sign_in(client, "组长", users["组长"].password)
    empty = client.post("/compose/suggest", data={"text": " ", "platform": "taobao"}, headers={"X-CSRF-Token": csrf})
    assert "投诉内容是空的" in empty.text and "complaint" not in empty.text
    bad_week = client.get("/stats", params={"week": "2026-47"})
    assert bad_week.status_code == 400 and "2026-W47" in bad_week.text
    assert not ENGLISH.search(shown_text(bad_week.text))
    assert BeautifulSoup(bad_week.text, "html.parser").select_one("nav a[href='/replies']") is not None
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and BeautifulSoup(missing.text, "html.parser").select_one("nav") is not None

    created = client.post("/users", data={"csrf": csrf, "name": "xiaomei", "role": "agent"})
    assert "（客服）" in created.text and "(agent)" not in created.text and "（agent）" not in created.text
    again = client.post("/users", data={"csrf": csrf, "name": "xiaomei", "role": "agent"})
    assert again.status_code == 400
    assert "用户名“xiaomei”已经有人用了" in again.text and "already exists" not in again.text
    assert not ENGLISH.search(shown_text(again.text))
    for twin in ("XiaoMei", "ｘｉａｏｍｅｉ"):  # one sign-in limit, one name to everyone reading the list
        refused = client.post("/users", data={"csrf": csrf, "name": twin, "role": "agent"})
        assert refused.status_code == 400 and "只差大小写" in refused.text and "differs" not in refused.text


def test_the_api_keeps_its_english_messages(site):
    client, _, users = site
    response = client.post("/api/v1/suggest", json={"text": " "}, headers={"Authorization": f"Bearer {users['小林'].token}"})
    assert response.status_code in (400, 422) and "empty" in response.text


@pytest.mark.parametrize(
    "english,expected",
    [
        ("complaint text is empty", "投诉内容是空的"),
        ("complaint text is 6000 characters; the limit is 5000", "6000 个字"),
        ("week must look like 2026-W47 (an ISO week of 2000-2099), not '2026-47'", "2026-W47"),
        ("user 'xiaomei' already exists", "“xiaomei”"),
        ("something we never said", "something we never said"),
    ],
)
def test_known_messages_have_a_chinese_wording(english, expected):
    from assistant.web.messages import chinese

    assert expected in chinese(english)


def test_the_favicon_is_served_from_static(site):
    client, _, users = site
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.headers["content-type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"
    sign_in(client, "小林", users["小林"].password)
    link = BeautifulSoup(client.get("/compose").text, "html.parser").select_one("link[rel=icon]")
    assert client.get(link["href"]).status_code == 200


def test_a_group_without_outcomes_shows_a_dash_and_exports_blank_rates(site, engine):
    client, db, users = site
    make_reply(db, engine, now=datetime(2026, 11, 18, 10, 0, tzinfo=UTC))  # W47, no outcome
    sign_in(client, "组长", users["组长"].password)
    page = BeautifulSoup(client.get("/stats", params={"week": "2026-W47"}).text, "html.parser")
    assert page.select_one("#rate").get_text() == "—"
    values = [t.get_text() for t in page.select("svg text.value")]
    assert values and all(v.startswith("—") and "0%" not in v and "n=0" not in v for v in values), values

    stats = weekly_stats(db, "2026-W47")
    out = io.StringIO()
    write_csv(stats, None, out)
    for row in csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"))):
        assert row["sent"] == "1" and (row["rate"], row["low"], row["high"]) == ("", "", ""), row
    book_bytes = io.BytesIO()
    write_xlsx(stats, iter([]), book_bytes)
    book = load_workbook(io.BytesIO(book_bytes.getvalue()))
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(values_only=True)}
    assert summary["已回复"] == 1 and summary["转化率"] is None
    by_template = list(book["按模板"].iter_rows(values_only=True))
    assert by_template[1][FIGURE_RATE] is None


FIGURE_RATE = 1 + 8  # key, then FIGURE_COLUMNS: rate is the ninth


def test_charts_name_templates_by_title_and_the_last_week_label_fits(site, engine):
    client, db, users = site
    make_reply(db, engine, complaint="孩子用了过敏住院了，我要投诉到12315", now=datetime(2026, 12, 2, 10, 0, tzinfo=UTC))  # W49
    reply_id = db.execute("select id, template_id from replies").fetchone()
    record_outcome(db, reply_id[0], "upgraded", by="组长")
    sign_in(client, "组长", users["组长"].password)
    soup = BeautifulSoup(client.get("/stats", params={"week": "2026-W49"}).text, "html.parser")
    title = next(t.situation for t in engine.library.templates if t.id == reply_id[1])
    chart = next(f for f in soup.select("figure.chart") if f.figcaption.get_text() == "按模板")
    label = chart.select_one("svg text.label")
    assert label.title.get_text().startswith(title) and reply_id[1] in label.title.get_text()  # the full id on hover
    label.title.decompose()
    assert label.get_text().startswith(title[:13]) and reply_id[1][:10] not in label.get_text()
    last = [t for t in soup.select("svg text.axis") if t.get_text() == "W49"]
    assert last and last[0]["text-anchor"] == "end" and float(last[0]["x"]) <= 520


def test_triage_rows_have_a_copy_button_for_their_draft(site):
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    page = client.post("/triage", data={"csrf": csrf, "text": "物流有点慢\n收到的杯子碎了"})
    soup = BeautifulSoup(page.text, "html.parser")
    cells = soup.select("table.triage tbody tr")
    assert len(cells) == 2
    for row in cells:
        button = row.select_one("button.copy")
        assert button and button["data-copy-text"] == row.select_one("td.draft-cell").get_text()


def test_a_skipped_row_is_named_by_its_line_in_the_file_after_blank_lines(site):
    """Blank lines in an uploaded CSV (Excel leaves them between blocks) do not shift the line a skipped row is named by."""
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    table = 'text,order\n\n\n物流有点慢,A1\n\n太差了,A2,多出来的格子\n"两行的\n投诉：杯子碎了",A3\n,A4\n'
    soup = BeautifulSoup(triage_upload(client, csrf, "backlog.csv", table.encode()).text, "html.parser")
    skipped = [p.get_text() for p in soup.select("p.alert") if "已跳过" in p.get_text()]
    assert skipped[0].startswith("第 6 行已跳过") and "格子比表头多" in skipped[0]
    assert skipped[1].startswith("第 9 行已跳过") and "投诉内容是空的" in skipped[1]


def test_triage_lists_a_further_problem_only_where_the_complaint_states_it(site):
    """An injury with a 12315 threat was listed as 「安全隐患、其他、客服态度」: the weak guesses after the first read as
    problems the customer raised. A second problem the complaint does state stays."""
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    text = "孩子用了过敏住院了，我要投诉到12315\n漏发了配件,客服还不理人"
    response = client.post("/triage", data={"csrf": csrf, "text": text})
    kinds = [td.get_text() for td in BeautifulSoup(response.text, "html.parser").select("td.kinds")]
    assert kinds == ["安全隐患", "错发漏发、客服态度"], kinds


def test_the_live_badge_scores_an_edit_as_the_draft_was_scored(site):
    """The draft of 「手机相册里有别人的照片」 (a used phone sold as new) was on topic for the assistant, which showed
    假货质疑 first; the live badge, scoring each edit from the complaint's words alone, called it 答非所问 at the first
    keystroke. The form carries the intent shown first, and the badge scores with it."""
    client, db, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    complaint = {"text": "手机相册里有别人的照片", "platform": "taobao"}
    page = client.post("/compose/suggest", data=complaint, headers={"X-CSRF-Token": csrf})
    form = BeautifulSoup(page.text, "html.parser").select_one("form.draft")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    assert data["recognised"] == "counterfeit"
    edited = form.select_one("textarea[name=sent_text]").get_text() + "有问题随时找我。"
    badge = client.post("/compose/sincerity", data={**data, "sent_text": edited}, headers={"X-CSRF-Token": csrf})
    assert badge.status_code == 200 and "答非所问" not in badge.text, badge.text
    without = {k: v for k, v in data.items() if k != "recognised"}
    badge = client.post("/compose/sincerity", data={**without, "sent_text": edited}, headers={"X-CSRF-Token": csrf})
    assert "答非所问" in badge.text  # what it said before: the words alone
