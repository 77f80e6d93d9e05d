"""The class report: one self-contained HTML page with tables and matplotlib plots (base64 PNG)."""

from __future__ import annotations

import base64
import io
from collections import Counter
from collections.abc import Sequence
from typing import Any

from grader.core.text import html_text
from grader.core.values import Outcome
from grader.course.gradebook import Record

_CSS = """body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
img{max-width:100%;height:auto}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(28rem,1fr));gap:1rem}"""


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plots(records: Sequence[Record]) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots: list[tuple[str, str]] = []
    max_score = max((r.grade.max_score for r in records), default=1.0) or 1.0

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist([r.score for r in records], bins=min(20, max(5, len(records) // 2)), range=(0, max_score),
            color="#3b6ea5", edgecolor="white")
    ax.set_xlabel("score (after late penalty)")
    ax.set_ylabel("students")
    ax.set_title("Score distribution")
    plots.append(("Score distribution", _png(fig)))

    names, rates = _pass_rates(records)
    fig, ax = plt.subplots(figsize=(6, max(2.5, 0.35 * len(names) + 1)))
    ax.barh(names[::-1], [100 * r for r in rates[::-1]], color="#4c9a6a")
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of students with full points")
    ax.set_title("Pass rate per check")
    plots.append(("Pass rate per check", _png(fig)))

    verdicts = Counter(r.grade.verdict.label for r in records).most_common()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.bar([v for v, _ in verdicts], [n for _, n in verdicts], color="#a5673b")
    ax.set_ylabel("submissions")
    ax.set_title("Verdicts")
    ax.tick_params(axis="x", rotation=30)
    plots.append(("Verdicts", _png(fig)))

    slow = _slowest(records)
    fig, ax = plt.subplots(figsize=(6, max(2.5, 0.35 * len(slow) + 1)))
    ax.barh([r.student for r in slow][::-1], [r.grade.seconds for r in slow][::-1], color="#7a5ba5")
    ax.set_xlabel("seconds to grade")
    ax.set_title("Slowest submissions")
    plots.append(("Slowest submissions", _png(fig)))
    return plots


def _pass_rates(records: Sequence[Record]) -> tuple[list[str], list[float]]:
    totals: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for r in records:
        for c in r.grade.checks:
            totals[c.name] += 1
            passed[c.name] += c.outcome is Outcome.PASSED
    names = list(totals)
    return names, [passed[n] / totals[n] for n in names]


def _slowest(records: Sequence[Record], count: int = 10) -> list[Record]:
    return sorted(records, key=lambda r: r.grade.seconds, reverse=True)[:count]


def class_report_html(records: Sequence[Record], *, title: str, exercise: str, sections: Sequence[str] = ()) -> str:
    """The page; ``sections`` are extra HTML sections (already escaped), e.g. the leaderboard's."""
    e = html_text
    scores = sorted(r.score for r in records)
    n = len(scores)
    median = (scores[(n - 1) // 2] + scores[n // 2]) / 2 if n else 0.0
    mean = sum(scores) / n if n else 0.0
    max_score = max((r.grade.max_score for r in records), default=0.0)
    parts = [
        "<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>{e(title)} — class report</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)} <small>({e(exercise)})</small> — class report</h1>",
        f"<p>{n} students · mean {mean:.2f} · median {median:.2f} / {max_score:g} · "
        f"full marks {sum(r.score >= r.grade.max_score for r in records)} · "
        f"late {sum(r.late_days > 0 for r in records)} · judge errors "
        f"{sum(r.grade.status != 'ok' for r in records)}</p>",
    ]
    if records:
        parts.append("<div class=\"grid\">" + "".join(
            f"<figure><img alt=\"{e(name)}\" src=\"data:image/png;base64,{data}\"><figcaption>{e(name)}"
            "</figcaption></figure>" for name, data in _plots(records)) + "</div>")
    names, rates = _pass_rates(records)
    parts.append("<h2>Pass rate per check</h2><table><thead><tr><th>check</th><th>full points</th></tr></thead><tbody>"
                 + "".join(f"<tr><td>{e(k)}</td><td>{v:.0%}</td></tr>" for k, v in zip(names, rates, strict=True))
                 + "</tbody></table>")
    verdicts = Counter(r.grade.verdict.label for r in records).most_common()
    parts.append("<h2>Verdicts</h2><table><tbody>"
                 + "".join(f"<tr><td>{e(v)}</td><td>{c}</td></tr>" for v, c in verdicts) + "</tbody></table>")
    parts.append("<h2>Slowest submissions</h2><table><thead><tr><th>student</th><th>seconds</th><th>verdict</th>"
                 "</tr></thead><tbody>" + "".join(
                     f"<tr><td>{e(r.student)}</td><td>{r.grade.seconds:.2f}</td><td>{e(r.grade.verdict.label)}</td></tr>"
                     for r in _slowest(records)) + "</tbody></table>")
    parts.extend(sections)
    parts.append("<h2>Students</h2><table><thead><tr><th>student</th><th>score</th><th>verdict</th><th>late days</th>"
                 "</tr></thead><tbody>" + "".join(
                     f"<tr><td>{e(r.student)}</td><td>{r.score:g} / {r.grade.max_score:g}</td>"
                     f"<td>{e(r.grade.verdict.label)}</td><td>{r.late_days}</td></tr>" for r in records)
                 + "</tbody></table></body></html>")
    return "\n".join(parts) + "\n"
