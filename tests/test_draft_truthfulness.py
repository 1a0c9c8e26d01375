"""A first draft says nothing the complaint does not say or contradicts.

Each test drafts complaints and asserts what an agent would otherwise have to rewrite: a parcel that came late was told
「告诉您包裹到底在哪」, a sofa's smell got a takeaway's 「请别再吃了…后厨」, a book's blurry print got 「远程帮您排查…硬件故障」,
a swollen rash got the fire invitation's 「请先断电」.
"""

import re
from datetime import datetime

import pytest
from helpers import drafts, first

from assistant.engine.sincerity import HOLLOW

STILL_COMING = re.compile(r"在哪|到了哪里|什么时候能到|还看不到发货|丢了")
FOOD = re.compile(r"点餐|吃|食用|菜|后厨|饭|餐")
DEVICE = re.compile(r"功能|远程|硬件|维修")
GOODS_REMEDY = re.compile(r"检测|换新|换货|上门取件|寄回")


# What happened: no verdict, promise or event the complaint does not state, no question it already answers.

PARCEL = re.compile(r"快递|包裹|物流|出库|这么多天")


def assert_answered_by(engine, text: str, template_id: str, never: str) -> None:
    """The first draft is from ``template_id`` and no draft says ``never`` (a pattern)."""
    s = engine.suggest(text)
    assert s.drafts[0].template_id == template_id, [d.template_id for d in s.drafts]
    for d in s.drafts:
        assert not re.search(never, d.text), (d.template_id, d.text)


@pytest.mark.parametrize(
    "text",
    [
        "送餐如此慢，11点点的饭下午1点才送来，饭都凉了",
        "送餐员找不到地方，等了快两个小时才送到",
        "外卖送了一个半小时，菜全凉了，骑手一句解释都没有",
        # no takeaway word: a wait of hours, a dish that came cold
        "太慢了，等了一个半小时",
        "从下单到送到整整两个小时，汉堡都凉了",
    ],
)
def test_a_late_takeaway_meal_is_not_answered_as_a_parcel(engine, text):
    assert_answered_by(engine, text, "logistics_delay.food_delivery_late", PARCEL.pattern)


@pytest.mark.parametrize(
    "text",
    [
        "外卖漏放了大薯条，最后补了一个还是中号的",  # the meal came, one item short
        "外卖送了两个小时，送到饭都凉透了",  # the meal came, late
    ],
)
def test_a_meal_that_came_is_not_told_it_never_came(engine, text):
    for d in drafts(engine, text):
        assert "饭没到" not in d.text, (d.template_id, d.text)


@pytest.mark.parametrize(
    "text",
    [
        "搜狗输入法无法联想人名，打字很不方便",
        "下载的客户端从来都用不了，是我手机型号的问题吗",
        "游戏客户端一周前还能正常运行，今天突然就打不开了",
    ],
)
def test_software_is_not_asked_to_be_sent_back(engine, text):
    assert_answered_by(engine, text, "quality_defect.app_software_bug", r"上门取件|寄回|拍.{0,4}照片")


def test_a_device_template_that_fits_still_answers_beside_software_words(engine):
    s = engine.suggest("手机用了两个月屏幕就失灵了，重装系统也没用")
    assert s.drafts[0].template_id == "quality_defect.failed_after_weeks", [d.template_id for d in s.drafts]


# A vending machine's sale is answered from its records, not as goods sent by courier.
GOODS = r"上门取件|寄回|出库|包装|运费|照片或一段视频|才用了|快递"


@pytest.mark.parametrize(
    ("text", "template_id"),
    [
        ("@某某售货机客服 扫码付了三块五，机器没反应，饮料也没出来", "quality_defect.vending_machine"),
        ("售货机的屏幕黑了，按哪里都没反应，扫码也付不了", "quality_defect.vending_machine"),
        ("在售货机上选的绿茶，掉出来一罐咖啡，我不喝咖啡", "wrong_missing_item.vending_wrong_item"),
        ("售货机吞了我五块钱，什么都没给，付款记录里钱照扣", "billing_invoice.vending_charged"),
    ],
)
def test_a_vending_machine_sale_is_not_answered_as_goods_sent(engine, text, template_id):
    assert_answered_by(engine, text, template_id, GOODS)


def test_a_charge_for_something_else_is_not_asked_for_a_machine_number(engine):
    """「银行卡已扣款」 fits a vending machine's 「扣了钱没出货」 by its words; a flight is no machine."""
    for text in ("机票订单一直显示等待支付，银行卡已经扣款了", "同一个订单扣了我两次款，客服还说没问题"):
        for d in drafts(engine, text):
            assert not re.search(r"机器编号|售货机|货道", d.text), (d.template_id, d.text)


# A phone line or broadband from an operator is no parcel, no order and no goods to send back.
SHOP = r"上门取件|寄回|换新|照片或一段视频|才用了|快递|包裹|这笔订单|下单价格|差价|开票记录"


@pytest.mark.parametrize(
    ("text", "template_id"),
    [
        ("@某某电信 家里宽带一天断五六次，晚上根本上不了网", "quality_defect.network_service"),
        ("办宽带的时候说好送半年的手机流量，到现在一个G都没送", "price_promotion.telecom_plan"),
        ("这个月话费莫名多扣了15块，说是开了什么增值业务，我根本没开过", "billing_invoice.telecom_charges"),
        ("宽带不用了想退掉，押金说要三个月后才能退", "refund_return.telecom_cancel"),
    ],
)
def test_a_phone_line_or_broadband_is_not_answered_as_an_order_of_goods(engine, text, template_id):
    assert_answered_by(engine, text, template_id, SHOP)


@pytest.mark.parametrize("text", ["这手机信号太差了，在家经常没信号，别人的手机都好好的", "酒店房间的宽带慢得要死，视频都打不开"])
def test_a_phone_or_a_hotel_room_gets_no_operator_reply(engine, text):
    """A handset's weak signal is the handset's; a hotel's broadband is the hotel's: no operator templates."""
    for d in drafts(engine, text):
        assert not re.search(r"网络维护部门|套餐协议|详单", d.text), (d.template_id, d.text)


@pytest.mark.parametrize(
    ("text", "never"),
    [
        ("工作人员爱答不理，问什么都说不知道，打客服热线也一样", "到店办事"),  # a hotline, not a shop counter
        ("@12315 订了机票被无故取消还不退钱，这就是欺诈", "您说到报警"),  # a regulator, not the police
    ],
)
def test_a_draft_does_not_say_where_the_customer_went_or_whom_they_called(engine, text, never):
    for d in drafts(engine, text):
        assert never not in d.text, (d.template_id, d.text)


@pytest.mark.parametrize("text", ["吃完晚饭发现手机关机了，按开机键无法开机", "内存太小，装了系统跑起来很吃力"])
def test_eating_words_do_not_make_a_device_food(engine, text):
    for d in drafts(engine, text):
        assert not re.search(r"买吃的|这顿", d.text), (d.template_id, d.text)


def test_harassment_is_not_told_how_often_the_customer_bought(engine):
    s = engine.suggest("这两个月老是收到66开头的短号骚扰电话，推销个不停")
    assert s.drafts and s.intents[0].id == "privacy_security", [i.id for i in s.intents]
    for d in s.drafts:
        assert "只买了一次" not in d.text, (d.template_id, d.text)


def test_a_grocery_parcel_with_a_delivery_man_is_no_takeaway(engine):
    for d in drafts(engine, "京东到家的配送员送货太慢，洗发水等了三天才到，还漏了一瓶"):
        assert not re.search(r"外卖|这顿饭|出餐", d.text), (d.template_id, d.text)


@pytest.mark.parametrize(
    "text",
    [
        "网购的台灯拖了九天才送到",
        "等了十多天总算到了，包装倒是挺结实",  # a packaging word says nothing of where the parcel is
        "比页面承诺的晚了四天才收到，孩子开学都用不上了",
        "物流慢成这样，半个多月才到手",
        "羽绒被晚到了一个星期",
        "商品没问题！就是说好三天发货，实际等了十天左右",  # a review judges what came: it is in hand
        "台灯还行就是物流太不给力了",
    ],
)
def test_a_parcel_that_came_late_is_not_looked_for(engine, text):
    s = engine.suggest(text)
    assert s.drafts[0].template_id == "logistics_delay.arrived_late", [d.template_id for d in s.drafts]
    for d in s.drafts:
        assert not STILL_COMING.search(d.text), (d.template_id, d.text)
    text0 = s.drafts[0].text
    assert not any(h in text0 for h in HOLLOW), text0
    assert "退货退款" in text0 and "运费由我们承担" in text0  # the policy's remedy, in its own words


@pytest.mark.parametrize(
    "text",
    [
        "都十天了快递还没到",
        "物流显示预计后天才到，太慢了",
        "包裹一直卡在中转站不动",
        "物流显示才到广州，一个星期了",  # arrived at a city on the way, not at the customer
        "快递到了驿站三天了也不送上门",
    ],
)
def test_a_parcel_still_on_its_way_is_still_looked_for(engine, text):
    assert first(engine, text).template_id != "logistics_delay.arrived_late"


def test_a_parcel_not_yet_here_is_not_told_it_was_signed_for(engine):
    for d in drafts(engine, "钱都付了五天了，东西还没收到"):
        assert "签收" not in d.text, (d.template_id, d.text)


def test_a_delivery_left_downstairs_is_not_asked_where_the_parcel_is(engine):
    d = drafts(engine, "冰箱只给送到楼下，说不包上楼，我家七楼")[0]
    assert "到了哪里" not in d.text and "在哪" not in d.text, d.text


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


def test_a_smell_counted_in_days_is_no_question(engine):
    """「放了几天还有」 counts days; it asks nothing: it was answered 「您问的…这个问题，我去跟仓库确认准确答案」."""
    s = engine.suggest("新衣柜一股油漆味，开窗放了几天还有")
    assert s.kind == "complaint"
    assert s.drafts[0].template_id == "quality_defect.noise_or_smell", [d.template_id for d in s.drafts]


def test_a_fake_is_not_said_to_be_authenticated_unless_the_customer_had_it_checked(engine):
    """「您专门拿去鉴定，结果却是这样」 told someone who only compared the smell with the counter's."""
    for text in ("这瓶香水闻着跟专柜试的完全不是一个味", "香水味道跟专柜的不一样，购物体验太差了"):
        for d in engine.suggest(text).drafts:
            assert "鉴定" not in d.text.split("这个问题")[0], (d.template_id, d.text)
    assert first(engine, "拿到专柜让柜姐看了，说是假的").template_id == "counterfeit.authenticated_fake"


def test_a_part_that_falls_off_is_not_called_missing(engine):
    """A wheel that came off in use was told 「缺了配件就装不了」 and 「收到的东西和您下单的对不上」."""
    s = engine.suggest("婴儿车的轮子推了两下就掉了")
    assert s.drafts[0].intent == "quality_defect", [d.template_id for d in s.drafts]
    for d in s.drafts:
        assert "缺了配件" not in d.text and "对不上" not in d.text, (d.template_id, d.text)


def test_an_installer_who_marked_the_wall_is_not_told_about_slow_repairs(engine):
    d = first(engine, "装空调的师傅把白墙蹭了好多黑印")
    assert d.template_id == "installation_repair.technician_behaviour", d.template_id


def test_a_cause_outside_the_list_is_not_asked_for_again(engine):
    """「导游…进购物店」 says what went wrong: 「是商品本身、送货，还是服务？」 asks it back, in any draft."""
    ds = drafts(engine, "报的旅游团太坑了，导游一路带着进购物店，不买不让走")
    assert ds[0].intent == "other" and "导游" in ds[0].text, ds[0].text
    for d in ds:
        assert "商品本身" not in d.text, (d.template_id, d.text)


def test_something_bought_second_hand_is_not_told_it_was_bought_new(engine):
    for d in drafts(engine, "在闲鱼买的二手平板，说是95新，到手屏幕一圈划痕"):
        assert "全新" not in d.text, (d.template_id, d.text)


def test_a_badly_done_installation_is_offered_the_redo(engine):
    d = drafts(engine, "窗帘杆装完第二天就掉下来了，墙上的孔也打歪了")[0]
    assert "重新上门" in d.text, d.text


def test_a_gift_promised_and_not_given_is_not_answered_with_a_price_difference(engine):
    d = drafts(engine, "考研资料说好的赠送网课，付完钱就不认了")[0]
    assert "差价" not in d.text, d.text


# What was bought: goods remedies only for goods, food words only for food, a book's defect not a device's.


@pytest.mark.parametrize(
    "text",
    ["网课宣传说名师直播，结果全是录播，虚假宣传", "课程买了没学几节想退，客服说过了七天不能退"],
)
def test_a_pick_up_is_offered_only_for_what_must_be_sent_back(engine, text):
    """An online course or a ticket is not collected by a courier: 「48小时内上门取件」 is said of what needs sending back."""
    for d in engine.suggest(text).drafts:
        if "上门取件" in d.text:
            assert "需要寄回的" in d.text, d.text


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


@pytest.mark.parametrize("text", ["新买的书桌有股怪味", "拖鞋一股很冲的橡胶味", "刚到的地毯一股霉味，晾了两天还有"])
def test_a_smell_in_goods_is_not_answered_as_food(engine, text):
    s = engine.suggest(text)
    assert s.drafts[0].template_id == "quality_defect.noise_or_smell", [d.template_id for d in s.drafts]
    for d in s.drafts:
        assert not FOOD.search(d.text), (d.template_id, d.text)


@pytest.mark.parametrize("text", ["买的月饼晚了五天才到", "零食等了十天才收到"])
def test_a_late_parcel_of_food_is_no_takeaway(engine, text):
    """A parcel of food that came late was told 「外卖迟迟送不到…我们马上重做一份热的」."""
    for d in engine.suggest(text).drafts:
        assert not re.search(r"外卖|重做|这顿饭", d.text), (d.template_id, d.text)


def test_a_smell_in_food_is_still_food(engine):
    assert first(engine, "外卖的卤肉有股怪味，放久了吧").intent == "expired_spoiled"


def test_furniture_is_not_answered_as_food_gone_bad(engine):
    for d in drafts(engine, "床头柜到了，抽屉面板裂了，箱子都烂了"):
        assert "生鲜" not in d.text and "食用" not in d.text, (d.template_id, d.text)


@pytest.mark.parametrize(
    "text",
    ["绘本寄到的时候书角压烂了好几本", "收到的文竹叶子全黄了，根也烂了", "买的机油生产日期是四年前的"],
)
def test_goods_that_are_not_food_get_no_food_reply(engine, text):
    """「生鲜在路上被压坏」 for a book, 「入口的东西…请先不要食用」 for a plant, 「请先不要吃也不要用」 for engine oil."""
    for d in drafts(engine, text):
        assert not re.search(r"生鲜|入口|不要吃|不要食用|这顿饭", d.text), (d.template_id, d.text)


def test_a_missing_grocery_or_dish_gets_a_time_and_no_meal_words(engine):
    d = first(engine, "买菜小程序下单的四样菜少了一份青菜")
    assert d.template_id == "wrong_missing_item.takeaway_missing"
    assert d.sincerity.score == 100, d.sincerity.findings
    assert "点好的餐" not in d.text


@pytest.mark.parametrize("text", ["买的绘本印刷模糊，还缺了好几页", "教材装订错了，中间有十几页是倒着印的"])
def test_a_printed_book_gets_a_print_defect_draft(engine, text):
    d = first(engine, text)
    assert d.template_id == "quality_defect.print_binding", d.template_id
    assert not DEVICE.search(d.text), d.text


def test_spilled_takeaway_is_not_sent_to_a_courier(engine):
    d = first(engine, "叫的外卖，酸辣汤全洒了")
    assert d.template_id == "damaged_delivery.takeaway_spilled", d.template_id
    assert "快递" not in d.text


def test_a_bag_is_not_called_clothes(engine):
    for d in drafts(engine, "双肩包背了一周，肩带就开线了，五金也掉色"):
        assert "衣服穿" not in d.text and "面料" not in d.text, (d.template_id, d.text)


# Harm: the invitation that fits it, a fire's for a battery, a doctor's for a rash or a fever.


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


def test_a_swollen_belly_is_no_battery(engine):
    for d in drafts(engine, "吃完你家的烤肠，肚子鼓起来一样胀痛"):
        assert "易燃" not in d.text and "充电" not in d.text, (d.template_id, d.text)


def test_a_swollen_battery_is_still_answered_as_one(engine):
    """The fire-and-swelling reply still answers a battery, and is not marked 答非所问 for it."""
    d = next(d for d in drafts(engine, "平板电池鼓起来了，屏幕都被顶起来") if d.intent == "safety_hazard")
    assert "易燃" in d.text or "断电" in d.text, d.text
    assert not any(f.startswith("答非所问") for f in d.sincerity.findings), d.sincerity.findings


def test_something_bought_new_and_sent_used_is_still_told_it_was_bought_new(engine):
    """The second-hand check reads what was bought, not the state it came in: 「当新品卖」 of worn shoes keeps the answer."""
    texts = [d.text for d in drafts(engine, "新买的鞋，鞋底有磨损还粘着小石子，穿过的鞋也好意思当新品卖")]
    assert any("您买的是全新商品" in t for t in texts), texts


def test_a_boycott_of_the_brand_is_not_asked_for_an_order(engine):
    """「抵制…别买」 bought nothing this time: it was asked 「是商品本身、送货，还是服务？…发个订单号…该退该换」."""
    assert_answered_by(engine, "坚决抵制这种黑心企业，劝大家都别买", "other.brand_distrust", r"订单号|送货|该退该换|这次")


def test_a_kind_word_is_not_told_it_disappointed(engine):
    """No grievance, a wish: 「祝你们生意兴隆」 was told 「看到您这么失望」."""
    d = drafts(engine, "天冷了能喝到一杯热乎的奶茶真不错，祝你们生意兴隆")[0]
    assert "失望" not in d.text, (d.template_id, d.text)


@pytest.mark.parametrize("text", ["太差了，一星都不想给", "无语，就这？"])
def test_a_vague_complaint_is_not_asked_about_goods_it_may_not_have_bought(engine, text):
    """「太差了」 may be of a hotel stay, a phone line or a parcel: the general reply names none of them."""
    for d in drafts(engine, text):
        assert not re.search(r"商品本身|送货|该退该换", d.text), (d.template_id, d.text)


def test_a_design_the_customer_dislikes_is_not_offered_a_repair(engine):
    """Nothing is broken: a new unit has the same card slot. 「不支持JAVA」 was offered 「远程检测…维修或换新」 first (the
    intent's general wording stays as the second draft)."""
    d = first(engine, "这款平板居然不支持插内存卡，存点东西太费劲")
    assert d.template_id == "quality_defect.design_limitation", d.template_id
    assert not re.search(r"检测|维修|换新|照片", d.text), d.text


def test_a_book_whose_content_disappoints_is_not_sent_back_for_a_new_copy(engine):
    """A new copy says the same: 「内容空洞」 was asked for photos and offered 「换新…上门取件」."""
    d = first(engine, "这本书内容空洞，通篇都是车轱辘话，完全是凑字数")
    assert d.template_id == "quality_defect.book_content", d.template_id
    assert not re.search(r"照片|换新|检测", d.text), d.text


def test_a_complaint_of_no_book_gets_no_book_template(engine):
    for d in drafts(engine, "预装的系统早就过时了，开机要三分钟"):
        assert "这本书" not in d.text and "选书" not in d.text, (d.template_id, d.text)


@pytest.mark.parametrize(
    "text",
    [
        "输入法的选词框突然弹不出来了，重启各种无效",
        "换了新版本的主题之后，充电图标按了没反应",
        "视频客户端播放一半就报错，卸载重装也没用",
    ],
)
def test_software_is_not_offered_a_new_device(engine, text):
    """An input method, a theme, an account: 「才用了这么短时间…换新」, 「出厂检验没把好关…寄出一台新机」 or 「发几张照片…
    上门取件」 answered them, by words a device's templates share (重启, 没反应)."""
    d = first(engine, text)
    assert d.template_id == "quality_defect.app_software_bug", (d.template_id, d.text)
    assert not re.search(r"换新|新机|上门取件|照片", d.text), d.text


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("手机用了一年四个月，最近总是突然黑屏", "才用了这么短时间"),
        ("手机用了1年4个月，最近总是突然黑屏", "才用了这么短时间"),
        ("平板昨晚开了省电模式，早上按开关没反应", "出厂检验没把好关"),
        ("路由器用着用着又出现断网，重装了驱动也没用", "修过一次又出现"),
    ],
)
def test_a_draft_does_not_invent_how_long_it_lasted_or_a_repair(engine, text, claim):
    """These openers need the complaint to say so: a short time in use, a new device, an earlier repair."""
    for d in drafts(engine, text):
        assert claim not in d.text, (d.template_id, d.text)


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("电饭煲才用了五天就坏了", "才用了这么短时间"),
        ("新买的吹风机插电没反应", "出厂检验没把好关"),
        ("空调上个月修了一次，现在又不制冷了", "修过一次又出现"),
    ],
)
def test_a_draft_still_says_it_where_the_complaint_does(engine, text, claim):
    texts = [d.text for d in drafts(engine, text)]
    assert any(claim in t for t in texts), texts


@pytest.mark.parametrize(
    ("text", "template_id"),
    [
        ("这苹果又青又小，一点都不甜，还不如超市的", "quality_defect.produce_quality"),
        ("买的苹果个头小，口感也不甜，不如超市买的", "quality_defect.produce_quality"),
        ("说是中果，收到的火龙果跟鸡蛋差不多大", "not_as_described.produce_size"),
        ("一共买了三个柚子，到手两个都烂了", "expired_spoiled.rotten_fresh"),
    ],
)
def test_fresh_fruit_is_not_answered_as_goods_or_a_meal(engine, text, template_id):
    """Fruit is not sent back, exchanged for a new one or remade: 「不甜」 was told 「按标准配方…重新做一份」, a small
    fruit 「换新或退货退款，上门取件」, rotten fruit 「拍一下商品和日期标签」."""
    assert_answered_by(engine, text, template_id, r"上门取件|(?<!不用)寄回|换新|配方|重新做|日期标签")


@pytest.mark.parametrize("text", ["苹果手机刚买一周屏幕就有坏点", "在苹果官网买的耳机，左耳没声音"])
def test_an_apple_device_is_no_fruit(engine, text):
    for d in drafts(engine, text):
        assert "生鲜" not in d.text and "水果" not in d.text, (d.template_id, d.text)


@pytest.mark.parametrize("text", ["备注了免辣，送来的两个菜还是辣的", "点的红烧肉盖饭，送来却是鸡排饭"])
def test_a_wrong_dish_is_not_answered_as_a_parcel(engine, text):
    """A meal's wrong dish is not checked against 「出库记录」 and resent by courier."""
    assert_answered_by(engine, text, "wrong_missing_item.takeaway_missing", r"出库|快递|运费|少了一样")


@pytest.mark.parametrize("text", ["快递等了两个小时还没送到，打电话也不接", "平板充了8个小时还充不满"])
def test_a_wait_of_hours_for_a_parcel_or_a_charge_is_no_meal(engine, text):
    for d in drafts(engine, text):
        assert not re.search(r"外卖|这顿饭|骑手|后厨", d.text), (d.template_id, d.text)


@pytest.mark.parametrize("text", ["航班取消后申请了退票，一个月了机票钱还没退给我", "打电话要求退票，客服就说不可以，凭什么"])
def test_a_refund_late_or_refused_is_not_told_a_fee_was_kept(engine, text):
    """「取消订单还被扣一大笔钱」 was said where no fee was named, and 「退换货…退货退款」 to a flight."""
    for d in drafts(engine, text):
        assert not re.search(r"被扣一大笔钱|退换货|退货退款", d.text), (d.template_id, d.text)


def test_a_fee_kept_on_a_cancellation_is_still_answered_as_one(engine):
    texts = [d.text for d in drafts(engine, "出发前五天退机票，扣了八成手续费，只退回两百多")]
    assert any("被扣一大笔钱" in t for t in texts), texts


@pytest.mark.parametrize(
    "text",
    [
        "在去哪儿网订的酒店居然取消不了，能不能告诉我为什么不能退",
        "在艺龙订的机票，页面写的直飞，结果是经停，跟描述完全不一样",
        "酒店房间跟图片完全不一样，窗外就是一堵墙",
    ],
)
def test_a_booking_is_not_answered_as_goods(engine, text):
    """A hotel that cannot be cancelled was told 「申请被驳回…寄回」, a booking unlike its page 「实物照片…换新或退货退款」."""
    for d in drafts(engine, text)[:1]:
        assert not re.search(r"寄回|退货|换新|实物|上门取件|快递|包裹", d.text), (d.template_id, d.text)


def test_a_rude_booking_hotline_is_not_told_its_room_fell_through(engine):
    """The booking templates speak of one mishap each; 「订好的房间到了却不作数」 is no answer to a rude hotline."""
    for d in drafts(engine, "携程客服接线员的态度太差了，问两句就不耐烦"):
        assert "订好的房间" not in d.text, (d.template_id, d.text)


@pytest.mark.parametrize(
    "text", ["这个宾馆太差了，电梯坏，设施陈旧，我一辈子都不会再住了", "档次太低，房间太小，前台还爱答不理的"]
)
def test_a_hotel_guest_who_said_what_was_wrong_is_not_asked_what_was(engine, text):
    """「看到您这么失望，我们很想知道具体是哪里没做好」 was said to guests who had listed it."""
    d = first(engine, text)
    assert "具体是哪里没做好" not in d.text, (d.template_id, d.text)
    assert d.template_id.startswith("other.hotel_"), (d.template_id, d.text)  # answered as the stay it was


@pytest.mark.parametrize(
    "text",
    [
        "早就不喝他们家的奶了，出事那么多次",
        "我一直不喜欢这个牌子，早就不喝了",
        "这种黑心牌子以后真的不敢喝了",  # 「敢喝了」 is no purchase
        "再也不要吃了，新闻一个接一个",
        "坚决不再吃了，这个行业都烂透了",  # 「这个行业」 is no purchase either
    ],
)
def test_someone_who_refuses_the_brand_is_not_asked_about_a_purchase(engine, text):
    """「早就不喝了」 bought nothing: 「看到您这么失望，我们很想知道具体是哪里没做好」 asked about a purchase never made."""
    d = first(engine, text)
    assert "不放心" in d.text and "具体是哪里没做好" not in d.text, (d.template_id, d.text)


@pytest.mark.parametrize(
    "text",
    [
        "每次去都没货，今天终于买到了，味道很不错，希望多补点货",
        "孩子还小不太看得懂，但是很喜欢里面的图，值得一买",
    ],
)
def test_kind_words_beside_a_small_trouble_are_not_met_with_disappointment(engine, text):
    """「看到您这么失望，我们很想知道具体是哪里没做好」 was said to a customer praising the shop and wishing it well."""
    d = first(engine, text)
    assert "失望" not in d.text and "哪里没做好" not in d.text, (d.template_id, d.text)


def test_kind_words_do_not_soften_a_harsh_complaint(engine):
    d = first(engine, "东西还不错，希望改进，可是快递员态度太差了，说两句就骂人")
    assert d.template_id != "other.comment_not_complaint", d.text


def test_the_distrust_reply_admits_nothing_nobody_stated(engine):
    """A boycott that also alleges crimes in the trade was told 「这份不信任是我们自己造成的，我们不辩解」: in public, that
    reads as conceding the allegations."""
    d = first(engine, "早就不喝这牌子的奶了，这个行业黑得很，听说还出过人命")
    assert d.template_id == "other.brand_distrust" and not re.search("自己造成|不辩解", d.text), (d.template_id, d.text)


def test_a_customer_who_bought_and_will_not_again_is_still_asked(engine):
    """「这个确实太差了」: they bought it; the brand's distrust template is not theirs."""
    assert "不放心" not in first(engine, "这个确实太差了，以后不会再买了").text


@pytest.mark.parametrize(
    "text", ["手机状态栏多了一个图标不知道是什么意思，怎么也去不掉", "登录账号时一直提示验证失败，请问这个要怎么弄"]
)
def test_a_question_about_an_app_is_not_asked_for_a_device_model_or_offered_a_new_one(engine, text):
    """「告诉我具体型号…安排维修或换新」 answered a question about an app or an account."""
    for d in drafts(engine, text)[:1]:
        assert not re.search(r"具体型号|维修或换新|换新|这件商品", d.text), (d.template_id, d.text)


@pytest.mark.parametrize(
    ("text", "template_id"),
    [
        ("手机耗电太快了，待机一晚上掉了三成", "quality_defect.battery_performance"),
        ("说好下单送的京豆一直没到账", "price_promotion.promo_gift_not_honored"),
        ("买个东西居然还要自己去快递点自提", "logistics_delay.courier_refused_door"),
    ],
)
def test_a_drain_a_promised_bonus_or_a_pickup_gets_its_own_template(engine, text, template_id):
    """A battery that drains was asked for photos, bonus points not given told 「核对下单价格…退差价」, a parcel left for
    pickup 「告诉您包裹到了哪里」."""
    d = first(engine, text)
    assert d.template_id == template_id, (d.template_id, d.text)


def test_someone_stranded_on_a_trip_is_not_answered_tomorrow(engine):
    """「现在还在机场等」 was told 「明天12:00前给您答复」."""
    evening = datetime(2026, 11, 23, 21, 0)
    texts = [d.text for d in engine.suggest("在携程订的接机车一直没来，我现在还在机场等，电话也打不通", now=evening).drafts]
    assert texts and all("明天12:00前" not in t for t in texts), texts
    assert any("30分钟内" in t for t in texts), texts


def test_a_trip_told_afterwards_keeps_the_usual_deadline(engine):
    evening = datetime(2026, 11, 23, 21, 0)
    texts = [d.text for d in engine.suggest("上个月住的酒店，在前台等了半天才办好入住，房间还有霉味", now=evening).drafts]
    assert "30分钟内" not in texts[0], texts


def test_a_small_memory_is_a_design_not_a_fault(engine):
    """「内存太小」 was asked for photos and offered 「换新或退货退款」, or a remote hardware check."""
    d = first(engine, "sd卡插槽没有挡板，内存太小，其他暂时还行")
    assert d.template_id == "quality_defect.design_limitation", (d.template_id, d.text)


def test_a_hardware_complaint_is_not_told_of_parts_it_never_named(engine):
    """The hardware template opened 「屏幕、拍照、信号、发热这些…不给力」 to a laptop whose hinge was loose."""
    for d in drafts(engine, "平板的屏幕漏光很严重，四个角都发白"):
        assert "拍照、信号" not in d.text, (d.template_id, d.text)


@pytest.mark.parametrize("text", ["买的单词书内容很一般，感觉像拼凑出来的", "内容越看越空洞，一点都不可信"])
def test_a_book_named_otherwise_is_still_not_sent_back_for_a_new_copy(engine, text):
    d = first(engine, text)
    assert d.template_id == "quality_defect.book_content", (d.template_id, d.text)


def test_missing_pages_are_a_print_fault_not_the_content(engine):
    d = first(engine, "这本书251页到267页内容缺失，换成了前面几页又印了一遍")
    assert d.template_id == "quality_defect.print_binding", (d.template_id, d.text)


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("热水器不错，安装师傅也很好，就是安装配件费有点贵", "维修还一拖再拖"),  # a fee for parts
        ("热水器还行，装完要了200块安装费，有点贵", "装完就出问题"),  # installed fine, and a price
        ("热水器安装费太贵了，收了三百多", "临时冒出"),  # too dear, not a surprise
    ],
)
def test_an_installation_fee_is_not_told_the_repair_dragged_on_or_failed(engine, text, claim):
    for d in drafts(engine, text):
        assert claim not in d.text, (d.template_id, d.text)


def test_a_slow_delivery_is_not_told_where_its_parcel_is_as_if_it_had_not_come(engine):
    """「送货太慢」 may have come: the general wording promised 「告诉您包裹到了哪里」 unconditionally."""
    for d in drafts(engine, "送货太慢，服务太差"):
        assert "包裹到了哪里" not in d.text, (d.template_id, d.text)


@pytest.mark.parametrize("text", ["洗完头发都硬邦邦的，又干又涩", "洗发露买回来用着一般般，还不如超市的"])
def test_a_half_used_shampoo_is_not_sent_back_for_a_new_one(engine, text):
    """A consumable used up as it is tried: 「发几张照片…换新或退货退款，上门取件」 answered it."""
    d = first(engine, text)
    assert d.template_id == "quality_defect.haircare_skincare_ineffective", (d.template_id, d.text)
    assert not re.search(r"上门取件|换新|头屑、发痒", d.text), d.text


def test_a_rude_front_desk_is_not_offered_a_new_room(engine):
    """Rudeness at the front desk was answered 「处处不顺心…按房费退还…马上给您换房」."""
    d = first(engine, "酒店前台服务员态度高冷，问个事情爱答不理的")
    assert d.template_id == "other.hotel_staff_attitude", (d.template_id, d.text)
    assert "换房" not in d.text, d.text


@pytest.mark.parametrize(
    ("text", "never"), [("不带数据线，同步不够方便，通话声音也偏小", "数据线"), ("送的鼠标十分垃圾，屏幕分辨率也低", "鼠标")]
)
def test_a_product_that_did_not_come_or_was_a_gift_is_not_named_as_the_one_bought(engine, text, never):
    """「不带数据线」 was answered 「数据线的质量没有达到您的期望」."""
    for d in drafts(engine, text):
        assert f"{never}的" not in d.text and f"{never}“" not in d.text, (d.template_id, d.text)


@pytest.mark.parametrize("text", ["书收到的时候封面竟然给弄破了，心疼", "平板装在大箱子里，四周一点缓冲都没放，连个塑料袋都没有"])
def test_a_torn_book_or_thin_packing_is_not_told_its_wrapping_was_torn(engine, text):
    for d in drafts(engine, text):
        assert "包装破成这样" not in d.text, (d.template_id, d.text)


def test_a_torn_wrapping_is_still_answered_as_one(engine):
    texts = [d.text for d in drafts(engine, "快递外包装破了个大洞，里面的东西都露出来了")]
    assert any("包装破成这样" in t for t in texts), texts


def test_a_suspected_refurbished_phone_is_not_told_of_an_activation_record_it_never_named(engine):
    """「新机查出激活记录」 answered a phone whose main board had been replaced."""
    for d in drafts(engine, "新买的手机用软件一检测，发现是换过主板的翻新机"):
        assert "激活记录" not in d.text, (d.template_id, d.text)


@pytest.mark.parametrize(
    ("text", "claim"), [("衣服刚拆开就发现袖口开线了", "用没几次"), ("新买的外套一股很冲的怪味，挂了两天还有", "听着")]
)
def test_clothes_are_not_told_they_were_worn_or_heard(engine, text, claim):
    """A coat just unpacked was told 「用没几次就出毛病」, a smell 「每天听着、闻着」."""
    for d in drafts(engine, text):
        assert claim not in d.text, (d.template_id, d.text)


def test_a_first_stay_is_not_told_it_supported_us_for_years(engine):
    """「刚住过这里…不会成为回头客」 was told 「您支持了我们这么多年」."""
    for d in drafts(engine, "刚住过这里，房间一股霉味，设施陈旧，我是不会成为回头客的"):
        assert "这么多年" not in d.text, (d.template_id, d.text)


def test_an_exchange_refused_is_not_offered_only_a_refund(engine):
    """The refund template spoke only of 「退款」 to a shoe exchange refused for wear (a regression of 3db4fca)."""
    texts = [d.text for d in drafts(engine, "鞋子申请换货，客服说有穿着痕迹不给换，我只试穿了一下")]
    assert not any("符合条件的退款" in t for t in texts), texts


def test_a_hotel_named_only_in_a_mention_is_no_stay(engine):
    """「@携程特卖酒店 这不明显是个坑么」 was told 「这次入住没让您住得舒心」."""
    for d in drafts(engine, "@某某旅行 @某某特卖酒店 这不明显是个坑么"):
        assert "入住" not in d.text, (d.template_id, d.text)


def test_calls_to_a_hotel_room_are_no_marketing_of_ours(engine):
    """「晚上的骚扰电话实在太多」 at a hotel was told 「我现在就把您的号码从所有营销名单中移除」: strangers call the room."""
    texts = [d.text for d in drafts(engine, "酒店晚上的骚扰电话太多了，一直响，根本睡不好")]
    assert "总机" in texts[0] and not any("营销名单" in t for t in texts), texts
    for d in drafts(engine, "在该酒店被盗了两千块钱，监控又正好坏了"):  # a theft at a hotel is no call
        assert "陌生电话" not in d.text, (d.template_id, d.text)


def test_a_vending_machine_sold_out_is_not_answered_as_money_taken(engine):
    """「饮料全卖空了，一直没人补货」 was told 「出来的却不是您要的，这钱花得冤」, or asked for 「购买时间和付款方式」, as if a
    purchase had failed."""
    d = first(engine, "地铁站那台售货机里的饮料全卖空了，一直没人补货")
    assert "补货同事" in d.text and not re.search("付款方式|不是您要的|花得冤", d.text), (d.template_id, d.text)
