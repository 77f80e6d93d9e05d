"""Who may sign in to the course server: the roster, instructors, invitations, passwords, API tokens.

- A roster CSV (``student_id,name,email``) makes a ``students`` row and a student account per line;
  importing it again updates names and e-mails, never duplicates.
- An invitation is a one-time secret (``secrets.token_urlsafe``); only its sha256 is stored, it
  expires after 14 days, a new one replaces the old, and accepting it (setting a password) clears it.
- Passwords are hashed with argon2id; personal API tokens are shown once and stored as sha256.
- Sign-in is rate limited from ``signin_failures``: 20 wrong passwords for one account within 15
  minutes lock it for 15 minutes (even the right password is refused meanwhile), and one address
  may fail at most 100 times within 15 minutes.

Secrets (tokens, passwords) are never logged and never part of an error message.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import secrets
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader.course.inbox import InboxError, check_student_id
from grader.course.schema import Account, SigninFailure, Student

INVITATION_DAYS = 14
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
WINDOW = dt.timedelta(minutes=15)
LOCK = dt.timedelta(minutes=15)
ACCOUNT_FAILURES = 20
ADDRESS_FAILURES = 100
TOKEN_PREFIX = "mlj_"
MAX_ROSTER_LINES = 20_000

_hasher = PasswordHasher()
_dummy_hash: list[str] = []  # a hash to verify against when the login is unknown (same time either way)


class AccountError(Exception):
    """Something about accounts that cannot be done; the message is for the person who asked."""


class RosterError(AccountError):
    pass


class InvitationError(AccountError):
    pass


class SignInError(AccountError):
    def __init__(self, message: str, until: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.until = until


@dataclass(frozen=True)
class Person:
    """An account as the server's pages see it (never its hashes)."""

    id: int
    login: str
    role: str  # "student" | "instructor"
    display_name: str
    email: str
    student: str | None  # the student id of a student account
    active: bool  # has a password
    invited: bool  # holds an invitation that has not expired
    #: changes whenever the password does: a session made before a new password stops working
    session_check: str = field(default="", repr=False, compare=False)

    @property
    def is_instructor(self) -> bool:
        return self.role == "instructor"


@dataclass(frozen=True)
class RosterEntry:
    login: str
    name: str
    email: str
    created: bool
    invitation: str | None  # the new invitation secret (accounts without a password), shown once


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def invitation_path(token: str) -> str:
    return f"/invite/{token}"


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _person(session: Session, account: Account, now: dt.datetime | None = None) -> Person:
    student = session.get(Student, account.student_id) if account.student_id is not None else None
    expires = _aware(account.invite_expires)
    return Person(
        id=account.id, login=account.login, role=account.role, display_name=account.display_name,
        email=account.email, student=student.name if student is not None else None,
        active=account.password_hash is not None,
        invited=account.invite_hash is not None and expires is not None and expires > (now or now_utc()),
        session_check=digest(account.password_hash)[:16] if account.password_hash else "",
    )


def people(engine: Engine) -> list[Person]:
    """Every account, instructors first, then by login."""
    with Session(engine) as session:
        rows = session.scalars(select(Account).order_by(Account.role.desc(), Account.login))
        return [_person(session, a) for a in rows]


def person(engine: Engine, account_id: int) -> Person | None:
    with Session(engine) as session:
        account = session.get(Account, account_id)
        return _person(session, account) if account is not None else None


# -- the roster -----------------------------------------------------------------------------------

def read_roster(text: str) -> list[tuple[str, str, str]]:
    """(student id, name, e-mail) of each line of a roster CSV; an error names the line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    missing = [h for h in ("student_id", "name") if h not in header]
    if missing:
        raise RosterError("the roster's header needs the columns student_id,name,email "
                          f"(missing: {', '.join(missing)})")
    reader.fieldnames = header
    lines: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROSTER_LINES:
            raise RosterError(f"the roster has more than {MAX_ROSTER_LINES} lines")
        sid = (row.get("student_id") or "").strip()
        if not sid and not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # a blank line
        try:
            check_student_id(sid)
        except InboxError as exc:
            raise RosterError(f"roster line {number}: {exc}") from None
        if sid in seen:
            raise RosterError(f"roster line {number}: student id {sid!r} appears twice")
        seen.add(sid)
        lines.append((sid, (row.get("name") or "").strip()[:256], (row.get("email") or "").strip()[:256]))
    return lines


def import_roster(engine: Engine, text: str, *, invite: bool = True,
                  now: dt.datetime | None = None) -> list[RosterEntry]:
    """Create or update a student and a student account for each line of the roster CSV ``text``.
    With ``invite``, every account without a password gets a new invitation (replacing an older one)."""
    lines = read_roster(text)
    moment = now or now_utc()
    entries = []
    with Session(engine) as session:
        for sid, name, email in lines:
            student = session.scalars(select(Student).filter_by(name=sid)).first()
            if student is None:
                student = Student(name=sid)
                session.add(student)
                session.flush()
            account = session.scalars(select(Account).filter_by(login=sid)).first()
            created = account is None
            if account is None:
                account = Account(login=sid, role="student", created_at=moment)
                session.add(account)
            elif account.role != "student":
                raise RosterError(f"{sid!r} is an instructor's login, not a student's")
            account.display_name, account.email, account.student_id = name, email, student.id
            token = _set_invitation(account, moment) if invite and account.password_hash is None else None
            entries.append(RosterEntry(sid, name, email, created, token))
        session.commit()
    return entries


# -- instructors, invitations, passwords ----------------------------------------------------------

def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password may have at most {MAX_PASSWORD} characters")


def add_instructor(engine: Engine, login: str, password: str, *, display_name: str = "") -> Person:
    """Create the instructor ``login`` (or set the password of an existing one)."""
    try:
        check_student_id(login)
    except InboxError:
        raise AccountError(f"invalid login {login!r}: use letters, digits and . _ @ + -") from None
    check_password(password)
    with Session(engine) as session:
        account = session.scalars(select(Account).filter_by(login=login)).first()
        if account is None:
            account = Account(login=login, role="instructor", created_at=now_utc(), display_name=display_name or login)
            session.add(account)
        elif account.role != "instructor":
            raise AccountError(f"{login!r} is a student's login")
        account.password_hash = _hasher.hash(password)
        account.locked_until = None
        session.commit()
        return _person(session, account)


def _set_invitation(account: Account, moment: dt.datetime) -> str:
    token = secrets.token_urlsafe(32)
    account.invite_hash = digest(token)
    account.invite_expires = moment + dt.timedelta(days=INVITATION_DAYS)
    return token


def new_invitation(engine: Engine, login: str, *, now: dt.datetime | None = None) -> str:
    """A new one-time invitation secret for ``login`` (an older one stops working)."""
    with Session(engine) as session:
        account = session.scalars(select(Account).filter_by(login=login)).first()
        if account is None:
            raise AccountError(f"no account {login!r}")
        token = _set_invitation(account, now or now_utc())
        session.commit()
        return token


def invitation_holder(engine: Engine, token: str, *, now: dt.datetime | None = None) -> Person:
    """The account a valid invitation belongs to (else :class:`InvitationError`)."""
    with Session(engine) as session:
        return _person(session, _invited(session, token, now or now_utc()))


def _invited(session: Session, token: str, moment: dt.datetime) -> Account:
    account = session.scalars(select(Account).filter_by(invite_hash=digest(token))).first() if token else None
    if account is None:
        raise InvitationError("this invitation link is not valid: it was used already or replaced by a newer one; "
                              "ask your instructor for a new one")
    expires = _aware(account.invite_expires)
    if expires is None or expires <= moment:
        raise InvitationError("this invitation link has expired: ask your instructor for a new one")
    return account


def accept_invitation(engine: Engine, token: str, password: str, *, now: dt.datetime | None = None) -> Person:
    """Set the password of the account ``token`` invites; the invitation is used up."""
    check_password(password)
    moment = now or now_utc()
    with Session(engine) as session:
        account = _invited(session, token, moment)
        account.password_hash = _hasher.hash(password)
        account.invite_hash, account.invite_expires, account.locked_until = None, None, None
        session.commit()
        return _person(session, account, moment)


# -- API tokens -----------------------------------------------------------------------------------

def issue_token(engine: Engine, account_id: int) -> str:
    """A new personal API token for the account (an older one stops working); shown once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with Session(engine) as session:
        account = session.get(Account, account_id)
        if account is None:
            raise AccountError("no such account")
        account.token_hash = digest(token)
        session.commit()
    return token


def account_for_token(engine: Engine, token: str) -> Person | None:
    """The account whose API token is ``token`` (None for an unknown or empty one)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    with Session(engine) as session:
        found = session.execute(select(Account, Student).join(Student, Account.student_id == Student.id, isouter=True)
                                .where(Account.token_hash == digest(token))).first()
        return _person(session, found[0]) if found is not None else None  # its Student is loaded: no query


# -- signing in -----------------------------------------------------------------------------------

def _failures(session: Session, value: str, since: dt.datetime, *, by_address: bool = False) -> int:
    column = SigninFailure.address if by_address else SigninFailure.login
    return int(session.scalar(select(func.count()).select_from(SigninFailure)
                              .where(column == value, SigninFailure.at > since)) or 0)


def _shown(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%H:%M:%S UTC")


def _verify(stored: str | None, password: str) -> bool:
    if stored is None:
        if not _dummy_hash:
            _dummy_hash.append(_hasher.hash(secrets.token_hex(16)))
        stored = _dummy_hash[0]
        password = "\0" + password  # never matches
    try:
        return bool(_hasher.verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def sign_in(engine: Engine, login: str, password: str, address: str, *, now: dt.datetime | None = None) -> Person:
    """The account ``login`` if ``password`` is its password; else :class:`SignInError` saying why."""
    moment = now or now_utc()
    address = address[:64]
    login = login.strip()[:128]
    with Session(engine) as session:
        if _failures(session, address, moment - WINDOW, by_address=True) >= ADDRESS_FAILURES:
            raise SignInError(f"too many failed sign-ins from your address: try again after "
                              f"{_shown(moment + WINDOW)}", moment + WINDOW)
        account = session.scalars(select(Account).filter_by(login=login)).first() if login else None
        locked = _aware(account.locked_until) if account is not None else None
        if account is None and _failures(session, login, moment - WINDOW) >= ACCOUNT_FAILURES:
            locked = moment + LOCK  # an unknown login answers as a locked account would (no enumeration)
        if locked is not None and locked > moment:
            raise SignInError(f"this account is locked after too many wrong passwords: try again after "
                              f"{_shown(locked)}", locked)
        if account is not None and len(password) <= MAX_PASSWORD and _verify(account.password_hash, password):
            if _hasher.check_needs_rehash(account.password_hash or ""):
                account.password_hash = _hasher.hash(password)
            session.execute(delete(SigninFailure).where(SigninFailure.login == login))
            session.commit()
            return _person(session, account, moment)
        if account is None:
            _verify(None, password)
        session.add(SigninFailure(login=login, address=address, at=moment))
        session.execute(delete(SigninFailure).where(SigninFailure.at < moment - 4 * WINDOW))
        since = max(moment - WINDOW, locked or moment - WINDOW)
        if _failures(session, login, since) >= ACCOUNT_FAILURES:
            if account is not None:
                account.locked_until = moment + LOCK
            try:
                session.commit()
            except IntegrityError:  # pragma: no cover - a concurrent change; the lock is best effort
                session.rollback()
            raise SignInError(f"too many wrong passwords: this account is locked until {_shown(moment + LOCK)}",
                              moment + LOCK)
        session.commit()
    raise SignInError("wrong login or password")
