"""Draw the default sharing card (1200×630) with the site's name and an article title."""

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from vntext import collapse_spaces, nfc

CARD_VERSION = "2"  # bump whenever the drawing or the encoding changes: it keys the cache
SIZE = (1200, 630)
MARGIN = 80
BACKGROUND = (139, 16, 16)  # deep red of the campaign banners
ACCENT = (245, 196, 0)  # gold
TEXT = (255, 255, 255)
TITLE_SIZES = (68, 60, 54, 48, 42)
MAX_LINES = 4
SITE_SIZE = 34


def wrap_words(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Break text into lines no wider than max_width, at spaces (a too-long word stays whole)."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if not current or font.getlength(candidate) <= max_width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def fit_title(title: str, font_path, max_width: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """Pick the largest title size that fits in MAX_LINES; shorten with "…" if none does."""
    for size in TITLE_SIZES:
        font = ImageFont.truetype(str(font_path), size)
        lines = wrap_words(title, font, max_width)
        if len(lines) <= MAX_LINES:
            return font, lines
    lines = lines[:MAX_LINES]
    last = lines[-1]
    while last and font.getlength(last + " …") > max_width:
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    lines[-1] = last + " …"
    return font, lines


def _bold_path(font_path) -> Path:
    path = Path(font_path)
    bold = path.with_name(path.name.replace("-Regular", "-Bold"))
    return bold if bold.is_file() else path


def draw_share_card(site_name: str, title: str, font_path) -> Image.Image:
    """Return the card as an image: site name and gold rule at the top, the title below."""
    site_name = collapse_spaces(nfc(site_name))
    title = collapse_spaces(nfc(title))
    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    width = SIZE[0] - 2 * MARGIN
    site_font = ImageFont.truetype(str(font_path), SITE_SIZE)
    draw.text((MARGIN, MARGIN), site_name.upper(), font=site_font, fill=ACCENT)
    draw.rectangle((MARGIN, MARGIN + 62, MARGIN + 120, MARGIN + 68), fill=ACCENT)
    font, lines = fit_title(title, _bold_path(font_path), width)
    line_height = round(font.size * 1.3)
    top = MARGIN + 110
    for number, line in enumerate(lines):
        draw.text((MARGIN, top + number * line_height), line, font=font, fill=TEXT)
    draw.rectangle((0, SIZE[1] - 16, SIZE[0], SIZE[1]), fill=ACCENT)
    return image


def make_share_card(site_name: str, title: str, out_path, font_path) -> None:
    """Write the default sharing card as a PNG without metadata (same text → same bytes)."""
    buffer = io.BytesIO()
    # optimize=True cost 52 ms a card (×10,000 articles) for 5 % fewer bytes; cards are cached anyway.
    draw_share_card(site_name, title, font_path).save(buffer, "PNG")
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    Path(out_path).write_bytes(buffer.getvalue())
