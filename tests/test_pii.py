"""REVIEW10 #1: a bank card, ID card, landline or waybill number in a complaint is never quoted as the customer's order
in a public draft or a private script, nor kept as the log's order reference."""

import pytest

from assistant.engine.fields import order_number
from assistant.engine.pii import bank_card, personal_number, resident_id
from assistant.replying import Fields, with_order_from

# The review's five complaints, each with the number that must not come out as 「订单…」.
PERSONAL = [
    ("退款说退到银行卡6222021234567890123了，十天了还没到账", "6222021234567890123"),
    ("我身份证号440301199001011234，你们实名认证一直不通过，退款也退不了", "440301199001011234"),
    ("订单的钱扣了两次，银行卡6217001234567890126被扣了两次", "6217001234567890126"),
    ("退款十天了还没到账，座机075588886666", "075588886666"),
    ("退款十天了还没到账，快递单号SF1234567890123", "1234567890123"),
]
KINDS = ["bank_card", "id_card", "card_charged_twice", "landline", "waybill"]


@pytest.mark.parametrize("complaint,number", PERSONAL, ids=KINDS)
def test_no_draft_or_private_script_quotes_a_personal_number_as_the_order(engine, complaint, number):
    drafts = engine.suggest(complaint).drafts
    assert drafts
    for d in drafts:
        for text in (d.text, d.private or ""):
            assert number not in text.lower(), text
            assert "订单" + number[:4] not in text.lower(), text


@pytest.mark.parametrize("complaint,number", PERSONAL, ids=KINDS)
def test_a_personal_number_is_not_the_logs_order_reference(complaint, number):
    assert with_order_from(Fields(), complaint).order_id is None


@pytest.mark.parametrize(
    "text",
    [
        "订单号 440301199001011234 的退款呢",  # an ID number written where the order's should be
        "订单号 6222021234567890123",  # a UnionPay card
        "订单号：13812345678",  # a mobile
        "订单号 075588886666",  # a landline
        "物流单号 7788990011223 一直不更新",  # a waybill
        "退款单号 2026113012345 查不到",  # a refund's number
        "钱扣了两次 2026113012345678",  # a bare run of digits: nothing says it is the order
    ],
)
def test_only_an_order_number_after_the_word_order_is_taken(text):
    assert order_number(text.lower()) is None


def test_an_order_number_is_still_found_and_quoted(engine):
    assert order_number("订单号 88239912345 快递还没到") == "88239912345"
    assert order_number("订单2024112301的衣服发错颜色") == "2024112301"
    assert order_number("订单编号:e2026-1130-7788 没发货") == "e2026-1130-7788"
    drafts = engine.suggest("订单号 8823991234 买了三件只收到两件，少发了一件").drafts
    assert any("订单8823991234" in d.text for d in drafts)


def test_a_long_order_number_that_passes_the_card_checksum_is_still_the_order(engine):
    """One 16-19 digit number in ten passes the Luhn check by chance: after 订单号 it is the order (REVIEW10B #3), and
    the draft quotes it; only the card prefix 62 or a card word makes it a card there. The log still masks it."""
    from assistant.engine.pii import luhn

    number = "3344978690736625851"
    assert luhn(number)
    assert order_number(f"订单号{number}，买了三件只收到两件") == number
    drafts = engine.suggest(f"订单号{number}，买了三件只收到两件，少发了一件").drafts
    assert any(f"订单{number}" in d.text for d in drafts)


def test_the_engine_and_the_log_share_one_recognition():
    from assistant.log import redact

    assert resident_id("11010519491231002X") and not resident_id("110105194912310021")
    assert bank_card("6222021234567890123") and bank_card("3222021234567890123", "信用卡：")
    assert not bank_card("3222021234567890124")  # no Luhn, no 62, no card words
    assert personal_number("075588886666") and not personal_number("88239912345")
    assert not hasattr(redact, "_valid_id") and not hasattr(redact, "_luhn")  # one home: engine/pii.py


# Complaints that give their order number, phone, address or name beside a grievance.
GIVEN_DATA = [
    "客服一直不回我，订单号都发给她了还问我要",
    "订单号4512345678901234，客服态度很差，一直不回消息",
    "地址上海市浦东新区世纪大道100号，客服问我要订单号，发了三次了",
    "电话021-62345678，再不处理我就打12315投诉",
    "收货人张三，手机13812345678，收到的衣服和图片颜色不一样",
    "快递单号SF1234567890123，再不处理我就打12315投诉",
]


@pytest.mark.parametrize("complaint", GIVEN_DATA)
def test_no_word_shown_as_evidence_is_the_customers_data_or_its_name(engine, complaint):
    """The matched words and the escalation evidence are what an agent sees highlighted as the signs of the complaint:
    never 「订单号」 (it was shown for 客服态度, taken from the closest example 「客服还在问我订单号」), 「单号」, a number, or
    a piece of the address or name the customer gave (「上海」 was the model's evidence for 重复未解决)."""
    s = engine.suggest(complaint)
    shown = [w for m in s.intents for w in m.matched] + [w for r in s.escalation.reasons for w in r.evidence]
    assert shown
    leaked = [w for w in shown if "单号" in w or "订单" in w or "电话" in w or any(c.isdigit() for c in w) and w != "12315"]
    leaked += [w for w in shown if w in "上海市浦东新区世纪大道张三手机"]
    assert leaked == [], (complaint, shown)
    for d in s.drafts:  # nor is the customer's data quoted back as the problem (「您说的“快递单号SF1234567890123”这个问题」)
        assert "SF123" not in d.text and "世纪大道" not in d.text, d.text


def test_words_naming_a_grievance_about_data_are_still_shown(engine):
    """Only the data and its names are kept out: a leaked phone number's complaint still shows what went wrong."""
    s = engine.suggest("我的手机号被泄露了，天天接到骚扰电话")
    assert s.intents[0].id == "privacy_security"
    assert {"手机号", "泄露"} <= set(s.intents[0].matched)
