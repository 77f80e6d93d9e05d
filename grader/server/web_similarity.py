"""The instructor's similarity page of an exercise: the pairs that look copied (stored by
``judge similarity`` or by running the check here), each student linked to their attempts, and
the side-by-side report of the latest run. Students never reach any of it (403)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from grader.server.context import Course, CourseDep, InstructorReader, render
from grader.server.security import verify_csrf

router = APIRouter(prefix="/instructor", include_in_schema=False)
Csrf = Depends(verify_csrf)
#: the report's pages hold their own styles and no script
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def _report_dir(course: Course, exercise: str) -> Path:
    return Path(course.settings.course) / "similarity" / exercise


@router.get("/exercises/{exercise}/similarity", response_class=HTMLResponse)
def similarity_page(request: Request, course: CourseDep, person: InstructorReader, exercise: str) -> Response:
    from grader.similarity.store import stored_pairs

    spec = course.assignment(exercise)
    pairs = stored_pairs(course.gradebook, spec.id)
    report = (_report_dir(course, spec.id) / "index.html").is_file()
    return render(request, "similarity.html", {"spec": spec, "pairs": pairs, "report": report}, person=person)


@router.post("/exercises/{exercise}/similarity", dependencies=[Csrf])
def run_similarity(course: CourseDep, person: InstructorReader, exercise: str) -> Response:
    """Compare the latest submission of every student now (seconds for a class of thousands)."""
    from grader.similarity.boilerplate import of_assignment
    from grader.similarity.detect import Settings, find_similar
    from grader.similarity.report import write_report
    from grader.similarity.store import latest_submissions, save_pairs

    spec = course.assignment(exercise)
    settings = Settings()
    current = latest_submissions(course.gradebook, spec.id)
    boilerplate = of_assignment(spec, settings.k)
    outcome = find_similar(current, boilerplate, settings)
    save_pairs(course.gradebook, spec.id, outcome.pairs, dt.datetime.now(dt.UTC))
    write_report(outcome, _report_dir(course, spec.id), title=f"Similarity: {spec.title}",
                 boilerplate=boilerplate.sources)
    return RedirectResponse(f"/instructor/exercises/{spec.id}/similarity", 303)


@router.get("/exercises/{exercise}/similarity/report/{page:path}")
def similarity_report(course: CourseDep, person: InstructorReader, exercise: str, page: str) -> Response:
    """A page of the latest report (index.html or pairs/NNNN.html), never a path outside it."""
    spec = course.assignment(exercise)
    folder = _report_dir(course, spec.id).resolve()
    target = (folder / (page or "index.html")).resolve()
    if not target.is_relative_to(folder) or target.suffix != ".html" or not target.is_file():
        raise HTTPException(404, "no such page")
    return FileResponse(target, media_type="text/html", headers={"content-security-policy": REPORT_CSP})
