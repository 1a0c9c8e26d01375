import pytest

from assistant.log.redact import keyed_hash, redact


@pytest.mark.parametrize(
    "text,label,secret",
    [
        ("电话13812345678，尽快联系", "[手机号]", "13812345678"),
        ("打我手机 +86 138 1234 5678", "[手机号]", "1234 5678"),
        ("座机 021-62345678 找王经理", "[电话]", "62345678"),
        ("身份证号11010519491231002X", "[身份证号]", "11010519491231002X"),
        ("发到 wang.li@example.com 谢谢", "[邮箱]", "wang.li@example.com"),
        ("卡号 6222 0212 3456 7890 128 被扣款", "[银行卡号]", "6222 0212 3456 7890 128"),
        ("寄到上海市浦东新区张杨路1500号3栋502室，别送错", "[地址]", "张杨路1500号"),
        # issue 14 item 4: the formats that were left in clear
        ("电话１３８１２３４５６７８", "[手机号]", "１２３４５６７８"),
        ("手机 138.1234.5678 晚上打", "[手机号]", "1234.5678"),
        ("打 0086 138 1234 5678", "[手机号]", "1234 5678"),
        ("门店电话(0755)8888 6666", "[电话]", "8888 6666"),
        ("身份证 110105 19491231 002X", "[身份证号]", "19491231"),
        ("老身份证110105491231002", "[身份证号]", "110105491231002"),
        ("邮箱 wang.li＠example.com", "[邮箱]", "wang.li"),
        ("卡号 6222 0212 3456 7890 123 被扣款", "[银行卡号]", "7890 123"),
        ("信用卡：3222021234567890123", "[银行卡号]", "3222021234567890123"),
        ("寄到北京市朝阳区建国路八十八号，别送错", "[地址]", "八十八号"),
        ("加我微信：wang_li88 细聊", "[微信号]", "wang_li88"),
        ("vx wxid_abc12345", "[微信号]", "abc12345"),
        ("QQ号是 12345678", "[QQ号]", "12345678"),
    ],
)
def test_each_kind_of_personal_data_is_masked(text, label, secret):
    out = redact(text)
    assert label in out
    assert secret not in out


def test_order_numbers_and_ordinary_text_survive():
    text = "订单号 1310019832462 的衣服掉色，买了3件，花了199元"
    assert redact(text) == text


def test_an_invalid_id_number_is_not_mistaken_for_one():
    assert "[身份证号]" not in redact("编号110105194912310021")


def test_keyed_hash_recognises_a_repeat_without_storing_the_value():
    key = b"k" * 32
    assert keyed_hash("王女士", key) == keyed_hash(" 王女士 ", key)
    assert keyed_hash("王女士", key) != keyed_hash("王女士", b"x" * 32)
    assert "王女士" not in keyed_hash("王女士", key)
    assert keyed_hash(None, key) is None and keyed_hash("  ", key) is None


def test_a_long_number_that_is_no_card_is_kept():
    # Fails the Luhn check, no UnionPay prefix, not named a card: an order or waybill number.
    assert redact("单号 3222 0212 3456 7890 123") == "单号 3222 0212 3456 7890 123"


def test_the_salutation_is_masked_everywhere_it_appears():
    assert redact("王女士您好，王女士的订单已补发", salutation="王女士") == "[称呼]您好，[称呼]的订单已补发"
    assert redact("王先生您好", salutation="王") == "王先生您好"  # one character would mask every 王
