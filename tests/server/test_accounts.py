"""Accounts: roster import, invitations, passwords, API tokens, sign-in rate limits."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grader.course.gradebook import Gradebook
from grader.course.schema import Account, SigninFailure, Student
from grader.server import accounts
from grader.server.accounts import AccountError, InvitationError, RosterError, SignInError

from .conftest import PASSWORD

ROSTER = "student_id,name,email\nalice,Alice A,alice@example.org\nbob,Bob B,bob@example.org\n"


def _counts(gradebook: Gradebook) -> tuple[int, int]:
    with Session(gradebook.engine) as session:
        return (int(session.scalar(select(func.count()).select_from(Student)) or 0),
                int(session.scalar(select(func.count()).select_from(Account)) or 0))


def test_roster_import_is_idempotent(gradebook: Gradebook) -> None:
    first = accounts.import_roster(gradebook.engine, ROSTER)
    assert [(e.login, e.created) for e in first] == [("alice", True), ("bob", True)]
    assert all(e.invitation for e in first)
    again = accounts.import_roster(gradebook.engine, ROSTER.replace("Alice A", "Alice Z") + "carol,Carol C,\n")
    assert [(e.login, e.created) for e in again] == [("alice", False), ("bob", False), ("carol", True)]
    assert _counts(gradebook) == (3, 3)
    by_login = {p.login: p for p in accounts.people(gradebook.engine)}
    assert by_login["alice"].display_name == "Alice Z" and by_login["alice"].student == "alice"
    # the re-import replaced alice's invitation: the first link no longer works, the new one does
    with pytest.raises(InvitationError):
        accounts.accept_invitation(gradebook.engine, first[0].invitation or "", PASSWORD)
    accounts.accept_invitation(gradebook.engine, again[0].invitation or "", PASSWORD)
    # an active account gets no invitation when the roster is imported again
    third = accounts.import_roster(gradebook.engine, ROSTER)
    assert third[0].invitation is None and third[1].invitation is not None
    assert _counts(gradebook) == (3, 3)


@pytest.mark.parametrize("text, said", [
    ("name,email\nalice,a@x\n", "student_id"),
    ("student_id,name,email\n../etc,Eve,\n", "line 2"),
    ("student_id,name,email\nalice,A,\nalice,B,\n", "appears twice"),
])
def test_roster_errors_name_the_problem(gradebook: Gradebook, text: str, said: str) -> None:
    with pytest.raises(RosterError, match=said):
        accounts.import_roster(gradebook.engine, text)
    assert _counts(gradebook) == (0, 0)


def test_invitation_is_one_time(gradebook: Gradebook) -> None:
    token = accounts.import_roster(gradebook.engine, ROSTER)[0].invitation or ""
    with Session(gradebook.engine) as session:
        stored = session.scalars(select(Account.invite_hash).filter_by(login="alice")).one()
    assert stored == accounts.digest(token) and token not in str(stored)  # only the sha256 is kept
    with pytest.raises(AccountError, match="at least 10"):
        accounts.accept_invitation(gradebook.engine, token, "short")
    person = accounts.accept_invitation(gradebook.engine, token, PASSWORD)
    assert person.active and not person.invited
    with pytest.raises(InvitationError, match="used already"):
        accounts.accept_invitation(gradebook.engine, token, "another password")
    assert accounts.sign_in(gradebook.engine, "alice", PASSWORD, "10.0.0.1").login == "alice"


def test_invitation_expires_and_is_replaced(gradebook: Gradebook) -> None:
    accounts.import_roster(gradebook.engine, ROSTER, invite=False)
    old = accounts.new_invitation(gradebook.engine, "bob", now=dt.datetime.now(dt.UTC) - dt.timedelta(days=15))
    with pytest.raises(InvitationError, match="expired"):
        accounts.accept_invitation(gradebook.engine, old, PASSWORD)
    first = accounts.new_invitation(gradebook.engine, "bob")
    second = accounts.new_invitation(gradebook.engine, "bob")
    with pytest.raises(InvitationError):
        accounts.accept_invitation(gradebook.engine, first, PASSWORD)
    accounts.accept_invitation(gradebook.engine, second, PASSWORD)


def test_tokens_are_stored_hashed_and_replaced(gradebook: Gradebook) -> None:
    person = accounts.add_instructor(gradebook.engine, "prof", PASSWORD)
    first = accounts.issue_token(gradebook.engine, person.id)
    assert accounts.account_for_token(gradebook.engine, first) == person
    second = accounts.issue_token(gradebook.engine, person.id)
    assert accounts.account_for_token(gradebook.engine, first) is None
    assert accounts.account_for_token(gradebook.engine, second) == person
    assert accounts.account_for_token(gradebook.engine, "") is None
    with Session(gradebook.engine) as session:
        assert session.scalars(select(Account.token_hash)).one() == accounts.digest(second)


def test_twenty_wrong_passwords_lock_the_account(gradebook: Gradebook) -> None:
    accounts.add_instructor(gradebook.engine, "prof", PASSWORD)
    start = dt.datetime.now(dt.UTC)
    for attempt in range(19):
        with pytest.raises(SignInError, match="wrong login or password"):
            accounts.sign_in(gradebook.engine, "prof", f"wrong {attempt}", "10.0.0.2", now=start)
    with pytest.raises(SignInError, match="locked until") as locked:
        accounts.sign_in(gradebook.engine, "prof", "wrong again", "10.0.0.2", now=start)
    assert locked.value.until is not None
    later = start + dt.timedelta(minutes=14)
    with pytest.raises(SignInError, match="locked after too many wrong passwords"):
        accounts.sign_in(gradebook.engine, "prof", PASSWORD, "10.0.0.3", now=later)  # even the right one
    after = start + dt.timedelta(minutes=15, seconds=1)
    assert accounts.sign_in(gradebook.engine, "prof", PASSWORD, "10.0.0.3", now=after).login == "prof"
    with Session(gradebook.engine) as session:  # success clears the account's failures
        assert not session.scalars(select(SigninFailure).filter_by(login="prof")).all()


def test_one_address_may_fail_a_hundred_times(gradebook: Gradebook) -> None:
    accounts.add_instructor(gradebook.engine, "prof", PASSWORD)
    moment = dt.datetime.now(dt.UTC)
    with Session(gradebook.engine) as session:  # 100 failures on many logins from one address
        session.add_all([SigninFailure(login=f"guess{i}", address="10.9.9.9", at=moment) for i in range(100)])
        session.commit()
    with pytest.raises(SignInError, match="from your address"):
        accounts.sign_in(gradebook.engine, "prof", PASSWORD, "10.9.9.9", now=moment)
    assert accounts.sign_in(gradebook.engine, "prof", PASSWORD, "10.1.1.1", now=moment).login == "prof"
    later = moment + dt.timedelta(minutes=16)
    assert accounts.sign_in(gradebook.engine, "prof", PASSWORD, "10.9.9.9", now=later).login == "prof"


def test_an_unknown_login_answers_as_a_known_one(gradebook: Gradebook) -> None:
    start = dt.datetime.now(dt.UTC)
    said = []
    for attempt in range(21):
        with pytest.raises(SignInError) as refused:
            accounts.sign_in(gradebook.engine, "nobody", f"wrong {attempt}", "10.0.0.5", now=start)
        said.append(str(refused.value).split(":")[0])
    assert said[:19] == ["wrong login or password"] * 19
    assert said[19] == "too many wrong passwords"
    assert said[20] == "this account is locked after too many wrong passwords"


def test_unknown_login_and_student_login_for_instructor(gradebook: Gradebook) -> None:
    accounts.import_roster(gradebook.engine, ROSTER)
    with pytest.raises(SignInError, match="wrong login or password"):
        accounts.sign_in(gradebook.engine, "nobody", PASSWORD, "10.0.0.4")
    with pytest.raises(SignInError, match="wrong login or password"):  # invited, no password yet
        accounts.sign_in(gradebook.engine, "alice", PASSWORD, "10.0.0.4")
    with pytest.raises(AccountError, match="student"):
        accounts.add_instructor(gradebook.engine, "alice", PASSWORD)
