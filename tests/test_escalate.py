from pathlib import Path

import pytest

from assistant.engine.escalate import check_escalation, load_rules, rule_hits
from assistant.engine.normalize import normalize
from assistant.errors import LibraryError


def escalation(engine, text, **kw):
    return check_escalation(normalize(text, engine.segmenter), engine.rules, **kw)


@pytest.mark.parametrize(
    "text,reason,evidence",
    [
        ("孩子用了这个面霜脸上过敏红肿，已经去医院了", "safety", "过敏"),
        ("充电的时候冒烟了，差点烧起来", "safety", "冒烟"),
        # a near miss is a hazard (TAXONOMY: "actual harm or hazard")
        ("儿童座椅装好以后一直往前滑，孩子差点摔下来", "safety", "差点摔"),
        ("柜门螺丝松了，门掉下来险些砸到孩子", "safety", "险些砸"),
        ("平衡车刹车突然失灵，差点撞到路人", "safety", "差点撞到路人"),
        ("鞋底太滑了，下雨天我差点滑倒", "safety", "滑倒"),
        ("再不处理我就打12315投诉你们", "legal_threat", "12315"),
        ("我已经找了律师，法院见", "legal_threat", "律师"),
        ("我要把这事发到微博曝光，让大家都看看", "media_threat", "曝光"),
        ("我的个人信息被泄露了，天天接到诈骗电话", "privacy", "泄露"),
        ("打了五次电话了，到现在都没有解决", "repeat_unresolved", "打了五次"),
        ("卖假货，必须假一赔三", "compensation_demand", "假一赔"),
    ],
)
def test_reasons_come_with_evidence(engine, text, reason, evidence):
    e = escalation(engine, text)
    assert e.escalate
    found = {r.id: r.evidence for r in e.reasons}
    assert reason in found
    assert any(evidence in ev for ev in found[reason])
    assert e.action


@pytest.mark.parametrize(
    "text",
    [
        "垃圾东西！！！气死我了，什么破玩意，再也不买了！！！",
        "充电的时候很烫，担心会爆炸",
        "差点就买了，幸好看了评价",
        "怕孩子差点摔下来，买了护栏",
        # nearly losing one's temper, or nearly breaking a thing, is no hazard to anyone (REVIEW11B #1)
        "客服一直不回消息，气得我差点摔手机",
        "等了半个月还没发货，气得我差点砸了电脑",
        "快递员乱扔包裹，差点摔碎了里面的花瓶",
        "拉链质量太差，拉到一半差点卡住",
        "快递太慢了，等了一个星期",
    ],
)
def test_plain_anger_or_worry_does_not_escalate(engine, text):
    assert not escalation(engine, text).escalate


def test_most_severe_reason_comes_first_and_sets_the_action(engine):
    e = escalation(engine, "用了过敏住院了，我要起诉你们")
    assert [r.id for r in e.reasons][:2] == ["safety", "legal_threat"]
    assert e.action == engine.rules["safety"].action


def test_an_earlier_unresolved_reply_escalates_with_its_date(engine):
    assert not escalation(engine, "东西还是不能用").escalate
    e = escalation(engine, "东西还是不能用", earlier=["2026-11-20"])
    assert [r.id for r in e.reasons] == ["repeat_unresolved"]
    assert "2026-11-20" in e.reasons[0].evidence[0]


def test_praise_after_an_earlier_reply_is_no_repeated_failure(engine):
    """A buyer thanking the shop after a reply once got the red banner and a repeated-repairs apology."""
    s = engine.suggest("收到了，东西很好，谢谢客服耐心处理，给五星好评！")
    assert s.kind == "praise"
    e = check_escalation(s.normalized, engine.rules, engine.model, earlier=["2026-11-20"], kind=s.kind)
    assert not e.escalate


@pytest.mark.parametrize(
    "text", ["第三次买了，一直很好用", "第五次回购了，一直很喜欢", "回购第三次了，好用", "多次回购，一直很满意"]
)
def test_praise_that_counts_its_purchases_is_not_escalated(engine, text):
    """A count in praise is no repeated contact in anger: it gets a thank-you, not an offline invitation."""
    s = engine.suggest(text)
    assert s.kind == "praise"
    assert not s.escalation.escalate


def test_a_praise_still_escalates_on_a_rule_of_another_reason(engine):
    e = escalation(engine, "好评！不过我家孩子用了过敏", kind="praise")
    assert [r.id for r in e.reasons] == ["safety"]


@pytest.mark.parametrize(
    "text,reason,evidence",
    [
        # regulators and police in the ways customers name them
        ("我已经拨打了315热线，等他们来处理", "legal_threat", "315"),
        ("下周我准备到315投去", "legal_threat", "315"),
        ("昨天已报案了，你们等着吧", "legal_threat", "报案"),
        ("工信部管管不管这种事", "legal_threat", "工信部"),
        ("我一定举报你们这种行为", "legal_threat", "举报"),
        ("我已经向市场监督管理局反映了", "legal_threat", "市场监督管理"),
        ("再拖下去我就找消费者权益保护委员会", "legal_threat", "消费者权益保护"),
        ("打了12345市民热线，等他们来协调", "legal_threat", "12345"),
        ("再不处理我就拨打12345", "legal_threat", "拨打12345"),
        ("已经向12345反映了你们的问题", "legal_threat", "向12345"),
        # repeated contact: counts of calls, visits, repair trips, repeated explanations, no reply
        ("多次联系客服都没用，问题还在", "repeat_unresolved", "多次联系"),
        ("送去2次维修还是坏的", "repeat_unresolved", "2次维修"),
        ("打过很多个客服电话，一个都不管", "repeat_unresolved", "很多个客服电话"),
        ("这是我第四次来电反映这个问题了", "repeat_unresolved", "第四次来电"),
        ("我跑了三趟营业厅还没办好", "repeat_unresolved", "跑了三趟"),
        ("投诉了三次都没有下文", "repeat_unresolved", "没有下文"),
        ("同样的话重复了五遍，还是没人处理", "repeat_unresolved", "重复了五遍"),
        ("修了两回还是坏的，我真的受够了", "repeat_unresolved", "修了两回"),
        # personal data misused, not merely a nuisance call
        ("你们怎么知道我的手机号的？", "privacy", "怎么知道我的手机号"),
        ("我的电话号码被卖给了推销公司", "privacy", "被卖"),
        ("自从在你们这办了卡之后骚扰电话不断", "privacy", "骚扰电话"),
        ("账号被别人登录了，里面的钱没了", "privacy", "账号被别人登"),
        # hazards, and a mistaken belief that turned into harm
        ("热水器一直有一股很浓的煤气味", "safety", "煤气味"),
        ("以为没事，结果吃完就拉肚子", "safety", "拉肚子"),
    ],
)
def test_the_many_phrasings_of_each_reason_escalate(engine, text, reason, evidence):
    found = {r.id: r.evidence for r in escalation(engine, text).reasons}
    assert reason in found, found
    assert any(evidence in ev for ev in found[reason])


def test_a_post_on_a_complaint_platform_is_a_media_threat_not_a_legal_one(engine):
    # TAXONOMY lists 黑猫投诉 under media_threat: a public post, not a regulator, so no legal action is proposed
    reasons = [r.id for r in escalation(engine, "再不退款我就去黑猫投诉发帖").reasons]
    assert "media_threat" in reasons
    assert "legal_threat" not in reasons


@pytest.mark.parametrize(
    "text",
    [
        "@小米科技客服 这个功能怎么关掉？",  # a brand's own account is no media outlet
        "酒店晚上骚扰电话不断，房间也很吵",  # a nuisance call is no leak of personal data
        "第二次来这家店买了，这次的不太新鲜",  # a second purchase is no repeated contact
        "找了两个客服问尺码，回答不一样",  # asking agents is not several contacts in anger
        "问了三个客服，答案都不一样，到底哪个对？",
        "问了几个客服尺码怎么选",
        "换了两遍滤芯还是有异味",  # a part replaced twice is no repeated repair
        "应用多次显示更新失败，怎么回事",  # a repeated error is no repeated contact
        "送餐太慢了，差几分钟就到超时赔付了",  # a platform's own late-delivery rule is no demand
        "这种设计很容易泄露隐私吧",  # a worry, not a leak
        "本想去315投诉，后来想想算了",  # a plan given up
        "收到好多垃圾短信，这种号码可以举报吗",  # asking where to report spam
        "这个牌子的问题以前已经被曝光过了，还是买了",  # past news, not a threat to expose
        "我不会去12315的，就想换个新的",
        "订单号123456789，麻烦查一下物流",  # digits that contain 12345 are no hotline
        "订单号12345，快递还没到",  # nor is an order number that happens to be 12345
        "单号 20261130-12345 一直没更新",
        "默认密码是12345吗？登录不上",
        "买的是220V的，发了个110V的",  # a voltage is no police call
    ],
)
def test_phrases_that_only_look_like_a_reason_do_not_escalate(engine, text):
    e = escalation(engine, text)
    assert not e.escalate, [r.to_dict() for r in e.reasons]


@pytest.mark.parametrize(
    "text",
    ["我要投诉你们", "你们客服态度太差了，我要投诉", "客服不回消息，我要投诉你们店", "投诉！", "我会投诉的"],
)
def test_complaining_of_a_complaint_alone_is_answered_online(engine, text):
    # TAXONOMY: '"投诉" alone ("我要投诉你们") is not legal_threat'; the model weighed 投诉 as a threat in short texts
    # (of 42 train.jsonl complaints with 投诉 and no rule hit, 8 are escalated). Where no rule fires, the model now
    # escalates only if the complaint would still be escalated with the saying-one-will-complain left out.
    s = engine.suggest(text)
    assert not s.escalation.escalate, s.escalation.reasons
    assert not s.drafts[0].template_id.startswith("offline.")


@pytest.mark.parametrize("text", ["我要投诉你们", "投诉！", "我会投诉的", "我要投诉你们！！！"])
def test_a_complaint_that_only_says_it_complains_names_no_cause(engine, text):
    """TAXONOMY: dissatisfaction with no identifiable cause is `other`; 「我要投诉你们」 was service_attitude (0.67) and
    drafted as a rude agent's fault. The draft asks what went wrong instead."""
    s = engine.suggest(text)
    assert s.intents[0].id == "other", [(m.id, round(m.score, 2)) for m in s.intents]
    assert s.drafts[0].template_id.startswith("other.")


def test_a_complaint_about_support_that_also_says_it_complains_keeps_its_cause(engine):
    assert engine.suggest("你们客服态度太差了，我要投诉").intents[0].id == "service_attitude"
    assert engine.suggest("客服不回消息，我要投诉你们店").intents[0].id == "service_attitude"


@pytest.mark.parametrize(
    "text,reason",
    [
        ("我要投诉到12315", "legal_threat"),
        ("投诉了三次都没有下文", "repeat_unresolved"),
        ("再不退款我就去媒体曝光，投诉你们", "media_threat"),
        ("再不处理我就投诉你们，还要发微博曝光", "media_threat"),
        ("我要投诉你们，已经打了12315", "legal_threat"),
    ],
)
def test_a_complaint_to_someone_who_acts_still_escalates(engine, text, reason):
    assert reason in [r.id for r in engine.suggest(text).escalation.reasons]


@pytest.mark.parametrize("text", ["我要投诉你们", "你们", "我要", "差评", "？？？", "你们看着办", "不说了", "呵呵"])
def test_an_escalation_always_shows_the_words_behind_it(engine, text):
    for reason in engine.suggest(text).escalation.reasons:
        assert reason.evidence, (text, reason.id)


@pytest.mark.parametrize(
    "text,reason",
    [
        ("买的猫粮过期两个月了", "repeat_unresolved"),  # two months past a date: no contact, no case left open
        ("健身卡办了以后天天被推销", "privacy"),  # a sales pitch in a shop: no personal data, no channel it reached
        ("假货！假货！假货！重要的事情说三遍，闻着就是香精兑的", "legal_threat"),  # anger, no body that acts
        # one request a few days old: no contact with us, no history of asking (TAXONOMY: several contacts or a long
        # unresolved history); the offline draft told them 「还得再来这里说」
        ("前天申请了退款，钱还没退回来", "repeat_unresolved"),
        ("退款申请三天了还没到账", "repeat_unresolved"),
        ("话费充值了一次却扣了两次钱，到现在也没退回来", "repeat_unresolved"),
    ],
)
def test_the_model_alone_names_a_reason_only_where_the_text_speaks_of_it(engine, text, reason):
    """The escalation model read a bare duration as a repeated failure, so the first draft told the customer
    「到现在还没给您解决」 about a problem they had never raised; a reason's ``grounds`` now have to be in the text."""
    assert not rule_hits(normalize(text, engine.segmenter), engine.rules)
    s = engine.suggest(text)
    assert reason not in [r.id for r in s.escalation.reasons], s.escalation.to_dict()
    assert "还没给您解决" not in s.drafts[0].text


@pytest.mark.parametrize(
    "text,reason",
    [
        ("猫粮过期两个月了，客服一直不理", "repeat_unresolved"),
        ("找客服两个月了，猫粮的事还是没人管", "repeat_unresolved"),
        ("申请退款半个月了，客服一直说在处理，到底还退不退", "repeat_unresolved"),
    ],
)
def test_with_what_the_reason_is_about_in_the_text_the_model_alone_still_escalates(engine, text, reason):
    assert not rule_hits(normalize(text, engine.segmenter), engine.rules)
    assert [r.id for r in engine.suggest(text).escalation.reasons] == [reason]


def test_a_post_that_tags_the_operators_accounts_is_no_media_threat(engine):
    """Tagging the company's own accounts is how a Weibo complaint is addressed, not a threat to go public; the model
    alone read it as one. Cross-validated on train.jsonl it named legal, media or privacy 21 times with no rule
    behind it and was never right, so those reasons now need a pattern (``model_alone: false``)."""
    text = "@中国电信 @中国电信客服 断网一整天了"
    assert not rule_hits(normalize(text, engine.segmenter), engine.rules)
    assert not engine.suggest(text).escalation.escalate
    assert [r.reason for r in engine.rules.values() if not r.model_alone] == ["legal_threat", "media_threat", "privacy"]


@pytest.mark.parametrize(
    "text,reason",
    [
        ("办了会员以后天天有人打电话推销", "privacy"),  # the number they gave, used to call them
        ("骗子冒充你们客服，我被骗了五千", "privacy"),
        ("我会走法律程序，你们等着", "legal_threat"),
        ("我要把聊天记录全部截图发出来", "media_threat"),
        ("已经发朋友圈了，让亲戚朋友都别买", "media_threat"),
        ("投诉无门，我会把这件事全网公开", "media_threat"),
    ],
)
def test_threats_and_leaks_the_model_alone_used_to_catch_have_patterns(engine, text, reason):
    assert reason in rule_hits(normalize(text, engine.segmenter), engine.rules)


@pytest.mark.parametrize("text", ["商家说准备发出去了", "客服让我发视频证明一下", "快递员给我打电话说放门口"])
def test_everyday_words_of_posting_and_calling_are_no_threat_or_leak(engine, text):
    assert not rule_hits(normalize(text, engine.segmenter), engine.rules)


@pytest.mark.parametrize(
    "text",
    [
        "给孩子买的110码，寄来130码的，颜色还完全不一样",  # a size, not the police
        "说明写M码适合110-125斤，我115斤穿着像套了个麻袋",
        "外卖少了一个菜，打电话给商家才补送过来",  # a call to the shop, not a number handed to it
        "@某某游戏客服 服务器又炸了，登录排队排了一个小时",  # a server down, not an explosion
    ],
)
def test_sizes_calls_to_the_shop_and_a_crashed_server_are_answered_online(engine, text):
    """Each of these was taken offline as a police call, a data leak or an explosion: the agent was told to phone
    the customer about a size chart."""
    assert not engine.suggest(text).escalation.escalate


@pytest.mark.parametrize(
    "text,reason",
    [
        ("我已经打了110", "legal_threat"),
        ("把我的电话给商家了，天天被骚扰", "privacy"),
        ("手机充电的时候炸了", "safety"),
        # the library's own injuries that only the model had caught
        ("空气炸锅用着冒黑烟", "safety"),
        ("热水器出水忽冷忽热，把孩子烫着了", "safety"),
        ("孩子用了湿巾，屁屁红了一片", "safety"),
        ("宝宝吃了这个牌子的米粉，嘴边和脸上起了好多小红点", "safety"),
        ("孩子喝了奶粉就吐了", "safety"),
    ],
)
def test_the_police_a_leaked_number_and_a_harm_named_have_patterns(engine, text, reason):
    assert reason in rule_hits(normalize(text, engine.segmenter), engine.rules)


def test_model_alone_must_be_true_or_false(tmp_path):
    good = Path("replies/escalation.yaml").read_text(encoding="utf-8")
    path = tmp_path / "escalation.yaml"
    path.write_text(good.replace("  model_alone: false", "  model_alone: nein", 1), encoding="utf-8")
    with pytest.raises(LibraryError, match="must be true or false"):
        load_rules(path)


def test_a_reasons_grounds_must_be_a_list_of_valid_expressions(tmp_path):
    good = Path("replies/escalation.yaml").read_text(encoding="utf-8")
    for bad, message in (("  grounds: 客服\n", "must be a list"), ("  grounds:\n    - '(客服'\n", "bad regular expression")):
        path = tmp_path / "escalation.yaml"
        path.write_text(good.rstrip("\n") + "\n" + bad, encoding="utf-8")  # under the last reason, which has none
        with pytest.raises(LibraryError, match=message):
            load_rules(path)


def test_every_safety_example_phrasing_in_the_library_is_taken_offline(engine):
    """The library's own safety complaints (a shock, a scald, a cut, a rash) are what a shop's customers write; 50 of
    its 145 were answered online: no safety pattern knew 「外壳带电」, 「烫红了」, 「夹到手」, and train.jsonl, the model's
    data, has almost none of them."""
    missed = [
        example
        for t in engine.library.templates
        if t.group == "safety_hazard"
        for example in t.examples
        if "safety" not in [r.id for r in engine.suggest(example).escalation.reasons]
    ]
    assert not missed, missed


@pytest.mark.parametrize(
    "text",
    [
        "宽带电视又断了",
        "笔记本没带电源适配器",
        "快递把衣服划了个口子",
        "手机摔了一下屏幕就碎了",
        "手机屏幕爆了",
        "这个麻辣烫太麻了",
    ],
)
def test_words_of_harm_about_things_are_not_a_safety_case(engine, text):
    assert "safety" not in [r.id for r in engine.suggest(text).escalation.reasons]


def test_every_offline_invitations_example_is_escalated_for_its_reason(engine):
    """Each offline-invitation template's examples are complaints it is written for (「骗子连我买了什么型号都知道」,
    「转了三个部门，最后告诉我不归他们管」); four were answered online."""
    missed = [
        (t.id, example)
        for t in engine.library.templates
        if t.kind == "offline"
        for example in t.examples
        if t.group not in [r.id for r in engine.suggest(example).escalation.reasons]
    ]
    assert not missed, missed


@pytest.mark.parametrize(
    "text",
    [
        "前后打了好几个客服，没一个能解决",  # contacts counted by the people reached
        "刚修好一个星期，又坏了",  # the fault back after a repair
        "退了换一个新的，结果又是坏的",  # and after an exchange
        "这个月出现了三次故障",  # faults counted
        "投诉了，也没有任何回复",  # a complaint unanswered, with a comma between
    ],
)
def test_repeated_contacts_and_failures_in_more_phrasings_are_found(engine, text):
    assert "repeat_unresolved" in rule_hits(normalize(text, engine.segmenter), engine.rules)


@pytest.mark.parametrize(
    "text",
    [
        "刚买的爬行垫一股刺鼻的味道，宝宝趴了一会儿就老咳嗽",
        "床垫甲醛味太大了，睡了一晚上起来头晕胸闷",
        "新窗帘一股化学味，挂上以后头有点晕",
    ],
)
def test_fumes_that_make_someone_ill_are_a_safety_matter(engine, text):
    s = engine.suggest(text)
    assert s.escalation.escalate and s.escalation.reasons[0].id == "safety", s.escalation
    assert s.drafts[0].template_id.startswith("offline.safety."), s.drafts[0].template_id
    assert "通风" in s.drafts[0].text


@pytest.mark.parametrize(
    "text",
    [
        "新买的拖鞋有股橡胶味",
        "塑料收纳箱味道很大，放阳台散散再用",
        "担心这个味道孩子闻了会咳嗽",
        "止咳糖浆味道太甜了，咳嗽一点没好",  # 味 is a taste here, and the cough is what it was bought for
    ],
)
def test_an_ordinary_smell_is_not_escalated(engine, text):
    assert not engine.suggest(text).escalation.escalate
