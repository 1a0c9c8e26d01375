from assistant.engine.normalize import normalize


def test_full_width_becomes_half_width(engine):
    n = normalize("ＡＢＣ１２３，快递ＯＫ！", engine.segmenter)
    assert "abc123" in n.text and "ok" in n.text


def test_traditional_becomes_simplified(engine):
    assert normalize("這個產品質量太差了，開機就壞", engine.segmenter).text == "这个产品质量太差了,开机就坏"


def test_emoji_and_repeated_punctuation_are_folded(engine):
    n = normalize("太慢了😡😡！！！！？？？", engine.segmenter)
    assert n.text == "太慢了!?"


def test_mentions_are_kept_for_escalation_but_not_matched(engine):
    n = normalize("@某品牌客服 @CCTV315 手机坏了", engine.segmenter)
    assert "cctv315" in n.mentions
    assert "客服" not in n.text and "cctv315" in n.full


def test_tokens_use_the_domain_dictionary(engine):
    assert "头皮屑" in normalize("洗完头皮屑更多了", engine.segmenter).tokens
