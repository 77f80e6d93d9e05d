"""The similarity check's flagged pairs.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "similarity_pairs", sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("exercise", sa.String(128), nullable=False),
        sa.Column("student_a", sa.String(256), nullable=False),
        sa.Column("student_b", sa.String(256), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("coverage_a", sa.Float, nullable=False),
        sa.Column("coverage_b", sa.Float, nullable=False),
        sa.Column("matched_tokens", sa.Integer, nullable=False),
        sa.Column("submission_a_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=True),
        sa.Column("submission_b_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_similarity_pairs_exercise", "similarity_pairs", ["exercise", "score"])
