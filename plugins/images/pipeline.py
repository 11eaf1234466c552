"""Decode images safely and write metadata-free responsive variants (pure, deterministic)."""

import hashlib
import io
import os
import re
import struct
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

# Formats we publish from; anything else Pillow (or a sniff) recognises is "unsupported".
SUPPORTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
EXTENSION_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF"}
FORMAT_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
# How the metadata-stripped original is saved, by source format.
ORIGINAL_SAVE = {"JPEG": ("JPEG", ".jpg"), "PNG": ("PNG", ".png"), "GIF": ("PNG", ".png"), "WEBP": ("WEBP", ".webp")}
# Headers of formats Pillow cannot open but editors do upload.
_SNIFFED = ((b"<svg", "SVG"), (b"<?xml", "SVG"), (b"%PDF", "PDF"))
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heif", b"mif1", b"msf1"}

OG_SIZE = (1200, 630)
# Bytes allowed for an 800 px wide variant; other widths scale with their area.
BUDGET_BYTES_800 = 100_000
JPEG_QUALITIES = (82, 76, 70, 64, 58, 52)
WEBP_QUALITIES = (80, 74, 68, 62, 56, 50)
ORIGINAL_JPEG_QUALITY = 92
# Bump when the output of this module changes, so cached variants are rebuilt.
PIPELINE_VERSION = "3"


@dataclass(frozen=True)
class ImageInfo:
    """A decodable, supported image: its format and display size (orientation applied)."""

    path: str
    format: str
    width: int
    height: int
    sha256: str


@dataclass(frozen=True)
class ImageProblem:
    """Why an image cannot be published; `kind` picks the message, `details` fill it."""

    path: str
    kind: str  # missing | corrupt | truncated | extension | bomb | unsupported
    details: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Variant:
    """One written file: its name inside the output folder, format, mime type and size."""

    name: str
    format: str
    mime: str
    width: int
    height: int
    role: str = "variant"  # variant | original | og


MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


def sha256_file(path) -> str:
    """Return the hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sniff(head: bytes) -> str | None:
    """Name formats Pillow cannot open from their first bytes (SVG, PDF, HEIC/HEIF)."""
    stripped = head.lstrip()
    for magic, name in _SNIFFED:
        if stripped.startswith(magic):
            return name
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "HEIF"
    return None


def _thousands(number: int) -> str:
    """Format a count the Vietnamese way: 50.000.000."""
    return f"{number:,}".replace(",", ".")


def _bomb(path: str, pixels: int, limit: int) -> ImageProblem:
    return ImageProblem(path, "bomb", {"pixels": _thousands(pixels), "limit": _thousands(limit)})


def inspect_image(path, max_pixels: int = 50_000_000) -> ImageInfo | ImageProblem:
    """Check that an image exists, is complete, is what its extension says and is safe to decode."""
    path = str(path)
    extension = os.path.splitext(path)[1].lower()
    if not os.path.isfile(path):
        return ImageProblem(path, "missing")
    with open(path, "rb") as handle:
        head = handle.read(64)
    sniffed = _sniff(head)
    if sniffed:
        return ImageProblem(path, "unsupported", {"format": sniffed})
    previous_limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels  # Pillow's own check now warns at our limit
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                real = image.format or "?"
                width, height = image.size
                if width * height > max_pixels:
                    return _bomb(path, width * height, max_pixels)
                if real not in SUPPORTED_FORMATS:
                    if extension in EXTENSION_FORMATS:
                        return ImageProblem(path, "extension", {"extension": extension, "format": real})
                    return ImageProblem(path, "unsupported", {"format": real})
                if extension not in EXTENSION_FORMATS:
                    return ImageProblem(path, "unsupported", {"format": extension.lstrip(".").upper() or "?"})
                if EXTENSION_FORMATS[extension] != real:
                    return ImageProblem(path, "extension", {"extension": extension, "format": real})
                orientation = image.getexif().get(0x0112, 1)
                image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            found = re.search(r"\((\d+) pixels\)", str(error))
            return _bomb(path, int(found.group(1)) if found else 0, max_pixels)
        except UnidentifiedImageError:
            if extension in EXTENSION_FORMATS or not extension:
                return ImageProblem(path, "corrupt")
            return ImageProblem(path, "unsupported", {"format": extension.lstrip(".").upper()})
        except OSError as error:
            kind = "truncated" if "truncated" in str(error) or "broken data stream" in str(error) else "corrupt"
            return ImageProblem(path, kind)
        except (SyntaxError, ValueError, EOFError, struct.error):
            return ImageProblem(path, "corrupt")
        finally:
            Image.MAX_IMAGE_PIXELS = previous_limit
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return ImageInfo(path, real, width, height, sha256_file(path))


def load_clean(path) -> Image.Image:
    """Open an image, apply its EXIF orientation, convert to sRGB and drop every metadata field."""
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    with Image.open(path) as image:
        image.seek(0)
        image.load()
        oriented = ImageOps.exif_transpose(image) or image
        icc = image.info.get("icc_profile")
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
        mode = "RGBA" if has_alpha else "RGB"
        if icc and oriented.mode in ("RGB", "RGBA", "CMYK", "L"):
            try:
                source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
                target = ImageCms.createProfile("sRGB")
                out_mode = "RGBA" if oriented.mode == "RGBA" else "RGB"
                oriented = ImageCms.profileToProfile(oriented, source, target, outputMode=out_mode)
            except (ImageCms.PyCMSError, OSError, ValueError):
                pass  # a broken profile: drop it and treat the pixels as sRGB
        converted = oriented.convert(mode)
    # A fresh image carries pixels only: no EXIF, GPS, XMP, ICC, comments or text chunks.
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    clean.info.clear()
    return clean


def flatten(image: Image.Image) -> Image.Image:
    """Return an RGB image, compositing transparency onto white (for JPEG)."""
    if image.mode == "RGB":
        return image
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _encode(image: Image.Image, fmt: str, quality: int, progressive: bool = True) -> bytes:
    """Encode without metadata; fixed parameters so the bytes are reproducible."""
    buffer = io.BytesIO()
    if fmt == "JPEG":
        flatten(image).save(
            buffer, "JPEG", quality=quality, optimize=True, progressive=progressive, subsampling="4:2:0", exif=b""
        )
    elif fmt == "WEBP":
        image.save(buffer, "WEBP", quality=quality, method=4, exif=b"", xmp=b"", icc_profile=b"")
    elif fmt == "PNG":
        image.save(buffer, "PNG", optimize=True)
    else:
        raise ValueError(f"cannot encode {fmt}")
    return buffer.getvalue()


def encode_within_budget(image: Image.Image, fmt: str, budget: int | None) -> bytes:
    """Encode at the highest quality of the ladder whose size fits the byte budget (if any)."""
    qualities = JPEG_QUALITIES if fmt == "JPEG" else WEBP_QUALITIES
    if budget is None:
        return _encode(image, fmt, qualities[1])
    data = b""
    for quality in qualities:
        data = _encode(image, fmt, quality)
        if len(data) <= budget:
            break
    return data


def budget_for(width: int, height: int) -> int | None:
    """Return the byte budget of a phone-sized variant (100 KB for 800×533, scaled by area).

    Wider variants go to large screens on fast connections: one fixed quality, no budget.
    """
    if width > 800:
        return None
    return max(20_000, int(BUDGET_BYTES_800 * (width * height) / (800 * 533)))


def plan_widths(source_width: int, widths) -> list[int]:
    """Return the variant widths for a source: never upscale; a narrow source keeps its width."""
    chosen = sorted({w for w in widths if w <= source_width})
    return chosen or [source_width]


def scaled_height(width: int, height: int, new_width: int) -> int:
    """Return the height that keeps the aspect ratio at new_width."""
    return max(1, round(height * new_width / width))


def _resize(image: Image.Image, size) -> Image.Image:
    if image.size == tuple(size):
        return image
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _write(out_dir: Path, name: str, data: bytes) -> None:
    (out_dir / name).write_bytes(data)


def cover(image: Image.Image, size) -> Image.Image:
    """Scale and centre-crop an image to fill size exactly (CSS object-fit: cover).

    Enlarging adds no detail for Lanczos to keep: bicubic looks the same and takes 35 % less
    time (6.5 ms against 10 ms for a 320×200 photograph made 1200×630).
    """
    enlarging = size[0] > image.width or size[1] > image.height
    method = Image.Resampling.BICUBIC if enlarging else Image.Resampling.LANCZOS
    return ImageOps.fit(image, size, method, centering=(0.5, 0.5))


def make_variants(src_path, widths, out_dir, source_format: str | None = None) -> list[Variant]:
    """Write WebP and JPEG variants, a clean original and the 1200×630 Open Graph image.

    Files are named `<width>.webp`, `<width>.jpg`, `original.<ext>` and `og.jpg` inside out_dir.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    image = load_clean(src_path)
    if source_format is None:
        with Image.open(src_path) as probe:
            source_format = probe.format
    variants: list[Variant] = []
    width, height = image.size
    for new_width in plan_widths(width, widths):
        size = (new_width, scaled_height(width, height, new_width))
        resized = _resize(image, size)
        budget = budget_for(*size)
        for fmt, ext in (("WEBP", "webp"), ("JPEG", "jpg")):
            name = f"{new_width}.{ext}"
            _write(out_dir, name, encode_within_budget(resized, fmt, budget))
            variants.append(Variant(name, fmt, MIME[fmt], *size))
    fmt, ext = ORIGINAL_SAVE.get(source_format, ("JPEG", ".jpg"))
    buffer = io.BytesIO()
    if fmt == "JPEG":
        flatten(image).save(buffer, "JPEG", quality=ORIGINAL_JPEG_QUALITY, optimize=True, exif=b"")
    elif fmt == "WEBP":
        image.save(buffer, "WEBP", quality=90, method=4, exif=b"", xmp=b"", icc_profile=b"")
    else:
        image.save(buffer, "PNG", optimize=True)
    _write(out_dir, f"original{ext}", buffer.getvalue())
    variants.append(Variant(f"original{ext}", fmt, MIME[fmt], width, height, "original"))
    og = flatten(cover(image, OG_SIZE))
    # Baseline: sharing previews download the image whole, and progressive encoding of
    # 1200×630 takes 2.5 times as long for the same bytes.
    _write(out_dir, "og.jpg", _encode(og, "JPEG", JPEG_QUALITIES[0], progressive=False))
    variants.append(Variant("og.jpg", "JPEG", MIME["JPEG"], *OG_SIZE, "og"))
    return variants
