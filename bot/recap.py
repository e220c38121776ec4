"""Department recaps: what the community said in a period, as data and as Markdown."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.periods import Period
from bot.texts import tag_label
from rules import RuleSet
from storage.items import ItemView
from storage.store import Store


@dataclass(frozen=True, slots=True)
class DepartmentRecap:
    department: str
    label: str
    period: Period
    by_tag: dict[str, int]
    previous_by_tag: dict[str, int]
    top: list[ItemView] = field(default_factory=list)
    open_count: int = 0
    done_count: int = 0


async def build_recap(store: Store, rules: RuleSet, department: str, period: Period) -> DepartmentRecap:
    items = await store.items_between(period.start, period.end, department=department)
    previous = period.previous()
    before = await store.items_between(previous.start, previous.end, department=department)
    by_tag = Counter(v.item.tag or "none" for v in items)
    prev_by_tag = Counter(v.item.tag or "none" for v in before)
    top = sorted(items, key=lambda v: (-v.item.votes, v.message.created_at))[:5]
    dept = rules.departments.get(department)
    return DepartmentRecap(
        department=department,
        label=dept.label if dept else department,
        period=period,
        by_tag=dict(by_tag),
        previous_by_tag=dict(prev_by_tag),
        top=top,
        open_count=sum(v.item.status in ("open", "in_progress", "needs_decision") for v in items),
        done_count=sum(v.item.status == "done" for v in items),
    )


def recap_markdown(recap: DepartmentRecap, locale: str) -> str:
    ja = locale == "ja"
    lines = [f"## {recap.label} — {recap.period.label}"]
    if not recap.by_tag:
        lines.append("今期間の投稿はありません。" if ja else "Nothing from the community in this period.")
        return "\n".join(lines)
    for tag, count in sorted(recap.by_tag.items(), key=lambda kv: -kv[1]):
        delta = count - recap.previous_by_tag.get(tag, 0)
        lines.append(f"- {tag_label(locale, tag)}: {count} ({delta:+d})")
    lines.append(
        f"- {'未対応' if ja else 'Open'}: {recap.open_count} / {'完了' if ja else 'Done'}: {recap.done_count}"
    )
    lines.append("")
    lines.append("### 注目の投稿" if ja else "### Top items")
    for view in recap.top:
        text = view.message.text.replace("\n", " ")[:80]
        link = f" <{view.message.link}>" if view.message.link else ""
        lines.append(f"- [{tag_label(locale, view.item.tag)}] {view.message.author}: {text}{link}")
    return "\n".join(lines)
