"""Session 12's draft audit (100 complaints of its own): what an agent saw in the first draft and had to rewrite.

Each test drafts complaints worded differently from the audit's and asserts what the agent would notice: a claim
nobody checked, a promise taken before a review, goods wording for a service, a quote that is not the problem, a
right draft the page marked 答非所问.
"""

import pytest
from helpers import first


def test_a_swollen_battery_gets_the_fire_and_explosion_invitation(engine):
    d = first(engine, "移动电源充着电鼓包了，吓得我赶紧拔了")
    assert d.template_id == "offline.safety.fire_explosion"
    assert "就医" not in d.text  # nobody is hurt


@pytest.mark.parametrize(
    "text, harm",
    [
        ("孩子用了你们的面霜，脸上鼓起来好多红包，过敏了", "offline.safety.child_or_food_illness"),
        ("宝宝用了纸尿裤，屁股上鼓起来一片红疹子，发烫", "offline.safety.child_or_food_illness"),
        ("老人吃了你们的保健品，肚子鼓起来了，浑身发烫，去医院输液了", "offline.safety.child_or_food_illness"),
        ("用了这个面膜过敏了，脸又红又发烫", "offline.safety.injury_health_first"),
        ("孩子吃了你们的零食，嘴巴肿起来，身上发烫", "offline.safety.child_or_food_illness"),
    ],
)
def test_a_swollen_rash_or_a_fever_is_not_answered_as_a_fire(engine, text, harm):
    """A rash that 鼓起来 or a body that 发烫 is an illness: the first draft sends them to a doctor, not 「请先断电」."""
    d = first(engine, text)
    assert d.template_id == harm, (d.template_id, d.text)
    assert "断电" not in d.text and "起火" not in d.text


@pytest.mark.parametrize(
    "text",
    ["充电器用了几分钟就发烫，插头那里还冒烟", "充电宝鼓包了，孩子差点拿去玩", "电动车电池充着电鼓包了"],
)
def test_a_hot_charger_or_a_swollen_battery_still_gets_the_fire_invitation(engine, text):
    d = first(engine, text)
    assert d.template_id == "offline.safety.fire_explosion", (d.template_id, d.text)
    assert "断电" in d.text


@pytest.mark.parametrize(
    "text, never",
    [
        ("面霜用了两周泵头就坏了，按不出来", "在保修范围内"),  # a warranty verdict nobody checked
        ("吸尘器用了一个月吸力明显不足", "电池"),  # the performance template spoke only of batteries
        ("课程买了没学几节想退，客服说过了七天不能退", "给您通过退货申请"),  # the verdict before the review
        ("同款奶粉老用户比新用户贵20，这不是杀熟吗", "我们说了“最低价”"),  # nobody said it
        ("退货运费为什么要我出", "之前答应过"),  # nobody promised it
        ("明明取消了连续包月还是被扣费了", "没有明确提醒"),  # they said they cancelled it
        ("快递面单上手机号没打码，能不能处理一下", "甚至被拿来打扰您"),  # nobody was harassed
        ("主图和详情页都写真皮，收到是人造革", "按实物重拍"),  # a composition is not a photo
        ("在平台买的航班页面说含餐食和托运，登机后说不含", "运费由我们承担"),  # a flight is not a parcel
        ("安装师傅迟到一个多小时，装完地上全是木屑也不收拾", "没按约定上门"),  # he came, late
    ],
)
def test_the_first_draft_claims_nothing_the_customer_did_not_say(engine, text, never):
    d = first(engine, text)
    assert never not in d.text, (d.template_id, d.text)


@pytest.mark.parametrize(
    "text",
    ["网课宣传说名师直播，结果全是录播，虚假宣传", "课程买了没学几节想退，客服说过了七天不能退"],
)
def test_a_pick_up_is_offered_only_for_what_must_be_sent_back(engine, text):
    """An online course or a ticket is not collected by a courier: 「48小时内上门取件」 is said of what needs sending back."""
    for d in engine.suggest(text).drafts:
        if "上门取件" in d.text:
            assert "需要寄回的" in d.text, d.text


def test_a_missing_grocery_or_dish_gets_a_time_and_no_meal_words(engine):
    d = first(engine, "买菜小程序下单的四样菜少了一份青菜")
    assert d.template_id == "wrong_missing_item.takeaway_missing"
    assert d.sincerity.score == 100, d.sincerity.findings
    assert "点好的餐" not in d.text


@pytest.mark.parametrize("text", ["吹风机才用两周就不出热风了，保修期一年的吧", "洗衣机还在保修期内就坏了，售后网点说要等一周"])
def test_a_product_under_warranty_is_not_told_its_repair_was_refused(engine, text):
    """Bare 保修期 picked the warranty-refused draft: 「却被告知不能保修、要自费…之前收过的费用原路退回」 to a customer
    nobody refused or charged (REVIEW12B #7)."""
    for d in engine.suggest(text).drafts:
        assert d.template_id != "installation_repair.warranty_refused", d.text
        assert "不能保修" not in d.text and "收过的费用" not in d.text, d.text


@pytest.mark.parametrize(
    "text",
    [
        "平板还在保修期，维修点说有拆机痕迹不保，我从来没拆过",
        "网点说这个问题不在保修范围，让我自费换屏",
        "手机在保修期内，售后检测说是进水不给保",
    ],
)
def test_a_refused_warranty_still_gets_the_warranty_refused_draft(engine, text):
    assert first(engine, text).template_id == "installation_repair.warranty_refused"
