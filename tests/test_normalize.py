from assistant.engine.normalize import Segmenter, normalize, normalize_many


def test_full_width_becomes_half_width(engine):
    n = normalize("ＡＢＣ１２３，快递ＯＫ！", engine.segmenter)
    assert "abc123" in n.text and "ok" in n.text


def test_traditional_becomes_simplified(engine):
    assert normalize("這個產品質量太差了，開機就壞", engine.segmenter).text == "这个产品质量太差了,开机就坏"


def test_a_simplified_word_is_not_read_as_a_traditional_phrase(engine):
    """OpenCC's phrase table turned 「打坏」 into 「打坯」 (to make adobe): the matcher never saw 坏."""
    n = normalize("师傅把墙打坏了，柜子也磕坏了", engine.segmenter)
    assert "打坏" in n.text and "坯" not in n.text, n.text
    assert normalize("我沒收到货", engine.segmenter).text == "我没收到货"  # a stray Traditional character still converts
    assert normalize("師傅把牆打壞了", engine.segmenter).text == "师傅把墙打坏了"


def test_emoji_and_repeated_punctuation_are_folded(engine):
    n = normalize("太慢了😡😡！！！！？？？", engine.segmenter)
    assert n.text == "太慢了!?"


def test_mentions_are_kept_for_escalation_but_not_matched(engine):
    n = normalize("@某品牌客服 @CCTV315 手机坏了", engine.segmenter)
    assert "cctv315" in n.mentions
    assert "客服" not in n.text and "cctv315" in n.full


def test_tokens_use_the_domain_dictionary(engine):
    assert "头皮屑" in normalize("洗完头皮屑更多了", engine.segmenter).tokens


def test_the_library_segmentation_cache_never_serves_stale_words(tmp_path):
    # The engine caches how the library's phrases segment; a word added to the library must still count.
    texts = ["收到的货不对板", "這個產品質量太差了"]
    plain = Segmenter(cache_dir=tmp_path)
    first = normalize_many(texts, plain)
    assert first == normalize_many(texts, plain) == [(n.text, n.tokens) for n in (normalize(t, plain) for t in texts)]
    assert "货不对板" not in first[0][1]
    with_word = Segmenter(["货不对板"], cache_dir=tmp_path)
    assert "货不对板" in normalize_many(texts, with_word)[0][1]


def test_a_broken_segmentation_cache_is_rebuilt(tmp_path):
    segmenter = Segmenter(["头皮屑"], cache_dir=tmp_path)
    texts = ["洗完头皮屑更多了"]
    expected = normalize_many(texts, segmenter)
    for cached in tmp_path.glob("phrases-*.json"):
        cached.write_text('[["x", 1]', encoding="utf-8")
    assert normalize_many(texts, segmenter) == expected
