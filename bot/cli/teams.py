"""``kakehashi teams-manifest``: the Teams app package (manifest.json + icons) as a zip.

Fills ``teams/manifest.json`` (``{{MICROSOFT_APP_ID}}``, ``{{VERSION}}``) from the environment and
draws the two icons Teams requires (192x192 colour, 32x32 white-on-transparent outline) with Pillow.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.errors import CliError, settings_from_env, user_errors
from bot.cli.language import h, m
from bot.core.errors import KakehashiError

if TYPE_CHECKING:  # Pillow loads when the icons are drawn, not for --help
    from PIL import ImageDraw

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ACCENT = (31, 111, 235, 255)
TEMPLATE_NAMES = (
    Path("teams") / "manifest.json",
    Path(str(resources.files("bot") / "data" / "teams-manifest.json")),  # the installed package's
)


def _bridge(draw: ImageDraw.ImageDraw, size: int, color: tuple[int, int, int, int], width: int) -> None:
    """A bridge: an arch over a deck, with two towers (架け橋)."""
    m = size // 8
    deck = size * 5 // 8
    draw.line([(m, deck), (size - m, deck)], fill=color, width=width)
    draw.arc(
        [(m, size // 4), (size - m, deck + (deck - size // 4))], start=180, end=360, fill=color, width=width
    )
    for x in (size * 3 // 8, size * 5 // 8):
        draw.line([(x, deck - size // 6), (x, deck + size // 8)], fill=color, width=max(width // 2, 1))


def color_icon() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (192, 192), ACCENT)
    _bridge(ImageDraw.Draw(image), 192, (255, 255, 255, 255), 12)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def outline_icon() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    _bridge(ImageDraw.Draw(image), 32, (255, 255, 255, 255), 2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def render_manifest(template: str, *, app_id: str, version: str) -> dict[str, object]:
    if not GUID.match(app_id):
        raise KakehashiError(m("cli.teams.bad_app_id", app_id=app_id))
    text = template.replace("{{MICROSOFT_APP_ID}}", app_id).replace("{{VERSION}}", version)
    return dict(json.loads(text))


def build_package(template: str, *, app_id: str, version: str) -> bytes:
    manifest = render_manifest(template, app_id=app_id, version=version)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    return out.getvalue()


def _template(path: str | None) -> str:
    candidates = [Path(path)] if path else list(TEMPLATE_NAMES)
    for candidate in candidates:
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise CliError(m("cli.teams.no_template", paths=", ".join(map(str, candidates))))


@click.command("teams-manifest", short_help=h("help.teams.short"), help=h("help.teams"))
@click.option("--out", "out_path", default="kakehashi-teams.zip", show_default=True, help=h("help.teams.out"))
@click.option(
    "--template",
    "template_path",
    default=None,
    help=h("help.teams.template"),
)
@click.option("--version", "version", default="1.0.0", show_default=True, help=h("help.teams.version"))
def teams_manifest_command(out_path: str, template_path: str | None, version: str) -> None:
    settings = settings_from_env()
    if not settings.microsoft_app_id:
        raise CliError(m("cli.teams.no_app_id"))
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise CliError(m("cli.teams.bad_version", version=version))
    with user_errors():
        data = build_package(_template(template_path), app_id=settings.microsoft_app_id, version=version)
    Path(out_path).write_bytes(data)
    click.echo(m("cli.teams.wrote", path=out_path))
