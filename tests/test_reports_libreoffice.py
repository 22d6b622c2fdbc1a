"""The report workbooks open in LibreOffice with their Vietnamese text intact (converted headless to CSV).

Skipped only when `soffice` is not installed AND ``MEL_REQUIRE_LIBREOFFICE`` is unset; CI sets it (and installs
the Debian package ``libreoffice-calc-nogui``), so the test cannot be skipped there without failing.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from mel_core.reports import build_report, write_report
from mel_core.reports.table import NATIONAL_HEADING, cell_text
from tests.criteria_frames_results import sample_engine

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
REQUIRED = bool(os.environ.get("MEL_REQUIRE_LIBREOFFICE"))
# the three forms for a sample programme and a sample province
REQUESTS = [
    ("annual", {"programme": "DB-BSS-2011"}),
    ("five-year", {"programme": "DB-BSS-2011"}),
    ("annual", {"programme": "DB-BSS-2011", "form": "4.1"}),
    ("six-month", {"province": "11", "period": "2013-H1"}),
    ("five-year", {"province": "11", "period": "2011-2015"}),
    ("annual", {"province": "11", "period": "2013", "form": "4.1"}),
]


def to_csv(workbooks: list[Path], out: Path) -> list[list[list[str]]]:
    """Convert workbooks with LibreOffice headless to UTF-8 CSV (filter options 44,34,76) and read them."""
    assert SOFFICE is not None
    profile = out / "profile"  # a private profile: no clash with a LibreOffice the user has open
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out), *map(str, workbooks)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    read = []
    for workbook in workbooks:
        with (out / (workbook.stem + ".csv")).open(encoding="utf-8", newline="") as fh:
            read.append(list(csv.reader(fh)))
    return read


@pytest.mark.slow
@pytest.mark.skipif(
    SOFFICE is None and not REQUIRED,
    reason="LibreOffice (soffice) is not installed; set MEL_REQUIRE_LIBREOFFICE=1 to make this a failure",
)
def test_each_form_opens_in_libreoffice_with_vietnamese_text_intact(tmp_path):
    if SOFFICE is None:
        pytest.fail(
            "MEL_REQUIRE_LIBREOFFICE is set but soffice is not installed (apt: libreoffice-calc-nogui)"
        )
    engine = sample_engine(tmp_path)
    tables, workbooks = [], []
    with Session(engine) as session:
        for k, (kind, kw) in enumerate(REQUESTS):
            table = build_report(session, kind, today=date(2026, 11, 23), **kw)  # type: ignore[arg-type]
            tables.append(table)
            workbooks.append(write_report(table, tmp_path / f"form-{k}-{table.form}.xlsx"))
    engine.dispose()
    converted = to_csv(workbooks, tmp_path / "csv")
    for table, rows in zip(tables, converted, strict=True):
        cells = [cell for row in rows for cell in row if cell]
        assert all(unicodedata.is_normalized("NFC", cell) for cell in cells)
        wanted = [*NATIONAL_HEADING, *table.issuer, *table.title, table.place_date, table.sheet_name]
        wanted += [h.text for h in table.header] + table.numbering()
        wanted += [str(row.cells[1]) for row in table.body if isinstance(row.cells[1], str)]
        missing = [text for text in wanted if text not in cells]
        assert not missing, f"form {table.form}: not found after conversion: {missing}"
        texts = {cell_text(c) for row in table.body for c in row.cells}
        assert ("chưa có số liệu" in cells) == ("chưa có số liệu" in texts)
    # figures are numbers, shown as formatted (LibreOffice's CSV writes them with the en-US separators)
    op1 = next(row for row in converted[0] if "(OP1)" in row[1])
    assert op1[2:4] == ["hộ", "320"] and op1[6:8] == ["hộ", "331"] and op1[10] == "103.4"
