import json

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


# REVIEW11 #6: the cache sat at a fixed /tmp/assistant that any local account could create first: a file there stopped
# every start with a FileExistsError traceback, and a folder it owned could hold a planted phrase cache that changed
# how complaints were recognised. Now the default is the user's own cache folder, and one that is not a private folder
# is passed over with a warning (everything built in memory).
TEXTS = ["快递一个星期还没到", "洗完头皮屑更多了"]


def _segments(segmenter: Segmenter) -> list:
    return normalize_many(TEXTS, segmenter)


def test_the_default_cache_folder_is_the_users_own_not_the_shared_temp_folder(tmp_path, monkeypatch):
    from assistant.config import Settings, default_cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert Settings().cache_dir == default_cache_dir() == tmp_path / "xdg" / "assistant"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert Settings().cache_dir == tmp_path / "home" / ".cache" / "assistant"
    segmenter = Segmenter(["头皮屑"])  # no cache_dir: the default
    assert segmenter.cache_dir == tmp_path / "home" / ".cache" / "assistant"
    assert segmenter.cache_dir.stat().st_mode & 0o777 == 0o700


def test_a_file_where_the_cache_folder_should_be_is_a_warning_not_a_traceback(tmp_path, caplog):
    reference = _segments(Segmenter(["头皮屑"], cache_dir=tmp_path / "good"))
    planted = tmp_path / "assistant"
    planted.write_text("", encoding="utf-8")  # another account's `touch /tmp/assistant`
    segmenter = Segmenter(["头皮屑"], cache_dir=planted)
    assert segmenter.cache_dir is None and "not using the cache folder" in caplog.text
    assert _segments(segmenter) == reference  # built in memory, the same segmentation
    assert planted.is_file() and planted.read_text(encoding="utf-8") == ""


def test_suggest_and_the_engine_start_with_a_file_where_the_cache_folder_should_be(tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from assistant.cli import cli

    planted = tmp_path / "cachefile"
    planted.write_text("", encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(planted))
    result = CliRunner().invoke(cli, ["suggest", "快递一个星期还没到", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["intents"][0]["id"] == "logistics_delay"


def test_a_cache_folder_others_may_write_to_is_not_read(tmp_path, caplog):
    """What is planted in a folder others may write to (a phrase cache with chosen segmentations) is never read,
    and nothing is written there."""
    shared = tmp_path / "shared"
    reference = _segments(Segmenter(["头皮屑"], cache_dir=shared))  # fills the phrase cache
    [cached] = shared.glob("phrases-*.json")
    cached.write_text(json.dumps([[text, ["planted"]] for text in TEXTS], ensure_ascii=False), encoding="utf-8")
    shared.chmod(0o777)
    before = sorted(p.name for p in shared.iterdir())
    segmenter = Segmenter(["头皮屑"], cache_dir=shared)
    assert segmenter.cache_dir is None and "others may write to it" in caplog.text
    assert _segments(segmenter) == reference
    assert sorted(p.name for p in shared.iterdir()) == before
    shared.chmod(0o700)
    assert _segments(Segmenter(["头皮屑"], cache_dir=shared))[0][1] == ("planted",)  # the same file, when it is private


def test_a_cache_folder_of_another_user_is_not_read(tmp_path, caplog, monkeypatch):
    import os

    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(os, "getuid", lambda: folder.stat().st_uid + 1)  # as if another account had created it
    segmenter = Segmenter(cache_dir=folder)
    assert segmenter.cache_dir is None and "belongs to another user" in caplog.text
    assert list(folder.iterdir()) == []


def test_the_plain_text_fast_path_never_keeps_what_the_filter_drops():
    """``clean`` skips its per-character filter of emoji, symbols and joiners when every character is in ``_PLAIN``: no
    character there may be one the filter drops (^ and ` are symbols to Unicode, and so is 〒)."""
    import unicodedata

    from assistant.engine.normalize import _EMOJI_CATEGORIES, _JOINERS, _PLAIN

    kept = [chr(c) for c in range(0x110000) if _PLAIN.fullmatch(chr(c))]
    assert len(kept) > 20000  # the ideographs, ASCII and CJK punctuation
    dropped = [ch for ch in kept if ch in _JOINERS or unicodedata.category(ch) in _EMOJI_CATEGORIES]
    assert not dropped, dropped
