"""The checklist in Chromium: the DSL's pages and the report pass axe-core (WCAG 2.2 AA) and fit 320 px; the
report prints to A4; a pupil reads and agrees to the computer rules. Skipped when Chromium is missing."""

from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, audit, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_dsl_keeps_the_checklist_and_prints_the_report(page, live):
    sign_in(page, live, "Safeguarding lead")
    page.get_by_role("link", name="Checklist", exact=True).first.click()
    page.wait_for_url("**/checklist/")
    audit(page, "checklist")
    page.locator("a", has_text="Rate and edit: Schools should have a broad").click()
    audit(page, "checklist-item")
    page.get_by_role("button", name="Accept the suggestion").click()
    page.wait_for_url("**/checklist/**")
    page.get_by_role("button", name="Record this review").click()
    page.wait_for_url("**/checklist/report")
    assert page.get_by_role("heading", name="E-safeguarding evidence report").is_visible()
    audit(page, "checklist-report")
    page.emulate_media(media="print")
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / "checklist-report.pdf"), format="A4", prefer_css_page_size=True)
    assert pdf[:4] == b"%PDF"
    page.emulate_media(media="screen")
    page.goto(f"{live.url}/checklist/acceptable-use")
    audit(page, "checklist-aup-manage")
    page.get_by_role("textbox", name="Version").fill("2025-26")
    page.get_by_label("The policy", exact=True).fill("Use the school's computers for school work.")
    page.get_by_label("The rules in pupils' words (optional)").fill("I will be kind online.\nI will tell a grown-up.")
    page.get_by_role("button", name="Publish this version").click()
    assert page.get_by_text("Version 2025-26 published.").is_visible()


def test_pupil_reads_and_agrees_to_the_computer_rules(page, live):
    from sqlalchemy import select

    from esafe_learn.auth.models import User
    from esafe_learn.checklist import aup
    from esafe_learn.extensions import db

    with live.app.app_context():
        dsl = db.session.scalar(select(User).where(User.username == live.accounts["Safeguarding lead"][0]))
        aup.publish(dsl.school_id, dsl, "browser-1", "Pupils use the computers for school work.",
                    "I will be kind online.\nI will tell a grown-up if something worries me.")
        db.session.commit()
    pupil = next(label for label in live.accounts if label.startswith("Pupil ("))
    sign_in(page, live, pupil)
    audit(page, "pupil-home-new-rules")
    page.get_by_role("link", name="Read the rules").click()
    assert page.get_by_text("I will tell a grown-up if something worries me.").is_visible()
    audit(page, "pupil-computer-rules")
    page.get_by_role("button", name="I will follow these rules").click()
    assert page.get_by_text("Thank you. You said you will follow the rules.").is_visible()
    page.get_by_role("link", name="Home", exact=True).click()
    assert page.get_by_role("link", name="Read the rules").count() == 0
    page.get_by_role("link", name="Our computer rules").click()  # still there to read again
    assert page.get_by_text("You said you will follow these rules on").is_visible()
