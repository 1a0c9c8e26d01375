"""Helpers that create test data (kept out of conftest so tests import them explicitly)."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from assistant.outcomes import log_reply

KEY = b"k" * 32
SHANGHAI = ZoneInfo("Asia/Shanghai")


def make_reply(db, engine, complaint="快递一个星期还没到", **overrides) -> int:
    """Log a reply to ``complaint``, sent as drafted, with overridable fields."""
    suggestion = engine.suggest(complaint, customer=overrides.get("customer"), order_id=overrides.get("order_id"))
    fields = {
        "agent": "小林",
        "platform": "taobao",
        "key": KEY,
        "tz": SHANGHAI,
        "now": datetime(2026, 11, 18, 10, 0, tzinfo=timezone.utc),
    }
    fields.update(overrides)
    sent_text = fields.pop("sent_text", None) or suggestion.drafts[0].text
    return log_reply(db, suggestion, sent_text, **fields)
