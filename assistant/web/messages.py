"""Chinese wording, for the pages, of the English messages the engine and the log raise.

The JSON API and the CLI keep the English messages (they are for scripts and operators); a page
shows what an agent or a lead reads, so every known message is said in Chinese here. An unknown
message is passed through unchanged. The API's validation errors (422) name each field in Chinese
(``validation_errors``), beside FastAPI's machine-readable ``type`` and ``loc``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.log.worksheet import WORKSHEET
from assistant.taxonomy import ACCOUNT_LABELS, RESULT_LABELS

ROLE_LABELS = {"agent": "客服", "lead": "组长"}
# How an error page names a form field or address part that was missing or malformed.
FIELD_LABELS = {
    "page": "页码",
    "reply_id": "回复编号",
    "q": "搜索词",
    "since": "开始日期",
    "until": "结束日期",
    "week": "周",
    "text": "投诉内容",
    "complaint": "投诉内容",
    "sent_text": "回复内容",
    "platform": "平台",
    "rating": "评分",
    "rating_after": "之后评分",
    "result": "结果",
    "note": "备注",
    "name": ACCOUNT_LABELS["name"],
    "display_name": ACCOUNT_LABELS["display_name"],
    "role": "角色",
    "password": "密码",
    "current": "当前密码",
    "new": "新密码",
    "repeat": "重复新密码",
    "file": "文件",
    "template_id": "模板",
    "agent_intent": "问题类型",
    "agent_reasons": "转线下原因",
    "format": "格式",
    "table": "表格",
    "customer": "顾客称呼",
    "buyer_id": "买家昵称/ID",
    "product": "商品",
    "order_id": "订单号",
    "suggestion": "草稿令牌",
    "idempotency_key": "幂等键",
    "Idempotency-Key": "Idempotency-Key 请求头",
    "agent_escalate": "是否转线下",
    "done": "已做的动作",
    "confirm_send": "仍然发送",
    "body": "请求体",
}

# A page's script request (htmx, fetch) on a session revoked meanwhile (the password changed on another device or reset
# by a lead, the account deactivated): answered 401 with this, not with the login page.
SESSION_LOST = "登录已失效（密码在别处改过或被重设）。请先复制写好的内容，再刷新页面重新登录。"

# What a second 标记为已发送 corrected in a logged reply (``sent.CHANGES``), and what a refused correction names.
CHANGE_LABELS = {"text": "文字", "intent": "问题类型", "escalation": "转线下判断"}
_CORRECTED = {"text": "文字", "verdict": "判断", "text and verdict": "文字和判断"}


# The worksheet's Chinese header of each column an outcome import reads, for its messages.
_SHEET_HEADERS = {column: header for header, column in WORKSHEET if column}


def listed(words: list[str]) -> str:
    """Words as a Chinese list: 「甲」, 「甲和乙」, 「甲、乙和丙」."""
    return "、".join(words[:-1]) + "和" + words[-1] if len(words) > 1 else "".join(words)


# Pydantic's validation error types, said in Chinese for the API's 422 answers; {names} come from the error's context.
_VALIDATION = {
    "missing": "必填，但没有提供",
    "json_invalid": "不是有效的 JSON",
    "model_type": "应该是一个 JSON 对象",
    "model_attributes_type": "应该是一个 JSON 对象",
    "dict_type": "应该是一个 JSON 对象",
    "string_type": "应该是文字",
    "string_too_short": "至少要 {min_length} 个字",
    "blank": "不能只有空格，请填写内容",
    "string_too_long": "最多 {max_length} 个字",
    "int_type": "应该是整数",
    "int_parsing": "应该是整数",
    "int_from_float": "应该是整数",
    "bool_type": "应该是 true 或 false",
    "bool_parsing": "应该是 true 或 false",
    "list_type": "应该是列表",
    "too_short": "至少要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "greater_than": "要大于 {gt}",
    "less_than": "要小于 {lt}",
    "literal_error": "只能是这些值之一：{expected}",
    "rating": "只能是 1 到 5 星",
}


def validation_errors(errors) -> list[dict]:
    """FastAPI's validation errors for a JSON answer: each keeps its ``type`` and ``loc`` (for scripts) and gets ``field``,
    the field's Chinese name, and ``msg``, a Chinese sentence that names it."""
    said = []
    for e in errors:
        loc, kind = list(e.get("loc") or ()), e.get("type", "")
        named = [n for n, part in enumerate(loc) if isinstance(part, str)]
        label = FIELD_LABELS.get(loc[named[-1]], loc[named[-1]]) if named else "请求"
        # An item of a list field (agent_reasons[1]); a JSON syntax error's number is a position in the text, not an item.
        items = loc[named[-1] + 1 :] if named and kind != "json_invalid" else []
        where = "".join(f"第 {part + 1} 项" for part in items if isinstance(part, int))
        context = dict(e.get("ctx") or {})
        if "expected" in context:  # "'csv' or 'xlsx'" -> "csv、xlsx"
            context["expected"] = "、".join(re.findall(r"'([^']*)'", str(context["expected"]))) or context["expected"]
        wording = _VALIDATION.get(kind, "格式不对").format_map(_Blank(context))
        said.append({"type": kind, "loc": loc, "field": label, "msg": f"{label}{where}：{wording}"})
    return said


class _Blank(dict):
    """A context without the value a wording names leaves a "?" rather than failing."""

    def __missing__(self, key):
        return "?"


# A wording: a replacement string, or a function of the match when the English must be reshaped (a list's separators).
Wording = str | Callable[[re.Match[str]], str]

_PATTERNS: list[tuple[re.Pattern[str], Wording]] = [
    (re.compile(r"complaint text is empty"), "投诉内容是空的，请先粘贴顾客的差评或消息。"),
    (
        re.compile(r"complaint text is (\d+) characters; the limit is (\d+)"),
        r"投诉内容有 \1 个字，超过了 \2 个字的上限，请删减后再试。",
    ),
    (re.compile(r"week must look like 2026-W47.*"), "周的格式应该像 2026-W47（2000 到 2099 年的 ISO 周），请重新输入。"),
    (re.compile(r"user name must be 1-64 characters"), "用户名需要 1 到 64 个字符。"),
    (re.compile(r"role must be one of: .*"), "角色只能是客服或组长。"),
    (re.compile(r"user '(.*)' already exists"), r"用户名“\1”已经有人用了，请换一个。"),
    (re.compile(r"user \"(.*)\" already exists"), r"用户名“\1”已经有人用了，请换一个。"),
    (
        re.compile(r"user ['\"](.*)['\"] differs from ['\"](.*)['\"] only in case, width or spaces"),
        r"用户名“\1”和已有的“\2”只差大小写、全角半角或空格，登录时分不清，请换一个。",
    ),
    (re.compile(r"display name must be at most 32 characters"), "显示名最多 32 个字。"),
    (re.compile(r"user '(.*)' not found"), r"账号“\1”不存在。"),
    (re.compile(r"user \"(.*)\" not found"), r"账号“\1”不存在。"),
    (re.compile(r"rating .* is not 1-5"), "评分只能是 1 到 5 星。"),
    (re.compile(r"result must be one of: .*"), "结果不在列表里，请从下拉框里选一个。"),
    (re.compile(r"reply (\d+) not found"), r"回复 \1 不存在。"),
    (
        re.compile(
            r"reply (\d+) was logged more than (\d+) hours ago; its (text|verdict|text and verdict) can no longer be changed"
        ),
        lambda m: f"这条投诉的回复（#{m[1]}）已经记录超过 {m[2]} 小时，不能再改{_CORRECTED[m[3]]}了。",
    ),
    (
        re.compile(r"reply (\d+) already has an outcome recorded; its (text|verdict|text and verdict) can no longer be changed"),
        lambda m: f"这条回复（#{m[1]}）已经登记了结果，{_CORRECTED[m[2]]}不能再改；如需记录新的回复，请重新生成草稿。",
    ),
    (
        re.compile(r"idempotency_key is already used by reply (\d+) to another complaint; use a new key"),
        r"这个幂等键已经用于另一条投诉的回复（#\1），请换一个新的键。",
    ),
    (
        re.compile(r"idempotency_key is already used by another agent's reply; use a new key"),
        "这个幂等键已经被别的客服的回复用过，请换一个新的键。",
    ),
    (re.compile(r"sent_text is empty"), "回复内容是空的，请先写好回复再标记为已发送。"),
    (re.compile(r"agent_intent .* is not one of: .*"), "问题类型不在分类表里，请从列表里选一个。"),
    (re.compile(r"agent_reasons: .* is not one of: .*"), "转线下原因不在分类表里，请从列表里勾选。"),
    (re.compile(r"agent_reasons must be empty when agent_escalate is false"), "没有勾选“需要转线下”，就不用勾选原因。"),
    (re.compile(r"agent_escalate is true: .*"), "勾选了“需要转线下”，请至少勾选一个原因。"),
    (re.compile(r"format must be csv or xlsx; table must be figures or rows"), "只能下载 CSV 或 XLSX 格式的统计或明细。"),
    (
        re.compile(r"(.*) has no complaint column \(columns: (.*)\); head it one of: (.*)"),
        lambda m: (
            f"文件“{m[1]}”里找不到投诉所在的列（找到的列：{'没有' if m[2] == 'none' else '、'.join(m[2].split(', '))}）。"
            f"请把投诉那一列的表头改成其中一个再上传：{'、'.join(m[3].split(', '))}。"
        ),
    ),
    (re.compile(r".* has (\d+) '(.*)' columns; keep one"), r"文件里有 \1 个“\2”列，分不清投诉在哪一列：请只留一个再上传。"),
    (
        re.compile(r".*: line (\d+): a quote opens a cell that never closes.*"),
        r"第 \1 行有一个没有配对的引号：它后面的每一行都会被并成一条投诉。请去掉这个引号后再上传。",
    ),
    (
        re.compile(r".*: cannot read the table \(field larger than field limit.*"),
        "表格里有一格超过 13 万字，读不了：请检查引号是否配对。",
    ),
    (re.compile(r"more cells than columns"), "这一行的格子比表头多（可能是内容里有没加引号的逗号）"),
    (re.compile(r"not valid JSON \((.*)\)"), r"不是有效的 JSON（\1）"),
    (re.compile(r"no complaint field \(.*\)"), "没有投诉内容字段（text、评价内容等）"),
    # An outcome import's problems (``outcomes.import_outcomes``), one per line of the file
    (re.compile(r"missing column\(s\): .*"), "表格缺少“编号”或“结果”列：请用“下载这些回复”得到的表格填写，别改第一行的表头。"),
    (re.compile(r"note is longer than (\d+) characters"), r"备注最多 \1 个字。"),
    (re.compile(r"reply_id '(.*)' is not a number"), r"编号“\1”不对：编号只能是数字（例如 12），请照下载的表格填写。"),
    (re.compile(r"a result without a reply_id"), "填了结果，但没有填编号：请填上编号，或把这一行清空。"),
    (re.compile(r"reply (\d+) is also on line (\d+); keep one"), r"编号 \1 在第 \2 行也有，两行填的不一样：同一条回复只留一行。"),
    (
        re.compile(r"version '(.*)' was changed; download the sheet again"),
        r"“版本”一格被改过（“\1”）：请重新下载表格，在新表格里填写。",
    ),
    (
        re.compile(r"reply (\d+) got another outcome after the sheet was downloaded(?: \(now (\w+)\))?; not recorded"),
        lambda m: (
            f"回复 {m[1]} 的结果在下载表格之后"
            + (f"已改为“{RESULT_LABELS.get(m[2], m[2])}”" if m[2] else "被改过")
            + "，这一行没有登记。"
        ),
    ),
    (
        re.compile(r"the header row cannot be read \(field larger than field limit \((\d+)\)\)"),
        r"表格的第一行（表头）有一格超过 \1 个字，读不出来：请用“下载这些回复”得到的表格填写，别改第一行。",
    ),
    (
        re.compile(r"the header row cannot be read \(.*\)"),
        "表格的第一行（表头）读不出来：请用“下载这些回复”得到的表格填写，别改第一行。",
    ),
    (
        re.compile(r"column '(.*)' appears (\d+) times; keep one"),
        lambda m: f"表格里有 {m[2]} 个“{_SHEET_HEADERS.get(m[1], m[1])}”列：请只留一个再上传。",
    ),
    (re.compile(r"result '(.*)' is not one of: .*"), r"结果“\1”不在列表里，请填：" + "、".join(RESULT_LABELS.values()) + "。"),
    (re.compile(r"rating_after: .*"), "之后的评分只能是 1 到 5 星。"),
    (re.compile(r"a rating or note without a result"), "填了之后的评分或备注，但没有填结果：请填上结果，或把这一行清空。"),
    (re.compile(r"unreadable CSV: .*"), "这一行读不出来（可能是引号没配对），请在 Excel 里另存为 CSV 再上传。"),
    (
        re.compile(r"the file has more than (\d+) rows; import at most (\d+) rows at a time"),
        r"表格超过 \1 行，一次最多登记 \2 条，请分几次上传。",
    ),
    (re.compile(r"cannot open the log at .*"), "记录数据库打不开，请联系管理员。"),
    (
        re.compile(r"template_id .* is not a template of the library"),
        "草稿用的模板不在模板库里（可能刚被删掉），请重新生成草稿后再标记为已发送。",
    ),
]


# The reply library's problems (``load``, ``escalate``, ``model``, ``yamlfile``), as 模板库's 重新载入 says them to a lead;
# the file and line stay as they are. ``assistant lint`` keeps the English (an operator's tool, like the CLI).
# tests/test_no_english.py walks every message those modules raise and checks it has a wording here.
_LIBRARY_PATTERNS: list[tuple[re.Pattern[str], Wording]] = [
    (re.compile(r"YAML: (.*)"), r"YAML 格式不对（常见原因：缩进不齐、冒号后少空格、引号没配对；原文：\1）"),
    (re.compile(r"file is not UTF-8"), "文件不是 UTF-8 编码（记事本的“ANSI”就不是），请另存为 UTF-8"),
    (re.compile(r"file not found"), "找不到这个文件（被删掉或改了名？）"),
    (re.compile(r"a folder where a file should be"), "这里应该是一个文件，现在却是一个文件夹"),
    (re.compile(r"no permission to read the file"), "没有读这个文件的权限"),
    (re.compile(r"cannot read the file"), "文件读不出来"),
    (
        re.compile(r"control character (U\+\S+) is not allowed"),
        r"文件里有看不见的控制字符 \1（常见于从聊天窗口粘贴的文字），请删掉",
    ),
    (re.compile(r"unknown key '(.*)'"), r"不认识的字段“\1”（可能拼错了）"),
    (re.compile(r"duplicate template id '(.*)' \(first in (.*)\)"), r"模板编号“\1”重复了（第一次出现在 \2）"),
    (re.compile(r"template syntax: (.*)"), r"模板写法有误：\1"),
    (re.compile(r"unknown placeholder\(s\): (.*?); allowed: (.*)"), r"不认识的占位符：\1（可用的有：\2）"),
    (re.compile(r"template '(.*)': '(.*)' is required text"), r"模板“\1”缺少“\2”，它必须是一段文字"),
    (re.compile(r"template '(.*)': needs at least one example complaint"), r"模板“\1”至少要有一条示例投诉（examples）"),
    (
        re.compile(r"template '(.*)': offline templates need a 'private' follow-up script"),
        r"线下邀约模板“\1”需要私信话术（private）",
    ),
    (re.compile(r"template '(.*)': '(.*)' must be a list of text"), r"模板“\1”的“\2”必须是文字列表"),
    (re.compile(r"template '(.*)': 'general' must be true or false"), r"模板“\1”的 general 只能是 true 或 false"),
    (re.compile(r"template id '(.*)' must start with '(.*)'"), r"模板编号“\1”要以“\2”开头"),
    (re.compile(r"template 'id' must look like .*"), "模板编号要写成“问题类型.情形”（小写英文字母、点和下划线）"),
    (re.compile(r"'(.*)' has two general templates: '(.*)' and '(.*)'"), r"“\1”有两个通用模板：“\2”和“\3”，只能留一个"),
    (re.compile(r"'(.*)' must be one of: (.*)"), r"“\1”只能是这些之一：\2"),
    (re.compile(r"a template must be a mapping"), "每个模板都要写成“字段: 内容”的形式"),
    (re.compile(r"'(.*)' must be a list"), r"“\1”必须是一个列表"),
    (re.compile(r"(?:'(.*)'|pattern '(.*)'): bad regular expression: (.*)"), r"正则表达式写错了（\1\2）：\3"),
    (re.compile(r"'(.*)\.severity' must be a whole number from 1 up"), r"“\1”的 severity 必须是 1 以上的整数"),
    (re.compile(r"'(.*)\.model_alone' must be true or false"), r"“\1”的 model_alone 只能是 true 或 false"),
    (re.compile(r"'(.*)' needs 'action' text and a list of 'patterns'"), r"“\1”需要 action（处理建议）和 patterns（规则列表）"),
    (re.compile(r"keyword '(.*)': weight must be a number in \(0, 5\]"), r"关键词“\1”的权重必须是 0 到 5 之间的数（不含 0）"),
    (re.compile(r"a keyword is a word or 'word: weight'"), "关键词要写成一个词，或者“词: 权重”"),
    (re.compile(r"expected a mapping with '(.*)' and 'templates'"), r"文件要写成“字段: 内容”的形式，包含 \1 和 templates"),
    (re.compile(r"template '(.*)': 'private' must be text"), r"模板“\1”的私信话术（private）必须是一段文字"),
    (
        re.compile(r"template '(.*)': 'ticks' must be a list of \{label, promise, done\}"),
        r"模板“\1”的 ticks 必须是列表，每项写 label、promise、done",
    ),
    (
        re.compile(r"template '(.*)': a tick has label, promise and done \(text\)"),
        r"模板“\1”的每个勾选项（ticks）都要有 label、promise、done 三段文字",
    ),
    (re.compile(r"reply library folder not found"), "找不到模板库文件夹"),
    # policy.yaml: what the shop allows the drafts to offer
    (
        re.compile(r"expected a mapping \(.*\)"),
        "文件要写成“字段: 内容”的形式（可用字段：remedies、return_shipping、courier、coupon、amounts、deadlines）",
    ),
    (re.compile(r"'remedies' must be a list of: (.*)"), r"remedies（可以提供的补救办法）必须是列表，只能从这些里选：\1"),
    (
        re.compile(r"'return_shipping' must be 'shop' or 'customer'"),
        "return_shipping（退货运费谁出）只能是 shop（店铺）或 customer（顾客）",
    ),
    (re.compile(r"'courier' must be the courier's name"), "courier 要写快递公司的名字"),
    (re.compile(r"'amounts' must be a list of whole numbers of 元"), "amounts 必须是整数金额（元）的列表"),
    (re.compile(r"'coupon' must be 0 or one of 'amounts'"), "coupon 只能是 0，或者 amounts 里的一个金额"),
    (re.compile(r"'deadlines' must be a mapping"), "deadlines 要写成“名称: 数字”的形式"),
    (
        re.compile(r"deadline '(.*)': one of (.*), a whole number > 0"),
        r"期限“\1”写错了：名称只能是 \2 之一，值必须是大于 0 的整数",
    ),
    (re.compile(r"template '(.*)': cannot render: (.*)"), r"模板“\1”渲染时出错（\2）"),
    # a template that promises what policy.yaml does not offer (``policy.policy_problems``); "X (private)" is its script
    (
        re.compile(r"(\S+): promises (\S+) in「(.*)」, which policy.yaml does not list under remedies"),
        r"模板 \1 承诺了“\2”（“\3”），但 policy.yaml 的 remedies（店铺提供的补救办法）里没有它："
        r"请改写模板，或在 policy.yaml 里加上",
    ),
    (
        re.compile(r"(\S+): leaves the amount open「(.*)」; policy.yaml lists every amount \(amounts\)"),
        r"模板 \1 没有给金额定上限（“\2”）：金额只能是 policy.yaml 的 amounts 里的；损失请写成逐项核对后给方案",
    ),
    (
        re.compile(r"(\S+): names (.*), which policy.yaml does not list under amounts"),
        r"模板 \1 写了金额 \2，但 policy.yaml 的 amounts 里没有：请改写模板，或在 amounts 里加上",
    ),
    (
        re.compile(r"(\S+): says the shop pays return shipping「(.*)」; policy.yaml sets return_shipping: customer"),
        r"模板 \1 写着店铺出退货运费（“\2”），但 policy.yaml 设的是顾客出：请改用 {{ policy.return_shipping }}",
    ),
    (
        re.compile(r"(\S+): \{\{ policy.return_shipping \}\} is a clause, not part of「(.*)…」: put a comma first"),
        r"模板 \1 把 {{ policy.return_shipping }} 接在“\2”后面，读起来不通：它是完整的一句，请在前面加逗号",
    ),
    (
        re.compile(r"(\S+): names a coupon of (.*)元; write \{\{ policy.coupon \}\} \(policy.yaml: (.*)\)"),
        r"模板 \1 写死了 \2 元的券：券的金额请写 {{ policy.coupon }}（policy.yaml 里是 \3）",
    ),
    (
        re.compile(r"(\S+): offers a coupon in「(.*)」, but policy.yaml sets coupon: 0"),
        r"模板 \1 在“\2”里送券，但 policy.yaml 设的是不送券（coupon: 0）：请用 {% if policy.coupon %}…{% endif %} 包起来或删掉",
    ),
    (
        re.compile(r"(\S+): promises (.*) by「(.*)」in「(.*)」; its time is \{\{ policy.(\w+) \}\}: (.*)"),
        r"模板 \1 在“\4”里承诺\3\2，但店铺的时效是\6：请改用 {{ policy.\5 }}",
    ),
    # escalation.yaml: the rules for taking a complaint offline
    (re.compile(r"expected a mapping of escalation reasons"), "文件要写成“转线下原因: 规则”的形式"),
    (re.compile(r"unknown escalation reason '(.*)'; allowed: (.*)"), r"不认识的转线下原因“\1”（可用的有：\2）"),
    (re.compile(r"no rules for: (.*)"), r"这些转线下原因还没有规则：\1（每个原因都要写）"),
    # model.npz, the trained recognition model
    (
        re.compile(r"cannot read the model \((.*)\); retrain with `assistant train`"),
        r"识别模型文件读不出来（\1），请运行 assistant train 重新训练",
    ),
    (
        re.compile(r"model format (.*) is not (.*); retrain with `assistant train`"),
        r"识别模型文件的格式（\1）不是现在用的 \2，请运行 assistant train 重新训练",
    ),
]


def library_problem(file: str, line: int, message: str) -> str:
    """A reply-library problem for a lead: where it is, and what is wrong in Chinese when the wording is known."""
    where = (f"{file} 第 {line} 行：" if line else f"{file}：") if file else ""
    return where + _reword(message, _LIBRARY_PATTERNS).replace(" (private)", " 的私信话术")


def chinese(message: str) -> str:
    """The Chinese wording of a known English message; anything else unchanged."""
    return _reword(message, _PATTERNS)


def _reword(message: str, patterns: list[tuple[re.Pattern[str], Wording]]) -> str:
    """The wording of the first pattern that matches the whole message; the message itself when none does."""
    for pattern, wording in patterns:
        if pattern.fullmatch(message):
            return pattern.sub(wording, message)
    return message


# What Starlette's form parser refuses (a field over its size, too many fields or files, a malformed multipart body).
_FORM_REFUSALS: list[tuple[re.Pattern[str], Wording]] = [
    (re.compile(r"(?:Part|Field) exceeded maximum size of (\d+)KB\."), r"提交的一项内容太长（超过 \1 KB），请删减或分批提交。"),
    (re.compile(r"Too many fields\. Maximum number of fields is (\d+)\."), r"表单的项目太多（最多 \1 项），请刷新页面后重试。"),
    (re.compile(r"Too many files\. Maximum number of files is (\d+)\."), r"一次上传的文件太多（最多 \1 个）。"),
]


def refused_request(status: int, detail: str) -> str:
    """A page's words for a request Starlette or FastAPI refused before any route ran (their ``detail`` is English)."""
    said = _reword(detail, _FORM_REFUSALS)
    if said != detail:
        return said
    if status == 400:
        return "提交的表单格式不对，服务器读不出来。请刷新页面后再试。"
    return f"请求没有被接受（{status}），请刷新页面后再试。"


def unreadable(name: str) -> str:
    """What the pages say of an uploaded file in none of the encodings ``triage.decode`` knows."""
    return f"读不出文件“{name}”：它不是 UTF-8、GBK 或 UTF-16 编码的文本。请在 Excel 里另存为“CSV UTF-8”后再上传。"
