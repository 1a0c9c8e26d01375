"""Accounts on the pages (issue 13): a display name the drafts sign with, a lead resetting a password (shown once,
never cached, and replaced by the person before any other page opens) and deactivating an account (its session and API
token stop at once, its replies stay counted)."""

import re
import sqlite3
from urllib.parse import parse_qs, unquote, urlsplit

import sqlite_utils
from bs4 import BeautifulSoup
from helpers import make_reply, sign_in

from assistant.log.auth import add_user, change_password, check_password, list_users, reset_password, user_for_token
from assistant.log.db import migrations, open_db
from assistant.log.stats import weekly_stats

DOUBLE_CHARGE = "同一笔订单被扣了两次钱，多扣的钱到现在都没退"


def _drafts(client, csrf, text=DOUBLE_CHARGE) -> list[str]:
    page = client.post("/compose/suggest", data={"text": text, "platform": "taobao"}, headers={"X-CSRF-Token": csrf})
    return [t.get_text() for t in BeautifulSoup(page.text, "html.parser").select("textarea.reply")]


def test_drafts_sign_with_the_display_name_and_the_log_keeps_the_login_name(make_client):
    client, db = make_client()
    user = add_user(db, "xiaolin", "agent", display_name="小林")
    csrf = sign_in(client, "xiaolin", user.password)
    drafts = _drafts(client, csrf)
    assert any("我是小林" in d for d in drafts), drafts
    assert not any("xiaolin" in d for d in drafts)
    api = client.post("/api/v1/suggest", json={"text": DOUBLE_CHARGE}, headers={"Authorization": f"Bearer {user.token}"})
    assert any("我是小林" in d["text"] for d in api.json()["drafts"])
    logged = client.post(
        "/api/v1/replies",
        json={"complaint": DOUBLE_CHARGE, "sent_text": drafts[0], "platform": "taobao"},
        headers={"Authorization": f"Bearer {user.token}"},
    )
    assert logged.status_code == 201
    agent, drafted = db.execute("select agent, drafted_text from replies").fetchone()
    assert agent == "xiaolin" and "我是小林" in drafted  # logged without a token: the engine drafted for 小林 again
    assert "小林（客服）" in client.get("/compose").text


def test_an_account_without_a_display_name_signs_with_a_chinese_login_name_or_as_the_teams_agent(make_client):
    """「我是agent2」 reads like a robot to a customer: a Latin login name without a display name signs as the
    library's 「负责售后的客服」; a Chinese one (「小周」) signs as itself."""
    client, db = make_client()
    latin = add_user(db, "agent2", "agent")
    csrf = sign_in(client, "agent2", latin.password)
    drafts = _drafts(client, csrf)
    assert drafts and not any("agent2" in d for d in drafts) and any("负责售后的客服" in d for d in drafts)
    client.cookies.clear()
    chinese = add_user(db, "小周", "agent")
    csrf = sign_in(client, "小周", chinese.password)
    assert any("我是小周" in d for d in _drafts(client, csrf))


def test_a_lead_sets_and_changes_a_display_name_on_the_accounts_page(make_client):
    client, db = make_client()
    lead = add_user(db, "组长", "lead")
    csrf = sign_in(client, "组长", lead.password)
    created = client.post("/users", data={"csrf": csrf, "name": "mei", "role": "agent", "display_name": "小美"})
    assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
    assert {u["name"]: u["display_name"] for u in list_users(db)}["mei"] == "小美"
    changed = client.post("/users/display-name", data={"csrf": csrf, "name": "mei", "display_name": "美美"})
    assert changed.status_code == 200 and "已把“mei”的显示名改好" in changed.text
    assert {u["name"]: u["display_name"] for u in list_users(db)}["mei"] == "美美"
    too_long = client.post("/users/display-name", data={"csrf": csrf, "name": "mei", "display_name": "长" * 40})
    assert too_long.status_code == 400 and "显示名最多 32 个字" in too_long.text
    unknown = client.post("/users/password", data={"csrf": csrf, "name": "nobody"})
    assert unknown.status_code == 404 and "账号“nobody”不存在" in unknown.text


def test_a_password_reset_is_shown_once_and_ends_the_old_sessions(make_client):
    lead_client, db = make_client()
    agent_client, _ = make_client()
    lead = add_user(db, "组长", "lead")
    agent = add_user(db, "xiaolin", "agent")
    lead_csrf = sign_in(lead_client, "组长", lead.password)
    sign_in(agent_client, "xiaolin", agent.password)
    assert agent_client.get("/replies").status_code == 200

    reset = lead_client.post("/users/password", data={"csrf": lead_csrf, "name": "xiaolin"})
    assert reset.status_code == 200 and reset.headers["cache-control"] == "no-store"
    password = BeautifulSoup(reset.text, "html.parser").select_one("#reset-password").get_text()
    assert password and password != agent.password
    assert password not in lead_client.get("/users").text

    after = agent_client.get("/replies", follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"].startswith("/login")
    assert check_password(db, "xiaolin", agent.password) is None
    sign_in(agent_client, "xiaolin", password)
    assert agent_client.get("/replies").status_code == 200


def test_a_deactivated_account_stops_at_once_and_its_replies_stay_counted(make_client, engine):
    lead_client, db = make_client()
    agent_client, _ = make_client()
    lead = add_user(db, "组长", "lead")
    agent = add_user(db, "xiaolin", "agent")
    make_reply(db, engine, agent="xiaolin")
    lead_csrf = sign_in(lead_client, "组长", lead.password)
    sign_in(agent_client, "xiaolin", agent.password)
    bearer = {"Authorization": f"Bearer {agent.token}"}
    assert agent_client.post("/api/v1/suggest", json={"text": "快递一个星期还没到"}, headers=bearer).status_code == 200

    done = lead_client.post("/users/active", data={"csrf": lead_csrf, "name": "xiaolin", "active": "0"})
    assert done.status_code == 200 and "已停用“xiaolin”" in done.text
    assert agent_client.get("/compose", follow_redirects=False).status_code == 303
    assert agent_client.post("/api/v1/suggest", json={"text": "快递一个星期还没到"}, headers=bearer).status_code == 401
    login = agent_client.get("/login")
    csrf = BeautifulSoup(login.text, "html.parser").select_one("input[name=csrf]")["value"]
    refused = agent_client.post("/login", data={"name": "xiaolin", "password": agent.password, "csrf": csrf})
    assert refused.status_code == 403 and "这个账号已经停用" in refused.text
    wrong = agent_client.post("/login", data={"name": "xiaolin", "password": "not-it", "csrf": csrf})
    assert wrong.status_code == 400 and "停用" not in wrong.text  # a wrong password does not learn the account's state
    assert weekly_stats(db, "2026-W47").total.sent == 1
    assert [f.key for f in weekly_stats(db, "2026-W47").breakdowns["agent"]] == ["xiaolin"]

    self_off = lead_client.post("/users/active", data={"csrf": lead_csrf, "name": "组长", "active": "0"})
    assert self_off.status_code == 400 and "不能停用自己" in self_off.text
    lead_client.post("/users/active", data={"csrf": lead_csrf, "name": "xiaolin", "active": "1"})
    sign_in(agent_client, "xiaolin", agent.password)


def test_an_existing_log_upgrades_in_place(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(sqlite3.connect(path))
    migrations.apply(old, stop_before="m007_account_fields")
    old["users"].insert({"name": "老王", "role": "agent", "password_hash": "x", "token_hash": "y", "active": 1})
    old.close()
    db = open_db(path)
    assert [(u["name"], u["display_name"]) for u in list_users(db)] == [("老王", None)]
    assert db.execute("select session_epoch, must_change_password from users").fetchone() == (0, 0)


def test_an_agent_changes_their_own_password_and_other_sessions_end(make_client):
    """我的账号: the one-time password is replaced by one the agent chose; wrong, short or mismatched input is refused in
    Chinese and changes nothing; another browser signed in before the change is signed out."""
    from helpers import sign_in

    from assistant.log.auth import add_user, check_password

    client, db = make_client()
    agent = add_user(db, "小林", "agent")
    csrf = sign_in(client, "小林", agent.password)
    other, _ = make_client()
    sign_in(other, "小林", agent.password)
    page = client.get("/account")
    assert page.status_code == 200 and "修改密码" in page.text and "小林" in page.text
    form = {"csrf": csrf, "current": agent.password, "new": "我的新密码-2026", "repeat": "我的新密码-2026"}
    for changes, message in [
        ({"repeat": "不一样的密码-2026"}, "两次输入的新密码不一样"),
        ({"new": "短", "repeat": "短"}, "新密码要 10 到 128 个字符"),
        ({"current": "wrong-password"}, "现在的密码不对"),
    ]:
        refused = client.post("/account/password", data={**form, **changes})
        assert refused.status_code == 400 and message in refused.text
        assert check_password(db, "小林", agent.password) is not None  # nothing changed
    done = client.post("/account/password", data=form)
    assert done.status_code == 200 and "密码已修改" in done.text
    assert check_password(db, "小林", agent.password) is None and check_password(db, "小林", "我的新密码-2026").name == "小林"
    assert client.get("/compose").status_code == 200  # this browser stays signed in
    assert other.get("/compose", follow_redirects=False).status_code == 303  # the other one is signed out


def test_a_script_request_on_a_revoked_session_gets_401_in_chinese_not_the_login_page(make_client):
    """The password changed on another device ends this browser's session while its draft page is open (REVIEW11 #4): its
    htmx post of 标记为已发送 followed a 303 and the login page was swapped into the draft card, the reply not logged
    and nothing saying so. A script's request now gets 401 and a Chinese reason; a page opened in the browser still goes
    to the login page."""
    client, db = make_client()
    agent = add_user(db, "xiaoyu", "agent")
    csrf = sign_in(client, "xiaoyu", agent.password)
    suggestion = client.post(
        "/compose/suggest", data={"text": DOUBLE_CHARGE, "platform": "taobao"}, headers={"X-CSRF-Token": csrf}
    )
    token = re.search(r'name="suggestion" value="([^"]+)"', suggestion.text).group(1)
    change_password(db, "xiaoyu", "在别的电脑上改的密码-2026")  # as 我的账号 on another device does
    sent = {"complaint": DOUBLE_CHARGE, "sent_text": "您好，多扣的钱今天退回。", "platform": "taobao", "suggestion": token}
    htmx = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    refused = client.post("/compose/sent", data=sent, headers=htmx, follow_redirects=False)
    assert refused.status_code == 401 and "location" not in refused.headers
    assert "登录已失效（密码在别处改过或被重设）" in refused.text and 'id="password"' not in refused.text
    assert db["replies"].count == 0
    phrase = client.post(
        "/compose/phrase",
        data={"template_id": "x", "complaint": DOUBLE_CHARGE},
        headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
        follow_redirects=False,
    )
    assert phrase.status_code == 401 and phrase.json()["detail"].startswith("登录已失效")
    page = client.get("/compose", follow_redirects=False)  # the browser asking for a page: to the login page, as before
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/compose"


def _login(client, name: str, password: str, next: str = "/compose"):
    """Post the login form like a browser; the answer is not followed."""
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    data = {"name": name, "password": password, "csrf": csrf, "next": next}
    return client.post("/login", data=data, follow_redirects=False)


def _next_of(response) -> str:
    """Where a redirect to 我的账号 sends the person once the password is changed."""
    location = urlsplit(response.headers["location"])
    assert location.path == "/account", response.headers["location"]
    return parse_qs(location.query)["next"][0]


def _must_change(db, name: str) -> bool:
    return {u["name"]: bool(u["must_change_password"]) for u in list_users(db)}[name]


def test_a_reset_password_must_be_replaced_before_any_other_page(make_client):
    """The password a lead reads off 账号 opens only 我的账号 (and signing out) until the person has chosen their own;
    then they go on to the page they asked for, the lead's list no longer marks them, and the reset password is dead."""
    lead_client, db = make_client()
    agent_client, _ = make_client()
    lead = add_user(db, "组长", "lead")
    agent = add_user(db, "xiaolin", "agent")
    lead_csrf = sign_in(lead_client, "组长", lead.password)
    assert BeautifulSoup(lead_client.get("/users").text, "html.parser").select(".must-change") == []

    reset = lead_client.post("/users/password", data={"csrf": lead_csrf, "name": "xiaolin"})
    one_time = BeautifulSoup(reset.text, "html.parser").select_one("#reset-password").get_text()
    assert "先改成自己的密码" in reset.text
    users = BeautifulSoup(lead_client.get("/users").text, "html.parser")
    assert users.select_one("tr[data-name=xiaolin] .must-change").get_text() == "待本人改密码"
    assert users.select_one("tr[data-name='组长'] .must-change") is None

    signed_in = _login(agent_client, "xiaolin", one_time, next="/replies")
    assert signed_in.status_code == 303 and _next_of(signed_in) == "/replies"
    for path in [
        "/",
        "/compose",
        "/compose?text=快递没到",
        "/replies",
        "/library",
        "/triage",
        "/help",
        "/compose/phrases?q=退款",
    ]:
        refused = agent_client.get(path, follow_redirects=False)
        assert refused.status_code == 303 and unquote(_next_of(refused)) == path, path
    account = agent_client.get("/account?next=/replies")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', account.text).group(1)
    drafted = agent_client.post(
        "/compose/suggest",
        data={"text": DOUBLE_CHARGE, "platform": "taobao"},
        headers={"X-CSRF-Token": csrf},
        follow_redirects=False,
    )
    assert drafted.status_code == 303 and _next_of(drafted) == "/compose"  # nothing drafted
    soup = BeautifulSoup(account.text, "html.parser")
    assert "一次性密码（组长在“账号管理”页设置的" in soup.select_one("#must-change").get_text()
    assert soup.select_one("nav a[href='/compose']") is None and soup.select_one("form.logout button") is not None
    assert soup.select_one("#password-form input[name=next]")["value"] == "/replies"
    assert agent_client.get("/static/app.css").status_code == 200
    bearer = {"Authorization": f"Bearer {agent.token}"}  # a separate secret the reset neither shows nor changes
    assert agent_client.post("/api/v1/suggest", json={"text": DOUBLE_CHARGE}, headers=bearer).status_code == 200

    form = {"csrf": csrf, "current": one_time, "new": one_time, "repeat": one_time, "next": "/replies"}
    same = agent_client.post("/account/password", data=form)
    assert same.status_code == 400 and "新密码和现在的密码一样" in same.text and _must_change(db, "xiaolin")
    form |= {"new": "小林自己的密码-2026", "repeat": "小林自己的密码-2026"}
    changed = agent_client.post("/account/password", data=form, follow_redirects=False)
    assert changed.status_code == 303 and changed.headers["location"] == "/replies"
    assert not _must_change(db, "xiaolin")
    assert agent_client.get("/compose", follow_redirects=False).status_code == 200
    assert BeautifulSoup(lead_client.get("/users").text, "html.parser").select(".must-change") == []
    assert check_password(db, "xiaolin", one_time) is None
    assert _login(agent_client, "xiaolin", one_time).status_code == 400
    assert _login(agent_client, "xiaolin", "小林自己的密码-2026").headers["location"] == "/compose"


def test_a_person_on_a_handed_out_password_can_sign_out_and_is_never_sent_off_site(make_client):
    client, db = make_client()
    add_user(db, "xiaolin", "agent")
    one_time = reset_password(db, "xiaolin")  # as `assistant users reset-password` does
    assert _next_of(_login(client, "xiaolin", one_time, next="//evil.example/x")) == "/compose"
    account = client.get("/account", params={"next": "https://evil.example/"})
    assert BeautifulSoup(account.text, "html.parser").select_one("#password-form input[name=next]")["value"] == "/compose"
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', account.text).group(1)
    out = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/account", follow_redirects=False).headers["location"].startswith("/login")

    _login(client, "xiaolin", one_time)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/account").text).group(1)
    form = {"csrf": csrf, "current": one_time, "new": "小林自己的密码-2026", "repeat": "小林自己的密码-2026"}
    changed = client.post("/account/password", data={**form, "next": "//evil.example/x"}, follow_redirects=False)
    assert changed.status_code == 303 and changed.headers["location"] == "/compose"


def test_who_must_change_a_password(make_client):
    """A lead's reset and an account made on 账号 (its password shown to the lead) must be changed; ``add_user`` alone
    (tests, scripts) keeps today's accounts; a change clears it. The CLI's printed passwords: tests/test_cli.py."""
    client, db = make_client()
    lead = add_user(db, "组长", "lead")
    assert check_password(db, "组长", lead.password).must_change_password is False
    csrf = sign_in(client, "组长", lead.password)
    created = client.post("/users", data={"csrf": csrf, "name": "mei", "role": "agent"})
    password = BeautifulSoup(created.text, "html.parser").select_one("#created-password").get_text()
    assert "第一次登录时要先改成自己的密码" in created.text
    assert check_password(db, "mei", password).must_change_password is True
    assert _next_of(_login(make_client()[0], "mei", password)) == "/compose"
    assert add_user(db, "wang", "agent", must_change_password=True) and _must_change(db, "wang")
    change_password(db, "wang", "王自己的密码-2026")
    assert not _must_change(db, "wang") and not _must_change(db, "组长")


def test_an_agent_replaces_their_api_token_on_my_account_and_the_old_one_stops_at_once(make_client):
    """我的账号's 换一个新令牌: the new token is shown once (never cached) and answers the API; the old one gets 401 at
    once, while the password and this session keep working. A session still on a handed-out password cannot do it."""
    import pytest

    from assistant.errors import NotFound
    from assistant.log.auth import new_token

    client, db = make_client()
    agent = add_user(db, "xiaolin", "agent")
    csrf = sign_in(client, "xiaolin", agent.password)
    account = BeautifulSoup(client.get("/account").text, "html.parser")
    assert "API 令牌" in account.get_text() and account.select_one("#token-form button").get_text() == "换一个新令牌"
    assert account.select_one("#new-token") is None  # no token shown until one is made
    assert client.post("/account/token", data={}).status_code == 403  # no CSRF token: refused, nothing changed
    assert user_for_token(db, agent.token).name == "xiaolin"

    answer = client.post("/account/token", data={"csrf": csrf})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    soup = BeautifulSoup(answer.text, "html.parser")
    field = soup.select_one("input#new-token")
    token = field["value"]
    assert field.has_attr("readonly") and "旧令牌已经失效" in soup.select_one("#token-done").get_text()
    assert token != agent.token and len(token) >= 43
    for bearer, status in [(agent.token, 401), (token, 200)]:
        api = client.post("/api/v1/suggest", json={"text": DOUBLE_CHARGE}, headers={"Authorization": f"Bearer {bearer}"})
        assert api.status_code == status, api.text
    assert client.get("/compose").status_code == 200 and check_password(db, "xiaolin", agent.password).name == "xiaolin"
    assert "new-token" not in client.get("/account").text  # shown once: a later visit does not show it again

    one_time = reset_password(db, "xiaolin")
    flagged, _ = make_client()
    _login(flagged, "xiaolin", one_time)
    page = flagged.get("/account")
    assert "换一个新令牌" not in page.text  # first the password of one's own
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    refused = flagged.post("/account/token", data={"csrf": csrf}, follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/account")
    assert user_for_token(db, token).name == "xiaolin"  # unchanged
    with pytest.raises(NotFound):
        new_token(db, "nobody")


def test_two_leads_adding_case_twins_at_once_get_one_account_and_a_clear_refusal(tmp_path):
    """Two 账号 pages adding 「Xiaolin」 and 「xiaolin」 at the same moment: the twin check and the insert are one
    transaction, so one is added and the other is told why (both went through, or one hit a raw constraint error)."""
    import threading

    from assistant.errors import InvalidInput

    path = tmp_path / "a.db"
    open_db(path).close()
    for round_ in range(3):
        names = [f"Xiaolin{round_}", f"xiaolin{round_}"]
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def add(name: str, barrier: threading.Barrier = barrier, outcomes: list[str] = outcomes) -> None:
            db = open_db(path)
            barrier.wait()
            try:
                add_user(db, name, "agent")
                outcomes.append("added")
            except InvalidInput as e:
                outcomes.append("only in case" if "only in case" in str(e) else str(e))
            finally:
                db.close()

        threads = [threading.Thread(target=add, args=(n,)) for n in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["added", "only in case"]
        assert sum(u["name"].lower() == names[1] for u in list_users(open_db(path))) == 1


def test_a_password_change_returns_the_epoch_its_own_update_set(tmp_path):
    db = open_db(tmp_path / "a.db")
    add_user(db, "xiaolin", "agent")
    epoch = change_password(db, "xiaolin", "a-new-password-1")
    assert epoch == db.execute("select session_epoch from users where name = 'xiaolin'").fetchone()[0]
    reset_password(db, "xiaolin")
    assert change_password(db, "xiaolin", "a-new-password-2") == epoch + 2  # the reset moved it once, the change once
