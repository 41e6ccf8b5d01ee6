"""`[statements]`: the statement of account attached to each reminder and letter, and the fonts it is set in."""

from __future__ import annotations

from dataclasses import dataclass

from overdue_reminder.config.builder import Ctx

# Debian's packages, installed by scripts/install-fonts (scripts/setup-dev runs it).
LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # fonts-dejavu-core
CJK_FONT = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"  # fonts-droid-fallback


@dataclass(frozen=True)
class StatementSettings:
    """A PDF statement of every open item goes with each reminder and letter unless `attach = false`."""

    attach: bool = True
    font: str = LATIN_FONT  # a TrueType (.ttf) font with Latin glyphs
    cjk_font: str = CJK_FONT  # a TrueType font with Chinese glyphs, for zh_CN statements and Chinese names

    def check(self, ctx: Ctx) -> None:
        for key in ("font", "cjk_font"):
            value = getattr(self, key)
            if not value.lower().endswith(".ttf"):
                ctx.fail(f"statements.{key}", f"{value!r} is not a TrueType (.ttf) file.",
                         "name a .ttf file, e.g. the default from Debian's fonts packages (scripts/install-fonts).")
