"""The demo school: every role, classes in all four age bands, two Online Leaders.

Built afresh each time: the old demo school and everything in it is removed first.
Passwords are random for each build and printed once, so no fixed password ships.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import delete, select

from .auth.models import User
from .auth.services import issue_card, set_password
from .extensions import db
from .schools import services
from .schools.models import School

DEMO_SLUG = "demo"
DEMO_OPERATOR = "demo-operator"
DEMO_CLASSES = (  # name, year group, working-at band, pupils
    ("1R", 1, None, ("Ava", "Noah", "Isla", "Leo", "Maya")),
    ("5B", 5, None, ("Oscar", "Ruby", "Arlo", "Zara", "Finn")),
    ("8M", 8, None, ("Priya", "Kai", "Erin", "Sami", "Tess")),
    ("11T", 11, None, ("Jude", "Anya", "Reece", "Lola", "Omar")),
    ("Willow", 9, "4-7", ("Billy", "Nia", "Theo")),
)
SURNAME_INITIALS = "ABCDEFGHJKLMNPRSTW"
LEADERS = {("5B", 0), ("8M", 0)}


@dataclass
class DemoSignIns:
    school: School
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # role label, username, password
    card_url_path: str = ""


def _password() -> str:
    return "-".join(secrets.choice(WORDS) for _ in range(3)) + str(secrets.randbelow(90) + 10)


WORDS = ("otter", "maple", "comet", "harbour", "pebble", "lantern", "meadow", "violet", "rocket", "willow",
         "puffin", "cobalt", "thistle", "saffron", "glacier", "marble")


def _demo_sign_in(result: DemoSignIns, pupil, class_name: str, number: int) -> None:
    """A card for the first young pupil; passwords for two Online Leaders and one older pupil per class."""
    if class_name == "1R" and number == 0:
        result.card_url_path = f"/card/{issue_card(pupil)}"
    pupil.is_online_leader = (class_name, number) in LEADERS
    if class_name in {"5B", "8M", "11T"} and number <= 1:
        password = _password()
        set_password(pupil, password)
        label = "Online Leader" if pupil.is_online_leader else "Pupil"
        result.accounts.append((f"{label} ({class_name})", pupil.username, password))


def remove_demo_school() -> None:
    db.session.execute(delete(School).where(School.slug == DEMO_SLUG))
    db.session.execute(delete(User).where(User.username == DEMO_OPERATOR))
    db.session.flush()


def build_demo_school() -> DemoSignIns:
    remove_demo_school()
    school = services.create_school("Oakfield Demo School", DEMO_SLUG)
    result = DemoSignIns(school=school)

    def account(role: str, username: str, name: str, label: str, **extra):
        password = _password()
        user = services.create_user(school, username, name, role, password=password, **extra)
        result.accounts.append((label, user.username, password))
        return user

    operator_password = _password()
    services.create_user(None, DEMO_OPERATOR, "Demo operator", "deployment_admin", password=operator_password)
    result.accounts.append(("Deployment admin", DEMO_OPERATOR, operator_password))
    account("school_admin", "demo-admin", "Mrs Patel", "School admin")
    account("dsl", "demo-dsl", "Mr Okafor", "Safeguarding lead")
    for index, (name, year, band, pupils) in enumerate(DEMO_CLASSES):
        school_class = services.create_class(school, name, year, band)
        teacher = account("teacher", f"demo-teacher-{name.lower()}", f"Teacher of {name}", f"Teacher ({name})")
        teacher.supervises_leaders = index == 0
        services.set_class_teachers(school_class, [teacher])
        for number, first in enumerate(pupils):
            initial = SURNAME_INITIALS[(index + number) % len(SURNAME_INITIALS)]
            pupil = services.create_user(school, f"demo-{first.lower()}", f"{first} {initial}.", "pupil",
                                         year_group=year)
            services.add_pupil_to_class(pupil, school_class)
            _demo_sign_in(result, pupil, name, number)
    db.session.flush()
    return result


def demo_school() -> School | None:
    return db.session.scalar(select(School).where(School.slug == DEMO_SLUG))
