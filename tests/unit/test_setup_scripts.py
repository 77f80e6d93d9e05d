"""The set-up scripts on a fresh Debian machine: apt's sources in either format, and a clear message
(never a silent exit) when a step fails."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MIRROR = REPO / "scripts" / "debian-mirror.sh"

DEB822 = """\
Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example.org/debian-security
Suites: bookworm-security
Components: main
"""


def mirror(apt_etc: Path) -> str:
    done = subprocess.run([str(MIRROR)], env={**os.environ, "APT_ETC": str(apt_etc)},
                          capture_output=True, text=True, timeout=30, check=True)
    return done.stdout.strip()


@pytest.fixture
def apt_etc(tmp_path: Path) -> Path:
    (tmp_path / "sources.list.d").mkdir()
    return tmp_path


def test_deb822_sources_only_the_default_since_bookworm(apt_etc: Path) -> None:
    (apt_etc / "sources.list.d" / "debian.sources").write_text(DEB822)
    assert not (apt_etc / "sources.list").exists()
    assert mirror(apt_etc) == "http://mirror.example.org/debian"


def test_one_line_sources_with_options(apt_etc: Path) -> None:
    (apt_etc / "sources.list").write_text(
        "# deb http://commented.example.org/debian bookworm main\n"
        "deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] https://deb.example.net/debian/ bookworm main\n"
    )
    assert mirror(apt_etc) == "https://deb.example.net/debian"


def test_other_repositories_are_not_taken_for_debian(apt_etc: Path) -> None:
    (apt_etc / "sources.list.d" / "google.list").write_text("deb https://packages.cloud.google.com/apt cloud main\n")
    (apt_etc / "sources.list.d" / "node.sources").write_text(
        "Types: deb\nURIs: https://deb.nodesource.com/node_20.x\nSuites: nodistro\n")
    (apt_etc / "sources.list.d" / "z-debian.sources").write_text(DEB822)
    assert mirror(apt_etc) == "http://mirror.example.org/debian"


def test_no_sources_at_all_falls_back_to_the_official_mirror(apt_etc: Path) -> None:
    assert mirror(apt_etc) == "http://deb.debian.org/debian"


@pytest.mark.parametrize("script", sorted(p.name for p in (REPO / "scripts").glob("*.sh")))
def test_every_set_up_script_names_what_failed(script: str) -> None:
    text = (REPO / "scripts" / script).read_text()
    assert "set -euo pipefail" in text and "trap '" in text and " ERR" in text, script


def test_a_failing_step_is_reported_not_silent(tmp_path: Path) -> None:
    """The mirror script given a folder it cannot read still answers; a script that fails says where."""
    broken = tmp_path / "broken.sh"
    header = (REPO / "scripts" / "debian-mirror.sh").read_text().split("APT_ETC=")[0]
    broken.write_text(header + "false\n")
    done = subprocess.run(["bash", str(broken)], capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode != 0 and '"false" failed' in done.stderr, done.stderr
