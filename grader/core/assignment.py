"""Exercises on disk: ``assignments/<id>/assignment.toml`` and its folder, loaded and validated.

Every error names the file and the field, so an instructor can fix it without reading code.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from grader.core.values import Limits, Quota, Verdict

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class AssignmentError(Exception):
    """An exercise folder that is missing something or holds an invalid value."""


@dataclass(frozen=True)
class ExampleSpec:
    """A sample submission with the score range (and maybe the verdict) it must get."""

    name: str
    path: Path
    score_min: float
    score_max: float
    verdict: Verdict | None


@dataclass(frozen=True)
class LeaderboardSpec:
    """``[leaderboard]``: when the private scores are revealed, how many final picks a student has,
    and the share of the evaluation rows on the public split."""

    reveal: dt.datetime | None = None
    picks: int = 2
    public_fraction: float = 0.5

    def revealed(self, now: dt.datetime | None = None) -> bool:
        return self.reveal is not None and (now or dt.datetime.now(dt.UTC)) >= self.reveal


@dataclass(frozen=True)
class AssignmentSpec:
    """One exercise, validated."""

    id: str
    root: Path
    title: str
    file: str
    entry_points: tuple[str, ...]
    points: float
    limits: Limits
    examples: tuple[ExampleSpec, ...]
    due: dt.datetime | None = None
    late_penalty_per_day: float = 0.0
    #: modules warm workers import once per pool (``preload`` in ``[limits]``, e.g. ["keras"])
    preload: tuple[str, ...] = ()
    #: how often a student may submit to the course server (``[submissions]``)
    quota: Quota = field(default_factory=Quota)
    #: the exercise's leaderboard (``[leaderboard]``), if it has one
    leaderboard: LeaderboardSpec | None = None
    #: the packages a submission may import besides the standard library (``allowed`` in
    #: ``[assignment]``; numpy always); None: whatever the judge's environment has
    allowed: tuple[str, ...] | None = None
    #: the seed of the worker's global random generators (``seed`` in ``[assignment]``, default 0;
    #: ``seed = false``: entropy, a submission's unseeded draws differ from run to run)
    seed: int | None = 0

    @property
    def module_name(self) -> str:
        return Path(self.file).stem

    @property
    def statement(self) -> Path:
        return self.root / "README.md"

    @property
    def stub(self) -> Path:
        return self.root / "stub.py"

    @property
    def public_checks(self) -> Path:
        return self.root / "checks" / "public"

    @property
    def hidden_checks(self) -> Path:
        return self.root / "checks" / "hidden"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def solution(self) -> Path:
        """The reference solution, kept outside the exercise folder (never released)."""
        return self.root.parent.parent / "solutions" / self.id / self.file


def _field(table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str, default: Any = ...) -> Any:
    if key not in table:
        if default is ...:
            raise AssignmentError(f"{where}: missing field '{key}'")
        return default
    value = table[key]
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise AssignmentError(f"{where}: field '{key}' should be {names}, not {value!r}")
    return value


def _preload(table: dict[str, Any], where: str) -> tuple[str, ...]:
    """``preload`` of ``[limits]``: it sits with the limits in assignment.toml, but is not one."""
    value = table.get("preload", [])
    names = value if type(value) is list else [None]
    if not all(type(v) is str and all(p.isidentifier() for p in v.split(".")) for v in names):
        raise AssignmentError(f"{where}: field 'limits.preload' should be a list of module names")
    return tuple(value)


def _allowed(table: dict[str, Any], preload: tuple[str, ...], where: str) -> tuple[str, ...] | None:
    """``allowed`` of ``[assignment]``: top-level import names; every preload module must be among them."""
    if "allowed" not in table:
        return None
    value = table["allowed"]
    if type(value) is not list or not all(type(v) is str and v.isidentifier() for v in value):
        raise AssignmentError(f"{where}: field 'assignment.allowed' should be a list of top-level import names "
                              f"like [\"numpy\", \"sklearn\"], not {value!r}")
    allowed = tuple(dict.fromkeys(value))
    for module in preload:
        if module.split(".")[0] not in (*allowed, "numpy"):
            raise AssignmentError(f"{where}: 'limits.preload' names {module!r}, which 'assignment.allowed' "
                                  f"does not allow (allowed: {', '.join(allowed) or 'the standard library'})")
    return allowed


def _seed(table: dict[str, Any], where: str) -> int | None:
    """``seed`` of ``[assignment]``: a whole number in [0, 2**32), or false for none; 0 when absent."""
    value = table.get("seed", 0)
    if value is False:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**32:
        raise AssignmentError(f"{where}: field 'assignment.seed' should be a whole number from 0 to 2**32 - 1, "
                              f"or false, not {value!r}")
    return value


def _limits(table: dict[str, Any], where: str) -> Limits:
    known = {f.name: f.type for f in fields(Limits)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == "preload":
            continue
        if key not in known:
            raise AssignmentError(
                f"{where}: unknown field 'limits.{key}' (known: {', '.join([*known, 'preload'])})")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise AssignmentError(f"{where}: field 'limits.{key}' should be a positive number, not {value!r}")
        values[key] = int(value) if known[key] == "int" else float(value)
    return Limits(**values)


def _quota(table: dict[str, Any], where: str) -> Quota:
    """``[submissions]``: whole numbers for counts and sizes, non-negative numbers for rates."""
    known = {f.name: f.type for f in fields(Quota)}
    _known_keys(table, tuple(known), where, "field of [submissions]")
    values: dict[str, Any] = {}
    for key, value in table.items():
        whole = known[key] == "int"
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)) or value < 0:
            kind = "a whole number" if whole else "a number"
            raise AssignmentError(f"{where}: field 'submissions.{key}' should be {kind} of at least 0, not {value!r}")
        values[key] = value if whole else float(value)
    quota = Quota(**values)
    if quota.capacity < 1 or quota.max_kb < 1:
        raise AssignmentError(f"{where}: fields 'submissions.capacity' and 'submissions.max_kb' should be at least 1")
    return quota


def _leaderboard(data: dict[str, Any], where: str) -> LeaderboardSpec | None:
    if "leaderboard" not in data:
        return None
    table = _field(data, "leaderboard", dict, where)
    where += " [leaderboard]"
    _known_keys(table, ("reveal", "picks", "public_fraction"), where, "field of [leaderboard]")
    reveal = _field(table, "reveal", (dt.datetime, dt.date), where, None)
    if reveal is not None and (not isinstance(reveal, dt.datetime) or reveal.tzinfo is None):
        raise AssignmentError(f"{where}: field 'leaderboard.reveal' should be a date-time with a UTC offset, "
                              f"like 2026-12-15T12:00:00+00:00, not {reveal!r}")
    picks = _field(table, "picks", int, where, 2)
    fraction = _field(table, "public_fraction", (int, float), where, 0.5)
    if picks < 1 or not 0 < fraction < 1:
        raise AssignmentError(f"{where}: 'picks' should be at least 1 and 'public_fraction' between 0 and 1")
    return LeaderboardSpec(reveal, picks, float(fraction))


def _late_policy(table: dict[str, Any], where: str) -> tuple[dt.datetime | None, float]:
    due = _field(table, "due", (dt.datetime, dt.date), where, None)
    if due is not None and (not isinstance(due, dt.datetime) or due.tzinfo is None):
        raise AssignmentError(
            f"{where}: field 'assignment.due' should be a date-time with a UTC offset, "
            f"like 2026-12-01T23:59:00+00:00, not {due!r}"
        )
    penalty = _field(table, "late_penalty_per_day", (int, float), where, 0.0)
    if not 0 <= penalty <= 1:
        raise AssignmentError(
            f"{where}: field 'assignment.late_penalty_per_day' should be a fraction between 0 and 1, not {penalty!r}"
        )
    if penalty and due is None:
        raise AssignmentError(f"{where}: field 'assignment.late_penalty_per_day' needs 'assignment.due'")
    return due, float(penalty)


def checks_hash(spec: AssignmentSpec) -> str:
    """sha256 over assignment.toml and every file under checks/ and data/: a grade is reusable
    only while this is unchanged."""
    digest = hashlib.sha256()
    files = [spec.root / "assignment.toml"]
    for folder in (spec.root / "checks", spec.data_dir):
        if folder.is_dir():
            files += sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        digest.update(path.relative_to(spec.root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise AssignmentError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise AssignmentError(f"{path}: invalid TOML: {exc}") from None


def _example(folder: Path, file: str) -> ExampleSpec:
    where = str(folder / "expected.toml")
    table = _load_toml(folder / "expected.toml")
    _known_keys(table, EXAMPLE_KEYS, where, "field")
    score = _field(table, "score", list, where)
    if len(score) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in score):
        raise AssignmentError(f"{where}: field 'score' should be [min, max], not {score!r}")
    if score[0] > score[1]:
        raise AssignmentError(f"{where}: field 'score' has min above max")
    verdict_text = _field(table, "verdict", str, where, None)
    verdict = None
    if verdict_text is not None:
        try:
            verdict = Verdict(verdict_text)
        except ValueError:
            choices = ", ".join(v.value for v in Verdict)
            raise AssignmentError(f"{where}: field 'verdict' should be one of {choices}") from None
    path = folder / file
    if not path.is_file():
        raise AssignmentError(f"{path}: the example's submission file is missing")
    return ExampleSpec(folder.name, path, float(score[0]), float(score[1]), verdict)


#: Every table and key assignment.toml may hold; anything else is a typo that would be ignored.
TABLES = ("assignment", "limits", "submissions", "leaderboard")
ASSIGNMENT_KEYS = ("title", "file", "entry_points", "points", "due", "late_penalty_per_day", "allowed", "seed")
EXAMPLE_KEYS = ("score", "verdict")


def _known_keys(table: dict[str, Any], known: tuple[str, ...], where: str, what: str) -> None:
    """An unknown key is an error naming the file and the key (a ``preload`` under ``[assignment]``
    would otherwise be silently ignored)."""
    for key in table:
        if key not in known:
            near = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else f" (known: {', '.join(known)})"
            raise AssignmentError(f"{where}: unknown {what} {key!r}{hint}")


def load_assignment(root: Path) -> AssignmentSpec:
    """Load and validate the exercise in ``root``."""
    root = Path(root).resolve()
    config = root / "assignment.toml"
    where = str(config)
    data = _load_toml(config)
    if not _ID.match(root.name):
        raise AssignmentError(f"{root}: the folder name must be lower-case letters, digits, '-' or '_'")
    _known_keys(data, TABLES, where, "table")
    table = _field(data, "assignment", dict, where)
    _known_keys(table, ASSIGNMENT_KEYS, where, "field of [assignment]")
    file = _field(table, "file", str, where + " [assignment]")
    if not file.endswith(".py") or "/" in file or not _IDENTIFIER.match(file[:-3]):
        raise AssignmentError(f"{where}: field 'assignment.file' should be a module file name like solution.py")
    entry_points = _field(table, "entry_points", list, where + " [assignment]")
    for name in entry_points:
        if not isinstance(name, str) or not _IDENTIFIER.match(name):
            raise AssignmentError(f"{where}: field 'assignment.entry_points' holds {name!r}, not a Python name")
    points = _field(table, "points", (int, float), where + " [assignment]")
    if points <= 0:
        raise AssignmentError(f"{where}: field 'assignment.points' should be positive")
    limits_table = _field(data, "limits", dict, where, {})
    limits = _limits(limits_table, where)
    due, late_penalty = _late_policy(table, where + " [assignment]")
    if not (root / "checks" / "public").is_dir():
        raise AssignmentError(f"{root / 'checks' / 'public'}: folder missing (the public checks)")
    examples_dir = root / "examples"
    examples = tuple(
        _example(folder, file)
        for folder in sorted(examples_dir.iterdir() if examples_dir.is_dir() else [])
        if folder.is_dir()
    )
    return AssignmentSpec(
        id=root.name,
        root=root,
        title=_field(table, "title", str, where + " [assignment]"),
        file=file,
        entry_points=tuple(entry_points),
        points=float(points),
        limits=limits,
        examples=examples,
        due=due,
        late_penalty_per_day=late_penalty,
        preload=_preload(limits_table, where),
        allowed=_allowed(table, _preload(limits_table, where), where),
        seed=_seed(table, where),
        quota=_quota(_field(data, "submissions", dict, where, {}), where),
        leaderboard=_leaderboard(data, where),
    )


def default_home() -> Path:
    """Where exercises live: $MLJUDGE_HOME, else the current folder if it has assignments/,
    else the folder this judge was installed from."""
    env = os.environ.get("MLJUDGE_HOME")
    if env:
        return Path(env)
    if (Path.cwd() / "assignments").is_dir():
        return Path.cwd()
    return Path(__file__).resolve().parents[1]


def find_assignments(home: Path | None = None) -> dict[str, Path]:
    """Exercise id -> folder, for every folder of ``home/assignments`` with an assignment.toml."""
    base = (home or default_home()) / "assignments"
    if not base.is_dir():
        return {}
    return {p.name: p for p in sorted(base.iterdir()) if (p / "assignment.toml").is_file()}


def get_assignment(name: str, home: Path | None = None) -> AssignmentSpec:
    """Load an exercise by id or by path to its folder."""
    as_path = Path(name)
    if (as_path / "assignment.toml").is_file():
        return load_assignment(as_path)
    found = find_assignments(home)
    if name not in found:
        known = ", ".join(found) or "none"
        raise AssignmentError(f"no exercise called {name!r} (known: {known})")
    return load_assignment(found[name])
