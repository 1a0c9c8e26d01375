"""Reading a backlog for 批量分拣 and ``assistant triage``: the complaint's column as shops' exports head it."""

import json

import pytest

from assistant.engine.triage import parse_rows
from assistant.errors import InvalidInput
from assistant.taxonomy import INPUT_HEADINGS
from assistant.web.messages import chinese


@pytest.mark.parametrize("heading", INPUT_HEADINGS["text"])
def test_the_complaint_is_read_from_a_column_headed_as_a_shops_export_heads_it(heading):
    """Only a column headed ``text`` was read: a Taobao, JD, Pinduoduo or Douyin review export (评价内容, 评论内容, 买家评价)
    or a helpdesk's (留言, 咨询内容) was refused until the lead renamed the column."""
    parsed = parse_rows(f"订单号,{heading},买家昵称\nA1,快递一个星期还没到,tb_wang\n", "导出.csv")
    assert [(r.text, r.extra) for r in parsed.rows] == [("快递一个星期还没到", {"订单号": "A1", "买家昵称": "tb_wang"})]
    assert parsed.column == heading


@pytest.mark.parametrize("heading", [" 评价内容 ", "TEXT", "评论 内容", "ｔｅｘｔ"])
def test_a_heading_is_read_whatever_its_case_width_or_spaces(heading):
    assert parse_rows(f"{heading},订单号\n杯子碎了,A1\n", "b.csv").rows[0].text == "杯子碎了"


def test_the_most_telling_heading_wins_and_the_other_column_is_kept():
    """A Douyin export has 评价内容 and a 内容 column of the product's description: the complaint is the review."""
    parsed = parse_rows("内容,评价内容\n电热水壶1.7L,用了两周就不加热了\n", "b.csv")
    assert (parsed.rows[0].text, parsed.rows[0].extra) == ("用了两周就不加热了", {"内容": "电热水壶1.7L"})


def test_a_follow_up_review_is_read_after_the_review_as_one_complaint():
    """Taobao's export has 追评 in its own column, and it is often where the problem is: 「还行」 at first, 「用了一周就坏
    了」 a week on. It is triaged with the review, on its own line; a row without one is the review alone."""
    parsed = parse_rows("评价内容,追评,订单号\n还行,用了一周就坏了,A1\n太差了,,A2\n,吹风机冒烟了,A3\n", "b.csv")
    assert [r.text for r in parsed.rows] == ["还行\n追评：用了一周就坏了", "太差了", "吹风机冒烟了"]
    assert all(r.extra.keys() == {"订单号"} for r in parsed.rows)
    assert parsed.followup == "追评"


def test_a_tab_separated_text_file_headed_in_chinese_is_a_table():
    """Excel's 「Unicode 文本」 of a review export: its header names no ``text`` column, but it is still a table."""
    parsed = parse_rows("评价内容\t订单号\r\n物流有点慢\tA1\r\n", "差评.txt")
    assert [(r.text, r.extra) for r in parsed.rows] == [("物流有点慢", {"订单号": "A1"})]


def test_a_jsonl_record_names_its_complaint_as_a_table_heads_it():
    lines = [{"评价内容": "还行", "追评": "坏了", "订单号": "A1"}, {"订单号": "A2"}]
    parsed = parse_rows("\n".join(json.dumps(r, ensure_ascii=False) for r in lines), "b.jsonl")
    assert [(r.text, r.extra) for r in parsed.rows] == [("还行\n追评：坏了", {"订单号": "A1"})]
    assert [s.line for s in parsed.skipped] == [2] and chinese(parsed.skipped[0].reason) == "没有投诉内容字段（text、评价内容等）"


def test_a_table_without_a_complaint_column_is_refused_naming_the_headings_accepted():
    with pytest.raises(InvalidInput) as refused:
        parse_rows("订单号,备注\nA1,快递没到\n", "b.csv")
    said = chinese(str(refused.value))
    assert said.startswith("文件“b.csv”里找不到投诉所在的列（找到的列：订单号、备注）。")
    assert said.endswith("：" + "、".join(INPUT_HEADINGS["text"]) + "。")


def test_two_columns_of_the_complaints_heading_are_refused():
    with pytest.raises(InvalidInput) as refused:
        parse_rows("评价内容,订单号,评价内容\n快递没到,A1,备注\n", "b.csv")
    assert chinese(str(refused.value)) == "文件里有 2 个“评价内容”列，分不清投诉在哪一列：请只留一个再上传。"
