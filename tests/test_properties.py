"""Property tests (Hypothesis) of the pure core: normalisation, matching, the whole suggestion, sincerity.

Whatever Unicode an agent pastes (emoji, control characters, RTL marks, zero-width
joiners, combining marks, very long runs, template syntax), the stages never raise,
answer the same way twice, keep scores in range and never leak template syntax
into a draft. ``engine.suggest`` may refuse a complaint only with ``InvalidInput``,
and only for empty/whitespace-only text or text over ``max_chars``.
"""

from __future__ import annotations

import time
import unicodedata
from datetime import datetime

import pytest

pytest.importorskip("hypothesis", reason="property tests need hypothesis (in the [test] extra: pip install -e '.[test]')")

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from assistant.engine.match import match_intents
from assistant.engine.normalize import FOREIGN, SIMPLIFIED, normalize
from assistant.engine.sincerity import check_sincerity
from assistant.errors import InvalidInput

NOW = datetime(2026, 11, 23, 9, 0)
LIMIT = 5000
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
TEMPLATE_MARKERS = ("{{", "}}", "{%", "%}", "{#")

# Pieces of real complaints and of hostile paste, mixed with arbitrary text below.
FRAGMENTS = [
    "快递一个星期还没到",
    "收到的杯子碎了",
    "客服也不回消息",
    "我要去12315投诉",
    "孩子吃了过敏住院了",
    "再不处理我就找律师",
    "发票一直没给开",
    "这個產品質量太差了，開機就壞",
    "没有破损，物流很快",
    "最不满意的是客服态度",
    "订单号:2026112312345678",
    "电话13812345678",
    "@品牌客服",
    "@CCTV315",
    "https://item.taobao.com/x?id=1",
    "ＡＢＣ１２３",
    "！！！！？？？",
    "。。。",
    "😡😡😡",
    "👨‍👩‍👧‍👦",
    "🇨🇳",
    "\u200d",
    "\ufe0f",
    "\u200b",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\x00",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\u3000",
    "e\u0301",
    "\U0010fffd",
    "\ue000",
    "&lt;script&gt;",
    "&amp;",
    "<b>差评</b>",
    "{{ 7*7 }}",
    "{% raw %}",
    "${7*7}",
    "[",
    "]",
    "“",
    "”",
    "垃圾",
    "退款",
    "假货",
    "漏发",
]

control_and_format = st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me", "So", "Sk", "Co", "Cn"])
complaints = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12), st.characters()), max_size=40).map("".join),
    st.text(alphabet=control_and_format, max_size=200),
    st.builds(
        lambda piece, n: (piece * n)[: LIMIT + 2],
        st.one_of(st.characters(), st.sampled_from(FRAGMENTS)),
        st.integers(1, LIMIT + 2),
    ),
    st.builds(
        lambda head, n, tail: head + "快" * n + tail, st.text(max_size=20), st.integers(LIMIT - 30, LIMIT), st.text(max_size=40)
    ),
)
fields = st.one_of(st.none(), st.text(max_size=100), st.sampled_from(FRAGMENTS))


def acceptable(text: str) -> bool:
    """What ``check_text`` admits: non-blank and at most ``LIMIT`` characters."""
    return bool(text.strip()) and len(text) <= LIMIT


def suggest(engine, text: str, **kwargs):
    """``engine.suggest`` or ``None`` when it refused with InvalidInput; refusing acceptable text is a failure."""
    try:
        result = engine.suggest(text, now=NOW, **kwargs)
    except InvalidInput:
        assert not acceptable(text), f"InvalidInput for an acceptable complaint of {len(text)} characters: {text[:80]!r}"
        return None
    assert acceptable(text), f"a complaint of {len(text)} characters (blank={not text.strip()}) was not refused"
    return result


# --- normalisation and matching -------------------------------------------------------------------------------------


@PROPERTY
@given(text=complaints)
@example(text="")
@example(text="\u202e\u200f" * 2500)
@example(text="😡" * LIMIT)
def test_normalize_never_raises_and_folds_what_it_promises(engine, text):
    n = normalize(text, engine.segmenter)
    assert n.original == text
    for field in (n.full, n.text):
        assert isinstance(field, str) and field == field.strip()
        assert "  " not in field
        # emoji, private-use and unassigned characters removed; runs of one punctuation mark folded to one
        assert not any(unicodedata.category(ch) in {"So", "Cs", "Co", "Cn"} for ch in field), ascii(field[:200])
    assert all(isinstance(t, str) and t.strip() and any(ch.isalnum() for ch in t) for t in n.tokens)
    assert all(0 <= b <= len(n.text) for b in n.boundaries)
    assert normalize(text, engine.segmenter) == n  # deterministic


@PROPERTY
@given(text=complaints, with_model=st.booleans())
@example(text="", with_model=True)
@example(text="\x00\x00\x00", with_model=False)
def test_match_intents_never_raises_and_ranks_scores_in_range(engine, text, with_model):
    n = normalize(text, engine.segmenter)
    model = engine.model if with_model else None
    matches = match_intents(n, engine.index, model)
    assert 1 <= len(matches) <= 3
    scores = [m.score for m in matches]
    assert all(0.0 <= s <= 1.0 for s in scores), scores
    assert scores == sorted(scores, reverse=True), scores
    assert len({m.id for m in matches}) == len(matches)
    assert all(m.id in engine.index.intent_ids for m in matches)
    assert [m.to_dict() for m in match_intents(n, engine.index, model)] == [m.to_dict() for m in matches]


# --- the whole suggestion -------------------------------------------------------------------------------------------


@PROPERTY
@given(text=complaints, customer=fields, product=fields, order_id=fields)
@example(text=" \t\u3000\n", customer=None, product=None, order_id=None)
@example(text="差" * (LIMIT + 1), customer=None, product=None, order_id=None)
@example(text="差" * LIMIT, customer=None, product=None, order_id=None)
@example(text="\u200b", customer=None, product=None, order_id=None)
@example(text="@品牌客服", customer=None, product=None, order_id=None)
def test_suggest_never_raises_is_deterministic_and_well_formed(engine, text, customer, product, order_id):
    given_fields = {"customer": customer, "product": product, "order_id": order_id}
    s = suggest(engine, text, **given_fields)
    if s is None:
        return
    first = s.to_dict()
    again = engine.suggest(text, now=NOW, **given_fields).to_dict()
    assert again == first

    contract = {"kind", "intents", "escalation", "drafts"}
    assert contract <= set(first) <= contract | {"script", "note"}
    assert ("script" in first) == (s.normalized.script != SIMPLIFIED)
    scores = [m.score for m in s.intents]
    assert 1 <= len(scores) <= 3 and all(0.0 <= x <= 1.0 for x in scores), scores
    assert scores == sorted(scores, reverse=True), scores
    assert all(0.0 <= m["score"] <= 1.0 for m in first["intents"])

    inputs = " ".join([text, s.normalized.full, *(v for v in given_fields.values() if v)])
    if s.normalized.script == FOREIGN:  # not Chinese: a note instead of drafts (issue 12)
        assert s.drafts == () and s.note
        return
    assert 1 <= len(s.drafts) <= 3
    for draft in s.drafts:
        assert draft.text.strip()
        for marker in TEMPLATE_MARKERS:
            if marker not in inputs:  # a literal quote of the complaint or a field may carry it; a template never
                assert marker not in draft.text, (marker, draft.template_id, draft.text)
                assert marker not in (draft.private or ""), (marker, draft.template_id, draft.private)
        score = draft.sincerity.score
        assert isinstance(score, int) and not isinstance(score, bool) and 0 <= score <= 100


@settings(max_examples=40, deadline=None)
@given(text=complaints.filter(acceptable))
def test_suggest_text_is_the_same_whatever_the_clock_reads_in_the_morning(engine, text):
    """Only the deadline depends on ``now``: two morning times give the same answer."""
    a = engine.suggest(text, now=datetime(2026, 11, 23, 9, 0)).to_dict()
    b = engine.suggest(text, now=datetime(2026, 11, 23, 10, 30)).to_dict()
    assert a == b


# --- sincerity ------------------------------------------------------------------------------------------------------


@PROPERTY
@given(reply=complaints, complaint=st.one_of(st.none(), complaints), public=st.booleans())
@example(reply="", complaint=None, public=True)
@example(reply="好评返现，亲，给您带来不便深表歉意" * 300, complaint="快递太慢", public=True)
@example(reply="\ud800", complaint="質量\udfff太差", public=True)  # a lone surrogate: OpenCC cannot encode it
def test_check_sincerity_never_raises_and_scores_0_to_100(reply, complaint, public):
    result = check_sincerity(reply, complaint, public=public)
    assert isinstance(result.score, int) and not isinstance(result.score, bool)
    assert 0 <= result.score <= 100
    assert all(isinstance(f, str) and f for f in result.findings)
    assert (result.score == 100) == (not result.findings)
    assert check_sincerity(reply, complaint, public=public) == result


# --- template injection ---------------------------------------------------------------------------------------------

PAYLOADS = [
    ("{{ 7*7 }}", ["49"]),
    ("{{ ''.__class__.__mro__ }}", ["<class", "object'>"]),
    ("{% for x in range(10**9) %}x{% endfor %}", ["xxxxxxxxxx"]),
    ("{% for x in range(10**9) %}", ["xxxxxxxxxx"]),
    ("${7*7}", ["49"]),
    ("<%= 7*7 %>", ["49"]),
    ("{{ config }}", ["Config", "SECRET"]),
    ("{{ self.__init__.__globals__ }}", ["__builtins__", "<module"]),
]
SURROUNDINGS = ["{} 快递太慢", "快递一个星期还没到{}", "客服{}态度太差了，我要投诉", "{}", "收到的杯子碎了，{}，退款！"]


@pytest.mark.parametrize("payload,evaluated", PAYLOADS, ids=[p for p, _ in PAYLOADS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(surrounding=st.sampled_from(SURROUNDINGS), where=st.sampled_from(["text", "customer", "product", "order_id", "agent"]))
def test_template_injection_is_inert(engine, payload, evaluated, surrounding, where):
    text = surrounding.format(payload) if where == "text" else surrounding.format("")
    assume(text.strip())
    extra = {} if where == "text" else {where: payload}
    started = time.perf_counter()
    s = engine.suggest(text, now=NOW, **extra)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"suggest took {elapsed:.2f}s on {payload!r}"
    assert s.drafts or s.normalized.script == FOREIGN  # a payload alone is not Chinese: a note, no drafts
    for draft in s.drafts:
        for body in (draft.text, draft.private or ""):
            # the payload may be quoted as literal text; what remains must hold no trace of evaluation
            rest = body.replace(payload, "")
            for folded in {normalize(payload, engine.segmenter).full, payload.strip()}:
                rest = rest.replace(folded, "")
            for trace in evaluated:
                if trace not in text:
                    assert trace not in rest, (payload, where, draft.template_id, body)
