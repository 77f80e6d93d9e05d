"""The ``docker`` backend: one container per worker, through the docker SDK for Python.

The image (``Dockerfile``, built by ``scripts/docker-image.sh``) holds Python, the pinned
scientific stack and the harness at ``/opt/mljudge/lib``. Each worker runs in a fresh container
with no network (``network_mode=none``: only ``lo``), a read-only root, a size-capped tmpfs
``/tmp``, memory = memory+swap, a process limit, one CPU, every capability dropped,
no-new-privileges, uid/gid 10001, and a clean environment. The submission is bind-mounted
read-only at ``/sandbox/<module>.py``. ``docker-init`` (tini) is PID 1, so the worker gets its
signals (SIGXCPU from its own CPU rlimit) like anywhere else.

The channel is the container's attached stdin/stdout/stderr: one hijacked socket, multiplexed
(8-byte headers: stream type, then a big-endian length). A reader thread feeds stdout into a pipe
read by ``FrameReader`` and keeps stderr (the student's output) capped. Stopping kills the
container by name, reads its state (``OOMKilled`` → memory limit), and removes it; containers
still alive when the grader exits are removed by an ``atexit`` hook, and those of a grader killed
outright (labelled with its host and pid) by the next grader on the host (``sweep_orphans``).

Configuration: ``MLJUDGE_DOCKER_IMAGE`` names the image (default: ``default_image()``, the tag
``scripts/docker-image.sh`` builds for this checkout). ``--sandbox auto`` only picks docker when
that variable is set (see ``DockerSandbox.configured``).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import select
import shutil
import signal
import socket
import struct
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, ClassVar

from grader.files import NotARegularFile, copy_regular_file
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
from grader.sandbox.popen_worker import HARNESS_ROOT, worker_environment
from grader.sandbox.process import worker_argv
from harness.protocol import ChannelClosed, ChannelTimeout, FrameReader

IMAGE_ENV = "MLJUDGE_DOCKER_IMAGE"
IMAGE_REPO = "mljudge-worker"
#: Pinned in scripts/docker-image.sh and hashed into the tag (keep the three in step).
PINNED_VERSIONS = ("2.4.6", "1.17.1", "1.9.1", "2.21.0")  # numpy, scipy, scikit-learn, tensorflow-cpu
SANDBOX_USER = "10001:10001"
PYTHON = "/opt/venv/bin/python"
LIB_DIR = "/opt/mljudge/lib"
SUBMISSION_DIR = "/sandbox"
HOME = "/tmp"
NAME_PREFIX = "mljudge-"
LABEL = "org.mljudge.sandbox"
MONITOR_PERIOD = 0.05
STOP_TIMEOUT = 20

_HEADER = struct.Struct(">BxxxL")
_STDOUT, _STDERR = 1, 2


def default_image(with_tensorflow: bool | None = None) -> str:
    """The tag ``scripts/docker-image.sh`` builds for this checkout (Dockerfile + harness + pins)."""
    if with_tensorflow is None:
        with_tensorflow = os.environ.get("WITH_TENSORFLOW", "1") != "0"
    root = HARNESS_ROOT
    dockerfile = root / "Dockerfile"
    if not dockerfile.is_file():
        return f"{IMAGE_REPO}:latest"
    digest = hashlib.sha256()
    for path in [dockerfile, *sorted((root / "harness").rglob("*.py"))]:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(" ".join([*PINNED_VERSIONS, "1" if with_tensorflow else "0"]).encode())
    return f"{IMAGE_REPO}:{digest.hexdigest()[:16]}"


def configured_image() -> str:
    """The image workers run in: ``$MLJUDGE_DOCKER_IMAGE`` or ``default_image()``."""
    return os.environ.get(IMAGE_ENV) or default_image()


def _client() -> Any:
    import docker  # type: ignore[import-untyped]

    return docker.from_env(timeout=60)


# -- containers left behind -----------------------------------------------------------
_live: set[str] = set()
_live_lock = threading.Lock()


def _remove_container(name: str) -> None:
    with contextlib.suppress(Exception):
        _client().api.remove_container(name, force=True)


_swept: set[int] = set()
STAGED_PREFIX = "mljudge-docker-"  # then the grader's pid


def sweep_orphans(client: Any) -> None:
    """Once per process: remove the containers and staging folders of graders on this host that
    are gone (a batch worker killed with SIGKILL runs no exit hook). Those of live pids are kept."""
    if os.getpid() in _swept:
        return
    _swept.add(os.getpid())
    with contextlib.suppress(Exception):
        found = client.api.containers(all=True, filters={"label": f"{LABEL}.host={socket.gethostname()}"})
        for container in found:
            pid = str((container.get("Labels") or {}).get(f"{LABEL}.pid", ""))
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                with contextlib.suppress(Exception):
                    client.api.remove_container(container["Id"], force=True)
    for folder in Path(tempfile.gettempdir()).glob(f"{STAGED_PREFIX}*"):
        pid = folder.name[len(STAGED_PREFIX):].split("-")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


@atexit.register
def remove_live_containers() -> None:
    """Remove every container this process started and has not stopped yet."""
    with _live_lock:
        names = list(_live)
        _live.clear()
    for name in names:
        _remove_container(name)


def _cgroup_dirs(pid: int, container_id: str) -> dict[str, Path]:
    """Control-group folders of the container's init process: 'memory', 'cpu', or '' (v2)."""
    found: dict[str, Path] = {}
    root = Path("/sys/fs/cgroup")
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        names = controllers.split(",") if controllers else [""]
        for name in names:
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


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    try:
        return int(text)
    except ValueError:
        return None


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
        peak = failures = None
        cpu_s = None
        if mem is not None:
            peak = _read_int(mem / "memory.max_usage_in_bytes")
            failures = _read_int(mem / "memory.failcnt")
        if cpu is not None:
            ns = _read_int(cpu / "cpuacct.usage")
            cpu_s = ns / 1e9 if ns is not None else None
        if v2 is not None:
            peak = _read_int(v2 / "memory.peak") or _read_int(v2 / "memory.current")
            with contextlib.suppress(OSError, ValueError):
                stat = dict(line.split() for line in (v2 / "cpu.stat").read_text().splitlines())
                cpu_s = int(stat["usage_usec"]) / 1e6
            with contextlib.suppress(OSError, ValueError):
                events = dict(line.split() for line in (v2 / "memory.events").read_text().splitlines())
                failures = int(events.get("max", 0)) + int(events.get("oom_kill", 0))
        with self.lock:
            if peak is not None:
                self.peak_bytes = max(self.peak_bytes, peak)
            if cpu_s is not None:
                self.cpu_seconds = max(self.cpu_seconds, cpu_s)
            if failures is not None:
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
        self._result: SandboxRun | None = None
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
        view = memoryview(frame)
        deadline = time.monotonic() + timeout
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChannelTimeout()
            try:
                _, ready, _ = select.select([], [self._sock], [], left)
            except (OSError, ValueError) as exc:
                raise ChannelClosed(str(exc)) from None
            if not ready:
                continue
            try:
                view = view[self._sock.send(view, socket.MSG_DONTWAIT) :]
            except BlockingIOError:
                continue
            except OSError as exc:
                raise ChannelClosed(str(exc)) from None

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
                        self._trip(Verdict.OUTPUT_LIMIT, f"printed more than {self.limits.output_kb} KiB")
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

    def violation(self) -> SandboxRun | None:
        if self._violation is None:
            return None
        return self.stop()

    # -- stopping -------------------------------------------------------------------
    def _kill(self) -> None:
        import docker.errors  # type: ignore[import-untyped]

        with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
            self.client.api.kill(self.name)

    def stop(self) -> SandboxRun:
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
                with _live_lock:
                    _live.discard(self.name)
                shutil.rmtree(self.staged, ignore_errors=True)
            self._result = self._describe(state)
            return self._result

    def _describe(self, state: dict[str, Any]) -> SandboxRun:
        code = state.get("ExitCode")
        exit_code: int | None = code if isinstance(code, int) else None
        sig: int | None = None
        if exit_code is not None and 128 < exit_code < 128 + 65:  # tini: 128 + N for signal N
            sig, exit_code = exit_code - 128, None
        with self._usage.lock:
            cpu = self._usage.cpu_seconds
            peak_mb = self._usage.peak_bytes / (1024 * 1024)
            failures = self._usage.memory_failures
        limits = self.limits
        verdict: Verdict | None = None
        reason = ""
        if self._violation is not None:
            verdict, reason = self._violation
        elif state.get("OOMKilled") or (sig == signal.SIGKILL and failures > 0):
            verdict, reason = memory_limit_verdict(limits)
        elif (cpu_limit := cpu_limit_verdict(sig, cpu, limits)) is not None:
            verdict, reason = cpu_limit
        return SandboxRun(
            exit_code=exit_code,
            signal=sig,
            verdict=verdict,
            reason=reason,
            cpu_seconds=cpu,
            peak_memory_mb=peak_mb,
            wall_seconds=time.monotonic() - self.started,
            output=self._output.decode("utf-8", errors="backslashreplace").replace("\x00", "\\x00"),
            output_truncated=self._output_total > len(self._output),
        )


class DockerSandbox(Sandbox):
    """Runs each worker in a fresh container of the grader image."""

    name = "docker"
    isolated = True

    _probe_lock: ClassVar[threading.Lock] = threading.Lock()
    _probed: ClassVar[dict[str, bool]] = {}

    def __init__(self, image: str | None = None) -> None:
        self.image = image or configured_image()

    @classmethod
    def configured(cls) -> bool:
        """Whether docker was asked for (``$MLJUDGE_DOCKER_IMAGE``): only then may ``auto`` pick it."""
        return bool(os.environ.get(IMAGE_ENV))

    @classmethod
    def available(cls) -> bool:
        """The SDK imports, the engine answers, and the image exists (probed once per image)."""
        image = configured_image()
        with cls._probe_lock:
            if image not in cls._probed:
                cls._probed[image] = cls._probe(image)
            return cls._probed[image]

    @staticmethod
    def _probe(image: str) -> bool:
        try:
            client = _client()
            client.ping()
            client.images.get(image)
        except Exception:
            return False
        return True

    def start(self, spec: WorkerSpec) -> WorkerProcess:
        try:
            import docker.errors  # type: ignore[import-untyped]

            client = _client()
        except Exception as exc:
            raise SandboxError(f"the docker engine cannot be reached: {exc}") from exc
        sweep_orphans(client)
        staged = Path(tempfile.mkdtemp(prefix=f"{STAGED_PREFIX}{os.getpid()}-"))
        name = f"{NAME_PREFIX}{uuid.uuid4().hex[:20]}"
        try:
            work = staged / "sandbox"
            work.mkdir()
            target = work / f"{spec.module_name}.py"
            try:
                copy_regular_file(spec.submission, target)
            except (OSError, NotARegularFile) as exc:
                raise SandboxError(f"cannot read the submission {spec.submission}: {exc}") from exc
            os.chmod(staged, 0o755)
            os.chmod(work, 0o755)
            os.chmod(target, 0o644)
            limits = spec.limits
            argv = worker_argv(PYTHON, LIB_DIR, f"{SUBMISSION_DIR}/{spec.module_name}.py", spec)
            with _live_lock:
                _live.add(name)
            api = client.api
            host_config = api.create_host_config(
                network_mode="none",
                read_only=True,
                tmpfs={HOME: f"size={max(16, limits.file_size_mb)}m,mode=1777"},
                binds={str(work): {"bind": SUBMISSION_DIR, "mode": "ro"}},
                mem_limit=f"{limits.memory_mb}m",
                memswap_limit=f"{limits.memory_mb}m",
                pids_limit=limits.processes,
                nano_cpus=int(1e9),
                cap_drop=["ALL"],
                # the judge's own seccomp policy (grader.sandbox.seccomp), in place of docker's default
                security_opt=["no-new-privileges", f"seccomp={seccomp.docker_profile()}"],
                init=True,
                auto_remove=False,
            )
            config = api.create_container_config(
                self.image,
                command=argv,
                hostname="sandbox",
                user=SANDBOX_USER,
                working_dir=HOME,
                environment=worker_environment(home=HOME),
                stdin_open=True,
                tty=False,
                detach=True,
                network_disabled=True,
                labels={LABEL: "worker", f"{LABEL}.pid": str(os.getpid()), f"{LABEL}.host": socket.gethostname()},
                host_config=host_config,
            )
            config["StdinOnce"] = True  # the worker reads end-of-file when the grader goes away
            created = api.create_container_from_config(config, name=name)
            container = client.containers.prepare_model({"Id": created["Id"]})
        except SandboxError:
            _cleanup(client, name, staged)
            raise
        except docker.errors.ImageNotFound as exc:
            _cleanup(client, name, staged)
            raise SandboxError(f"the docker image {self.image} does not exist (run scripts/docker-image.sh)") from exc
        except BaseException as exc:
            _cleanup(client, name, staged)
            if isinstance(exc, Exception):
                raise SandboxError(f"could not create the docker worker: {exc}") from exc
            raise
        try:
            return DockerWorker(client, container, name, spec.limits, staged)
        except SandboxError:
            raise
        except BaseException as exc:
            _cleanup(client, name, staged)
            if isinstance(exc, Exception):
                raise SandboxError(f"could not start the docker worker: {exc}") from exc
            raise


def _cleanup(client: Any, name: str, staged: Path) -> None:
    with contextlib.suppress(Exception):
        client.api.remove_container(name, force=True)
    with _live_lock:
        _live.discard(name)
    shutil.rmtree(staged, ignore_errors=True)
