import pytest

from assistant.engine.sincerity import check_sincerity

GOOD = (
    "王女士您好，我是小林。您买的电热水壶用了两周就不加热，这是加热盘的质量问题，不该让您碰上。"
    "我已经登记了订单2024112301，今天18:00前给您寄出一台新壶，并安排快递上门取回旧壶，运费我们承担。"
)

INDUCEMENTS = [
    "您好，给您补发的新品今天就寄出，改好评返现20元哦，麻烦收到后处理一下评价。",
    "非常抱歉让您失望，麻烦您把差评删掉，删评后补偿您一张50元券，今天内到账。",
    "新的一台今天18:00前寄出，追评五星送您一份精美小礼品，期待您的反馈。",
    "问题我们已经处理好了，您修改评价为好评后，我们马上给您退款30元差价。",
    "退款已经安排，今天到账。另外晒图好评返现10元，欢迎参加。",
    "已给您补发配件，明天送到。麻烦撤销差评，我们会给您额外补偿。",
    "您反映的漏发问题我们今天就补寄。给个好评吧，五星好评送运费险。",
    "我们今天会给您换新，如果您愿意把评价改成五星，我们再送您一个红包。",
    "快递今天重新派送，您删除评论后我们给您返还10元现金。",
    "质量问题我们负责，今天寄出新品，评价后送您小礼物，好评有礼。",
]


def test_a_specific_reply_with_action_and_time_scores_high():
    result = check_sincerity(GOOD, "电热水壶用了两周就不加热了")
    assert result.score >= 90, result.findings


def test_the_hollow_stock_reply_is_called_out():
    result = check_sincerity("亲，给您带来不便深表歉意，我们会加强管理，感谢您的理解与支持！")
    assert result.score < 40
    text = " ".join(result.findings)
    for phrase in ("给您带来不便", "深表歉意", "加强管理", "感谢您的理解与支持"):
        assert phrase in text
    assert any("没有说要做什么" in f for f in result.findings)
    assert any("时间承诺" in f for f in result.findings)


@pytest.mark.parametrize("reply", INDUCEMENTS)
def test_review_inducement_is_a_severe_finding(reply):
    result = check_sincerity(reply)
    assert result.score < 30
    assert result.findings[0].startswith("严重：")


def test_blaming_the_customer_is_flagged():
    result = check_sincerity("经检测是您自己使用不当造成的，不属于质量问题，今天18:00前把检测报告发给您。")
    assert any("推给顾客" in f for f in result.findings)


def test_reply_that_ignores_the_complaint_is_flagged():
    result = check_sincerity(GOOD.replace("电热水壶用了两周就不加热", "商品出现情况"), "耳机左边没有声音")
    assert any("具体问题" in f for f in result.findings)


def test_unbounded_promise_and_public_compensation_are_flagged():
    result = check_sincerity(GOOD + "我们保证再也不会出现这种问题，另外送您20元优惠券。")
    assert any("做不到的承诺" in f for f in result.findings)
    assert any("补偿" in f for f in result.findings)


def test_length_out_of_range_is_flagged():
    assert any("长度" in f for f in check_sincerity("今天给您换新。").findings)


def test_long_digit_runs_are_checked_in_linear_time():
    """A reply of 60,000 digits once took minutes (a quadratic time and money pattern) and blocked the server."""
    import time

    start = time.perf_counter()
    for text in ("1" * 60_000, "1 " * 30_000, "一" * 60_000):
        check_sincerity(text)
    assert time.perf_counter() - start < 2.0  # about 0.05 s here; the quadratic pattern took over 100 s


def test_time_and_money_are_still_recognised_after_bounding_the_patterns():
    assert not any("时间" in f for f in check_sincerity(GOOD.replace("今天18:00前", "48小时内")).findings)
    assert any("补偿" in f for f in check_sincerity(GOOD + "另外补偿您20元。").findings)
