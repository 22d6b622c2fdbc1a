"""A portal over a real store for the web tests: the sample, the demo's evaluations, hostile text, one user
per role (tests/test_portal*.py).

The store is built the same way on SQLite and on PostgreSQL: ``mel init``'s schema, the sample workbook and
lessons, the evaluations of the session's ``mel demo`` copied row by row (their notebooks' HTML stays where the
demo wrote it), and a lesson whose text tries every way of running script (written straight into the store, as
a future importer with a weaker check might, so the test is about escaping where text is written).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, insert, select

from mel_core.access import Viewer
from mel_core.accounts.users import add_user
from mel_core.config import Settings, sample_lessons_dir
from mel_core.demo import trade_sample
from mel_core.demo.sample import SAMPLE_WORKBOOK
from mel_core.ingest import import_path
from mel_core.kb.index import build_index
from mel_core.lessons.calls import new_call
from mel_core.lessons.ingest import ingest_lessons
from mel_core.reference import init_store
from mel_core.store import (
    Evaluation,
    Finding,
    Lesson,
    LessonProvince,
    LessonSection,
    Programme,
    Rating,
    Recommendation,
    make_engine,
    session_scope,
    table_of,
)
from mel_core.submissions import submit
from mel_core.vocabulary import ROLES
from tests.datasets import write_xlsx

#: Lessons of the sample whose rules the tests check.
PUBLIC_WITH_CONTACT = "2020-ca-mau-tom-rung"
CONTACT_VALUES = ("0290 3831 442", "phongtt.snn@example.vn", "Trần Thanh Phong")
INTERNAL = "2019-dak-lak-nhom-phu-nu-tiet-kiem"
INTERNAL_TITLE = "Nhóm phụ nữ tiết kiệm và khởi nghiệp nhỏ ở buôn đồng bào Ê Đê"
INTERNAL_CONTACT = ("0935 771 260", "hbia.hoiphunu@example.vn")
DRAFT = "2026-thanh-hoa-climate-resilient-shrimp-midterm"
#: The call for lessons of the portal store.
CALL = "247/KTHT-GN"
#: A public lesson submitted but not yet published (Lào Cai: outside the test contributor's province).
SUBMITTED = "2013-lao-cai-cattle-bank"
DIEN_BIEN_LESSON = "2013-dien-bien-bo-sinh-san"
HOSTILE = "2026-hostile-text"
HOSTILE_TITLE = 'Bypass <script>alert("title")</script><svg/onload=alert(1)>'
HOSTILE_BODY = (
    "Text with <script>alert('body')</script> and <img src=x onerror=alert('img')> and"
    " [a link](javascript:alert('link')) and <a href=\"javascript:alert('raw')\">raw</a>"
    ' and <iframe src="https://example.org"></iframe>.'
)
#: A public lesson whose text names its contact (wrapped across lines) and writes phones and e-mails in forms
#: that dodge a simple pattern; only reviewers and administrators may read them.
PERSONAL = "2026-lai-chau-ga-tha-vuon"
PERSONAL_CONTACT = {"name": "Hoàng Thị Mai", "phone": "0912 345 678"}
PERSONAL_SECRETS = ("Hoàng Thị", "345\u00a0678", "\uff13\uff14\uff15", "mai.ht", "+84 (0) 24")


@dataclass
class PortalStore:
    """Where the portal's store and indexes are, and the password of each role's user."""

    settings: Settings
    passwords: dict[str, str] = field(default_factory=dict)
    #: a checked workbook submission of each of these roles, by id (``contributor``, ``reviewer``)
    submissions: dict[str, int] = field(default_factory=dict)

    def email(self, role: str) -> str:
        return f"{role}@test.example.org"


def _copy_evaluations(source: Engine, target: Engine) -> int:
    """Copy the evaluations (with ratings, findings, recommendations) of ``source`` into ``target``,
    programmes matched by code (the evaluations of a demo programme the target does not hold are left out);
    returns how many evaluations."""
    tables = [table_of(m) for m in (Evaluation, Rating, Finding, Recommendation)]
    programmes = table_of(Programme)
    with source.connect() as src, target.begin() as dst:
        codes = dict(src.execute(select(programmes.c.id, programmes.c.code)).all())
        ids = {code: pid for pid, code in dst.execute(select(programmes.c.id, programmes.c.code)).all()}
        evaluations = [
            dict(r) for r in src.execute(select(tables[0])).mappings() if codes[r["programme_id"]] in ids
        ]
        for row in evaluations:
            row["programme_id"] = ids[codes[row["programme_id"]]]
        dst.execute(insert(tables[0]), evaluations)
        kept = [row["id"] for row in evaluations]
        for table in tables[1:]:
            rows = [
                dict(r) for r in src.execute(select(table).where(table.c.evaluation_id.in_(kept))).mappings()
            ]
            if rows:
                dst.execute(insert(table), rows)
    return len(evaluations)


def _hostile_lesson(engine: Engine) -> None:
    with session_scope(engine) as session:
        lesson = Lesson(
            key=HOSTILE,
            title=HOSTILE_TITLE,
            language="en",
            year=2026,
            submitted_by="<b onmouseover=alert(1)>NGO</b>",
            sector="livestock",
            visibility="public",
            status="published",
        )
        session.add(lesson)
        session.flush()
        assert lesson.id is not None
        session.add(LessonProvince(lesson_id=lesson.id, admin_unit_code="11"))
        for position, (number, heading, body) in enumerate(
            [
                ("1", "Model <i>information</i>", HOSTILE_BODY),
                ("3", "Lessons", f"- **<script>alert('item')</script> first lesson.** {HOSTILE_BODY}"),
            ]
        ):
            session.add(
                LessonSection(
                    lesson_id=lesson.id, position=position, number=number, heading=heading, body=body
                )
            )


def _personal_lesson(engine: Engine) -> None:
    with session_scope(engine) as session:
        lesson = Lesson(
            key=PERSONAL,
            title="Nuôi gà thả vườn (ĐT 0912\u00a0345\u00a0678)",
            language="vi",
            year=2026,
            submitted_by="Sở Nông nghiệp và PTNT Lai Châu",
            sector="livestock",
            visibility="public",
            status="published",
            contact=PERSONAL_CONTACT,
        )
        session.add(lesson)
        session.flush()
        assert lesson.id is not None
        session.add(LessonProvince(lesson_id=lesson.id, admin_unit_code="12"))
        body = (
            "Tổ hợp tác do chị Hoàng Thị\nMai phụ trách giữ giống gà; gọi "
            "\uff10\uff19\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18, +84 (0) 24 3823 4567 "
            "hoặc mai.ht\uff20example.vn, mai.ht [at] example [dot] org."
        )
        for position, (number, heading, text) in enumerate(
            [("1", "Thông tin về mô hình", body), ("3", "Bài học kinh nghiệm", f"- **Giữ giống gà.** {body}")]
        ):
            session.add(
                LessonSection(
                    lesson_id=lesson.id, position=position, number=number, heading=heading, body=text
                )
            )


OBSERVATION_HEADER = [
    "programme_code",
    "indicator_code",
    "period",
    "admin_unit",
    "value",
    "disaggregation",
    "source",
    "note",
]


def _submissions(engine: Engine, store: PortalStore) -> None:
    """A checked workbook submission from the contributor (Điện Biên) and one from the reviewer, not approved:
    the store's figures stay the sample's."""
    for role, value in (("contributor", 1.5), ("reviewer", 2.5)):
        path = write_xlsx(
            store.settings.home / f"{role}.xlsx",
            {"observations": [OBSERVATION_HEADER, ["DB-BSS-2011", "IN1", "2040", "11", value, "", "", ""]]},
        )
        viewer = Viewer(
            role=role, email=store.email(role), provinces=("11",) if role == "contributor" else ()
        )
        with path.open("rb") as stream:
            submission = submit(engine, store.settings.home, viewer, stream, path.name)
        assert submission.status == "checked", submission.problems
        store.submissions[role] = submission.id or 0


def build_portal_store(db_url: str, home: Path, demo_db: Path) -> PortalStore:
    """A store at ``db_url`` with the sample, the demo's evaluations, a hostile lesson, both indexes under
    ``home``, one user per role (contributor scoped to Điện Biên, 11) and a checked workbook submission of the
    contributor and of the reviewer."""
    settings = Settings(home=home, db_url=db_url)
    engine = make_engine(db_url)
    demo = make_engine(f"sqlite:///{demo_db}")
    try:
        init_store(engine)
        store = PortalStore(settings)
        with session_scope(engine) as session:
            for role in ROLES:
                password = secrets.token_urlsafe(12)
                scope = ["11"] if role == "contributor" else []
                add_user(session, store.email(role), role, password, scope)
                store.passwords[role] = password
        import_path(engine, SAMPLE_WORKBOOK)
        import_path(engine, trade_sample.write(home / "trade_promotion_sample.xlsx"))  # "my reports" (#17)
        ingest_lessons(engine, sample_lessons_dir(), publish_as=store.email("reviewer"))
        with session_scope(engine) as session:  # the letter itself, asking Điện Biên and Quảng Bình
            new_call(
                session, CALL, "Thông tin và kinh nghiệm các mô hình giảm nghèo", year=2013,
                issued_on=date(2013, 6, 10), deadline=date(2013, 7, 15), by=store.email("reviewer"),
                provinces=["11", "44"], organisations=["Oxfam Việt Nam"],
            )  # fmt: skip
        assert _copy_evaluations(demo, engine) > 0
        _hostile_lesson(engine)
        _personal_lesson(engine)
        _submissions(engine, store)
        _attachments(engine, store)
        for audience in ("public", "internal"):
            build_index(engine, settings.index_dir_for(audience), audience=audience)
    finally:
        demo.dispose()
        engine.dispose()
    return store


#: the files attached in the portal's store, by id: (what they belong to, visibility)
ATTACHED = {
    1: ("programme:DB-BSS-2011", "public"),
    2: ("programme:DB-BSS-2011", "internal"),
    3: (f"lesson:{INTERNAL}", "public"),
}


def _attachments(engine: Engine, store: PortalStore) -> None:
    """A public and an internal report of a programme, and a public one of the internal lesson."""
    from mel_core.attachments import attach, parse_target
    from tests.test_attachments import pdf_bytes

    with session_scope(engine) as session:
        for number, (target, visibility) in ATTACHED.items():
            attach(
                session, store.settings.home, parse_target(target), pdf_bytes(f"Bao cao so {number}"),
                f"Báo cáo số {number}.pdf", visibility=visibility,
                by=store.email("reviewer" if target.startswith("lesson:") else "evaluator"),
            )  # fmt: skip


def first_evaluation(db_url: str) -> str:
    """The code of a finished evaluation in the store."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            e = table_of(Evaluation)
            return str(conn.scalar(select(e.c.code).where(e.c.status == "succeeded").order_by(e.c.id)))
    finally:
        engine.dispose()
