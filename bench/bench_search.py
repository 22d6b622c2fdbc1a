"""Search benchmark: index build rate, query latency (p50/p95) and one-lesson update, against SQLite FTS5.

For each size (1k, 10k, 100k documents by default) a fresh SQLite store is filled with generated lessons (one
lesson document and three lesson items each, so N documents = N/4 lessons), then:

- **mel build**: ``mel_core.kb.index.build_index`` from the store (read, analyse, write, swap in);
- **FTS5 build** (baseline): the same documents read from the store by the same code, folded
  (``fold_chars``: diacritics removed, đ→d, lowercase, by ``str.translate``) and inserted into an FTS5
  table (title, body, meta; ``unicode61``) in one transaction;
- **queries**: the same generated queries (one to three words, half typed without diacritics, some glossary
  terms) through ``mel_core.kb.search.search`` (top 10 with snippets; then again with facet counts) and through
  FTS5 (``MATCH`` of the folded words, ``ORDER BY bm25`` with the same field weights, top 10, ``snippet()``),
  each side with its index open (a searcher; a connection), every query once (first) and again;
- **one lesson updated**: a lesson's text changed in the store, then ``update_lessons`` for its key.

Usage::

    .venv/bin/python bench/bench_search.py                    # 1k, 10k, 100k
    .venv/bin/python bench/bench_search.py --sizes 1000 10000 --no-write-readme
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from sqlalchemy import Engine, insert, update  # noqa: E402

from mel_core.kb.documents import store_documents  # noqa: E402
from mel_core.kb.glossary import glossary  # noqa: E402
from mel_core.kb.index import build_index, update_lessons  # noqa: E402
from mel_core.kb.search import close_all, search  # noqa: E402
from mel_core.reference import init_store  # noqa: E402
from mel_core.store import Lesson, LessonProvince, LessonSection, LessonTheme, make_engine, table_of  # noqa: E402
from mel_core.text import fold_chars, fold_search, nfc  # noqa: E402

README = BENCH / "README.md"
BEGIN, END = "<!-- figures:search -->", "<!-- /figures:search -->"
SEED = 20130610
QUERIES = 300
_INITIALS = [
    "b",
    "c",
    "ch",
    "d",
    "đ",
    "g",
    "gi",
    "h",
    "k",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "nh",
    "p",
    "ph",
    "qu",
    "r",
    "s",
    "t",
    "th",
    "tr",
    "v",
    "x",
]
_RHYMES = [
    "a",
    "à",
    "á",
    "ả",
    "ã",
    "ạ",
    "ai",
    "ái",
    "am",
    "an",
    "àn",
    "ang",
    "áng",
    "anh",
    "ao",
    "áo",
    "ay",
    "ây",
    "ăn",
    "ăng",
    "âm",
    "ân",
    "ấp",
    "e",
    "è",
    "é",
    "em",
    "en",
    "eo",
    "ê",
    "ế",
    "ên",
    "ênh",
    "i",
    "ì",
    "í",
    "ia",
    "iếc",
    "iên",
    "iêu",
    "im",
    "in",
    "inh",
    "ít",
    "o",
    "ò",
    "ó",
    "oa",
    "òa",
    "oai",
    "oan",
    "oang",
    "oát",
    "oc",
    "ô",
    "ốc",
    "ôi",
    "ông",
    "ơ",
    "ời",
    "ơn",
    "u",
    "ù",
    "ú",
    "ua",
    "uân",
    "uất",
    "ui",
    "um",
    "un",
    "ung",
    "uôi",
    "uốn",
    "uông",
    "uy",
    "ư",
    "ừ",
    "ưa",
    "ức",
    "ưng",
    "ươi",
    "ương",
    "ướt",
]
SECTORS = ("crops", "livestock", "forestry", "aquaculture", "non_farm", "vocational_training", "other")
THEMES = ("process", "empowerment", "building_on_existing", "leveraging_support")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Corpus:
    """Generated Vietnamese-like text: Zipf-distributed syllables, with glossary terms mixed in."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        syllables = sorted({i + r for i in _INITIALS for r in _RHYMES})
        self.random.shuffle(syllables)
        terms = [t.text.lower() for g in glossary().groups for t in g.terms if t.language == "vi"]
        self.words = terms + syllables
        self.weights = [1.0 / (rank + 10) for rank in range(len(self.words))]

    def text(self, n: int) -> str:
        return " ".join(self.random.choices(self.words, self.weights, k=n))

    def query(self) -> str:
        text = self.text(self.random.choice((1, 2, 2, 3)))
        return fold_search(text) if self.random.random() < 0.5 else text


def fill_store(engine: Engine, documents: int, corpus: Corpus) -> list[str]:
    """Write documents/4 lessons (each: 9 subsections of section 1 and 3 lessons in section 3); their keys."""
    lessons = documents // 4
    rnd = corpus.random
    keys, rows, sections, themes, places = [], [], [], [], []
    for n in range(1, lessons + 1):
        key = f"bench-{n:06d}"
        keys.append(key)
        rows.append(
            {"id": n, "key": key, "title": corpus.text(8).capitalize(), "language": "vi"}
            | {"year": rnd.randint(2008, 2025), "sector": rnd.choice(SECTORS), "funding": "state_budget"}
            | {"visibility": "public", "status": "published", "contact": {"phone": "0912 345 678"}}
        )
        body = [(f"1.{k}", corpus.text(3), corpus.text(40)) for k in range(1, 10)]
        items = "\n\n".join(f"### {corpus.text(6)}\n{corpus.text(45)}" for _ in range(3))
        for position, (number, heading, text) in enumerate([*body, ("3", "Bài học kinh nghiệm", items)]):
            sections.append(
                {"lesson_id": n, "position": position, "number": number, "heading": heading, "body": text}
            )
        themes += [{"lesson_id": n, "theme": t} for t in rnd.sample(THEMES, rnd.randint(1, 2))]
        places.append({"lesson_id": n, "admin_unit_code": f"{rnd.choice(range(1, 97)):02d}"})
    with engine.begin() as conn:
        known = {r[0] for r in conn.exec_driver_sql("SELECT code FROM admin_units")}
        places = [p for p in places if p["admin_unit_code"] in known]
        for model, batch in ((Lesson, rows), (LessonSection, sections), (LessonTheme, themes)):
            conn.execute(insert(table_of(model)), batch)
        conn.execute(insert(table_of(LessonProvince)), places)
    return keys


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fts5_build(engine: Engine, path: Path) -> tuple[sqlite3.Connection, float, int]:
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, meta, tokenize='unicode61')")

    def rows() -> Iterator[tuple[str, str, str]]:
        with engine.connect() as conn:
            for doc in store_documents(conn):
                yield fold_chars(nfc(doc.title)), fold_chars(nfc(doc.body)), fold_chars(nfc(doc.meta))

    with db:
        db.executemany("INSERT INTO docs (title, body, meta) VALUES (?, ?, ?)", rows())
    count = db.execute("SELECT count(*) FROM docs").fetchone()[0]
    return db, time.perf_counter() - started, count


def fts5_query(db: sqlite3.Connection, text: str) -> list[Any]:
    words = " ".join(f'"{w}"' for w in fold_search(text).split() if w.isalnum())
    return db.execute(
        "SELECT rowid, title, snippet(docs, 1, '«', '»', '…', 32) FROM docs WHERE docs MATCH ?"
        " ORDER BY bm25(docs, 2.0, 1.0, 0.7) LIMIT 10",
        (words,),
    ).fetchall()


def timed(fn: Any, queries: list[str]) -> dict[str, float]:
    """Latency of each query run the first time (``cold``: caches empty of its words) and again (warm)."""
    out: dict[str, float] = {}
    for label in ("cold", "warm"):
        times = []
        for q in queries:
            started = time.perf_counter()
            fn(q)
            times.append((time.perf_counter() - started) * 1000)
        out |= {f"{label}_p50_ms": percentile(times, 0.5), f"{label}_p95_ms": percentile(times, 0.95)}
        out[f"{label}_mean_ms"] = statistics.mean(times)
    return out


def run_size(documents: int, work: Path) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob(f"search-{documents}*"):
        if old.is_file():
            old.unlink()
    corpus = Corpus(SEED)
    engine = make_engine(f"sqlite:///{work / f'search-{documents}.db'}")
    init_store(engine)
    log(f"{documents:,} documents: writing the store")
    keys = fill_store(engine, documents, corpus)
    index_dir = work / f"search-{documents}-index"
    log("mel build")
    report = build_index(engine, index_dir)
    log(f"mel build: {report.documents:,} documents in {report.seconds:.1f} s; FTS5 build")
    db, fts_seconds, fts_count = fts5_build(engine, work / f"search-{documents}-fts5.db")
    queries = [corpus.query() for _ in range(QUERIES)]
    log("queries")
    search(index_dir, "", facets=False)  # opens the index: reads document lengths (reported apart)
    opened = time.perf_counter()
    close_all()
    search(index_dir, "", facets=False)
    open_s = time.perf_counter() - opened
    mel = timed(lambda q: search(index_dir, q, limit=10, facets=False), queries)
    mel_facets = timed(lambda q: search(index_dir, q, limit=10, facets=True), queries)
    fts = timed(lambda q: fts5_query(db, q), queries)
    key = keys[len(keys) // 2]
    lessons = table_of(LessonSection)
    with engine.begin() as conn:
        lesson_id = conn.execute(table_of(Lesson).select().where(table_of(Lesson).c.key == key)).first()
        assert lesson_id is not None
        conn.execute(
            update(lessons)
            .where(lessons.c.lesson_id == lesson_id.id, lessons.c.number == "3")
            .values(body="### Bài học mới\nQuay vòng bê giúp nhân rộng mô hình giảm nghèo.")
        )
    started = time.perf_counter()
    update_lessons(engine, index_dir, [key])
    update_s = time.perf_counter() - started
    hit = search(index_dir, '"quay vòng bê giúp nhân rộng"', facets=False).hits
    assert hit and hit[0].key.startswith(key), "the updated lesson is found"
    close_all()
    db.close()
    engine.dispose()
    result = {
        "documents": report.documents,
        "mel_build_s": report.seconds,
        "mel_build_rate": report.documents / report.seconds,
        "fts5_build_s": fts_seconds,
        "fts5_build_rate": fts_count / fts_seconds,
        "mel_query": mel,
        "mel_query_facets": mel_facets,
        "fts5_query": fts,
        "update_one_lesson_s": update_s,
        "mel_open_s": open_s,
    }
    log(json.dumps(result))
    return result


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| documents | build mel (docs/s) | build FTS5 (docs/s) | query mel p50 / p95 (ms), first / again |"
        " mel with facets p50 / p95, again | FTS5 p50 / p95, first / again | p95 mel ÷ FTS5, first / again |"
        " one lesson updated (s) | opening the index (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        m, f, b = r["mel_query"], r["mel_query_facets"], r["fts5_query"]
        lines.append(
            f"| {r['documents']:,} | {r['mel_build_rate']:,.0f} | {r['fts5_build_rate']:,.0f} |"
            f" {m['cold_p50_ms']:.1f} / {m['cold_p95_ms']:.1f}, {m['warm_p50_ms']:.1f} / {m['warm_p95_ms']:.1f} |"
            f" {f['warm_p50_ms']:.1f} / {f['warm_p95_ms']:.1f} |"
            f" {b['cold_p50_ms']:.1f} / {b['cold_p95_ms']:.1f}, {b['warm_p50_ms']:.1f} / {b['warm_p95_ms']:.1f} |"
            f" {m['cold_p95_ms'] / b['cold_p95_ms']:.2f} / {m['warm_p95_ms'] / b['warm_p95_ms']:.2f} |"
            f" {r['update_one_lesson_s']:.2f} | {r['mel_open_s']:.1f} |"
        )
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in readme and END in readme:
        head, _, rest = readme.partition(BEGIN)
        _, _, tail = rest.partition(END)
        readme = head + block + tail
    else:
        readme = readme.rstrip("\n") + "\n\n" + block + "\n"
    README.write_text(readme, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--work", type=Path, default=BENCH / "_work")
    parser.add_argument("--write-readme", action=argparse.BooleanOptionalAction, default=None)
    args = parser.parse_args(argv)
    results = [run_size(n, args.work) for n in args.sizes]
    text = table(results)
    print(text)
    (args.work / "search_results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    full = sorted(args.sizes) == [1_000, 10_000, 100_000]
    if args.write_readme or (args.write_readme is None and full):
        write_readme(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
