# ruff: noqa
# Appended to the reference solution by test_warm_isolation.py: the next submission refuses to load
# if anything a previous one did is still visible (its grade then differs from the cold one).
import builtins as _builtins
import os as _os
import sys as _sys

import numpy as _np


def _poisoned():
    found = []
    # a Python installation under /tmp (a checkout there) shows as its read-only mount points
    installed = {p.split("/")[2] for p in (_sys.prefix, _sys.base_prefix, *_sys.path) if p.startswith("/tmp/")}
    if set(_os.listdir("/tmp")) - installed or _os.listdir("/dev/shm"):
        found.append("files left in /tmp or /dev/shm")
    mine, pid = set(), _os.getpid()
    while pid > 0 and pid not in mine:  # myself and my ancestors (a cold worker sees bwrap's init)
        mine.add(pid)
        stat = open(f"/proc/{pid}/stat").read()
        pid = int(stat[stat.rfind(")") + 2 :].split()[1])
    if {int(p) for p in _os.listdir("/proc") if p.isdigit()} - mine:
        found.append("other processes are visible")
    if getattr(_np.linalg.svd, "__module__", "") != "numpy.linalg" or hasattr(_np, "POISONED"):
        found.append("numpy was patched")
    if _np.asarray.__module__ != "numpy" or _sys.modules["numpy.linalg"].norm.__module__ != "numpy.linalg":
        found.append("numpy was patched")
    if hasattr(_builtins, "POISONED") or any(type(getattr(_builtins, n)).__name__ != "builtin_function_or_method"
                                              for n in ("len", "round", "abs", "isinstance")):
        found.append("builtins were patched")
    if type(_builtins.isinstance).__name__ != "builtin_function_or_method":
        found.append("builtins were patched")
    sklearn = _sys.modules.get("sklearn")
    if sklearn is not None:
        import sklearn.decomposition
        import sklearn.utils

        if hasattr(sklearn, "POISONED") or not getattr(sklearn.utils.check_array, "__module__", "").startswith("sklearn") or \
                sklearn.decomposition.TruncatedSVD.fit.__module__.split(".")[0] != "sklearn":
            found.append("sklearn was patched")
    import ctypes

    if ctypes.CDLL(None).shmget(0x6d6c6a67, 0, 0) != -1:
        found.append("a System V segment was left")
    return found


_FOUND = _poisoned()
if _FOUND:
    raise RuntimeError("POISONED: " + "; ".join(_FOUND))
