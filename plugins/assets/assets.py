"""One stylesheet: theme/static/css/*.css concatenated in name order, named by its content hash."""

import hashlib
from pathlib import Path

from pelican import signals

DEFAULTS = {"ASSETS_CSS_DIR": "static/css", "ASSETS_CSS_NAME": "site"}


def bundle_css(css_dir: Path) -> bytes:
    """Return every CSS file of the folder joined in name order (tokens file first: 00-…)."""
    parts = [
        f"/* {path.name} */\n{path.read_text(encoding='utf-8').strip()}\n" for path in sorted(css_dir.glob("*.css"))
    ]
    return "\n".join(parts).encode("utf-8")


def bundle_name(data: bytes, stem: str) -> str:
    """Return a file name that changes exactly when the bytes change (long CDN caching is safe)."""
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}.css"


_bundle: dict[str, bytes] = {}


def prepare_css(generators) -> None:
    """Bundle the CSS once per build and tell templates its URL."""
    if not generators:
        return
    generator = generators[0]
    settings = {**DEFAULTS, **generator.settings}
    data = bundle_css(Path(settings["THEME"]) / settings["ASSETS_CSS_DIR"])
    relative = f"{settings['THEME_STATIC_DIR']}/{bundle_name(data, settings['ASSETS_CSS_NAME'])}"
    generator.context["CSS_URL"] = relative
    _bundle.clear()
    _bundle[relative] = data


def write_css(pelican) -> None:
    """Write the bundle after Pelican has emptied and filled the output folder."""
    for relative, data in _bundle.items():
        target = Path(pelican.output_path) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)


def register() -> None:
    """Connect the asset bundler."""
    signals.all_generators_finalized.connect(prepare_css)
    signals.finalized.connect(write_css)
