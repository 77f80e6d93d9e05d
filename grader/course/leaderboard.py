"""Leaderboards from the gradebook: the live public board, each student's final picks, and the
private board that counts after the reveal.

- The public board ranks each student's best public score over all their graded submissions.
- A student picks up to N final submissions (``[leaderboard] picks``, default 2); without picks,
  their best public score and their latest submission are the picks. After the reveal, the best
  private score among the picks counts.
- Ties share a rank (1, 2, 2, 4); a submission without a finite score, or graded with a judge error,
  is not ranked. Only the first metric an exercise reports (its ranking key) orders the board.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from grader.course.schema import Account, Exercise, LeaderboardPick, ResultRow, Student, SubmissionRow

ADJECTIVES = ("amber", "brisk", "calm", "daring", "eager", "fuzzy", "gentle", "hazy", "icy", "jolly", "keen",
              "lucky", "mellow", "nimble", "odd", "plucky", "quiet", "rapid", "sunny", "tidy", "upbeat", "vivid",
              "witty", "young", "zesty")
ANIMALS = ("albatross", "badger", "capybara", "dolphin", "egret", "ferret", "gecko", "heron", "ibis", "jackal",
           "koala", "lemur", "marmot", "newt", "ocelot", "puffin", "quokka", "raven", "stoat", "tapir", "urchin",
           "vole", "walrus", "yak", "zebu")


class PickError(Exception):
    """Picks a student may not make (not theirs, not graded, too many)."""


@dataclass(frozen=True)
class Entry:
    """One graded submission's ranking-key scores."""

    submission_id: int
    student: str
    submitted_at: dt.datetime
    metric: str
    order: str
    public: float | None
    private: float | None


@dataclass(frozen=True)
class BoardRow:
    rank: int | None  # None: not ranked (no finite score)
    student: str
    shown_name: str  # the pseudonym (public board) or the student id (instructor's view)
    score: float | None
    submission_id: int | None
    submissions: int


@dataclass(frozen=True)
class Board:
    exercise: str
    metric: str
    order: str
    private: bool
    rows: tuple[BoardRow, ...]


def anonymous_name(secret: bytes, login: str) -> str:
    """A stable anonymous name for ``login`` that only the course secret links back to it."""
    digest = hmac.new(secret, b"pseudonym\0" + login.encode(), hashlib.sha256).digest()
    return f"{ADJECTIVES[digest[0] % len(ADJECTIVES)]} {ANIMALS[digest[1] % len(ANIMALS)]} {digest[2:4].hex()}"


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def entries(engine: Engine, exercise: str) -> list[Entry]:
    """Every submission of ``exercise`` graded without a judge error, with its latest result's
    ranking-key scores (oldest first)."""
    latest: dict[int, Entry] = {}
    with Session(engine) as session:
        key = ResultRow.grade["leaderboard"][0]  # only the ranking key leaves the database
        query = (select(key, SubmissionRow.id, SubmissionRow.submitted_at, Student.name)
                 .join(SubmissionRow, ResultRow.submission_id == SubmissionRow.id)
                 .join(Exercise, SubmissionRow.exercise_id == Exercise.id)
                 .join(Student, SubmissionRow.student_id == Student.id)
                 .where(Exercise.name == exercise, ResultRow.status == "ok")
                 .order_by(ResultRow.graded_at, ResultRow.id))
        for found, sub_id, submitted_at, student in session.execute(query):
            if not isinstance(found, dict):  # this result has no leaderboard metric
                latest.pop(sub_id, None)
                continue
            latest[sub_id] = Entry(sub_id, student, _aware(submitted_at), str(found.get("name", "")),
                                   str(found.get("order", "desc")), _number(found.get("public")),
                                   _number(found.get("private")))
    return sorted(latest.values(), key=lambda e: (e.submitted_at, e.submission_id))


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _better(order: str) -> float:
    return -1.0 if order == "desc" else 1.0


def _best(items: Sequence[Entry], attribute: str, order: str) -> Entry | None:
    scored = [e for e in items if getattr(e, attribute) is not None]
    if not scored:
        return None
    sign = _better(order)
    return min(scored, key=lambda e: (sign * getattr(e, attribute), e.submitted_at, e.submission_id))


def picks_of(engine: Engine, exercise: str, student: str) -> list[int]:
    """The submission ids ``student`` picked for ``exercise`` (empty: the default picks apply)."""
    return all_picks(engine, exercise, student).get(student, [])


def all_picks(engine: Engine, exercise: str, student: str | None = None) -> dict[str, list[int]]:
    """student id -> the submission ids they picked for ``exercise`` (of one student if given)."""
    query = (select(Student.name, LeaderboardPick.submission_id)
             .join(Student, LeaderboardPick.student_id == Student.id)
             .where(LeaderboardPick.exercise == exercise).order_by(LeaderboardPick.id))
    if student is not None:
        query = query.where(Student.name == student)
    found: dict[str, list[int]] = {}
    with Session(engine) as session:
        for name, submission_id in session.execute(query):
            found.setdefault(name, []).append(submission_id)
    return found


def default_picks(items: Sequence[Entry], limit: int) -> list[int]:
    """The best public score and the latest submission (at most ``limit``)."""
    if not items:
        return []
    chosen: list[int] = []
    best = _best(items, "public", items[0].order)
    for entry in (best, items[-1]):
        if entry is not None and entry.submission_id not in chosen:
            chosen.append(entry.submission_id)
    return chosen[:limit]


def set_picks(engine: Engine, exercise: str, student: str, submission_ids: Sequence[int], limit: int) -> None:
    """Make ``submission_ids`` the student's final picks (replacing earlier ones; empty: the defaults)."""
    ids = list(dict.fromkeys(int(i) for i in submission_ids))
    if len(ids) > limit:
        raise PickError(f"pick at most {limit} submission(s)")
    own = {e.submission_id for e in entries(engine, exercise) if e.student == student}
    if not set(ids) <= own:
        raise PickError("pick only your own graded submissions of this exercise")
    with Session(engine) as session:
        st = session.scalars(select(Student).filter_by(name=student)).one()
        session.execute(delete(LeaderboardPick).where(LeaderboardPick.exercise == exercise,
                                                      LeaderboardPick.student_id == st.id))
        now = dt.datetime.now(dt.UTC)
        session.add_all(LeaderboardPick(exercise=exercise, student_id=st.id, submission_id=i, picked_at=now)
                        for i in ids)
        session.commit()


def _ranked(scored: list[tuple[str, float | None, int | None, int]], order: str,
            names: dict[str, str]) -> tuple[BoardRow, ...]:
    sign = _better(order)
    ranked = sorted((s for s in scored if s[1] is not None), key=lambda s: (sign * s[1], s[0]))  # type: ignore[operator]
    rows: list[BoardRow] = []
    previous: float | None = None
    rank = 0
    for position, (student, score, sub_id, count) in enumerate(ranked, start=1):
        if score != previous:
            rank, previous = position, score
        rows.append(BoardRow(rank, student, names.get(student, student), score, sub_id, count))
    rows += [BoardRow(None, student, names.get(student, student), None, sub_id, count)
             for student, score, sub_id, count in sorted(scored) if score is None]
    return tuple(rows)


def board(engine: Engine, exercise: str, *, private: bool, picks: int, names: dict[str, str] | None = None) -> Board:
    """The public board (best public score of each student) or the private one (best private score
    among each student's picks). ``names``: student id -> the name to show."""
    found = entries(engine, exercise)
    by_student: dict[str, list[Entry]] = {}
    for entry in found:
        by_student.setdefault(entry.student, []).append(entry)
    metric = found[0].metric if found else ""
    order = found[0].order if found else "desc"
    scored: list[tuple[str, float | None, int | None, int]] = []
    picked = all_picks(engine, exercise) if private else {}
    for student, items in by_student.items():
        if private:
            chosen = set(picked.get(student, ())) or set(default_picks(items, picks))
            best = _best([e for e in items if e.submission_id in chosen], "private", order)
            scored.append((student, best.private if best else None, best.submission_id if best else None, len(items)))
        else:
            best = _best(items, "public", order)
            scored.append((student, best.public if best else None, best.submission_id if best else None, len(items)))
    return Board(exercise, metric, order, private, _ranked(scored, order, names or {}))


def pseudonyms(engine: Engine, secret: bytes) -> dict[str, str]:
    """student id -> the name the public board shows (their chosen pseudonym, else an anonymous one)."""
    with Session(engine) as session:
        rows = session.execute(select(Student.name, Account.pseudonym).join(Account, Account.student_id == Student.id,
                                                                              isouter=True))
        return {name: pseudonym or anonymous_name(secret, name) for name, pseudonym in rows}
