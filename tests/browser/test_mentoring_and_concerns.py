"""In a real browser, with axe-core on every page: a leader logs a worry, a pupil tells one, the DSL acts on them
and a supervising teacher reviews the log."""

from __future__ import annotations

import re

import pytest

from .conftest import audit, sign_in, sign_out

pytestmark = pytest.mark.browser


def test_worries_reach_the_dsl_and_the_log_is_reviewed(page, live):
    sign_in(page, live, "Online Leader (5B)")
    audit(page, "leader-home")
    page.get_by_role("link", name="Log a session").first.click()
    audit(page, "mentoring-log-form")
    page.get_by_role("button", name="Save my log").click()
    assert page.get_by_text("Write what you did.").first.is_visible()
    audit(page)
    page.get_by_label("One-to-one").check()
    page.get_by_label("Pupils I can name").check()
    page.get_by_label("Find a name").fill("arlo")
    assert page.locator("#mentees option").count() == 1
    page.get_by_label("Pupils you helped").select_option(label="Arlo D. (5B)")
    page.get_by_label("Online bullying").check()
    page.get_by_label("What did you do?").fill("Listened and showed how to block")
    page.get_by_label("How many minutes did it take?").fill("10")
    page.get_by_label("I am worried about someone's safety").check()
    page.get_by_label("Someone I don't know contacted me").check()
    page.get_by_label("Tell us about the worry").fill("An older boy keeps messaging them")
    page.locator("#worry_told_adult-1").check()
    page.get_by_role("button", name="Save my log").click()
    page.wait_for_url("**/mentoring/")
    assert page.get_by_text("Your log is saved").is_visible()
    audit(page, "mentoring-my-logs")
    sign_out(page)

    sign_in(page, live, "Pupil (5B)")
    page.get_by_role("link", name="Tell us about a worry").first.click()
    audit(page, "worry-form")
    page.get_by_role("button", name="Send my worry").click()
    assert page.get_by_text("Pick what your worry is about.").first.is_visible()
    audit(page)
    page.get_by_label("I saw something upsetting").check()
    page.get_by_label("Me", exact=True).check()
    page.locator("#told_adult-0").check()
    page.get_by_role("button", name="Send my worry").click()
    # the answer page may still be drawing when the click returns: wait for the message (30 s at most)
    page.get_by_text("Your worry has been sent").wait_for()
    assert page.get_by_text("Your worry has been sent").is_visible()
    audit(page, "worry-sent")
    sign_out(page)

    sign_in(page, live, "Safeguarding lead")
    assert page.get_by_text(re.compile(r"2 new concerns")).is_visible()
    audit(page, "dsl-home")
    page.get_by_role("link", name="Read new concerns").click()
    audit(page, "concerns-list")
    page.get_by_role("link", name=re.compile(r"^C\d{5}$")).last.click()
    assert page.get_by_text("An older boy keeps messaging them").is_visible()
    assert page.get_by_text("Arlo D.").first.is_visible()
    audit(page, "concern-new")
    page.get_by_role("button", name="Acknowledge").click()
    page.get_by_label("Action").select_option(label="Spoke to the pupil")
    page.get_by_role("button", name="Record action").click()
    assert page.get_by_text("Action recorded.").is_visible()
    audit(page, "concern-actions")
    page.goto(live.url + "/concerns/export")
    audit(page, "concerns-export")
    page.goto(live.url + "/concerns/history")
    audit(page)
    page.goto(live.url + "/concerns/alerts")
    audit(page)
    page.goto(live.url + "/mentoring/evidence")
    audit(page, "evidence")
    sign_out(page)

    sign_in(page, live, "Teacher (1R)")
    page.get_by_role("link", name="Online Leaders").first.click()
    audit(page, "leaders")
    page.get_by_role("table").first.get_by_role("link").first.click()
    audit(page, "review")
    page.get_by_label(re.compile("Comment")).fill("Kind and calm. Well done.")
    page.get_by_role("button", name="Mark as reviewed").click()
    assert page.get_by_text("Log marked as reviewed.").is_visible()
    audit(page)
    page.goto(live.url + "/concerns/raise")
    audit(page, "raise-concern")
