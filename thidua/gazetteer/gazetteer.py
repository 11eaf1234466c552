"""Pelican entry point of the gazetteer: the logic lives in store, resolve, mentions."""


def register() -> None:
    """Do nothing: other plugins call load_gazetteer() themselves."""
