import re
from datetime import datetime

import pytest

from assistant.engine.core import History
from assistant.engine.draft import _ranked
from assistant.engine.fields import deadline_for
from assistant.engine.sincerity import check_sincerity

RAW = re.compile(r"\{\{|\}\}|\{%")


@pytest.mark.parametrize(
    "text",
    ["快递一个星期还没到", "太差了", "收到的杯子碎了", "订单号 8823991234 的衣服发错颜色了", "The blender broke."],
)
def test_no_raw_placeholder_reaches_a_draft(engine, text):
    for d in engine.suggest(text).drafts:
        assert not RAW.search(d.text)
        assert d.private is None or not RAW.search(d.private)


def test_fields_from_the_complaint_and_the_form_fill_the_draft(engine):
    s = engine.suggest("订单号 8823991234 的吹风机用了三天就坏了", customer="王女士", agent="小林")
    text = s.drafts[0].text
    assert "王女士" in text and "小林" in text  # the form's customer and agent
    assert "吹风机" in text  # the product, from the complaint
    # The order number, from the complaint (a draft about another problem, which once carried it here, is no longer offered).
    assert any("8823991234" in d.text for d in engine.suggest("订单号 8823991234 买了三件只收到两件，少发了一件").drafts)


def test_escalated_complaint_gets_an_offline_invitation_first(engine):
    s = engine.suggest("用了你们的面膜脸过敏了，已经去医院，我要投诉到12315")
    assert s.escalation.escalate
    assert s.drafts[0].intent == "offline"
    assert s.drafts[0].template_id.startswith("offline.safety.")
    assert s.drafts[0].private


def test_text_already_sent_is_not_offered_again(engine):
    first = engine.suggest("快递一个星期还没到")
    again = engine.suggest("快递一个星期还没到", history=History(recent=(first.drafts[0].text,)))
    assert again.drafts[0].text != first.drafts[0].text
    assert again.drafts[0].note


def test_deadline_is_one_the_agent_can_still_keep(engine):
    """{{ deadline }} is for the agent's own steps (calling back, checking): a time they can still keep today. A resend,
    a refund or a visit takes the time policy.yaml gives it, never the agent's (REVIEW10 #2)."""
    assert deadline_for(datetime(2026, 11, 23, 9, 0)) == "今天18:00前"
    assert deadline_for(datetime(2026, 11, 23, 21, 0)) == "明天12:00前"
    policy = engine.library.policy.values()
    morning = datetime(2026, 11, 23, 9, 0)
    resend = engine.suggest("收到的杯子碎了两个", now=morning).drafts
    assert any(f"{policy['resend_deadline']}为这笔订单补发" in d.text for d in resend), [d.text for d in resend]
    refund = engine.suggest("同一笔订单被扣了两次钱", now=morning).drafts
    assert any(f"{policy['refund_deadline']}原路退回" in d.text for d in refund), [d.text for d in refund]
    for d in resend + refund:
        assert not re.search(r"今天18:00前[^，。；]{0,10}(补发|退回|到账)", d.text), d.text


def test_shipped_drafts_are_sincere(engine):
    s = engine.suggest("买的电热水壶用了两周就不加热了，客服一直不回")
    assert all(d.sincerity.score >= 80 for d in s.drafts), [d.sincerity for d in s.drafts]


def _matcher_order(engine, text):
    match = engine.suggest(text).intents[0]
    ordered, _ = _ranked(engine.library, match, {})
    return [t.id for t in ordered]


TWO_FIT = "快递盒子压扁了，里面的杯子碎了"  # two damaged_delivery situations fit: crushed box, broken glass


def test_measured_conversion_reorders_templates_and_says_so(engine):
    best, runner_up = _matcher_order(engine, TWO_FIT)[:2]
    assert {best, runner_up} <= set(engine.suggest(TWO_FIT).intents[0].templates)
    ranked = engine.suggest(TWO_FIT, history=History(conversion={best: (4, 60), runner_up: (45, 60)}))
    assert ranked.drafts[0].template_id == runner_up
    assert "转化率" in ranked.drafts[0].note


def test_little_data_moves_the_order_little(engine):
    best, runner_up = _matcher_order(engine, TWO_FIT)[:2]
    s = engine.suggest(TWO_FIT, history=History(conversion={best: (0, 2), runner_up: (2, 2)}))
    assert s.drafts[0].template_id == best and s.drafts[0].note is None


def test_redacted_earlier_text_still_counts_as_sent(engine):
    first = engine.suggest("订单 88239912345 快递一个星期还没到").drafts[0]
    redacted = first.text.replace("88239912345", "[订单号]")
    again = engine.suggest("订单 88239912345 快递一个星期还没到", history=History(recent=(redacted,)))
    assert again.drafts[0].template_id != first.template_id


def test_the_product_field_fills_every_draft_that_names_the_problem(engine):
    """Issue 12: the 商品 field was never used by templates without {{ product }}; the problem phrase carries it."""
    s = engine.suggest("快递一个星期还没到，物流一直不动", product="空气炸锅")
    assert s.drafts and all("空气炸锅" in d.text for d in s.drafts)
    assert "空气炸锅“快递一个星期还没到" in s.drafts[0].text or "空气炸锅的" in s.drafts[0].text


def test_a_product_named_in_the_complaint_fills_the_draft_without_repeating_itself(engine):
    s = engine.suggest("买的电热水壶用了两周就不加热了")
    assert "电热水壶" in s.drafts[0].text
    assert "电热水壶“买的电热水壶" not in s.drafts[0].text  # the quote already names it


def test_a_further_draft_about_a_problem_the_complaint_does_not_raise_is_not_offered(engine):
    """Issue 12: a kettle that stopped heating once got a safety draft, a hair dryer an expired-food one."""
    assert {d.intent for d in engine.suggest("订单号 8823991234 的吹风机用了三天就坏了").drafts} == {"quality_defect"}
    assert "expired_spoiled" not in [d.intent for d in engine.suggest("太失望了", product="空气炸锅").drafts]


# A situation template opens by saying what happened ("包裹丢了", "师傅却让家里留下一地狼藉"). Drafted for a complaint
# that says nothing of the kind, it puts words in the customer's mouth; the intent's general template answers instead.
@pytest.mark.parametrize(
    ("text", "invented"),
    [
        ("快递晚到了5天，耽误了我送礼，必须赔偿我200块", ["包裹丢了", "摔坏", "鉴定"]),
        ("约好今天上午装空调，师傅到现在都没来", ["一地狼藉"]),
        ("如果不给我换货，我就给差评", ["等了这么久还没收到新的"]),
        ("孩子玩这个玩具被划伤了手", ["进了医院"]),
        # Review drafts10: situation openers that asserted what only some complaints of the situation say.
        ("包裹被退回了，我也没拒收，谁让退的", ["按流程把东西寄回来"]),
        ("快递员态度很凶，把东西扔在楼下就走了", ["备注了送货上门", "大件"]),
        ("物流太慢了，到手还是压扁的", ["好几天不动"]),
        ("饼干上的生产日期被刮掉了，什么意思", ["发出过期的东西"]),
        ("新买的手机壳到手裂了条缝", ["易碎品", "碎玻璃"]),
    ],
)
def test_a_draft_never_describes_a_situation_the_complaint_does_not(engine, text, invented):
    s = engine.suggest(text)
    for d in s.drafts:
        for words in invented:
            assert words not in d.text and words not in (d.private or ""), (d.template_id, words)


def test_with_no_situation_template_fitting_the_general_one_answers(engine):
    s = engine.suggest("快递慢了5天")  # 「晚到了5天」 has come: logistics_delay.arrived_late fits it (session 15)
    assert s.intents[0].id == "logistics_delay" and not s.intents[0].templates
    assert engine.library.general_of("intent", "logistics_delay").id == s.drafts[0].template_id


def test_a_fitting_situation_template_still_comes_first_and_the_general_one_second(engine):
    s = engine.suggest("电热水壶用了两周就不加热了")
    assert [d.template_id for d in s.drafts][:2] == ["quality_defect.failed_after_weeks", "quality_defect.general"]


def test_every_intent_and_reason_has_a_general_template(engine):
    from assistant.taxonomy import INTENTS, REASONS

    assert all(engine.library.general_of("intent", i) for i in INTENTS)
    assert all(engine.library.general_of("offline", r) for r in REASONS)


def test_a_clause_saying_what_the_problem_is_not_is_never_quoted_as_the_problem(engine):
    s = engine.suggest("不是质量问题，就是颜色跟图片不太一样")
    assert s.drafts and not any("不是质量问题" in d.text for d in s.drafts)


def test_a_guessed_intent_is_not_drafted_as_if_sure_the_first_draft_asks(engine):
    from assistant.engine.draft import UNSURE, draft_replies
    from assistant.engine.escalate import Escalation
    from assistant.engine.library import PLACEHOLDERS
    from assistant.engine.match import IntentMatch
    from assistant.engine.normalize import normalize

    normalized = normalize("东西还行，就是有点一般", engine.segmenter)
    calm = Escalation(False, (), "", 0)
    guess = [IntentMatch("installation_repair", UNSURE - 0.1, ()), IntentMatch("other", 0.2, ())]
    drafts = draft_replies(guess, calm, engine.library, dict(PLACEHOLDERS), normalized=normalized)
    assert drafts[0].template_id == engine.library.general_of("intent", "other").id
    assert not any(d.intent == "installation_repair" for d in drafts)  # no phrase of its own in the complaint
    sure = [IntentMatch("installation_repair", 0.9, ()), IntentMatch("other", 0.05, ())]
    assert draft_replies(sure, calm, engine.library, dict(PLACEHOLDERS), normalized=normalized)[0].intent == "installation_repair"


def test_when_every_fitting_template_was_sent_already_the_first_is_offered_to_be_reworded(engine):
    text = "快递晚到了5天"
    first = engine.suggest(text).drafts
    again = engine.suggest(text, history=History(recent=tuple(d.text for d in first)))
    assert again.drafts[0].template_id == first[0].template_id
    assert "请改写后再发" in again.drafts[0].note


def test_a_bare_greeting_is_not_quoted_as_a_question(engine):
    s = engine.suggest("在吗")
    assert s.kind == "question" and "您问的，" not in s.drafts[0].text and "“在吗”" not in s.drafts[0].text


@pytest.mark.parametrize(
    ("complaint", "situation"),
    [("快递没到", "包裹丢了"), ("东西还没发货", "包裹丢了"), ("快递慢", "包裹丢了")],
)
def test_a_complaint_that_says_less_than_a_situation_gets_the_general_reply(engine, complaint, situation):
    """「快递没到」 was answered 「包裹丢了或者被莫名退回」: every example with 「快递」 in it scored full marks against
    a complaint whose only content word is 「快递」, and their marks added up."""
    drafts = engine.suggest(complaint).drafts
    assert drafts and not any(situation in d.text for d in drafts), [d.text for d in drafts]


def test_a_lost_parcel_is_still_answered_as_lost(engine):
    assert engine.suggest("快递丢了，商家也不管").drafts[0].template_id == "logistics_delay.lost_or_returned"


# Drafts audit 9: what a demanding support lead found in first drafts (complaints written for these tests).


@pytest.mark.parametrize(
    ("text", "feeling"),
    [("呵呵，再也不会来了", "呵呵"), ("一般般吧，没有想象中好", "一般般吧"), ("太失望了，不推荐", "太失望了")],
)
def test_a_feeling_is_never_quoted_as_the_problem(engine, text, feeling):
    """「您说的“呵呵”这个问题」 read as mockery; the draft asks what went wrong instead."""
    drafts = engine.suggest(text).drafts
    assert drafts
    for d in drafts:
        assert f"“{feeling}”" not in d.text, d.text


def test_a_count_of_contacts_is_not_quoted_as_the_problem(engine):
    s = engine.suggest("联系了客服三次，每次都说帮我记录，然后就没有然后了")
    assert s.drafts
    for d in s.drafts:
        assert "“联系了客服三次”" not in d.text, d.text  # was 「为了“联系了客服三次”这个问题」
    quotes = [d.text for d in engine.suggest("拖把杆子第二次用就断了，塑料的接口太薄了吧").drafts]
    assert "“拖把杆子第二次用就断了”" in quotes[0]  # a count of uses is still the problem


def test_a_long_unresolved_repair_is_not_told_it_contacted_us_several_times(engine):
    """The repeat invitation said 「您已经联系我们好几次」 to a customer who only said the repair took a month."""
    s = engine.suggest("热水器送修快一个月了还没修好，天天洗冷水")
    assert s.escalation.escalate and s.drafts[0].template_id.startswith("offline.repeat_unresolved")
    first = s.drafts[0].text
    assert "好几次" not in first and "“热水器送修快一个月了还没修好”" in first


def test_the_regulator_invitation_names_no_regulator_the_customer_did_not(engine):
    s = engine.suggest("已经在黑猫投诉了，下一步找记者曝光")
    assert s.escalation.escalate and s.drafts[0].template_id.startswith("offline.")
    assert "12315" not in s.drafts[0].text and "市场监管" not in s.drafts[0].text


@pytest.mark.parametrize(
    ("text", "invented"),
    [
        ("卷发棒用了一个礼拜就不发热了，插上电灯都不亮，什么垃圾质量", "刚到手"),  # a week old, not dead on arrival
        ("鸡蛋破了8个，黄都流出来了，箱子上全是", "送人"),  # nobody said it was a gift
        ("快递面单上写着我全名和完整手机号，扔垃圾桶都不敢", "核查这位人员"),  # nobody harassed them
    ],
)
def test_a_situation_draft_describes_no_situation_the_customer_did_not(engine, text, invented):
    first = engine.suggest(text).drafts[0].text
    assert invented not in first, first


def test_a_plain_question_is_not_quoted_with_its_please(engine):
    first = engine.suggest("请问这款电饭煲能预约吗？").drafts[0].text
    assert "您问的“这款电饭煲能预约吗”" in first, first


@pytest.mark.parametrize(
    ("text", "not_template", "wrong_words"),
    [
        # A leak that soaks the clothes in the box is no takeaway ("饿着肚子等来一袋洒了的外卖").
        ("快递到的时候箱子全湿了，洗衣液漏了一半，衣服也给泡了", "damaged_delivery.takeaway_spilled", "外卖"),
        # A gift the live room promised is not a "we said lowest price" case.
        ("直播间说下单送保温杯，货到了杯子影子都没有", "price_promotion.not_lowest_price", "最低价"),
        # An installer who leaves dust and holes behind is not "装完就出问题".
        ("师傅装完油烟机，墙上全是灰，打完孔也不收拾就走了", "installation_repair.poor_installation", "装完就出问题"),
    ],
)
def test_a_situation_template_is_not_chosen_on_one_word_another_situation_shares(engine, text, not_template, wrong_words):
    drafts = engine.suggest(text, agent="小林").drafts
    assert drafts and all(d.template_id != not_template and wrong_words not in d.text for d in drafts)


def test_a_cracked_screen_draft_does_not_talk_of_sweeping_up_glass(engine):
    first = engine.suggest("显示器屏幕右下角裂了一道，外箱明显被砸过", agent="小林").drafts[0]
    assert first.template_id == "damaged_delivery.glass_cracked"  # the situation is right: a screen cracked in transit
    assert "玻璃渣" not in first.text and "一箱碎片" not in first.text


@pytest.mark.parametrize(
    ("text", "invented"),
    [
        ("真是厉害啊，一件衣服能发三个星期，从火星寄过来的吧", "safety_hazard"),  # no shock, no fire: slow shipping
        ("说是全新手机，结果激活日期是去年，明显是翻新机", "expired_spoiled"),  # a phone is not near its expiry date
        ("我的账号被人登录了，还用我绑定的卡下了两单", "usage_question"),  # a stolen account, not a pairing question
    ],
)
def test_a_further_draft_does_not_answer_a_grievance_the_complaint_does_not_state(engine, text, invented):
    drafts = engine.suggest(text, agent="小林").drafts
    assert drafts and all(d.intent != invented for d in drafts)


def test_a_further_draft_of_a_named_problem_stays(engine):
    # "发错" names the wrong item: its draft stays beside the return-shipping one, however low the model scores it.
    drafts = engine.suggest("退货运费凭什么让我出，是你们发错的货", agent="小林").drafts
    assert any(d.intent == "wrong_missing_item" for d in drafts[1:])


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("我是李先生，快递三天了还没到", "李先生"),
        ("本人王女士，收到的衣服颜色发错了", "王女士"),
        ("吹风机用了两天就坏了，请尽快处理——张女士", "张女士"),
    ],
)
def test_the_customer_s_own_name_greets_them_when_the_agent_left_it_empty(engine, text, name):
    assert engine.suggest(text, agent="小林").drafts[0].text.startswith(f"{name}您好")
    assert engine.suggest(text, customer="赵先生", agent="小林").drafts[0].text.startswith("赵先生您好")  # the form wins


@pytest.mark.parametrize(
    "text",
    [
        "快递员张师傅不送上门，直接放驿站了",
        "客服小王一直不回消息",
        "我是李先生的家人，他买的电饭煲坏了",
        "那位张女士说会退款，到现在没退",
        "我是她先生，她买的电饭煲用了一周就坏了",  # 「她先生您好」
        "我是一位女士，买的裙子洗一次就掉色了",
        "快递三天没到——一名女士",
    ],
)
def test_a_name_the_customer_gives_someone_else_is_not_their_greeting(engine, text):
    first = engine.suggest(text, agent="小林").drafts[0].text
    assert first.startswith("您好"), first


def test_a_quote_keeps_the_customer_s_capitals(engine):
    text = engine.suggest("T恤洗了一次就缩水成童装了，领口还变形", agent="小林").drafts[0].text
    assert "“T恤洗了一次就缩水成童装了”" in text and "t恤" not in text
    assert "iPhone" in engine.suggest("iPhone充电线用了两天就断了", agent="小林").drafts[0].text


@pytest.mark.parametrize("text", ["这个热水器一天要重启三次才能用", "衣服要洗三遍才没有味道"])
def test_a_fault_that_repeats_is_quoted_not_taken_for_repeated_contacts(engine, text):
    """「要…三次」 counts a fault, not how often the customer asked us: the clause is the problem to quote."""
    first = engine.suggest(text, agent="小林").drafts[0].text
    assert f"“{text}”" in first, first


# Drafts audit 10 (complaints written for these tests).


@pytest.mark.parametrize(
    ("text", "symptom"),
    [
        ("宝宝穿了这双凉鞋脚背磨出好几个水泡，已经去医院了", "宝宝穿了这双凉鞋脚背磨出好几个水泡"),
        ("孩子玩了你们的玩具手上起了水泡，已经看医生了", "孩子玩了你们的玩具手上起了水泡"),
    ],
)
def test_going_to_hospital_is_not_quoted_as_the_problem(engine, text, symptom):
    """「看到您说的鞋子“已经去医院了”这个问题」: the harm is the blister, the hospital is what they did about it."""
    drafts = engine.suggest(text, agent="小林").drafts
    assert drafts and f"“{symptom}”" in drafts[0].text, drafts[0].text
    assert not any("医院”" in d.text or "医生了”" in d.text for d in drafts)


@pytest.mark.parametrize(
    ("text", "named", "not_named"),
    [
        ("面包吃出虫子来了，不给个说法我就打12315", "向12315反映", "消协"),
        ("再不给我换货我就去消协投诉你们", "向消协反映", "12315"),
        ("卖三无产品，我要去市场监管局举报你们", "向市场监管局反映", "12315"),
        ("已經打了消保官電話，你們看著辦", "向消保官反映", "12315"),  # Taiwan's consumer ombudsman, answered in 繁體
        ("这事没完，我一定维权到底", "向有关部门或平台反映", "12315"),  # no body named: none is
    ],
)
def test_the_regulator_invitation_names_the_body_the_customer_named(engine, text, named, not_named):
    first = engine.suggest(text, agent="小林").drafts[0]
    assert first.template_id == "offline.legal_threat.regulator_complaint"
    assert named in first.text, first.text
    assert not_named not in first.text and not_named not in (first.private or "")
    if named != "向有关部门或平台反映":
        assert "有关部门" not in first.text


def test_a_threat_is_not_quoted_as_the_problem(engine):
    """「把“再不给我换货我就去消协投诉你们”这个问题解决好」: what they will do next is not what went wrong."""
    drafts = engine.suggest("再不给我换货我就去消协投诉你们", agent="小林").drafts
    assert drafts and not any("消协投诉你们”" in d.text for d in drafts), [d.text for d in drafts]


def test_a_threat_alone_is_not_told_what_its_problem_was_on_a_guess(engine):
    first = engine.suggest("我已经打了12315，他们让我先跟你们协商", agent="小林").drafts[0].text
    assert "客服服务问题" not in first and "向12315反映" in first, first


THREATS_ALONE = [("我去消协投诉你们", "消协"), ("我要去12315投诉你们", "12315"), ("我已经投诉到消协了", "消协")]


@pytest.mark.parametrize(("text", "body"), THREATS_ALONE)
def test_a_threat_alone_is_not_told_its_problem_even_when_the_model_is_sure(engine, text, body):
    """REVIEW10B #5: 投诉 makes the model sure of service_attitude (0.84), and the threat got 「把客服服务问题解决好」 and a
    second draft about 客服服务问题. A threat with no problem in it is invited offline and asked what went wrong."""
    drafts = engine.suggest(text, agent="小林").drafts
    assert drafts[0].intent == "offline" and f"向{body}反映" in drafts[0].text, drafts[0].text
    assert all("客服服务问题" not in d.text for d in drafts), [d.text for d in drafts]
    asking = engine.library.general_of("intent", "other").id  # 「具体是哪里出了问题？」
    assert {d.template_id for d in drafts[1:]} <= {asking}, [d.template_id for d in drafts]


@pytest.mark.parametrize("text", ["坏了", "烤箱坏了", "奶瓶坏了", "电饭锅坏了"])
def test_a_thing_that_broke_is_not_answered_as_spoiled_food(engine, text):
    """「请先不要食用」 to an oven: 坏了 is food gone bad only where the complaint names food."""
    first = engine.suggest(text, agent="小林").drafts[0]
    assert first.intent == "quality_defect", first.text
    assert "食用" not in first.text and "生产日期" not in first.text


@pytest.mark.parametrize("text", ["买的桃子坏了好几个", "牛奶坏了"])
def test_food_that_went_bad_is_still_answered_as_spoiled(engine, text):
    assert engine.suggest(text, agent="小林").drafts[0].intent == "expired_spoiled"


def test_a_seam_that_came_open_is_a_quality_defect_not_a_wrong_item(engine):
    """「一件是好的一件袖子开线了」 got 「您说的发错漏发问题…核对这笔订单的出库记录」."""
    first = engine.suggest("买了三件衬衫，两件是好的，一件袖子开线了，能换一件吗", agent="小林").drafts[0]
    assert first.intent == "quality_defect", first.text
    assert "袖子开线了”" in first.text and "发错漏发" not in first.text


def test_a_media_threat_is_not_told_we_saw_a_post_nobody_made(engine):
    first = engine.suggest("我认识电视台的朋友，这事没完", agent="小林").drafts[0]
    assert first.template_id.startswith("offline.media_threat")
    assert "已经看到" not in first.text and "别的渠道反映的" not in first.text, first.text


def test_a_hazard_without_an_injury_is_not_told_to_see_a_doctor_at_once(engine):
    """A socket that scorched, found in time, got 「我们最关心的是您的身体，请先停用这件商品，尽快就医」."""
    first = engine.suggest("排插用了五天，插孔周围烧焦了一圈，幸好人没事", agent="小林").drafts[0]
    assert first.template_id.startswith("offline.safety")
    assert "，尽快就医" not in first.text, first.text


def test_a_near_miss_is_taken_offline_as_a_hazard_not_as_an_illness(engine):
    """A child seat that slid, a child who nearly fell: no escalation at all, then the illness script's
    「医院的诊断是什么…直到康复」 for a child nobody said was hurt."""
    s = engine.suggest("儿童座椅装好以后一直往前滑，孩子差点摔下来", agent="小林")
    assert s.escalation.escalate and s.escalation.reasons[0].id == "safety"
    first = s.drafts[0]
    assert first.template_id == "offline.safety.near_miss", first.template_id
    assert "别再使用儿童座椅" in first.text, first.text
    assert "诊断" not in (first.private or "") and "康复" not in (first.private or ""), first.private


@pytest.mark.parametrize(
    ("text", "template"),
    [
        ("吊灯掉下来砸到我头上，流血了，缝了三针", "offline.safety.injury_health_first"),
        ("婴儿车刹车失灵，孩子摔下来手臂骨折了", "offline.safety.injury_health_first"),
        ("孩子差点被砸到，幸好没受伤", "offline.safety.near_miss"),
    ],
)
def test_someone_who_was_hurt_is_not_told_it_was_a_near_miss(engine, text, template):
    """The near-miss template won on 失灵 and 掉下来: a fractured arm was 「安全隐患」 and the phone script asked
    「家里人有没有磕碰受伤」 (REVIEW11B #2)."""
    assert engine.suggest(text, agent="小林").drafts[0].template_id == template


@pytest.mark.parametrize("text", ["餐厅服务员态度很差", "健身房的毛巾有异味"])
def test_a_restaurant_or_a_gym_is_not_answered_as_a_hotel_room(engine, text):
    """服务员 and 毛巾 picked the hotel template: 「请酒店店长核查当晚的房间…按房费退还」 (REVIEW11B #4)."""
    first = engine.suggest(text, agent="小林").drafts[0]
    assert first.template_id != "other.hotel_room_facilities_hygiene" and "房费" not in first.text, first.text


@pytest.mark.parametrize(
    "text",
    [
        "衣服颜色和照片差别太大了，根本不是一个颜色",
        "收到的鞋子和照片上完全不一样，做工很粗糙",
        "买的裙子和照片不一样，布料很薄",
        "刚入住新家，买的窗帘和图片上的差太多了",
        "新房入住才两个月，买的地板和样品图片完全不一样",
        "行李箱尺寸和描述的不一样，20寸的实际只有18寸",
    ],
)
def test_a_product_that_differs_from_its_photos_is_not_answered_as_a_hotel_room(engine, text):
    """照片, 房间 and 房型 picked the hotel template first, scored 100: clothes and shoes were promised
    「联系酒店核实房型…能换到描述中的房型就马上换」 (REVIEW12 #1); then 入住 (「入住新家」, moving into a flat) and
    行李箱 (a suitcase for sale) did (REVIEW12B #2)."""
    s = engine.suggest(text, agent="小林")
    assert s.drafts[0].template_id.startswith("not_as_described."), s.drafts[0].template_id
    for draft in s.drafts:
        assert draft.template_id != "not_as_described.hotel_room_mismatch" and "酒店" not in draft.text, draft.text


def test_a_photo_mentioned_in_passing_does_not_bring_a_hotel_reply(engine):
    for draft in engine.suggest("杯子裂了，照片我已经拍了发给客服，一直没人回", agent="小林").drafts:
        assert "酒店" not in draft.text and "房型" not in draft.text, draft.text


@pytest.mark.parametrize(
    "text",
    [
        "订的酒店和网上照片完全不一样，房间又小又旧",
        "民宿房间和照片差太多了",
        "入住酒店以后发现房间跟照片完全不一样",
        "携程订的大床房，到了一看和照片两样",
        "入住当天发现房间没有窗，和页面描述不符",
    ],
)
def test_a_hotel_room_that_differs_from_its_photos_still_gets_the_hotel_reply(engine, text):
    assert engine.suggest(text, agent="小林").drafts[0].template_id == "not_as_described.hotel_room_mismatch"


@pytest.mark.parametrize(
    "text",
    [
        "退款都十天了还没到账",
        "退款说三天到账，现在五天了还没到账，什么意思",
        "申请退款一个星期了，钱还没到",
        "退款申请了一周，退款还没到",
        "退的钱还没到",
    ],
)
def test_a_refund_that_has_not_arrived_is_not_answered_as_a_parcel(engine, text):
    """「还没到」 matched inside 「还没到账」 (and 「钱还没到」): the money's complaint got logistics_delay.stuck_in_transit,
    「拿着单号去找快递公司查件…包裹到底在哪…重新发一件」, scored 100 (REVIEW12 #3)."""
    drafts = engine.suggest(text, agent="小林").drafts
    assert next(d for d in drafts if d.intent != "offline").intent == "refund_return", [d.template_id for d in drafts]
    for draft in drafts:
        assert draft.intent != "logistics_delay" and "包裹" not in draft.text, draft.text
        assert not any(f.startswith("答非所问") for f in draft.sincerity.findings), draft.sincerity.findings


@pytest.mark.parametrize(
    "text",
    [
        "快递一个星期还没到",
        "包裹在路上走了十天还没到",
        "付了款一个星期了，东西还没到",
        "买的新款还没到，一个星期了",
        "付了尾款还没到货",
    ],
)
def test_a_parcel_that_has_not_arrived_is_still_answered_as_one(engine, text):
    assert engine.suggest(text, agent="小林").drafts[0].template_id == "logistics_delay.stuck_in_transit"


@pytest.mark.parametrize("text", ["付了钱还没收到货，都一个星期了", "付了尾款还没到货"])
def test_money_paid_for_goods_that_never_came_is_not_a_refund(engine, text):
    """「付了钱还没收到货」 read as money not arrived: the parcel's words were dropped, logistics fell to 0.51 and a
    right parcel reply was marked 「答非所问：回复说的是物流，顾客说的是退换退款」 (REVIEW12B #5)."""
    s = engine.suggest(text, agent="小林")
    assert s.intents[0].id == "logistics_delay" and s.intents[0].score >= 0.8, s.intents[:2]
    reply = "您好，我是小林。快递一直没送到，让您等了这么久，对不起。我现在就联系快递公司催件，今天18:00前把物流进度告诉您。"
    found = check_sincerity(reply, text, template_id="logistics_delay.general").findings
    assert not any(f.startswith("答非所问") for f in found), found


def test_a_near_miss_in_food_is_not_told_to_keep_it_from_the_children(engine):
    """「放在孩子碰不到的地方」 was said of fried rice with a steel wire in it (drafts audit 11, #15)."""
    for draft in engine.suggest("炒饭里吃出一根钢丝，差点划到嗓子", agent="小林").drafts:
        assert "孩子碰不到" not in draft.text, draft.text


@pytest.mark.parametrize(
    "text", ["安装师傅在我家抽烟", "上门安装的师傅把地板划了", "安装师傅把墙打了个大洞", "安装师傅态度很差，装完还骂人"]
)
def test_a_technician_who_came_is_not_told_he_never_showed_up(engine, text):
    """「安装师傅」 alone picked the no-show template: 「师傅却没按约定上门，这是我们失约」 to a customer whose
    installer came and smoked in the flat; and the conduct template told one who was sworn at of 「一地狼藉」."""
    first = engine.suggest(text, agent="小林").drafts[0]
    assert first.intent == "installation_repair", first.template_id
    assert "没按约定上门" not in first.text and "狼藉" not in first.text, first.text


def test_a_question_is_not_quoted_with_i_want_to_ask(engine):
    first = engine.suggest("我想问一下新疆能发货吗").drafts[0].text
    assert "您问的“新疆能发货吗”" in first, first


@pytest.mark.parametrize(
    ("text", "product"),
    [("买的手机壳，边上裂开一道口子", "手机壳"), ("净水器滤芯装上去就漏水", "净水器滤芯"), ("手机套餐多扣了十块钱", "手机")],
)
def test_a_product_word_inside_a_longer_one_is_not_taken_for_the_product(engine, text, product):
    """Review drafts10: a cracked 手机壳 was drafted as 「手机“裂了个口子”这个问题」, as if the phone had cracked."""
    from assistant.engine.fields import extract_fields
    from assistant.engine.normalize import normalize

    assert extract_fields(normalize(text, engine.segmenter), [], engine.library)["product"] == product
    drafts = engine.suggest(text).drafts
    assert drafts and all(product in d.text for d in drafts)
    if product != "手机":  # not the phone or the purifier itself
        assert not any(re.search(r"(?:手机|净水器)[“的]", d.text) for d in drafts), [d.text for d in drafts]


def test_a_courier_complaint_about_manner_gets_a_draft_that_answers_the_manner(engine):
    """Review drafts10: the door-delivery opener no longer says 「这样的态度」; the draft still answers a rude courier."""
    s = engine.suggest("东西不错，就是快递员态度很凶，扔在楼下就走了")
    first = s.drafts[0]
    assert first.template_id == "logistics_delay.courier_refused_door" and "态度" in first.text
    assert first.sincerity.score == 100, first.sincerity.findings


# Drafts audit 11 (complaints written for these tests).


def test_latin_words_keep_the_customer_s_capitals_in_traditional_script_and_in_the_order_number(engine):
    """「您說的“請問你們的app什麼時候修好”這個問題」 and 「查订单dd20250812339的物流」: the normalised text is lower case, and
    a Traditional complaint's Chinese differs from it, so the quote's Latin words were never found in the original."""
    s = engine.suggest("請問你們的APP什麼時候修好？登入一直說網路錯誤")
    assert any("APP" in d.text for d in s.drafts) and not any("app" in d.text for d in s.drafts), [d.text for d in s.drafts]
    texts = [d.text for d in engine.suggest("订单号DD20250812339的手机显示已签收，我根本没收到，快递柜也没有").drafts]
    assert any("DD20250812339" in t for t in texts) and not any("dd2025" in t for t in texts), texts


def test_a_threat_with_a_parting_warning_is_still_a_threat_alone(engine):
    """「我已经向市场监管局投诉了，你们等着接电话吧」 was told 「更希望直接把客服服务问题解决好」: 「你们等着…」 is part of the
    threat, and a threat alone names no problem on a guess."""
    drafts = engine.suggest("我已经向市场监管局投诉了，你们等着接电话吧").drafts
    assert drafts[0].intent == "offline" and "向市场监管局反映" in drafts[0].text, drafts[0].text
    assert all("客服服务问题" not in d.text for d in drafts), [d.text for d in drafts]


def test_an_unsure_hazard_invitation_quotes_the_hazard(engine):
    """A gas smell the matcher scores low (0.33) was invited offline about 「您说的这个问题」: the escalation's own evidence
    is the customer's words for the hazard, and the invitation quotes them."""
    first = engine.suggest("燃气热水器洗澡的时候闻到很大的煤气味，吓得我赶紧关了阀门，这东西还敢用吗").drafts[0]
    assert first.template_id.startswith("offline.safety"), first.template_id
    assert "煤气味”这个问题" in first.text, first.text


def test_an_offline_situation_is_chosen_by_whole_words(engine):
    """「报修了三次」 holds 「修了三次」, and the repeat invitation said 「修了这么多次还没好」 to a customer whose repair
    never came."""
    s = engine.suggest("报修了三次，每次都说师傅明天到，一个星期了没人来，我已经第四次打电话了")
    assert s.drafts[0].template_id.startswith("offline.repeat_unresolved"), s.drafts[0].template_id
    assert "修了这么多次" not in s.drafts[0].text, s.drafts[0].text


def test_a_place_the_customer_stays_at_is_not_the_product(engine):
    """「我住的酒店前台说快递三天前就到了」 was answered about 酒店“快递员电话也打不通”: the hotel is where they stay."""
    drafts = engine.suggest("我住的酒店前台说快递三天前就到了，结果一查根本没有这个包裹，快递员电话也打不通").drafts
    assert drafts and not any("酒店“" in d.text or "酒店的" in d.text for d in drafts), [d.text for d in drafts]


def test_praise_is_quoted_by_what_was_praised_not_the_rating(engine):
    first = engine.suggest("芒果很甜很新鲜，下次还来，给个好评").drafts[0]
    assert first.template_id == "other.praise" and "“芒果很甜很新鲜”" in first.text, first.text


@pytest.mark.parametrize(
    ("text", "invented"),
    [
        ("前台办入住磨蹭了四十分钟，我们带着孩子在大堂干等", "卫生、设施或噪音"),  # a slow front desk, not a dirty room
        ("早餐就几样冷掉的包子和稀饭，还好意思收68一位", "卫生、设施或噪音"),
        ("手机欠费停机了，交了钱两个小时了还没恢复", "不知情"),  # paid and still cut off; nothing was charged unknowingly
        ("宣传说是全新修订版，打开一看版权页还是2015年的老版本", "效果"),  # an edition, not an effect
        ("外卖超时二十分钟才送到", "一个多小时"),  # twenty minutes late
    ],
)
def test_a_situation_opener_says_only_what_its_whole_situation_shares(engine, text, invented):
    """Drafts audit 11: situation templates whose first sentence asserted what only some complaints of the situation say."""
    first = engine.suggest(text).drafts[0]
    assert invented not in first.text, (first.template_id, first.text)


@pytest.mark.parametrize(
    ("text", "wrong_words"),
    [
        ("房间里有头发和用过的毛巾，保洁到底有没有打扫过", "哪里没做好"),  # they said what: no "what went wrong?"
        ("生鲜快递走了四天，冰袋早化了，海鲜全是臭的", "点餐"),  # a parcel of seafood is no takeaway (臭的)
        ("点的是大份，送来明显就是小份的量，比上次少了一半", "配件"),  # half a portion is no missing part (少了一)
        ("我在你们APP上的收货地址被别人看到了，有陌生人找上门", "营销名单"),  # a stranger at the door is no sales call
        ("吃了你们家的小龙虾，半夜上吐下泻，现在还在医院挂水", "停用"),  # food that made them ill is not "stopped using"
    ],
)
def test_a_situation_template_is_chosen_by_what_the_complaint_says(engine, text, wrong_words):
    """Drafts audit 11: situation templates chosen on a keyword another situation shares (骑手, 臭的, 少了一, 陌生人) or
    not chosen for want of one (毛巾, 保洁; 挂水, 上吐下泻 for the food-illness invitation)."""
    first = engine.suggest(text).drafts[0]
    assert wrong_words not in first.text, (first.template_id, first.text)


@pytest.mark.parametrize(
    ("text", "template"),
    [
        ("酒店的服務生態度很差，叫了三次都沒人來", "other.hotel_room_facilities_hygiene"),  # not "what went wrong?"
        ("骑手把外卖放在楼下就走了，打电话也不接，我住18楼", "logistics_delay.courier_refused_door"),  # not "late"
    ],
)
def test_a_situation_that_fits_answers_before_the_general_template(engine, text, template):
    """A general template whose own keywords also matched (「很差」) came first and asked what went wrong of a customer
    who had said; a takeaway left downstairs got 「等了一个多小时」 (骑手), then the parcel-tracking reply."""
    first = engine.suggest(text).drafts[0]
    assert first.template_id == template, (first.template_id, first.text)
    assert "快递公司" not in first.text  # a rider is not a courier company's
    assert not first.sincerity.findings, first.sincerity.findings  # the hotel reply once offered 维修 to a waiter's manner
