"""The one verdict classifier of every backend: how a worker ended (``ExitFacts``) in, the
submission's verdict and its reason out (``classify``).

A backend only gathers facts: its monitors' trips (output, memory), what its control groups or
engine say about memory, the signal the worker died of and the CPU time it used. The rules that
turn them into a verdict are written here once.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

from grader.core.values import Limits, Verdict, WorkerExit

#: A worker killed at its CPU rlimit's hard limit (SIGKILL) used this much of it at least.
CPU_SLACK = 0.05
#: bubblewrap and tini exit with 128 + N when the process they ran died of signal N.
SIGNAL_EXIT_BASE = 128


def time_limit(limits: Limits) -> tuple[Verdict, str]:
    """TIME_LIMIT, with the CPU limit in the reason."""
    return Verdict.TIME_LIMIT, f"used more than {limits.cpu_time:g} s of CPU time"


def memory_limit(limits: Limits) -> tuple[Verdict, str]:
    """MEMORY_LIMIT, with the limit in the reason."""
    return Verdict.MEMORY_LIMIT, f"used more than {limits.memory_mb} MiB of memory"


def output_limit(limits: Limits) -> tuple[Verdict, str]:
    """OUTPUT_LIMIT, with the cap in the reason."""
    return Verdict.OUTPUT_LIMIT, f"printed more than {limits.output_kb} KiB"


def killed_by(sig: int) -> tuple[Verdict, str]:
    """CRASHED, naming the signal."""
    try:
        name = signal.Signals(sig).name
    except ValueError:
        name = f"signal {sig}"
    return Verdict.CRASHED, f"the worker was killed by {name} ({sig})"


def hit_cpu_limit(sig: int | None, cpu: float, limits: Limits) -> bool:
    """Whether the worker died of its CPU rlimit (SIGXCPU, or the SIGKILL at the hard limit)."""
    return sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= limits.cpu_time - CPU_SLACK)


def exit_of(status: int) -> tuple[int | None, int | None]:
    """A wait status as (exit code, signal): one of them is None."""
    exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    return exit_code, sig


def signal_in_exit_code(code: int | None) -> int | None:
    """N when an exit code says 128 + N (the process below bubblewrap or tini died of signal N)."""
    if code is not None and SIGNAL_EXIT_BASE < code < SIGNAL_EXIT_BASE + 65:
        return code - SIGNAL_EXIT_BASE
    return None


@dataclass(frozen=True)
class ExitFacts:
    """What a backend knows about how its worker ended."""

    #: The verdict of a monitor that stopped the worker (output or memory limit), first one wins.
    tripped: tuple[Verdict, str] | None = None
    #: The kernel (or the engine) killed something for going over the memory limit.
    oom_killed: bool = False
    #: How often an allocation hit the memory limit; counted only where a SIGKILL may be the limit's.
    memory_failures: int = 0
    #: The signal the worker died of, as far as the backend can tell.
    signal: int | None = None
    cpu_seconds: float = 0.0
    #: A death by any other signal is a crash the sandbox saw from inside (bwrap, warm workers).
    names_crashes: bool = False
    #: Memory-limit hits outrank the CPU limit for a SIGKILL (docker's order).
    memory_first: bool = False


def classify(facts: ExitFacts, limits: Limits) -> tuple[Verdict | None, str]:
    """The verdict the facts give, and its reason; ``(None, "")`` when they give none (the session
    then decides from the exit code, the channel and the checks)."""
    if facts.tripped is not None:
        return facts.tripped
    if facts.oom_killed:
        return memory_limit(limits)
    sig = facts.signal
    if sig is None:
        return None, ""
    killed_at_memory_limit = sig == signal.SIGKILL and facts.memory_failures > 0
    if facts.memory_first and killed_at_memory_limit:
        return memory_limit(limits)
    if hit_cpu_limit(sig, facts.cpu_seconds, limits):
        return time_limit(limits)
    if killed_at_memory_limit:
        return memory_limit(limits)
    if facts.names_crashes:
        return killed_by(sig)
    return None, ""


def ended(facts: ExitFacts, limits: Limits, *, exit_code: int | None, sig: int | None, peak_mb: float,
          wall_seconds: float, output: str, output_truncated: bool) -> WorkerExit:
    """The record of a worker that ended, with the verdict its facts give."""
    verdict, reason = classify(facts, limits)
    return WorkerExit(exit_code=exit_code, signal=sig, verdict=verdict, reason=reason, cpu_seconds=facts.cpu_seconds,
                      peak_memory_mb=peak_mb, wall_seconds=wall_seconds, output=output,
                      output_truncated=output_truncated)
