"""``judge new ID``: a new exercise that `judge verify` passes as it is, to edit into your own.

It writes ``assignments/<id>/`` (assignment.toml with every key and its default, commented; the
statement; the stub; public and hidden checks; a wrong example with its expected score) and the
reference in ``solutions/<id>/`` (kept out of every release). The keys and defaults come from the
judge's own dataclasses, so the file never lists a key the judge does not know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

from grader.core.assignment import LeaderboardSpec
from grader.core.values import Limits, Quota

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

LIMIT_NOTES = {
    "wall_time": "seconds for the whole grading of one submission",
    "call_time": "seconds per call into the submission (a check's @pytest.mark.timeout(s) overrides it)",
    "start_time": "seconds for the worker to start and import the submission",
    "cpu_time": "CPU seconds for the submission's workers",
    "memory_mb": "memory of one worker (MB)",
    "output_kb": "what the submission may print (KB)",
    "file_size_mb": "largest file the submission may write (MB)",
    "processes": "processes and threads of one worker",
    "max_frame_mb": "largest value crossing the sandbox boundary (MB)",
    "max_restarts": "workers started again after a crash, per grading",
}
QUOTA_NOTES = {
    "capacity": "token bucket: at most this many submissions at once ...",
    "refill_per_day": "... and this many more a day",
    "min_interval_minutes": "minutes between two submissions (0: none)",
    "max_total": "hard cap (0: none)",
    "max_kb": "size cap of one file (KB)",
}
LEADERBOARD_NOTES = {
    "reveal": "when the private board counts, e.g. 2026-12-20T12:00:00+00:00",
    "picks": "final submissions a student may pick",
    "public_fraction": "share of the evaluation rows on the public board",
}


class ScaffoldError(Exception):
    """A scaffold that cannot be written (bad id, the exercise exists)."""


@dataclass(frozen=True)
class Scaffold:
    exercise: Path
    reference: Path
    files: tuple[Path, ...]


def _value(value: object) -> str:
    return "" if value is None else repr(value).lower() if isinstance(value, bool) else repr(value)


def _table(header: str, defaults: object, notes: dict[str, str]) -> str:
    lines = [header]
    for f in fields(defaults):  # type: ignore[arg-type]
        default = _value(getattr(defaults, f.name))
        lines.append(f"# {f.name} = {default or '…'}".ljust(38) + f"# {notes.get(f.name, '')}".rstrip())
    return "\n".join(lines)


def assignment_toml(exercise: str) -> str:
    """assignment.toml for ``exercise``: the required keys set, every other key with its default, commented."""
    return f'''[assignment]
title = "{exercise.replace("-", " ").capitalize()}"
file = "solution.py"                 # the module students hand in (a notebook of the same stem also works)
entry_points = ["mean_squared_error"]  # names the submission must define (a missing one: missing_entry_point)
points = 3                           # the checks' points must add up to this
# due = 2026-12-01T23:59:00+00:00    # optional, with a UTC offset
# late_penalty_per_day = 0.1         # fraction off per started day late (needs due)
allowed = ["numpy"]                  # packages a submission may import besides the standard library
                                     # (the sandbox shows no others; drop the key to allow everything)
# seed = 0                           # the seed of the submission's unseeded random draws (false: entropy)

[limits]
wall_time = 20
call_time = 2
# preload = ["sklearn.linear_model"]  # modules warm workers import once per pool, not per submission
{_table("# every key of [limits] and its default:", Limits(), LIMIT_NOTES)}

{_table("# [submissions]                      how often a student may submit to the course server", Quota(),
        QUOTA_NOTES)}

{_table("# [leaderboard]                      rank the submissions (a check reports to the leaderboard fixture)",
        LeaderboardSpec(), LEADERBOARD_NOTES)}
'''


README = """# {title}

Write `mean_squared_error(y_true, y_pred)` in `solution.py`: the mean of the squared differences
of two equally long sequences of numbers, as a float.

Check it at home with `judge check {id} solution.py` (the public checks).
"""

STUB = '''"""{title}: your solution."""


def mean_squared_error(y_true, y_pred):
    raise NotImplementedError("compute the mean of the squared differences")
'''

REFERENCE = '''"""Reference solution of {id} (never released)."""

import numpy as np


def mean_squared_error(y_true, y_pred):
    difference = np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)
    return float(np.mean(difference ** 2))
'''

WRONG = '''"""An example: the mean absolute error instead of the squared one."""

import numpy as np


def mean_squared_error(y_true, y_pred):
    return float(np.mean(np.abs(np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float))))
'''

PUBLIC = '''"""Public checks: small cases students run at home."""

import pytest


@pytest.mark.points(1)
def test_small_case(submission) -> None:
    got = float(submission.mean_squared_error([1.0, 2.0, 3.0], [1.0, 2.0, 5.0]))
    assert got == pytest.approx(4 / 3), f"mean_squared_error([1, 2, 3], [1, 2, 5]) should be 4/3, got {{got}}"
'''

HIDDEN = '''"""Hidden checks: seeded random cases (keyed with the course secret when grading)."""

import numpy as np
import pytest


@pytest.mark.points(2)
@pytest.mark.visibility("after_published")
def test_random_cases(submission, data, credit) -> None:
    rng = data.rng("random-cases")
    right = 0
    for _ in range(10):
        y_true, y_pred = rng.normal(size=50), rng.normal(size=50)
        right += float(submission.mean_squared_error(y_true, y_pred)) == pytest.approx(np.mean((y_true - y_pred) ** 2))
    credit.set(right / 10, f"{{right}} of 10 random cases right")
'''

EXPECTED = '''score = [0, 0]        # the range its grade must fall in (judge verify proves it)
verdict = "failed"
'''


def scaffold(home: Path, exercise: str) -> Scaffold:
    """Write the new exercise ``exercise`` under ``home``; refuse to overwrite anything."""
    if not _ID.match(exercise):
        raise ScaffoldError(f"{exercise!r}: an exercise id is lower-case letters, digits, '-' and '_'")
    root = Path(home) / "assignments" / exercise
    reference = Path(home) / "solutions" / exercise / "solution.py"
    if root.exists() or reference.exists():
        raise ScaffoldError(f"{root} or {reference} exists already: not overwriting it")
    title = exercise.replace("-", " ").capitalize()
    texts = {
        root / "assignment.toml": assignment_toml(exercise),
        root / "README.md": README.format(title=title, id=exercise),
        root / "stub.py": STUB.format(title=title),
        root / "checks" / "public" / "test_public.py": PUBLIC.format(),
        root / "checks" / "hidden" / "test_hidden.py": HIDDEN.format(),
        root / "examples" / "mean-absolute-error" / "solution.py": WRONG,
        root / "examples" / "mean-absolute-error" / "expected.toml": EXPECTED,
        reference: REFERENCE.format(id=exercise),
    }
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Scaffold(root, reference, tuple(texts))
