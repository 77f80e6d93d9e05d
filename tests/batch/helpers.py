"""Shared helpers for the class-scale tests: classes of submissions made from the examples."""

from __future__ import annotations

import shutil
import subprocess
import time
import tomllib
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


def timing_bound(kind: str) -> bool:
    """Whether an example's grade may depend on the machine's speed: it expects a time limit, or its
    expected.toml says it is timing-bound (its range covers finishing in time and not)."""
    expected = SOURCES[kind].parent / "expected.toml"
    if not expected.is_file():
        return False
    text = expected.read_text()
    return tomllib.loads(text).get("verdict") == "time_limit" or "timing-bound" in text


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


def _cpu_seconds(accounting: Path) -> float:
    try:
        text = accounting.read_text()
    except OSError:
        return 0.0
    if accounting.name == "cpuacct.usage":
        return int(text.strip() or 0) / 1e9
    fields = dict(line.split() for line in text.splitlines() if len(line.split()) == 2)
    return int(fields.get("usage_usec", 0)) / 1e6


def descendants(pid: int) -> set[int]:
    """``pid`` and every process below it."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, grew = {pid}, True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in found and child not in found:
                found.add(child)
                grew = True
    return found


def wait_for_busy_worker(judge: int, cpu_seconds: float = 0.5, timeout: float = 120.0) -> None:
    """Wait until a sandboxed worker of the grader ``judge`` (a pid) has used ``cpu_seconds`` of CPU in
    its cgroup: a submission is running its own code (an infinite loop, say), not starting up. Without
    cgroups, wait a second instead."""
    from grader.sandbox.cgroups import BASE, CGROUP_ROOT

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        bases = [b for b in CGROUP_ROOT.glob(f"**/{BASE}") if b.is_dir()]
        if not bases:
            time.sleep(1.0)
            return
        owners = {f"w-{pid}-" for pid in descendants(judge)}
        groups = [g for b in bases for g in b.iterdir() if g.is_dir() and g.name.startswith(tuple(owners))]
        files = [f for g in groups for name in ("cpuacct.usage", "cpu.stat") for f in g.rglob(name)]
        if any(_cpu_seconds(f) >= cpu_seconds for f in files):
            return
        time.sleep(0.05)
    raise AssertionError(f"no sandboxed worker of {judge} used {cpu_seconds:g} s of CPU within {timeout:g} s")
