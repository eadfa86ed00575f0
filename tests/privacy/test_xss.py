"""Thousands of XSS payloads through every free-text field that is shown back, and through pack installation.

Each rendered page is parsed; it must hold nothing executable that the same page with harmless text does
not hold (no script, event handler, script URL, frame, object, inline style or request to another origin).
"""

from __future__ import annotations

import shutil
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from esafe_learn.auth.models import User
from esafe_learn.badges.models import BadgeAward, SchoolBadge
from esafe_learn.checklist.models import ChecklistItem
from esafe_learn.concerns.models import Concern, ConcernNote
from esafe_learn.extensions import db
from esafe_learn.mentoring.models import MentoringSession
from esafe_learn.sanitise import render_markdown
from esafe_learn.schools.models import ClassMembership
from esafe_learn.timeutil import utcnow

from ..conftest import EXAMPLE_PACK, login
from .htmlcheck import other_origin, scan
from .xss_corpus import MARKDOWN, chunks, corpus

CORPUS = corpus()
BENIGN = "Nothing to see here"


def test_the_corpus_is_big_enough():
    assert len(CORPUS) >= 2000


def test_the_checker_catches_the_corpus_when_not_escaped():
    """Unescaped, most payloads would be found executable: the checker is not blind."""
    caught = sum(bool(sum(_findings(f"<div>{p}</div>")[0].values()) or _findings(f"<div>{p}</div>")[1])
                 for p in CORPUS)
    assert caught / len(CORPUS) > 0.7


def _findings(html: str) -> tuple[Counter, list[str]]:
    result = scan(html)
    return Counter(result.executable), [r for r in result.resources if other_origin(r)]


def _clean(client, url: str, baseline: Counter | None = None, shows: bool = True) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    assert not shows or "alert" in html, f"{url} shows none of the payloads"
    executable, foreign = _findings(html)
    assert foreign == [], url
    extra = executable - (baseline or Counter())
    assert not extra, f"{url}: {sorted(extra)[:5]}"


def _baseline(client, url: str) -> Counter:
    return _findings(client.get(url).get_data(as_text=True))[0]


def _people(app, make_school, make_user, make_class):
    school = make_school()
    people = {"teacher": make_user(school, "teacher"), "dsl": make_user(school, "dsl"),
              "admin": make_user(school, "school_admin"), "pupil": make_user(school, "pupil"),
              "leader": make_user(school, "pupil", leader=True)}
    people["class"] = make_class(school, "5B", teachers=[people["teacher"]],
                                 pupils=[people["pupil"], people["leader"]])
    return school, people


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def test_names(app, make_school, make_user, make_class):
    school, people = _people(app, make_school, make_user, make_class)
    admin, teacher = _client(app, people["admin"]), _client(app, people["teacher"])
    pupils_url, class_url = "/school/pupils", f"/school/classes/{people['class'].id}"
    baselines = {pupils_url: _baseline(admin, pupils_url), class_url: _baseline(teacher, class_url)}
    with app.app_context():
        for number, payload in enumerate(CORPUS):
            user = User(school_id=school.id, username=f"x-{number}", display_name=payload[:120], role="pupil",
                        year_group=5)
            db.session.add(user)
            if number % 10 == 0:
                db.session.flush()
                db.session.add(ClassMembership(class_id=people["class"].id, user_id=user.id))
        db.session.commit()
    _clean(admin, pupils_url, baselines[pupils_url])
    _clean(teacher, class_url, baselines[class_url])


def test_mentoring_notes(app, make_school, make_user, make_class):
    school, people = _people(app, make_school, make_user, make_class)
    dsl, leader = _client(app, people["dsl"]), _client(app, people["leader"])
    ids = []
    with app.app_context():
        for chunk in chunks(CORPUS, 250):
            text = "\n".join(chunk)
            log = MentoringSession(school_id=school.id, leader_id=people["leader"].id, session_date=date.today(),
                                   kind="one_to_one", mentee_mode="unnamed", unnamed_year_group=4, what_we_did=text,
                                   what_helped=text, duration_minutes=10, review_comment=text)
            db.session.add(log)
            db.session.flush()
            ids.append(log.id)
        db.session.commit()
    for log_id in ids:
        _clean(dsl, f"/mentoring/review/{log_id}")
        _clean(leader, f"/mentoring/{log_id}")
    _clean(leader, "/mentoring/", shows=False)
    _clean(dsl, f"/mentoring/leaders/{people['leader'].id}", shows=False)


def test_concern_text(app, make_school, make_user, make_class):
    school, people = _people(app, make_school, make_user, make_class)
    dsl = _client(app, people["dsl"])
    ids = []
    with app.app_context():
        for chunk in chunks(CORPUS, 500):
            concern = Concern(school_id=school.id, source="staff", category="contact", description="\n".join(chunk),
                              told_adult="yes", about_id=people["pupil"].id, reported_by_id=people["teacher"].id,
                              created_at=utcnow())
            db.session.add(concern)
            db.session.flush()
            ids.append(concern.id)
            db.session.add_all([ConcernNote(school_id=school.id, concern_id=concern.id, body=payload,
                                            author_id=people["dsl"].id) for payload in chunk])
        db.session.commit()
    for concern_id in ids:
        _clean(dsl, f"/concerns/{concern_id}")
    _clean(dsl, "/concerns/", shows=False)


def test_badge_reasons(app, make_school, make_user, make_class):
    school, people = _people(app, make_school, make_user, make_class)
    teacher, pupil = _client(app, people["teacher"]), _client(app, people["pupil"])
    with app.app_context():
        for payload in CORPUS:  # one badge per payload (a pupil holds a badge once): names and reasons
            badge = SchoolBadge(school_id=school.id, name=payload[:80], description=payload[:300], icon="star")
            db.session.add(badge)
            db.session.flush()
            db.session.add(BadgeAward(public_id=str(uuid.uuid4()), school_id=school.id, user_id=people["pupil"].id,
                                      school_badge_id=badge.id, awarded_by_id=people["teacher"].id,
                                      reason=payload[:200], salt=uuid.uuid4().hex, evidence={}))
        db.session.commit()
    _clean(teacher, f"/badges/pupils/{people['pupil'].id}")
    _clean(pupil, "/badges/")
    _clean(teacher, "/badges/school")


def test_checklist_notes(app, make_school, make_user, make_class):
    from ..checklist.helpers import seed_checklist

    school, people = _people(app, make_school, make_user, make_class)
    item_ids = list(seed_checklist(app, school).values())
    dsl = _client(app, people["dsl"])
    with app.app_context():
        for item_id, chunk in zip(item_ids, chunks(CORPUS, 200), strict=False):
            item = db.session.get(ChecklistItem, item_id)
            item.notes = "\n".join(chunk)
            item.actions = "\n".join(reversed(chunk))
            item.owner = chunk[0][:120]
        db.session.commit()
    for item_id in item_ids[:len(list(chunks(CORPUS, 200)))]:
        _clean(dsl, f"/checklist/items/{item_id}")
    _clean(dsl, "/checklist/", shows=False)
    _clean(dsl, "/checklist/report", shows=False)


@pytest.mark.parametrize("payloads", list(chunks(CORPUS, 1200)))
def test_markdown_renderer(payloads):
    for payload in payloads:
        executable, foreign = _findings(render_markdown(payload))
        assert not executable and not foreign, payload


def _with_payloads(original: str, payloads: list[str]) -> tuple[str, dict[int, int]]:
    """The lesson with one payload per paragraph after its front matter; {line number: payload index}."""
    head, _, rest = original.partition("\n---\n")
    lines = (head + "\n---\n").count("\n")
    where, parts = {}, []
    for index, payload in enumerate(payloads):
        for offset in range(payload.count("\n") + 1):
            where[lines + 1 + offset] = index
        parts.append(payload)
        lines += payload.count("\n") + 2
    return head + "\n---\n" + "\n\n".join(parts) + "\n\n" + rest, where


def test_pack_installation(app, tmp_path, make_school, make_user, make_class):
    """Markdown cases in a pack's lesson: each is refused by the pack checker, or installed and rendered harmless."""
    from esafe_learn.content.models import Lesson
    from esafe_learn.content.services import PackError, install_pack

    pack = tmp_path / "example-pack"
    shutil.copytree(EXAMPLE_PACK, pack)
    lesson_file = pack / "lessons" / "kind-messages.md"
    original = lesson_file.read_text()
    payloads = list(dict.fromkeys(MARKDOWN + tuple(p for p in CORPUS if "](" in p or p.startswith("<"))[:600]))
    refused: set[str] = set()
    school, people = _people(app, make_school, make_user, make_class)
    for _ in range(4):
        text, where = _with_payloads(original, payloads)
        lesson_file.write_text(text)
        with app.app_context():
            try:
                install_pack(Path(pack))
            except PackError as error:
                db.session.rollback()
                bad = {where[p.line] for p in error.problems if p.severity == "error" and p.line in where}
                assert bad, [p.message for p in error.problems][:5]
                refused |= {payloads[i] for i in bad}
                payloads = [p for i, p in enumerate(payloads) if i not in bad]
                continue
            db.session.commit()
            lesson_id = db.session.scalar(db.select(Lesson.id).where(Lesson.slug == "kind-messages-7-11"))
        break
    else:
        pytest.fail("the pack was still refused")
    assert len(refused) > 30 and len(payloads) > 100, "both refused and accepted cases exercised"
    teacher = _client(app, people["teacher"])
    _clean(teacher, f"/lessons/{lesson_id}/preview", shows=False)
