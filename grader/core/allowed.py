"""The message a student gets for importing a package the exercise does not allow.

The sandbox enforces ``allowed`` (``grader.sandbox.site_mounts``): a forbidden package is simply not
there, so the student's code sees Python's own ``ModuleNotFoundError``. This turns that into the
rule it comes from.
"""

from __future__ import annotations

import re
import sys

_MISSING = re.compile(r"^No module named '([A-Za-z_][A-Za-z0-9_.]*)'")


def forbidden_import(type_name: str, message: str, allowed: tuple[str, ...] | None) -> str | None:
    """The rule broken when an error says a module outside ``allowed`` is missing; else None."""
    if allowed is None or type_name not in ("ModuleNotFoundError", "ImportError"):
        return None
    match = _MISSING.match(message)
    if match is None:
        return None
    top = match.group(1).split(".")[0]
    permitted = ("numpy", *(name for name in allowed if name != "numpy"))
    if top in permitted or top in sys.stdlib_module_names:
        return None
    return (f"{top!r} is not allowed in this exercise: a submission may import the standard library "
            f"and {', '.join(permitted)} only")
