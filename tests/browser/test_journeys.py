"""Journeys through the product in a real browser, with axe-core and 320 px checks on every page visited."""

from __future__ import annotations

import re

import pytest

from .conftest import audit, screenshot, sign_in, sign_out

pytestmark = pytest.mark.browser

BAD_ROSTER = "first name,last name,year group,class\nZoe,Quinn,Year 2,2Q\nYusuf,,Year 2,2Q\n"
GOOD_ROSTER = "first name,last name,year group,class\nZoe,Quinn,Year 2,2Q\nYusuf,Reed,Year 2,2Q\n"


def test_landing_and_sign_in_pages_are_accessible(page, live):
    page.goto(live.url + "/")
    audit(page, "landing")
    page.goto(live.url + "/login")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("Type your username.").first.is_visible()
    audit(page)


def test_admin_imports_a_roster_with_one_bad_row_then_fixes_it(page, live, tmp_path):
    sign_in(page, live, "School admin")
    audit(page, "admin-home")
    page.get_by_role("link", name="Import roster").first.click()
    audit(page)
    bad = tmp_path / "roster.csv"
    bad.write_text(BAD_ROSTER)
    page.get_by_label("Roster file (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    assert page.get_by_text("Nothing has been imported").is_visible()
    assert page.get_by_text(re.compile(r"Row 3: the last name is missing")).is_visible()
    audit(page, "roster-errors")
    page.get_by_role("link", name="upload it again").click()
    good = tmp_path / "roster-fixed.csv"
    good.write_text(GOOD_ROSTER)
    page.get_by_label("Roster file (CSV)").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    assert page.get_by_text("2 pupils ready to import").is_visible()
    audit(page)
    page.get_by_role("button", name="Import these pupils").click()
    assert page.get_by_text("Roster imported: 2 new pupils").is_visible()
    assert page.get_by_role("link", name="Yusuf R.").is_visible()
    audit(page)


def test_teacher_prints_cards_and_sets_a_lesson(page, live):
    sign_in(page, live, "Teacher (1R)")
    audit(page, "teacher-home")
    page.get_by_role("link", name="1R").first.click()
    audit(page)
    page.get_by_role("link", name="Print QR sign-in cards").click()
    audit(page)
    page.get_by_role("button", name=re.compile("Make new cards")).click()
    assert page.locator(".card img").count() == 5
    # The new cards replace the old ones: the young pupil's journey uses the first card printed here.
    live.card_path = "/card/" + page.locator(".card-url").first.inner_text().split("/card/")[1]
    audit(page, "qr-cards")
    page.goto(live.url + "/lessons/library?band=4-7&strand=online-bullying")
    audit(page)
    page.get_by_role("link", name=re.compile("Online bullying|bully|Kind", re.I)).first.click()
    audit(page)
    page.get_by_label("Class").select_option(label="1R")
    page.get_by_role("button", name="Set this lesson").click()
    assert page.get_by_role("heading", name="Lessons set for 1R").is_visible()
    audit(page)


def test_young_pupil_signs_in_with_a_card_and_does_a_lesson(page, live):
    page.goto(live.url + live.card_path)
    audit(page)
    live.young_pupil = re.search(r"Hello, (.+)!", page.locator("h1").inner_text()).group(1)
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/home")
    audit(page, "pupil-home")
    page.get_by_role("link", name="Open my lessons").click()
    audit(page, "pupil-lessons")
    page.locator(".lesson-list a").first.click()
    progress = page.locator("progress#lesson-progress")
    first_value = int(progress.get_attribute("value"))
    audit(page, "lesson")
    page.get_by_role("link", name="Next").click()
    assert int(progress.get_attribute("value")) == first_value + 1
    audit(page)
    page.get_by_role("link", name="Easy read").click()
    assert page.get_by_role("link", name="Full lesson").is_visible()
    audit(page, "easy-read")
    page.get_by_role("link", name="Start the quiz").click()
    audit(page, "quiz")
    lesson_id = int(re.search(r"/lessons/(\d+)/quiz", page.url).group(1))
    _answer_with_keyboard(page, _right_option_ids(live, lesson_id))
    assert page.get_by_role("heading", name="Your answers").is_visible()
    assert page.locator(".explanation").count() >= 4
    assert page.get_by_text(re.compile("New badge: First steps")).is_visible()
    audit(page, "quiz-result")
    page.goto(live.url + "/badges/")
    assert page.get_by_text("First steps").first.is_visible()
    audit(page, "badge-wall")
    sign_out(page)

    sign_in(page, live, "Teacher (1R)")
    page.get_by_role("link", name="1R").first.click()
    page.get_by_role("link", name="Coverage").click()
    assert page.locator("table").filter(has_text=live.young_pupil).count() >= 1
    audit(page, "class-page")
    sign_out(page)

    sign_in(page, live, "Safeguarding lead")
    page.goto(live.url + "/checklist/")
    page.locator("tr", has_text="broad and balanced").locator("a", has_text="Rate and edit").first.click()
    completed = page.locator("dt", has_text="Lessons completed").locator("xpath=following-sibling::dd[1]")
    assert int(completed.first.inner_text()) >= 1
    audit(page, "checklist-curriculum")


def _right_option_ids(live, lesson_id: int) -> list[list[str]]:
    from esafe_learn.content.models import Lesson
    from esafe_learn.extensions import db

    with live.app.app_context():
        quiz = db.session.get(Lesson, lesson_id).quiz
    return [[f"q-{q['key']}-{o['key']}" for o in q["options"] if o["correct"]] for q in quiz]


ACTIVE = "({id: document.activeElement.id, name: document.activeElement.name, type: document.activeElement.type})"


def _answer_with_keyboard(page, right_ids: list[list[str]]) -> None:
    """Reach each right option with Tab (and the arrow keys inside a radio group), tick it, submit by keyboard."""
    page.locator("h1").first.focus()
    for wanted in (option for question in right_ids for option in question):
        group = wanted.rsplit("-", 1)[0]
        for _ in range(80):
            page.keyboard.press("Tab")
            active = page.evaluate(ACTIVE)
            if active["id"] == wanted or (active["type"] == "radio" and active["name"] == group):
                break
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", "the focused option has no visible focus"
        if active["type"] == "radio":
            for _ in range(8):
                if page.evaluate(ACTIVE)["id"] == wanted:
                    break
                page.keyboard.press("ArrowDown")
            page.keyboard.press("Space")
        else:
            page.keyboard.press("Space")
        assert page.evaluate(ACTIVE)["id"] == wanted, f"could not reach {wanted} with the keyboard"
        assert page.evaluate("document.activeElement.checked")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    assert page.evaluate("document.activeElement.textContent.trim()") == "Check my answers"
    page.keyboard.press("Enter")
    page.wait_for_url("**/attempts/*")


def test_screenshots_of_main_pages_exist(page, live):
    sign_in(page, live, "Pupil (5B)")
    page.goto(live.url + "/lessons/")
    screenshot(page, "pupil-lessons-older")
