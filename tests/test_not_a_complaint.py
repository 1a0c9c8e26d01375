"""Praise and plain questions are not complaints: no intent claims them and nobody apologises.

The texts are our own, written for this test (none comes from the labelled sets).
"""

import re

import pytest

PRAISE = [
    "好评！东西很好，物流也快",
    "质量不错，包装很好，谢谢客服",
    "第三次回购了，一直很满意",
    "宝贝收到了，很喜欢，五星好评",
    "快递小哥很辛苦，送货上门，点赞",
    "比超市便宜，日期也新鲜，会回购的",
    "孩子很喜欢这个玩具，做工不错",
    "安装师傅很专业也很耐心，给个好评",
    "衣服很好看，尺码合适，推荐",
    "用了半个月没有任何问题，很好用",
    "客服耐心解答，给力",
    "谢谢卖家送的小礼物，很贴心",
    "有了这个再也不用担心停电了，好评",  # "再也不" is sarcasm only before 买/来/信 ("再也不想买了")
    "发货超快，隔天就到了，包装也很用心",  # was 「看到您这么失望」
    "谢谢客服帮忙，问题已经解决啦",  # was taken offline as a repeated failure: 「到现在还没给您解决」
    "卖家还发来一个小礼物，很贴心",  # something sent is no wrong item sent (「L码发来一个S」)
    "XL码发来很合身，好评",
    "明明可以靠颜值，偏偏靠实力，好评",  # 明明 is a claim broken only before what was written, said or ordered
    "卷发棒好用，推荐",  # 棒 in the thing's name is no praise; 好用 and 推荐 are
    "外卖送得很快，可乐也是冰的，好评",  # 可 turns a clause, 可乐 does not
]
QUESTIONS = [
    "请问什么时候发货？",
    "这个能开发票吗",
    "请问有没有大一码的",
    "保修期是多久？",
    "可以指定顺丰吗",
    "请问这款支持七天无理由退货吗？",
    "想问一下这个适合几岁的孩子",
    "这个和上一代有什么区别？",
    "能送到乡镇吗",
    "请问现在下单什么时候能到北京",
    "充电器是原装的吗？",
    "咨询一下，能不能货到付款",
    "请问这款洗衣机有没有烘干功能？尺寸是多少？",  # "多少" is no grievance ("少")
    "这叫什么材质？摸起来挺软的",  # 这叫 is sarcasm only before no question word ("这叫实木？")
    "帽子戴起来会歪吗？",
    "请问只发顺丰吗",
    "请问这款空气炸锅能烤蛋糕吗？",  # 炸 in a product's name is no explosion: it was answered 「用着不顺手，确实让人着急」
    "油烟机能自己装吗",
    # how-to and pre-sale questions, a problem word only supposed (kind13): all but the first two were complaints
    "这个怎么安装？",
    "L码适合多高的人？",
    "会不会褪色",
    "洗了会缩水吗？",
    "这款毛衣会不会起球",
    "用久了容易坏吗",
    "这个掉不掉色？",
    "漏不漏水啊，想买来装汤",
    "这个烤箱外壳会不会烫手",
    "物流慢不慢？",
    "多久能发货呀",  # a question word that is set aside as no grievance ("多久") still asks
    "有没有现货",
    "有没有少一点的规格",
    "这个质量好吗？",
    "周六上午送货好吗",
    "冬天穿会冷吗",
    "请问发来的是新款吗",
    "这个会掉毛吗",
    "用起来响不响",
    "好几个朋友都买了，请问有优惠吗",  # 好几个 counts, it does not ask; 请问 does
]
APOLOGY = re.compile(r"抱歉|对不起|歉意|不好意思|添麻烦|是我们的问题|没做好")


@pytest.mark.parametrize("text", PRAISE + QUESTIONS)
def test_no_intent_claims_praise_or_a_question(engine, text):
    s = engine.suggest(text)
    assert s.kind in ("praise", "question")
    assert max(m.score for m in s.intents) <= 0.5, [(m.id, m.score) for m in s.intents]


@pytest.mark.parametrize("text", PRAISE + QUESTIONS)
def test_praise_and_questions_get_no_apology(engine, text):
    s = engine.suggest(text)
    assert s.drafts, "an answer is still drafted"
    for d in s.drafts:
        assert not APOLOGY.search(d.text), d.text
        assert "这个问题" not in d.text or s.kind == "question", d.text


def test_praise_is_thanked_in_the_customers_own_words(engine):
    s = engine.suggest("好评！东西很好，物流也快")
    assert s.kind == "praise"
    assert [d.template_id for d in s.drafts] == ["other.praise"]
    assert "谢谢" in s.drafts[0].text and "“东西很好”" in s.drafts[0].text  # what they praised, not the bare "好评"
    assert "“五星好评”" in engine.suggest("五星好评！").drafts[0].text  # when the rating is all they wrote


@pytest.mark.parametrize(
    "text",
    [
        "东西很好，可惜屏幕有划痕",
        "物流很快，但是少发了一个配件",
        "请问为什么还没发货？都一个星期了",
        "客服态度不错，就是质量太差",
        "这个怎么还不退款？",
        "收到的牛奶已经胀袋了，打开一股酸味，这能喝吗",
        "空气炸锅用了三天就坏了，这正常吗？",  # the product's name no longer counts as a problem; the fault still does
        # read as praise and thanked 「谢谢您专门回来写这几句」 (session 16): a praise word inside a thing's name, a fake,
        # support's stock phrase quoted back, praise turned by 可, a thing that does not work or is past words
        "卷发棒用了两次就不热了",
        "送去专柜鉴定，说是非正品",
        "客服只会让我耐心等待",
        "面料挺舒服的，可我买的是黑色，寄来一件白色",
        "宝贝图片好看，实物一言难尽",
        # read as plain questions and answered 「您问的问题，我去确认准确答案」: what should have come, scorn, a thing
        # that does not fit, a fee asked in disbelief
        "外卖汤洒了一袋子，让我怎么吃",
        "退款呢？都一个星期了",
        "客服是摆设吗",
        "你们仓库发货都不检查的吗",
        "爱买不买，这是客服该说的话？",
        "鞋子穿不进去，尺码表是乱写的吗",
        "安装师傅说还要另付材料费？",
    ],
)
def test_a_complaint_with_praise_or_a_question_mark_is_still_a_complaint(engine, text):
    s = engine.suggest(text)
    assert s.kind == "complaint"
    assert s.intents[0].id != "other"
    assert s.drafts[0].template_id not in ("other.praise", "other.question")


def test_the_json_contract_says_what_kind_of_text_it_was(engine):
    assert engine.suggest("请问什么时候发货？").to_dict()["kind"] == "question"
    assert engine.suggest("快递一个星期还没到").to_dict()["kind"] == "complaint"


def test_a_text_to_take_offline_is_a_complaint_whatever_it_asks(engine):
    """A press threat ending in a question mark was once answered as 普通咨询 under the red banner."""
    s = engine.suggest("我要把这件事发到微博和小红书上曝光，你们等着吧？")
    assert s.escalation.escalate and s.kind == "complaint"
    assert s.drafts[0].template_id.startswith("offline.")
    assert "安全隐患" not in s.drafts[0].text  # the offline invitation names no guessed problem


@pytest.mark.parametrize(
    "text",
    [
        "说好的买一送一，只收到一个，赠品呢？",  # was answered 「您问的问题，我去跟仓库和产品同事确认准确答案」
        "图片上是实木的，收到发现是压缩板贴皮，这叫实木？",
        "按尺码表买的L，穿上跟XS一样紧，尺码表是瞎写的吗",
        "鞋子鞋标歪的，扫防伪码显示已被查询过28次，说是正品谁信",  # was thanked 「这是对他们最实在的鼓励」
        "好评，好到我再也不想买了",
        "这锅质量真好，好到煮一次就能扔了",  # was thanked 「您提到的“这锅质量真好”」
        "官网查不到这个型号，你敢说是正品？",  # was 「您问的问题，我去跟仓库和产品同事确认准确答案」
        "说是满赠礼盒，到手一个塑料袋，这也叫礼盒？",
        "就这？",
        "包装一点都不用心，盒子都是瘪的",
        # kind13: what came is not what was ordered, disbelief (doubled question marks over a statement), a statement
        # that mocks its own question (…好吗, …好不好), impatience asked as a choice, praise pushed until it turns
        "L码发来一个S？？？",  # was answered 「您问的问题，我去跟仓库和产品同事确认准确答案」
        "我买的是L码发来一个S，我一米七八的个子穿S？？？你们仓库闭着眼睛发货的吧",
        "要的是黑色，寄来的是白色？？",
        "拍的大号给我发成小号了？",
        "42码的鞋发了个40，怎么穿",
        "一米八的人穿S码？？？",
        "这也能叫新鲜？？",
        "发错了吧？？",
        "主播还在播好吗",  # was answered 「您问的“主播还在播好吗”这个问题」
        "直播间说下单送同款小样，东西到了小样呢？客服说活动结束了，我下单的时候主播还在播好吗",
        "我是按尺码表买的好吗",
        "下单的时候明明写着包邮好吗",
        "人家早就降价了好不好",
        "订的是两盒，怎么只到了一盒？",
        "付款三天了还不发货，是不打算卖了吗",
        "你们还发不发货了",
        "好评，好到再也不买了",
        "真是太满意了，满意到想退货",  # was thanked
        "客服态度真好，好到三天不回消息",
        "五星好评，物流快到半个月才到",
    ],
)
def test_rhetorical_questions_and_sarcasm_are_complaints(engine, text):
    s = engine.suggest(text)
    assert s.kind == "complaint"
    assert s.drafts[0].template_id not in ("other.praise", "other.question")


def test_thanks_for_a_problem_solved_is_praise(engine):
    s = engine.suggest("客服小王特别耐心，帮我解决了安装问题，点赞")
    assert s.kind == "praise"
    assert [d.template_id for d in s.drafts] == ["other.praise"]
    assert not APOLOGY.search(s.drafts[0].text) and "失望" not in s.drafts[0].text


def test_a_bare_sneer_is_not_quoted_as_the_problem(engine):
    """「您遇到的“就这”这个问题」 read as mockery."""
    assert all("“就这”" not in d.text for d in engine.suggest("就这？").drafts)


# Praise with a small reservation (kind13). A support agent thanks a customer who says they are satisfied overall and
# mentions a small matter of taste or convenience; it needs an overall verdict ("整体满意", "还会回购"), every reservation
# hedged ("有点", "稍微", "略"), and no fault, loss, hazard or question. Anything else stays a complaint.
PRAISE_WITH_A_RESERVATION = [
    "车充收到了，充电很快，就是线有点短，整体满意",  # was 「看到您这么失望」
    "衣服很好看，就是有点薄，整体满意",
    "物流有点慢，但东西很好，总体满意",
    "价格有点贵，不过质量很好，还会回购",
    "整体还行，就是有点贵",
    "味道不错，包装稍微简陋了一点，总体还是满意的",
    "有点小瑕疵，不影响使用，整体满意",
]


@pytest.mark.parametrize("text", PRAISE_WITH_A_RESERVATION)
def test_praise_with_a_small_reservation_is_thanked(engine, text):
    s = engine.suggest(text)
    assert s.kind == "praise", s.kind
    assert not s.escalation.escalate
    assert [d.template_id for d in s.drafts] == ["other.praise"]
    assert not APOLOGY.search(s.drafts[0].text) and "失望" not in s.drafts[0].text


def test_the_thanks_quotes_what_was_praised_not_the_reservation(engine):
    text = engine.suggest("车充收到了，充电很快，就是线有点短，整体满意").drafts[0].text
    assert "“充电很快”" in text and "线有点短" not in text, text


@pytest.mark.parametrize(
    "text",
    [
        "整体还行，就是少发了一个配件",  # a loss, however calmly said
        "整体满意，就是有点漏水",  # a fault, hedged or not
        "总体不错，就是用了两天就坏了",
        "整体满意，但是屏幕有一道划痕",
        "衣服很好看，就是有点小",  # no overall verdict: the reservation may be the point
        "整体一般，有点贵",  # the verdict itself is lukewarm
        "五星好评，就是发货稍慢了点",  # a rating is no overall verdict (sarcasm starts from one too: 「好评，好到…」)
        "整体满意，就是线有点短，能补发一根长的吗",  # it asks for something to be done
    ],
)
def test_a_reservation_that_is_not_small_stays_a_complaint(engine, text):
    s = engine.suggest(text)
    assert s.kind == "complaint"
    assert s.drafts[0].template_id not in ("other.praise", "other.question")


def test_labelled_complaints_are_not_read_as_praise_or_questions(engine, dev_records):
    """A guard over the kind rules: of dev.jsonl's complaints with a cause (not ``other``), as few as at kind13 are read
    as praise or a plain question (4 of 260, all questions). Only counts are shown."""
    misread = [r.get("id") for r in dev_records if r["intent"] != "other" and engine.suggest(r["text"]).kind != "complaint"]
    assert len(misread) <= 4, f"{len(misread)} complaints with a cause read as praise or a question: {misread}"
