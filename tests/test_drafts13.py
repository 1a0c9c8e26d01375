"""Session 13's draft fixes: what an agent saw in a draft and had to rewrite.

Each test drafts complaints worded differently from the audit's (`drafts13_audit.md`) and asserts what the agent
would notice: goods remedies offered for a course, the box quoted instead of the broken goods, a reason quoted
instead of the problem, a question about a cause the customer already named, an opener stating what did not happen.
"""

import re

import pytest
from helpers import drafts

GOODS_REMEDY = re.compile(r"检测|换新|换货|上门取件|寄回")


@pytest.mark.parametrize(
    "text",
    [
        "直播课老是卡住，老师的声音断断续续的",
        "报的考研网课，录播视频一半打不开",
        "开通了听书会员，会员专享的书一本都播放不了",
    ],
)
def test_a_course_or_membership_is_not_offered_goods_remedies(engine, text):
    """A course or a membership cannot be tested, exchanged or picked up: 「网课视频卡顿」 was told 「帮忙检测一下状态…
    直接给您换新」 and 「麻烦您发几张照片…换新或退货退款，上门取件」."""
    ds = drafts(engine, text)
    for d in ds:
        assert not GOODS_REMEDY.search(d.text), (d.template_id, d.text)
    offer = next(d for d in ds if d.intent != "other")  # after 「具体是哪里没做好」 where the intent is a guess
    assert offer.intent == "quality_defect", [d.template_id for d in ds]
    assert "退款" in offer.text and "3个工作日内到账" in offer.text  # the policy's remedy and deadline


@pytest.mark.parametrize("text", ["会员日买的电饭煲，才用了五天就坏了", "会员日买的一套书，收到书脊开胶了，好几页掉下来"])
def test_goods_bought_on_a_members_day_still_get_goods_remedies(engine, text):
    d = drafts(engine, text)[0]
    assert GOODS_REMEDY.search(d.text), d.text


def test_a_cause_outside_the_list_is_not_asked_for_again(engine):
    """「导游…进购物店」 says what went wrong: 「是商品本身、送货，还是服务？」 asks it back, in any draft."""
    ds = drafts(engine, "报的旅游团太坑了，导游一路带着进购物店，不买不让走")
    assert ds[0].intent == "other" and "导游" in ds[0].text, ds[0].text
    for d in ds:
        assert "商品本身" not in d.text, (d.template_id, d.text)


def test_a_parcel_not_yet_here_is_not_told_it_was_signed_for(engine):
    for d in drafts(engine, "钱都付了五天了，东西还没收到"):
        assert "签收" not in d.text, (d.template_id, d.text)


def test_a_swollen_belly_is_no_battery(engine):
    for d in drafts(engine, "吃完你家的烤肠，肚子鼓起来一样胀痛"):
        assert "易燃" not in d.text and "充电" not in d.text, (d.template_id, d.text)


def test_a_swollen_battery_is_still_answered_as_one(engine):
    """The fire-and-swelling reply still answers a battery, and is not marked 答非所问 for it."""
    d = next(d for d in drafts(engine, "平板电池鼓起来了，屏幕都被顶起来") if d.intent == "safety_hazard")
    assert "易燃" in d.text or "断电" in d.text, d.text
    assert not any(f.startswith("答非所问") for f in d.sincerity.findings), d.sincerity.findings


def test_furniture_is_not_answered_as_food_gone_bad(engine):
    for d in drafts(engine, "床头柜到了，抽屉面板裂了，箱子都烂了"):
        assert "生鲜" not in d.text and "食用" not in d.text, (d.template_id, d.text)


# The sixth audit (drafts13, 100 complaints of its own in new domains): causes found and mended.


@pytest.mark.parametrize(
    "text",
    ["绘本寄到的时候书角压烂了好几本", "收到的文竹叶子全黄了，根也烂了", "买的机油生产日期是四年前的"],
)
def test_goods_that_are_not_food_get_no_food_reply(engine, text):
    """「生鲜在路上被压坏」 for a book, 「入口的东西…请先不要食用」 for a plant, 「请先不要吃也不要用」 for engine oil."""
    for d in drafts(engine, text):
        assert not re.search(r"生鲜|入口|不要吃|不要食用|这顿饭", d.text), (d.template_id, d.text)


def test_something_bought_second_hand_is_not_told_it_was_bought_new(engine):
    for d in drafts(engine, "在闲鱼买的二手平板，说是95新，到手屏幕一圈划痕"):
        assert "全新" not in d.text, (d.template_id, d.text)


def test_a_badly_done_installation_is_offered_the_redo(engine):
    d = drafts(engine, "窗帘杆装完第二天就掉下来了，墙上的孔也打歪了")[0]
    assert "重新上门" in d.text, d.text


def test_a_delivery_left_downstairs_is_not_asked_where_the_parcel_is(engine):
    d = drafts(engine, "冰箱只给送到楼下，说不包上楼，我家七楼")[0]
    assert "到了哪里" not in d.text and "在哪" not in d.text, d.text


def test_a_bag_is_not_called_clothes(engine):
    for d in drafts(engine, "双肩包背了一周，肩带就开线了，五金也掉色"):
        assert "衣服穿" not in d.text and "面料" not in d.text, (d.template_id, d.text)


def test_a_gift_promised_and_not_given_is_not_answered_with_a_price_difference(engine):
    d = drafts(engine, "考研资料说好的赠送网课，付完钱就不认了")[0]
    assert "差价" not in d.text, d.text
