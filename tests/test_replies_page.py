"""Issue 13 item 3, 我的回复 through the in-process client: no default outcome, times in the configured zone, the leads'
agent column, filters (result, platform, words, local dates), 50 a page with links that keep the filters, note and rating."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup
from helpers import make_reply, sign_in

from assistant.log.auth import add_user
from assistant.log.outcomes import record_outcome


@pytest.fixture
def site(make_client):
    client, db = make_client()
    users = {name: add_user(db, name, role) for name, role in [("小林", "agent"), ("小美", "agent"), ("组长", "lead")]}
    return client, db, users


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def row_ids(soup) -> list[int]:
    return [int(tr["id"].removeprefix("reply-")) for tr in soup.select("table.list tbody tr")]


def test_the_outcome_has_no_default_and_an_empty_one_is_refused_in_chinese(site, engine):
    client, db, users = site
    reply_id = make_reply(db, engine)
    csrf = sign_in(client, "小林", users["小林"].password)
    soup = soup_of(client.get("/replies"))
    select = soup.select_one(f"#result-{reply_id}")
    chosen = select.select("option[selected]")
    assert [o["value"] for o in chosen] == [""] and chosen[0].text == "请选择结果"
    refused = client.post(f"/replies/{reply_id}/outcome", data={"result": ""}, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 400 and "请先选择结果" in refused.text and f'id="reply-{reply_id}"' in refused.text
    assert db["replies"].get(reply_id)["outcome"] is None and db["outcomes"].count == 0
    bad_rating = client.post(
        f"/replies/{reply_id}/outcome", data={"result": "upgraded", "rating_after": "9"}, headers={"X-CSRF-Token": csrf}
    )
    assert bad_rating.status_code == 400 and "1 到 5 星" in bad_rating.text and db["outcomes"].count == 0


def test_a_note_and_the_rating_after_are_recorded_with_the_outcome(site, engine):
    client, db, users = site
    reply_id = make_reply(db, engine)
    csrf = sign_in(client, "小林", users["小林"].password)
    data = {"result": "upgraded", "rating_after": "4", "note": "顾客电话里说满意"}
    response = client.post(f"/replies/{reply_id}/outcome", data=data, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200 and "已改好评" in response.text and "之后 4 星" in response.text
    assert "顾客电话里说满意" in response.text  # the row shows the note just recorded, and so does the list
    assert "顾客电话里说满意" in client.get("/replies", params={"show": "all"}).text
    outcome = next(db["outcomes"].rows)
    assert (outcome["result"], outcome["rating_after"], outcome["note"]) == ("upgraded", 4, "顾客电话里说满意")
    assert db["replies"].get(reply_id)["rating_after"] == 4
    detail = client.get(f"/replies/{reply_id}").text
    assert "顾客电话里说满意" in detail and "之后 4 星" in detail


def test_times_are_shown_in_the_configured_time_zone(site, engine):
    client, db, users = site
    make_reply(db, engine, now=datetime(2026, 11, 18, 17, 30, tzinfo=UTC))  # 01:30 the next day in Shanghai
    sign_in(client, "小林", users["小林"].password)
    soup = soup_of(client.get("/replies?show=all"))
    assert "2026-11-19 01:30" in soup.select_one("table.list tbody").text
    assert "2026-11-18 17:30" not in soup.text


def test_leads_see_an_agent_column_and_filter_by_agent_agents_do_not(site, engine):
    client, db, users = site
    make_reply(db, engine, agent="小林")
    make_reply(db, engine, agent="小美")
    sign_in(client, "组长", users["组长"].password)
    soup = soup_of(client.get("/replies?show=all"))
    assert "客服" in [th.text for th in soup.select("table.list th")]
    assert sorted(td.text for td in soup.select("td.agent")) == ["小林", "小美"]
    only = soup_of(client.get("/replies?show=all&agent=小美"))
    assert [td.text for td in only.select("td.agent")] == ["小美"]
    client.post("/logout", headers={"X-CSRF-Token": sign_in(client, "小林", users["小林"].password)})
    sign_in(client, "小林", users["小林"].password)
    mine = soup_of(client.get("/replies?show=all&agent=小美"))  # an agent's filter cannot show another's replies
    assert "客服" not in [th.text for th in mine.select("table.list th")] and len(row_ids(mine)) == 1
    assert not mine.select("td.agent")


def test_filters_by_result_platform_words_and_local_dates(site, engine):
    client, db, users = site
    day = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    kettle = make_reply(db, engine, "电热水壶用了两周就不加热了", platform="jd", now=day)
    late = make_reply(db, engine, "快递一个星期还没到", now=day + timedelta(days=2))
    early = make_reply(db, engine, "衣服颜色和图片不一样", now=datetime(2026, 11, 16, 17, 0, tzinfo=UTC))  # 17th local
    record_outcome(db, late, "upgraded", by="小林")
    sign_in(client, "小林", users["小林"].password)
    assert row_ids(soup_of(client.get("/replies"))) == [early, kettle]  # pending by default
    assert row_ids(soup_of(client.get("/replies?show=upgraded"))) == [late]
    assert row_ids(soup_of(client.get("/replies?show=all&platform=jd"))) == [kettle]
    assert row_ids(soup_of(client.get("/replies?show=all&q=热水壶"))) == [kettle]
    assert row_ids(soup_of(client.get("/replies?show=all&q=100%25"))) == []  # % is a character, not a wildcard
    assert row_ids(soup_of(client.get("/replies?show=all&since=2026-11-17&until=2026-11-18"))) == [early, kettle]
    assert row_ids(soup_of(client.get("/replies?show=all&since=2026-11-18&until=2026-11-18"))) == [kettle]
    bad = soup_of(client.get("/replies?show=all&since=昨天"))
    assert "看不懂" in bad.select_one(".alert").text and len(row_ids(bad)) == 3


@pytest.mark.parametrize("query", ["until=9999-12-31", "until=9999年12月31日", "since=0001-01-01"])
def test_a_far_date_is_refused_in_chinese_on_the_list_and_the_worksheet(site, engine, query):
    """An agent typing 9999-12-31 for "no end" got 500 出错了 (the time zone arithmetic overflowed)."""
    client, db, users = site
    make_reply(db, engine, "快递一个星期还没到", now=datetime(2026, 11, 18, 2, 0, tzinfo=UTC))
    sign_in(client, "小林", users["小林"].password)
    page = soup_of(client.get(f"/replies?show=all&{query}"))
    assert "2000 到 2099 年" in page.select_one(".alert").text and len(row_ids(page)) == 1
    sheet = client.get(f"/replies/worksheet.csv?show=all&{query}")
    assert sheet.status_code == 200 and "快递一个星期还没到" in sheet.content.decode("utf-8-sig")


def test_fifty_a_page_with_links_that_keep_the_filters(site, engine):
    client, db, users = site
    for i in range(120):
        make_reply(db, engine, platform="pdd" if i % 2 else "jd", now=datetime(2026, 11, 18, 2, 0, tzinfo=UTC))
    sign_in(client, "小林", users["小林"].password)
    first = soup_of(client.get("/replies?show=all&platform=pdd&q=快递"))
    assert len(row_ids(first)) == 50 and "共 60 条" in first.select_one("#count").text
    assert first.select_one("a[rel=prev]") is None
    following = first.select_one("a[rel=next]")
    assert following.text == "下一页"
    query = parse_qs(urlparse(following["href"]).query)
    assert query == {"show": ["all"], "platform": ["pdd"], "q": ["快递"], "page": ["2"]}
    second = soup_of(client.get(following["href"]))
    assert len(row_ids(second)) == 10 and set(row_ids(second)).isdisjoint(row_ids(first))
    assert second.select_one("a[rel=next]") is None and second.select_one("a[rel=prev]").text == "上一页"
    assert all(db["replies"].get(i)["platform"] == "pdd" for i in row_ids(second))


@pytest.mark.parametrize(("path", "params", "label"), [("/replies", {"page": "-1"}, "页码"), ("/replies/abc", {}, "回复编号")])
def test_a_malformed_address_is_named_in_chinese(make_client, path, params, label):
    client, db = make_client()
    user = add_user(db, "小林", "agent")
    sign_in(client, "小林", user.password)
    response = client.get(path, params=params)
    assert response.status_code == 422 and f"（{label}）" in response.text
    assert "（page）" not in response.text and "（reply_id）" not in response.text


def test_a_page_past_the_last_shows_the_last_page_not_none(site, engine):
    """An agent records outcomes on the last page of 等待结果 and reloads it (or follows an old 下一页 link): the replies
    still waiting are shown, not 「没有等待结果的回复」 under 「共 N 条」."""
    client, db, users = site
    ids = [make_reply(db, engine, complaint=f"快递一个星期还没到 {n}") for n in range(52)]
    sign_in(client, "小林", users["小林"].password)
    for reply_id in ids[:3]:
        record_outcome(db, reply_id, "unchanged", by="小林")
    soup = soup_of(client.get("/replies", params={"page": 2}))
    assert "没有等待结果的回复" not in soup.text
    assert "共 49 条" in soup.select_one("#count").text and len(row_ids(soup)) == 49


def _worksheet(client, **params) -> list[dict]:
    import csv
    import io

    response = client.get("/replies/worksheet.csv", params=params)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())  # Excel reads the Chinese only with the byte-order mark
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _upload(client, csrf, content: bytes, name="回复.csv"):
    return client.post(
        "/replies/import", files={"file": (name, content, "text/csv")}, headers={"X-CSRF-Token": csrf}, follow_redirects=False
    )


def test_a_worksheet_of_the_filtered_replies_filled_in_with_chinese_results_records_them(site, engine):
    client, db, users = site
    slow = make_reply(db, engine, "快递一个星期还没到")
    broken = make_reply(db, engine, '=HYPERLINK("x") 杯子收到就是碎的', platform="jd")
    csrf = sign_in(client, "小林", users["小林"].password)
    sheet = _worksheet(client, platform="jd")
    assert [r["编号"] for r in sheet] == [str(broken)]  # the sheet holds what the filters select
    assert sheet[0]["平台"] == "京东" and sheet[0]["结果"] == "" and sheet[0]["投诉"].startswith("'=")  # text, not a formula
    sheet = _worksheet(client)
    assert {r["编号"] for r in sheet} == {str(slow), str(broken)}
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(sheet[0]))
    writer.writeheader()
    for r in sheet:  # one filled in as the pages name the result, one left blank
        writer.writerow({**r, "结果": "已改好评", "之后的评分": "5", "备注": "顾客追评了"} if r["编号"] == str(slow) else r)
    response = _upload(client, csrf, out.getvalue().encode("gbk"))  # Excel on a Chinese Windows saves GBK
    assert response.status_code == 303 and response.headers["location"] == "/replies?imported=1"
    assert "已从表格登记 1 条结果" in client.get(response.headers["location"]).text
    assert db["replies"].get(slow)["outcome"] == "upgraded" and db["replies"].get(slow)["rating_after"] == 5
    assert db["replies"].get(broken)["outcome"] is None  # the blank row changed nothing
    assert next(db["outcomes"].rows)["note"] == "顾客追评了"


def test_a_worksheet_with_a_bad_line_records_nothing_and_says_which_line_in_chinese(site, engine):
    client, db, users = site
    first, second = make_reply(db, engine), make_reply(db, engine)
    csrf = sign_in(client, "小林", users["小林"].password)
    content = f"编号,结果,之后的评分\n{first},已改好评,\n{second},挺好,\n{second},没有变化,9\n".encode()
    response = _upload(client, csrf, content)
    assert response.status_code == 400
    problems = [li.get_text() for li in BeautifulSoup(response.text, "html.parser").select("#import-errors li")]
    assert problems[0].startswith("第 3 行：结果“挺好”不在列表里，请填：已改好评、")
    assert problems[1] == "第 4 行：之后的评分只能是 1 到 5 星。"
    assert db["outcomes"].count == 0
    empty = _upload(client, csrf, f"编号,结果\n{first},\n".encode())
    assert empty.status_code == 400 and "没有填写结果的行" in empty.text
    noted = _upload(client, csrf, f"编号,结果,备注\n{first},,客户说再等等\n".encode())  # a note, and no result
    assert noted.status_code == 400 and "第 2 行：填了之后的评分或备注，但没有填结果" in noted.text
    unreadable = _upload(client, csrf, b"\xff\xfe\xff\x00\x81")
    assert unreadable.status_code == 400 and "读不出文件“回复.csv”" in unreadable.text


def test_an_agents_worksheet_holds_and_records_only_their_own_replies(site, engine):
    client, db, users = site
    mine, theirs = make_reply(db, engine), make_reply(db, engine, agent="小美")
    csrf = sign_in(client, "小林", users["小林"].password)
    assert [r["编号"] for r in _worksheet(client, agent="小美")] == [str(mine)]  # an agent's agent filter is ignored
    response = _upload(client, csrf, f"编号,结果\n{theirs},已改好评\n".encode())
    assert response.status_code == 400 and f"回复 {theirs} 不存在" in response.text
    assert db["outcomes"].count == 0


def test_a_sheet_of_a_few_hundred_replies_is_not_refused_as_too_large(site, engine):
    """The sheet offers up to 20,000 replies; its upload had the 64 KiB limit of an ordinary form (about 120 rows)."""
    import csv
    import io

    client, db, users = site
    for _ in range(300):
        make_reply(db, engine, "买的电热水壶用了两周就不加热了，客服也一直不回消息，太让人失望了")
    csrf = sign_in(client, "组长", users["组长"].password)
    sheet = _worksheet(client)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(sheet[0]))
    writer.writeheader()
    writer.writerows({**r, "结果": "没有变化"} for r in sheet)
    body = out.getvalue().encode()
    assert len(body) > 64 * 1024
    response = _upload(client, csrf, body)
    assert response.status_code == 303, response.text[:300]
    assert response.headers["location"] == "/replies?imported=300"


def test_a_note_over_the_limit_is_refused_on_the_row_and_in_a_sheet(site, engine):
    """The row form refused a 6,000-character note but a sheet with the same note was recorded (review 10 #9)."""
    client, db, users = site
    reply_id = make_reply(db, engine)
    csrf = sign_in(client, "小林", users["小林"].password)
    note = "顾客说" * 2000
    row = client.post(f"/replies/{reply_id}/outcome", data={"result": "upgraded", "note": note}, headers={"X-CSRF-Token": csrf})
    assert row.status_code == 400 and "备注最多 2000 个字。" in row.text
    sheet = _upload(client, csrf, f"编号,结果,备注\n{reply_id},已改好评,{note}\n".encode())
    assert sheet.status_code == 400
    problems = [li.get_text(" ", strip=True) for li in BeautifulSoup(sheet.text, "html.parser").select("#import-errors li")]
    assert len(problems) == 1 and "第 2 行" in problems[0] and problems[0].endswith("备注最多 2000 个字。")
    assert db["outcomes"].count == 0
    fits = _upload(client, csrf, f"编号,结果,备注\n{reply_id},已改好评,{'好' * 2000}\n".encode())
    assert fits.status_code == 303 and len(next(db["outcomes"].rows)["note"]) == 2000


def _sheet_body(sheet: list[dict], fill: dict[int, str]) -> bytes:
    """The downloaded sheet, its 结果 filled in for the replies ``fill`` names."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(sheet[0]))
    writer.writeheader()
    writer.writerows({**r, "结果": fill.get(int(r["编号"]), "")} for r in sheet)
    return out.getvalue().encode()


def test_a_sheet_row_changed_since_the_download_is_skipped_and_said_and_a_second_upload_records_nothing(site, engine):
    """Review 15 #1: a sheet downloaded before an outcome was recorded on the page wrote over it without a word, and
    the same sheet uploaded twice doubled the outcome history."""
    client, db, users = site
    first, second = make_reply(db, engine), make_reply(db, engine, "收到的杯子碎了")
    csrf = sign_in(client, "小林", users["小林"].password)
    sheet = _worksheet(client)
    assert [r["编号"] for r in sheet] == [str(second), str(first)] and [r["版本（请勿修改）"] for r in sheet] == ["0", "0"]
    row = client.post(f"/replies/{first}/outcome", data={"result": "deleted"}, headers={"X-CSRF-Token": csrf})
    assert row.status_code == 200  # recorded on the page after the download
    body = _sheet_body(sheet, {first: "已改好评", second: "没有变化"})
    response = _upload(client, csrf, body)
    soup = soup_of(response)
    assert soup.select_one("#imported").get_text(strip=True) == "已从表格登记 1 条结果。"
    skipped = soup.select_one("#import-skipped")
    assert skipped.p.get_text(strip=True).startswith("有 1 行没有登记：下载表格之后，这些回复的结果已经在别处改过")
    assert [li.get_text(strip=True) for li in skipped.select("li")] == [
        f"第 3 行：回复 {first} 的结果在下载表格之后已改为“已删差评”，这一行没有登记。"
    ]
    assert (db["replies"].get(first)["outcome"], db["replies"].get(second)["outcome"]) == ("deleted", "unchanged")
    again = _upload(client, csrf, _sheet_body(sheet, {second: "没有变化"}))  # the row that was recorded, once more
    assert again.status_code == 303 and again.headers["location"] == "/replies?imported=0&unchanged=1"
    said = soup_of(client.get(again.headers["location"])).select_one("#imported").get_text(strip=True)
    assert said == "这次没有登记新的结果：1 行和已登记的结果相同，没有重复登记。"
    assert db["outcomes"].count == 2


@pytest.mark.parametrize(
    "content, said",
    [
        ("编号,结果\nit's,已改好评\n", "第 2 行：编号“it's”不对：编号只能是数字（例如 12），请照下载的表格填写。"),
        ("编号,结果\n1_0,已改好评\n", "第 2 行：编号“1_0”不对：编号只能是数字（例如 12），请照下载的表格填写。"),
        ("编号,结果\n-1,已改好评\n", "第 2 行：编号“-1”不对：编号只能是数字（例如 12），请照下载的表格填写。"),
        ("编号,结果\n,已改好评\n", "第 2 行：填了结果，但没有填编号：请填上编号，或把这一行清空。"),
        ("编号,结果\n1,it's fine now\n", "第 2 行：结果“it's fine now”不在列表里，请填："),
        ("编号,结果,结果\n1,已改好评,已删差评\n", "第 1 行：表格里有 2 个“结果”列：请只留一个再上传。"),
        ("编号,结果,版本（请勿修改）\n1,已改好评,见上\n", "第 2 行：“版本”一格被改过（“见上”）：请重新下载表格"),
        (
            "编号,结果," + "表" * 140_000 + "\n1,已改好评,\n",
            "第 1 行：表格的第一行（表头）有一格超过 131072 个字，读不出来：请用“下载这些回复”得到的表格填写，别改第一行。",
        ),
    ],
    ids=["quote-in-id", "underscore-id", "negative-id", "no-id", "english-result", "two-result-columns", "version", "header"],
)
def test_every_problem_of_an_uploaded_sheet_is_said_in_chinese(site, engine, content, said):
    """Review 15 #5 and #6: a huge header cell answered 500; some problems were said in English (a reply id with a
    quote, a negative id); 「1_0」 was read as reply 10."""
    from test_no_english import ENGLISH

    client, db, users = site
    for _ in range(10):
        make_reply(db, engine)
    csrf = sign_in(client, "组长", users["组长"].password)
    response = _upload(client, csrf, content.encode())
    assert response.status_code == 400
    problems = [li.get_text(strip=True) for li in BeautifulSoup(response.text, "html.parser").select("#import-errors li")]
    assert len(problems) == 1 and problems[0].startswith(said)
    assert not ENGLISH.findall(problems[0].replace("it's fine now", ""))
    assert db["outcomes"].count == 0
