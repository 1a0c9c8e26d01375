"""Issue 12, compliance that reads meaning: asking for a change to the review, or tying the review to a benefit,
is a severe finding in any phrasing; mentioning the review innocently is not a compliance finding at all."""

import time

import pytest

from assistant.engine.sincerity import check_sincerity, review_inducement

INDUCEMENTS = [
    "如果方便删除这条差评，我们另外补偿您20元无门槛券。",
    "您撤销这条评价的话……再送您一张50元券。",
    "麻烦您把那条差评删一下，我们给您返10元红包。",
    "您看能不能把评价改成五星，我们这边给您补偿运费。",
    "新品今天18:00前寄出，收到后帮忙追评一下，送您一份小礼品。",
    "只要您修改一下评价，退一半货款给您。",
    "差评能不能撤回呢？我们私下给您转账30元。",
    "给个五星好评，下次购物给您打八折。",
    "晒图评价后联系客服领取5元现金红包。",
    "麻烦您处理一下评价，我们额外送您一个赠品。",
    "您把中评改为好评，我们马上给您退款。",
    "评价这边如果方便调整一下，我们给您申请补偿。",
    "您好，删除评论后凭截图可领取20元优惠券。",
    "追加一条好评，返现15元到您的支付宝。",
    "好评返现10元，欢迎参加。",
    "我们今天补发配件，方便的话把一星评价去掉，送您运费险。",
    "那条评价如果能帮忙处理，我们补偿您20元。",
    "关于差评，您方便的话我们补偿您50元，您看可以吗？",
    "如果您愿意更新一下评分，我们给您寄一份赠品。",
    "您把差评拿掉，这单我们给您免单。",
    "五星好评送您积分200分。",
    "请您删掉差评，删评后补偿您一张50元券。",
    "您修改评价为五星后，我们再给您返20块。",
    "带图评价可以领取店铺红包哦。",
    "给我们一个好评，我们就给您额外优惠。",
    "评价后送您小礼物，好评有礼。",
    "撤销评价后，我们这边给您退一半的钱作为补偿。",
    "希望您能把差评隐藏，我们愿意给您10元补偿。",
    "打个5星吧，店铺送您一张无门槛券。",
    "您的差评能否删除？我们可以给您转账表示歉意。",
    "亲爱的客户，点个好评，立减5元。",
    "晒单送您一包小样。",
    "您方便的时候撤掉这条中评，另外送您一件赠品。",
    "改一下评价，我们给您多送一个配件。",
    "麻烦把评论删了，我们退您部分货款。",
    "您追评一下说收到新的了，我们返您10元。",
    "请把这条评价改成满分，我们给您一个福利。",
    "这条差评您要是愿意删，我们给您现金补偿。",
    "换成五星的话，我们给您包邮寄新的。",
    "您把评价删掉，我们给您申请一张20元的券。",
    "评价中的一星改一下，我们返您8元。",
    "好评后截图给我，返您5元红包。",
]

CLEAN = [
    "感谢您的评价，您说的漏发问题我们今天18:00前为您补发。",
    "您在评价里提到的问题，我们今天18:00前给您答复。",
    "感谢您的五星好评，这次物流快是仓库同事的功劳，我们会继续保持。",
    "看到您的差评，我们很抱歉，今天18:00前为您补发缺少的配件。",
    "您在差评里说的破损，我们今天18:00前为您退款30元。",
    "您评价中说的异味问题，我们今天安排上门取回检测。",
    "您的评价我们每一条都认真看，包装会改进，今天为您换新。",
    "谢谢您的好评，商品使用中有任何问题随时找我。",
    "您追评里说的漏发配件，我们今天18:00前补寄，运费我们承担。",
    "感谢您在评论中指出说明书的错误，我们今天就修正。",
    "您的评价提醒了我们检查这批货，今天18:00前为您换新。",
    "收到您的好评，非常开心，您有问题随时找我们。",
    "您的差评我们收到了，今天18:00前补偿您20元运费。",
    "您评论区说的发货慢，我们已经在查，今天18:00前回复您。",
    "感谢您给我们的评价，您提到的尺码偏小，今天为您换大一码。",
    "您在评价中反映的客服态度问题，我们今天18:00前给您回电。",
    "针对评价反映的问题，我们核实后今天为您退款。",
    "感谢您的评价和耐心，新的一台今天18:00前寄出。",
    "您的评价说到电池不耐用，我们今天为您安排检测，明天告诉您结果。",
    "谢谢您的五星和晒图，您的宝宝喜欢就好。",
    "您说物流慢，今天18:00前我给您查清包裹在哪，并补偿运费。",
    "您在评论里写的色差，我们今天18:00前给您寄色卡核对。",
    "您在追评中提到的异响，我们今天安排师傅上门维修。",
    "感谢您的评价，我们的客服会在今天18:00前与您联系。",
    "看到您的评价，我们第一时间查了订单，今天18:00前为您补发。",
    "您对物流的评价我们转给了快递公司，今天18:00前告诉您结果。",
    "您的评价说赠品没收到，我们今天18:00前补寄赠品。",
    "您给的差评我们很重视，今天18:00前电话和您确认退款。",
    "评价里说的过期问题，我们今天为您全额退款，并下架同批次商品。",
    "感谢您的好评和建议，优惠活动的规则我们今天18:00前发给您。",
    "您在评价中提到优惠券没用上，我们今天18:00前为您退回差价。",
    "感谢您的评价，退款今天18:00前原路退回。",
    "您评价里的照片能看到破损，我们今天为您换新并包邮寄出。",
    "谢谢好评，您喜欢这款就好，有问题随时联系我。",
    "您提到的漏发，我们今天18:00前补发，不用您再评价或做任何事。",
    "您在评价里说的少发一件，今天18:00前给您补寄。",
    "感谢您的中肯评价，说明书的问题我们今天修改。",
    "您说的电池问题我们很重视，今天18:00前为您寄出新电池，另外补偿您10元运费。",
    "收到您的评价，我们今天就把您的订单加急处理，明天送到。",
    "您的点评我们都会认真看，今天18:00前为您补发。",
]


@pytest.mark.parametrize("reply", INDUCEMENTS)
def test_every_inducement_is_severe_and_scores_below_30(reply):
    result = check_sincerity(reply)
    assert result.score < 30, result.findings
    assert result.findings[0].startswith("严重："), result.findings


@pytest.mark.parametrize("reply", CLEAN)
def test_a_review_mentioned_innocently_gets_no_compliance_finding(reply):
    assert review_inducement(reply) == ([], [])
    assert not any(f.startswith("严重") or "改评" in f for f in check_sincerity(reply).findings)


def test_the_sets_are_big_enough():
    assert len(INDUCEMENTS) >= 40 and len(CLEAN) >= 40


def test_the_finding_names_the_request_and_the_benefit():
    (finding,) = [f for f in check_sincerity(INDUCEMENTS[0]).findings if f.startswith("严重")]
    assert "删除这条差评" in finding and "补偿" in finding and "券" in finding


def test_a_request_to_delete_without_a_benefit_is_still_severe():
    assert check_sincerity("麻烦您把这条差评删掉，今天18:00前为您补发。").findings[0].startswith("严重")


def test_inducement_in_a_quote_of_the_customer_is_not_ours():
    reply = "您说的“客服让我删差评给我返现”这个问题，我们今天18:00前核实，并按规定处理这位同事。"
    assert not any(f.startswith("严重") for f in check_sincerity(reply).findings)


def test_compliance_check_is_linear_time():
    start = time.perf_counter()
    for text in ("删" * 60_000, "删除" + "这" * 60_000, "评价" * 30_000, "差评，" * 20_000, "如果评价送" * 12_000):
        check_sincerity(text)
    assert time.perf_counter() - start < 3.0
