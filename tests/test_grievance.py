"""Issue 12, the grievance quote: a draft quotes the phrase of the complaint that carries its own intent's evidence
(the defect, the delay, the missing part), cut at word boundaries and never a praise; when no phrase fits, it
names the problem in its own words. A property over every complaint of the shared sets, read in place."""

import json
import re
import unicodedata
from pathlib import Path

import pytest
from helpers import drafts, first

from assistant.engine.match import is_praise
from assistant.engine.quote import issue_phrase
from assistant.taxonomy import INTENTS, KIND_TEMPLATES

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
QUOTE = re.compile(r"“([^”]*)”(?:这个问题|这件事)")


def _texts(name: str) -> list[str]:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"{path} not found (../shared is absent in this checkout)")
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _is_evidence(quote: str, intent: str, library, matched: tuple[str, ...] = ()) -> bool:
    """The quote holds a library word of the intent, or (for the main intent of a short complaint with none of those) a
    word that made the intent: the model's strongest words are in ``matched`` too."""
    words = library.intent_words.get(intent, {})
    if any(w in quote for w in (*words, *matched)):
        return True
    return any(p.search(quote) for p, _ in library.patterns.get(intent, ()))


def quotes(engine, text):
    return [q for d in drafts(engine, text) for q in QUOTE.findall(d.text)]


@pytest.mark.parametrize("name", ["dev.jsonl", "train.jsonl"])
def test_every_quote_carries_the_drafts_intent_and_is_cut_at_word_boundaries(engine, name):
    problems = []
    quotes = 0
    for text in _texts(name):
        s = engine.suggest(text)
        main = s.intents[0].id if s.intents else None
        for d in s.drafts:
            intent = main if d.intent == "offline" else d.intent
            if intent not in INTENTS or d.template_id in KIND_TEMPLATES.values():  # praise and questions quote themselves
                continue
            matched = next((m.matched for m in s.intents if m.id == intent), ())
            for shown in QUOTE.findall(d.text):
                quotes += 1
                # A quote keeps the customer's capitals ("T恤") and a scene joined to what went wrong has its comma
                # (「订的海景房，拉开窗帘…」); the normalised text has neither.
                quote = unicodedata.normalize("NFKC", shown).lower()
                found = re.search(_as_in_text(quote), s.normalized.text)
                at, end = found.span() if found else (-1, -1)
                if not _is_evidence(quote, intent, engine.library, matched):
                    problems.append(f"{d.template_id}: “{quote}” has no evidence of {intent}")
                elif at < 0 or at not in s.normalized.boundaries or end not in s.normalized.boundaries:
                    problems.append(f"{d.template_id}: “{quote}” starts or ends mid-word")
                elif is_praise(quote):
                    problems.append(f"{d.template_id}: “{quote}” is praise")
    assert quotes > 100  # the property is about real quotes, not an empty set
    assert problems == [], f"{len(problems)} of {quotes} quotes: {problems[:10]}"


def _as_in_text(quote: str) -> str:
    """A pattern for where a quote stands in the complaint: its inner ‘…’ were the customer's own “…” or "…", and a
    mark whose pair the quote cut off was dropped."""
    inner = {"‘": '[“"]', "’": '[”"]'}
    return "".join(inner.get(ch, re.escape(ch) + '[“”"]?') for ch in quote)


def test_praise_is_never_quoted_as_the_problem(engine):
    s = engine.suggest("东西很好，物流也快，就是包装破损了")
    for d in s.drafts:
        assert "物流也快" not in d.text
    assert "“包装破损了”" in s.drafts[0].text


@pytest.mark.parametrize(
    ("complaint", "not_quoted"),
    [
        ("送餐速度快！可惜没按备注做，说了不要香菜还是放了", "送餐速度快"),  # speed praised, not the late meal
        ("万一孩子用了过敏怎么办，扫码查不到这个产品", "万一"),  # what might happen is not what did
    ],
)
def test_praise_of_speed_and_a_supposition_are_not_quoted_as_the_problem(engine, complaint, not_quoted):
    for d in engine.suggest(complaint).drafts:
        assert not re.search(f"“{not_quoted}", d.text), (d.template_id, d.text)


@pytest.mark.parametrize(
    ("complaint", "not_quoted"),
    [
        ("请问一下为什么我没有享受到满减优惠", "“一下"),  # a remnant of 「请问一下」
        ("晚上9点到酒店，房间里黑乎乎的一片，灯都是坏的", "“晚上9点到酒店”"),  # when they came, not what was wrong
    ],
)
def test_a_remnant_or_an_arrival_is_not_quoted_alone(engine, complaint, not_quoted):
    for d in engine.suggest(complaint).drafts:
        assert not_quoted not in d.text, (d.template_id, d.text)


def test_the_quote_is_the_phrase_with_the_intents_evidence(engine):
    s = engine.suggest("孩子用了你们的充电宝，结果充电宝发烫鼓包了")
    assert all("孩子用了你们的充电宝”" not in d.text for d in s.drafts)
    assert any("“充电宝发烫鼓包了”" in d.text for d in s.drafts)
    privacy = engine.suggest("我的手机号被泄露了，天天接到骚扰电话").drafts[0].text
    assert "“手机号被泄露了”" in privacy  # not "的手机号被泄露了"


def test_a_dotted_model_name_is_quoted_whole(engine):
    # jieba keeps "note7s.2" in one token: a clause cut at its dot would end the quote mid-word.
    s = engine.suggest("我要的是note7s.2版本，哎")
    assert any("“我要的是note7s.2版本”" in d.text for d in s.drafts)
    assert all("“我要的是note7s”" not in d.text for d in s.drafts)


def test_a_long_run_on_sentence_is_trimmed_to_a_phrase(engine):
    s = engine.suggest("我在你们店里买了一个非常贵的进口咖啡机结果用了不到三天就开始漏水而且还有很大的异响真的很失望")
    (quote,) = QUOTE.findall(s.drafts[0].text)
    assert len(quote) <= 20 and ("漏水" in quote or "异响" in quote)


def test_without_a_phrase_to_quote_the_draft_names_the_problem_itself(engine):
    from assistant.engine.quote import issue_phrase

    assert issue_phrase(None, "logistics_delay", None) == "物流问题"
    assert issue_phrase(None, "logistics_delay", "空气炸锅") == "空气炸锅的物流问题"
    assert issue_phrase(None, "not_as_described", "空气炸锅") == "空气炸锅实物和描述不符的问题"
    assert issue_phrase("不加热了", "quality_defect", "电热水壶") == "电热水壶“不加热了”这个问题"
    # A praised topic is neither quoted nor answered: "物流也快" gets no logistics draft at all.
    s = engine.suggest("东西很好，物流也快，就是包装破损了")
    assert [d.intent for d in s.drafts if d.intent == "logistics_delay"] == []


@pytest.mark.parametrize(
    ("text", "taunt"),
    [
        ("外套穿了一天拉链就崩了，你们自己看看这做工", "自己看看"),
        ("鞋标跟官网对不上，走线歪歪扭扭，你敢说这是正品？", "敢说"),
        ("电话打过去没说两句就挂，你们客服是不想干了吗", "不想干了"),
        ("再也不会来你们家买了，好自为之吧", "不会来"),
    ],
)
def test_a_taunt_or_parting_shot_is_never_quoted_as_the_problem(engine, text, taunt):
    """Review drafts10: 「您反映的“你们自己看看这做工”这个问题」 quoted what was said at us, not what went wrong."""
    s = engine.suggest(text)
    assert s.drafts
    for d in s.drafts:
        assert not any(taunt in q for q in QUOTE.findall(d.text)), (d.template_id, d.text)


def test_beside_a_taunt_the_clause_with_the_evidence_is_quoted(engine):
    s = engine.suggest("你们自己看看这质量，充电宝用了两天就鼓包了")
    assert any("“充电宝用了两天就鼓包了”" in d.text for d in s.drafts), [d.text for d in s.drafts]


@pytest.mark.parametrize(
    ("complaint", "quote"),
    [("这条裙子洗了一次就掉色", "裙子洗了一次就掉色"), ("而且这双鞋穿了一天就开胶了", "这双鞋穿了一天就开胶了")],
)
def test_a_measure_word_is_not_left_at_the_start_of_a_quote(engine, complaint, quote):
    """「您说的“条裙子洗了一次就掉色”这个问题」: dropping 这 left its measure word behind."""
    quotes = [m.group(1) for d in engine.suggest(complaint).drafts for m in QUOTE.finditer(d.text)]
    assert quote in quotes, quotes


# Drafts audit 11 (complaints written for these tests).


@pytest.mark.parametrize(
    ("complaint", "quote"),
    [
        ("订的海景房，拉开窗帘对着工地", "订的海景房，拉开窗帘对着工地"),
        ("电热水器用了半年，水忽冷忽热", "电热水器用了半年，水忽冷忽热"),
        ("空调安装完，墙上打了个大洞没补", "空调安装完，墙上打了个大洞没补"),
        ("约好的上午安装，等到下午四点师傅才来", "约好的上午安装，等到下午四点师傅才来"),
    ],
)
def test_a_clause_that_only_sets_the_scene_is_quoted_with_what_went_wrong(engine, complaint, quote):
    """「您说的“订的海景房”这个问题」, 「“空调安装完”这个问题」: the clause with the evidence word only said what was
    booked, used or installed; what went wrong is in the clause after it, and the two are quoted together."""
    quotes = [q for d in engine.suggest(complaint).drafts for q in QUOTE.findall(d.text)]
    assert quote in quotes, quotes


@pytest.mark.parametrize(
    ("complaint", "words"),
    [("翻了两页就掉页，胶都没粘牢", "掉页"), ("真是好手机啊，打电话对方听不见我说话", "听不见")],
)
def test_the_main_problem_is_quoted_even_when_no_library_keyword_names_it(engine, complaint, words):
    """「您反映的质量问题我已经记下」 for a book that sheds its pages: the words that made the intent (the model's as well
    as the library's) find the clause to quote."""
    first = engine.suggest(complaint).drafts[0]
    assert any(words in q for q in QUOTE.findall(first.text)), first.text


@pytest.mark.parametrize(
    ("complaint", "not_quoted"),
    [
        ("冰箱送来外包装没问题，但是送货师傅把我家门框撞掉一块漆", "没问题"),  # what was fine
        ("你们卖的电暖器把我家地板烤焦了一块，我要求赔偿地板的维修费用", "赔偿"),  # what they demand
        ("客服的态度太好了，好到我问什么她都回亲亲稍等，然后就没有然后了", "太好了"),  # praise said in sarcasm
        ("送货的说安装要另外约，约了三次都没人来", "安装要”"),  # 另外 here is "separately", not "besides"
    ],
)
def test_a_clause_that_is_not_the_problem_is_not_quoted(engine, complaint, not_quoted):
    """「您说的“冰箱送来外包装没问题”这个问题」, 「“要求赔偿地板的维修费用”这个问题本该早点处理好」,
    「“客服小李的态度太好了”这个问题」, 「洗衣机“送货的说安装要”这个问题」 (cut at 另外)."""
    drafts = engine.suggest(complaint).drafts
    assert drafts
    for d in drafts:
        assert not any(not_quoted in f"{q}”" for q in QUOTE.findall(d.text)), (d.template_id, d.text)


@pytest.mark.parametrize(
    ("complaint", "quote"),
    [
        ("图片上的草莓又大又红，收到的跟鹌鹑蛋一样大", "图片上的草莓又大又红，收到的跟鹌鹑蛋一样大"),  # 草莓: no 草
        ("书里说有配套光盘，盒子里根本没有", "书里说有配套光盘，盒子里根本没有"),  # what was claimed, then what is missing
    ],
)
def test_a_claim_and_what_came_instead_are_quoted_together(engine, complaint, quote):
    """「您反映的实物和描述不符的问题」 for strawberries: every clause with 草莓 was skipped as rude (草); 「“盒子里根本没有”
    这个问题」 left out what was missing."""
    quotes = [q for d in engine.suggest(complaint).drafts for q in QUOTE.findall(d.text)]
    assert quote in quotes, quotes


@pytest.mark.parametrize(
    ("complaint", "quote"),
    [
        ("收到的电视机，屏幕上还有一道裂痕", "屏幕上还有一道裂痕"),  # 还有 after 上 is "there is also"
        ("买的五斤荔枝，到手一半都黑了，还有一股酒味", "到手一半都黑了"),  # fruit gone black: what is wrong
    ],
)
def test_a_short_complaint_s_problem_is_quoted_whole(engine, complaint, quote):
    """「您说的手机的运输破损问题」, 「您说的临期变质问题」: the clause was cut at 还有, or 黑了 was not read as wrong."""
    first = engine.suggest(complaint).drafts[0]
    assert quote in QUOTE.findall(first.text), first.text


# Neither what the customer says at us, an aside, a label, a guess, the box nor a feeling is quoted as the problem; a
# safety invitation quotes the harm.


def test_a_problem_with_people_or_data_is_not_the_products():
    assert issue_phrase(None, "service_attitude", "沙发") == "客服服务问题"
    assert issue_phrase("客服让我找厂家", "service_attitude", "苹果") == "“客服让我找厂家”这个问题"
    assert issue_phrase(None, "privacy_security", "手机") == "个人信息安全问题"
    assert issue_phrase(None, "quality_defect", "沙发") == "沙发的质量问题"  # the product's own problem keeps it


@pytest.mark.parametrize(
    "text, never",
    [
        ("快递把书柜摔坏了，门板断成两截，我要退款，还要赔偿我请假的误工费", "要退款"),  # a demand
        ("说是原装充电器，插上手机就提示不支持此配件，假货实锤了", "实锤"),  # the customer's verdict
        ("这个精华的防伪码扫出来显示被查过很多次，到底是不是正品", "到底是不是"),  # a challenge
        ("问了客服两次能不能改地址，就回个“不行”，什么态度", "什么态度"),  # a retort
        ("问个退款进度，客服踢皮球踢得可真溜啊", "可真溜"),  # a jibe
        ("无烟房里烟味很大，毛巾也发黄，以后不会入住了", "不会入住"),  # a parting shot
        ("房间设施还可以，就是前台服务太差", "还可以"),  # faint praise
        ("离地铁也挺方便的，就是前台服务太差", "挺方便"),
    ],
)
def test_what_the_customer_says_at_us_is_never_quoted_as_the_problem(engine, text, never):
    for d in engine.suggest(text).drafts:
        assert not any(never in q for q in QUOTE.findall(d.text)), d.text


def test_a_pet_made_ill_is_quoted_and_cared_for(engine):
    """「狗」 is rude only as an insult: 「我家狗狗…拉肚子」 is the harm, and the invitation does not speak of children only."""
    d = first(engine, "我家狗狗吃了你们的零食就拉肚子，带去宠物医院花了500")
    assert d.intent == "offline"
    assert any("拉肚子" in q for q in QUOTE.findall(d.text)), d.text
    assert "宠物" in d.text


@pytest.mark.parametrize(
    "text, harm",
    [
        ("孩子的外套一穿就掉毛，脖子上起了一片红疹子", "红疹子"),
        ("宝宝的学步车，轮子一卡就翻，孩子差点磕到桌角", "差点"),
    ],
)
def test_a_safety_invitation_quotes_the_harm_not_the_product_or_the_child(engine, text, harm):
    d = first(engine, text)
    assert d.template_id.startswith("offline.safety."), d.template_id
    assert any(harm in q for q in QUOTE.findall(d.text)), d.text


@pytest.mark.parametrize(
    "text, problem, aside",
    [
        ("书柜到货侧面板裂开一条缝，纸箱也破了", "裂开", "纸箱"),  # the goods' damage, not the box
        ("外包装破了个大洞，里面的花瓶碎了", "碎", "包装"),
        ("申请开发票半个月了还没开出来，单位就等着报销呢", "发票", "报销"),  # the problem, not why it hurts
    ],
)
def test_the_problem_is_quoted_not_an_aside(engine, text, problem, aside):
    qs = quotes(engine, text)
    assert qs and all(problem in q and aside not in q for q in qs), qs


def test_what_came_is_quoted_with_what_was_ordered(engine):
    """「我拍的是灰色」 is what was ordered; the problem is what came."""
    qs = quotes(engine, "拖鞋发来是黑色的，我拍的是灰色")
    assert qs and all("黑色" in q for q in qs), qs


@pytest.mark.parametrize(
    "text, never",
    [
        ("说是羊毛的，拿火一烧全是化纤的味道，纯属虚假宣传", "虚假宣传"),  # a label, not what they saw
        ("字印得歪歪扭扭，纸也发黄，盗版吧这是", "吧这是"),  # a guess's tail
        ("台灯到了灯罩是碎的，泡沫就放了一点点", "泡沫"),  # the box, not the goods
    ],
)
def test_labels_guesses_and_the_box_are_not_quoted_as_the_problem(engine, text, never):
    qs = quotes(engine, text)
    assert not any(never in q for q in qs), qs


def test_a_cut_quote_does_not_stop_on_a_dangling_word(engine):
    qs = quotes(engine, "你们卖的二手平板里面存着上一个用户的照片和聊天记录，我的信息会不会也被卖")
    assert not any(q.endswith(("上", "的", "里")) for q in qs), qs


def test_a_feeling_is_not_quoted_beside_what_happened(engine):
    """「跟团游体验太差了」 says how it felt; 「导游全程拉着去购物店」 is what to answer."""
    d = drafts(engine, "这次的跟团游体验太差了，导游一路逼着我们买玉石")[0]
    assert QUOTE.findall(d.text) == ["导游一路逼着我们买玉石"], d.text  # 逼着 is no insult


def test_the_product_goes_before_a_quote_only_where_the_complaint_names_it_beside_the_quote():
    text = "无电吹风，不方便。有些前台服务态度不友好"
    assert issue_phrase("有些前台服务态度不友好", "other", "电吹风", text) == "“有些前台服务态度不友好”这个问题"
    text = "买的电热水壶，用了两周就不加热了"
    assert issue_phrase("用了两周就不加热了", "quality_defect", "电热水壶", text) == "电热水壶“用了两周就不加热了”这个问题"
    # named after the quote: the quote may be about something else (「鼠标」 was what they did not get)
    text = "塑料感较强，屏幕较小，没有送鼠标"
    assert issue_phrase("屏幕较小", "quality_defect", "鼠标", text) == "“屏幕较小”这个问题"
    # a product the agent gave, which the complaint does not name, is kept
    assert issue_phrase("用了两周就不加热了", "quality_defect", "电水壶", text) == "电水壶“用了两周就不加热了”这个问题"


@pytest.mark.parametrize(
    ("text", "never", "quoted"),
    [
        ("宽带时好时坏，这阵子小区又断网了", "“阵子", "小区又断网了"),  # 这阵子 is one span of time
        ("前台接待太差，酒店有A B楼之分，前台未告诉B楼在何处", "“酒店有A”", None),  # one space between letters parts no clause
    ],
)
def test_a_quote_is_not_cut_inside_a_span_of_time_or_between_letters(engine, text, never, quoted):
    shown = [d.text for d in drafts(engine, text)]
    assert shown and not any(never in t for t in shown), shown
    if quoted:
        assert any(f"“{quoted}”" in t for t in shown), shown


def test_a_trimmed_quote_does_not_start_inside_a_number(engine):
    text = "不明白为啥送餐如此慢10点订的12点40才送来，催餐还要我自己催"
    shown = " ".join(quotes(engine, text))
    assert "“点订" not in shown and "10点订的12点40才送来" in shown, shown


@pytest.mark.parametrize(
    ("text", "never"),
    [
        ("房间还不错，就是隔音太差，隔壁说话听得一清二楚", "房间还不错"),  # 不错 praises
        ("安装师傅很不错，就是装完热水器第二天就漏水了", "安装师傅很不错"),
        ("屏幕有点暗，其他的暂时还没发现问题", "没发现问题"),  # what is fine
    ],
)
def test_what_the_customer_praised_or_found_fine_is_not_quoted_as_the_problem(engine, text, never):
    qs = quotes(engine, text)
    assert not any(never in q for q in qs), qs


def test_a_trimmed_quote_keeps_the_negation_before_it(engine):
    """Cut after 无法, 「升级固件后出现了自己无法搜索到无线信号的故障」 was quoted as “搜索到无线信号的故障”: the opposite."""
    text = "升级完最新固件后，出现了无线网络自动断开自己无法搜索到无线信号的故障，具体请见截图"
    qs = quotes(engine, text)
    assert qs and not any(q.startswith("搜索到") for q in qs), qs


@pytest.mark.parametrize(
    ("text", "never"),
    [
        ("我8号入住1203房间，整晚都有隆隆的噪音，根本睡不着", "入住1203房间"),  # the scene, not the noise
        ("酒店周边比较繁华，可是房间的空调坏了一晚上没人修", "周边比较繁华"),  # what was fine
    ],
)
def test_a_stay_is_quoted_by_what_went_wrong_not_by_naming_the_hotel(engine, text, never):
    qs = quotes(engine, text)
    assert qs and not any(never in q for q in qs), qs


@pytest.mark.parametrize(
    ("complaint", "bad"),
    [
        ("#你被坑过吗#提前半个月退票，扣了一半的手续费", "#"),  # a topic's tag is not theirs
        ("还没收到任何订票确认短信的时候就打电话要求退票，结果说不可以", "时候"),
        ("酒店订单在确认成功后店家随时还可以涨价，那我预定还有什么用", "后店家"),
    ],
)
def test_a_quote_does_not_open_on_a_tag_or_a_word_cut_from_before_it(engine, complaint, bad):
    for quote in quotes(engine, complaint):
        assert not quote.startswith(bad), quote


def test_a_quote_that_says_problem_is_not_followed_by_another(engine):
    """「您说的“用了两天就出问题”这个问题」 says problem twice."""
    for d in drafts(engine, "这个路由器用了两天就出问题"):
        assert not re.search(r"(?:问题|毛病|故障|情况)”这个问题", d.text), (d.template_id, d.text)


@pytest.mark.parametrize(
    ("intent", "text", "words"),
    [
        ("expired_spoiled", "一共三个，全部坏到无法想象", "变质问题"),  # no date named: not 「临期变质问题」
        ("expired_spoiled", "收到的饼干已经过了保质期", "临期变质问题"),
        ("billing_invoice", "要的发票一直没寄过来", "发票问题"),  # not 「扣费发票问题」
        ("billing_invoice", "卡里莫名其妙被扣了两次", "扣费问题"),
        ("billing_invoice", "开的发票金额和付的钱对不上", "扣费发票问题"),
    ],
)
def test_the_problem_in_our_words_says_only_what_the_complaint_is_about(intent, text, words):
    assert issue_phrase(None, intent, None, text) == words


@pytest.mark.parametrize(
    ("complaint", "never"),
    [
        ("房间隔音太差，半夜都能听到隔壁说话，强烈建议朋友们不要再订这个酒店", "不要再订"),  # a warning to readers
        ("总体来讲非常失望，房间面积不小，可是完全不值这个房费", "面积不小"),  # no complaint in 不小
    ],
)
def test_a_warning_to_other_readers_or_a_plain_fact_is_not_quoted_as_the_problem(engine, complaint, never):
    qs = quotes(engine, complaint)
    assert qs and not any(never in q for q in qs), qs


@pytest.mark.parametrize(
    ("complaint", "never"),
    [
        ("虽然带了一个摄像头，可是拍出来全是噪点", "虽然"),  # a point granted
        ("印刷倒是彩色的，可惜翻译错误一大堆", "倒是"),
        ("很不好，收到屏幕上就有一道划痕", "很不好"),  # a bare verdict beside what went wrong
        ("价格还行，但护发素绝对是假货", "但护发素"),  # a clause does not open on 但
    ],
)
def test_a_concession_a_bare_verdict_or_a_connective_is_not_quoted(engine, complaint, never):
    """No quote at all (the problem in our words) is better than one that grants a point or says only 「很不好」."""
    qs = quotes(engine, complaint)
    assert not any(q.startswith(never) for q in qs), qs


@pytest.mark.parametrize(
    ("complaint", "said"),
    [
        ("上个月开通了视频会员的定向流量，看视频扣的却是通用流量", "扣的却是通用流量"),
        ("双十一参加了满减活动，结算的时候优惠券用不了", "优惠券用不了"),
        ("寄回退货的包裹签收一周了，退款还没到账", "退款还没到账"),
        ("衣服退回去一周了，退款还没收到", "退款还没收到"),
    ],
)
def test_what_went_wrong_is_quoted_rather_than_what_the_customer_did_first(engine, complaint, said):
    """The story's start (bought, opened, joined, sent back) holds the intent's words as often as the problem does;
    the first draft quotes the problem."""
    quoted = QUOTE.findall(first(engine, complaint).text)
    assert quoted and said in quoted[0], quoted


@pytest.mark.parametrize(
    ("complaint", "said"),
    [
        ("师傅上门安装一个热水器收了400块钱，太离谱", "400块钱"),  # a sum of money is the problem, not the story
        ("一直提示账号已登录到其他设备，可我只有一台手机", "已登录到其他设备"),  # a sign-in elsewhere is the symptom
    ],
)
def test_a_sum_of_money_or_a_sign_in_elsewhere_is_still_quoted(engine, complaint, said):
    quoted = QUOTE.findall(first(engine, complaint).text)
    assert quoted and said in quoted[0], quoted


@pytest.mark.parametrize(
    "complaint",
    ["有个问题：手机连上蓝牙耳机以后，通话对方听不到声音", "致命的缺点，待机一天就没电了", "目前发现有两个bug：1.相册打不开"],
)
def test_a_problem_announced_before_it_is_told_is_not_quoted(engine, complaint):
    """「您说的“有个问题”这件事」 says nothing: the clause that tells the problem is quoted, or it is named in our words."""
    for d in drafts(engine, complaint):
        for quote in QUOTE.findall(d.text):
            assert not re.fullmatch(r"(?:有个问题|致命的缺点|目前发现有两个bug)", quote), (d.template_id, d.text)


@pytest.mark.parametrize(
    ("complaint", "quoted"),
    [
        # was “话费账单里多了一个叫”: the clause was cut at the customer's own quotation mark
        ("话费账单里多了一个叫“彩铃套餐”的业务，每月扣我10块，我从来没开通过", "“话费账单里多了一个叫‘彩铃套餐’的业务”"),
        ("客服回复“系统问题”就不管了，订单一直显示“待发货”", "“客服回复‘系统问题’就不管了”"),  # was “客服回复”
    ],
)
def test_a_short_quotation_inside_a_clause_is_quoted_with_it_in_inner_marks(engine, complaint, quoted):
    assert quoted in first(engine, complaint).text


def test_a_quotation_mark_whose_pair_a_trimmed_quote_cut_off_is_dropped():
    assert issue_phrase("您的快递已到”短信", "privacy_security", None) == "“您的快递已到短信”这个问题"
    assert issue_phrase('收到的却是"番茄味"', "wrong_missing_item", None) == "“收到的却是‘番茄味’”这个问题"
