"""Premises: what a template's text takes for granted, and complaints that say otherwise.

A situation template's opener states what happened ("包裹到底在哪", "付款这么多天还看不到发货", "您专门拿去鉴定"). Where
the complaint says the opposite, or never says what the text takes for granted, such a draft answers someone else:
「快递晚了五天才到」 was told 「今天18:00前告诉您包裹到底在哪」. Drafting drops such a template, and offers instead the
intent's templates written for the situation the complaint states (``replacements``: their examples say it too), else
the ones left (the intent's general template among them).

A goods smell (「沙发有股怪味」, 「拖鞋一股橡胶味」) is no spoiled food where no food is named: ``goods_smell`` lets drafting
answer it as a quality problem (「噪音大、异响、异味」) first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from assistant.engine.library import Template

_CLAUSE = r"[^，,。；;!?！？]"
# The parcel is here, late: 「晚了五天才到」, 「晚到了一周」, 「等了一周终于到了」, 「第四天才送到」, 「快递到了，但是…」;
# not the questions 「什么时候才到」, 「快递到了吗」, 「到了哪里」, nor money (「退款五天才到账」).
# Arrived at the customer, not at a place on the way: 「才到广州」, 「到了上海一直不派件」 are parcels still travelling, so
# the words must end the clause or go on to what came of it (「才到，打开一看…」, 「终于到了但是…」).
_THEN = r"(?=$|[，,。；;!?！？、~～…\s]|了|啊|呀|的|吧|哦|但|可|却|而|结果|还|也|就|都|又|我|打开|拆开|一看|发现|包装|东西|里面)"
_NOT_ASKED = rf"(?!{_CLAUSE}{{0,4}}(?:[吗呢?？]|哪))"
_ARRIVED = re.compile(
    rf"(?<!什么时候)(?<!啥时候)(?<!何时)(?<!几时)(?<!多久)(?<!要)(?:才|终于|总算|好不容易)(?:被)?(?:送|收|拿|寄|运|派送)?"
    rf"(?>到手|到货|到家|到了|到|(?<=[送寄运])来){_THEN}{_NOT_ASKED}"
    rf"|(?:快递|包裹|货|东西|件)(?:终于|总算|今天|昨天|已经|是)?(?>送到了|收到了|到了|到是到了){_THEN}{_NOT_ASKED}"
    rf"|晚(?:送|收)?到了(?:(?:整整|足足)?[一二两三四五六七八九十几半\d]+(?:天|周|个星期|星期|个月|小时))?{_THEN}{_NOT_ASKED}"
)
# ... nor what is only expected: 「预计明天才到」, 「估计下周才到」, 「得等到月底才到货」 (the clause before the words).
_EXPECTED = re.compile(r"预计|估计|预估|明天|后天|下周|下个?星期|下个?礼拜|下个?月|月底|等到|得等|要等|说是|应该|可能|大概")
_CLAUSE_START = re.compile(r"[，,。；;!?！？][^，,。；;!?！？]*$")
# ... unless it also says some parcel has not come: 「一个才到，另一个还没到」, 「剩下的还在路上」, 「显示签收了但没收到」.
_AWAITED = re.compile(
    r"还在(?:路上|发货|运输|中转|派送|途中)|剩下的|还没|没收到|没到|未收到|未到|在哪|丢了|丢件|不动了|没更新|没送到|没发货|不发货"
    r"|不派|不送|派件|中转|转运|驿站|滞留|卡在|停在"
)
# ... or judges what came, as a review does: 「商品没问题！就是…等了10天左右」, 「手机还行就是物流不给力」,
# 「从外观上看衣服还可以，发货速度真是慢」: the goods are in hand, so the parcel is no longer awaited.
_IN_HAND = re.compile(
    r"(?:东西|商品|货|宝贝|质量|产品|外观|衣服|鞋子?|手机|电脑|书)(?:本身)?(?:上看)?[^，,。；;!?！？]{0,3}"
    r"(?:没问题|没毛病|还可以|还行|还不错|不错|挺好|很好|满意|一般)"
    r"|(?:还行|还可以|还不错|挺好)\s*(?:就是|但是?|可是?|不过)"  # 「台灯还行就是物流太不给力了」
)
# A template that takes the parcel (or the meal) to be still on its way, unshipped or missing.
_AWAITING_TEMPLATE = re.compile(r"到底在哪|到了哪里|什么时候能到|还看不到发货|没见到东西|包裹丢了|饭没到")

# What a template's text says the customer did or found, and the words a complaint says it with. Without them the
# draft tells the customer something they never said: 「香水味道跟专柜的不一样」 was told 「您专门拿去鉴定，结果却是这样」,
# 「婴儿车的轮子走两步就掉了」 (a wheel that falls off) 「缺了配件就装不了」.
_PREMISES = (
    (
        re.compile(r"拿去鉴定"),
        re.compile(
            r"鉴定|验货|验过|验了|查验|检验|化验|检测|检修|柜姐|柜员|店员|工程师|师傅|(?:专柜|门店|官方|售后|柜台|品牌|厂家)\S{0,6}(?:说|告诉|判定|确认|查)"
        ),
    ),
    (re.compile(r"缺了配件"), re.compile(r"缺|少|没有|没给|没发|没带|漏|不见|找不到|只有|只给|只发")),
    # where the customer met the staff, what they were told, whom they called, what they
    # bought into: a hotline's 「踢皮球」 is not 「您到店办事」, an add-on of a phone plan not 「不想续的会员」
    (re.compile(r"到店办事"), re.compile(r"营业厅|门店|店里|店员|到店|柜台|营业员|专卖店|实体店|网点|专柜|去店|进店|店长")),
    (
        re.compile(r"好几种说法"),
        re.compile(r"一会说|一会儿说|又说|说法|各说各|口径|不一样|不一致|前后|矛盾|这个说|那个说|推来推去"),
    ),
    # how long it lasted, that it was new, that it was repaired: a phone 「1年4个月」 old, a theme that 「没反应」 or an
    # input method restarted 「重启各种无效」 was told 「才用了这么短时间」, 「出厂检验没把好关」 or 「修过一次又出现」
    (
        re.compile(r"才用了这么短时间"),
        re.compile(
            r"才|刚|没用几|没多久|不到|不久|很快|没几天|几天|(?<![年\d])[\d一二两三四五六七八九十半]+多?(?:天|周|个?星期|次)|"
            r"(?<![年\d])[1-3一两二三半]个?多?月"
        ),
    ),
    (
        re.compile(r"出厂检验没把好关"),
        re.compile(r"刚|新买|新机|新的|到手|收到|开箱|拆开|拆封|拿到|第一次|买来|买回|到货|送来|一开机|开机就"),
    ),
    (re.compile(r"修过一次又出现"), re.compile(r"修|返厂|送检|售后|第[二三四五两\d]次")),
    # a fee kept on a cancellation: a refund that is late or refused took no fee (「退票一个月了还没到账」, 「取消不了」)
    (
        re.compile(r"取消订单还被扣一大笔钱"),
        re.compile(
            r"扣|手续费|退票费|改签费|违约金|退订费|服务费|损失费|房费|只退|全额不退|一分不退|不退钱|(?<!\d)\d+%|[一二三四五六七八九]成|罚"
        ),
    ),
    # a booking's mishap: a room is a hotel's, an unissued ticket was never issued (a flight delayed has its ticket)
    (re.compile(r"订好的房间"), re.compile(r"酒店|宾馆|客栈|民宿|旅馆|房|入住|住")),
    (re.compile(r"迟迟看不到票"), re.compile(r"出票|确认|没.{0,4}票|票.{0,4}没|未.{0,2}票")),
    # a repair that drags on, an installation that went wrong: a fee for parts (配件) or a price paid once it was
    # installed (「装完要200」) is neither
    (
        re.compile(r"维修还一拖再拖"),
        re.compile(
            r"慢|拖|等|还没|迟迟|一直|催|(?<![几一二两三四五六七八九十\d])[几一二两三四五六七八九十\d]+天|多久|好久|没人|没来|不来|至今|到现在|半个月|一个月"
        ),
    ),
    (
        re.compile(r"装完就出问题"),
        re.compile(
            r"漏|歪|松|坏|不牢|没装好|装错|返工|掉|滴|翘|裂|打错|不平|不稳|不出|不热|异响|噪音|问题|毛病|故障|不能用|用不了"
        ),
    ),
    # the wrapping torn: not a book torn inside it, nor wrapping that was only thin (「连个气泡袋都没有」)
    (
        re.compile(r"包装破成这样"),
        re.compile(r"(?:包装|外箱|箱子|纸箱|盒子|外盒|快递袋|袋子)[^，,。；;!?！？]{0,6}(?:破|烂|坏|损|裂|开|扁|变形|湿|撕|拆)"),
    ),
    # years of custom: a first stay or a first order was told 「您支持了我们这么多年」
    (
        re.compile(r"支持了我们这么多年"),
        re.compile(
            r"老顾客|老客户|老用户|一直|多年|几年|以前|之前|每次|常来|常买|经常|好几次|很多次|又|再次|越来越|大不如前|第[二三四五六七八九十\d]+次"
        ),
    ),
    (re.compile(r"您说到报警"), re.compile(r"报警|报案|110|公安|警察|派出所|民警")),
    # calls to a hotel room: not a theft at the hotel (「在该酒店被盗」), nor a guest who phoned the desk
    (re.compile(r"陌生电话打扰"), re.compile(r"骚扰|推销|按摩|小姐|陌生.{0,4}电话|电话.{0,6}(?:不断|不停|太多|很多|响)")),
    # a meal that never came is not one the order says came: 「两个多小时了，一直没送到」 was told 「订单却显示完成」
    (re.compile(r"订单却显示完成"), re.compile(r"显示|完成|送达|系统|点了")),
    (re.compile(r"不想续的会员"), re.compile(r"会员|续费|续订|连续包月|自动扣")),
    # a meal that never came: not 「漏放了大薯条」 or 「送餐时间3个小时」, which came
    (
        re.compile(r"饭没到"),
        re.compile(r"没收到|没到|没送到|没送来|没见到|没吃到|丢了|丢餐|送错地方|显示(?:已经?)?(?:送达|完成)|未送达|取消"),
    ),
)

# What a template's text says of the purchase, and words of a complaint that say otherwise: 「您买的是全新商品」 is no
# answer to 「在闲鱼买的二手平板，说是95新」 (bought second-hand or refurbished, knowingly).
_DENIALS = ((re.compile(r"买的是全新"), re.compile(r"二手|闲鱼|转转|官翻|官方翻新|[9九][0-9五]?新|[789七八]成新|准新")),)

# A smell in goods: 「沙发有股怪味」, 「窗帘一股霉味」, 「拖鞋有股很重的橡胶味」, 「味道刺鼻」.
_SMELL = re.compile(
    r"[怪异臭霉腥骚酸馊]味|[^\W\d]{1,2}味(?:道|儿)?(?:很|太|特别|好|超|巨)?(?:大|重|冲|浓|难闻|刺鼻)|味道|气味|刺鼻|呛鼻|臭"
)
# Words that make a smell food's ("馊", "变质") or a date's ("过期"): then it is spoiled, not a goods smell.
_SPOILED_WORDS = re.compile(r"过期|临期|保质期|生产日期|变质|馊|发霉|长毛|(?<!霉)味(?:道)?变了|坏了|烂")


@lru_cache(maxsize=256)  # asked once per candidate template of the same complaint
def arrived(complaint: str) -> bool:
    """Whether the complaint says its parcel has come (late), and of no parcel that it has not."""
    if _AWAITED.search(complaint):
        return False
    if _IN_HAND.search(complaint):
        return True
    for m in _ARRIVED.finditer(complaint):
        before = complaint[: m.start()]
        cut = _CLAUSE_START.search(before)
        if not _EXPECTED.search(before[cut.start() :] if cut else before):
            return True
    return False


def contradicted(template: Template, complaint: str) -> bool:
    """Whether the complaint says the opposite of what the template's text takes for granted (``_DENIALS``), or never
    says what it must have said for the text to be true (``_PREMISES``)."""
    awaits, grounds, denials = _claims(template.body)
    if awaits and arrived(complaint):
        return True
    return any(not g.search(complaint) for g in grounds) or any(d.search(complaint) for d in denials)


@lru_cache(maxsize=1024)  # a body's claims do not depend on the complaint: read once per template, not per suggestion
def _claims(body: str) -> tuple[bool, tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]:
    """What a template's text takes for granted: that the goods have not come, the words a complaint must hold for each
    of its claims (``_PREMISES``), and the words that deny one (``_DENIALS``)."""
    grounds = tuple(g for claim, g in _PREMISES if claim.search(body))
    return bool(_AWAITING_TEMPLATE.search(body)), grounds, tuple(d for claim, d in _DENIALS if claim.search(body))


def premised(candidates: Sequence[Template], siblings: Sequence[Template], complaint: str) -> list[Template]:
    """The candidates whose premise the complaint does not contradict, then the intent's ``replacements`` for the rest.

    :param candidates: an intent's templates that fit the complaint, best first
    :param siblings: all the intent's templates
    """
    kept = [t for t in candidates if not contradicted(t, complaint)]
    if len(kept) == len(candidates):
        return list(candidates)
    return [*kept, *(t for t in replacements(siblings, complaint) if t not in kept)] or list(candidates)


def replacements(siblings: Sequence[Template], complaint: str) -> list[Template]:
    """The templates written for the situation the complaint states: a late parcel that has come (their examples say so)."""
    if not arrived(complaint):
        return []
    return [t for t in siblings if not contradicted(t, complaint) and any(arrived(e) for e in t.examples)]


def goods_smell(complaint: str) -> bool:
    """Whether the complaint is about a smell and names nothing spoiled or expired (the caller checks it names no food)."""
    return bool(_SMELL.search(complaint)) and not _SPOILED_WORDS.search(complaint)
