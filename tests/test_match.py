import json
from pathlib import Path

import pytest

from assistant.engine.draft import UNSURE
from assistant.engine.match import match_intents
from assistant.engine.normalize import normalize

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"


def matched(engine, text):
    """The ranked intents as the product computes them: keyword evidence and the shipped model together."""
    return match_intents(normalize(text, engine.segmenter), engine.index, engine.model)


def intents(engine, text):
    return [m.id for m in matched(engine, text)]


def test_scores_are_sorted_and_in_unit_range(engine):
    matches = matched(engine, "快递一个星期还没到，打电话也没人接")
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores)
    assert matches[0].id == "logistics_delay"
    assert matches[0].matched


def test_complaint_with_two_grievances_gets_both_intents(engine):
    found = intents(engine, "漏发了配件,客服还不理人")
    assert found[0] == "wrong_missing_item"
    assert "service_attitude" in found


def test_negated_damage_is_not_damaged_delivery(engine):
    scores = {m.id: m.score for m in matched(engine, "包装完好没有破损,但是开机就坏了")}
    assert max(scores, key=scores.__getitem__) == "quality_defect" and scores["quality_defect"] >= 0.5
    assert scores.get("damaged_delivery", 0) < 0.1  # the model still sees 破损: at most a distant third thought
    drafts = engine.suggest("包装完好没有破损,但是开机就坏了").drafts
    assert not any(d.intent == "damaged_delivery" for d in drafts)


def test_praise_does_not_count_as_complaint(engine):
    assert intents(engine, "物流很快，客服态度也很好，就是衣服掉色严重")[0] == "quality_defect"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("降价了两百，申请保价被拒", "price_promotion"),
        ("收到的酸奶已经过期三天了", "expired_spoiled"),
        ("怀疑是假货，和专柜的味道完全不一样", "counterfeit"),
        ("发票一直没给开", "billing_invoice"),
        ("安装师傅迟到了一整天，还乱收费", "installation_repair"),
        ("用了以后脸上过敏起红疹", "safety_hazard"),
        ("买完就接到各种骚扰电话，个人信息被泄露了", "privacy_security"),
        ("太差了，不推荐", "other"),
    ],
)
def test_common_complaints(engine, text, expected):
    assert intents(engine, text)[0] == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("The kettle stopped working after 2 days!!", "quality_defect"),
        ("iPhone 15 pro max 屏幕 broken", "quality_defect"),
        ("12345", None),  # nothing to recognise: no intent reaches the confidence a draft is written on
        ("？？？", None),
    ],
)
def test_english_mixed_and_symbol_text_gets_a_ranked_answer(engine, text, expected):
    matches = matched(engine, text)
    assert all(0 <= m.score <= 1 for m in matches)
    if expected is None:
        assert matches[0].score < UNSURE, matches[0]
    else:
        assert matches[0].id == expected


def _labelled_texts() -> list[str]:
    """Every complaint of dev.jsonl and train.jsonl (the test skips, saying why, where ../shared is absent)."""
    paths = [SHARED / "dev.jsonl", SHARED / "train.jsonl"]
    if not all(p.exists() for p in paths):
        pytest.skip(f"labelled sets not found in {SHARED} (../shared is absent in this checkout)")
    return [json.loads(line)["text"] for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_fuzzy_word_cap_leaves_every_real_complaint_whole(engine):
    """The fuzzy comparison reads at most FUZZY_TOKENS content words (it bounds a 5,000-character paste); no labelled
    complaint comes near it, so none is judged on part of its text."""
    from assistant.engine.evidence import FUZZY_TOKENS, STOPWORDS

    normalized = [normalize(text, engine.segmenter) for text in _labelled_texts()]
    assert max(len([t for t in n.tokens if t not in STOPWORDS]) for n in normalized) < FUZZY_TOKENS / 2


def test_the_word_cap_leaves_every_real_complaint_whole(engine):
    """Words are found in the first SEGMENT_CHARS characters only (it bounds a 5,000-character paste); no labelled
    complaint comes near it, so none is judged on part of its words."""
    from assistant.engine.normalize import SEGMENT_CHARS

    assert max(len(normalize(text, engine.segmenter).text) for text in _labelled_texts()) < SEGMENT_CHARS / 2


def test_a_long_paste_is_read_for_its_intent_up_front_and_for_escalation_to_the_end(engine):
    # A chat log pasted whole: the grievance comes first, the threat to go to the regulator at the very end.
    filler = "我想再说一下当时的情况，" * 300
    text = "买的电热水壶用了两周就不加热了，" + filler + "再不处理我就打12315投诉你们"
    assert len(text) > 3000
    suggestion = engine.suggest(text)
    assert suggestion.intents[0].id == "quality_defect"
    assert suggestion.escalation.escalate
    assert "legal_threat" in [r.id for r in suggestion.escalation.reasons]


@pytest.mark.parametrize(
    "text",
    [
        "买的电热水壶用了两周就不加热了，客服也不回消息",
        "衣服颜色和图片差太多了",
        "快递盒子压扁了，里面的杯子碎了",
        "少发了一件，只收到两件",
    ],
)
def test_the_words_shown_for_an_intent_are_whole_words_of_the_complaint(engine, text):
    """The model's n-grams are shown only where they read as words: "图片" or "差太多", never "片差" or "周就不"."""
    normalized = normalize(text, engine.segmenter)
    shown = engine.suggest(text).intents[0].matched
    assert shown and all(normalized.reads_as_words(w) for w in shown), shown


def test_a_phrase_reads_as_words_on_word_boundaries_or_inside_one_word(engine):
    normalized = normalize("衣服颜色和图片差太多了", engine.segmenter)
    assert normalized.reads_as_words("图片") and normalized.reads_as_words("和图片") and normalized.reads_as_words("图")
    assert not normalized.reads_as_words("片差")
    assert not normalize("孩子用了这个奶粉过敏", engine.segmenter).reads_as_words("了这个")  # starts with the word before's 了
    assert normalized.reads_as_words("不在文中")  # not judged: nothing to highlight wrongly


def test_latin_letters_read_as_a_word_only_whole(engine):
    """A draft page highlighted the "im" of "sim卡" and the "pt" of a pasted "<script>" as matched words."""
    normalized = normalize("收到的sim卡激活不了，ipad也连不上", engine.segmenter)
    assert normalized.reads_as_words("sim") and normalized.reads_as_words("ipad")
    assert not normalized.reads_as_words("im") and not normalized.reads_as_words("ad")
    shown = engine.suggest("收到的sim卡激活不了 <script>alert(1)</script>").intents[0].matched
    assert shown and not any(w in {"im", "pt", "ip", "sc"} for w in shown), shown


def test_pronouns_particles_and_a_dangling_preposition_are_not_shown_as_evidence(engine):
    """An escalation banner once read 隐私泄露：我的、把我、客服把."""
    normalized = normalize("客服把我的手机号发到群里了", engine.segmenter)
    assert not normalized.reads_as_words("我的") and not normalized.reads_as_words("把我")
    assert not normalized.reads_as_words("客服把") and normalized.reads_as_words("手机号")
    wanted = normalize("我要的是黑色的，发来的是白色", engine.segmenter)  # 错发漏发：我要、黑色 showed 我要
    assert not wanted.reads_as_words("我要") and wanted.reads_as_words("黑色")


@pytest.mark.parametrize("text", ["这条裤子m码的比我上次买的xl码还长", "外套l号比xxl号还肥，坑人"])
def test_a_size_that_fits_like_another_size_is_read_confidently_as_not_as_described(engine, text):
    """The size chart is wrong (TAXONOMY: not_as_described): the agent sees it named with confidence, and the word
    pattern that says so is shown; a question comparing two sizes' prices is not it."""
    first = matched(engine, text)[0]
    assert first.id == "not_as_described" and first.score > 0.8, first
    assert any("码" in w or "号" in w for w in first.matched), first.matched
    assert intents(engine, "s码比m码便宜吗？")[0] != "not_as_described"


@pytest.mark.parametrize("text", ["电热毯用了两晚就不热了", "取暖器用了一周就不出热风了", "晾衣架的夹子一夹就断"])
def test_a_fault_that_names_no_harm_is_not_a_safety_hazard(engine, text):
    """TAXONOMY: safety needs actual harm or hazard. An electric blanket that stopped heating was read as a safety
    hazard (0.66) and drafted 「请先停止使用这件商品，人没事最要紧」."""
    s = engine.suggest(text)
    assert s.intents[0].id == "quality_defect", [(m.id, round(m.score, 2)) for m in s.intents]
    assert not s.drafts[0].template_id.startswith(("safety_hazard.", "offline."))
    assert any(w in text for w in s.intents[0].matched)  # the words shown are for the intent now first


@pytest.mark.parametrize("text", ["电热毯用了两晚就冒烟了", "取暖器漏电，手被电了一下", "折叠桌突然合上，夹到手了"])
def test_a_fault_that_names_a_harm_is_still_a_safety_hazard(engine, text):
    s = engine.suggest(text)
    assert s.intents[0].id == "safety_hazard"
    assert s.escalation.escalate


def test_every_safety_example_phrasing_in_the_library_names_a_harm(engine):
    """A safety_hazard example the guard would not let come first is a phrasing of harm ``HARM`` misses: widen it."""
    from assistant.engine.escalate import rule_hits
    from assistant.engine.match import HARM

    for t in engine.library.templates:
        if t.group == "safety_hazard":
            for example in t.examples:
                n = normalize(example, engine.segmenter)
                assert HARM.search(n.text) or "safety" in rule_hits(n, engine.rules), (t.id, example)


def test_the_fuzzy_shortcut_skips_no_example_the_scorer_would_have_scored(engine):
    """``PhraseShapes.could_reach`` leaves out examples whose word and character counts cannot reach the fuzzy
    cutoff. Were its bound ever too low, a complaint would lose an example that fits it: every example the scorer
    scores at or above the cutoff against the library's own phrasings, cut short or shuffled, must be kept."""
    import random

    import numpy as np
    from rapidfuzz import process

    from assistant.engine.evidence import FUZZY_CUTOFF, SCORER, _content

    index = engine.index
    rng = random.Random(0)
    examples = [e for t in engine.library.templates for e in t.examples]
    texts = rng.sample(examples, 150)
    texts += [t[: len(t) // 2] for t in texts[:50]] + ["".join(rng.sample(t, len(t))) for t in texts[:50]]
    texts += [a + "，" + b for a, b in zip(texts[:50], texts[50:100])]
    everything = np.arange(len(index.phrases))
    kept = scored = 0
    for text in texts:
        query = _content(normalize(text, engine.segmenter).tokens)
        if not query:
            continue
        scores = process.cdist([query], index.phrases, scorer=SCORER, score_cutoff=FUZZY_CUTOFF)[0]
        reach = index.shapes.could_reach(query, everything, FUZZY_CUTOFF)
        assert not np.any((scores > 0) & ~reach), [index.phrases[p] for p in np.nonzero((scores > 0) & ~reach)[0]]
        kept, scored = kept + reach.sum(), scored + (scores > 0).sum()
    assert scored > 300  # the texts are close to some examples: the check had something to check
    assert kept < 3 * scored  # and the shortcut skips nearly all the others


def test_the_fuzzy_bound_holds_for_any_words():
    """The bound against ``token_set_ratio`` itself, on words drawn from a few characters so that texts share words,
    contain one another and differ by one character as often as not."""
    import random

    import numpy as np
    from rapidfuzz import fuzz

    from assistant.engine.evidence import PhraseShapes

    rng = random.Random(1)

    def text():
        return " ".join("".join(rng.choices("甲乙丙ab", k=rng.randint(1, 4))) for _ in range(rng.randint(1, 8)))

    phrases = [text() for _ in range(400)]
    shapes = PhraseShapes([frozenset(p.split()) for p in phrases])
    for _ in range(200):
        query = text()
        for cutoff in (30, 55, 80):
            reach = shapes.could_reach(query, np.arange(len(phrases)), cutoff)
            for p, phrase in enumerate(phrases):
                assert reach[p] or fuzz.token_set_ratio(query, phrase) < cutoff, (query, phrase, cutoff)
