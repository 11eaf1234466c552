"""Data classes of the gazetteer: units, resolution results and their problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

OLD_ERA_END = date(2025, 6, 30)
NEW_ERA_START = date(2025, 7, 1)


@dataclass(frozen=True, slots=True)
class Unit:
    """One administrative unit in one period of its life, or one declared place (level 0).

    ``id`` is unique: the official code, plus ``@YYYY-MM-DD`` when the unit starts at a known
    date (every post-2025 unit, and those created on 1 January 2025), because codes are reused
    across eras. ``parent``, ``successors``, ``predecessors`` and ``members`` hold ids.
    """

    id: str
    code: str
    name: str
    short_name: str
    kind: str
    level: int
    parent: str | None
    valid_from: date | None
    valid_to: date | None
    successors: tuple[str, ...]
    predecessors: tuple[str, ...]
    region: str | None
    slug: str
    members: tuple[str, ...] = ()

    def __reduce__(self):
        # Rebuilt by its constructor from its values: a third of the time dataclasses' generic
        # state restoring takes (14,000 units are unpickled at the start of every build).
        return (Unit, tuple(getattr(self, name) for name in _UNIT_FIELDS))

    def valid_on(self, day: date) -> bool:
        """Return whether the unit existed on that day."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to

    @property
    def is_place(self) -> bool:
        """Return whether this is an editor-declared place rather than an administrative unit."""
        return self.level == 0


_UNIT_FIELDS = tuple(Unit.__dataclass_fields__)


@dataclass(frozen=True)
class ResolutionProblem:
    """A locality that could not be resolved: its index in the input, the message and the fix."""

    index: int
    message: str
    fix: str


@dataclass
class Resolution:
    """Units resolved from a list of names (input order) and the problems of the others."""

    units: list[Unit] = field(default_factory=list)
    problems: list[ResolutionProblem] = field(default_factory=list)
    by_index: dict[int, Unit] = field(default_factory=dict)
