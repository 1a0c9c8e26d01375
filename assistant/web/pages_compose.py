"""写回复, the draft page: the complaint, its reading and drafts (htmx partials), quick phrases, the sincerity badge,
marking a draft as sent."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

from assistant import replying
from assistant.engine.sincerity import check_sincerity
from assistant.errors import InvalidInput, NotFound, UnconfirmedReply
from assistant.log import outcomes
from assistant.log.auth import (
    User,
)
from assistant.log.shown import SuggestionTokenExpired, SuggestionTokenInvalid
from assistant.replying import FIELD_CHARS, Fields, platform_id
from assistant.web.deps import (
    DB,
    Conversion,
    CsrfChecked,
    EngineDep,
    Key,
    OptionalList,
    OptionalText,
    PageUser,
    SettingsDep,
    SigningSecret,
    Text,
    blank,
)
from assistant.web.messages import CHANGE_LABELS, FIELD_LABELS, chinese, listed
from assistant.web.rendering import render

router = APIRouter(include_in_schema=False)


class Prefill(BaseModel):
    """What a page or a link already knows of the complaint: the draft page's fields start filled with it."""

    text: str = ""
    platform: str = "taobao"
    customer: str = ""
    product: str = ""
    order_id: str = ""
    buyer_id: str = ""
    rating: str = ""


@router.get("/compose", response_class=HTMLResponse)
def compose(request: Request, user: PageUser, settings: SettingsDep, given: Annotated[Prefill, Query()]):
    """The draft page; ``?text=`` pre-fills the complaint and drafts at once (bookmarklet, links from other tools), and
    ``platform``, ``customer``, ``product``, ``order_id``, ``buyer_id``, ``rating`` its fields."""
    return _compose_page(request, user, settings, given)


@router.post("/compose", response_class=HTMLResponse, dependencies=[CsrfChecked])
def compose_from_form(request: Request, user: PageUser, settings: SettingsDep, given: Annotated[Prefill, Form()]):
    """The draft page for a complaint posted from another page (批量分拣's 写回复, with what its row knows): as
    ``GET /compose?text=``, but the complaint stays out of the address (browser history, proxies' logs, the server's
    limit on a request head)."""
    return _compose_page(request, user, settings, given)


def _compose_page(request: Request, user: User, settings, given: Prefill):
    fields = {name: getattr(given, name).strip()[: FIELD_CHARS[name]] for name in ("customer", "product", "order_id", "buyer_id")}
    context = {
        "text": given.text[: settings.max_chars],
        "platform": platform_id(given.platform) or "taobao",
        "fields": fields,
        "rating": replying.prefilled_rating(given.rating),
        "max_chars": settings.max_chars,
    }
    return render(request, "compose.html", context, user)


@router.post("/compose/suggest", response_class=HTMLResponse, dependencies=[CsrfChecked])
def compose_suggest(
    request: Request,
    user: PageUser,
    engine: EngineDep,
    db: DB,
    key: Key,
    settings: SettingsDep,
    conversion: Conversion,
    secret: SigningSecret,
    text: Text,
    platform: OptionalText = None,
    customer: OptionalText = None,
    product: OptionalText = None,
    order_id: OptionalText = None,
    buyer_id: OptionalText = None,
    rating: OptionalText = None,
):
    """The suggestion partial: intents, highlighted complaint, escalation banner, the agent's verdict, drafts.

    What it shows travels with the drafts as a signed token, so marking one as sent logs exactly this.
    """
    fields = _fields(platform, customer, product, order_id, buyer_id)
    try:
        suggested = replying.suggest_for_agent(
            engine,
            db,
            text,
            fields,
            agent=user.name,
            signature=user.signature,
            key=key,
            tz=settings.tz,
            secret=secret,
            conversion=conversion,
        )
    except InvalidInput as e:
        return render(request, "_suggestion.html", {"error": chinese(str(e))}, user)
    s = suggested.suggestion
    words = [w for m in s.intents for w in m.matched]
    context = {
        "s": s,
        "segments": highlight(text, words),
        "complaint": text,
        "fields": asdict(fields),
        "rating": replying.prefilled_rating(rating),
        "error": None,
        "shown": suggested.shown,
        "token": suggested.token,
    }
    return render(request, "_suggestion.html", context, user)


@router.get("/compose/phrases")
def compose_phrases(
    user: PageUser,
    engine: EngineDep,
    q: Annotated[str, Query(max_length=100)] = "",
    intent: Annotated[str, Query(max_length=100)] = "",
):
    """Quick phrases matching the words after ``/`` (or in the search box): id, title, first line.

    ``intent``: instead, every template of that intent, its general one first (the verdict panel lists them when the
    agent corrects the intent: the drafts were written for the intent the assistant read)."""
    if intent:
        return {"phrases": [asdict(p) for p in intent_phrases(engine, intent)]}
    return {"phrases": [asdict(p) for p in replying.find_phrases(engine, q)]}


def intent_phrases(engine, intent: str) -> list[replying.Phrase]:
    """The templates of ``intent`` as quick phrases, the general reply first; empty for an id that is no intent."""
    found = [t for t in engine.library.templates if t.kind == "intent" and t.group == intent]
    found.sort(key=lambda t: not t.general)
    return [replying.Phrase(t.id, t.situation, replying.first_sentence(engine.previews[t.id][0]), t.group) for t in found]


@router.post("/compose/phrase", dependencies=[CsrfChecked])
def compose_phrase(
    user: PageUser,
    engine: EngineDep,
    secret: SigningSecret,
    template_id: Text,
    complaint: Text = "",
    customer: OptionalText = None,
    product: OptionalText = None,
    order_id: OptionalText = None,
    within: OptionalText = None,
):
    """One quick phrase's text filled from the complaint on the page, for the draft being edited; ``within`` (1): it goes
    into a draft that has text, so without the greeting and 「我是…」 the draft already has.

    ``picked`` in the answer signs the template and its text for this complaint and agent: a draft replaced by it
    (替换草稿) sends it back when marked as sent, and is logged under this template (``replying.log_sent``)."""
    fields = _fields(None, customer, product, order_id)
    try:
        text = replying.fill_phrase(engine, template_id, complaint, fields, signature=user.signature, within=within == "1")
    except NotFound:
        return JSONResponse({"detail": "没有这个模板，可能模板库刚刚更新过，请重新搜索。"}, status_code=404)
    except InvalidInput as e:
        return JSONResponse({"detail": chinese(str(e))}, status_code=400)
    return {"text": text, "picked": replying.pick_phrase(text, template_id, complaint, agent=user.name, secret=secret)}


@router.post("/compose/sincerity", response_class=HTMLResponse, dependencies=[CsrfChecked])
def compose_sincerity(
    request: Request,
    user: PageUser,
    sent_text: Text = "",
    complaint: Text = "",
    done: OptionalList = None,
    template_id: OptionalText = None,
    recognised: OptionalText = None,
):
    """The live sincerity partial for the draft being edited; ``done``: the phrases of the actions the agent ticked;
    ``recognised``: the intent the assistant showed first (the draft's own badge was scored with it)."""
    result = (
        check_sincerity(sent_text, complaint or None, done=done or (), template_id=template_id, recognised=recognised)
        if sent_text.strip()
        else None
    )
    return render(request, "_sincerity.html", {"sincerity": result}, user)


@router.post("/compose/sent", response_class=HTMLResponse, dependencies=[CsrfChecked])
def compose_sent(
    request: Request,
    user: PageUser,
    engine: EngineDep,
    db: DB,
    key: Key,
    settings: SettingsDep,
    conversion: Conversion,
    secret: SigningSecret,
    complaint: Text,
    sent_text: Text,
    platform: Text,
    template_id: OptionalText = None,
    customer: OptionalText = None,
    product: OptionalText = None,
    order_id: OptionalText = None,
    buyer_id: OptionalText = None,
    rating: OptionalText = None,
    suggestion: OptionalText = None,
    picked: OptionalText = None,
    verdict: OptionalText = None,
    agent_intent: OptionalText = None,
    agent_escalate: OptionalText = None,
    agent_reasons: OptionalList = None,
    done: OptionalList = None,
    confirm_send: OptionalText = None,
):
    """Log a draft as sent, as the suggestion partial showed it, with the agent's verdict.

    ``suggestion`` is the partial's signed token: what it showed is logged, the engine is not asked
    again, and its key makes a second submit of the same complaint answer with the same reply: nothing new is logged,
    but a corrected text or verdict replaces the logged one until an outcome is recorded (``sent.log_shown``), and
    the answer says what changed.
    ``picked`` (a draft replaced by 替换草稿): ``POST /compose/phrase``'s token of the template now in it, logged as
    ``template_id``.
    ``verdict`` marks a post from the verdict panel (an unticked 需要转线下 sends nothing).
    The response announces ``reply-logged`` to lists that care; a refused post answers 400 with the
    message in the draft's status line. A reply that scores 0 for sincerity or has a severe finding (review
    inducement) is logged only with ``confirm_send`` (the 仍然发送 box the refusal shows with its reasons).
    """
    # An empty reply, a rating outside 1-5 and reasons without 需要转线下 are refused by the log (log_reply, parse_rating,
    # agent_verdict), its message said in Chinese by ``chinese``: the page does not check them a second time.
    template_id = blank(template_id)
    given = {"sent_text": sent_text, "complaint": complaint, "platform": platform, "customer": customer, "product": product}
    given |= {"order_id": order_id, "buyer_id": buyer_id, "template_id": template_id}
    for name, value in given.items():
        longest, label = FIELD_CHARS.get(name, settings.max_chars), FIELD_LABELS[name]
        if value is not None and len(value) > longest:
            return _sent_error(request, user, f"{label}最多 {longest} 个字，这次有 {len(value)} 个字，请删减后再标记为已发送。")
    try:
        stars = outcomes.parse_rating(rating)
    except InvalidInput as e:
        return _sent_error(request, user, chinese(str(e)))
    intent, escalate, reasons = None, None, None
    if verdict:  # the verdict panel's fields; the log checks them (agent_verdict) and says which is wrong
        intent = blank(agent_intent)
        escalate = bool(blank(agent_escalate))
        reasons = [r for r in (agent_reasons or []) if r]
    # Without a token (a draft page rendered before suggestion tokens existed, or a script) the engine is asked again.
    try:
        logged = replying.log_sent(
            engine,
            db,
            complaint,
            sent_text,
            _fields(platform, customer, product, order_id, buyer_id),
            agent=user.name,
            key=key,
            tz=settings.tz,
            secret=secret,
            token=suggestion or None,
            template_id=template_id,
            picked=picked or None,
            rating=stars,
            agent_intent=intent,
            agent_escalate=escalate,
            agent_reasons=reasons,
            done=[d for d in (done or []) if d][:20],
            conversion=conversion,
            signature=user.signature,
            confirm_send=bool(blank(confirm_send)),
        )
    except UnconfirmedReply as e:  # the 仍然发送 box, with the reasons
        context = {"reply_id": None, "created": False, "error": None, "confirm": e.problems}
        return render(request, "_sent.html", context, user, status_code=400)
    except SuggestionTokenExpired:
        return _sent_error(request, user, "这份草稿生成太久，已经过期，请重新生成草稿后再标记为已发送。")
    except SuggestionTokenInvalid:
        return _sent_error(request, user, "草稿校验失败（内容被改动过或不是这条投诉的草稿），请重新生成草稿后再标记为已发送。")
    except InvalidInput as e:
        return _sent_error(request, user, chinese(str(e)))
    headers = {"HX-Trigger": "reply-logged"} if logged.action != "repeated" else None
    updated = listed([CHANGE_LABELS[c] for c in logged.changed])  # 「文字」, 「问题类型和转线下判断」
    said = {"reply_id": logged.id, "created": logged.action == "created", "updated": updated, "error": None}
    return render(request, "_sent.html", said, user, headers=headers)


def _sent_error(request: Request, user: User, message: str):
    return render(request, "_sent.html", {"reply_id": None, "created": False, "error": message}, user, status_code=400)


def highlight(text: str, words: list[str]) -> list[tuple[str, bool]]:
    """Split ``text`` into (segment, matched) pieces for the matched words (case-insensitive), for <mark>."""
    words = sorted({w for w in words if w.strip()}, key=len, reverse=True)
    if not words:
        return [(text, False)]
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for m in pattern.finditer(text):
        if m.start() > last:
            out.append((text[last : m.start()], False))
        out.append((m.group(0), True))
        last = m.end()
    if last < len(text):
        out.append((text[last:], False))
    return out


def _fields(
    platform: str | None, customer: str | None, product: str | None, order_id: str | None, buyer_id: str | None = None
) -> Fields:
    return Fields(
        platform=platform or None,
        customer=blank(customer),
        product=blank(product),
        order_id=blank(order_id),
        buyer_id=blank(buyer_id),
    )
