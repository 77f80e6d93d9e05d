"""The leaderboard section of the class report: the public board, and once revealed the private
board with a plot of each student's public against private score (a student far below the diagonal
fitted the public split). Before the reveal it holds no private score."""

from __future__ import annotations

from grader.core.text import html_text
from grader.course.leaderboard import Board
from grader.outputs.class_report import _png


def _plot(public: Board, private: Board | None) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4))
    public_of = {r.student: r.score for r in public.rows if r.score is not None}
    if private is None:
        ax.hist(list(public_of.values()), bins=min(20, max(5, len(public_of) // 2)), color="#3b6ea5",
                edgecolor="white")
        ax.set_xlabel(f"public {public.metric}")
        ax.set_ylabel("students")
        ax.set_title("Public scores (private scores after the reveal)")
    else:
        pairs = [(public_of[r.student], r.score) for r in private.rows
                 if r.score is not None and r.student in public_of]
        xs, ys = [p for p, _ in pairs], [q for _, q in pairs]
        ax.scatter(xs, ys, s=14, color="#3b6ea5")
        if pairs:
            low, high = min(xs + ys), max(xs + ys)
            ax.plot([low, high], [low, high], color="#999", linewidth=1)
        ax.set_xlabel(f"public {public.metric} (best)")
        ax.set_ylabel(f"private {public.metric} (counted)")
        ax.set_title("Public against private score")
    return _png(fig)


def board_section_html(public: Board, private: Board | None) -> str:
    """The section's HTML (escaped, self-contained)."""
    e = html_text
    better = "lower" if public.order == "asc" else "higher"
    board = private or public
    rows = "".join(
        f"<tr><td>{r.rank if r.rank is not None else '—'}</td><td>{e(r.student)}</td>"
        f"<td>{'—' if r.score is None else f'{r.score:.4g}'}</td><td>{r.submissions}</td></tr>" for r in board.rows)
    which = "private (revealed)" if private is not None else "public (the private board is not revealed yet)"
    return (f"<h2>Leaderboard: {e(public.metric)} ({better} is better)</h2><p>Board shown: {which}.</p>"
            f"<figure><img alt=\"leaderboard plot\" src=\"data:image/png;base64,{_plot(public, private)}\"></figure>"
            "<table><thead><tr><th>rank</th><th>student</th><th>score</th><th>submissions</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")
