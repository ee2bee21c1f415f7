"""The sweep's faster message paths say exactly what the one-by-one paths said.

- ``ReminderEmail`` (a text and its HTML written as bytes without the ``email`` objects, plain subjects past
  Django's ``Header.encode()``; otherwise short headers written directly, the boundary chosen without a regular
  expression, the multipart header folded once, a text's lines written in one piece, text parts copied from a
  prototype) gives the same bytes on the wire as Django's ``EmailMultiAlternatives``, through its SMTP backend
  too, and answers anything else asked of the message as Django's does;
- digests and reports loaded for a whole batch (``prefetch_contexts``) render to the same text and HTML as
  the ones loaded recipient by recipient.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import string
from email.policy import Compat32
from typing import Any

import pytest
import time_machine
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.utils import timezone

from deadlines.models import Deadline, Reminder
from deadlines.reminders import messages, mime
from patents.models import TeamMembership
from tests.factories import ClientFactory, DeadlineFactory, MatterFactory, TeamMembershipFactory, UserFactory

from .conftest import at

LONG_LINE = "x" * 1200  # over the 998-character SMTP limit: Django switches that part to quoted-printable

CASES = [
    # (subject, text, html, extra headers)
    ("Due in 7 days: [ACME-001] Reply (02 Mar 2026)", "Plain text\nsecond line\n", "<p>html</p>", {}),
    ("OVERDUE 3 days: [ACME-001] Pay the renewal fee – year 5 (was due 02 Mar 2026)", "é – ü\n", "<p>é</p>", {}),
    ("A subject long enough to be folded by the header algorithm, with words and more words to spare", "t", "h", {}),
    ("Two  spaces and a trailing one ", "t", "h", {"X-Odd": "  padded  "}),
    ("Encoded =?utf-8?q?word?= lookalike", LONG_LINE, f"<p>{LONG_LINE}</p>", {"X-Tab": "a\tb"}),
    ("Docket digest Wed 03 Jun: 1 overdue, 1 due this week, 0 unverified", "--=====\n", "<b>--</b>", {}),
    # Line endings of every kind, blank lines, no final newline: the generator writes a text's lines in one piece.
    ("Line endings", "a\r\nb\rc\n\n\nd", "<p>\r\n</p>\r", {}),
    ("Empty text", "", "<p>only html</p>\n", {}),
    # Text parts copied from a prototype: ASCII (7bit) and not (8bit); lines at and over the 998-byte limit in
    # characters of several bytes; a line separator only str.splitlines knows (Django's check splits there).
    ("ASCII only", "abc\n", "<p>abc</p>", {}),
    ("At the limit", "é" * 499 + "\nnext", "<p>" + "a" * 995 + "</p>", {}),
    ("Unicode separator", "a\u2028" + "b" * 997, "<p>\u2028</p>", {}),
]


def _email(
    cls: type[EmailMultiAlternatives],
    subject: str,
    text: str,
    html: str,
    extra: dict[str, str],
    *,
    from_email: str = "docketapp <docket@firm.test>",
    to: str = "paula@firm.test",
) -> EmailMultiAlternatives:
    message = cls(
        subject=subject,
        body=text,
        from_email=from_email,
        to=[to],
        headers={
            "Message-ID": "<docket.r1.u2.email@firm.test>",
            "Auto-Submitted": "auto-generated",
            "X-Docketapp-Delivery": "12345",
            **extra,
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _bytes(cls: type[EmailMultiAlternatives], *args: Any, **kwargs: Any) -> bytes:
    message = _email(cls, *args, **kwargs)
    wire = []
    for linesep in ("\r\n", "\n"):  # SMTP's, and the default
        random.seed(20261204)  # the boundary is random: the same draw for both
        wire.append(message.message().as_bytes(linesep=linesep))
    return b"\0".join(wire)


@pytest.mark.parametrize(("subject", "text", "html", "extra"), CASES)
def test_reminder_email_bytes_equal_djangos(subject, text, html, extra):
    with time_machine.travel(dt.datetime(2026, 6, 3, 7, 0, tzinfo=dt.UTC), tick=False):  # the Date header
        ours = _bytes(messages.ReminderEmail, subject, text, html, extra)
        django = _bytes(EmailMultiAlternatives, subject, text, html, extra)
    assert ours == django


# Subjects and addresses that take the header algorithms' other paths: RFC 2047 encoded words (non-ASCII
# subjects, display names, an internationalised domain), subjects folded by Header.encode() (over 78
# characters, email.header.MAXLINELEN) and by the generator (over 78 with the name), a tab, an empty subject.
LONG_SUBJECT = "Due in 7 days: [ACME-001] Reply to the communication under Art. 94(3) EPC (02 Mar 2026)"
HEADER_CASES = [
    ("Fällig in 7 Tagen: [ACME-001] Erwiderung (02 Mär 2026)", "docketapp <docket@firm.test>", "paula@firm.test"),
    (
        "OVERDUE 12 days: [ACME-001] Réponse à la notification – délai de réponse prolongé, troisième rappel "
        "(was due 02 Mar 2026)",
        "Kanzlei Müller & Partner <docket@firm.test>",
        "Jürgen Müller <juergen@firm.test>",
    ),
    ("x" * 76, "docketapp <docket@firm.test>", '"Doe, Jane" <jane@firm.test>'),
    ("y" * 77, "docket@firm.test", "paula@fïrm.test"),
    ("z" * 78, "docket@firm.test", "paula@firm.test"),
    ("w" * 79, "docket@firm.test", "paula@firm.test"),
    (LONG_SUBJECT[:78], "d@firm.test", "p@firm.test"),  # the longest Header.encode() keeps on one line
    (LONG_SUBJECT[:79], "d@firm.test", "p@firm.test"),
    ("Due in 7 days: [ACME-001] " + "word " * 30 + "(02 Mar 2026)", "docketapp <docket@firm.test>", "p@firm.test"),
    ("Tab\there", "docketapp <docket@firm.test>", "paula@firm.test"),
    ("", "docketapp <docket@firm.test>", "paula@firm.test"),
    ("日本語の件名: [JP-2026-001] 拒絶理由通知への応答期限 (2026年3月2日)", "docket@firm.test", "田中 <t@firm.test>"),
]


@pytest.mark.parametrize(("subject", "from_email", "to"), HEADER_CASES)
def test_reminder_email_headers_bytes_equal_djangos(subject, from_email, to):
    args = (subject, "Text é\n", "<p>html</p>\n", {})
    with time_machine.travel(dt.datetime(2026, 6, 3, 7, 0, tzinfo=dt.UTC), tick=False):
        ours = _bytes(messages.ReminderEmail, *args, from_email=from_email, to=to)
        django = _bytes(EmailMultiAlternatives, *args, from_email=from_email, to=to)
    assert ours == django


def test_reminder_subjects_of_every_length_bytes_equal_djangos():
    """Plain one-line subjects skip Django's Header.encode(): around the lengths where it and the generator
    start folding, with punctuation, the bytes stay Django's."""
    draw = random.Random(18)
    alphabet = string.ascii_letters + string.digits + "[]()-–:;,.'\"/!?&=_@ "
    for length in range(60, 100):
        subject = "".join(draw.choice(alphabet) for _ in range(length))
        with time_machine.travel(dt.datetime(2026, 6, 3, 7, 0, tzinfo=dt.UTC), tick=False):
            ours = _bytes(messages.ReminderEmail, subject, "t", "h", {})
            django = _bytes(EmailMultiAlternatives, subject, "t", "h", {})
        assert ours == django, subject


@pytest.mark.parametrize("date_format", ["D j M Y", "Y-m-d", "d.m.Y", "m/d/Y"])
def test_subjects_in_every_date_format_bytes_equal_djangos(date_format):
    """The subjects as the claim writes them for each recipient's date format (slashes, dots, a weekday), with
    plain and non-ASCII titles and titles long enough to fold around the date: Django's bytes."""
    from patents.models import Matter

    day = dt.date(2026, 3, 2)
    titles = ["Reply", "Pay the renewal fee – year 5 (Jahresgebühr)", "Reply to the communication " + "w" * 40]
    titles += ["Respond to the examination report under Article 94(3) EPC" + "x" * n for n in range(0, 24, 3)]
    subjects = [
        messages.report_subject(Reminder(kind=Reminder.Kind.REPORT, target_date=day), date_format),
        messages.digest_subject(
            Reminder(kind=Reminder.Kind.DIGEST, target_date=day),
            {"overdue_count": 12, "week_count": 3, "unverified_count": 140},
            date_format,
        ),
    ]
    for kind, title in itertools.product(Reminder.Kind, titles):
        if kind in (Reminder.Kind.DIGEST, Reminder.Kind.REPORT):
            continue
        deadline = Deadline(title=title, matter=Matter(reference="ACME-EP-0001"))
        reminder = Reminder(kind=kind, target_date=day, deadline=deadline)
        subjects.append(messages.deadline_subject(reminder, today=day - dt.timedelta(days=7), date_format=date_format))
    for subject in subjects:
        with time_machine.travel(dt.datetime(2026, 6, 3, 7, 0, tzinfo=dt.UTC), tick=False):
            ours = _bytes(messages.ReminderEmail, subject, "t", "h", {})
            django = _bytes(EmailMultiAlternatives, subject, "t", "h", {})
        assert ours == django, subject


def test_plain_headers_fold_as_compat32_does():
    """The folding of plain one-line values (``mime._fold_plain``) against the ``email`` package's own: words
    of every length (some longer than a line), ";" and "," where the algorithm prefers to cut, header names
    of several lengths, both line separators."""
    draw = random.Random(1204)
    alphabet = string.ascii_letters + string.digits + "[]()-:;,.'\"/!?&=_@"
    compared = 0
    for _ in range(3000):
        words = []
        for _ in range(draw.randint(1, 25)):
            length = draw.choice([1, 3, 12, 40, 70, 90]) if draw.random() < 0.2 else draw.randint(1, 12)
            words.append("".join(draw.choice(alphabet) for _ in range(length)) + draw.choice(["", "", ";", ","]))
        value = " ".join(words)
        if not mime._plain_line(value):
            continue
        name = draw.choice(["Subject", "To", "X-Docketapp-Delivery", "A"])
        for linesep in ("\r\n", "\n"):
            expected = Compat32().clone(linesep=linesep).fold_binary(name, value)
            assert mime._policy(linesep).fold_binary(name, value) == expected, (name, value)
            compared += 1
    assert compared > 5000


def test_reminder_email_is_written_without_email_objects_and_still_answers_as_one():
    """The common case is the byte-level path; asked anything else, it answers as Django's message does."""
    with time_machine.travel(dt.datetime(2026, 6, 3, 7, 0, tzinfo=dt.UTC), tick=False):
        random.seed(3)
        ours = _email(messages.ReminderEmail, "Fällig: [A-1] Antwort", "Text\n", "<p>é</p>", {}).message()
        django = _email(EmailMultiAlternatives, "Fällig: [A-1] Antwort", "Text\n", "<p>é</p>", {}).message()
    assert isinstance(ours, mime._WireMessage)
    assert ours["Subject"] == django["Subject"] and ours["To"] == django["To"]
    assert [p.get_payload() for p in ours.get_payload()] == [p.get_payload() for p in django.get_payload()]
    random.seed(3)  # Django's generator draws the boundary (and keeps it on the message) when first written
    assert ours.as_string() == django.as_string()
    assert ours.get_boundary() == django.get_boundary()
    assert bytes(ours) == bytes(django)


def test_reminder_email_goes_through_djangos_smtp_backend_as_djangos():
    """What the SMTP backend hands to smtplib (``message().as_bytes(linesep="\\r\\n")``): the same bytes."""

    class Server:
        def __init__(self) -> None:
            self.sent: list[tuple[str, list[str], bytes]] = []

        def sendmail(self, from_addr: str, to_addrs: list[str], msg: bytes) -> dict:
            self.sent.append((from_addr, to_addrs, msg))
            return {}

    sent = []
    for cls in (messages.ReminderEmail, EmailMultiAlternatives):
        backend = SmtpBackend(host="mail.invalid", fail_silently=False)
        backend.connection = server = Server()  # an open connection: send_messages uses it and keeps it
        random.seed(7)
        with time_machine.travel(dt.datetime(2026, 6, 3, 7, 0, tzinfo=dt.UTC), tick=False):
            email = _email(cls, "Due today: [A-1] Reply", "a\nb\n", "<p>é</p>", {}, to="Jürgen <j@firm.test>")
            assert backend.send_messages([email, email]) == 2
        sent.append(server.sent)
    ours, django = sent
    assert ours == django and b"\r\n" in ours[0][2] and b"\n\n" not in ours[0][2]


WEDNESDAY = dt.date(2026, 6, 3)


@pytest.fixture
def two_teams(db, monkeypatch):
    """Three clients, two overlapping teams, more rows per section than the (shortened) list limit."""
    monkeypatch.setattr(messages, "DIGEST_LIST_LIMIT", 3)
    clients = [ClientFactory(reference=f"C{n}", name=f"Client {n}") for n in range(3)]
    paula = UserFactory(username="paula", email="paula@firm.test")  # clients 0 and 1
    otto = UserFactory(username="otto", email="otto@firm.test")  # clients 1 and 2
    arthur = UserFactory(username="arthur", email="arthur@firm.test")  # attorney of 0 and 2 only
    for user, client in [(paula, 0), (paula, 1), (otto, 1), (otto, 2), (arthur, 0), (arthur, 2)]:
        TeamMembershipFactory(user=user, client=clients[client], role=TeamMembership.Role.PARALEGAL)
    verified = timezone.now()
    for n, client in enumerate(clients):
        # Arthur is the attorney of client 1's matter too, but not on its team: the report leaves it out.
        matter = MatterFactory(client=client, reference=f"M{n}", responsible_attorney=arthur)
        for day in (-9, -3, -1, 0, 2, 5, 6, 7, 20, 50, 70):
            DeadlineFactory(
                matter=matter,
                title=f"{client.reference} {day:+d}",
                due_date=WEDNESDAY + dt.timedelta(days=day + n % 2),
                verified_at=None if day % 3 == 0 else verified,
                responsible=paula,
            )
        DeadlineFactory(matter=matter, title="missed", due_date=WEDNESDAY - dt.timedelta(days=4), status="missed")
        DeadlineFactory(matter=matter, title="optional", due_date=WEDNESDAY - dt.timedelta(days=4), optional=True)
        DeadlineFactory(matter=matter, title="done", due_date=WEDNESDAY, status=Deadline.Status.DONE)
    return {"paula": paula, "otto": otto, "arthur": arthur}


def _render_all(people, now, *, cache):
    rendered = {}
    for kind, user in [(Reminder.Kind.DIGEST, people["paula"]), (Reminder.Kind.DIGEST, people["otto"]),
                       (Reminder.Kind.REPORT, people["arthur"]), (Reminder.Kind.DIGEST, people["arthur"])]:
        if kind == Reminder.Kind.DIGEST:
            context = messages.digest_context(user=user, now=now, cache=cache)
            base = "emails/digest"
        else:
            context = messages.report_context(user=user, now=now, cache=cache)
            base = "emails/report"
        texts = messages._render(base, {**context, "dashboard_url": "http://x/"}, cache=None, key=None)
        rendered[(kind, user.username)] = (context.get("has_content"), *texts)
    return rendered


def test_batch_loaded_digests_and_reports_render_the_same_as_one_by_one(two_teams, django_assert_max_num_queries):
    now = at(WEDNESDAY, 7, 30)
    one_by_one = _render_all(two_teams, now, cache=None)
    users = [two_teams["paula"], two_teams["otto"], two_teams["arthur"], two_teams["arthur"]]
    reminders = [Reminder(kind=k, target_date=WEDNESDAY) for k in ("digest", "digest", "report", "digest")]
    cache: dict = {}
    with django_assert_max_num_queries(8):  # memberships, counts + three lists, reports: not per recipient
        messages.prefetch_contexts(reminders, users, now=now, cache=cache)
    with django_assert_max_num_queries(0):
        batched = _render_all(two_teams, now, cache=cache)
    assert batched == one_by_one
    digest = one_by_one[("digest", "paula")][1]
    assert "C0 -9" in digest and "… and more on the dashboard" in digest  # the limit did cut the lists
    report = one_by_one[("report", "arthur")][1]
    assert "C2 +20" in report and "C1 +" not in report  # client 1 is not arthur's team
