import pytest

from assistant.engine.sincerity import check_sincerity, done_claims

GOOD = (
    "王女士您好，我是小林。您买的电热水壶用了两周就不加热，这是加热盘的质量问题，不该让您碰上。"
    "我现在就登记订单2024112301，今天18:00前给您寄出一台新壶，并安排快递上门取回旧壶，运费我们承担。"
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


# Issue 12, "commitments, not claims": a draft is written before anything is done, so it must not say that the
# shop or the agent already did something; it promises what will be done and by when.
DONE_CLAIMS = [
    "您反映的客服态度问题，聊天记录我已经调出，核实后按规定处理这位同事，今天18:00前给您答复。",
    "您说的退款慢的问题，我刚查了退款进度，已经找财务加急，今天18:00前把到账截图发给您。",
    "您说的一直不发货的问题，订单2024112301我已经单独标了加急，今天18:00前告诉您发货时间和单号。",
    "您反映的做工问题，我已经把问题反馈给质检，同批货会重新抽检，今天18:00前和您确认换新还是退款。",
    "新机的单号出来后发给您。另外给您申请了一张20元无门槛券，已经发到账户里。",
    "物流好几天不动，我已经拿着单号去找快递公司查件，今天18:00前告诉您包裹在哪。",
    "已为您补发缺少的配件，明天送到，单号今天18:00前发给您。",
    "我们已经安排师傅明天上门维修，具体时间今天18:00前电话确认。",
    "您的退款已经提交，1到3个工作日原路到账。",
    "多扣的那笔钱我们已退款，今天18:00前把凭证发您。",
    "我已经联系了快递网点，今天18:00前给您回电。",
    "我已经核实了订单的支付流水，多扣的部分今天18:00前原路退回。",
    "已经帮您关闭自动续费，这次续费的钱今天18:00前退回。",
    "漏发的部分已经补发，单号今天18:00前发您。",
    "新的一件已经寄出，明天就能送到。",
    "发票申请我已经提交了，今天18:00前发到您的邮箱。",
    "我已经登记了您的订单，今天18:00前寄出新壶。",
    "问题我已经转给品控负责人，今天18:00前给您结果。",
    "您的订单我刚刚已经加急处理，今天18:00前发货。",
    "我们已为您申请了补偿，今天18:00前电话和您确认。",
    "您的情况我已经上报给主管，今天18:00前给您回电。",
    "我已经调取了仓库的签收记录，今天18:00前给您回电说明。",
    "我们已经下架同批次的商品，今天18:00前告诉您排查结果。",
    "您账号的支付功能已经冻结，今天18:00前安全专员联系您。",
    "已经把您的号码从营销名单中移除，今天18:00前生效。",
    "退货申请已经通过，取件时间您定。",
    "我已经向快递公司投诉了这个网点，今天18:00前告诉您处理结果。",
    "该人员已经被停止接单，平台会调查处理。",
    "给您账户发了一张10元无门槛券，下次可以用。",
    "我已经直接联系当地网点负责人，今天18:00前给您确认师傅上门时间。",
    "差价已经原路退回，1到3个工作日到账。",
    "您的投诉我已经登记，今天18:00前给您回电。",
]

COMMITMENTS = [
    "您反映的客服态度问题，聊天记录我现在就去调出，核实后按规定处理这位同事，今天18:00前给您答复。",
    "您说的退款慢的问题，我现在就去查退款进度并找财务加急，今天18:00前把到账截图发给您。",
    "订单2024112301我现在就单独标上加急，今天18:00前告诉您发货时间和单号。",
    "今天就把问题反馈给质检，同批货会重新抽检，今天18:00前和您确认换新还是退款。",
    "我今天为您申请一张20元无门槛券，发到账户后告诉您。",
    "我现在就拿着单号去找快递公司查件，今天18:00前告诉您包裹在哪。",
    "今天18:00前为您补发缺少的配件，单号出来第一时间发给您。",
    "我们会安排师傅明天上门维修，具体时间今天18:00前电话确认。",
    "退款我今天提交，1到3个工作日原路到账。",
    "多扣的那笔钱今天18:00前原路退回，到账后我截图给您。",
    "我现在就联系快递网点，今天18:00前给您回电。",
    "我现在就去核对订单的支付流水，多扣的部分今天18:00前原路退回。",
    "我现在就帮您关闭自动续费，这次续费的钱今天18:00前退回。",
    "漏发的部分明天12:00前给您补发，单号出来马上发您。",
    "新的一件今天18:00前寄出，明天就能送到。",
    "发票申请我今天提交，今天18:00前发到您的邮箱。",
    "我现在就登记订单2024112301，今天18:00前寄出新壶。",
    "问题我现在就转给品控负责人，今天18:00前给您结果。",
    "您的订单我马上加急处理，今天18:00前发货。",
    "核实后我们会为您申请补偿，今天18:00前电话和您确认。",
    "您的情况我现在就上报给主管，今天18:00前给您回电。",
    "我现在就调取仓库的签收记录，今天18:00前给您回电说明。",
    "同批次的商品我们今天下架清查，明天12:00前告诉您排查结果。",
    "我们会先冻结您账号的支付功能，今天18:00前安全专员联系您。",
    "我现在就把您的号码从营销名单中移除，今天18:00前生效。",
    "退货申请我今天给您通过，取件时间您定。",
    "我现在就向快递公司投诉这个网点，今天18:00前告诉您处理结果。",
    "我会要求平台立即停止该人员接单，并正式调查处理。",
    "一核实清楚就给您补发，今天18:00前告诉您结果。",
    "收到退回件后当天为您退款，到账后我截图给您。",
    "我将在今天18:00前为您办理退款。",
    "差价今天提交原路退回，1到3个工作日到账。",
]

CONDITIONALS_AND_CUSTOMERS = [
    "如果已经付过运费，把凭证发给我，今天18:00前连同货款一起退给您。",
    "已经吃了觉得不舒服的话，请第一时间告诉我，今天18:00前给您全额退款。",
    "为了这个问题，您已经联系我们好几次，今天18:00前我亲自给您打电话。",
    "如果您已经向12315投诉，我们会如实答复，今天18:00前给您回电。",
    "如果已经退房，这一晚的差价今天18:00前原路退回。",
    "请问您是否已就医？医药费我们先行垫付，今天18:00前安排上门取回商品。",
    "收到的酸奶已经过期，请不要再吃，今天18:00前为您全额退款。",
    "您在别的渠道反映的问题，我们已经看到，今天18:00前专人给您回电。",
    "退款：未经确认开通的业务立即退订，已扣费用全额退回话费账户。",
]


@pytest.mark.parametrize("reply", DONE_CLAIMS)
def test_a_done_claim_is_a_finding(reply):
    result = check_sincerity(reply)
    findings = [f for f in result.findings if f.startswith("未做的事不要写成已做：")]
    assert findings, result.findings
    assert "「" in findings[0]  # the phrase is named
    assert result.score <= 100 - 25


@pytest.mark.parametrize("reply", COMMITMENTS + CONDITIONALS_AND_CUSTOMERS)
def test_commitments_conditionals_and_the_customers_own_doings_are_not_claims(reply):
    assert done_claims(reply) == []
    assert not any("未做的事" in f for f in check_sincerity(reply).findings)


# Checking and investigating told as done or under way (REVIEW12 #4): three shipped templates said so and scored 100.
CHECKS_TOLD_AS_DONE = [
    ("之前的记录我都看过了，今天18:00前我带着处理方案联系您。", "都看过了"),
    ("今天18:00前为您全额退款；同批次的货我们正在排查。", "正在排查"),
    ("我把之前几位同事的答复和记录逐条核实了一遍，今天18:00前给您退款。", "核实了一遍"),
    ("您说的一堆套话，我从头看了一遍记录，今天18:00前给您打电话。", "看了一遍"),
    ("订单我查过了，确实少发了一件，今天18:00前给您补发。", "查过了"),
    ("您的问题我们正在为您处理，今天18:00前给您回电。", "正在为您处理"),
    ("订单我查过了就是少发了，今天18:00前给您补发。", "查过了"),
    ("您的记录我都看完了，今天18:00前给您回电。", "都看完了"),
]
CHECKS_PROMISED = [
    "之前的记录我会逐条看一遍，今天18:00前我带着处理方案联系您。",
    "今天18:00前为您全额退款；同批次的货我们今天开始排查。",
    "我会把之前几位同事的答复和记录逐条核实一遍，今天18:00前给您退款。",
    "您看过了说明书还是不会用的话，今天18:00前我打电话一步步教您。",
    "如果您已经查过了物流，把截图发给我，今天18:00前给您答复。",
    "包裹正在派送，今天18:00前我再帮您确认送达时间。",
    # a check still to come, or the customer's own (REVIEW12B #6)
    "快递一个星期没更新，让您一直等，对不起。我今天查完了马上告诉您，查不到就给您补发一件。",
    "快递一个星期没更新，让您一直等，对不起。等我核实完了就给您回电，今天18:00前给您答复。",
    "快递一个星期没更新，您之前问过了好几次，对不起。今天18:00前给您答复，查不到就给您补发一件。",
    "快递一个星期没更新，您说您已经问过了，我今天18:00前给您答复，查不到就给您补发一件。",
    "物流信息您可能已经看过了，一个星期没更新，对不起。今天18:00前给您答复，查不到就给您补发一件。",
]


@pytest.mark.parametrize(("reply", "claim"), CHECKS_TOLD_AS_DONE)
def test_checking_told_as_done_or_under_way_is_a_claim(reply, claim):
    result = check_sincerity(reply)
    (finding,) = [f for f in result.findings if f.startswith("未做的事不要写成已做：")]
    assert f"「{claim}」" in finding and result.score <= 100 - 25


@pytest.mark.parametrize("reply", CHECKS_PROMISED)
def test_checking_promised_or_done_by_the_customer_is_not_a_claim(reply):
    assert done_claims(reply) == [], done_claims(reply)
    assert not any(f.startswith("未做的事不要写成已做") for f in check_sincerity(reply).findings)


def test_the_finding_names_the_phrase():
    (finding,) = [f for f in check_sincerity(DONE_CLAIMS[1]).findings if "未做的事" in f]
    assert "「刚查」" in finding and "「已经找」" in finding


def test_a_quote_of_the_customers_words_is_not_a_claim():
    reply = "您说的“我已经联系过客服三次了”这个问题，我现在就去查，今天18:00前给您回电并安排补发。"
    assert done_claims(reply) == []
    assert not any("未做的事" in f for f in check_sincerity(reply).findings)


def test_the_good_reply_keeps_its_score_and_a_claim_costs_it():
    assert check_sincerity(GOOD).score - check_sincerity(GOOD.replace("我现在就登记", "我已经登记了")).score >= 25


def test_done_claims_are_found_in_linear_time():
    import time

    start = time.perf_counter()
    for text in ("已经" * 30_000, "已经调出" * 15_000, "已经" + "调" * 60_000, "给您" * 30_000, "已经把订单" * 12_000):
        check_sincerity(text)
    assert time.perf_counter() - start < 3.0


def test_an_offline_invitation_or_a_thank_you_is_not_docked_for_talking_about_something_else(engine):
    """The library's own drafts scored 65 for 答非所问: a safety invitation for a spoiled-milk illness, a thank-you."""
    from assistant.engine.sincerity import answers_the_problem

    assert not answers_the_problem("offline.safety.child_or_food_illness") and not answers_the_problem("other.praise")
    assert answers_the_problem("expired_spoiled.mouldy_spoiled") and answers_the_problem(None)
    for text, first in [
        ("孩子喝了这箱牛奶上吐下泻，牛奶都胀袋了，去医院打点滴了", "offline.safety"),
        ("质量很好，发货也快，谢谢客服，五星好评", "other.praise"),
    ]:
        d = engine.suggest(text).drafts[0]
        assert d.template_id.startswith(first) and not any(f.startswith("答非所问") for f in d.sincerity.findings), d
    off = check_sincerity("我们今天18:00前去查物流，催快递尽快派送。", "买的牛奶过期了，喝了拉肚子")
    assert any(f.startswith("答非所问") for f in off.findings)  # a reply about the intent is still held to it


def test_a_blade_that_will_not_turn_is_no_delivery_problem():
    """「刀头就转不动了」 read as 物流 (「不动」 as in a parcel that does not move): a quality reply was docked as 答非所问."""
    from assistant.engine.sincerity import topics

    assert "物流" not in topics("破壁机打了不到十次，刀头就转不动了")
    assert "物流" in topics("物流信息停在转运中心四天不动")
    reply = (
        "您好，我是小林。破壁机刀头转不动，是我们的质量没把好关，对不起。今天18:00前给您寄出一台新机，"
        "同时约快递上门取回坏机，运费由我们承担。"
    )
    assert not any(f.startswith("答非所问") for f in check_sincerity(reply, "破壁机打了不到十次，刀头就转不动了").findings)


def test_a_promise_of_a_refund_counts_as_an_action():
    s = check_sincerity(
        "您好，我是小林。订的套餐和页面写的不一样，今天18:00前核对清楚，确认不符的部分差价退给您。", "套餐和页面不一样"
    )
    assert not any("没有说要做什么" in f for f in s.findings)
