"""The grader's side of one zygote (``harness.zygote``): its bubblewrap sandbox started, asked to
fork keepers (one prepared ahead for the next submission), checked after each child, stopped."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from grader.sandbox import lasting_thread
from grader.sandbox.base import SandboxError
from grader.sandbox.bwrap_command import (
    LIB_DIR,
    ROOT_GRADER_CAPS,
    SUBMISSION_DIR,
    require_bwrap,
    sandbox_argv,
    stage_seccomp,
)
from grader.sandbox.bwrap_launch import SandboxLaunch
from grader.sandbox.cgroup_files import group_pids, nspid
from grader.sandbox.cgroups import CgroupError, WorkerCgroup
from grader.sandbox.drain import TailCapture
from grader.sandbox.site_mounts import package_mounts
from grader.sandbox.staging import stage_harness
from grader.sandbox.warm_keeper import CONTROL_TIMEOUT, Keeper, KeeperKey, join_group
from grader.sandbox.worker_env import bootstrap

ZYGOTE_BOOTSTRAP = bootstrap("harness.zygote")
ZYGOTE_START_TIME = 120.0  # TensorFlow alone takes ~5 s; a busy machine more
ZYGOTE_MEMORY_MB = 8192
ZYGOTE_PROCESSES = 256
ZYGOTE_LOG_BYTES = 64 * 1024
ZYGOTE_TMP_BYTES = 16 * 1024 * 1024
ZYGOTE_DIR_PREFIX = "mljudge-zygote-"  # then the grader's pid
#: The zygote's capabilities in its own user namespace: namespaces and mounts for each child, its
#: network's loopback, and (root grader) switching the worker to the leased uid mapped there.
ZYGOTE_CAPS = ("--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_SETFCAP", "--cap-add", "CAP_NET_ADMIN",
               *ROOT_GRADER_CAPS[:4])


def owner_tag(pid: int | None = None) -> str:
    """An argument on every zygote's command line (inherited by all it forks): who started it."""
    return f"mljudge-owner-{os.getpid() if pid is None else pid}"


class Zygote:
    """One zygote sandbox: started, asked to fork, checked after each child, stopped."""

    def __init__(self, preload: tuple[str, ...], allowed: tuple[str, ...] | None = None) -> None:
        self.preload = preload
        self.allowed = allowed
        self.owner = os.getpid()
        self.busy = threading.Lock()
        self.dead = False
        self.root = Path(tempfile.mkdtemp(prefix=f"{ZYGOTE_DIR_PREFIX}{os.getpid()}-"))
        self.cgroup: WorkerCgroup | None = None
        self.launch: SandboxLaunch | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.ctl: socket.socket | None = None
        self.log: TailCapture | None = None
        self.spare: Keeper | None = None
        self._checked: threading.Event | None = None
        self.suspect = False  # preparing a keeper failed: replace this zygote after the running child
        self._reaper: threading.Thread | None = None
        self._ctl_lock = threading.Lock()
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    # -- start ----------------------------------------------------------------------
    def _argv(self, bwrap: str) -> list[str]:
        lib = stage_harness(self.root / "lib")
        stage_seccomp(lib)
        command = [sys.executable, "-s", "-P", "-B", "-c", ZYGOTE_BOOTSTRAP, LIB_DIR, json.dumps(list(self.preload)),
                   owner_tag()]
        # root inside its user namespace (see harness.zygote); the workers become uid/gid 65534
        return sandbox_argv(bwrap, self.root, lib, ids=0, caps=ZYGOTE_CAPS, tmp_bytes=ZYGOTE_TMP_BYTES,
                            shm_bytes=1 << 20, mounts=[*package_mounts(self.allowed), "--dir", SUBMISSION_DIR],
                            command=command)

    def _start(self) -> None:
        bwrap = require_bwrap()
        try:
            self.cgroup = WorkerCgroup.create(ZYGOTE_MEMORY_MB, ZYGOTE_PROCESSES)
        except CgroupError as exc:
            raise SandboxError(f"the warm sandbox needs control groups: {exc}") from exc
        self.launch = SandboxLaunch(self._argv(bwrap), self.cgroup)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        log_r, log_w = os.pipe()
        try:
            argv, stdin, child_fds = self.launch.argv, theirs.fileno(), self.launch.child_fds
            # forked by a thread that lasts: the zygote dies with the thread that forked it
            self.proc = lasting_thread.call(lambda: subprocess.Popen(
                argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=log_w, cwd="/", env={"PATH": "/usr/bin:/bin"},
                start_new_session=True, close_fds=True, pass_fds=child_fds))
        except OSError as exc:
            ours.close()
            os.close(log_r)
            raise SandboxError(f"could not start the zygote: {exc}") from exc
        finally:
            theirs.close()
            os.close(log_w)
        self.ctl = ours
        self.log = TailCapture(log_r, ZYGOTE_LOG_BYTES, "mljudge-zygote-log")
        self.log.start()
        self.launch.started()  # SandboxError: close() stops it
        hello = self._receive(ZYGOTE_START_TIME)
        if hello.get("kind") != "ready" or type(hello.get("fingerprint")) is not str:
            raise SandboxError(f"the zygote did not start: {hello.get('errors') or hello}\n{self.log.text()}")
        self.fingerprint = hello["fingerprint"]

    # -- control channel ------------------------------------------------------------
    def _receive(self, timeout: float) -> dict[str, Any]:
        assert self.ctl is not None
        ready, _, _ = select.select([self.ctl], [], [], timeout)
        if not ready:
            raise SandboxError("the zygote did not answer in time")
        try:
            data = self.ctl.recv(65536)
        except OSError as exc:
            raise SandboxError(f"the zygote's channel broke: {exc}") from exc
        if not data:
            raise SandboxError("the zygote is gone" + (f":\n{self.log.text()}" if self.log else ""))
        try:
            message = json.loads(data)
        except ValueError as exc:
            raise SandboxError("the zygote sent a malformed message") from exc
        if type(message) is not dict:
            raise SandboxError("the zygote sent a malformed message")
        return message

    def _request(self, message: dict[str, Any], fds: list[int] | None = None,
                 timeout: float = CONTROL_TIMEOUT) -> dict[str, Any]:
        if self.ctl is None or self.dead:
            raise SandboxError("the zygote is closed")
        with self._ctl_lock:  # one request and its answer at a time (background threads use it too)
            try:
                if fds:
                    socket.send_fds(self.ctl, [json.dumps(message).encode()], fds)
                else:
                    self.ctl.send(json.dumps(message).encode())
            except OSError as exc:
                raise SandboxError(f"the zygote's channel broke: {exc}") from exc
            return self._receive(timeout)

    def alive(self) -> bool:
        return not self.dead and self.proc is not None and self.proc.poll() is None

    # -- children -------------------------------------------------------------------
    def fork(self, fds: list[int], request: dict[str, Any]) -> tuple[int, int]:
        """Fork a keeper; return its (host pid, pid in the zygote), still in the zygote's group,
        waiting for "g"."""
        reply = self._request({"op": "fork", **request}, fds)
        pid = reply.get("pid")
        if reply.get("kind") != "forked" or type(pid) is not int:
            raise SandboxError(f"the zygote refused to fork: {reply}")
        host = self._host_pid(pid)
        if host is None:
            raise SandboxError("the forked worker could not be found")
        return host, pid

    def _host_pid(self, inner: int) -> int | None:
        assert self.cgroup is not None
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            for group in self.cgroup.groups.values():
                for pid in group_pids(group):
                    pids = nspid(pid)
                    if len(pids) >= 2 and pids[-1] == inner:
                        return pid
            time.sleep(0.002)
        return None

    def reap(self, inner: int) -> None:
        """Reap a keeper (by its pid in the zygote) and make sure the zygote is as it was, else retire it."""
        try:
            reply = self._request({"op": "reap", "pid": inner, "timeout": 5.0})
        except SandboxError:
            self.retire()
            return
        if reply.get("kind") != "reaped" or reply.get("busy") or reply.get("fingerprint") != self.fingerprint:
            self.retire()

    # -- keepers, prepared ahead ----------------------------------------------------
    def take(self, key: KeeperKey) -> Keeper:
        """A keeper for ``key``, in its own group, namespaces built, waiting for the submission:
        the one prepared ahead if it matches, else a new one. Before returning, the keeper for
        the next submission is forked (so it never comes from a zygote a running submission could
        have touched); it joins its group in the background. SandboxError: the zygote is retired."""
        self._await_check()
        if self.dead:
            raise SandboxError("the zygote was retired")
        keeper, self.spare = self.spare, None
        if keeper is not None and not (keeper.ready.wait(CONTROL_TIMEOUT) and keeper.ok and keeper.key == key):
            self._drop(keeper)
            keeper = None
        if keeper is None:
            try:
                keeper = self._fork_keeper(key)
            except BaseException:
                self.retire()  # its state is unknown now: the next worker gets a fresh zygote
                raise
            join_group(keeper)
            if not keeper.ok:
                self._drop(keeper)
                self.retire()
                raise SandboxError(f"could not start a warm worker: {keeper.error}")
        try:
            spare: Keeper | None = self._fork_keeper(key)
        except (SandboxError, OSError):
            # never retire now: that would kill the keeper just taken. This submission runs; the
            # zygote, in an unknown state, is replaced once it is done (Zygote.after_child)
            spare, self.suspect = None, True
        if spare is not None:
            threading.Thread(target=join_group, args=(spare,), name="mljudge-warm-spare", daemon=True).start()
        self.spare = spare
        return keeper

    def _fork_keeper(self, key: KeeperKey) -> Keeper:
        keeper = Keeper(key)
        try:
            keeper.host, keeper.inner = self.fork(keeper.theirs, key.request())
        except BaseException:
            keeper.discard()
            raise
        finally:
            keeper.handed_over()
        return keeper

    def _drop(self, keeper: Keeper) -> None:
        """Discard a keeper that never got a submission, and reap it."""
        keeper.ready.wait(CONTROL_TIMEOUT)
        keeper.discard()
        if keeper.inner is not None and not self.dead:
            self.reap(keeper.inner)

    def after_child(self, keeper: Keeper) -> None:
        """In the background: reap the finished child's keeper and check the zygote (the next
        ``take`` waits for this), then remove the child's group."""
        checked = threading.Event()
        self._checked = checked

        def work() -> None:
            try:
                if self.suspect:
                    self.retire()
                elif keeper.inner is not None and not self.dead:
                    self.reap(keeper.inner)
            finally:
                checked.set()
                if keeper.cgroup is not None:
                    keeper.cgroup.destroy()

        self._reaper = threading.Thread(target=work, name="mljudge-warm-reap", daemon=True)
        self._reaper.start()

    def quiesce(self) -> None:
        """Wait for all background work (for tests and measurements)."""
        if self._reaper is not None:
            self._reaper.join(CONTROL_TIMEOUT + 5.0)
        if self.spare is not None:
            self.spare.ready.wait(CONTROL_TIMEOUT)

    def _await_check(self) -> None:
        checked = self._checked
        if checked is not None and not checked.wait(CONTROL_TIMEOUT + 5.0):
            self.retire()

    # -- stop -----------------------------------------------------------------------
    def retire(self) -> None:
        self.dead = True
        self.close()

    def close(self) -> None:
        self.dead = True
        reaper = self._reaper  # the last child's clean-up (its group removed) finishes before we go
        if reaper is not None and reaper is not threading.current_thread():
            reaper.join(CONTROL_TIMEOUT + 5.0)
        spare, self.spare = self.spare, None
        if spare is not None:
            spare.ready.wait(CONTROL_TIMEOUT)
            spare.discard()
        if self.ctl is not None:
            with contextlib.suppress(OSError):
                self.ctl.close()
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        if self.cgroup is not None:
            self.cgroup.destroy()
        if self.proc is not None:
            with contextlib.suppress(Exception):
                self.proc.wait(timeout=5)
        if self.log is not None:
            self.log.finish(timeout=1.0)
        if self.launch is not None:
            self.launch.close()
        shutil.rmtree(self.root, ignore_errors=True)
