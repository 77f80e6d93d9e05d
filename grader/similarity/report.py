"""The HTML report of a similarity check: ``index.html`` ranks the flagged pairs, ``pairs/NNNN.html``
shows each pair's two files side by side with the matching regions highlighted (region *n* has the
same colour and number on both sides and links to its counterpart).

Everything a student controls (the code, the student ids, file names) is written with
:func:`grader.core.text.html_text`: escaped, with controls and direction overrides shown as escapes.
The pages load nothing and run nothing (a Content-Security-Policy forbids scripts).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from grader.core.text import html_text
from grader.similarity.compare import PairResult
from grader.similarity.detect import Outcome
from grader.similarity.document import Document, Submission

_COLOURS = ("#ffe08a", "#b5e6ff", "#c9f2c0", "#ffc9de", "#e0d0ff", "#ffd7b0", "#d0f0ee", "#eeeeb0")
_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5em; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: .25em .6em; text-align: left; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
.sides {{ display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1em; }}
pre {{ background: #fafafa; border: 1px solid #ddd; padding: .6em; overflow-x: auto; font-size: 12px; }}
mark {{ padding: 0; }} mark a {{ color: #555; font-size: 9px; vertical-align: super; text-decoration: none; }}
{marks}
</style></head><body>
"""
_TAIL = "</body></html>\n"


def _head(title: str) -> str:
    marks = "\n".join(f"mark.r{n} {{ background: {colour}; }}" for n, colour in enumerate(_COLOURS))
    return _HEAD.format(title=html_text(title), marks=marks)


def _count(number: int, what: str) -> str:
    return f"{number} {what}{'' if number == 1 else 's'}"


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def highlighted(text: str, spans: Sequence[tuple[int, int, int]], side: str, other: str) -> str:
    """``text`` escaped, each ``(start, end, region)`` span a ``<mark>`` linking to the other side."""
    out: list[str] = []
    at = 0
    for start, end, region in sorted(spans):
        if start < at:  # never overlapping by construction; be safe anyway
            start = at
        if end <= start:
            continue
        out.append(html_text(text[at:start]))
        out.append(f'<mark class="r{region % len(_COLOURS)}" id="{side}{region}">'
                   f'<a href="#{other}{region}">{region}</a>{html_text(text[start:end])}</mark>')
        at = end
    out.append(html_text(text[at:]))
    return "".join(out)


def pair_page(pair: PairResult, a: Document, b: Document, *, title: str, rank: int) -> str:
    """The side-by-side page of one pair."""
    spans_a = [(r.a_start, r.a_end, n) for n, r in enumerate(pair.regions, start=1)]
    spans_b = [(r.b_start, r.b_end, n) for n, r in enumerate(pair.regions, start=1)]

    def side(document: Document, coverage: float, spans: list[tuple[int, int, int]], me: str, other: str) -> str:
        who = html_text(document.submission.label)
        return (f"<div><h2>{who} <small>({html_text(document.submission.path.name)}, {_percent(coverage)} of its own "
                f"code matches)</small></h2><pre>{highlighted(document.text, spans, me, other)}</pre></div>")

    return (_head(f"{title}: pair {rank}") + f'<p><a href="../index.html">all pairs</a></p>'
            f"<h1>Pair {rank}: score {_percent(pair.score)}, {pair.matched_tokens} matching tokens, "
            f"{len(pair.regions)} regions</h1><div class=\"sides\">"
            + side(a, pair.coverage_a, spans_a, "a", "b") + side(b, pair.coverage_b, spans_b, "b", "a")
            + "</div>" + _TAIL)


def index_page(outcome: Outcome, *, title: str, boilerplate: Sequence[str]) -> str:
    """The ranked table of flagged pairs, with what was compared and what was left out."""
    settings = outcome.settings
    rows = "".join(
        f'<tr><td class="n">{rank}</td><td>{html_text(pair.a.label)}</td><td>{html_text(pair.b.label)}</td>'
        f'<td class="n">{_percent(pair.score)}</td><td class="n">{_percent(pair.coverage_a)}</td>'
        f'<td class="n">{_percent(pair.coverage_b)}</td><td class="n">{pair.matched_tokens}</td>'
        f'<td><a href="pairs/{rank:04d}.html">side by side</a></td></tr>'
        for rank, pair in enumerate(outcome.pairs, start=1))
    problems = "".join(f"<li>{html_text(problem)}</li>" for problem in outcome.problems)
    past = sum(1 for d in outcome.documents if d.submission.term is not None)
    return (_head(title) + f"<h1>{html_text(title)}</h1>"
            f"<p>{_count(len(outcome.documents) - past, 'submission')} of this term and {past} of past terms "
            f"compared; {_count(outcome.candidates, 'candidate pair')} compared exactly; "
            f"{_count(len(outcome.pairs), 'pair')} at or above "
            f"{_percent(settings.threshold)} of one side's own code with at least {settings.min_tokens} matching "
            "tokens.</p>"
            f"<p>Not evidence (boilerplate): {html_text(', '.join(boilerplate)) or 'nothing'}.</p>"
            "<table><thead><tr><th>#</th><th>A</th><th>B</th><th>score</th><th>of A</th><th>of B</th>"
            f"<th>tokens</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
            + (f"<h2>Not compared</h2><ul>{problems}</ul>" if problems else "") + _TAIL)


def write_report(outcome: Outcome, folder: Path, *, title: str, boilerplate: Sequence[str] = ()) -> Path:
    """Write ``folder/index.html`` and one page per flagged pair; return the index's path."""
    folder = Path(folder)
    pages = folder / "pairs"
    pages.mkdir(parents=True, exist_ok=True)
    for old in pages.glob("[0-9][0-9][0-9][0-9].html"):
        old.unlink()
    documents: dict[Submission, Document] = {d.submission: d for d in outcome.documents}
    for rank, pair in enumerate(outcome.pairs, start=1):
        page = pair_page(pair, documents[pair.a], documents[pair.b], title=title, rank=rank)
        (pages / f"{rank:04d}.html").write_text(page, encoding="utf-8", errors="backslashreplace")
    index = folder / "index.html"
    index.write_text(index_page(outcome, title=title, boilerplate=boilerplate), encoding="utf-8",
                     errors="backslashreplace")
    return index
