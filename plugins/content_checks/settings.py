"""Settings of the content_checks plugin, with their defaults in one place."""

DEFAULTS = {
    # Publish and tests fail the build on any error; development reports and keeps serving.
    "CONTENT_CHECKS_STRICT": False,
    "CONTENT_CHECKS_CATEGORIES": ("Phát động phong trào", "Hội nghị tổng kết", "Tôn vinh điển hình"),
}


def get_setting(settings: dict, name: str):
    """Return a setting or its default."""
    return settings.get(name, DEFAULTS[name])


def validate_settings(settings: dict) -> None:
    """Raise ValueError naming the setting and the fix when a value is unusable."""
    categories = get_setting(settings, "CONTENT_CHECKS_CATEGORIES")
    if not categories or not all(isinstance(c, str) and c.strip() for c in categories):
        raise ValueError("CONTENT_CHECKS_CATEGORIES must be a non-empty list of category names")
