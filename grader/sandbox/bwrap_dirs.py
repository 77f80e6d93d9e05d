"""Parent folders for bubblewrap's mount points, made readable for an unprivileged worker."""

from __future__ import annotations

from pathlib import Path

#: bubblewrap options and how many arguments each takes (those this module uses).
_ARITY = {"--perms": 1, "--size": 1, "--tmpfs": 1, "--proc": 1, "--dev": 1, "--remount-ro": 1, "--chdir": 1,
          "--dir": 1, "--uid": 1, "--gid": 1, "--hostname": 1, "--cap-drop": 1, "--cap-add": 1,
          "--userns-block-fd": 1, "--info-fd": 1, "--seccomp": 1, "--setenv": 2, "--ro-bind": 2, "--bind": 2,
          "--dev-bind": 2, "--symlink": 2}
_MAKES_PATH = {"--tmpfs", "--proc", "--dev", "--dir", "--ro-bind", "--bind", "--dev-bind", "--symlink"}
_MODIFIERS = {"--perms", "--size"}


def with_open_parents(args: list[str]) -> list[str]:
    """``args`` with ``--perms 0755 --dir D`` before each mount or link for every parent folder D
    not made yet. bubblewrap run by root makes missing parents (``/opt``, ``/root/.pyenv``…) mode
    0700, which the worker, an unprivileged uid, could not enter."""
    out: list[str] = []
    made = {"/"}
    pending: list[str] = []  # --perms/--size waiting for the operation they apply to
    index = 0
    while index < len(args):
        op = args[index]
        if op == "--":
            out += pending + args[index:]
            return out
        width = _ARITY.get(op, 0)
        operands = args[index + 1 : index + 1 + width]
        index += 1 + width
        if op in _MODIFIERS:
            pending += [op, *operands]
            continue
        if op in _MAKES_PATH:
            dest = operands[-1]
            parents = [str(parent) for parent in reversed(Path(dest).parents)]
            for parent in parents:
                if parent not in made:
                    out += ["--perms", "0755", "--dir", parent]
                    made.add(parent)
            made.add(dest)
        out += [*pending, op, *operands]
        pending = []
    return out + pending
