"""Issue 12, the shop's policy as data: drafts draw return shipping, courier, deadlines and coupons from
replies/policy.yaml, and lint fails a template that promises a remedy or an amount the policy does not list."""

import shutil
from pathlib import Path

import pytest

from assistant.engine.library import PLACEHOLDERS, REMEDIES
from assistant.engine.lint import lint_library
from assistant.engine.load import load_library
from assistant.errors import LibraryError

SHIPPED = Path(__file__).resolve().parent.parent / "replies"


@pytest.fixture
def library_copy(tmp_path):
    target = tmp_path / "replies"
    shutil.copytree(SHIPPED, target)
    return target


def _edit_policy(directory: Path, old: str, new: str) -> None:
    path = directory / "policy.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _texts(directory: Path, template_id: str) -> tuple[str, str]:
    library = load_library(directory)
    t = next(t for t in library.templates if t.id == template_id)
    return library.render(t, PLACEHOLDERS), library.render(t, PLACEHOLDERS, private=True) if t.private else ""


def test_the_shipped_policy_lists_every_remedy_and_renders_into_drafts():
    library = load_library(SHIPPED)
    assert set(library.policy.remedies) == set(REMEDIES)
    body, _ = _texts(SHIPPED, "quality_defect.dead_on_arrival")
    assert "运费都由我们出" not in body and "运费由我们承担" in body


def test_who_pays_return_shipping_comes_from_the_policy(library_copy):
    _edit_policy(library_copy, "return_shipping: shop", "return_shipping: customer")
    body, _ = _texts(library_copy, "quality_defect.dead_on_arrival")
    shipped, _ = _texts(SHIPPED, "quality_defect.dead_on_arrival")
    assert "运费由我们承担" in shipped and "运费由我们承担" not in body
    assert "寄回的运费按店铺规则由您承担" in body


def test_courier_refund_deadline_and_coupon_come_from_the_policy(library_copy):
    _edit_policy(library_copy, "courier: 顺丰", "courier: 京东快递")
    _edit_policy(library_copy, "refund_days: 3", "refund_days: 5")
    _edit_policy(library_copy, "coupon: 20", "coupon: 10")
    _, private = _texts(library_copy, "logistics_delay.lost_or_returned")
    assert "改走京东快递" in private and "顺丰" not in private
    _, private = _texts(library_copy, "price_promotion.price_drop_after_purchase")
    assert "5个工作日内" in private
    _, private = _texts(library_copy, "quality_defect.dead_on_arrival")
    assert "10元无门槛券" in private and "20元" not in private
    assert lint_library(library_copy).problems == ()


def test_a_draft_from_the_engine_follows_the_policy(library_copy, tmp_path):
    from datetime import datetime

    from assistant.config import Settings
    from assistant.engine.core import Engine

    complaint = "刚收到的电热水壶插上电一点反应都没有，第一次用就坏了"
    now = datetime(2026, 11, 30, 10, 0)
    before = Engine.from_settings(Settings(replies_dir=library_copy, cache_dir=tmp_path / "c")).suggest(complaint, now=now)
    _edit_policy(library_copy, "return_shipping: shop", "return_shipping: customer")
    after = Engine.from_settings(Settings(replies_dir=library_copy, cache_dir=tmp_path / "c")).suggest(complaint, now=now)
    shop = [d.text for d in before.drafts if "运费由我们承担" in d.text]
    assert shop, [d.text for d in before.drafts]
    assert not any("运费由我们承担" in d.text for d in after.drafts)
    assert any("由您承担" in d.text for d in after.drafts)


def test_a_template_promising_a_remedy_the_policy_does_not_list_fails_lint(library_copy):
    _edit_policy(library_copy, "  - 上门维修\n", "")
    report = lint_library(library_copy)
    failing = {p.message.split(":")[0].removesuffix(" (private)") for p in report.problems if "上门维修" in p.message}
    assert {"installation_repair.repair_slow", "quality_defect.partial_malfunction"} <= failing, failing
    assert all("policy.yaml does not list under remedies" in p.message for p in report.problems if "上门维修" in p.message)
    assert lint_library(SHIPPED).problems == ()


def test_a_template_naming_an_amount_the_policy_does_not_list_fails_lint(library_copy):
    path = library_copy / "other.yaml"
    text = path.read_text(encoding="utf-8")
    text += (
        "  - id: other.big_coupon\n"
        "    situation: 测试\n"
        "    examples: [东西一般般]\n"
        "    body: |\n"
        "      {{ customer }}您好，我是{{ agent }}。您说的{{ issue }}，{{ deadline }}我给您电话，把问题查清楚并为您补发。\n"
        "    private: |\n"
        "      （私信）{{ customer }}您好，我是{{ agent }}。核实后我为您申请一张88元无门槛券，{{ deadline }}告诉您结果。\n"
    )
    path.write_text(text, encoding="utf-8")
    messages = [p.message for p in lint_library(library_copy).problems]
    assert any(m.startswith("other.big_coupon (private): names 88元") for m in messages), messages


def test_a_bad_policy_is_reported_with_file_and_line(library_copy):
    _edit_policy(library_copy, "  - 上门安装\n", "  - 包退包换一辈子\n")
    with pytest.raises(LibraryError) as info:
        load_library(library_copy)
    assert info.value.file.endswith("policy.yaml") and "remedies" in info.value.message


def test_an_unknown_policy_field_in_a_template_is_refused(library_copy):
    path = library_copy / "other.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - id: other.bad_policy\n    situation: 测试\n    examples: [一般]\n"
        + "    body: '{{ policy.free_money }}今天为您补发'\n",
        encoding="utf-8",
    )
    with pytest.raises(LibraryError, match="policy.free_money"):
        load_library(library_copy)
