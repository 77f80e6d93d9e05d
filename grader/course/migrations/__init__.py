"""Alembic migrations of the gradebook (run through :mod:`grader.course.migrate`, never by hand)."""
