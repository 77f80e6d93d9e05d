"""Exports of a gradebook: CSV, Gradescope results.json per submission, Canvas CSV, JSON lines.

They read ``Record``s (each carries a ``Grade``) and nothing else.
"""

from __future__ import annotations

from grader.exports.tables import FORMATS, export

__all__ = ["FORMATS", "export"]
