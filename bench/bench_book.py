"""Book benchmark (issue 5): build times of the year's book, against a default Jupyter Book 1 site.

All in one run, on one machine, through the public ``mel_core.book.build.build_book``:

- **sample book**: the demo store (sample workbook and lessons, the 10 sample programmes evaluated once and kept
  in ``bench/_work/book/sample/``) with the sample lessons, built into an empty folder (clean), then again with
  nothing changed;
- **generated year**: N lesson files (500 by default) made from the sample lessons (ids, titles, provinces
  over the GSO codes, pre-2025 ones included, sectors, themes varied; bodies drawn section by section from the
  sample lessons of the same language) and M succeeded evaluations (50 by default: copies of the 10 sample
  evaluations' records and executed notebooks, each for a distinct programme and kind) in a copy of the demo
  store; built clean, rebuilt after one sentence of one lesson file changed (the new sentence is then looked
  for in the built pages), and rebuilt with nothing changed;
- **baseline**: a default Jupyter Book 1 site (``jupyter-book build``, default settings, execution off) of N
  markdown pages, one per generated lesson, built clean;
- **PDF**: the sample book's printable edition (single-page build and Chromium printing), when Chromium is found.

Usage::

    make bench                                    # all benchmarks; figures into bench/README.md
    .venv/bin/python bench/bench_book.py          # this one only (10 to 15 minutes on 2 cores)
    .venv/bin/python bench/bench_book.py --lessons 100 --evaluations 20 --no-baseline   # a quick look
    .venv/bin/python bench/bench_book.py --profile    # also where the build time goes (profiled builds)
    .venv/bin/python bench/bench_book.py --committed  # the code of the last commit, not the working tree

Rebuild times vary with the load of the machine: the load average at the start and end is reported with them.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import platform
import pstats
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from sqlalchemy import Engine, func, insert, select  # noqa: E402

from mel_core import geo  # noqa: E402
from mel_core.book.build import build_book, find_chromium, print_pdf  # noqa: E402
from mel_core.config import load_settings, sample_lessons_dir, sqlite_url  # noqa: E402
from mel_core.lessons.check import validate_lessons  # noqa: E402
from mel_core.lessons.parse import LessonFile  # noqa: E402
from mel_core.reference import taxonomy  # noqa: E402
from mel_core.store import (  # noqa: E402
    Evaluation,
    Finding,
    Programme,
    ProgrammeProvince,
    Rating,
    Recommendation,
    make_engine,
    table_of,
)

README = BENCH / "README.md"
BEGIN, END = "<!-- figures:book -->", "<!-- /figures:book -->"
SEED = 20260105
SAMPLE_YEAR = 2026
DEFAULT_LESSONS, DEFAULT_EVALUATIONS = 500, 50
TARGET_CLEAN_S, TARGET_REBUILD_S = 60.0, 5.0
_TOP = re.compile(r"^## (\d+)\.", re.M)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_STARTED = time.time()


def log(message: str) -> None:
    print(f"[{time.time() - _STARTED:7.1f} s] {message}", flush=True)


# ------------------------------------------------------------------------------------------------ the sample
def sample_home(work: Path, fresh: bool, workers: int) -> tuple[Path, float | None]:
    """MEL_HOME with the demo store and the 10 sample evaluations; reused when complete (unless ``fresh``).

    Returns the folder and the seconds the evaluation took (None when reused).
    """
    from mel_core.demo.run import demo_evaluations, run_demo

    home = work / "sample"
    settings = load_settings({"MEL_HOME": str(home)})
    stamp = _sample_stamp()
    if not fresh and _sample_complete(home):
        if (home / STAMP).is_file() and (home / STAMP).read_text() == stamp:
            log(f"reusing the evaluated sample in {home} (--fresh to evaluate again)")
            return home, None
        log("the templates, the criteria code or the sample changed since the sample was evaluated")
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    log("mel demo's store: sample workbook and sample lessons")
    run_demo(settings)
    log(f"evaluating the sample programmes ({workers} workers)")
    started = time.perf_counter()
    outcomes = demo_evaluations(settings, home / "evaluations", workers=workers)
    seconds = time.perf_counter() - started
    failed = [o for o in outcomes if o.status != "succeeded"]
    if failed:
        raise SystemExit(f"sample evaluations failed: {failed}")
    log(f"  {len(outcomes)} evaluations in {seconds:.0f} s")
    (home / STAMP).write_text(stamp)
    return home, seconds


STAMP = ".bench-stamp"


def _sample_stamp() -> str:
    """A hash of what the evaluated sample depends on: templates, criteria and evaluation code, sample workbook."""
    from mel_core.config import PACKAGE_DIR
    from mel_core.demo.sample import SAMPLE_WORKBOOK
    from mel_core.evaluations.templates import TEMPLATE_NAMES, template_path

    files = [template_path(name) for name in TEMPLATE_NAMES] + [Path(SAMPLE_WORKBOOK)]
    for package in ("criteria", "evaluations", "demo"):
        files += sorted((PACKAGE_DIR / package).glob("*.py"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _sample_complete(home: Path) -> bool:
    db = home / "mel.db"
    if not db.is_file():
        return False
    engine = make_engine(sqlite_url(db))
    try:
        e = table_of(Evaluation)
        with engine.connect() as conn:
            rows = conn.execute(select(e.c.output_dir).where(e.c.status == "succeeded")).all()
    except Exception:  # an older or broken store: evaluate again
        return False
    finally:
        engine.dispose()
    return len(rows) >= 10 and all(r[0] and any(Path(r[0]).glob("*.ipynb")) for r in rows)


def evaluation_year(engine: Engine) -> int:
    e = table_of(Evaluation)
    with engine.connect() as conn:
        latest = conn.execute(select(func.max(e.c.finished_at)).where(e.c.status == "succeeded")).scalar()
    assert latest is not None, "the store has no succeeded evaluation"
    return latest.year


# ---------------------------------------------------------------------------------------- the generated year
@dataclass
class SampleLesson:
    meta: dict[str, Any]
    chunks: dict[str, str]  # top-level section number → its text (heading and subsections)


def read_sample_lessons() -> list[SampleLesson]:
    """The public sample lessons, each cut into its top-level sections (``## 1.`` …)."""
    read, problems = validate_lessons([sample_lessons_dir()])
    if problems:
        raise SystemExit(f"the sample lessons have problems: {problems[:3]}")
    out = []
    for _, lesson in read:
        if lesson.meta.get("visibility", "public") != "public" or lesson.meta.get("status") != "published":
            continue
        out.append(SampleLesson(lesson.meta, _chunks(lesson)))
    return out


def _chunks(lesson: LessonFile) -> dict[str, str]:
    body = lesson.body
    starts = [(m.start(), m.group(1)) for m in _TOP.finditer(body)]
    return {
        number: body[start : starts[k + 1][0] if k + 1 < len(starts) else len(body)].strip()
        for k, (start, number) in enumerate(starts)
    }


def write_lessons(folder: Path, count: int, year: int, seed: int) -> list[Path]:
    """``count`` lesson files of ``year`` under ``folder/<year>/``, made from the sample lessons (seeded)."""
    rng = random.Random(seed)
    samples = read_sample_lessons()
    codes = sorted(geo.provinces())
    names = {c: p.name for c, p in geo.provinces().items()}
    terms = taxonomy()
    sectors, themes = list(terms["sectors"]), list(terms["themes"])
    shutil.rmtree(folder, ignore_errors=True)
    target = folder / str(year)
    target.mkdir(parents=True)
    paths = []
    for n in range(1, count + 1):
        template = samples[(n - 1) % len(samples)]
        language = template.meta["language"]
        donors = [s for s in samples if s.meta["language"] == language]
        body = "\n\n".join(
            rng.choice([d for d in donors if number in d.chunks]).chunks[number] for number in template.chunks
        )
        provinces = rng.sample(codes, rng.choice((1, 1, 1, 2, 2, 3)))
        lesson_id = f"{year}-bench-{n:04d}-{str(template.meta['id']).split('-', 1)[1]}"[:128].rstrip("-")
        meta: dict[str, Any] = {
            "id": lesson_id,
            "title": f"{template.meta['title']}: {names[provinces[0]]} ({n})",
            "language": language,
            "year": year,
            "submitted_by": template.meta["submitted_by"],
            "submitter_kind": template.meta["submitter_kind"],
            "funding": template.meta["funding"],
            "provinces": provinces,
            "sector": rng.choice(sectors),
            "themes": rng.sample(themes, rng.choice((1, 1, 2, 2, 3))),
            "visibility": "public",
            "status": "published",
            "illustrative": True,
        }
        if template.meta.get("contact"):
            meta["contact"] = template.meta["contact"]
        front = "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in meta.items())
        path = target / f"{lesson_id}.md"
        path.write_text(f"---\n{front}\n---\n{body}\n", encoding="utf-8")
        paths.append(path)
    read, problems = validate_lessons([folder])
    if problems or len(read) != count:
        raise SystemExit(
            f"generated lessons do not pass the check: {len(problems)} problems, e.g. {problems[:3]}"
        )
    return paths


KINDS = ("ex_post", "mid_term", "final", "other")


def year_store(sample: Path, folder: Path, evaluations: int) -> str:
    """A copy of the sample store with ``evaluations`` succeeded evaluations, each a distinct programme and kind.

    The sample's own evaluations are kept; each copy takes one of them (its ratings, findings, recommendations and
    executed notebooks, copied into a folder of its own) for another kind of the same programme, then for copies of
    the programme (new codes, same provinces).
    """
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db = folder / "mel.db"
    source = sqlite3.connect(sample / "mel.db")
    copy = sqlite3.connect(db)
    source.backup(copy)
    source.close()
    copy.close()
    engine = make_engine(sqlite_url(db))
    e, p, pp = table_of(Evaluation), table_of(Programme), table_of(ProgrammeProvince)
    with engine.begin() as conn:
        originals = (
            conn.execute(select(e).where(e.c.status == "succeeded").order_by(e.c.code)).mappings().all()
        )
        if evaluations < len(originals):
            raise SystemExit(f"--evaluations must be at least {len(originals)} (the sample's evaluations)")
        for i in range(evaluations - len(originals)):
            src = originals[i % len(originals)]
            round_ = i // len(originals)  # 0, 1, 2: other kinds of the same programme; then programme copies
            if round_ < len(KINDS) - 1:
                programme_id, kind = src["programme_id"], KINDS[round_ + 1]
            else:
                copy_no, kind = (round_ - len(KINDS) + 1) // len(KINDS) + 1, KINDS[(round_ + 1) % len(KINDS)]
                programme_id = _programme_copy(conn, p, pp, src["programme_id"], copy_no)
            code = f"{src['code']}-B{i + 1:02d}"
            out_dir = folder / "evaluations" / code
            out_dir.mkdir(parents=True)
            for notebook in sorted(Path(src["output_dir"]).glob("*.ipynb")):
                shutil.copy2(notebook, out_dir / notebook.name)
            row = {k: v for k, v in src.items() if k != "id"}
            row |= {"code": code, "programme_id": programme_id, "kind": kind, "output_dir": str(out_dir)}
            new_id = conn.execute(insert(e).values(row)).inserted_primary_key[0]
            for model in (Rating, Finding, Recommendation):
                t = table_of(model)
                rows = conn.execute(select(t).where(t.c.evaluation_id == src["id"])).mappings().all()
                if rows:
                    conn.execute(
                        insert(t),
                        [{k: v for k, v in r.items() if k != "id"} | {"evaluation_id": new_id} for r in rows],
                    )
    engine.dispose()
    return sqlite_url(db)


def _programme_copy(conn: Any, p: Any, pp: Any, programme_id: int, copy_no: int) -> int:
    src = conn.execute(select(p).where(p.c.id == programme_id)).mappings().one()
    code = f"{src['code']}-C{copy_no}"
    found = conn.execute(select(p.c.id).where(p.c.code == code)).scalar()
    if found is not None:
        return found
    row = {k: v for k, v in src.items() if k not in ("id", "parent_id")}
    row |= {"code": code, "title": f"{src['title']} (giai đoạn {copy_no + 1})"}
    if src["title_en"]:
        row["title_en"] = f"{src['title_en']} (phase {copy_no + 1})"
    new_id = conn.execute(insert(p).values(row)).inserted_primary_key[0]
    places = conn.execute(select(pp).where(pp.c.programme_id == programme_id)).mappings().all()
    if places:
        conn.execute(insert(pp), [dict(r) | {"programme_id": new_id} for r in places])
    return new_id


def edit_one_lesson(path: Path, marker: str) -> None:
    """Replace the first sentence of the first plain paragraph line of the lesson's body with ``marker``."""
    text = path.read_text(encoding="utf-8")
    head, fence, body = text.partition("\n---\n")
    lines = body.split("\n")
    for k, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith(("#", "-", "*")):
            rest = _SENTENCE.split(line, maxsplit=1)
            lines[k] = marker + (" " + rest[1] if len(rest) > 1 else "")
            break
    else:
        raise SystemExit(f"no paragraph to edit in {path}")
    path.write_text(head + fence + "\n".join(lines), encoding="utf-8")


def html_contains(html: Path, text: str) -> list[str]:
    return [str(p.relative_to(html)) for p in sorted(html.rglob("*.html")) if text in p.read_text("utf-8")]


# ----------------------------------------------------------------------------------------------- the baseline
def baseline_site(folder: Path, lessons: list[Path]) -> None:
    """A default Jupyter Book 1 site: one markdown page per lesson (its title and body), default config."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "pages").mkdir(parents=True)
    names = []
    for k, path in enumerate(lessons, start=1):
        text = path.read_text(encoding="utf-8")
        _, _, body = text.partition("\n---\n")
        title = json.loads(re.search(r"^title: (.*)$", text, re.M).group(1))  # type: ignore[union-attr]
        name = f"page{k:04d}"
        (folder / "pages" / f"{name}.md").write_text(f"# {title}\n\n{body}", encoding="utf-8")
        names.append(name)
    (folder / "intro.md").write_text(
        "# Baseline\n\nA default Jupyter Book of plain pages.\n", encoding="utf-8"
    )
    (folder / "_config.yml").write_text(
        "title: Baseline\nauthor: bench\nexecute:\n  execute_notebooks: 'off'\n", encoding="utf-8"
    )
    toc = "format: jb-book\nroot: intro\nchapters:\n" + "".join(f"- file: pages/{n}\n" for n in names)
    (folder / "_toc.yml").write_text(toc, encoding="utf-8")


def build_baseline(folder: Path) -> Clock:
    shutil.rmtree(folder / "_build", ignore_errors=True)
    jb = Path(sys.executable).with_name("jupyter-book")
    with clocked() as clock:
        done = subprocess.run(
            [str(jb), "build", str(folder)], capture_output=True, text=True, errors="replace"
        )
    if done.returncode != 0 or not (folder / "_build" / "html" / "index.html").is_file():
        raise SystemExit(f"jupyter-book build failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return clock


# --------------------------------------------------------------------------------------------------- timings
@dataclass
class Clock:
    """Wall-clock seconds, and CPU seconds of this process and of the subprocesses it waited for."""

    wall: float = 0.0
    cpu: float = 0.0


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@contextmanager
def clocked() -> Iterator[Clock]:
    clock = Clock()
    wall, cpu = time.perf_counter(), _cpu()
    try:
        yield clock
    finally:
        clock.wall, clock.cpu = time.perf_counter() - wall, _cpu() - cpu


def median(clocks: list[Clock]) -> Clock:
    return Clock(statistics.median(c.wall for c in clocks), statistics.median(c.cpu for c in clocks))


def timed_build(
    engine: Engine, year: int, ev_year: int, lessons: Path, out: Path, **kw: Any
) -> tuple[Clock, Any]:
    with clocked() as clock:
        result = build_book(engine, year, lessons_dir=lessons, out=out, evaluation_year=ev_year, **kw)
    return clock, result


def html_pages(out: Path) -> int:
    return sum(1 for p in (out / "html").rglob("*.html") if p.name not in ("genindex.html", "search.html"))


# ---------------------------------------------------------------------------------------------------- profile
@contextmanager
def profiled_subprocess(folder: Path) -> Iterator[Path]:
    """Run the build's Python subprocesses under cProfile (``sys.executable`` pointed at a wrapper script)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    wrapper = folder / "python"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m cProfile -o "{folder}/sub-$$.prof" "$@"\n')
    wrapper.chmod(0o755)
    real = sys.executable
    sys.executable = str(wrapper)
    try:
        yield folder
    finally:
        sys.executable = real


#: the parent process: every function of these modules taking at least this share of build_book's time
PARENT_MODULES = ("mel_core/book/", "mel_core/lessons/", "mel_core/kb/")
PARENT_SHARE = 0.02
#: (label, file suffix, function) in the Sphinx subprocess, in the order shown; "·" rows are inside the row above
SUB_ROWS = (
    ("Sphinx start: extensions, config, saved environment", "sphinx/application.py", "__init__"),
    ("· load the extensions (mostly imports: MyST-NB, themes)", "sphinx/registry.py", "load_extension"),
    ("· load the saved environment", "sphinx/application.py", "_load_existing_env"),
    ("read: parse the new and changed pages", "sphinx/builders/__init__.py", "read"),
    ("· MyST-NB parsing (markdown and notebooks)", "myst_nb/sphinx_.py", "parse"),
    (
        "pages that depend on changed ones (walks every doctree)",
        "sphinx/environment/__init__.py",
        "check_dependents",
    ),
    ("write: pages to HTML", "sphinx/builders/__init__.py", "write"),
    ("· resolve toctrees and references", "sphinx/environment/__init__.py", "get_and_resolve_doctree"),
    ("· page templates (theme, navigation sidebar)", "sphinx/builders/html/__init__.py", "handle_page"),
    ("· · theme: sidebar navigation", "pydata_sphinx_theme/toctree.py", "generate_toctree_html"),
    ("· · theme: header navigation", "pydata_sphinx_theme/toctree.py", "generate_header_nav_html"),
    ("finish: search index, static files", "sphinx/builders/html/__init__.py", "finish"),
    ("· search index written", "sphinx/builders/html/__init__.py", "dump_search_index"),
)
_BUILDER_BUILD = ("sphinx/builders/__init__.py", "build")
_BUILD_SPHINX = ("jupyter_book/sphinx.py", "build_sphinx")
_SUB_MAIN = ("mel_core/book/sphinx_build.py", "<module>")


def _cumulative(stats: pstats.Stats, suffix: str, function: str) -> float | None:
    found = [
        value[3]
        for (path, _, name), value in stats.stats.items()  # type: ignore[attr-defined]
        if name == function and path.replace(os.sep, "/").endswith(suffix)
    ]
    return max(found) if found else None


def profile_rows(parent: Path, subs: list[Path]) -> list[tuple[str, str, float]]:
    """(process, step, seconds) of a profiled build; the Sphinx rows summed over its subprocesses."""
    rows: list[tuple[str, str, float]] = []
    stats = pstats.Stats(str(parent))
    total = stats.total_tt  # type: ignore[attr-defined]
    rows.append(("parent", "`build_book`, all", total))
    mine = []
    for (path, _, name), value in stats.stats.items():  # type: ignore[attr-defined]
        where = path.replace(os.sep, "/")
        module = next((m for m in PARENT_MODULES if m in where), None)
        if module and name != "build_book" and not name.startswith("<") and value[3] >= PARENT_SHARE * total:
            mine.append((value[3], f"`{where.rsplit('mel_core/', 1)[1].removesuffix('.py')}.{name}`"))
    rows += [("parent", label, seconds) for seconds, label in sorted(mine, reverse=True)]
    sub_stats = [pstats.Stats(str(s)) for s in subs]

    def summed(suffix: str, function: str) -> float | None:
        values = [v for s in sub_stats if (v := _cumulative(s, suffix, function)) is not None]
        return sum(values) if values else None

    sub_total = summed(*_SUB_MAIN) or sum(s.total_tt for s in sub_stats)  # type: ignore[attr-defined]
    rows.append(("sphinx", f"subprocess, all ({len(subs)} run{'s' if len(subs) > 1 else ''})", sub_total))
    if (inside := summed(*_BUILD_SPHINX)) is not None:
        rows.append(("sphinx", "imports before Sphinx starts", sub_total - inside))
    top_level = 0.0
    for label, suffix, function in SUB_ROWS:
        value = summed(suffix, function)
        if value is not None:
            rows.append(("sphinx", label, value))
            if function in ("read", "check_dependents", "write", "finish"):
                top_level += value
    if (build := summed(*_BUILDER_BUILD)) is not None:
        rows.append(("sphinx", "other build steps (environment saved, consistency check)", build - top_level))
    return rows


def profile_build(
    engine: Engine,
    year: int,
    ev_year: int,
    lessons: Path,
    out: Path,
    folder: Path,
    prepare: Callable[[], None],
) -> list[tuple[str, str, float]]:
    prepare()
    with profiled_subprocess(folder):
        profiler = cProfile.Profile()
        profiler.enable()
        build_book(engine, year, lessons_dir=lessons, out=out, evaluation_year=ev_year)
        profiler.disable()
    profiler.dump_stats(folder / "parent.prof")
    return profile_rows(folder / "parent.prof", sorted(folder.glob("sub-*.prof")))


def top_functions(prof: Path, n: int = 25) -> str:
    import io

    stream = io.StringIO()
    pstats.Stats(str(prof), stream=stream).sort_stats("cumulative").print_stats(n)
    return stream.getvalue()


# ------------------------------------------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lessons", type=int, default=DEFAULT_LESSONS, help="lessons of the generated year")
    parser.add_argument(
        "--evaluations", type=int, default=DEFAULT_EVALUATIONS, help="evaluations (at least 10)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each rebuild (median reported)")
    parser.add_argument(
        "--fresh", action="store_true", help="evaluate the sample again instead of reusing it"
    )
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="for the evaluation")
    parser.add_argument("--no-baseline", action="store_true", help="skip the default Jupyter Book baseline")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF of the sample book")
    parser.add_argument("--profile", action="store_true", help="also profile the generated year's builds")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--work", type=Path, default=BENCH / "_work" / "book")
    parser.add_argument(
        "--committed",
        action="store_true",
        help="measure the code of the last commit (git archive HEAD into the work folder), not the working tree",
    )
    parser.add_argument("--readme", type=Path, default=README, help=argparse.SUPPRESS)
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="print (and with --write-readme write) the figures of the last run's results.json; build nothing",
    )
    parser.add_argument(
        "--write-readme",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="write the figures into bench/README.md (default: only for a full run of the default size)",
    )
    args = parser.parse_args(argv)
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    if args.report_only:
        text = report(_load_results(work / "results.json"))
        print(text)
        if args.write_readme:
            write_readme(text, args.readme)
        return 0
    if args.committed:
        return run_committed(
            work, [a for a in (sys.argv[1:] if argv is None else argv) if a != "--committed"]
        )
    results: dict[str, Any] = {
        "when": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load": os.getloadavg()[0],
        "commit": os.environ.get("MEL_BENCH_COMMIT") or _git("rev-parse", "--short", "HEAD"),
        "book_commit": os.environ.get("MEL_BENCH_BOOK_COMMIT") or _book_commit(),
        "code": os.environ.get("MEL_BENCH_CODE") or _tree_state(),
        "lessons": args.lessons,
        "evaluations": args.evaluations,
        "repeat": args.repeat,
    }

    home, results["sample_evaluation_s"] = sample_home(work, args.fresh, args.workers)
    sample_engine = make_engine(sqlite_url(home / "mel.db"))
    ev_year = evaluation_year(sample_engine)
    sample_lessons = sample_lessons_dir()

    # (a) the sample book
    out = work / "out-sample"
    shutil.rmtree(out, ignore_errors=True)
    log("sample book: clean build")
    clock, result = timed_build(sample_engine, SAMPLE_YEAR, ev_year, sample_lessons, out)
    sample: dict[str, Any] = {"evaluations": result.evaluations, "lessons": result.lessons}
    sample |= {"pages": html_pages(out), "clean": clock}
    log(
        f"  {clock.wall:.1f} s: {result.evaluations} evaluations, {result.lessons} lessons, {sample['pages']} pages"
    )
    log("sample book: rebuilds with nothing changed")
    again = [
        timed_build(sample_engine, SAMPLE_YEAR, ev_year, sample_lessons, out) for _ in range(args.repeat)
    ]
    sample["nochange"] = median([c for c, _ in again])
    sample["nochange_changed"] = again[-1][1].changed
    log(f"  {sample['nochange'].wall:.2f} s (median), files written: {again[-1][1].changed}")
    results["sample"] = sample

    results["pdf"] = None
    if not args.no_pdf and find_chromium():
        log("sample book: printable edition (single-page build and Chromium)")
        clock, result = timed_build(sample_engine, SAMPLE_YEAR, ev_year, sample_lessons, out, pdf=True)
        assert result.pdf is not None and result.pdf.is_file()
        with clocked() as printing:
            print_pdf(out / ".singlehtml" / "index.html", work / "print-only.pdf")
        step = Clock(clock.wall - sample["nochange"].wall, clock.cpu - sample["nochange"].cpu)
        results["pdf"] = {"build_with_pdf": clock, "pdf_step": step, "print_only": printing}
        results["pdf"] |= {"pdf_pages": _pdf_pages(result.pdf), "pdf_bytes": result.pdf.stat().st_size}
        log(f"  with pdf=True {clock.wall:.1f} s (PDF step ≈ {step.wall:.1f} s; Chromium alone"
            f" {printing.wall:.1f} s); {results['pdf']['pdf_pages']} PDF pages")  # fmt: skip
    sample_engine.dispose()

    # (b) the generated year
    log(f"generated year: {args.lessons} lessons, {args.evaluations} evaluations")
    lessons_dir = work / "year" / "lessons"
    lesson_paths = write_lessons(lessons_dir, args.lessons, SAMPLE_YEAR, args.seed)
    url = year_store(home, work / "year" / "store", args.evaluations)
    engine = make_engine(url)
    out = work / "out-year"
    shutil.rmtree(out, ignore_errors=True)
    log("generated year: clean build")
    clock, result = timed_build(engine, SAMPLE_YEAR, ev_year, lessons_dir, out)
    if result.evaluations != args.evaluations or result.lessons != args.lessons:
        raise SystemExit(f"the book has {result.evaluations} evaluations and {result.lessons} lessons")
    year: dict[str, Any] = {"clean": clock, "pages": html_pages(out)}
    year["source_files"] = sum(1 for p in (out / "source").rglob("*") if p.is_file())
    year["html_mb"] = sum(p.stat().st_size for p in (out / "html").rglob("*") if p.is_file()) / 2**20
    log(
        f"  {clock.wall:.1f} s: {result.evaluations} evaluations, {result.lessons} lessons, {year['pages']} pages"
    )

    # (c) one lesson changed
    edited = lesson_paths[len(lesson_paths) // 2]
    clocks, written, found = [], [], []
    for k in range(args.repeat):
        marker = f"Câu này đã được sửa lần {k + 1} để đo thời gian dựng lại sách"
        assert not html_contains(out / "html", marker)
        edit_one_lesson(edited, marker + ".")
        clock, result = timed_build(engine, SAMPLE_YEAR, ev_year, lessons_dir, out)
        found = html_contains(out / "html", marker)
        if not found:
            raise SystemExit(f"the changed sentence of {edited.name} is not in the built pages")
        clocks.append(clock)
        written = result.changed
        log(f"  one lesson changed: {clock.wall:.2f} s; files written {result.changed}; sentence in {found}")
    year["one_lesson"] = median(clocks)
    year["one_lesson_changed"] = written
    year["one_lesson_pages_with_text"] = found

    # (d) nothing changed
    again = [timed_build(engine, SAMPLE_YEAR, ev_year, lessons_dir, out) for _ in range(args.repeat)]
    year["nochange"] = median([c for c, _ in again])
    year["nochange_changed"] = again[-1][1].changed
    log(f"  nothing changed: {year['nochange'].wall:.2f} s (median); files written {again[-1][1].changed}")
    results["year"] = year

    # baseline
    results["baseline"] = None
    if not args.no_baseline:
        log(f"baseline: default Jupyter Book 1 site of {len(lesson_paths)} pages, clean build")
        folder = work / "baseline"
        baseline_site(folder, lesson_paths)
        results["baseline"] = build_baseline(folder)
        results["baseline_pages"] = len(lesson_paths) + 1
        log(f"  {results['baseline'].wall:.1f} s")

    if args.profile:
        log("profiling the generated year: clean build")
        prof = work / "profile"
        clean_rows = profile_build(
            engine, SAMPLE_YEAR, ev_year, lessons_dir, out, prof / "clean", lambda: shutil.rmtree(out)
        )
        log("profiling the generated year: one lesson changed")
        one_rows = profile_build(
            engine, SAMPLE_YEAR, ev_year, lessons_dir, out, prof / "one",
            lambda: edit_one_lesson(edited, "Câu này đã được sửa khi đo hồ sơ thời gian."),
        )  # fmt: skip
        results["profile"] = {"clean": clean_rows, "one_lesson": one_rows}
        for name in ("clean", "one"):
            for f in sorted((prof / name).glob("*.prof")):
                (prof / name / f"{f.stem}.txt").write_text(top_functions(f, 40), encoding="utf-8")
        log(f"profiles (cProfile, top functions as text) in {prof}")
    engine.dispose()

    results["load_end"] = os.getloadavg()[0]
    (work / "results.json").write_text(json.dumps(results, indent=2, default=_jsonable), encoding="utf-8")
    text = report(results)
    print(text)
    full = (
        args.lessons == DEFAULT_LESSONS and args.evaluations == DEFAULT_EVALUATIONS and not args.no_baseline
    )
    if args.write_readme or (args.write_readme is None and full):
        write_readme(text, args.readme)
        log(f"figures written to {args.readme}")
    return 0


def _jsonable(value: Any) -> Any:
    return {"wall_s": value.wall, "cpu_s": value.cpu} if isinstance(value, Clock) else str(value)


def _load_results(path: Path) -> dict[str, Any]:
    def clocks(value: dict[str, Any]) -> Any:
        return Clock(value["wall_s"], value["cpu_s"]) if set(value) == {"wall_s", "cpu_s"} else value

    return json.loads(path.read_text(encoding="utf-8"), object_hook=clocks)


def _pdf_pages(path: Path) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(path).pages)


def _git(*args: str, cwd: Path = BENCH.parent) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    return done.stdout.strip()


def _book_commit() -> str:
    return _git("log", "-1", "--format=%h of %cd", "--date=format:%Y-%m-%d %H:%M", "--", "mel_core/book")


def _tree_state() -> str:
    changed = [
        line.split(maxsplit=1)[-1] for line in _git("status", "--porcelain", "--", "mel_core").splitlines()
    ]
    if not changed:
        return "the working tree (mel_core/ as committed)"
    files = ", ".join(changed)
    return f"the working tree, with uncommitted changes in {files}"


def run_committed(work: Path, argv: list[str]) -> int:
    """Run this benchmark as committed at HEAD on the code committed at HEAD, in an exported copy of the tree."""
    repo = BENCH.parent
    export = work / "committed"
    shutil.rmtree(export, ignore_errors=True)
    export.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=repo, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(export)], input=archive, check=True)
    script = export / "bench" / "bench_book.py"
    if not script.is_file():
        raise SystemExit("bench/bench_book.py is not committed yet: --committed runs the committed copy")
    env = os.environ | {
        "PYTHONPATH": str(export),
        "MEL_BENCH_COMMIT": _git("rev-parse", "--short", "HEAD"),
        "MEL_BENCH_BOOK_COMMIT": _book_commit(),
        "MEL_BENCH_CODE": "the code committed at HEAD (exported with git archive)",
    }
    log(f"running the committed code from {export}")
    extra = ["--work", str(work)] if "--work" not in argv else []
    if "--readme" not in argv:
        extra += ["--readme", str(README)]
    return subprocess.call([sys.executable, str(script), *argv, *extra], cwd=export, env=env)


def report(r: dict[str, Any]) -> str:
    s, y, base = r["sample"], r["year"], r["baseline"]

    def ratio(c: Clock) -> str:
        return f"{c.wall / base.wall:.2f}×" if base else "—"

    def target(c: Clock, limit: float) -> str:
        return f"≤ {limit:.0f} s: {'met' if c.wall <= limit else '**NOT met**'}"

    def row(name: str, c: Clock, pages: Any, evaluations: Any = "", lessons: Any = "", goal: str = "") -> str:
        compared = "1×" if c is base else ratio(c) if name == "generated year, clean" else ""
        return f"| {name} | {evaluations} | {lessons} | {pages} | {c.wall:.2f} | {c.cpu:.2f} | {compared} | {goal} |"

    ev, le = r["evaluations"], r["lessons"]
    lines = [
        f"Run of {r['when']} on {r['machine']} (load average {r['load']:.1f} at the start,"
        f" {r['load_end']:.1f} at the end); {r['code']}"
        f" (commit {r['commit']}; mel_core/book last changed in {r['book_commit']}); rebuilds are medians of"
        f" {r['repeat']}.",
        "",
        "| build | evaluations | lessons | HTML pages | seconds | CPU seconds | ÷ baseline | target |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
        row("sample book, clean", s["clean"], s["pages"], s["evaluations"], s["lessons"]),
        row("sample book, nothing changed", s["nochange"], s["pages"], s["evaluations"], s["lessons"]),
        row("generated year, clean", y["clean"], y["pages"], ev, le, target(y["clean"], TARGET_CLEAN_S)),
        row(
            "generated year, one lesson changed",
            y["one_lesson"],
            y["pages"],
            ev,
            le,
            target(y["one_lesson"], TARGET_REBUILD_S),
        ),
        row("generated year, nothing changed", y["nochange"], y["pages"], ev, le),
    ]
    if base:
        lines.append(
            row("**baseline**: default Jupyter Book 1 site, clean", base, r["baseline_pages"], "", le)
        )
    if r["pdf"]:
        p = r["pdf"]
        lines.append(row("sample book with `pdf=True` (HTML up to date)", p["build_with_pdf"], "", "", ""))
    lines.append("")
    if r["pdf"]:
        p = r["pdf"]
        lines.append(
            f"- PDF of the sample book: the printable step (single-page build and Chromium) takes about"
            f" **{p['pdf_step'].wall:.1f} s** over an up-to-date HTML rebuild, of which Chromium printing alone"
            f" {p['print_only'].wall:.1f} s; {p['pdf_pages']} pages, {p['pdf_bytes'] / 2**20:.1f} MiB."
        )
    else:
        lines.append("- PDF: not measured (no Chromium, or `--no-pdf`).")
    lines.append(
        f"- Generated year: {y['source_files']} source files, {y['html_mb']:.0f} MiB of HTML output. One lesson"
        f" changed: files rewritten {', '.join(f'`{c}`' for c in y['one_lesson_changed']) or 'none'}; nothing"
        f" changed: {', '.join(f'`{c}`' for c in y['nochange_changed']) or 'none'}."
    )
    if r.get("sample_evaluation_s"):
        lines.append(
            f"- Evaluating the sample for the store (not part of any figure): {r['sample_evaluation_s']:.0f} s."
        )
    if r.get("profile"):
        for name, title in (("clean", "clean build"), ("one_lesson", "one lesson changed")):
            lines += [
                "",
                f"Profile of the generated year, {title} (cProfile, so slower than above; cumulative s):",
                "",
            ]
            lines += ["| process | step | seconds | share of the process |", "|---|---|---:|---:|"]
            rows = r["profile"][name]
            totals = {proc: next(sec for p, _, sec in rows if p == proc) for proc, _, _ in rows}
            lines += [
                f"| {proc} | {label} | {sec:.2f} | {sec / totals[proc]:.0%} |" for proc, label, sec in rows
            ]
    return "\n".join(lines)


def write_readme(text: str, path: Path = README) -> None:
    readme = path.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in readme and END in readme:
        head, _, rest = readme.partition(BEGIN)
        _, _, tail = rest.partition(END)
        readme = head + block + tail
    else:
        readme = readme.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(readme, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
