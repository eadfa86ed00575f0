"""Every table and column that holds personal data: why, for how long, and whether subject access includes it.

tests/privacy/test_registry.py walks the mapped tables: a table with a foreign key to `user` that is
missing here, or a user column not named here, fails the suite. Add a row when you add such a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Retention rules (docs/security.md and the privacy notices describe them in plain words).
ACCOUNT = "account"
LEARNING = "learning"
SAFEGUARDING = "safeguarding"
SECURITY = "security"
SCHOOL_RECORD = "school_record"

RETENTION_RULES = {
    ACCOUNT: "Kept while the person is at the school. A pupil who leaves is archived at once (every session ends); "
             "after the school's retention period (default: the end of the following academic year) the account "
             "is anonymised.",
    LEARNING: "Kept while the pupil is at the school. After the school's retention period (default: the end of "
              "the academic year after the pupil leaves) it is deleted or anonymised.",
    SAFEGUARDING: "Kept until the pupil's date of birth plus 25 years (date of birth recorded on the concern; "
                  "without one the record is flagged for review once the pupil leaves), then flagged for the DSL "
                  "to review. Never deleted automatically; a concern on legal hold is never flagged.",
    SECURITY: "Kept only as long as it protects the account: ended sessions, revoked cards and used codes go "
              "with the account; failed sign-in counts clear after the throttle window.",
    SCHOOL_RECORD: "The school's own record (policy, evidence, reviews). Names the member of staff who acted; "
                   "kept while the school uses esafe-learn.",
}

# How a subject access export treats a table.
EXPORT_YES = "yes"  # included
EXPORT_DSL = "dsl"  # included only when the DSL chooses to include it
EXPORT_NO = "no"  # not about the pupil as a person, or a secret (hashes); said so on the summary page
EXPORT_MODES = (EXPORT_YES, EXPORT_DSL, EXPORT_NO)


@dataclass(frozen=True)
class TableEntry:
    table: str
    purpose: str
    retention: str
    export: str
    # Columns holding the id of the person the row is about (a subject access export selects on these).
    subject_columns: tuple[str, ...] = ()
    # Columns holding the id of a member of staff who acted (recorded by, reviewed by...).
    actor_columns: tuple[str, ...] = ()
    # Other columns with personal data, and what they hold.
    personal_columns: dict[str, str] = field(default_factory=dict)
    # Never written to an export (hashes of passwords and tokens, salts).
    secret_columns: tuple[str, ...] = ()
    # Columns of free text written by someone else about the subject: exported only when the DSL allows.
    dsl_only_columns: tuple[str, ...] = ()
    # (column, parent table): rows that belong to the subject through a parent table's exported rows.
    via: tuple[str, str] | None = None


REGISTRY: tuple[TableEntry, ...] = (
    # --- accounts and security ---------------------------------------------------------------------
    TableEntry("user", "Signing in and knowing who is who in the school.", ACCOUNT, EXPORT_YES,
               subject_columns=("id",),
               personal_columns={"username": "username", "display_name": "name", "role": "role",
                                 "year_group": "year group", "upn": "unique pupil number (optional)",
                                 "email": "staff email for alerts (never pupils)",
                                 "roster_key": "key matching the school's roster file",
                                 "is_online_leader": "Online Leader", "archived_at": "date the pupil left"},
               secret_columns=("password_hash", "mfa_secret")),
    TableEntry("user_session", "Keeping a signed-in session, and ending it everywhere.", SECURITY, EXPORT_YES,
               subject_columns=("user_id",), personal_columns={"created_at": "when they signed in"},
               secret_columns=("token_hash",)),
    TableEntry("sign_in_card", "QR sign-in cards for young pupils.", SECURITY, EXPORT_YES,
               subject_columns=("user_id",), secret_columns=("token_hash",)),
    TableEntry("sign_in_throttle", "Slowing down password guessing.", SECURITY, EXPORT_NO,
               personal_columns={"username": "username that had failed sign-ins"}),
    TableEntry("mfa_recovery_code", "Single-use recovery codes for two-step sign-in.", SECURITY, EXPORT_NO,
               subject_columns=("user_id",), secret_columns=("code_hash",)),
    # --- school membership -------------------------------------------------------------------------
    TableEntry("class_membership", "Which class a pupil is in.", ACCOUNT, EXPORT_YES, subject_columns=("user_id",)),
    TableEntry("class_teacher", "Which classes a teacher teaches.", ACCOUNT, EXPORT_YES,
               subject_columns=("user_id",)),
    # --- learning records --------------------------------------------------------------------------
    TableEntry("lesson_progress", "Lesson progress, for the pupil and their teacher.", LEARNING, EXPORT_YES,
               subject_columns=("user_id",), personal_columns={"best_score": "best quiz score"}),
    TableEntry("quiz_attempt", "Every quiz try, for the pupil and their teacher.", LEARNING, EXPORT_YES,
               subject_columns=("user_id",), personal_columns={"answers": "answers given", "score": "score"},
               secret_columns=("attempt_token",)),
    TableEntry("misconception_choice", "Which tagged wrong answers a pupil chose, to plan teaching.", LEARNING,
               EXPORT_YES, subject_columns=("user_id",)),
    TableEntry("reflection", "A pupil's short reflection at the end of a lesson.", LEARNING, EXPORT_YES,
               subject_columns=("user_id",), actor_columns=("marked_by_id",),
               personal_columns={"text": "the pupil's own words"}),
    TableEntry("pupil_voice_choice", "Reflections a DSL chose as pupil-voice evidence.", SCHOOL_RECORD, EXPORT_NO,
               actor_columns=("chosen_by_id",)),
    TableEntry("lesson_assignment", "Lessons a teacher set for a class.", SCHOOL_RECORD, EXPORT_NO,
               actor_columns=("set_by_id",)),
    TableEntry("badge_award", "Badges a pupil earned or was given.", LEARNING, EXPORT_YES,
               subject_columns=("user_id",), actor_columns=("awarded_by_id", "revoked_by_id"),
               personal_columns={"reason": "why staff gave the badge", "evidence": "what earned it",
                                 "revocation_reason": "why it was taken back"},
               secret_columns=("salt",)),
    TableEntry("aup_acknowledgement", "Who acknowledged the acceptable use policy.", ACCOUNT, EXPORT_YES,
               subject_columns=("user_id",)),
    # --- mentoring ---------------------------------------------------------------------------------
    TableEntry("mentoring_session", "Online Leaders' mentoring logs, reviewed by staff.", LEARNING, EXPORT_YES,
               subject_columns=("leader_id",), actor_columns=("reviewed_by_id",),
               personal_columns={"what_we_did": "the leader's notes", "what_helped": "the leader's notes",
                                 "review_comment": "staff comment"},
               dsl_only_columns=("what_we_did", "what_helped")),
    TableEntry("mentoring_mentee", "Which pupils a mentoring session was with.", LEARNING, EXPORT_YES,
               subject_columns=("pupil_id",)),
    # --- safeguarding ------------------------------------------------------------------------------
    TableEntry("concern", "Safeguarding concerns, seen only by the DSL.", SAFEGUARDING, EXPORT_DSL,
               subject_columns=("about_id", "reported_by_id"),
               actor_columns=("acknowledged_by_id", "actions_recorded_by_id", "closed_by_id"),
               personal_columns={"description": "what happened", "date_of_birth": "pupil's date of birth",
                                 "category": "area of risk", "pupil_choice": "what the pupil chose"}),
    TableEntry("concern_action", "What the DSL did about a concern.", SAFEGUARDING, EXPORT_DSL,
               actor_columns=("recorded_by_id",), via=("concern_id", "concern"),
               personal_columns={"note": "DSL's note"}),
    TableEntry("concern_note", "The DSL's notes on a concern.", SAFEGUARDING, EXPORT_DSL,
               actor_columns=("author_id",), via=("concern_id", "concern"),
               personal_columns={"body": "DSL's note"}),
    TableEntry("concern_link", "Concerns the DSL linked together.", SAFEGUARDING, EXPORT_DSL,
               actor_columns=("created_by_id",), via=("first_id", "concern")),
    TableEntry("concern_audit", "Who opened or changed a concern (append-only).", SAFEGUARDING, EXPORT_NO,
               personal_columns={"actor_id": "member of staff", "actor_name": "member of staff's name"}),
    # --- the school's own records ------------------------------------------------------------------
    TableEntry("aup_version", "The school's acceptable use policy.", SCHOOL_RECORD, EXPORT_NO,
               actor_columns=("published_by_id",)),
    TableEntry("checklist_item", "The e-safeguarding checklist.", SCHOOL_RECORD, EXPORT_NO,
               actor_columns=("rated_by_id",), personal_columns={"owner": "name of the member of staff"}),
    TableEntry("checklist_review", "Reviews of the checklist.", SCHOOL_RECORD, EXPORT_NO,
               actor_columns=("reviewed_by_id",), personal_columns={"reviewer_name": "reviewer's name"}),
    TableEntry("checklist_settings", "Checklist thresholds.", SCHOOL_RECORD, EXPORT_NO,
               actor_columns=("updated_by_id",)),
    TableEntry("school_badge", "Badges the school made.", SCHOOL_RECORD, EXPORT_NO, actor_columns=("created_by_id",)),
    TableEntry("badge_issuer", "The school's contact details in badges it issues.", SCHOOL_RECORD, EXPORT_NO,
               personal_columns={"email": "school contact email"}),
)

BY_TABLE = {entry.table: entry for entry in REGISTRY}


def entry(table: str) -> TableEntry:
    return BY_TABLE[table]


def exported_tables(include_dsl: bool) -> list[TableEntry]:
    """Tables a subject access export includes: the pupil's own, plus safeguarding ones when the DSL allows."""
    wanted = {EXPORT_YES, EXPORT_DSL} if include_dsl else {EXPORT_YES}
    return [e for e in REGISTRY if e.export in wanted and (e.subject_columns or e.via)]


def user_columns(entry: TableEntry) -> set[str]:
    return set(entry.subject_columns) | set(entry.actor_columns)
