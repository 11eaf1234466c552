"""Time the image pipeline on generated images, cold (empty cache) then warm.

    .venv/bin/python bench/bench_images.py [--count 1000] [--width 1600] [--height 1067] [--keep DIR]

Each image is synthetic (noise over a gradient, numbered so every file differs). The cold run
inspects and processes every image into a fresh cache and publishes the files, as a build with
the images plugin does; the warm run is the next build: inspect, find in cache, publish.
"""

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]

from plugins.images import markup  # noqa: E402
from plugins.images.cache import ImageCache, publish  # noqa: E402
from plugins.images.images import DEFAULTS  # noqa: E402
from plugins.images.pipeline import ImageInfo, inspect_image  # noqa: E402


def generate(folder: Path, count: int, size: tuple[int, int]) -> list[Path]:
    """Write count distinct photo-like JPEGs (noise has detail like a photograph)."""
    base = Image.blend(
        Image.linear_gradient("L").resize(size).convert("RGB"),
        Image.effect_noise(size, 50).convert("RGB"),
        0.35,
    )
    paths = []
    for number in range(count):
        image = base.copy()
        draw = ImageDraw.Draw(image)
        draw.rectangle((number % size[0], 0, number % size[0] + 40, size[1] // 3), fill=(number % 256, 80, 160))
        draw.text((20, 20), f"{number:04d}", fill=(255, 255, 255))
        path = folder / f"anh-{number:04d}.jpg"
        image.save(path, quality=90)
        paths.append(path)
    return paths


def build(paths: list[Path], cache_dir: Path, output: Path) -> tuple[float, int, int]:
    """Run what a build does per image; return (seconds, images processed, files published)."""
    store = ImageCache(cache_dir)
    widths = DEFAULTS["IMAGES_WIDTHS"]
    published = 0
    start = time.perf_counter()
    for path in paths:
        info = inspect_image(path, DEFAULTS["IMAGES_MAX_PIXELS"])
        assert isinstance(info, ImageInfo), info
        key, folder, variants = store.variants(info, widths)
        name = markup.output_name(path.name)
        for variant in variants:
            publish(folder / variant.name, output / markup.public_path("anh", key, name, variant))
            published += 1
    return time.perf_counter() - start, store.processed, published


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1067)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-images-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        paths = generate(work, args.count, (args.width, args.height))
        print(f"generated {len(paths)} images {args.width}×{args.height} in {time.perf_counter() - start:.1f} s")
        cold, processed, files = build(paths, work / "cache", work / "out-cold")
        print(f"cold : {cold:7.1f} s  {processed} processed, {files} files  ({1000 * cold / len(paths):.0f} ms/image)")
        warm, processed, files = build(paths, work / "cache", work / "out-warm")
        print(f"warm : {warm:7.1f} s  {processed} processed, {files} files  ({1000 * warm / len(paths):.1f} ms/image)")
        sizes = sorted(p.stat().st_size for p in (work / "out-warm").rglob("*-800.jpg"))
        print(f"800 px JPEG: median {sizes[len(sizes) // 2] / 1000:.0f} KB, max {sizes[-1] / 1000:.0f} KB")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
