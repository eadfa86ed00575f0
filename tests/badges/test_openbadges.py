"""Open Badges 2.0: hosted Assertion, BadgeClass and Issuer at stable public URLs, a baked PNG, revocation."""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from esafe_learn.auth.models import User
from esafe_learn.badges import baking, services
from esafe_learn.badges.models import BadgeAward, SchoolBadge
from esafe_learn.content.models import PackBadge
from esafe_learn.extensions import db
from esafe_learn.signals import lesson_completed

from ..conftest import login, post
from .helpers import complete, make_pack, send

CONTEXT = "https://w3id.org/openbadges/v2"
# Required by the Open Badges 2.0 specification (IMS Global, 2018) for each class.
ASSERTION_FIELDS = {"@context", "id", "type", "recipient", "badge", "verification", "issuedOn"}
IDENTITY_FIELDS = {"type", "identity", "hashed"}
BADGE_CLASS_FIELDS = {"@context", "id", "type", "name", "description", "image", "criteria", "issuer"}
ISSUER_FIELDS = {"@context", "id", "type", "name", "url", "email"}
ALIGNMENT_FIELDS = {"targetName", "targetUrl"}
ISO_8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@pytest.fixture
def earned(app, make_school, make_user, make_class):
    """A pupil who finished every Privacy and security lesson of their band: an award tied to a strand."""
    school = make_school("Oak Primary", "oak-primary")
    pupil = make_user(school, "pupil", name="Zara Quintessa", year_group=5, username="zara.q")
    make_class(school, "5A", 5, pupils=[pupil])
    pack = make_pack(app, [{"slug": "passwords", "title": "Strong passwords", "strand": "privacy-and-security",
                            "ages": ["7-11"]}],
                     [{"slug": "privacy", "name": "Privacy protector", "image": "lock",
                       "criteria": {"kind": "strand-complete", "strand": "privacy-and-security"}}])
    complete(app, pupil, pack.lessons["passwords"])
    send(app, lesson_completed, pupil, lesson=pack.lessons["passwords"], progress=None)
    with app.app_context():
        award = db.session.scalar(select(BadgeAward))
        return {"school": school, "pupil": pupil, "pack": pack, "public_id": award.public_id, "award_id": award.id,
                "salt": award.salt}


def fetch(client, url: str, status: int = 200, **kwargs):
    """GET a URL of the deployment (SERVER_NAME esafe.test) with a client that never signed in."""
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "esafe.test", url
    response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""), **kwargs)
    assert response.status_code == status, (url, response.status_code)
    return response


def document(client, url: str, status: int = 200) -> dict:
    response = fetch(client, url, status)
    assert response.mimetype == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.get_data(as_text=True))


def test_assertion_badge_class_and_issuer_carry_every_required_field_and_resolve(app, earned):
    anonymous = app.test_client()
    assertion_url = f"http://esafe.test/badges/ob/assertions/{earned['public_id']}"
    assertion = document(anonymous, assertion_url)
    assert ASSERTION_FIELDS <= assertion.keys()
    assert assertion["@context"] == CONTEXT and assertion["type"] == "Assertion" and assertion["id"] == assertion_url
    assert assertion["verification"] == {"type": "hosted"}
    assert ISO_8601.match(assertion["issuedOn"])
    recipient = assertion["recipient"]
    assert IDENTITY_FIELDS <= recipient.keys() and recipient["hashed"] is True and recipient["type"] == "id"
    assert recipient["salt"] == earned["salt"]
    expected = hashlib.sha256(f"urn:esafe-learn:oak-primary:{earned['pupil'].id}{earned['salt']}".encode())
    assert recipient["identity"] == "sha256$" + expected.hexdigest()
    assert assertion["evidence"] == [{"narrative": "Completed the lessons: Strong passwords."}]

    badge_class = document(anonymous, assertion["badge"])
    assert BADGE_CLASS_FIELDS <= badge_class.keys()
    assert badge_class["type"] == "BadgeClass" and badge_class["id"] == assertion["badge"]
    assert badge_class["name"] == "Privacy protector" and badge_class["criteria"]["narrative"]
    assert badge_class["alignment"] == [{
        "targetName": "Privacy and security",
        "targetUrl": "https://www.gov.uk/government/publications/education-for-a-connected-world",
        "targetFramework": "Education for a Connected World",
        "targetCode": "privacy-and-security",
        "targetDescription": 'The "Privacy and security" strand of Education for a Connected World (UKCIS).',
    }]
    assert all(ALIGNMENT_FIELDS <= a.keys() for a in badge_class["alignment"])
    image = fetch(anonymous, badge_class["image"])
    assert image.mimetype == "image/png" and baking.read_chunks(image.data)[0][0] == b"IHDR"

    issuer = document(anonymous, badge_class["issuer"])
    assert ISSUER_FIELDS <= issuer.keys()
    assert issuer["type"] == "Issuer" and issuer["id"] == badge_class["issuer"] and issuer["name"] == "Oak Primary"
    fetch(anonymous, issuer["url"], 200)
    assert "@" in issuer["email"]
    # hosted verification: assertion, badge class and issuer share the issuer's origin
    assert len({urlsplit(u).netloc for u in (assertion["id"], badge_class["id"], issuer["id"])}) == 1

    baked = fetch(anonymous, assertion["image"])
    assert baked.mimetype == "image/png"
    assert json.loads(baking.extract(baked.data)) == assertion


def test_documents_never_name_the_pupil(app, earned):
    anonymous = app.test_client()
    urls = [f"/badges/ob/assertions/{earned['public_id']}"]
    assertion = json.loads(anonymous.get(urls[0]).get_data(as_text=True))
    texts = [json.dumps(assertion), anonymous.get(urlsplit(assertion["badge"]).path).get_data(as_text=True),
             baking.extract(anonymous.get(urlsplit(assertion["image"]).path).data)]
    for text in texts:
        for secret in ("Zara", "Quintessa", "zara.q"):
            assert secret not in text


def test_staff_reasons_stay_inside_the_app(app, make_school, make_user):
    school = make_school()
    pupil, teacher = make_user(school, "pupil"), make_user(school, "teacher")
    with app.app_context():
        badge = SchoolBadge(school_id=school.id, name="Upstander", description="Stood up for someone.",
                            icon="shield", strand="online-bullying")
        db.session.add(badge)
        db.session.flush()
        award = services.award_badge(db.session.get(User, pupil.id), badge, awarded_by=db.session.get(User, teacher.id),
                                     reason="Helped Maisie Smith report a mean comment")
        db.session.commit()
        public_id, badge_id = award.public_id, badge.id
    anonymous = app.test_client()
    text = anonymous.get(f"/badges/ob/assertions/{public_id}").get_data(as_text=True)
    assert "Maisie" not in text and "Recognised by a member of staff" in text
    badge_class = json.loads(anonymous.get(urlsplit(json.loads(text)["badge"]).path).get_data(as_text=True))
    assert badge_class["alignment"][0]["targetName"] == "Online bullying"
    assert badge_class["image"].endswith(f"/badges/ob/images/school-{badge_id}.png")


def test_a_revoked_assertion_answers_revoked_with_its_reason(app, client, earned, make_user, make_class):
    teacher = make_user(earned["school"], "teacher")
    make_class(earned["school"], "Extra", 5, teachers=[teacher], pupils=[earned["pupil"]])
    login(client, teacher)
    response = post(client, f"/badges/awards/{earned['award_id']}/revoke", {"reason": "Awarded by mistake"})
    assert response.status_code == 302
    anonymous = app.test_client()
    url = f"http://esafe.test/badges/ob/assertions/{earned['public_id']}"
    revoked = document(anonymous, url, 410)
    assert revoked == {"@context": CONTEXT, "type": "Assertion", "id": url, "revoked": True,
                       "revocationReason": "Awarded by mistake"}
    assert json.loads(fetch(anonymous, url + "/badge.png", 410).get_data(as_text=True))["revoked"] is True


def test_assertion_urls_are_unguessable_and_unknown_ones_are_404(app, earned):
    anonymous = app.test_client()
    assert re.fullmatch(r"[0-9a-f-]{36}", earned["public_id"])
    for path in ("/badges/ob/assertions/1", f"/badges/ob/assertions/{earned['award_id']}",
                 "/badges/ob/assertions/00000000-0000-4000-8000-000000000000",
                 "/badges/ob/assertions/not-a-uuid/badge.png", "/badges/ob/issuers/no-such-school",
                 "/badges/ob/issuers/oak-primary/badges/pack-99999", "/badges/ob/issuers/oak-primary/badges/x",
                 "/badges/ob/images/school-99999.png"):
        assert anonymous.get(path).status_code == 404, path


def test_a_school_badge_is_only_issued_by_its_own_school(app, make_school):
    other = make_school("Elm", "elm-school")
    mine = make_school("Oak", "oak-school")
    with app.app_context():
        badge = SchoolBadge(school_id=mine.id, name="Helper", description="Helped.", icon="heart")
        db.session.add(badge)
        db.session.commit()
        key = f"school-{badge.id}"
    anonymous = app.test_client()
    assert anonymous.get(f"/badges/ob/issuers/oak-school/badges/{key}").status_code == 200
    assert anonymous.get(f"/badges/ob/issuers/{other.slug}/badges/{key}").status_code == 404


def test_public_url_setting_and_plain_json(app, earned):
    app.config["PUBLIC_URL"] = "https://badges.example.org/"
    anonymous = app.test_client()
    response = anonymous.get(f"/badges/ob/assertions/{earned['public_id']}", headers={"Accept": "application/json"})
    assert response.mimetype == "application/json"
    assertion = json.loads(response.get_data(as_text=True))
    assert assertion["id"] == f"https://badges.example.org/badges/ob/assertions/{earned['public_id']}"
    assert assertion["badge"].startswith("https://badges.example.org/badges/ob/issuers/oak-primary/badges/pack-")


def test_the_baked_png_holds_one_uncompressed_itxt_chunk(app, earned):
    anonymous = app.test_client()
    response = anonymous.get(f"/badges/ob/assertions/{earned['public_id']}/badge.png?download=1")
    assert response.headers["Content-Disposition"] == 'attachment; filename="privacy-protector.png"'
    chunks = baking.read_chunks(response.data)
    badges = [body for kind, body in chunks if body.startswith(b"openbadges\0")]
    assert len(badges) == 1 and [kind for kind, body in chunks if body == badges[0]] == [b"iTXt"]
    assert badges[0][len(b"openbadges\0"):len(b"openbadges\0") + 4] == b"\0\0\0\0"  # no compression, empty tags
    assert chunks[-1][0] == b"IEND"
    rebaked = baking.bake(response.data, '{"id": "x"}')  # baking again replaces, never duplicates
    assert baking.extract(rebaked) == '{"id": "x"}'
    assert sum(body.startswith(b"openbadges\0") for _kind, body in baking.read_chunks(rebaked)) == 1


def test_a_packs_own_png_image_is_baked(app, install, make_school, make_user):
    ids = install()  # the example pack's "Private things expert" uses media/padlock.png
    school = make_school()
    pupil = make_user(school, "pupil", year_group=1)
    complete(app, pupil, ids["keeping-things-private-4-7"])
    send(app, lesson_completed, pupil, lesson=ids["keeping-things-private-4-7"], progress=None)
    with app.app_context():
        badge = db.session.scalar(select(PackBadge).where(PackBadge.slug == "private-things-expert"))
        award = db.session.scalar(select(BadgeAward).where(BadgeAward.pack_badge_id == badge.id))
        from esafe_learn.content.models import PackMedia

        padlock = db.session.scalar(select(PackMedia).where(PackMedia.path == "padlock.png")).data
        public_id, key = award.public_id, f"pack-{badge.id}"
    anonymous = app.test_client()
    assert anonymous.get(f"/badges/ob/images/{key}.png").data == padlock
    baked = anonymous.get(f"/badges/ob/assertions/{public_id}/badge.png").data
    original = [c for c in baking.read_chunks(padlock) if c[0] == b"IDAT"]
    assert [c for c in baking.read_chunks(baked) if c[0] == b"IDAT"] == original
    assert json.loads(baking.extract(baked))["id"].endswith(public_id)


def test_pupil_and_teacher_can_download_from_the_wall_and_pupil_page(app, client, earned, make_user, make_class):
    login(client, earned["pupil"])
    wall = client.get("/badges/").get_data(as_text=True)
    download = f"/badges/ob/assertions/{earned['public_id']}/badge.png?download=1"
    assert download in wall.replace("&amp;", "&")
    assert f"/badges/ob/assertions/{earned['public_id']}\"" in wall
    teacher = make_user(earned["school"], "teacher")
    make_class(earned["school"], "Group", 5, teachers=[teacher], pupils=[earned["pupil"]])
    staff = app.test_client()
    login(staff, teacher)
    page = staff.get(f"/badges/pupils/{earned['pupil'].id}").get_data(as_text=True)
    assert download in page.replace("&amp;", "&")


def test_issuer_contact_details_are_set_by_the_school_admin(app, client, earned, make_user):
    admin = make_user(earned["school"], "school_admin")
    login(client, admin)
    response = post(client, "/badges/school/open-badges", {"email": "not an email"})
    assert "Type an email address" in response.get_data(as_text=True)
    response = post(client, "/badges/school/open-badges", {"email": "office@oak.example",
                                                           "website": "https://oak.example"})
    assert response.status_code == 302
    issuer = json.loads(app.test_client().get("/badges/ob/issuers/oak-primary").get_data(as_text=True))
    assert issuer["email"] == "office@oak.example" and issuer["url"] == "https://oak.example"
