"""The ``bwrap-warm`` backend: warm sandboxed workers forked from a zygote (``harness.zygote``).

The heavy libraries an exercise declares (``preload`` in ``[limits]`` of its assignment.toml;
numpy is always there, the harness needs it) are imported once per zygote, inside one long-lived
bubblewrap sandbox built like the ``bwrap`` backend's (every namespace, uid nobody, read-only
system, no network, dies with the grader), plus ``CAP_SYS_ADMIN`` (and ``CAP_SETFCAP``, to map the
worker's uid) in its own user namespace so that it can give each child namespaces of its own.
For each worker the grader:

1. makes the channel (two pipes), the output pipe, a memfd for the submission, a "go" pipe, a
   "report" pipe and a "setup" pipe, and passes them to the zygote with ``fork`` (``SCM_RIGHTS``);
2. finds the forked keeper's host pid in the zygote's control group (``/proc/<pid>/status``
   NSpid), moves it into a fresh per-worker control group (memory, pids, CPU accounting), and
   only then writes "g": the keeper builds its namespaces and waits. Steps 1–2 for the *next*
   submission happen while the current one starts (the fork before its code runs; joining the
   group in the background), so a batch does not wait for them;
2b. writes the submission to the memfd and "s"; waits for the worker's "k" on the setup pipe
   (isolated, about to import the submission); a worker lost before that is the judge's failure;
3. talks to the worker with ``harness.protocol`` frames, size caps and deadlines exactly as with a
   cold worker (``grader.proxy`` does not know the difference);
4. stops it by killing its control group, reads the worker's wait status from the report pipe,
   asks the zygote to reap the keeper and compares the zygote's fingerprint with the one it had
   when it started; a zygote that changed, died or stopped answering is thrown away and a new one
   started for the next worker (a denial of service at worst, never a poisoning).

One zygote runs one child at a time; a second worker wanted while one runs (another thread or
session) gets another zygote of the pool. Pools are per grader process, keyed by the preload
list, and closed with ``WarmBwrapSandbox.close_all()`` (also at exit).

Differences from a cold ``bwrap`` worker, on purpose: the preloaded libraries' pages were charged
to the zygote's group, so the per-worker memory figure and limit count what the submission
allocates on top of them (a cold worker also counts the interpreter and the imports); and
``PYTHONHASHSEED`` and module state are the zygote's, as they would be right after the imports.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import multiprocessing.util
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from grader.files import NotARegularFile, read_regular_file
from grader.models import Limits, SandboxRun, Verdict
from grader.sandbox import seccomp
from grader.sandbox.base import (
    Sandbox,
    SandboxError,
    WorkerProcess,
    WorkerSpec,
    cpu_limit_verdict,
    memory_limit_verdict,
)
from grader.sandbox.bwrap import (
    GROUP,
    HOME,
    HOSTS,
    LIB_DIR,
    PASSWD,
    ROOT_GRADER_CAPS,
    SANDBOX_GID,
    SANDBOX_UID,
    SECCOMP_FILE,
    SUBMISSION_DIR,
    BwrapSandbox,
    SandboxLaunch,
    dev_args,
    find_bwrap,
    namespace_args,
    system_binds,
)
from grader.sandbox.bwrap_dirs import with_open_parents
from grader.sandbox.cgroups import CgroupError, WorkerCgroup
from grader.sandbox.drain import OutputCapture, TailCapture
from grader.sandbox.popen_worker import HARNESS_ROOT, rlimits_for, worker_environment
from harness.protocol import ChannelClosed, FrameReader, write_with_deadline
from harness.zygote import REPORT as KEEPER_REPORT

ZYGOTE_BOOTSTRAP = (
    "import sys; sys.path.insert(0, sys.argv[1]); from harness.zygote import main; sys.exit(main(sys.argv[2:]))"
)
#: Always preloaded: the harness itself imports numpy.
BASE_PRELOAD = ("numpy",)
ZYGOTE_START_TIME = 120.0  # TensorFlow alone takes ~5 s; a busy machine more
CONTROL_TIMEOUT = 10.0
ZYGOTE_MEMORY_MB = 8192
ZYGOTE_PROCESSES = 256
ZYGOTE_LOG_BYTES = 64 * 1024
ZYGOTE_DIR_PREFIX = "mljudge-zygote-"  # then the grader's pid
#: The zygote's capabilities in its own user namespace: namespaces and mounts for each child, its
#: network's loopback, and (root grader) switching the worker to the leased uid mapped there.
ZYGOTE_CAPS = ("--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_SETFCAP", "--cap-add", "CAP_NET_ADMIN",
               *ROOT_GRADER_CAPS[:4])


def owner_tag(pid: int | None = None) -> str:
    """An argument on every zygote's command line (inherited by all it forks): who started it."""
    return f"mljudge-owner-{os.getpid() if pid is None else pid}"


def preload_of(limits: Limits) -> tuple[str, ...]:
    declared = tuple(getattr(limits, "preload", ()) or ())
    return tuple(dict.fromkeys((*BASE_PRELOAD, *declared)))


class Zygote:
    """One zygote sandbox: started, asked to fork, checked after each child, stopped."""

    def __init__(self, preload: tuple[str, ...]) -> None:
        self.preload = preload
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
        lib = self.root / "lib"
        shutil.copytree(HARNESS_ROOT / "harness", lib / "harness", ignore=shutil.ignore_patterns("__pycache__"))
        etc = self.root / "etc"
        etc.mkdir()
        for name, text in (("passwd", PASSWD), ("group", GROUP), ("hosts", HOSTS), ("hostname", "sandbox\n")):
            (etc / name).write_text(text)
        try:
            seccomp.write_program(lib / SECCOMP_FILE)
        except seccomp.SeccompError as exc:
            raise SandboxError(f"cannot build the seccomp filter: {exc}") from exc
        args = namespace_args(bwrap)
        # root inside its user namespace (see harness.zygote); the workers become uid/gid 65534
        args[args.index("--uid") + 1] = "0"
        args[args.index("--gid") + 1] = "0"
        args += ["--hostname", "sandbox", "--cap-drop", "ALL", *ZYGOTE_CAPS, "--clearenv"]
        for key, value in worker_environment(home=HOME).items():
            args += ["--setenv", key, value]
        args += ["--perms", "1777", "--size", str(16 * 1024 * 1024), "--tmpfs", "/tmp"]
        args += system_binds()
        for name in ("passwd", "group", "hosts", "hostname"):
            args += ["--ro-bind", str(etc / name), f"/etc/{name}"]
        args += ["--proc", "/proc", *dev_args(1 << 20), "--ro-bind", str(lib), LIB_DIR,
                 "--dir", SUBMISSION_DIR, "--remount-ro", "/", "--chdir", HOME]
        return [*with_open_parents(args), "--", sys.executable, "-s", "-P", "-B", "-c", ZYGOTE_BOOTSTRAP, LIB_DIR,
                json.dumps(list(self.preload)), owner_tag()]

    def _start(self) -> None:
        bwrap = find_bwrap()
        if bwrap is None:
            raise SandboxError("bubblewrap (bwrap) is not installed")
        try:
            self.cgroup = WorkerCgroup.create(ZYGOTE_MEMORY_MB, ZYGOTE_PROCESSES)
        except CgroupError as exc:
            raise SandboxError(f"the warm sandbox needs control groups: {exc}") from exc
        self.launch = SandboxLaunch(self._argv(bwrap), self.cgroup)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        log_r, log_w = os.pipe()
        try:
            self.proc = subprocess.Popen(self.launch.argv, stdin=theirs.fileno(), stdout=subprocess.DEVNULL,
                                         stderr=log_w, cwd="/", env={"PATH": "/usr/bin:/bin"},
                                         start_new_session=True, close_fds=True, pass_fds=self.launch.child_fds)
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
                for token in _read(group / "cgroup.procs").split():
                    nspid = _nspid(int(token))
                    if len(nspid) >= 2 and nspid[-1] == inner:
                        return int(token)
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
            self._join_group(keeper)
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
            threading.Thread(target=self._join_group, args=(spare,), name="mljudge-warm-spare", daemon=True).start()
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

    @staticmethod
    def _join_group(keeper: Keeper) -> None:
        """Move the keeper into a fresh group of its own, then let it build its namespaces ("g")."""
        try:
            keeper.cgroup = WorkerCgroup.create(keeper.key.memory_mb, keeper.key.processes)
            for procs in keeper.cgroup.procs_files():
                with open(procs, "w") as fh:
                    fh.write(str(keeper.host))
            with keeper.fds_lock:  # never write to the number of a "go" pipe already closed
                if keeper.go_w not in keeper.mine:
                    raise OSError("the keeper was discarded meanwhile")
                os.write(keeper.go_w, b"g")
            keeper.ok = True
        except (OSError, CgroupError) as exc:
            keeper.error = f"{type(exc).__name__}: {exc}"
            if keeper.cgroup is not None and keeper.go_w not in keeper.mine:  # discarded: nobody else will
                keeper.cgroup.destroy()
        finally:
            keeper.ready.set()

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


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _nspid(pid: int) -> list[int]:
    for line in _read(Path(f"/proc/{pid}/status")).splitlines():
        if line.startswith("NSpid:"):
            with contextlib.suppress(ValueError):
                return [int(x) for x in line.split()[1:]]
    return []


@dataclass(frozen=True)
class KeeperKey:
    """What a keeper is prepared for: a prepared keeper serves only a submission with the same."""

    module: str
    names: tuple[str, ...]
    rlimits: tuple[tuple[str, int], ...]
    tmp_bytes: int
    memory_mb: int
    processes: int

    @classmethod
    def of(cls, spec: WorkerSpec) -> KeeperKey:
        limits = spec.limits
        return cls(spec.module_name, tuple(spec.entry_points), tuple(sorted(rlimits_for(limits).items())),
                   max(16, limits.file_size_mb) * 1024 * 1024, limits.memory_mb, limits.processes)

    def request(self) -> dict[str, Any]:
        return {"module": self.module, "uid": SANDBOX_UID, "gid": SANDBOX_GID, "names": list(self.names),
                "rlimits": dict(self.rlimits), "tmp_bytes": self.tmp_bytes, "seccomp": f"{LIB_DIR}/{SECCOMP_FILE}"}


class Keeper:
    """The grader's ends of a forked keeper: its channel, output, submission memfd, "go" and
    "report" pipes, and its control group. The keeper's ends go to the zygote (``theirs``)."""

    def __init__(self, key: KeeperKey) -> None:
        self.key = key
        self.cgroup: WorkerCgroup | None = None
        self.host = 0
        self.inner: int | None = None
        self.ready = threading.Event()  # set once it is in its group (ok) or could not be (error)
        self.fds_lock = threading.Lock()  # the thread that moves it into its group writes "g"
        self.ok = False
        self.error = ""
        made: list[int] = []
        try:
            for _ in range(6):
                made += os.pipe()
            made.append(os.memfd_create("submission", os.MFD_CLOEXEC))
        except OSError:
            for fd in made:
                os.close(fd)
            raise
        to_worker_r, self.to_worker, self.from_worker, from_worker_w, self.out_r, out_w, \
            go_r, self.go_w, self.report_r, report_w, self.setup_r, setup_w, self.memfd = made
        self.theirs = [to_worker_r, from_worker_w, out_w, self.memfd, go_r, report_w, setup_w]
        self.mine = [self.to_worker, self.from_worker, self.out_r, self.go_w, self.report_r, self.setup_r,
                     self.memfd]

    def handed_over(self) -> None:
        """The zygote holds its own copies of the keeper's ends now: close ours of them."""
        for fd in self.theirs:
            if fd != self.memfd:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.theirs = []

    def go(self, source: bytes) -> None:
        """Hand the keeper the submission (through the memfd) and let it fork the worker."""
        view = memoryview(source)
        while view:
            view = view[os.write(self.memfd, view):]
        os.write(self.go_w, b"s")
        self.close(self.go_w)

    def close(self, fd: int) -> None:
        with self.fds_lock:
            if fd in self.mine:  # never close a number twice: it may be another pipe's by now
                self.mine.remove(fd)
                with contextlib.suppress(OSError):
                    os.close(fd)

    def release(self, fd: int) -> int:
        """Hand one of our ends to a new owner (that closes it); return it."""
        with self.fds_lock:
            self.mine.remove(fd)
        return fd

    def close_all(self) -> None:
        with self.fds_lock:
            for fd in dict.fromkeys([*self.theirs, *self.mine]):  # the memfd is in both
                with contextlib.suppress(OSError):
                    os.close(fd)
            self.theirs, self.mine = [], []

    def discard(self) -> None:
        """Never used: close the "go" pipe (the keeper exits), kill and remove its group."""
        self.close_all()
        if self.cgroup is not None:
            self.cgroup.destroy()


class WarmWorker(WorkerProcess):
    """A worker forked by a zygote, in its own control group."""

    def __init__(self, zygote: Zygote, spec: WorkerSpec) -> None:
        self.zygote = zygote
        self.limits = spec.limits
        self.key = KeeperKey.of(spec)
        self._lock = threading.Lock()  # held by stop
        self._violation_lock = threading.Lock()  # taken by the output's reader, even while stop waits for it
        self._violation: tuple[Verdict, str] | None = None
        self._result: SandboxRun | None = None
        self._closed = False
        try:
            source = read_regular_file(spec.submission)
        except (OSError, NotARegularFile) as exc:
            raise SandboxError(f"cannot read the submission {spec.submission}: {exc}") from exc
        try:
            self.keeper = zygote.take(self.key)  # SandboxError: the zygote is retired
        except OSError as exc:  # out of descriptors, say
            raise SandboxError(f"could not start a warm worker: {exc}") from exc
        self.cgroup: WorkerCgroup | None = self.keeper.cgroup
        self.started = time.monotonic()
        try:
            self.keeper.go(source)
        except OSError as exc:
            self.keeper.discard()
            zygote.retire()
            raise SandboxError(f"could not start a warm worker: {exc}") from exc
        self.to_worker, self.from_worker = self.keeper.to_worker, self.keeper.from_worker
        self.report_r = self.keeper.report_r
        self._await_setup()
        os.set_blocking(self.to_worker, False)
        self.reader = FrameReader(self.from_worker, spec.limits.max_frame_mb * 1024 * 1024)
        self.output = OutputCapture(self.keeper.release(self.keeper.out_r), spec.limits.output_kb * 1024,
                                    lambda: self._trip(Verdict.OUTPUT_LIMIT,
                                                       f"printed more than {spec.limits.output_kb} KiB"))
        self.output.start()

    def _await_setup(self) -> None:
        """Wait for the worker's "k" (isolated; nothing of the submission has run yet). A worker
        lost before it (a setup failure, or killed from outside) is the judge's failure: the
        zygote is replaced and ``SandboxError`` raised (``start`` tries once more)."""
        ready, _, _ = select.select([self.keeper.setup_r], [], [], CONTROL_TIMEOUT)
        try:
            done = bool(ready) and os.read(self.keeper.setup_r, 1) == b"k"
        except OSError:
            done = False
        if done:
            return
        assert self.cgroup is not None
        self.cgroup.kill_all()
        said = b""
        with contextlib.suppress(OSError):
            os.set_blocking(self.keeper.out_r, False)
            said = os.read(self.keeper.out_r, 4000)
        self.keeper.close_all()
        self.zygote.after_child(self.keeper)
        log = self.zygote.log.text()[-1000:] if self.zygote.log is not None else ""
        self.zygote.retire()
        raise SandboxError("a warm worker could not be set up:\n"
                           + said.decode("utf-8", errors="replace") + log)

    # -- channel --------------------------------------------------------------------
    def send(self, frame: bytes, timeout: float) -> None:
        try:
            write_with_deadline(self.to_worker, frame, timeout)
        except ChannelClosed:
            self._closed = True
            raise

    def receive(self, timeout: float) -> bytes:
        try:
            return self.reader.read(timeout)
        except ChannelClosed:
            self._closed = True
            raise

    # -- monitors -------------------------------------------------------------------
    def _trip(self, verdict: Verdict, reason: str) -> None:
        with self._violation_lock:
            if self._violation is None:
                self._violation = (verdict, reason)
        if self.cgroup is not None:
            self.cgroup.kill_all()

    def violation(self) -> SandboxRun | None:
        return None if self._violation is None else self.stop()

    # -- stopping -------------------------------------------------------------------
    def _report(self, wait: float) -> tuple[int | None] | None:
        """The keeper's report, if it came within ``wait`` seconds: (the worker's wait status, or
        None if there was no worker,)."""
        ready, _, _ = select.select([self.report_r], [], [], wait)
        if not ready:
            return None
        try:
            data = os.read(self.report_r, KEEPER_REPORT.size)
        except OSError:
            return None
        if len(data) != KEEPER_REPORT.size:
            return None
        (status,) = KEEPER_REPORT.unpack(data)
        return (status if status >= 0 else None,)

    def stop(self) -> SandboxRun:
        with self._lock:
            if self._result is not None:
                return self._result
            # a worker that died by itself: let its keeper report how (as wait4 would tell)
            report = self._report(1.0 if self._closed else 0.0)
            assert self.cgroup is not None
            self.cgroup.kill_all()
            if report is None:
                report = self._report(0.05)
            status = report[0] if report is not None else None
            self.output.finish(timeout=1.0)
            cpu, peak_mb = self.cgroup.measure()
            verdict = self._verdict(status, cpu)
            self.keeper.close_all()
            # reaping the keeper, checking the zygote and removing the group happen in the
            # background; the zygote's next user waits for the check (Zygote.take)
            self.zygote.after_child(self.keeper)
            self.zygote.busy.release()
            if status is None:  # killed before its keeper could tell
                sig: int | None = signal.SIGKILL
                exit_code: int | None = None
            else:
                sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
                exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
            self._result = SandboxRun(
                exit_code=exit_code, signal=sig, verdict=verdict[0] if verdict else None,
                reason=verdict[1] if verdict else "", cpu_seconds=cpu, peak_memory_mb=peak_mb,
                wall_seconds=time.monotonic() - self.started, output=self.output.text(),
                output_truncated=self.output.total > len(self.output.data),
            )
            return self._result

    def _verdict(self, status: int | None, cpu: float) -> tuple[Verdict, str] | None:
        limits, cgroup = self.limits, self.cgroup
        assert cgroup is not None
        if self._violation is not None:
            return self._violation
        if cgroup.out_of_memory:
            return memory_limit_verdict(limits)
        time_limit = Verdict.TIME_LIMIT, f"used more than {limits.cpu_time:g} s of CPU time"
        if status is None:  # we killed it, as a cold worker's stop kills its sandbox
            return time_limit if cpu >= limits.cpu_time - 0.05 else None
        if not os.WIFSIGNALED(status):
            return None
        sig = os.WTERMSIG(status)
        if cpu_limit_verdict(sig, cpu, limits) is not None:
            return time_limit
        if sig == signal.SIGKILL and cgroup.memory_failures > 0:
            return memory_limit_verdict(limits)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return Verdict.CRASHED, f"the worker was killed by {name} ({sig})"


class WarmBwrapSandbox(Sandbox):
    """bwrap workers forked from a warm zygote; opt-in (not in ``auto``)."""

    name = "bwrap-warm"
    isolated = True

    _pools: ClassVar[dict[tuple[str, ...], list[Zygote]]] = {}
    _pools_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def available(cls) -> bool:
        return (sys.platform.startswith("linux") and hasattr(socket, "send_fds") and BwrapSandbox.available()
                and BwrapSandbox.cgroups_available())

    def start(self, spec: WorkerSpec) -> WorkerProcess:
        for attempt in range(2):
            zygote = self._acquire(preload_of(spec.limits))
            try:
                return WarmWorker(zygote, spec)
            except SandboxError:
                zygote.busy.release()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    @classmethod
    def _acquire(cls, preload: tuple[str, ...]) -> Zygote:
        """An idle, live zygote for ``preload`` (busy held), starting one if there is none."""
        with cls._pools_lock:
            pool = cls._pools.setdefault(preload, [])
            for zygote in list(pool):
                if zygote.owner != os.getpid():  # inherited through fork: not ours to use or stop
                    pool.remove(zygote)
                    continue
                if not zygote.busy.acquire(blocking=False):
                    continue
                if zygote.alive():
                    return zygote
                zygote.busy.release()
                pool.remove(zygote)
                zygote.close()
        _close_at_exit()
        zygote = Zygote(preload)  # outside the lock: this takes seconds
        zygote.busy.acquire()
        with cls._pools_lock:
            cls._pools.setdefault(preload, []).append(zygote)
        return zygote

    @classmethod
    def pool_pids(cls) -> list[int]:
        """Host pids of the live zygotes' sandboxes (for tests)."""
        with cls._pools_lock:
            return [z.proc.pid for pool in cls._pools.values() for z in pool if z.proc is not None and z.alive()]

    @classmethod
    def quiesce(cls) -> int:
        """Wait for every zygote's background work; return how many keepers wait prepared ahead
        (each holds a control group of its own until used or discarded)."""
        with cls._pools_lock:
            zygotes = [z for pool in cls._pools.values() for z in pool if z.owner == os.getpid()]
        for zygote in zygotes:
            zygote.quiesce()
        return sum(1 for z in zygotes if z.spare is not None and not z.dead)

    @classmethod
    def close_all(cls) -> None:
        """Stop every zygote this process started."""
        with cls._pools_lock:
            pools, cls._pools = cls._pools, {}
        for pool in pools.values():
            for zygote in pool:
                if zygote.owner == os.getpid():
                    zygote.close()


_hooked: set[int] = set()


def _sweep_stale_dirs() -> None:
    """Remove the folders of zygotes whose grader is gone (``mljudge-zygote-<pid>-…``, no such pid)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{ZYGOTE_DIR_PREFIX}*"):
        pid = folder.name[len(ZYGOTE_DIR_PREFIX):].split("-")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


def _close_at_exit() -> None:
    """Once per process (registered where the first zygote starts, not where this module was
    imported: a forkserver imports it for all its children): close this process's pools at exit."""
    if os.getpid() in _hooked:
        return
    _hooked.add(os.getpid())
    _sweep_stale_dirs()
    atexit.register(WarmBwrapSandbox.close_all)
    # a multiprocessing worker (a batch's pool) ends without atexit, but runs these finalizers
    multiprocessing.util.Finalize(None, WarmBwrapSandbox.close_all, exitpriority=100)
