"""What every backend gives a harness worker: a clean environment, its rlimits, and the command
line that starts it (or the zygote) from a harness copied into the sandbox."""

from __future__ import annotations

import json
import os
from pathlib import Path

from grader.core.values import Limits
from grader.sandbox.base import WorkerSpec
from grader.sandbox.site_mounts import importable_names

#: The checkout (or installation) that holds the ``harness`` package.
HARNESS_ROOT = Path(__file__).resolve().parents[2]


def bootstrap(module: str) -> str:
    """``python -c`` code that puts ``argv[1]`` first on the path and runs ``module.main(argv[2:])``."""
    return (f"import sys; sys.path.insert(0, sys.argv[1]); from {module} import main; "
            "sys.exit(main(sys.argv[2:]))")


BOOTSTRAP = bootstrap("harness.worker")


def worker_environment(home: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A clean environment for the worker: no secrets, thread pools pinned to one thread."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # machine facts, not secrets
        if key in os.environ:
            env[key] = os.environ[key]
    env.update(extra or {})
    return env


def rlimits_for(limits: Limits) -> dict[str, int]:
    """The rlimits the worker applies to itself before importing the submission."""
    return {
        "cpu": max(1, int(limits.cpu_time + 0.999)),
        "fsize": limits.file_size_mb * 1024 * 1024,
        "core": 0,
        "nofile": 1024,
    }


#: Set in a grading process pinned to some cores (``grader.course.core_slots``): the cores, as
#: "0,1,…", that its sandboxed workers run on instead (all those the grader itself may use).
WORKER_CORES_ENV = "MLJUDGE_WORKER_CORES"


def worker_cores() -> list[int] | None:
    """The cores this process's workers run on (``WORKER_CORES_ENV``); None: where they are started."""
    try:
        cores = sorted({int(core) for core in os.environ.get(WORKER_CORES_ENV, "").split(",") if core.strip()})
    except ValueError:
        return None
    return cores if cores and cores[0] >= 0 else None


def worker_argv(python: str, lib: str, submission: str, spec: WorkerSpec,
                confine: dict[str, object] | None = None, guard_imports: bool = False) -> list[str]:
    """The command line that starts the harness worker (``confine``: see ``harness.confine``).
    ``guard_imports``: a backend that cannot hide packages has the worker refuse imports outside
    ``spec.allowed`` (``harness.import_guard``)."""
    names: dict[str, object] = {"names": list(spec.entry_points), "seed": spec.seed}
    if spec.preload:
        names["preload"] = list(spec.preload)
    if guard_imports and spec.allowed is not None:
        names["importable"] = importable_names(spec.allowed)
    if (cores := worker_cores()) is not None:
        names["cores"] = cores
    return [
        python, "-s", "-P", "-B", "-c", BOOTSTRAP, lib, submission, spec.module_name, json.dumps(names),
        json.dumps(rlimits_for(spec.limits)),
        *([json.dumps(confine)] if confine else []),
    ]
