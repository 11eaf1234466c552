"""Content problems: one line each, `content/path.md:LINE: what is wrong; how to fix it`."""

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
INFO = "info"  # neither error nor warning: e.g. an article scheduled for later


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file, with the fix an editor can apply."""

    path: str
    line: int
    message: str
    fix: str = ""
    severity: str = ERROR

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {self.message}"
        return f"{text}; {self.fix}" if self.fix else text

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


_PROBLEMS: list[Problem] = []


def report(problem: Problem) -> None:
    """Record a problem for this build (each distinct problem once)."""
    if problem not in _PROBLEMS:
        _PROBLEMS.append(problem)


def all_problems() -> list[Problem]:
    """Return the problems of this build, sorted by file and line."""
    return sorted(_PROBLEMS)


def clear() -> None:
    """Forget the problems of the previous build (live reload starts clean)."""
    _PROBLEMS.clear()
