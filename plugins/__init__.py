"""Pelican plugins of the portal, one package per concern; each has a register() that Pelican calls."""
