"""A decision notice through a real worker SIGKILLed mid-task, then redelivered
to a new one: the author's e-mail goes out at most once.

A notice is recorded (DecisionNotice, unique per decision and kind) and
committed before it is sent, and the redelivered task sends nothing once it
finds the record. So a worker that dies before recording costs nothing (the
new worker records and sends: exactly once); one that dies after the message
reached the mail server leaves one message; but one that dies between
recording and handing the message over loses that e-mail: the record says
"told" and nothing is sent again. The tests below pin all three.

The worker mails a small SMTP server in this process, so the test chooses how
the server answers and sees every message any worker handed it.
"""

import socket
import threading
import time
from contextlib import ExitStack, contextmanager
from datetime import datetime

import psycopg
import pytest
from django.contrib.auth.models import Group
from psycopg import sql

from comments.models import Comment
from config.celery import app
from moderation.models import DecisionNotice
from moderation.services import moderator_decide
from moderation.tasks import send_decision_notice
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory, UserFactory
from tests.integration.conftest import Worker, wait_for, worker_database_url
from tests.integration.test_moderation_reliability import (
    queued,
    round_trip,
    unacknowledged,
    waiting_on,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SEND = send_decision_notice.name
# Redis gives an unacknowledged task back after this long (seconds).
VISIBILITY_TIMEOUT = 5
SHORT = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}


class MailServer:
    """SMTP on 127.0.0.1 that answers as told, per connection: `answer` takes
    and confirms messages; `silent` accepts and never greets; `swallow` takes a
    whole message and never confirms it. Every message taken is kept."""

    def __init__(self) -> None:
        self.mode = "answer"
        self.connections = 0
        self.received: list[str] = []
        self._stop = threading.Event()
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.url = f"smtp://127.0.0.1:{self._socket.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._stop.set()
        self._socket.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            mode = self.mode
            threading.Thread(target=self._serve, args=(conn, mode), daemon=True).start()

    def _hang(self, conn: socket.socket) -> None:
        """Say nothing until the client goes away (its process killed)."""
        conn.settimeout(0.2)
        while not self._stop.is_set():
            try:
                if not conn.recv(4096):
                    return
            except TimeoutError:
                continue
            except OSError:
                return

    def _serve(self, conn: socket.socket, mode: str) -> None:
        with conn:
            if mode == "silent":
                return self._hang(conn)
            conn.sendall(b"220 localhost ready\r\n")
            lines: list[str] | None = None  # inside DATA: the message so far
            for raw in conn.makefile("rb"):
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if lines is not None:
                    if line != ".":
                        lines.append(line[1:] if line.startswith("..") else line)
                        continue
                    self.received.append("\n".join(lines))
                    lines = None
                    if mode == "swallow":
                        return self._hang(conn)
                    conn.sendall(b"250 queued\r\n")
                    continue
                verb = line[:4].upper()
                if verb == "DATA":
                    lines = []
                    conn.sendall(b"354 go ahead\r\n")
                elif verb == "QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return None
                else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                    conn.sendall(b"250 localhost\r\n")
        return None


@pytest.fixture
def mail_server():
    server = MailServer()
    yield server
    server.close()


@pytest.fixture
def rejected(settings):
    """A comment whose author wants decision e-mails, rejected by a moderator;
    the notice task is queued at once (no undo window) for the next worker."""
    settings.MODERATION_UNDO_SECONDS = 0
    author = UserFactory(username="told", email="told@example.org")
    comment = add_comment(
        ArticleFactory(title="Chips and the state"),
        author,
        status="held",
        body="Held words.",
    )
    moderate = UserFactory(
        username="mod-told", groups=[Group.objects.get(name="Moderators")]
    )

    def reject() -> Comment:
        moderator_decide(
            comment=comment, moderator=moderate, action="reject", reason="Off topic."
        )
        return comment

    return reject


@contextmanager
def notice_being_written(comment: Comment):
    """Write the notice's own row from another connection and keep it
    uncommitted: a worker writing the same notice waits on the unique index,
    before anything of its own is recorded. (Locking the comment's row would
    not do: foreign keys are checked at COMMIT, so the worker would wait with
    its COMMIT already sent, and the record would land after its death.)"""
    comment.refresh_from_db()
    decided_at = datetime.fromisoformat(comment.decision["decided_at"])
    table = sql.Identifier(DecisionNotice._meta.db_table)
    query = sql.SQL(
        "INSERT INTO {} (comment_id, decided_at, kind, sent_at) "
        "VALUES (%s, %s, %s, now())"
    ).format(table)
    with psycopg.connect(worker_database_url()) as conn:
        conn.execute(query, [comment.pk, decided_at, DecisionNotice.Kind.DECISION])
        try:
            yield conn.info.backend_pid
        finally:
            conn.rollback()


def notices(comment: Comment) -> int:
    return DecisionNotice.objects.filter(comment=comment).count()


def in_flight() -> list[tuple[str, list]]:
    return [(task, args) for task, args, _ in unacknowledged()]


def redeliver_to_a_new_worker(spawn_worker, tmp_path, mail_server) -> Worker:
    """Wait out the visibility timeout, start a worker, let it run what comes
    back; return it once the broker holds nothing more."""
    wait_for(
        lambda: all(
            time.time() - delivered > VISIBILITY_TIMEOUT + 0.5
            for *_, delivered in unacknowledged()
        ),
        timeout=VISIBILITY_TIMEOUT + 5,
    )
    mail_server.mode = "answer"
    worker = spawn_worker(mail_dir=tmp_path, EMAIL_URL=mail_server.url, **SHORT)
    wait_for(lambda: worker.runs_of(SEND) >= 1, timeout=40)
    wait_for(lambda: not unacknowledged() and not queued())
    round_trip(f"after-{worker.name}")
    return worker


def test_a_notice_whose_worker_died_before_recording_it_is_sent_exactly_once(
    celery_worker, spawn_worker, tmp_path, mail_server, rejected
):
    with celery_worker.paused():
        app.control.purge()
        doomed = spawn_worker(mail_dir=tmp_path, EMAIL_URL=mail_server.url, **SHORT)
        with ExitStack() as stack:
            with doomed.paused():
                comment = rejected()
                holder = stack.enter_context(notice_being_written(comment))
            # The worker waits to write the notice's record: kill it right there.
            wait_for(lambda: waiting_on(holder))
            doomed.kill()
        assert (SEND, [comment.pk, "decision"]) in in_flight()
        assert notices(comment) == 0

        worker = redeliver_to_a_new_worker(spawn_worker, tmp_path, mail_server)

    assert worker.runs_of(SEND) == 1
    assert notices(comment) == 1
    (message,) = mail_server.received
    assert "To: told@example.org" in message
    assert "was not published" in message


def test_a_worker_killed_while_the_server_takes_the_message_sends_it_once(
    celery_worker, spawn_worker, tmp_path, mail_server, rejected
):
    mail_server.mode = "swallow"
    with celery_worker.paused():
        app.control.purge()
        # Started first: a solo worker busy with the task answers no ping.
        doomed = spawn_worker(mail_dir=tmp_path, EMAIL_URL=mail_server.url, **SHORT)
        comment = rejected()
        # The server has the whole message and has not said so: kill the sender.
        wait_for(lambda: mail_server.received)
        doomed.kill()
        assert (SEND, [comment.pk, "decision"]) in in_flight()
        assert notices(comment) == 1

        worker = redeliver_to_a_new_worker(spawn_worker, tmp_path, mail_server)

    assert worker.runs_of(SEND) == 1  # the task came back and ran again
    assert notices(comment) == 1
    (message,) = mail_server.received
    assert "To: told@example.org" in message


def test_a_worker_killed_between_recording_and_sending_loses_that_notice(
    celery_worker, spawn_worker, tmp_path, mail_server, rejected
):
    """At most once, not exactly once: the record is kept before the send, so a
    death between the two leaves the author untold, and redelivery sends none."""
    mail_server.mode = "silent"
    with celery_worker.paused():
        app.control.purge()
        # Started first: a solo worker busy with the task answers no ping.
        doomed = spawn_worker(mail_dir=tmp_path, EMAIL_URL=mail_server.url, **SHORT)
        comment = rejected()
        # Recorded, and connected to a server that never greets it: kill it.
        wait_for(lambda: mail_server.connections)
        doomed.kill()
        assert (SEND, [comment.pk, "decision"]) in in_flight()
        assert notices(comment) == 1

        worker = redeliver_to_a_new_worker(spawn_worker, tmp_path, mail_server)

    assert worker.runs_of(SEND) == 1
    assert notices(comment) == 1
    assert mail_server.received == []
    assert mail_server.connections == 1  # the new worker did not even try
