"""Gazetteer of Vietnamese administrative units (before and after 2025) and editor-declared places."""

from .gazetteer import register
from .model import Resolution, ResolutionProblem, Unit
from .store import Gazetteer, load_gazetteer

__all__ = ["Gazetteer", "Resolution", "ResolutionProblem", "Unit", "load_gazetteer", "register"]
