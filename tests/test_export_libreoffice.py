"""Exports are safe to open (#19): formula-like text opens in LibreOffice as the text it is, not as a formula.

Skipped like tests/test_reports_libreoffice.py: only when `soffice` is missing and ``MEL_REQUIRE_LIBREOFFICE`` is
unset (CI sets it).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mel_core.ingest import export_path, import_path
from tests.datasets import copy_tables, write_csv
from tests.test_import import FORMULA_LIKE
from tests.test_reports_libreoffice import REQUIRED, SOFFICE, to_csv


def convert(files: list[Path], out: Path, to: str) -> None:
    assert SOFFICE is not None
    profile = out / "profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", to,
         "--outdir", str(out), *map(str, files)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.skipif(
    SOFFICE is None and not REQUIRED,
    reason="LibreOffice (soffice) is not installed; set MEL_REQUIRE_LIBREOFFICE=1 to make this a failure",
)
def test_formula_like_text_in_an_export_opens_as_text_in_libreoffice(sqlite_engine, tmp_path):
    if SOFFICE is None:
        pytest.fail(
            "MEL_REQUIRE_LIBREOFFICE is set but soffice is not installed (apt: libreoffice-calc-nogui)"
        )
    tables = copy_tables()
    header = tables["programmes"][0]
    for column, value in FORMULA_LIKE.items():
        tables["programmes"][2][header.index(column)] = value
    import_path(sqlite_engine, write_csv(tmp_path / "csv", tables))
    export_path(sqlite_engine, tmp_path / "out.xlsx")
    export_path(sqlite_engine, tmp_path / "out")

    # the workbook: LibreOffice reads each cell as the text, and computes nothing
    workbook = load_workbook(tmp_path / "out.xlsx")
    single = tmp_path / "programmes.xlsx"
    for name in workbook.sheetnames:
        if name != "programmes":
            del workbook[name]
    workbook.save(single)
    [rows] = to_csv([single], tmp_path / "from-xlsx")
    cells = {cell for row in rows for cell in row}
    for value in ('=HYPERLINK("http://example.org","xem")', "+84 cattle", "@SUM(A1:A9) Hội Nông dân"):
        assert value in cells, value

    # the CSV file: opened in LibreOffice (and saved as a workbook), no cell is a formula
    convert([tmp_path / "out" / "programmes.csv"], tmp_path / "from-csv", "xlsx")
    opened = load_workbook(tmp_path / "from-csv" / "programmes.xlsx").active
    assert opened is not None
    kinds = {c.value: c.data_type for row in opened.iter_rows() for c in row if c.value is not None}
    assert not [value for value, kind in kinds.items() if kind == "f"]
    assert any(str(v).endswith('=HYPERLINK("http://example.org","xem")') for v in kinds)
