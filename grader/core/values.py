"""Frozen value types that flow through the judge: inputs, limits, verdicts and results."""

from __future__ import annotations

import enum
import hashlib
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.core.files import NotARegularFile, read_regular_file


class Verdict(enum.StrEnum):
    """The closed set of outcomes for one graded submission (the same for every backend)."""

    PASSED = "passed"
    FAILED = "failed"
    TIME_LIMIT = "time_limit"
    MEMORY_LIMIT = "memory_limit"
    CRASHED = "crashed"
    OUTPUT_LIMIT = "output_limit"
    PROTOCOL_VIOLATION = "protocol_violation"
    MISSING_ENTRY_POINT = "missing_entry_point"
    SYNTAX_ERROR = "syntax_error"
    JUDGE_ERROR = "judge_error"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


#: When several things went wrong, the verdict names the one highest in this list.
VERDICT_PRIORITY: tuple[Verdict, ...] = (
    Verdict.JUDGE_ERROR,
    Verdict.SYNTAX_ERROR,
    Verdict.MISSING_ENTRY_POINT,
    Verdict.PROTOCOL_VIOLATION,
    Verdict.MEMORY_LIMIT,
    Verdict.OUTPUT_LIMIT,
    Verdict.TIME_LIMIT,
    Verdict.CRASHED,
    Verdict.FAILED,
    Verdict.PASSED,
)


class Outcome(enum.StrEnum):
    """The outcome of one check."""

    PASSED = "passed"
    PARTIAL = "partial"
    FAILED = "failed"
    SKIPPED = "skipped"


class Visibility(enum.StrEnum):
    """Gradescope's visibility levels for a check's result."""

    VISIBLE = "visible"
    AFTER_DUE_DATE = "after_due_date"
    AFTER_PUBLISHED = "after_published"
    HIDDEN = "hidden"


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission; times in seconds."""

    wall_time: float = 60.0
    call_time: float = 10.0
    start_time: float = 30.0
    cpu_time: float = 60.0
    memory_mb: int = 1024
    output_kb: int = 1024
    file_size_mb: int = 64
    processes: int = 64
    max_frame_mb: int = 256
    max_restarts: int = 3


@dataclass(frozen=True)
class Quota:
    """How often a student may submit to the course server (``[submissions]`` in assignment.toml): a
    token bucket of ``capacity`` refilled at ``refill_per_day``, at least ``min_interval_minutes``
    apart, at most ``max_total`` in all (0: no cap), each file at most ``max_kb``."""

    capacity: int = 10
    refill_per_day: float = 10.0
    min_interval_minutes: float = 0.0
    max_total: int = 0
    max_kb: int = 512


@dataclass(frozen=True)
class Submission:
    """One file handed in for one exercise."""

    path: Path
    sha256: str
    student: str | None = None
    problem: str | None = None  # why the file cannot be graded (a symbolic link…): a zero, not a crash

    @classmethod
    def from_path(cls, path: Path, student: str | None = None) -> Submission:
        """Hash the file handed in; a symbolic link or other non-file is recorded, never followed."""
        path = Path(path)
        try:
            content = read_regular_file(path)
        except NotARegularFile as exc:
            marker = f"not-a-file:{os.readlink(path) if path.is_symlink() else path.name}".encode()
            return cls(path=path, sha256=hashlib.sha256(marker).hexdigest(), student=student, problem=str(exc))
        return cls(path=path, sha256=hashlib.sha256(content).hexdigest(), student=student)


@dataclass(frozen=True)
class ResourceUsage:
    """What the submission's workers used, added up over the whole grading."""

    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_memory_mb: float = 0.0
    student_seconds: float = 0.0
    workers_started: int = 0


@dataclass(frozen=True)
class WorkerExit:
    """How one worker process ended."""

    exit_code: int | None
    signal: int | None
    verdict: Verdict | None
    reason: str
    cpu_seconds: float
    peak_memory_mb: float
    wall_seconds: float
    output: str
    output_truncated: bool


@dataclass(frozen=True)
class CheckResult:
    """The result of one check, computed on the trusted side."""

    id: str
    name: str
    outcome: Outcome
    points_earned: float
    points_possible: float
    visibility: Visibility
    hidden_check: bool
    message: str = ""
    instructor_message: str = ""
    metric: float | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class BoardScore:
    """One leaderboard metric of one submission, on the public and on the private split of the hidden
    evaluation data (None: not a finite number). ``order`` is "desc" (higher is better) or "asc"."""

    name: str
    public: float | None
    private: float | None
    order: str = "desc"


@dataclass(frozen=True)
class Grade:
    """The grade of one submission: status ``ok`` or ``error`` (the judge failed, not the student)."""

    exercise: str
    submission_sha256: str
    status: str
    verdict: Verdict
    score: float
    max_score: float
    checks: tuple[CheckResult, ...]
    output: str = ""
    resources: ResourceUsage = field(default_factory=ResourceUsage)
    sandbox: str = "process"
    isolated: bool = False
    scope: str = "all"
    seconds: float = 0.0
    notes: tuple[str, ...] = ()
    judge_version: str = ""
    #: leaderboard metrics, the ranking key first (private scores: never shown before the reveal)
    leaderboard: tuple[BoardScore, ...] = ()

    def without_private(self) -> Grade:
        """This grade with the leaderboard's private scores taken out (what every page, export and
        feedback file gets: private scores reach only the private board, after the reveal)."""
        if all(b.private is None for b in self.leaderboard):
            return self
        return replace(self, leaderboard=tuple(replace(b, private=None) for b in self.leaderboard))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field (the gradebook stores it; :meth:`from_dict` reads it back)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Grade:
        """The Grade that :meth:`to_dict` gave ``data``."""
        checks = tuple(
            CheckResult(**{**c, "outcome": Outcome(c["outcome"]), "visibility": Visibility(c["visibility"])})
            for c in data["checks"]
        )
        return cls(**{
            **data,
            "verdict": Verdict(data["verdict"]),
            "checks": checks,
            "resources": ResourceUsage(**data["resources"]),
            "notes": tuple(data.get("notes", ())),
            "leaderboard": tuple(BoardScore(**b) for b in data.get("leaderboard", ())),
        })
