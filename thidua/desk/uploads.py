"""Image uploads: only real JPEG, PNG or WebP pictures, of bounded size, under content/images/.

Pillow decides what a file is (never its name or the browser's content type), the pixel count
is bounded before any decoding (a small PNG can unpack to gigabytes), and the stored name is an
ASCII slug of the uploaded name with the extension of the detected format, so nothing the
request says can choose a folder.
"""

import warnings
from io import BytesIO
from pathlib import Path, PurePosixPath, PureWindowsPath

from PIL import Image

from thidua.vntext import slugify

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 50-megapixel camera's photo is bigger than any page needs
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


class UploadRefused(ValueError):
    """The upload is not an acceptable image; the message key says why (see [desk] strings)."""


def check_image(data: bytes) -> str:
    """Return the extension of a valid image; raise UploadRefused otherwise."""
    if len(data) > MAX_BYTES:
        raise UploadRefused("upload_too_big")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                if image.format not in FORMATS:
                    raise UploadRefused("upload_not_image")
                if image.width * image.height > min(MAX_PIXELS, Image.MAX_IMAGE_PIXELS or MAX_PIXELS):
                    raise UploadRefused("upload_bomb")
                image.verify()  # reads the whole file: truncated or corrupt data fails here
                return FORMATS[image.format]
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused("upload_bomb") from None
    except UploadRefused:
        raise
    except Exception:  # Pillow raises many kinds for "not an image"; each means the same to an editor
        raise UploadRefused("upload_not_image") from None


def safe_name(filename: str, extension: str) -> str:
    """Return an ASCII file name from an uploaded name: its last part only, slugified."""
    last = PureWindowsPath(PurePosixPath(filename or "").name).name  # drop any folder, / or \\
    stem = slugify(last.rsplit(".", 1)[0]) if "." in last else slugify(last)
    return f"{stem[:60].strip('-') or 'anh'}.{extension}"


def store_image(content: Path, filename: str, data: bytes) -> str:
    """Check and write an upload into content/images/; return its path relative to content/."""
    extension = check_image(data)
    folder = content / "images"
    folder.mkdir(parents=True, exist_ok=True)
    name = safe_name(filename, extension)
    stem, number = name.rsplit(".", 1)[0], 2
    while (folder / name).exists():  # never replace a picture other articles may show
        name, number = f"{stem}-{number}.{extension}", number + 1
    with open(folder / name, "xb") as handle:
        handle.write(data)
    return f"images/{name}"


def list_images(content: Path) -> list[str]:
    """Return the pictures editors can insert, as paths relative to content/."""
    folder = content / "images"
    return sorted(
        f"images/{p.name}" for p in folder.glob("*") if p.suffix.lower().lstrip(".") in {"jpg", "jpeg", "png", "webp"}
    )
