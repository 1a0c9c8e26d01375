"""The reply library's data model: what ``replies/`` holds once it is loaded.

The library is data written by team leads: one YAML file per intent
(``<intent>.yaml``), offline-invitation templates per escalation reason
(``offline/<reason>.yaml``), escalation rules (``escalation.yaml``, read by
``escalate.load_rules``), extra jieba words (``words.txt``) and the shop's policy
(``policy.yaml``: the remedies, amounts, deadlines and courier it really offers).
``load.load_library`` reads and validates it into a ``Library``; template bodies may
use only the placeholders in ``PLACEHOLDERS`` and the fields of ``policy`` (``POLICY_FIELDS``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import jinja2

from assistant.taxonomy import INTENT, OFFLINE

# Placeholder -> what it renders as when the complaint and the form do not name it.
PLACEHOLDERS = {
    "customer": "",
    "product": "这件商品",
    "issue": "这个问题",
    "order_id": "这笔订单",  # "核对这笔订单的付款记录": "您的订单的…" read twice 的
    "agent": "负责售后的客服",
    "deadline": "今天18:00前",
    "regulator": "有关部门或平台",  # the consumer body the complaint names (12315, 消协, 市场监管局), never one it does not
}
# A library pattern's unbounded run of a character class (``[二三\d]+``, ``\d+``) before a literal scans to the end of
# the text from every start: 5,000 digits took 0.4 s a pattern. No count, date or amount a complaint names is longer than
# this, so such runs are bounded when the pattern is compiled; a longer run still matches on its last characters.
LONGEST_RUN = 12
_UNBOUNDED_RUN = re.compile(r"(?<!\\)(\]|\\d)([+*])")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a library pattern with its character-class runs bounded (``+`` and ``*`` after ``]`` or ``\\d``).

    :raises re.error: for a bad expression
    """
    bounded = _UNBOUNDED_RUN.sub(lambda m: m.group(1) + ("{1,%d}" if m.group(2) == "+" else "{0,%d}") % LONGEST_RUN, pattern)
    return re.compile(bounded)


# {{ policy.<field> }}: what each field renders as; see Policy.values.
POLICY_FIELDS = (
    "courier",
    "return_shipping",
    "resend_deadline",
    "refund_deadline",
    "visit_deadline",
    "price_guarantee",
    "coupon",
)
# The remedies a template may promise, and the words that promise each; a template naming one the policy lacks fails lint
# (and is refused on load). Every remedy, compensation or cost the shipped library offers has a name here, so a shop
# that strikes one from policy.yaml learns of every sentence that still promises it.
REMEDIES = {
    "补发": r"补发|补寄|补送|重新(?:发|寄|送)",
    "换新": r"换新|换一(?:台|件|个|双|套|份)|换货|更换",
    "退货退款": r"退货",
    "退款": r"退款|原路退|退钱",
    "上门取件": r"上门取|取件|上门收",
    "上门维修": r"维修|上门修",
    "上门安装": r"上门安装|重新安装",
    "退差价": r"差价",
    # price protection: the difference refunded when the price drops again within {{ policy.price_guarantee }}
    "价保": r"再降价|(?:价保|保价)期内",
    "医药费垫付": r"垫付|医药费[^，。；]{0,6}(?:我们|由我们|店铺)(?:来)?(?:承担|出|报销)",
    "探望陪同": r"探望|陪同就医|陪(?:您|你)?(?:去)?(?:就医|看病)",
    # the customer's other belongings or costs paid for ("照价赔偿"): the amount is whatever the loss is
    "赔偿损失": r"照价赔|(?:按)?原价赔|赔给您|赔您|赔偿(?:您|给您)|赔偿方案|损失(?:我们|由我们)(?:来)?(?:承担|赔|负责)",
    "清洗保洁": r"清洗费|清洗(?:的)?费用|保洁(?:免费)?上门|上门(?:清洗|清理|保洁)",
    "鉴定费": r"鉴定费",
    # compensation beyond the remedy itself (an amount of `amounts`, or one settled on the phone); the apology coupon
    # is policy.coupon's, so a clause offering a coupon (券) is not counted here
    "补偿": r"补偿(?!诉求|要求|请求|挂钩)|弥补(?:方式|方案)",
}
# Remedies whose words, in a clause that offers a coupon, are the coupon's (policy.coupon), not a remedy of their own.
COUPON_WORDS = re.compile(r"券")
NOT_WITH_COUPON = ("补偿",)
_FUNCTION_CHARS = re.compile(r"[我你他她了的没不还就给被太很都也才又把让在是吗呢啊有]")


@dataclass(frozen=True)
class Problem:
    """One problem in the library (load and lint report them): file, line and message."""

    file: str
    line: int
    message: str


@dataclass(frozen=True)
class Keyword:
    """A word whose presence in a complaint is evidence for an intent."""

    word: str
    weight: float


@dataclass(frozen=True)
class Tick:
    """An action the agent may tick once done: the body's promise ("{{ deadline }}为您补发") becomes ``done`` ("已为您补发")."""

    label: str  # the box's label, e.g. 已补发
    promise: str  # Jinja source; rendered, it is a phrase of the rendered body
    done: str  # Jinja source of the past-tense phrase that replaces it


@dataclass(frozen=True)
class Template:
    """One reply template: for an intent, or an offline invitation for an escalation reason."""

    id: str
    kind: str  # "intent" or "offline"
    group: str  # the intent id or the reason id
    situation: str
    examples: tuple[str, ...]
    keywords: tuple[str, ...]
    body: str
    private: str | None
    file: str
    line: int
    ticks: tuple[Tick, ...] = ()
    # The group's general reply: it claims nothing about the situation beyond the customer's own words, so drafting
    # uses it whenever none of the group's situation templates fits the complaint (their openers would invent one).
    general: bool = False

    def found_by(self, words: Sequence[str], preview: str) -> int | None:
        """Whether a search finds this template: every word of ``words`` (from ``search_words``) in its id, situation,
        ``preview`` text, examples or keywords. None when not; else how many words are in its id or situation (the
        better hits, listed first)."""
        head = f"{self.id} {self.situation}".lower()
        haystack = " ".join([head, preview, " ".join(self.examples), " ".join(self.keywords)]).lower()
        return sum(w in head for w in words) if all(w in haystack for w in words) else None


def search_words(query: str) -> list[str]:
    """The words of a template search (the library page's box, the quick phrases): split at spaces and "/", lower-cased."""
    return query.replace("/", " ").lower().split()


# What a shop sells, where every complaint it gets is of one kind (``policy.yaml``'s ``shop_kind``). A complaint often
# does not say what was bought: 「太慢，等了一个小时」 is a meal at a takeaway, 「不甜」 fruit at a fruit shop,
# 「洗完头又干又涩」 shampoo at a beauty shop. With 通用 (the default) drafting reads the kind from each complaint's words.
GENERAL_SHOP = "通用"
# the software domain: an app or a website, which a shop of any kind may have, is still read from a complaint's words
_SOFTWARE = "软件"


@dataclass(frozen=True)
class ShopKind:
    """A kind of shop: the kinds of purchase (``draft``'s domains, by their markers) drafting answers its complaints as."""

    sells: tuple[str, ...]  # every complaint is answered as these
    read: tuple[str, ...] = (_SOFTWARE,)  # these only where the complaint's words say so; the other domains never
    # whether its app is part of what it sells: an operator's 「客户端…3G下无法评论」 is the network, a vending machine's
    # 「客户端…支付了…不出货」 the machine, unless an app template fits (「软件就闪退」); elsewhere the app comes first
    # (a fruit shop's 「APP一直闪退」 is no fruit's)
    app_is_the_service: bool = False
    product: str = PLACEHOLDERS["product"]  # {{ product }} where the complaint names none: 这份餐, not 这件商品
    eaten: bool = False  # whether every complaint is about something eaten or drunk (a meal, fruit, a snack, milk)
    # {{ issue }} in our words, by intent, where the complaint has nothing to quote: a takeaway's 「送餐慢的问题」, not
    # 「物流问题」; the rest as for any shop (``quote``)
    words: dict[str, str] = field(default_factory=dict)


SHOP_KINDS: dict[str, ShopKind] = {
    "外卖餐饮": ShopKind(
        ("外卖", "食品口味"),
        product="这份餐",
        eaten=True,
        words={
            "quality_defect": "口味和份量的问题",
            "logistics_delay": "送餐慢的问题",
            "wrong_missing_item": "送错漏送的问题",
            "expired_spoiled": "饭菜不新鲜的问题",
            "damaged_delivery": "餐品洒漏压坏的问题",
            "not_as_described": "餐品和图片不符的问题",
            "refund_return": "退款的问题",
        },
    ),
    "生鲜水果": ShopKind(
        ("生鲜水果",),
        product="这批水果",
        eaten=True,
        words={
            "quality_defect": "口感和品相的问题",
            "expired_spoiled": "坏果的问题",
            "damaged_delivery": "压坏的问题",
            "not_as_described": "和页面写的不符的问题",
        },
    ),
    "食品饮料": ShopKind(("包装食品",), product="这款产品", eaten=True),
    "美妆个护": ShopKind(("洗发水、护肤品",), product="这款产品"),
    "图书": ShopKind(("书的内容",), product="这本书", words={"quality_defect": "内容或印装的问题"}),
    "酒店民宿": ShopKind(
        ("酒店民宿", "预订"),
        product="这次入住",
        words={
            "quality_defect": "房间设施的问题",
            "not_as_described": "房间和页面描述不符的问题",
            "refund_return": "退订退款的问题",
        },
    ),
    "旅行票务": ShopKind(
        ("预订",),
        (_SOFTWARE, "酒店民宿"),  # a hotel stay is booked there too
        product="这笔预订",
        words={
            "quality_defect": "预订系统的问题",
            "not_as_described": "预订和页面描述不符的问题",
            "refund_return": "退票退款的问题",
            "logistics_delay": "出票确认慢的问题",
        },
    ),
    "软件应用": ShopKind(
        (_SOFTWARE,),
        product="这款软件",
        words={"quality_defect": "软件使用上的问题", "not_as_described": "和介绍不符的问题", "refund_return": "退款的问题"},
    ),
    "通信运营商": ShopKind(
        ("运营商",),
        app_is_the_service=True,
        product="这项业务",
        words={
            "quality_defect": "网络和业务的问题",
            "not_as_described": "和宣传不符的问题",
            "refund_return": "退订和退费的问题",
            "logistics_delay": "办理进度的问题",
        },
    ),
    "自助售货机": ShopKind(
        ("售货机",),
        app_is_the_service=True,
        words={
            "quality_defect": "机器的问题",
            "wrong_missing_item": "出错货的问题",
            "refund_return": "退款的问题",
            "billing_invoice": "扣费问题",
        },
    ),
}
# What {{ product }} says where the complaint names no product: no product of the complaint's own, so {{ issue }} does
# not name it (「这批水果“不甜”这个问题」)
GENERIC_PRODUCTS = frozenset(k.product for k in SHOP_KINDS.values())


@dataclass(frozen=True)
class Policy:
    """What this shop really offers (``replies/policy.yaml``); the defaults are the shipped policy."""

    remedies: tuple[str, ...] = tuple(REMEDIES)
    return_shipping: str = "shop"  # "shop": the shop pays return shipping; "customer": the customer does
    courier: str = "顺丰"
    coupon: int = 20  # the standard apology coupon in private scripts (元); 0: this shop gives none
    amounts: tuple[int, ...] = (10, 20, 30, 50)  # every amount (元) a template may name
    resend_hours: int = 24
    refund_days: int = 3
    visit_hours: int = 48
    price_guarantee_days: int = 30  # 价保: a price drop within this many days after buying is refunded
    shop_kind: str = GENERAL_SHOP  # what the shop sells (SHOP_KINDS), or GENERAL_SHOP: read from each complaint

    def values(self) -> dict[str, str]:
        """The text each ``{{ policy.<field> }}`` renders as."""
        return {
            "courier": self.courier,
            "return_shipping": "运费由我们承担" if self.return_shipping == "shop" else "寄回的运费按店铺规则由您承担",
            "resend_deadline": f"{self.resend_hours}小时内",
            "refund_deadline": f"{self.refund_days}个工作日内",
            "visit_deadline": f"{self.visit_hours}小时内",
            "price_guarantee": f"{self.price_guarantee_days}天内",
            "coupon": f"{self.coupon}元" if self.coupon else "",
        }


@dataclass(frozen=True)
class Library:
    """The whole reply library, validated and compiled."""

    templates: tuple[Template, ...]
    keywords: dict[str, tuple[Keyword, ...]]  # intent id -> intent-level keywords
    patterns: dict[str, tuple[tuple[re.Pattern, float], ...]]  # intent id -> (regular expression, weight)
    words: tuple[str, ...]  # extra jieba words (words.txt)
    products: tuple[str, ...]  # words.txt entries tagged "product", used to fill {{ product }}
    compiled: dict[str, jinja2.Template] = field(repr=False, compare=False)  # "<id>" / "<id>#private"
    policy: Policy = Policy()

    def for_intent(self, intent: str) -> list[Template]:
        """Intent templates of one intent, in file order."""
        return list(self._groups.get((INTENT, intent), ()))

    def for_reason(self, reason: str) -> list[Template]:
        """Offline-invitation templates of one escalation reason, in file order."""
        return list(self._groups.get((OFFLINE, reason), ()))

    def general_of(self, kind: str, group: str) -> Template | None:
        """The intent's or reason's general template (``general: true``), if it has one."""
        return next((t for t in self._groups.get((kind, group), ()) if t.general), None)

    @cached_property
    def situations(self) -> dict[str, str]:
        """Template id -> its situation: how pages name a template to the people who read them."""
        return {t.id: t.situation for t in self.templates}

    @cached_property
    def _groups(self) -> dict[tuple[str, str], tuple[Template, ...]]:
        groups: dict[tuple[str, str], list[Template]] = {}
        for t in self.templates:
            groups.setdefault((t.kind, t.group), []).append(t)
        return {k: tuple(v) for k, v in groups.items()}

    def render(self, template: Template, values: dict[str, str], *, private: bool = False) -> str:
        """Render a template body (or its private script) with every placeholder given."""
        key = f"{template.id}#private" if private else template.id
        return self.compiled[key].render(**values, policy=self._policy_values).strip()

    def render_ticks(self, template: Template, values: dict[str, str]) -> list[tuple[str, str, str]]:
        """Each tick of a template rendered: (label, promise, done)."""
        return [
            (
                tick.label,
                self.compiled[f"{template.id}#tick{n}"].render(**values, policy=self._policy_values).strip(),
                self.compiled[f"{template.id}#done{n}"].render(**values, policy=self._policy_values).strip(),
            )
            for n, tick in enumerate(template.ticks)
        ]

    @cached_property
    def _policy_values(self) -> dict[str, str]:
        return self.policy.values()

    @cached_property
    def intent_words(self) -> dict[str, dict[str, float]]:
        """Per intent, its keywords and its templates' keywords (weight 1) with their weights: evidence of it."""
        out: dict[str, dict[str, float]] = {intent: {k.word: k.weight for k in ks} for intent, ks in self.keywords.items()}
        for t in self.templates:
            if t.kind == INTENT:
                words = out.setdefault(t.group, {})
                for w in t.keywords:
                    words[w] = max(words.get(w, 0.0), 1.0)
        return out

    def dictionary_words(self) -> list[str]:
        """Words for the jieba user dictionary: words.txt plus the keywords that are words, not phrases.

        A phrase such as "给我发" or "还没到" would glue words together ("给我发|错了") and
        hide the keyword "发错"; keywords with function characters are left to jieba.
        """
        words = {k.word for ks in self.keywords.values() for k in ks}
        words.update(w for t in self.templates for w in t.keywords)
        words = {w for w in words if 2 <= len(w) <= 5 and not _FUNCTION_CHARS.search(w)}
        return sorted(words | set(self.words))
