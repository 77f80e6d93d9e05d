"""The gradebook's tables (SQLAlchemy 2 ORM). Alembic migrations (``grader/course/migrations``) make
and upgrade them; this module only describes them.

- ``students``, ``exercises``, ``submissions``, ``results``: what ``judge grade`` has always written.
- ``submission_files``: the bytes of what came through the course server (workers elsewhere read them).
- ``accounts``: people who sign in to the course server (a student's account links to its ``students`` row).
- ``jobs``: the durable grading queue; a claimed job carries a lease that its worker renews.
- ``workers``: grading workers and their last heartbeat.
- ``leaderboard_picks``: each student's final submissions for a leaderboard.
- ``signin_failures``: recent failed sign-ins, per account and per address (rate limiting).
- ``similarity_pairs``: the pairs the latest similarity check of an exercise flagged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Meta(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class Student(Base):
    __tablename__ = "students"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)


class Exercise(Base):
    __tablename__ = "exercises"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    title: Mapped[str] = mapped_column(String(256), default="")
    checks_hash: Mapped[str] = mapped_column(String(64), default="")
    points: Mapped[float] = mapped_column(Float, default=0.0)
    #: when the instructor published the hidden results (``after_published`` checks show from then on)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SubmissionRow(Base):
    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("exercise_id", "student_id", "sha256", name="uq_submission"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    path: Mapped[str] = mapped_column(Text)
    #: the file name the student's browser or command line sent: data to show (escaped), never a path
    original_name: Mapped[str] = mapped_column(String(256), default="")
    #: how it arrived: "batch" (judge grade), "web" or "api" (the course server)
    channel: Mapped[str] = mapped_column(String(16), default="batch")
    student: Mapped[Student] = relationship()
    exercise: Mapped[Exercise] = relationship()


class SubmissionFile(Base):
    """The bytes of a submission that came through the course server: workers on other machines
    read them from here (they share only the database URL)."""

    __tablename__ = "submission_files"
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ResultRow(Base):
    __tablename__ = "results"
    __table_args__ = (UniqueConstraint("submission_id", "checks_hash", name="uq_result"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    checks_hash: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    raw_score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    late_days: Mapped[int] = mapped_column(Integer, default=0)
    penalty: Mapped[float] = mapped_column(Float, default=0.0)
    verdict: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    checks: Mapped[Any] = mapped_column(JSON)
    resources: Mapped[Any] = mapped_column(JSON)
    grade: Mapped[Any] = mapped_column(JSON)
    judge_version: Mapped[str] = mapped_column(String(32))
    graded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    submission: Mapped[SubmissionRow] = relationship()


class Account(Base):
    """Someone who signs in: a student (linked to ``students``) or an instructor."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(128), unique=True)  # the student id, or an instructor's name
    role: Mapped[str] = mapped_column(String(16))  # "student" | "instructor"
    display_name: Mapped[str] = mapped_column(String(256), default="")
    email: Mapped[str] = mapped_column(String(256), default="")
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id"), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(256), nullable=True)  # argon2id
    #: sha256 of the one-time invitation secret (cleared once used) and when it expires
    invite_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    invite_expires: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: sha256 of the personal API token (the token itself is shown once)
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    #: the name shown on leaderboards (None: an anonymous one made from the account)
    pseudonym: Mapped[str | None] = mapped_column(String(64), nullable=True)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SigninFailure(Base):
    __tablename__ = "signin_failures"
    __table_args__ = (Index("ix_signin_failures_login", "login", "at"),
                      Index("ix_signin_failures_address", "address", "at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(128))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Job(Base):
    """One grading to do: ``queued`` → ``running`` (claimed, with a lease) → ``done``."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state", "state", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    exercise: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    enqueued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    worker: Mapped[str | None] = mapped_column(String(128), nullable=True)
    #: a new claim changes the token: a worker whose lease ran out can no longer finish the job
    claim_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    claims: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    result_id: Mapped[int | None] = mapped_column(ForeignKey("results.id"), nullable=True)
    submission: Mapped[SubmissionRow] = relationship()


class WorkerRow(Base):
    __tablename__ = "workers"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    host: Mapped[str] = mapped_column(String(256), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)
    slots: Mapped[int] = mapped_column(Integer, default=1)
    busy: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SimilarityPair(Base):
    """A pair of submissions the similarity check flagged (``judge similarity``); a new check of an
    exercise replaces that exercise's rows. ``student_b`` may be a past term's file (``term/student``,
    no submission id)."""

    __tablename__ = "similarity_pairs"
    __table_args__ = (Index("ix_similarity_pairs_exercise", "exercise", "score"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise: Mapped[str] = mapped_column(String(128))
    student_a: Mapped[str] = mapped_column(String(256))
    student_b: Mapped[str] = mapped_column(String(256))
    score: Mapped[float] = mapped_column(Float)
    coverage_a: Mapped[float] = mapped_column(Float)
    coverage_b: Mapped[float] = mapped_column(Float)
    matched_tokens: Mapped[int] = mapped_column(Integer)
    submission_a_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), nullable=True)
    submission_b_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), nullable=True)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LeaderboardPick(Base):
    """One of a student's final submissions for an exercise's leaderboard."""

    __tablename__ = "leaderboard_picks"
    __table_args__ = (UniqueConstraint("exercise", "student_id", "submission_id", name="uq_leaderboard_pick"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise: Mapped[str] = mapped_column(String(128))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    picked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
