"""A docker worker: one container, its attached stdio socket demultiplexed into the frame channel
and the captured output, its groups sampled for CPU and memory, and a stop that kills it by name,
reads its state and removes it. Containers still alive when the grader exits are removed at exit."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import socket
import struct
import threading
import time
from pathlib import Path
from typing import Any

from grader.core.values import Limits, Verdict, WorkerExit
from grader.sandbox.base import SandboxError, WorkerProcess
from grader.sandbox.cgroup_files import Accounting, memberships, read_v1, read_v2
from grader.sandbox.verdicts import ExitFacts, ended, output_limit, signal_in_exit_code
from harness.protocol import FrameReader, write_with_deadline

MONITOR_PERIOD = 0.05
STOP_TIMEOUT = 20

_HEADER = struct.Struct(">BxxxL")
_STDOUT, _STDERR = 1, 2


def client() -> Any:
    """A docker SDK client for the engine of the environment."""
    import docker  # type: ignore[import-untyped]

    return docker.from_env(timeout=60)


# -- containers this process has running ----------------------------------------------
_live: set[str] = set()
_live_lock = threading.Lock()


def track(name: str) -> None:
    with _live_lock:
        _live.add(name)


def untrack(name: str) -> None:
    with _live_lock:
        _live.discard(name)


@atexit.register
def remove_live_containers() -> None:
    """Remove every container this process started and has not stopped yet."""
    with _live_lock:
        names = list(_live)
        _live.clear()
    for name in names:
        with contextlib.suppress(Exception):
            client().api.remove_container(name, force=True)


def _cgroup_dirs(pid: int, container_id: str) -> dict[str, Path]:
    """Control-group folders of the container's init process: 'memory', 'cpu', or '' (v2)."""
    found: dict[str, Path] = {}
    root = Path("/sys/fs/cgroup")
    try:
        groups = memberships(pid)
    except OSError:
        groups = {}
    for name, path in groups.items():
        key = {"memory": "memory", "cpuacct": "cpu", "": ""}.get(name)
        if key is None:
            continue
        base = root / name if name else root
        if name == "cpuacct" and not base.exists():
            base = root / "cpu,cpuacct"
        candidate = base / path.lstrip("/")
        if not candidate.is_dir():  # we may see a different cgroup namespace root
            candidate = base / "docker" / container_id
        if candidate.is_dir():
            found[key] = candidate
    return found


class _Usage:
    """Peak memory, CPU time and memory-limit hits, sampled from the container's cgroups."""

    def __init__(self, dirs: dict[str, Path]) -> None:
        self.dirs = dirs
        self.peak_bytes = 0
        self.cpu_seconds = 0.0
        self.memory_failures = 0
        self.lock = threading.Lock()

    def sample(self) -> None:
        mem, cpu, v2 = self.dirs.get("memory"), self.dirs.get("cpu"), self.dirs.get("")
        readings: list[tuple[Accounting, bool]] = []
        if mem is not None or cpu is not None:
            readings.append((read_v1(mem, cpu), False))
        if v2 is not None:
            readings.append((read_v2(v2), True))
        with self.lock:
            for used, unified in readings:
                peak = (used.peak_bytes or used.current_bytes) if unified else used.peak_bytes
                if peak is not None:
                    self.peak_bytes = max(self.peak_bytes, peak)
                if used.cpu_seconds is not None:
                    self.cpu_seconds = max(self.cpu_seconds, used.cpu_seconds)
                failures = used.limit_hits + used.oom_kills if unified else used.limit_hits
                self.memory_failures = max(self.memory_failures, failures)


class DockerWorker(WorkerProcess):
    """A worker in its own container; the channel is the container's attached stdio socket."""

    def __init__(self, client: Any, container: Any, name: str, limits: Limits, staged: Path) -> None:
        self.client = client
        self.container = container
        self.name = name
        self.limits = limits
        self.staged = staged
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._violation_lock = threading.Lock()
        self._violation: tuple[Verdict, str] | None = None
        self._result: WorkerExit | None = None
        self._output = bytearray()
        self._output_total = 0
        self._stopping = threading.Event()
        self._usage = _Usage({})

        self._io = client.api.attach_socket(container.id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
        self._sock: socket.socket = getattr(self._io, "_sock", self._io)
        self._pipe_r, self._pipe_w = os.pipe()
        with contextlib.suppress(OSError):
            import fcntl

            fcntl.fcntl(self._pipe_w, 1031, 1 << 20)  # F_SETPIPE_SZ: room for large frames
        self.reader = FrameReader(self._pipe_r, limits.max_frame_mb * 1024 * 1024)
        self._demux = threading.Thread(target=self._demultiplex, name=f"{name}-io", daemon=True)
        self._demux.start()
        try:
            container.start()
            container.reload()
            pid = int(container.attrs.get("State", {}).get("Pid") or 0)
        except Exception as exc:
            self.stop()
            raise SandboxError(f"could not start the docker worker: {exc}") from exc
        if pid > 0:
            self._usage = _Usage(_cgroup_dirs(pid, container.id))
        self._monitor = threading.Thread(target=self._watch, name=f"{name}-monitor", daemon=True)
        self._monitor.start()

    # -- channel --------------------------------------------------------------------
    def send(self, frame: bytes, timeout: float) -> None:
        write_with_deadline(self._sock, frame, timeout, lambda chunk: self._sock.send(chunk, socket.MSG_DONTWAIT))

    def receive(self, timeout: float) -> bytes:
        return self.reader.read(timeout)

    # -- the stdio stream -----------------------------------------------------------
    def _recv_exact(self, size: int) -> bytes | None:
        chunks = bytearray()
        while len(chunks) < size:
            try:
                chunk = self._sock.recv(min(size - len(chunks), 1 << 20))
            except OSError:
                return None
            if not chunk:
                return None
            chunks += chunk
        return bytes(chunks)

    def _demultiplex(self) -> None:
        limit = self.limits.output_kb * 1024
        try:
            while True:
                head = self._recv_exact(_HEADER.size)
                if head is None:
                    return
                kind, size = _HEADER.unpack(head)
                payload = self._recv_exact(size) if size else b""
                if payload is None:
                    return
                if kind == _STDOUT:
                    view = memoryview(payload)
                    try:
                        while view and not self._stopping.is_set():
                            view = view[os.write(self._pipe_w, view) :]
                    except OSError:
                        pass  # the reading end is closed (stopping): keep draining the socket
                elif kind == _STDERR:
                    room = limit - len(self._output)
                    if room > 0:
                        self._output += payload[:room]
                    self._output_total += len(payload)
                    if self._output_total > limit:
                        self._trip(*output_limit(self.limits))
        except OSError:
            return
        finally:
            with contextlib.suppress(OSError):
                os.close(self._pipe_w)

    # -- monitors -------------------------------------------------------------------
    def _watch(self) -> None:
        while not self._stopping.wait(MONITOR_PERIOD):
            self._usage.sample()

    def _trip(self, verdict: Verdict, reason: str) -> None:
        """Record the violation and kill the container from another thread: the caller may be the
        demultiplexer, which must keep draining the stream or the engine cannot stop the container."""
        with self._violation_lock:
            if self._violation is not None:
                return
            self._violation = (verdict, reason)
        threading.Thread(target=self._kill, daemon=True).start()

    # -- stopping -------------------------------------------------------------------
    def _kill(self) -> None:
        import docker.errors  # type: ignore[import-untyped]

        with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
            self.client.api.kill(self.name)

    def stop(self) -> WorkerExit:
        import docker.errors  # type: ignore[import-untyped]

        with self._lock:
            if self._result is not None:
                return self._result
            state: dict[str, Any] = {}
            try:
                self._usage.sample()
                self._stopping.set()
                with contextlib.suppress(OSError):  # unblocks a demultiplexer stuck on a full pipe
                    os.close(self._pipe_r)
                self._kill()
                with contextlib.suppress(Exception):
                    self.client.api.wait(self.name, timeout=STOP_TIMEOUT)
                with contextlib.suppress(docker.errors.APIError):
                    state = self.client.api.inspect_container(self.name).get("State", {})
                self._usage.sample()
            finally:
                # detach first: an engine still streaming a flood to us will not remove the container
                with contextlib.suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(Exception):
                    self._io.close()
                self._demux.join(timeout=2.0)
                with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                    self.client.api.remove_container(self.name, force=True)
                untrack(self.name)
                shutil.rmtree(self.staged, ignore_errors=True)
            self._result = self._describe(state)
            return self._result

    def _describe(self, state: dict[str, Any]) -> WorkerExit:
        code = state.get("ExitCode")
        exit_code: int | None = code if isinstance(code, int) else None
        sig = signal_in_exit_code(exit_code)  # tini: 128 + N for signal N
        if sig is not None:
            exit_code = None
        with self._usage.lock:
            cpu = self._usage.cpu_seconds
            peak_mb = self._usage.peak_bytes / (1024 * 1024)
            failures = self._usage.memory_failures
        facts = ExitFacts(tripped=self._violation, oom_killed=bool(state.get("OOMKilled")), signal=sig,
                          cpu_seconds=cpu, memory_failures=failures, memory_first=True)
        return ended(facts, self.limits, exit_code=exit_code, sig=sig, peak_mb=peak_mb,
                     wall_seconds=time.monotonic() - self.started,
                     output=self._output.decode("utf-8", errors="backslashreplace").replace("\x00", "\\x00"),
                     output_truncated=self._output_total > len(self._output))
