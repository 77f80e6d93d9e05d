"""Decode attacks: replies that are costly for the trusted side to read, graded with the real engine.

Each submission in ``submissions/decode/`` forges the worker's replies by hand (``Worker.send``
replaced), so the worker pays nothing for what it sends, and cycles through several variants of
one family (one per worker; a violation stops the worker and the next check starts a fresh one):

| submission           | attack                                                          | verdict    |
|----------------------|-----------------------------------------------------------------|------------|
| colliding_int_keys   | dict keys ``k * (2**61 - 1)`` (100k; 200k; 900 of 4,300 digits) | p.v.       |
| colliding_str_keys   | one str key 100k times, one bytes key 100k times, 16 MiB of keys| p.v./failed|
| colliding_tuple_keys | tuple keys hashing alike, flat, nested, 60 deep                 | p.v.       |
| float_keys           | 0.0/-0.0 repeated, NaN keys, (nan, k) keys, 1.0/1/true repeated | p.v./failed|
| deep_header          | 8M brackets deep, 5,000 x 199 deep, dicts 65 deep, tuples 64    | p.v./failed|
| tiny_items           | 16 MiB of zeros, [], {}, ""                                     | p.v.       |
| big_numbers          | 100,000 digits, 3,900 x 4,300 digits, a 1M-digit float, 1e999999| p.v./failed|
| just_under_caps      | legal replies at every cap                                      | failed     |

For each: the judge does not fail (status ok, never judge_error), no check earns a point, the whole
grading ends within ``BOUND`` seconds, and no worker is left behind. The colliding-keys attack also
goes through ``get_sandbox("auto")``. ``test_decode_past_the_deadline_is_a_time_limit`` shows that
decoding counts against the call's time limit (a fake worker whose reply arrives on time but cannot
be decoded before the deadline).
"""

from __future__ import annotations

import glob
import time
from pathlib import Path

import pytest

from grader.core.assignment import AssignmentSpec, get_assignment
from grader.core.grade import grade_one
from grader.core.remote import SubmissionUnavailable, WorkerSession
from grader.core.values import Grade, Limits, Submission, Verdict, WorkerExit
from grader.sandbox import get_sandbox
from grader.sandbox.base import Sandbox, WorkerProcess, WorkerSpec
from harness.protocol import encode_frame
from tests.attacks.test_attacks import live_children

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DECODE = HERE / "submissions" / "decode"
REFERENCE = REPO / "solutions" / "recommender-svd" / "solution.py"
BOUND = 30.0  # seconds for the whole grading of one attack

F, PV, TL = Verdict.FAILED, Verdict.PROTOCOL_VIOLATION, Verdict.TIME_LIMIT

ATTACKS: dict[str, frozenset[Verdict]] = {
    "colliding_int_keys": frozenset({PV}),
    "colliding_str_keys": frozenset({PV, F}),
    "colliding_tuple_keys": frozenset({PV}),
    "float_keys": frozenset({PV, F}),
    "deep_header": frozenset({PV, F}),
    "tiny_items": frozenset({PV}),
    "big_numbers": frozenset({PV, F}),
    "just_under_caps": frozenset({F}),
}


@pytest.fixture(scope="module")
def assignment() -> AssignmentSpec:
    return get_assignment("recommender-svd", REPO)


def _cleanup_tmp() -> None:
    for path in glob.glob("/tmp/mljudge-attack-decode-*"):
        Path(path).unlink(missing_ok=True)


def timed_grade(assignment: AssignmentSpec, path: Path, backend: str) -> tuple[Grade, float]:
    _cleanup_tmp()
    started = time.monotonic()
    try:
        g = grade_one(
            assignment=assignment, submission=Submission.from_path(path), sandbox=get_sandbox(backend), scope="all"
        )
    finally:
        _cleanup_tmp()
    return g, time.monotonic() - started


def describe(g: Grade, seconds: float) -> str:
    lines = [f"{g.status} {g.verdict.value} {g.score}/{g.max_score} in {seconds:.1f} s"]
    lines += [f"  {c.name}: {c.points_earned} {c.outcome.value} {c.message[:200]!r}" for c in g.checks]
    return "\n".join(lines + [f"  note: {n[:300]}" for n in g.notes])


def assert_bounded(g: Grade, seconds: float, verdicts: frozenset[Verdict]) -> None:
    assert g.status == "ok" and g.verdict is not Verdict.JUDGE_ERROR, describe(g, seconds)
    assert len(g.checks) == 6 and g.score == 0.0, describe(g, seconds)
    assert g.verdict in verdicts, describe(g, seconds)
    assert seconds < BOUND, describe(g, seconds)
    assert live_children() == [], "a worker outlived its grade"


def attack_file(name: str, folder: Path) -> Path:
    """The submission the sandbox sees: the attack's variants, then the forging machinery they share."""
    path = folder / name / "solution.py"
    path.parent.mkdir(parents=True)
    path.write_text((DECODE / f"{name}.py").read_text() + "\n\n" + (DECODE / "_forge.py").read_text())
    return path


@pytest.mark.parametrize("name", list(ATTACKS))
def test_decode_attack_is_bounded(assignment: AssignmentSpec, name: str, tmp_path: Path) -> None:
    g, seconds = timed_grade(assignment, attack_file(name, tmp_path), "process")
    assert_bounded(g, seconds, ATTACKS[name])
    if PV in ATTACKS[name] and F not in ATTACKS[name]:
        assert any(note.startswith("protocol violation") for note in g.notes), describe(g, seconds)


def test_colliding_keys_through_auto(assignment: AssignmentSpec, tmp_path: Path) -> None:
    """The 408 s reply, on the backend a class would be graded with."""
    g, seconds = timed_grade(assignment, attack_file("colliding_int_keys", tmp_path), "auto")
    assert_bounded(g, seconds, frozenset({PV}))
    assert any("share one hash" in c.message for c in g.checks), describe(g, seconds)


def test_grader_unharmed_after_the_attacks(assignment: AssignmentSpec) -> None:
    g, seconds = timed_grade(assignment, REFERENCE, "process")
    assert (g.status, g.verdict, g.score) == ("ok", Verdict.PASSED, 10.0), describe(g, seconds)


def test_decode_corpus_is_complete() -> None:
    assert {p.stem for p in DECODE.glob("*.py") if not p.stem.startswith("_")} == set(ATTACKS)


# --------------------------------------------------------------------------- the decode's deadline


class _FakeWorker(WorkerProcess):
    """A worker that answers at once: isolated, ready, then ``reply`` for every request."""

    def __init__(self, reply: bytes) -> None:
        self._frames = [encode_frame({"kind": "isolated"}, []), encode_frame({"kind": "ready", "missing": []}, [])]
        self._reply = reply

    def send(self, frame: bytes, timeout: float) -> None:
        pass

    def receive(self, timeout: float) -> bytes:
        return self._frames.pop(0) if self._frames else self._reply

    def stop(self) -> WorkerExit:
        return WorkerExit(None, None, None, "", 0.0, 0.0, 0.0, "", False)


class _FakeSandbox(Sandbox):
    name = "fake"

    def __init__(self, reply: bytes) -> None:
        self._reply = reply

    @classmethod
    def available(cls) -> bool:
        return True

    def start(self, spec: WorkerSpec) -> WorkerProcess:
        return _FakeWorker(self._reply)


def _session(reply: bytes, call_time: float) -> WorkerSession:
    limits = Limits(wall_time=60.0, call_time=call_time)
    return WorkerSession(_FakeSandbox(reply), WorkerSpec(REFERENCE, "solution", ("reconstruct",), limits))


def test_decode_past_the_deadline_is_a_time_limit() -> None:
    """A legal reply (99,998 empty tuples: ~0.2 s to parse and decode) that arrives on time but cannot be
    decoded before a 0.05 s limit is the submission's time limit, and the reason says so."""
    head = b'{"kind":"result","seconds":0.0,"value":[' + b",".join([b'{"t":"tuple","v":[]}'] * 99_998) + b"]}"
    reply = len(head).to_bytes(4, "big") + (0).to_bytes(4, "big") + head
    session = _session(reply, call_time=0.05)
    module = session.module()
    started = time.monotonic()
    with pytest.raises(SubmissionUnavailable, match="being decoded"):
        getattr(module, "reconstruct")  # noqa: B009 (the attribute access is the call)
    assert time.monotonic() - started < 1.0
    assert [e.verdict for e in session.events] == [TL], session.events
    assert "the time ran out while its reply was being decoded" in session.events[0].reason


def test_the_same_reply_decodes_within_a_normal_limit() -> None:
    head = b'{"kind":"result","seconds":0.0,"value":[' + b",".join([b'{"t":"tuple","v":[]}'] * 99_998) + b"]}"
    reply = len(head).to_bytes(4, "big") + (0).to_bytes(4, "big") + head
    session = _session(reply, call_time=5.0)
    assert session.module().reconstruct == [()] * 99_998
    assert session.events == []
