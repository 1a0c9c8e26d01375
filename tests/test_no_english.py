"""Everything a user reads on the pages is Chinese (issue 13): every page and every error response, as an agent and as a
lead, holds no English sentence (three English words in a row) in its text, titles, placeholders or labels. Identifiers
(intent ids, template ids, file names in <code>) are not sentences and are left out."""

import io
import re

import pytest
from bs4 import BeautifulSoup
from helpers import make_reply, sign_in

from assistant.log.auth import add_user, set_active

ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ '-]+[A-Za-z]{2,}){2,}")
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


def english_in(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "code", "kbd"]):
        hidden.decompose()
    texts = [soup.get_text(" ", strip=True)]
    texts += [str(tag[a]) for tag in soup.find_all(True) for a in READ_ATTRIBUTES if tag.has_attr(a)]
    texts += [str(tag["value"]) for tag in soup.select("button[value], input[type=submit][value]")]
    return [m.group(0) for text in texts for m in ENGLISH.finditer(text)]


@pytest.fixture
def site(make_client, engine):
    agent_client, db = make_client()
    lead_client, _ = make_client()
    users = {name: add_user(db, name, role) for name, role in [("小林", "agent"), ("组长", "lead"), ("老王", "agent")]}
    reply_id = make_reply(db, engine)
    return agent_client, lead_client, db, users, reply_id


def responses(client, csrf, reply_id, *, lead: bool):
    """(what, response) for every page, partial and error a signed-in user can meet."""
    h = {"X-CSRF-Token": csrf}
    yield "compose", client.get("/compose")
    yield "compose link", client.get("/compose", params={"text": "快递一个星期还没到"})
    yield (
        "suggest",
        client.post("/compose/suggest", data={"text": "孩子用了过敏住院了，我要投诉到12315", "platform": "taobao"}, headers=h),
    )
    yield "suggest empty", client.post("/compose/suggest", data={"text": " ", "platform": "taobao"}, headers=h)
    yield "suggest too long", client.post("/compose/suggest", data={"text": "差" * 6000, "platform": "taobao"}, headers=h)
    yield (
        "sincerity",
        client.post("/compose/sincerity", data={"sent_text": "亲，给您带来不便深表歉意", "complaint": "太差了"}, headers=h),
    )
    sent = {"complaint": "快递太慢了", "platform": "taobao", "suggestion": "x"}
    yield "sent empty", client.post("/compose/sent", data={**sent, "sent_text": " "}, headers=h)
    yield "sent bad token", client.post("/compose/sent", data={**sent, "sent_text": "我们今天18:00前给您查件"}, headers=h)
    yield "sent severe", client.post("/compose/sent", data={**sent, "sent_text": "给个好评返现20元"}, headers=h)
    yield "sent bad rating", client.post("/compose/sent", data={**sent, "sent_text": "我们查件", "rating": "9"}, headers=h)
    yield "phrase unknown", client.post("/compose/phrase", data={"template_id": "no.such"}, headers=h)
    yield "triage", client.get("/triage")
    yield "triage run", client.post("/triage", data={"csrf": csrf, "text": "物流有点慢\n收到的杯子碎了"})
    yield "triage empty", client.post("/triage", data={"csrf": csrf, "text": ""})
    for name, content in [
        ("a.xlsx", b"x"),
        ("a.csv", b"order,body\n1,x\n"),
        ("a.csv", b"\xff\xfe\xff" * 3),
        ("a.csv", b"text\n"),
    ]:
        yield (
            f"triage {name}",
            client.post("/triage", data={"csrf": csrf}, files={"file": (name, io.BytesIO(content), "text/csv")}),
        )
    yield "replies", client.get("/replies")
    yield (
        "replies filtered",
        client.get("/replies", params={"show": "nope", "since": "yesterday", "q": "快递", "platform": "taobao"}),
    )
    yield "reply", client.get(f"/replies/{reply_id}")
    yield "outcome none", client.post(f"/replies/{reply_id}/outcome", data={"csrf": csrf})
    yield "outcome bad", client.post(f"/replies/{reply_id}/outcome", data={"csrf": csrf, "result": "nope", "rating_after": "9"})
    yield "library", client.get("/library")
    yield "library full", client.get("/library", params={"view": "full", "q": "退款"})
    yield "library none", client.get("/library", params={"q": "没有这种模板"})
    yield "help", client.get("/help")
    yield "404", client.get("/no-such-page")
    yield "404 reply", client.get("/replies/999999")
    yield "422 page", client.get("/replies", params={"page": "0"})
    yield "422 form", client.post("/compose/sent", data={"csrf": csrf})
    yield "405", client.get("/compose/sent")
    yield "403 csrf", client.post("/compose/suggest", data={"text": "快递太慢了"})
    yield "account", client.get("/account")
    yield (
        "account mismatch",
        client.post(
            "/account/password", data={"csrf": csrf, "current": "x", "new": "新的密码-123456", "repeat": "另一个密码-123456"}
        ),
    )
    yield "account token", client.post("/account/token", data={"csrf": csrf})
    yield "stats", client.get("/stats")
    yield "stats week", client.get("/stats", params={"week": "2026-W47"})
    yield "stats bad week", client.get("/stats", params={"week": "2026-47"})
    yield "export bad", client.get("/stats/export", params={"week": "2026-W47", "format": "pdf"})
    yield "users", client.get("/users")
    if lead:
        yield "users taken", client.post("/users", data={"csrf": csrf, "name": "小林", "role": "agent"})
        yield "users bad role", client.post("/users", data={"csrf": csrf, "name": "新人", "role": "boss"})
        yield (
            "users long display",
            client.post("/users/display-name", data={"csrf": csrf, "name": "小林", "display_name": "长" * 40}),
        )
        yield "users unknown", client.post("/users/password", data={"csrf": csrf, "name": "nobody"})
        yield "users self", client.post("/users/active", data={"csrf": csrf, "name": "组长", "active": "0"})
        yield "users reset", client.post("/users/password", data={"csrf": csrf, "name": "老王"})
        yield "reload", client.post("/library/reload", headers=h)


def test_no_english_sentence_on_any_page_or_error(site):
    agent_client, lead_client, db, users, reply_id = site
    seen, found = set(), {}
    for client, name, lead in [(agent_client, "小林", False), (lead_client, "组长", True)]:
        csrf = sign_in(client, name, users[name].password)
        for what, response in responses(client, csrf, reply_id, lead=lead):
            seen.add(response.status_code)
            kind = response.headers.get("content-type", "")
            if "text/html" in kind:
                english = english_in(response.text)
            elif "json" in kind:  # the draft page's own JSON (quick phrases): its messages are read too
                english = ENGLISH.findall(str(response.json().get("detail", "")))
            else:
                english = [f"unexpected {kind}: {response.text[:80]}"]
            if english:
                found[f"{name} {what} ({response.status_code})"] = english
    assert {200, 400, 403, 404, 405, 422} <= seen
    assert found == {}


def test_no_english_on_the_signed_out_pages(make_client):
    client, db = make_client()
    user = add_user(db, "小林", "agent")
    page = client.get("/login")
    assert english_in(page.text) == []
    csrf = BeautifulSoup(page.text, "html.parser").select_one("input[name=csrf]")["value"]
    wrong = client.post("/login", data={"csrf": csrf, "name": "小林", "password": "nope"})
    assert wrong.status_code == 400 and english_in(wrong.text) == []
    set_active(db, "小林", False)
    off = client.post("/login", data={"csrf": csrf, "name": "小林", "password": user.password})
    assert off.status_code == 403 and english_in(off.text) == []
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and english_in(missing.text) == []


LIBRARY_MODULES = (
    "load",
    "policy",
    "escalate",
    "model",
    "yamlfile",
)  # what 模板库's 重新载入 reads, so what a lead's edit can break


def library_messages() -> list[str]:
    """Every message a LibraryError or a Problem of the library-reading modules is raised with, each placeholder filled
    with "x": the first argument of ``LibraryError(...)``, the third of ``Problem(...)``, or the text a name given there
    was assigned. Read from the source (ast), so a message added later is walked without being listed here."""
    import ast
    from pathlib import Path

    import assistant.engine

    def sample(node) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = sample(node.left), sample(node.right)
            return None if left is None and right is None else (left or "x") + (right or "x")
        return None

    messages = []
    for module in LIBRARY_MODULES:
        tree = ast.parse((Path(assistant.engine.__file__).parent / f"{module}.py").read_text(encoding="utf-8"))
        texts: dict[str, list[str]] = {}  # name -> the texts assigned to it (a message built before the Problem)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                if (text := sample(node.value)) is not None:
                    texts.setdefault(node.targets[0].id, []).append(text)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            position = {"LibraryError": 0, "Problem": 2}.get(node.func.id)
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Name):
                messages += texts.get(argument.id, [])
            elif isinstance(argument, ast.Attribute):  # e.message: one already raised, passed on
                continue
            else:
                text = sample(argument)
                assert text is not None, f"{module}.py:{argument.lineno}: a message this test cannot read"
                messages.append(text)
    return messages


def test_every_library_problem_a_lead_can_meet_is_said_in_chinese():
    """模板库's 重新载入 shows a library problem through ``messages.library_problem``: each message the library-reading
    modules can raise has a Chinese wording there, so a new English message cannot reach a lead unworded."""
    from assistant.web.messages import library_problem

    messages = library_messages()
    assert len(messages) >= 40, messages  # the walk found them (47 when this was written)
    unworded = [m for m in messages if library_problem("f.yaml", 3, m) == f"f.yaml 第 3 行：{m}"]
    assert unworded == []
    english = {m: ENGLISH.findall(library_problem("f.yaml", 3, m)) for m in messages}
    assert {m: e for m, e in english.items() if e} == {}
