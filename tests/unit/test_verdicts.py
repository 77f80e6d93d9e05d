"""The one verdict classifier: a table of exit facts and the verdict and reason each gives."""

from __future__ import annotations

import os
import signal

import pytest

from grader.core.values import Limits, Verdict
from grader.sandbox.verdicts import ExitFacts, classify, exit_of, signal_in_exit_code

LIMITS = Limits(cpu_time=2.0, memory_mb=300, output_kb=64)
TIME = (Verdict.TIME_LIMIT, "used more than 2 s of CPU time")
MEMORY = (Verdict.MEMORY_LIMIT, "used more than 300 MiB of memory")
OUTPUT = (Verdict.OUTPUT_LIMIT, "printed more than 64 KiB")
NONE = (None, "")
KILL, XCPU, SEGV = signal.SIGKILL, signal.SIGXCPU, signal.SIGSEGV

TABLE = [
    # (what happened, facts, expected)
    ("a clean exit", ExitFacts(), NONE),
    ("a clean exit after much CPU", ExitFacts(cpu_seconds=5.0), NONE),
    ("a monitor's trip wins over all", ExitFacts(tripped=OUTPUT, oom_killed=True, signal=KILL, cpu_seconds=9.0),
     OUTPUT),
    ("the process monitor's memory trip", ExitFacts(tripped=MEMORY, signal=KILL), MEMORY),
    ("an OOM kill", ExitFacts(oom_killed=True), MEMORY),
    ("an OOM kill outranks the CPU limit", ExitFacts(oom_killed=True, signal=XCPU), MEMORY),
    ("SIGXCPU", ExitFacts(signal=XCPU), TIME),
    ("SIGKILL at the CPU hard limit", ExitFacts(signal=KILL, cpu_seconds=1.96), TIME),
    ("SIGKILL well before the CPU limit", ExitFacts(signal=KILL, cpu_seconds=1.9), NONE),
    ("SIGKILL after memory-limit hits", ExitFacts(signal=KILL, memory_failures=3), MEMORY),
    ("SIGKILL at the CPU limit after memory-limit hits", ExitFacts(signal=KILL, cpu_seconds=2.0, memory_failures=3),
     TIME),
    ("docker: memory-limit hits first", ExitFacts(signal=KILL, cpu_seconds=2.0, memory_failures=3, memory_first=True),
     MEMORY),
    ("docker: SIGXCPU with memory-limit hits", ExitFacts(signal=XCPU, memory_failures=3, memory_first=True), TIME),
    ("memory-limit hits without a SIGKILL", ExitFacts(signal=SEGV, memory_failures=3), NONE),
    ("a crash the sandbox does not name", ExitFacts(signal=SEGV), NONE),
    ("a crash seen from inside", ExitFacts(signal=SEGV, names_crashes=True),
     (Verdict.CRASHED, "the worker was killed by SIGSEGV (11)")),
    ("a SIGKILL seen from inside", ExitFacts(signal=KILL, names_crashes=True),
     (Verdict.CRASHED, "the worker was killed by SIGKILL (9)")),
    ("an unknown signal seen from inside", ExitFacts(signal=63, names_crashes=True),
     (Verdict.CRASHED, "the worker was killed by signal 63 (63)")),
    ("a CPU limit seen from inside", ExitFacts(signal=XCPU, names_crashes=True), TIME),
    ("no signal, nothing to name", ExitFacts(names_crashes=True), NONE),
]


@pytest.mark.parametrize(("facts", "expected"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])
def test_facts_give_the_verdict(facts: ExitFacts, expected: tuple[Verdict | None, str]) -> None:
    assert classify(facts, LIMITS) == expected


def test_a_fractional_cpu_limit_reads_as_given() -> None:
    assert classify(ExitFacts(signal=signal.SIGXCPU), Limits(cpu_time=0.5)) == (
        Verdict.TIME_LIMIT, "used more than 0.5 s of CPU time")


@pytest.mark.parametrize(("code", "sig"), [(None, None), (0, None), (1, None), (128, None), (137, 9), (139, 11),
                                           (192, 64), (193, None), (255, None)])
def test_a_signal_in_an_exit_code(code: int | None, sig: int | None) -> None:
    assert signal_in_exit_code(code) == sig


def test_wait_statuses() -> None:
    assert os.waitstatus_to_exitcode(3 << 8) == 3  # the encoding the line below builds on
    assert exit_of(3 << 8) == (3, None)
    assert exit_of(signal.SIGKILL) == (None, signal.SIGKILL)
