"""Feedback pages (HTML and Markdown, one per student) and the class report (HTML with plots)."""

from __future__ import annotations

from grader.reports.class_report import class_report_html
from grader.reports.feedback import Audience, feedback_html, feedback_markdown, visible_checks

__all__ = ["Audience", "class_report_html", "feedback_html", "feedback_markdown", "visible_checks"]
