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
