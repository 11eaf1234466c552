"""Regenerate the image fixtures: `python plugins/images/test_data/make_fixtures.py [--golden]`.

Every picture here is synthetic (gradients and shapes drawn with Pillow): no real photograph.
"""

import io
import struct
import sys
import zlib
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).parent
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def scene(size=(640, 400)) -> Image.Image:
    """Return a deterministic test scene: two gradients, a disc, a bar and a diagonal."""
    width, height = size
    red = Image.linear_gradient("L").resize(size).rotate(90, expand=False)
    green = Image.linear_gradient("L").resize(size)
    blue = Image.new("L", size, 90)
    image = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.55, height * 0.2, width * 0.85, height * 0.7), fill=(250, 250, 240))
    draw.rectangle((width * 0.08, height * 0.7, width * 0.45, height * 0.8), fill=(20, 30, 120))
    draw.line((0, 0, width, height), fill=(0, 0, 0), width=6)
    return image


def with_metadata(image: Image.Image, orientation: int = 1) -> bytes:
    """Encode a JPEG carrying EXIF (camera, GPS position, orientation) and a comment."""
    exif = Image.Exif()
    exif[0x010F] = "FictionalCam"  # Make
    exif[0x0110] = "Model X (fictional)"
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (16.0, 28.0, 1.5), 3: "E", 4: (107.0, 35.0, 2.5)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, exif=exif, comment=b"secret location note")
    return buffer.getvalue()


def halves(size=(200, 100)) -> Image.Image:
    """Return an image whose left half is red and right half blue (to see rotations)."""
    image = Image.new("RGB", size, (220, 0, 0))
    ImageDraw.Draw(image).rectangle((size[0] // 2, 0, size[0], size[1]), fill=(0, 0, 220))
    return image


def png_header_only(width: int, height: int) -> bytes:
    """Return a tiny PNG whose header claims width×height pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def bad_fixtures() -> dict[str, bytes]:
    """Return the bad-image fixtures by file name."""
    good = io.BytesIO()
    scene((320, 200)).save(good, "JPEG", quality=90)
    png = io.BytesIO()
    scene((320, 200)).save(png, "PNG")
    bmp = io.BytesIO()
    scene((32, 20)).save(bmp, "BMP")
    data = good.getvalue()
    return {
        "truncated.jpg": data[: len(data) // 2],
        "corrupt.jpg": b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8,
        "lying.jpg": png.getvalue(),
        "bomb.png": png_header_only(60_000, 60_000),
        "unsupported.bmp": bmp.getvalue(),
        "drawing.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n',
    }


def main() -> None:
    bad = HERE / "bad"
    bad.mkdir(exist_ok=True)
    for name, data in bad_fixtures().items():
        (bad / name).write_bytes(data)
    if "--golden" in sys.argv:
        import tempfile

        from plugins.images.pipeline import make_variants

        golden = HERE / "golden"
        golden.mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory() as work:
            source = Path(work) / "scene.jpg"
            source.write_bytes(with_metadata(scene()))
            for variant in make_variants(source, (160, 320), Path(work) / "out"):
                if variant.role == "variant" or variant.role == "og":
                    with Image.open(Path(work) / "out" / variant.name) as image:
                        image = image.convert("RGB")
                        if variant.role == "og":
                            image = image.resize((240, 126), Image.Resampling.BOX)
                        image.save(golden / (variant.name.replace(".", "_") + ".png"), optimize=True)


if __name__ == "__main__":
    main()
