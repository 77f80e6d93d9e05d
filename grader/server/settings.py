"""What one course server needs to know: its gradebook, course folder, exercises and address."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServerSettings:
    """``judge serve``'s settings. ``exercises`` empty: every exercise found under ``home``."""

    db_url: str
    course: Path
    home: Path | None = None
    secure_cookies: bool = True
    base_url: str = "http://127.0.0.1:8000"
    exercises: tuple[str, ...] = ()

    @property
    def files_dir(self) -> Path:
        """Where submitted files are kept (as ``judge grade`` keeps them)."""
        return Path(self.course) / "files"
