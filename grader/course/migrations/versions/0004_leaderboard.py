"""Leaderboards: each student's final picks, and the pseudonym shown on the public board.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "leaderboard_picks", sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("exercise", sa.String(128), nullable=False),
        sa.Column("student_id", sa.Integer, sa.ForeignKey("students.id"), nullable=False),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("picked_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("exercise", "student_id", "submission_id", name="uq_leaderboard_pick"),
    )
    with op.batch_alter_table("accounts") as table:
        table.add_column(sa.Column("pseudonym", sa.String(64), nullable=True))
