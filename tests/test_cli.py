import csv
import io
import json
import re
from datetime import UTC

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.log.db import open_db
from assistant.taxonomy import INPUT_HEADINGS


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help(run, name):
    assert cli.commands[name].help, f"{name} is missing its help"
    result = run(name, "-h")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_suggest_json_follows_the_contract(run):
    result = run("suggest", "快递三天了还没到，客服也不回消息！", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"kind", "intents", "escalation", "drafts"}
    assert data["intents"][0]["id"] == "logistics_delay"
    assert all(set(i) == {"id", "score", "matched"} and 0 <= i["score"] <= 1 for i in data["intents"])
    assert set(data["escalation"]) == {"escalate", "reasons", "action"}
    draft = data["drafts"][0]
    assert {"template_id", "intent", "text", "sincerity"} <= set(draft)
    assert set(draft["sincerity"]) == {"score", "findings"}


def test_suggest_reads_stdin(run):
    result = run("suggest", "-", "--json", input="收到的衣服掉色严重".encode())
    assert json.loads(result.output)["intents"][0]["id"] == "quality_defect"


def test_suggest_readable_summary(run):
    result = run("suggest", "用了过敏了，我要打12315")
    assert "转线下" in result.output and "safety" in result.output and "草稿 1" in result.output


@pytest.mark.parametrize(
    "args,input,message",
    [
        (["suggest", ""], None, "Error: complaint text is empty\n"),
        (["suggest", "   \n "], None, "Error: complaint text is empty\n"),
        (["suggest", "差" * 5001], None, "Error: complaint text is 5001 characters; the limit is 5000\n"),
        (["suggest", "-"], b"\xff\xfe\xfa bad", "Error: stdin is not valid UTF-8 (byte 0)\n"),
        (["check", " "], None, "Error: reply text is empty\n"),
    ],
)
def test_bad_input_gives_one_line_and_nonzero_exit(run, args, input, message):
    result = run(*args, input=input)
    assert result.exit_code == 1
    assert result.output == message


def test_eval_rejects_a_malformed_jsonl_line(run, tmp_path):
    path = tmp_path / "labelled.jsonl"
    path.write_text('{"text": "太慢了", "intent": "logistics_delay"}\n{"text": 太差\n', encoding="utf-8")
    result = run("eval", str(path), "--json")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}:2: not valid JSON")
    assert result.output.count("\n") == 1


def test_eval_json_has_the_contract_fields(run, tmp_path):
    path = tmp_path / "labelled.jsonl"
    rows = [
        {"text": "快递一个星期还没到", "intent": "logistics_delay", "escalate": False, "reasons": []},
        {"text": "用了过敏，已经去医院了", "intent": "safety_hazard", "escalate": True, "reasons": ["safety"]},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    data = json.loads(run("eval", str(path), "--json").output)
    assert set(data) == {"n", "top1", "top3", "escalation", "per_intent", "latency_ms"}
    assert data["n"] == 2 and data["top1"] == 1.0
    assert data["escalation"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert set(data["latency_ms"]) == {"p50", "p99"}


def test_triage_csv_sorts_by_severity_and_keeps_columns(run, tmp_path):
    source = tmp_path / "backlog.csv"
    source.write_text(
        'order,text\nA1,物流有点慢\nA2,\nA3,孩子用了过敏住院了，我要投诉到12315\nA4,=HYPERLINK("x")太差了\n',
        encoding="utf-8",
    )
    out = tmp_path / "triaged.csv"
    result = CliRunner().invoke(cli, ["triage", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{source}:3: skipped: complaint text is empty" in result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["order"] for r in rows][0] == "A3"
    assert rows[0]["escalate"] == "True" and "safety" in rows[0]["reasons"]
    assert {r["line"] for r in rows} == {"1", "3", "4"}
    assert {r["file_line"] for r in rows} == {"2", "4", "5"}  # the numbering the skipped-row warning (:3:) uses
    assert all(r["draft"] for r in rows)
    assert next(r for r in rows if r["order"] == "A4")["text"].startswith("'=")


@pytest.mark.parametrize("encoding", ["gbk", "utf-16"])
def test_triage_reads_the_files_excel_writes_on_a_chinese_windows(run, tmp_path, encoding):
    """「CSV (逗号分隔)」 is GBK and 「Unicode 文本」 is UTF-16 with tabs: both are read, as the 批量分拣 page reads them."""
    source = tmp_path / ("backlog.csv" if encoding == "gbk" else "backlog.txt")
    sep = "," if encoding == "gbk" else "\t"
    source.write_bytes(f"订单号{sep}text\nA1{sep}物流有点慢\nA2{sep}孩子用了过敏住院了\n".encode(encoding))
    out = tmp_path / "triaged.csv"
    result = CliRunner().invoke(cli, ["triage", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [(r["订单号"], r["text"]) for r in rows] == [("A2", "孩子用了过敏住院了"), ("A1", "物流有点慢")]


def test_triage_of_a_file_in_no_known_encoding_says_so_in_one_line(run, tmp_path):
    source = tmp_path / "backlog.csv"
    source.write_bytes(b"\xff\xfe\xfftext\x00\x81")
    result = CliRunner().invoke(cli, ["triage", str(source)])
    assert result.exit_code == 1
    assert result.output == f"Error: {source} is not UTF-8, UTF-16 or GBK text; save it as UTF-8\n"


def test_triage_refuses_a_quote_that_never_closes_rather_than_merging_the_lines_after_it(run, tmp_path):
    source = tmp_path / "backlog.csv"
    source.write_text('text,shop\n"快递没到,天猫\n电热水壶坏了,店\n孩子被烫伤了，我要去12315投诉,店\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["triage", str(source)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {source}: line 2: a quote opens a cell that never closes; the lines after it would be one complaint\n"
    )


def test_triage_keeps_the_files_own_columns_as_they_were(run, tmp_path):
    """A short row (trailing empty cells dropped, as Excel exports do) keeps empty cells, not the text "None"; a column
    named like one of triage's own ("severity") is kept as input_severity, not overwritten; JSONL null and objects
    come out as empty and as JSON."""
    source = tmp_path / "backlog.csv"
    source.write_text("text,shop,note,severity\n快递一个星期还没到,天猫店\n杯子碎了,京东店,加急,高\n", encoding="utf-8")
    out = tmp_path / "triaged.csv"
    assert CliRunner().invoke(cli, ["triage", str(source), "--out", str(out)]).exit_code == 0
    rows = {r["shop"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))}
    assert rows["天猫店"]["note"] == "" and rows["天猫店"]["input_severity"] == ""
    assert rows["京东店"]["note"] == "加急" and rows["京东店"]["input_severity"] == "高"
    assert float(rows["京东店"]["severity"]) > 0

    source = tmp_path / "backlog.jsonl"
    source.write_text('{"text": "杯子碎了", "note": null, "order": {"id": "A1"}}\n', encoding="utf-8")
    out = tmp_path / "triaged2.csv"
    assert CliRunner().invoke(cli, ["triage", str(source), "--out", str(out)]).exit_code == 0
    (row,) = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))
    assert row["note"] == "" and json.loads(row["order"]) == {"id": "A1"}


def test_triage_plain_text_to_jsonl(run, tmp_path):
    source = tmp_path / "backlog.txt"
    source.write_text("快递太慢了\n\n收到的杯子碎了\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["triage", str(source), "--format", "jsonl"])
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["line"] for r in records) == [1, 2]
    assert {"line", "text", "intents", "escalate", "reasons", "severity", "draft"} <= set(records[0])


def test_triage_jsonl_reports_a_malformed_line(run, tmp_path):
    source = tmp_path / "backlog.jsonl"
    source.write_text('{"text": "快递太慢了", "shop": "s1"}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["triage", str(source), "--format", "jsonl"])
    assert result.exit_code == 0
    assert f"{source}:2: skipped: not valid JSON" in result.stderr
    assert json.loads(result.stdout.splitlines()[0])["shop"] == "s1"


def test_triage_csv_without_a_complaint_column_fails_cleanly(run, tmp_path):
    source = tmp_path / "backlog.csv"
    source.write_text("comment\n太差了\n", encoding="utf-8")
    result = run("triage", str(source))
    assert result.exit_code == 1
    accepted = ", ".join(INPUT_HEADINGS["text"])
    assert result.output == f"Error: {source} has no complaint column (columns: comment); head it one of: {accepted}\n"


def test_check_json(run):
    data = json.loads(run("check", "亲，给您带来不便深表歉意", "--json").output)
    assert set(data) == {"score", "findings"} and data["score"] < 50


def test_lint_exit_codes(run, tmp_path):
    ok = run("lint", "--json")
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.output)
    assert set(data) == {"templates", "by_intent", "by_reason", "problems"} and data["problems"] == []
    broken = tmp_path / "replies"
    broken.mkdir()
    (broken / "other.yaml").write_text("intent: nope\n", encoding="utf-8")
    result = run("lint", str(broken))
    assert result.exit_code == 1
    assert result.output.startswith("replies/other.yaml:1: 'intent' must be one of")


def test_users_add_prints_password_and_token_once(run, tmp_path):
    db_path = tmp_path / "log.db"
    data = json.loads(run("users", "add", "小林", "--role", "agent", "--db", str(db_path), "--json").output)
    assert set(data) == {"name", "role", "password", "token"} and data["role"] == "agent"
    again = run("users", "add", "小林", "--role", "agent", "--db", str(db_path))
    assert again.exit_code == 1 and again.output == "Error: user '小林' already exists\n"


def test_a_password_users_add_prints_opens_only_my_account_until_it_is_changed(run, settings, make_client):
    """Whoever ran `assistant users add` knows the password they hand on: at the first sign-in the person chooses their own."""
    from helpers import replace_handed_out_password

    from assistant.log.auth import check_password

    printed = run("users", "add", "xiaolin", "--role", "agent", "--db", str(settings.db_path))
    assert printed.exit_code == 0 and "one-time: it must be changed at the first sign-in" in printed.output
    assert "(must change password)" in run("users", "list", "--db", str(settings.db_path)).output
    password = re.search(r"password: (\S+)", printed.output).group(1)
    client, db = make_client()
    replace_handed_out_password(client, "xiaolin", password, "小林自己的密码-2026")  # sent to 我的账号 first
    assert client.get("/replies").status_code == 200
    assert check_password(db, "xiaolin", password) is None
    assert check_password(db, "xiaolin", "小林自己的密码-2026").must_change_password is False


def test_the_first_lead_serve_prints_must_choose_their_own_password(run, settings, make_client, monkeypatch):
    """The first start prints the first lead's password to a terminal or a journal: it opens only 我的账号 until changed."""
    import uvicorn
    from helpers import replace_handed_out_password

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)  # the account is made before the server runs
    from helpers import free_port

    started = run("serve", "--port", free_port(), "--db", str(settings.db_path))
    assert "Created the first lead account 'lead'" in started.output
    assert "one-time: it must be changed at the first sign-in" in started.output
    password = re.search(r"password: (\S+)", started.output).group(1)
    client, _ = make_client()
    assert client.get("/stats", follow_redirects=False).headers["location"].startswith("/login")
    replace_handed_out_password(client, "lead", password, "组长自己的密码-2026")  # sent to 我的账号 first
    assert client.get("/stats").status_code == 200
    again = run("serve", "--port", free_port(), "--db", str(settings.db_path))
    assert "password" not in again.output  # a second start makes no account and prints no password


def test_export_and_import_outcomes_from_the_cli(run, tmp_path, engine):
    from datetime import datetime

    from helpers import make_reply

    from assistant.log.db import open_db

    db_path = tmp_path / "log.db"
    db = open_db(db_path)
    ids = [make_reply(db, engine, now=datetime(2026, 11, 18, 2, tzinfo=UTC)) for _ in range(2)]
    bad = tmp_path / "bad.csv"
    bad.write_text(f"reply_id,result\n{ids[0]},upgraded\n{ids[1]},great\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import-outcomes", str(bad), "--db", str(db_path)])
    assert result.exit_code == 1
    assert f"{bad}:3: result 'great' is not one of" in result.stderr
    assert db["outcomes"].count == 0
    good = tmp_path / "good.csv"  # as Excel on a Chinese Windows saves it: GBK, with a note in Chinese
    good.write_bytes(f"reply_id,result,note\n{ids[0]},upgraded,客户改了五星\n{ids[1]},unchanged,\n".encode("gbk"))
    assert run("import-outcomes", str(good), "--db", str(db_path)).output == "imported 2 outcome(s)\n"
    assert [r["note"] for r in db["outcomes"].rows] == ["客户改了五星", None]
    out = tmp_path / "w47.csv"
    result = CliRunner().invoke(cli, ["export", "--week", "2026-W47", "--out", str(out), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode("utf-8")
    assert text.startswith("\ufefftable,key,sent,known")
    assert "summary,2026-W47,2,2,0,1,1,0,0,0,0.5," in text


def test_import_outcomes_names_the_rows_changed_since_the_sheet_and_records_nothing_twice(tmp_path, engine):
    """Review 15 #1: a row whose reply got an outcome after the sheet was downloaded is skipped and named; the same file
    again records nothing new."""
    from helpers import make_reply

    from assistant.log.outcomes import record_outcome

    db_path = tmp_path / "log.db"
    db = open_db(db_path)
    first, second = make_reply(db, engine), make_reply(db, engine)
    record_outcome(db, first, "deleted", by="小林")  # after the sheet below was downloaded: its 当前结果 is empty
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(f"编号,当前结果,结果\n{first},,已改好评\n{second},,没有变化\n", encoding="utf-8")
    skipped = f"{sheet}:2: reply {first} got another outcome after the sheet was downloaded (now deleted); not recorded\n"
    result = CliRunner().invoke(cli, ["import-outcomes", str(sheet), "--db", str(db_path)])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "imported 1 outcome(s); 1 skipped (changed after the sheet was downloaded)\n",
        skipped,
    )
    again = CliRunner().invoke(cli, ["import-outcomes", str(sheet), "--db", str(db_path)])
    assert again.stdout == "imported 0 outcome(s); 1 already recorded; 1 skipped (changed after the sheet was downloaded)\n"
    assert [(r["reply_id"], r["result"]) for r in db["outcomes"].rows] == [(first, "deleted"), (second, "unchanged")]


def test_import_outcomes_help_says_rows_may_be_skipped_not_all_or_nothing():
    """Review 15b #10: rows changed since the sheet was downloaded are skipped while the others are recorded."""
    result = CliRunner().invoke(cli, ["import-outcomes", "--help"])
    text = " ".join(result.output.split())
    assert result.exit_code == 0 and "all or nothing" not in text
    assert "if any is bad, every bad row is reported with its line and nothing changes" in text
    assert "is skipped, the newer outcome kept, and reported with its line" in text


def test_explain_names_the_closest_example_beside_the_matched_words():
    result = CliRunner().invoke(cli, ["suggest", "快递一个星期还没到，也没人管", "--explain", "--json"])
    assert result.exit_code == 0, result.output
    top = json.loads(result.output)["intents"][0]
    assert top["closest"] and all(not w.startswith("≈") for w in top["matched"])
    plain = CliRunner().invoke(cli, ["suggest", "快递一个星期还没到，也没人管", "--explain"])
    assert "最接近的例句：" in plain.output


def test_export_makes_a_missing_folder_and_says_in_one_line_what_it_cannot_write(run, tmp_path):
    """Like triage's and backup's --out, export's makes the folder; where it cannot (a file stands there), one line."""
    open_db(tmp_path / "a.db").close()
    result = run("export", "--week", "2026-W47", "--out", str(tmp_path / "new" / "x.csv"), "--db", str(tmp_path / "a.db"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new" / "x.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    for args in (
        ["export", "--week", "2026-W47", "--out", str(tmp_path / "taken" / "x.csv")],
        ["backup", "--out", str(tmp_path / "taken" / "b.db")],
    ):
        result = run(*args, "--db", str(tmp_path / "a.db"))
        assert result.exit_code == 1, result.output
        assert result.output.startswith(f"Error: cannot write {tmp_path / 'taken'}") and result.output.count("\n") == 1


@pytest.mark.parametrize("command", [["users", "add", "zed", "--role", "agent"], ["serve", "--port", "18499"]])
def test_a_log_in_a_folder_that_cannot_be_made_is_one_error_line(tmp_path, monkeypatch, command):
    """The error path stat()ed the missing folder: a 40-line NotADirectoryError traceback instead of the reason
    (REVIEW12 #6)."""
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)  # never reached; nothing may listen if it were
    (tmp_path / "afile").write_text("a file, not a folder", encoding="utf-8")
    where = tmp_path / "afile" / "sub" / "x.db"
    result = CliRunner().invoke(cli, [*command, "--db", str(where)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: cannot open the log at {where}: ") and result.output.count("\n") == 1
    assert "Not a directory" in result.output and isinstance(result.exception, SystemExit)  # no traceback


def test_serve_refuses_a_port_out_of_range_before_loading_anything(run, tmp_path, monkeypatch):
    result = CliRunner().invoke(cli, ["serve", "--port", "99999", "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 2 and "99999 is not in the range 1<=x<=65535" in result.output
    monkeypatch.setenv("ASSISTANT_PORT", "99999")
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 1 and result.output == "Error: port 99999 is not between 1 and 65535 (--port or ASSISTANT_PORT)\n"
    assert not (tmp_path / "a.db").exists()


def test_users_add_takes_a_display_name(run, tmp_path):
    result = run("users", "add", "xiaolin", "--role", "agent", "--display-name", "小林", "--json", "--db", str(tmp_path / "a.db"))
    assert json.loads(result.output)["name"] == "xiaolin"
    from assistant.log.auth import list_users
    from assistant.log.db import open_db

    assert [(u["name"], u["display_name"]) for u in list_users(open_db(tmp_path / "a.db"))] == [("xiaolin", "小林")]


def test_backup_copies_the_log_while_it_is_open_and_never_overwrites(run, tmp_path, engine):
    """Replies still in the -wal file (a server holding the log open) are in the backup, which is one self-contained file."""
    import sqlite3

    from helpers import make_reply

    from assistant.log.db import open_db

    db_path = tmp_path / "data" / "assistant.db"
    db = open_db(db_path)  # stays open, like a running server: nothing is checkpointed into the main file
    db.execute("pragma wal_autocheckpoint = 0")
    ids = [make_reply(db, engine) for _ in range(3)]
    out = tmp_path / "backups" / "copy.db"
    result = run("backup", "--out", str(out), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(out)
    assert [r[0] for r in copy.execute("select id from replies order by id")] == ids
    assert copy.execute("pragma journal_mode").fetchone()[0] == "delete"
    copy.close()
    assert sorted(p.name for p in out.parent.iterdir()) == ["copy.db"]  # no -wal, no leftover partial file
    again = run("backup", "--out", str(out), "--db", str(db_path))
    assert again.exit_code == 1 and again.output.startswith("Error: ") and "already exists" in again.output
    missing = run("backup", "--out", str(tmp_path / "other.db"), "--db", str(tmp_path / "nowhere.db"))
    assert missing.exit_code == 1 and "no outcome log" in missing.output and not (tmp_path / "nowhere.db").exists()
    db.close()


def test_users_reset_deactivate_activate_and_list_from_the_cli(run, tmp_path):
    """The way back in for a lead who lost the password, and a leaver stopped without the web page."""
    from assistant.log.auth import AccountDeactivated, check_password, user_for_token
    from assistant.log.db import open_db

    db_path = str(tmp_path / "a.db")
    lead = json.loads(run("users", "add", "lead", "--role", "lead", "--json", "--db", db_path).output)
    assert "must be changed at the first sign-in" in run("users", "reset-password", "lead", "--db", db_path).output
    reset = run("users", "reset-password", "lead", "--json", "--db", db_path)
    assert reset.exit_code == 0, reset.output
    password = json.loads(reset.output)["password"]
    db = open_db(db_path)
    assert check_password(db, "lead", lead["password"]) is None and check_password(db, "lead", password).name == "lead"

    assert run("users", "deactivate", "lead", "--db", db_path).output == "deactivated lead\n"
    assert user_for_token(db, lead["token"]) is None
    with pytest.raises(AccountDeactivated):
        check_password(db, "lead", password)
    listed = json.loads(run("users", "list", "--json", "--db", db_path).output)
    assert [(u["name"], u["active"], u["must_change_password"]) for u in listed] == [("lead", False, True)]
    assert "(deactivated)  (must change password)" in run("users", "list", "--db", db_path).output

    assert run("users", "activate", "lead", "--db", db_path).exit_code == 0
    assert check_password(db, "lead", password).name == "lead" and user_for_token(db, lead["token"]).name == "lead"
    missing = run("users", "reset-password", "nobody", "--db", db_path)
    assert missing.exit_code == 1 and missing.output.count("\n") == 1 and missing.output.startswith("Error: ")


def test_users_new_token_replaces_a_lost_api_token_from_the_cli(run, tmp_path):
    """An operator replaces a lead's lost (or seen) API token: the printed one works at once, the old one no longer."""
    from assistant.log.auth import check_password, user_for_token
    from assistant.log.db import open_db

    db_path = str(tmp_path / "a.db")
    lead = json.loads(run("users", "add", "lead", "--role", "lead", "--json", "--db", db_path).output)
    printed = run("users", "new-token", "lead", "--db", str(db_path))
    assert printed.exit_code == 0, printed.output
    token = re.search(r"API token: (\S+)", printed.output).group(1)
    assert "old token no longer works" in printed.output
    db = open_db(db_path)
    assert user_for_token(db, lead["token"]) is None and user_for_token(db, token).name == "lead"
    as_json = run("users", "new-token", "lead", "--json", "--db", db_path)
    assert as_json.exit_code == 0, as_json.output
    answer = json.loads(as_json.output)
    assert answer["name"] == "lead" and user_for_token(db, token) is None and user_for_token(db, answer["token"]).name == "lead"
    assert check_password(db, "lead", lead["password"]).name == "lead"  # the password is left as it is
    missing = run("users", "new-token", "nobody", "--db", db_path)
    assert missing.exit_code == 1 and missing.output.count("\n") == 1 and missing.output.startswith("Error: ")


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        (list(range(1, 101)), 99, 99),  # not the maximum: 99 of the 100 latencies are at or below 99
        (list(range(1, 101)), 50, 50),
        (list(range(1, 11)), 50, 5),
        ([1, 2], 50, 1),
        ([7], 99, 7),
        (list(range(1, 1001)), 99, 990),
        ([], 99, 0.0),
    ],
)
def test_eval_latency_percentiles_are_nearest_rank(values, q, expected):
    """`assistant eval` reports p50/p99 by nearest rank: a p99 of 100 timings was their maximum."""
    from assistant.engine.evaluate import percentile

    assert percentile(values, q) == expected


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--week", "2026-W47", "--out", "{tmp}/week.csv"],
        ["import-outcomes", "{tmp}/outcomes.csv"],
        ["users", "list"],
        ["users", "reset-password", "lead"],
        ["suggest", "快递一个星期还没到"],
    ],
)
def test_a_mistyped_log_path_is_refused_not_created(tmp_path, args):
    """`assistant export --db data/asistant.db` wrote an all-zero report from a log it had just created."""
    (tmp_path / "outcomes.csv").write_text("reply_id,result\n1,upgraded\n", encoding="utf-8")
    missing = tmp_path / "asistant.db"
    result = CliRunner().invoke(cli, [a.replace("{tmp}", str(tmp_path)) for a in args] + ["--db", str(missing)])
    assert result.exit_code == 1 and f"no outcome log at {missing}" in result.output
    assert not missing.exists() and not (tmp_path / "week.csv").exists()


def test_a_backup_that_fails_while_copying_leaves_no_partial_file(tmp_path, monkeypatch):
    """A disk that fills during the copy: the error is raised and no half copy (it holds password hashes) is left."""
    import sqlite3

    from assistant.log.db import backup

    db = open_db(tmp_path / "assistant.db")
    out = tmp_path / "backups" / "copy.db"

    class FullDisk:  # a connection whose online backup fails part-way
        def backup(self, target):
            raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(db, "conn", FullDisk())
    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        backup(db, out)
    assert list(out.parent.iterdir()) == []


def test_a_csv_with_two_text_columns_is_refused_not_read_from_the_last(tmp_path):
    """Two columns headed text: the complaints were taken from the second, the first dropped without a word."""
    source = tmp_path / "backlog.csv"
    source.write_text("text,shop,text\n快递一个星期还没到,天猫店,备注\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["triage", str(source)])
    assert result.exit_code == 1 and "2 'text' columns" in result.output


@pytest.mark.parametrize(
    "variable,value,message",
    [
        ("ASSISTANT_MAX_CHARS", "abc", "Error: ASSISTANT_MAX_CHARS: not a whole number: 'abc'\n"),
        ("ASSISTANT_BEHIND_HTTPS", "maybe", "Error: ASSISTANT_BEHIND_HTTPS: not a yes/no value: 'maybe'\n"),
        (
            "ASSISTANT_WEEK_TIMEZONE",
            "Asia/Shangai",
            "Error: ASSISTANT_WEEK_TIMEZONE: unknown time zone 'Asia/Shangai' (e.g. Asia/Shanghai)\n",
        ),
    ],
)
def test_a_malformed_setting_is_named_in_one_line(tmp_path, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(cli, ["suggest", "快递一个星期还没到"])
    assert (result.exit_code, result.output) == (1, message)


def test_triage_into_a_folder_that_cannot_be_made_says_so_before_the_work(tmp_path):
    source = tmp_path / "backlog.csv"
    source.write_text("text\n快递一个星期还没到\n", encoding="utf-8")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["triage", str(source), "--out", str(blocker / "out.csv")])
    assert result.exit_code == 1 and result.output.startswith(f"Error: cannot write {blocker / 'out.csv'}: ")
    assert "triaged" not in result.output  # refused before ranking anything
    made = tmp_path / "new" / "folder" / "out.csv"  # a folder that does not exist yet is made, as export --out does
    assert CliRunner().invoke(cli, ["triage", str(source), "--out", str(made)]).exit_code == 0 and made.exists()


def test_serve_says_in_one_line_why_it_cannot_serve_at_an_address(tmp_path):
    """`serve --host 999.1.1.1` printed 「Serving on…」 before uvicorn failed; a port in use failed the same way."""
    import socket

    result = CliRunner().invoke(cli, ["serve", "--host", "999.1.1.1", "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 1 and result.output.startswith("Error: cannot serve on 999.1.1.1"), result.output
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 1 and f"cannot serve on 127.0.0.1:{port}" in result.output, result.output
    assert "Serving on" not in result.output and not (tmp_path / "a.db").exists()


def test_suggest_only_reads_the_log_and_refuses_a_copy_without_its_key(tmp_path, engine):
    """`assistant suggest --db COPY` on a backup (which holds the log alone) wrote a new secret.key beside it and migrated
    it: every stored buyer and order reference stopped matching, and an unresolved repeat contact was no longer escalated,
    unsaid (REVIEW13 #7). The log is now only read: without its key the command says so in one line and changes nothing;
    with the key copied beside it, the repeat contact is found; a copy from an older version is refused, not migrated."""
    import shutil
    from datetime import datetime, timedelta

    from helpers import make_reply

    from assistant.log.db import load_or_create_secret

    live = tmp_path / "data" / "assistant.db"
    db = open_db(live)
    key = load_or_create_secret(live.parent / "secret.key")
    make_reply(db, engine, "快递一个星期还没到", order_id="88239912345", key=key, now=datetime.now(UTC) - timedelta(hours=2))
    db.close()
    copy = tmp_path / "bk" / "copy.db"
    assert CliRunner().invoke(cli, ["backup", "--out", str(copy), "--db", str(live)]).exit_code == 0
    again = ["suggest", "快递还是没到", "--order-id", "88239912345", "--json", "--db"]

    def folder():
        return {p.name: p.read_bytes() for p in copy.parent.iterdir()}

    on_live = CliRunner().invoke(cli, [*again, str(live)])  # the log itself, in WAL mode
    assert [r["id"] for r in json.loads(on_live.stdout)["escalation"]["reasons"]] == ["repeat_unresolved"]

    before = folder()
    refused = CliRunner().invoke(cli, [*again, str(copy)])
    assert refused.exit_code == 1 and refused.output == (
        f"Error: no secret.key beside the log at {copy}: without the key it was written with, an earlier reply to the "
        "same buyer or order cannot be found; copy that secret.key beside it, or leave out --db\n"
    )
    assert folder() == before  # no key made, nothing migrated or rewritten
    shutil.copy(live.parent / "secret.key", copy.parent / "secret.key")
    before = folder()
    found = CliRunner().invoke(cli, [*again, str(copy)])
    assert found.exit_code == 0, found.output
    assert [r["id"] for r in json.loads(found.stdout)["escalation"]["reasons"]] == ["repeat_unresolved"]
    assert folder() == before

    old = open_db(copy)
    old.execute("delete from _sqlite_migrations where name = (select max(name) from _sqlite_migrations)")
    old.conn.commit()
    old.close()
    stale = CliRunner().invoke(cli, [*again, str(copy)])
    assert stale.exit_code == 1 and stale.output.startswith(f"Error: the log at {copy} is from an older version (1 migration")
    assert (
        open_db(copy, migrate=False).execute("select count(*) from _sqlite_migrations").fetchone()[0]
        == len(open_db(live, migrate=False).execute("select name from _sqlite_migrations").fetchall()) - 1
    )
