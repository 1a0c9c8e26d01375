"""The taxonomy: every id the assistant, the log and the pages share, with its Chinese label.

Intents and escalation reasons follow ``shared/eval/TAXONOMY.md``; outcome results are the seven
things that can happen to a review after a reply. Everything else imports these names from here
instead of spelling the ids again. Pure data: no imports, safe for the engine.
"""

from __future__ import annotations

# Intent id -> label. The library has one ``<intent>.yaml`` per intent.
INTENTS = {
    "quality_defect": "质量问题",
    "damaged_delivery": "运输破损",
    "wrong_missing_item": "错发漏发",
    "logistics_delay": "物流问题",
    "not_as_described": "与描述不符",
    "counterfeit": "假货质疑",
    "price_promotion": "价格促销",
    "refund_return": "退换退款",
    "service_attitude": "客服态度",
    "installation_repair": "安装维修",
    "expired_spoiled": "临期变质",
    "safety_hazard": "安全隐患",
    "privacy_security": "隐私安全",
    "billing_invoice": "扣费发票",
    "usage_question": "使用咨询",
    "other": "其他",
}
OTHER = "other"  # the fallback intent: named when nothing specific is recognised
SAFETY_HAZARD = "safety_hazard"  # first only where the text names a harm or hazard (its SAFETY rules fire)

# Escalation reason id -> label. The library has offline invitations per reason (``offline/<reason>.yaml``).
REASONS = {
    "safety": "人身安全",
    "legal_threat": "投诉/法律",
    "media_threat": "曝光/媒体",
    "privacy": "隐私泄露",
    "repeat_unresolved": "多次未解决",
    "compensation_demand": "索赔",
}
REPEAT_UNRESOLVED = "repeat_unresolved"  # the reason the log's history (not the text) raises
SAFETY = "safety"  # the reason whose rules name a harm or hazard

# Template kinds: a template answers an intent, or is an offline invitation for an escalation reason.
INTENT = "intent"
OFFLINE = "offline"  # also the ``intent`` of an offline-invitation draft and the library page's group for them
OFFLINE_LABEL = "线下邀约"

# What a text is: a complaint, or praise / a plain question, answered by the templates named here
# (in replies/not_a_complaint.yaml, whose templates belong to the intent "other").
COMPLAINT, PRAISE, QUESTION = "complaint", "praise", "question"
KIND_TEMPLATES = {PRAISE: "other.praise", QUESTION: "other.question"}
KIND_LABELS = {COMPLAINT: "投诉", PRAISE: "好评", QUESTION: "咨询"}

# Outcome result id -> label, in the order the pages offer them.
RESULT_LABELS = {
    "upgraded": "已改好评",
    "positive_followup": "正面追评",
    "deleted": "已删差评",
    "unchanged": "没有变化",
    "resolved_offline": "线下解决",
    "escalated_further": "升级投诉",
    "no_response": "顾客未回应",
}
RESULTS = tuple(RESULT_LABELS)
CONVERTED = ("upgraded", "positive_followup", "deleted")  # the review got better: the conversion figure counts these
RESOLVED = (*CONVERTED, "resolved_offline")  # anything else (or no outcome) leaves a repeat contact unresolved

# The weekly figures (``WeeklyStats`` and its ``Figures``) -> label: how 数据统计, 我的回复 and the weekly workbook name
# them. The parts of a conversion are named as their results are; ``pending`` is also a reply still without a result.
FIGURE_LABELS = {
    "week": "周",
    "sent": "已回复",
    "known": "已知结果",
    "pending": "等待结果",
    "converted": "已转化",
    "upgraded": RESULT_LABELS["upgraded"],
    "positive_followup": RESULT_LABELS["positive_followup"],
    "deleted": RESULT_LABELS["deleted"],
    "escalated": "转线下",
    "rate": "转化率",
    "low": "95%区间下限",
    "high": "95%区间上限",
    "escalation_share": "转线下占比",
    "median_days_to_outcome": "出结果中位天数",
}
# A breakdown of the figures -> what its groups are (数据统计's chart 「按…」, the workbook's sheet 「按…」 and first column).
DIMENSION_LABELS = {"template": "模板", "intent": "问题类型", "agent": "客服", "platform": "平台"}
# How often agents kept the assistant's verdict (``Agreement``): 数据统计's section and the workbook's sheet of that name.
AGREEMENT_LABELS = {
    "title": "助手判断被采纳率",
    "intent": "问题类型被采纳",
    "escalation": "转线下判断被采纳",
    "by_intent": "助手判断的问题类型",
    "all": "全部",
    "kept": "被采纳",
    "total": "核对过",
    "rate": "采纳率",
}
# An account's names, as 账号 heads them: the one it signs in with, and the one its drafts sign with (shown for an agent).
ACCOUNT_LABELS = {"name": "用户名", "display_name": "显示名"}

# How urgently an intent needs an answer in the backlog (0-9), before anger and escalation are counted.
URGENCY = {
    "safety_hazard": 9,
    "privacy_security": 8,
    "expired_spoiled": 7,
    "damaged_delivery": 6,
    "wrong_missing_item": 6,
    "quality_defect": 5,
    "refund_return": 5,
    "counterfeit": 5,
    "billing_invoice": 5,
    "logistics_delay": 4,
    "installation_repair": 4,
    "service_attitude": 4,
    "not_as_described": 3,
    "price_promotion": 3,
    "usage_question": 1,
    "other": 2,
}
DEFAULT_URGENCY = 2

# Where a review was posted: platform id -> label (the draft page's choices; the log stores any other short string as given).
PLATFORMS = {
    "taobao": "淘宝/天猫",
    "jd": "京东",
    "pdd": "拼多多",
    "douyin": "抖音",
    "xiaohongshu": "小红书",
    "chat": "在线客服",
    "other": "其他",
}
# The names an API client, a script or a pasted sheet may give a known platform instead of its id (compared without
# case, spaces or width), so 「京东」, "JD" and "jd" count as one platform in the statistics.
PLATFORM_NAMES = {
    **{label: key for key, label in PLATFORMS.items()},
    **{"淘宝": "taobao", "天猫": "taobao", "tmall": "taobao", "淘宝天猫": "taobao", "京东商城": "jd", "jingdong": "jd"},
    **{"pinduoduo": "pdd", "拼多多商城": "pdd", "抖音电商": "douyin", "抖店": "douyin", "xhs": "xiaohongshu"},
    **{"客服聊天": "chat", "聊天": "chat", "其它": "other"},
}

# The headings a backlog's columns have in shops' and helpdesks' exports (Taobao/Tmall, JD, Pinduoduo, Douyin review
# exports; chat and message exports), by what 批量分拣 reads from them: the complaint, a review's later addition (追评,
# read after it as part of the complaint), and what 写回复 is filled in with. The earlier heading of a list wins when a
# file has two (评价内容 over 评价, 评价 over 内容). Compared as ``triage.heading_key`` folds them: case, width, spaces and
# _ - . : # ( ) do not count, so 「Order No.」 is 「orderno」 and 「订单ID」 is 「订单id」.
INPUT_HEADINGS = {
    "text": (
        *("text", "评价内容", "评论内容", "买家评价", "评价详情", "初评内容", "首评内容", "评价", "评论"),
        *("投诉内容", "投诉", "咨询内容", "问题描述", "反馈内容", "留言内容", "买家留言", "留言", "消息内容", "内容"),
    ),
    "followup": ("追评", "追评内容", "追加评价", "追加评论", "追加评论内容", "买家追评"),
    "platform": ("platform", "平台", "渠道", "来源平台", "平台名称", "店铺平台"),
    # the order number: 写回复's 订单号, kept as uploaded in the download (an order of 16-19 digits reads as a bank card)
    "order_id": (
        *("order_id", "订单号", "订单编号", "订单", "订单号码", "订单id", "子订单编号", "子订单号", "主订单编号"),
        *("主订单号", "父订单编号", "平台订单号", "平台订单", "平台订单编号", "外部订单号", "外部订单", "网店订单号"),
        *("orderno", "ordernumber", "ordersn", "order"),
    ),
    "customer": ("customer", "顾客称呼", "称呼"),  # not 「顾客」: as often the buyer's nickname as how to address them
    "buyer_id": ("buyer_id", "买家昵称", "买家ID", "买家", "昵称", "买家账号", "买家会员名", "会员名", "用户昵称", "用户名"),
    "product": ("product", "商品", "商品名称", "商品名", "商品标题", "宝贝", "宝贝名称", "宝贝标题"),
    "rating": ("rating", "评分", "星级", "评价星级", "商品评分"),
}
