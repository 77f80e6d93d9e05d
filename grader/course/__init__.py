"""Grading a class: find the submissions, grade them in parallel, keep the results in the gradebook.

- ``discover``    the submissions of a folder, a zip or the inbox (latest attempt per student)
- ``inbox``       ``judge submit``: a student's attempt copied into the course folder
- ``batch``       many submissions in a process pool or on Dask, each grading process pinned to its cores
- ``pipeline``    discover → skip what is graded → grade → record, going on past any one failure
- ``gradebook``   SQLite/PostgreSQL (SQLAlchemy): exercises, students, submissions, results, late policy
"""
