"""Shared helpers for the class-scale tests: classes of submissions made from the examples."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from grader.sandbox import get_sandbox
from tests.conftest import REPO

EXERCISE = REPO / "assignments" / "recommender-svd"
EXAMPLES = EXERCISE / "examples"
SOURCES = {
    "reference": REPO / "solutions" / "recommender-svd" / "solution.py",
    "stub": EXERCISE / "stub.py",
    **{p.name: p / "solution.py" for p in sorted(EXAMPLES.iterdir()) if (p / "solution.py").is_file()},
}
#: The strongest sandbox here (bwrap where it works, else process).
SANDBOX = get_sandbox("auto").name
JUDGE = str(Path(shutil.which("judge") or (REPO / ".venv" / "bin" / "judge")))


def make_class(folder: Path, kinds: dict[str, str], *, unique: bool = True) -> Path:
    """``folder/<student>/solution.py`` for each student -> example kind."""
    folder.mkdir(parents=True, exist_ok=True)
    for student, kind in kinds.items():
        target = folder / student / "solution.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = SOURCES[kind].read_text()
        target.write_text(text + (f"\n# {student}\n" if unique else ""))
    return folder


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


CHECK_IMAGES = (
    "<script>window.addEventListener('load',()=>{const bad=[...document.images].filter("
    "i=>!(i.complete&&i.naturalWidth>0)).length;document.body.setAttribute('data-broken-images',String(bad));"
    "document.body.setAttribute('data-loaded','yes')})</script>"
)


def load_in_chromium(page: Path, tmp: Path) -> tuple[str, list[str]]:
    """Load ``page`` (a copy with an image check appended) in headless Chromium; return the DOM after
    load and the console messages Chromium logged."""
    browser = chromium()
    assert browser is not None
    probe = page.with_name(page.stem + ".probe.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", CHECK_IMAGES + "</body>"), encoding="utf-8")
    profile = tmp / f"chromium-profile-{page.stem}"
    proc = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--enable-logging=stderr", "--v=0", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    probe.unlink()
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return proc.stdout, console
