"""The gradebook as `judge grade` wrote it before migrations (schema version 1).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table("meta", sa.Column("key", sa.String(64), primary_key=True), sa.Column("value", sa.String(256)))
    op.create_table("students", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("name", sa.String(128), unique=True))
    op.create_table("exercises", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("name", sa.String(128), unique=True), sa.Column("title", sa.String(256)),
                    sa.Column("checks_hash", sa.String(64)), sa.Column("points", sa.Float))
    op.create_table(
        "submissions", sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("exercise_id", sa.Integer, sa.ForeignKey("exercises.id")),
        sa.Column("student_id", sa.Integer, sa.ForeignKey("students.id")),
        sa.Column("sha256", sa.String(64)), sa.Column("submitted_at", sa.DateTime(timezone=True)),
        sa.Column("path", sa.Text),
        sa.UniqueConstraint("exercise_id", "student_id", "sha256", name="uq_submission"),
    )
    op.create_table(
        "results", sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id")),
        sa.Column("checks_hash", sa.String(64)), sa.Column("score", sa.Float), sa.Column("raw_score", sa.Float),
        sa.Column("max_score", sa.Float), sa.Column("late_days", sa.Integer), sa.Column("penalty", sa.Float),
        sa.Column("verdict", sa.String(32)), sa.Column("status", sa.String(16)), sa.Column("checks", sa.JSON),
        sa.Column("resources", sa.JSON), sa.Column("grade", sa.JSON), sa.Column("judge_version", sa.String(32)),
        sa.Column("graded_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("submission_id", "checks_hash", name="uq_result"),
    )
