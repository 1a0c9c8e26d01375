"""Issue 12, relevance in the sincerity score: the same draft scores at least 30 points lower against a complaint
that does not raise its problem than against one that does; without a complaint the check still works."""

from datetime import datetime

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.engine.sincerity import check_sincerity, topics

MORNING = datetime(2026, 11, 30, 10, 0)

# (a complaint with the draft's problem, a complaint without it); the draft is the engine's first for the first.
PAIRS = [
    ("快递一个星期了还没到，物流信息一直不动", "刚买的吹风机用了三天就坏了，开不了机"),
    ("收到的玻璃杯碎了两个，外箱都压扁了", "客服态度太差，问了三遍都不回"),
    ("买了三件只收到两件，少发了一件", "酸奶收到就过期了，生产日期是两个月前"),
    ("同一笔订单被扣了两次钱", "我的手机号被泄露了，天天接到骚扰电话"),
    ("刚收到的电热水壶插上电一点反应都没有", "快递员把包裹放在驿站就不管了，也不送上门"),
    ("衣服颜色和图片差太多了，色差严重", "我要开发票，抬头填错了要重开"),
    ("说好的师傅上门安装，等了一天都没来", "买完第二天就降价了，差价能不能退"),
    ("充电宝充着充着就鼓包冒烟了，太危险", "退货申请提交一周了还没审核"),
    ("面包收到就发霉了", "客服说话很不耐烦，爱答不理"),
    ("怀疑买到假货，和专柜的不一样", "订单显示已签收，但我根本没收到"),
]


@pytest.mark.parametrize(("has", "lacks"), PAIRS)
def test_a_draft_for_a_problem_the_complaint_does_not_raise_scores_30_lower(engine, has, lacks):
    draft = engine.suggest(has, now=MORNING).drafts[0]
    right, wrong = check_sincerity(draft.text, has), check_sincerity(draft.text, lacks)
    assert right.score - wrong.score >= 30, (draft.template_id, right, wrong)
    assert any(f.startswith("答非所问") for f in wrong.findings)
    assert not any(f.startswith("答非所问") for f in right.findings)


def test_hand_written_pairs():
    reply = "您说的物流一直不动，我现在就去找快递公司查件，今天18:00前告诉您包裹在哪，查实丢件就直接重新发一件。"
    assert check_sincerity(reply, "物流三天没动了").score - check_sincerity(reply, "杯子收到就裂了").score >= 30


def test_a_vague_complaint_is_not_called_off_topic():
    reply = "您说的物流一直不动，我现在就去找快递公司查件，今天18:00前告诉您包裹在哪。"
    assert topics("太失望了，再也不买了") == frozenset()
    assert not any(f.startswith("答非所问") for f in check_sincerity(reply, "太失望了，再也不买了").findings)


def test_the_check_still_works_without_a_complaint():
    result = CliRunner().invoke(cli, ["check", "您说的物流一直不动，我现在就去找快递公司查件，今天18:00前告诉您包裹在哪。"])
    assert result.exit_code == 0 and result.output.startswith("真诚度 ")
    assert "答非所问" not in result.output


@pytest.mark.parametrize(
    "text",
    [
        "手机相册里有别人的照片",  # a used phone sold as new; 照片 reads as 与描述不符
        "保修查出来已经激活过",  # 保修 reads as 安装维修
        "公司名字少了一个字",  # an invoice's title; 少了 reads as 错发漏发
        "酒店押金预授权冻结了两次，卡里的钱全被冻住了",
    ],
)
def test_a_draft_on_the_problem_the_assistant_shows_first_is_not_called_off_topic(engine, text):
    """The topic words alone called 68 of 600 correct first drafts of train.jsonl complaints 答非所问 (score 65), and
    176 of the library's own example phrasings': the intent the assistant shows first now counts as raised."""
    s = engine.suggest(text)
    first = s.drafts[0]
    assert first.intent == s.intents[0].id
    assert not any(f.startswith("答非所问") for f in first.sincerity.findings), first.sincerity.findings


def test_a_reply_on_another_problem_than_the_one_shown_first_is_still_off_topic():
    complaint = "手机相册里有别人的照片"
    reply = "您好，快递晚到让您久等了，对不起。今天18:00前我去催快递公司，给您一个准确的到货时间。"
    findings = check_sincerity(reply, complaint, template_id="logistics_delay.general", recognised="counterfeit").findings
    assert any(f.startswith("答非所问") for f in findings)
