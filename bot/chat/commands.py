"""Chat commands (``/kakehashi ...`` on Slack, ``@kakehashi ...`` on Teams), platform-neutral.

``run_command(app, text, ctx)`` parses the text and answers a ``CommandReply`` in the rules'
locale.  Subcommands: ``help``, ``recap [department] [period] [post]``, ``agenda [post]``,
``stats [department|all] [period]``, ``rules test TEXT``, ``route LINK DEPARTMENT`` (admins only: rules.yaml ``admins``).
"""

from __future__ import annotations

import logging
import re
import shlex
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from adapters.links import message_key_end
from bot.chat.status_actions import close_command
from bot.core.domain import InboundMessage
from bot.core.errors import KakehashiError
from bot.core.texts import t, tag_label
from bot.pipeline.reasons import match_reason, why_not
from bot.reports.agenda import agenda_reply
from bot.reports.periods import parse_period
from bot.reports.recap import recap_reply
from bot.reports.value import (
    ALL_TIME,
    definitions_section,
    stats_period,
    value_figures,
    value_sections,
    value_title,
)
from rules import RuleSet
from rules.matcher import name_key
from storage.models import Message, utcnow

if TYPE_CHECKING:
    from bot.pipeline.services import Services

log = logging.getLogger("kakehashi.commands")

SLOW = frozenset({"recap", "agenda"})
ADMIN_ONLY = frozenset({"route", "close"})


@dataclass(frozen=True, slots=True)
class CommandContext:
    platform: str
    user_id: str
    user_name: str
    channel_id: str
    is_admin: bool
    channel: str = ""  # the channel's name as the platform gives it (``#dept-product``, ``Team/Channel``)


@dataclass(frozen=True, slots=True)
class CommandReply:
    """``sections`` as in recap payloads: ``[{"heading": str, "lines": [str, ...]}]``."""

    title: str
    sections: list[dict[str, Any]] = field(default_factory=list)
    markdown: str = ""
    ephemeral: bool = True
    public: bool = False

    def payload(self, locale: str) -> dict[str, Any]:
        return {"title": self.title, "sections": self.sections, "markdown": self.markdown, "locale": locale}


_SPACE = re.compile(r"\s")


def _words(text: str) -> list[str]:
    """Arguments split at any space, the ideographic space (全角スペース) included; quotes group."""
    text = _SPACE.sub(" ", text)
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def department_named(rules: RuleSet, text: str) -> str | None:
    """A department by name or label, ignoring case and full-width forms (``ｐｒｏｄｕｃｔ``, ``製品開発``)."""
    wanted = unicodedata.normalize("NFKC", text).strip().lstrip("#").casefold()
    for name, dept in rules.departments.items():
        if wanted in (
            unicodedata.normalize("NFKC", name).casefold(),
            unicodedata.normalize("NFKC", dept.label).casefold(),
        ):
            return name
    return None


def subcommand(text: str) -> str:
    words = _words(text.strip())
    return unicodedata.normalize("NFKC", words[0]).casefold() if words else "help"


COMMANDS = frozenset({"help", "recap", "agenda", "stats", "rules", "route", "close"})


def is_command(text: str) -> bool:
    """Whether ``text`` (what follows the bot's name) asks kakehashi something: nothing at all,
    or a command name first (``rules`` only as ``rules test``)."""
    words = _words(text.strip())
    if not words:
        return True
    name = subcommand(text)
    if name == "rules":
        return len(words) > 1 and unicodedata.normalize("NFKC", words[1]).casefold() == "test"
    return name in COMMANDS


def addressed_as_command(text: str, *, mentions_bot: bool, in_source: bool) -> bool:
    """Whether a channel message that may @mention kakehashi is a command (answered) or a post
    (routed), for every platform whose commands are @mentions: a command when it mentions the bot
    and asks something, or mentions it anywhere but a community channel. ``@kakehashi the export
    crashes`` in a community channel is a post: without the RSC permission Teams delivers only
    messages that mention the bot, and those are the community's posts."""
    return mentions_bot and (is_command(text) or not in_source)


def is_slow(text: str) -> bool:
    """Whether the reply should come after the acknowledgement (recaps, agendas)."""
    return subcommand(text) in SLOW


def _markdown(title: str, sections: list[dict[str, Any]]) -> str:
    out = [f"**{title}**"]
    for sec in sections:
        if sec.get("heading"):
            out.append(f"\n**{sec['heading']}**")
        out.extend(sec.get("lines", []))
    return "\n".join(out)


def reply(title: str, sections: list[dict[str, Any]] | None = None, *, public: bool = False) -> CommandReply:
    sections = sections or []
    return CommandReply(
        title=title,
        sections=sections,
        markdown=_markdown(title, sections),
        ephemeral=not public,
        public=public,
    )


async def run_command(app: Services, text: str, ctx: CommandContext) -> CommandReply:
    rules = app.rules.current
    locale = rules.locale
    words = _words(text.strip())
    name = subcommand(text)
    args = words[1:]
    if name in ADMIN_ONLY and not ctx.is_admin:
        return reply(t(locale, "cmd.not_admin", command=name))
    try:
        if name == "help":
            return _help(locale)
        if name == "recap":
            return await _recap(app, args)
        if name == "agenda":
            return await _agenda(app, args)
        if name == "stats":
            return await _stats(app, args, ctx)
        if name == "rules" and args[:1] == ["test"]:
            return _rules_test(rules, " ".join(words[2:]), ctx)
        if name == "route":
            return await _route(app, args, ctx)
        if name == "close":
            return await close_command(app, args, ctx)
    except KakehashiError as exc:
        return reply(t(locale, "cmd.error", error=str(exc)))
    help_reply = _help(locale)
    return reply(t(locale, "cmd.unknown", command=text.strip()[:80]), help_reply.sections)


def _help(locale: str) -> CommandReply:
    lines = [
        t(locale, f"cmd.help.{key}")
        for key in ("help", "recap", "agenda", "stats", "rules_test", "route", "close")
    ]
    return reply(t(locale, "cmd.help.title"), [{"heading": "", "lines": lines}])


async def _recap(app: Services, args: list[str]) -> CommandReply:
    """``recap [department] [period] [post]``: a department by name or label, any period form."""
    rules = app.rules.current
    public = bool(args) and args[-1].casefold() == "post"
    args = _period_words(args[:-1] if public else args, app)
    department: str | None = None
    period = ""
    for arg in args:
        if not period and _is_period(arg, app):
            period = arg
        elif department is None:
            department = arg
        elif not period:  # `recap product fortnight`: the department is there, so this is the period
            return reply(t(rules.locale, "recap.bad_period", text=arg))
        else:
            return reply(t(rules.locale, "cmd.recap.usage", departments=", ".join(rules.departments)))
    payload = await recap_reply(app, department, period)
    return _from_payload(payload, public)


def _period_words(args: list[str], app: Services) -> list[str]:
    """``2026-11-01 〜 2026-11-30`` typed with spaces (as people do), or two dates with only a space
    between them, is one period argument."""
    out: list[str] = []
    i = 0
    while i < len(args):
        for width, glue in ((3, ""), (2, ""), (2, "..")):
            piece = glue.join(args[i : i + width])
            if len(args[i : i + width]) == width and _is_period(piece, app):
                out.append(piece)
                i += width
                break
        else:
            out.append(args[i])
            i += 1
    return out


def _is_period(text: str, app: Services) -> bool:
    try:
        parse_period(text, now=app.clock(), tz=app.rules.current.timezone)
    except KakehashiError:
        return False
    return True


async def _agenda(app: Services, args: list[str]) -> CommandReply:
    public = bool(args) and args[-1].casefold() == "post"
    return _from_payload(await agenda_reply(app), public)


def _from_payload(payload: dict[str, Any], public: bool) -> CommandReply:
    return CommandReply(
        title=str(payload.get("title", "")),
        sections=list(payload.get("sections") or []),
        markdown=str(payload.get("markdown", "")),
        ephemeral=not public,
        public=public,
    )


def channel_department(app: Services, ctx: CommandContext) -> str | None:
    """The department whose channel the command was typed in (by id, name or the configured
    name of a renamed channel); None elsewhere."""
    rules = app.rules.current
    names = {name_key(n) for n in (ctx.channel_id, ctx.channel) if n}
    configured = app.dispatcher.channels.configured(ctx.platform, ctx.channel_id)
    if configured:
        names.add(name_key(configured))
    for dept_name, dept in rules.departments.items():
        if any(d.platform == ctx.platform and name_key(d.channel) in names for d in dept.post_to):
            return dept_name
    return None


async def _stats(app: Services, args: list[str], ctx: CommandContext) -> CommandReply:
    """``stats [department|all] [period]``: the value figures of one department (by default the
    department of the channel it is asked in) or of all, for a period (default: all time), with
    what the store holds and the delivery counts."""
    rules = app.rules.current
    locale = rules.locale
    department = channel_department(app, ctx)
    period_text: str | None = None
    for arg in _period_words(args, app):
        word = unicodedata.normalize("NFKC", arg).casefold()
        if word in ("all", "全部門"):
            department = None
        elif period_text is None and (word in ALL_TIME or _is_period(arg, app)):
            period_text = arg
        elif (named := department_named(rules, arg)) is not None:
            department = named
        else:
            return reply(t(locale, "cmd.stats.usage"))
    period = stats_period(rules, period_text, now=app.clock())
    figures = await value_figures(app.store, rules, period=period, department=department)
    sections = [s.as_dict() for s in value_sections(rules, figures, definitions=False)]
    sections.append({"heading": t(locale, "cmd.stats.title"), "lines": await _store_lines(app, department)})
    sections.append(definitions_section(locale).as_dict())
    return reply(value_title(rules, figures, period), sections)


async def _store_lines(app: Services, department: str | None) -> list[str]:
    """What the store holds (every period): totals, items per department and status, deliveries."""
    rules = app.rules.current
    locale = rules.locale
    totals = await app.store.stats()
    per_dept = await app.store.counts_by_department()
    outbox = await app.store.outbox_counts()
    lines = [t(locale, "cmd.stats.totals", **totals)]
    for name, counts in sorted(per_dept.items()):
        if department is not None and name != department:
            continue
        dept = rules.departments.get(name)
        label = dept.label if dept else name
        detail = ", ".join(f"{t(locale, f'status.{s}')} {c}" for s, c in sorted(counts.items()))
        lines.append(f"**{label}**: {sum(counts.values())} ({detail})")
    if not per_dept:
        lines.append(t(locale, "cmd.stats.none"))
    lines.append(
        t(
            locale,
            "cmd.stats.outbox",
            pending=outbox.get("pending", 0),
            sent=outbox.get("sent", 0),
            dead=outbox.get("dead", 0),
        )
    )
    return lines


def _rules_test(rules: RuleSet, text: str, ctx: CommandContext) -> CommandReply:
    locale = rules.locale
    if not text.strip():
        return reply(t(locale, "cmd.rules_test.usage"))
    msg = InboundMessage(
        platform=ctx.platform,
        key="rules-test",
        channel_id=ctx.channel_id,
        channel=ctx.channel_id,
        author_id=ctx.user_id,
        author=ctx.user_name,
        text=text,
        created_at=utcnow(),
    )
    explanation = rules.explain(msg)
    lines = [] if explanation.matches else [t(locale, "cmd.rules_test.none")]
    for match in explanation.matches:
        labels = ", ".join(
            rules.departments[d].label if d in rules.departments else d for d in match.departments
        )
        reason = match_reason(match, text, locale)
        lines.append(f"**{labels}** · {tag_label(locale, match.tag)} · {reason}" if labels else reason)
    why = why_not(explanation, text, locale)
    lines.extend(why.lines)
    sections = [{"heading": "", "lines": lines}]
    if why.nearest:
        sections.append(
            {"heading": t(locale, "explain.nearest"), "lines": [f"• {line}" for line in why.nearest]}
        )
    return reply(t(locale, "cmd.rules_test.title"), sections)


def _clean_link(raw: str) -> str:
    """Chat clients wrap links: ``<https://x|label>`` -> ``https://x``."""
    return raw.strip().strip("<>").split("|", 1)[0]


async def find_message_by_link(app: Services, link: str) -> Message | None:
    """The stored post a link points at: its stored link, else (Slack) the channel and ts it names."""
    found = await app.store.message_by_link(link)
    named = message_key_end(link) if found is None else None
    if named is not None:
        found = await app.store.message_by_key_end(*named)
    return found


def private_departments(rules: RuleSet, message: Message) -> set[str]:
    """Where the routes of rules.yaml may send a stored private post (invariant 4: only routes
    with ``allow_private: true`` match private posts, and an admin's command is not such a route)."""
    as_seen = InboundMessage(
        platform=message.platform,
        key=message.key,
        channel_id=message.channel_id,
        channel=message.channel,
        author_id=message.author_id,
        author=message.author,
        text=message.text,
        created_at=message.created_at,
        thread_key=message.thread_key,
        is_bot=message.is_bot,
        link=message.link,
        tags=tuple(message.tags or ()),
        private=True,
        files=tuple(message.files or ()),
    )
    return {department for match in rules.classify(as_seen) for department in match.departments}


async def _route(app: Services, args: list[str], ctx: CommandContext) -> CommandReply:
    rules = app.rules.current
    locale = rules.locale
    if len(args) != 2:
        return reply(t(locale, "cmd.route.usage", departments=", ".join(rules.departments)))
    link, named = _clean_link(args[0]), args[1]
    department = department_named(rules, named)
    if department is None:
        return reply(
            t(
                locale,
                "cmd.route.unknown_department",
                department=named,
                departments=", ".join(rules.departments),
            )
        )
    message = await find_message_by_link(app, link)
    if message is None:
        return reply(t(locale, "cmd.route.unknown_message", link=link))
    label = rules.departments[department].label
    if message.private and department not in private_departments(rules, message):
        log.info("route of private %s %s to %s refused", message.platform, message.key, department)
        return reply(t(locale, "cmd.route.private", label=label))
    items = await app.dispatcher.flag(
        platform=message.platform,
        key=message.key,
        department=department,
        tag=None,
        reason=t(locale, "command.reason", user=ctx.user_name),
        origin="command",
    )
    app.worker.wake()
    return reply(t(locale, "cmd.route.ok" if items else "cmd.route.already", label=label))
