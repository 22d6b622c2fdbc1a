"""The illustrative sample: deterministic, in step with the committed workbook, complete, and with known effects.

The survey tests estimate each programme's effect with a difference-in-differences of their own (first
differences of the panel, or the 2×2 interaction for the repeated cross-section, errors clustered by cluster)
and check that the true effect the generator gave lies inside the 95% interval.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
import statsmodels.formula.api as smf
from openpyxl import load_workbook

from mel_core.demo.programmes import PROGRAMMES
from mel_core.demo.sample import (
    NOTICE,
    SAMPLE_WORKBOOK,
    SEED,
    TRUE_EFFECTS,
    generate,
    write_csv,
    write_workbook,
)
from mel_core.geo import provinces
from mel_core.ingest import check_path
from mel_core.vocabulary import ACTIVITY_TYPES, INDICATOR_LEVELS


@pytest.fixture(scope="module")
def sample():
    return generate()


@pytest.fixture(scope="module")
def frames(sample):
    return {name: pd.DataFrame(rows[1:], columns=rows[0]) for name, rows in sample.tables.items()}


def _cell(value):
    if isinstance(value, datetime):
        return value.date()
    return value


def _trimmed(row):
    while row and row[-1] is None:
        row.pop()
    return row


def test_the_same_seed_gives_the_same_sample_and_another_seed_another(sample):
    again = generate()
    assert again.tables == sample.tables
    assert again.truth == sample.truth
    other = generate(SEED + 1)
    assert other.tables["programmes"] == sample.tables["programmes"]  # the specification does not move
    assert other.tables["survey"] != sample.tables["survey"]  # the draws do


def test_the_committed_workbook_is_what_the_generator_gives(sample):
    workbook = load_workbook(SAMPLE_WORKBOOK, read_only=True)
    try:
        assert workbook.sheetnames == list(sample.sheets())
        for name, rows in sample.sheets().items():
            stored = [_trimmed([_cell(v) for v in row]) for row in workbook[name].iter_rows(values_only=True)]
            expected = [_trimmed(list(row)) for row in rows]
            assert stored == expected, f"sheet {name} differs: run `make sample` and commit the workbook"
    finally:
        workbook.close()


def test_the_workbook_says_it_is_illustrative(sample):
    about = [row[0] for row in sample.sheets()["_about"] if row]
    assert "Illustrative" in about[0] and "minh hoạ" in about[0]
    assert NOTICE[0] in about and NOTICE[1] in about


def test_workbook_and_csv_folder_import_without_a_problem(tmp_path, sample, sqlite_engine):
    write_workbook(sample, tmp_path / "sample.xlsx")
    write_csv(sample, tmp_path / "csv")
    for path in (tmp_path / "sample.xlsx", tmp_path / "csv"):
        batch, _ = check_path(sqlite_engine, path)  # raises with every problem if there is any
        assert batch.problems == []
        assert len(batch.rows("programmes")) == len(PROGRAMMES)


def test_the_csv_folder_holds_the_same_cells_as_the_workbook(tmp_path, sample):
    import csv

    from mel_core.ingest.export import cell_text

    folder = write_csv(sample, tmp_path / "csv")
    with open(folder / "programmes.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [[cell_text(v) for v in row] for row in sample.tables["programmes"]]
    assert rows[1][9] == "2011-01-01" and rows[1][16] == "9600"  # dates in ISO, whole numbers without .0


def test_the_sample_has_the_programmes_of_the_seeds(frames):
    programmes = frames["programmes"]
    assert len(programmes) >= 8
    assert {"livestock", "crops", "forestry", "vocational_training", "trade_promotion", "governance"} <= set(
        programmes["sector"]
    )
    assert "ngo" in set(programmes["funding"])
    codes = {c for cell in programmes["provinces"] for c in cell.split(";")}
    assert len(codes) >= 6
    assert "44" in codes and not provinces()["44"].is_current  # Quảng Bình, now part of Quảng Trị
    gopa = programmes.set_index("code").loc["GOPA"]
    assert gopa["provinces"].split(";") == ["10", "12", "11", "66", "67"] and gopa["donors"] == "DANIDA"
    running = programmes[programmes["end_date"] > date(2026, 11, 22)]
    assert len(running) >= 1
    child = programmes[programmes["parent_code"].notna()]
    assert set(child["parent_code"]) <= set(programmes["code"])


def test_every_programme_has_a_results_framework_with_baselines_phased_targets_and_ranges(frames):
    indicators, targets = frames["indicators"], frames["targets"]
    for code, group in indicators.groupby("programme_code"):
        assert set(group["level"]) == set(INDICATOR_LEVELS), code
        assert group["baseline_value"].notna().sum() >= 3, code
        assert group["national_code"].notna().any(), code
    for (code, indicator), group in targets.groupby(["programme_code", "indicator_code"]):
        yearly = group[group["period"].str.len() == 4]
        if yearly["value_high"].isna().all() and len(yearly) > 2:
            steps = yearly["value"].diff().dropna().round(6)
            assert steps.nunique() > 1, f"{code} {indicator}: targets are averaged, not phased"
    assert targets["value_high"].notna().any()
    assert (targets["period"].str.contains(r"^\d{4}-\d{4}$")).any()  # a target for a span such as 2011-2015
    assert (indicators["direction"] == "decrease").any()


def test_observations_by_province_and_year_with_sex_and_ethnicity(frames):
    obs = frames["observations"]
    assert {"sex=female", "sex=male", "ethnicity=minority", "ethnicity=kinh"} <= set(
        obs["disaggregation"].dropna()
    )
    assert obs["admin_unit"].notna().mean() > 0.5
    periods = set(obs["period"])
    assert any("-Q" in p for p in periods) and any("-H" in p for p in periods)
    counts = obs[(obs["programme_code"] == "DB-BSS-2011") & (obs["indicator_code"] == "OP1")]
    for _, one in counts.groupby("period"):
        by = one.set_index(one["disaggregation"].fillna(""))["value"]
        assert by["sex=female"] + by["sex=male"] == by[""]
        assert by["ethnicity=minority"] + by["ethnicity=kinh"] == by[""]
    # programmes over several provinces: the whole-programme row is the sum of the province rows
    xttm = obs[(obs["programme_code"] == "XTTM-2013") & (obs["indicator_code"] == "OP2")]
    xttm = xttm[xttm["disaggregation"].isna()]
    for _, one in xttm.groupby("period"):
        assert (
            one.loc[one["admin_unit"].isna(), "value"].sum()
            == one.loc[one["admin_unit"].notna(), "value"].sum()
        )


def test_the_input_indicator_is_the_money_the_expenditures_record(frames):
    obs, money = frames["observations"], frames["expenditures"]
    row = obs[
        (obs["programme_code"] == "DB-BSS-2011")
        & (obs["indicator_code"] == "IN1")
        & (obs["period"] == "2015")
        & obs["disaggregation"].isna()
    ]
    spent = money[(money["programme_code"] == "DB-BSS-2011") & (money["period"].astype(int) <= 2015)]
    assert row["value"].item() == pytest.approx(spent["disbursed_million_vnd"].sum(), abs=0.5)


def _last(frames, code, indicator):
    obs = frames["observations"]
    rows = obs[
        (obs["programme_code"] == code) & (obs["indicator_code"] == indicator) & obs["disaggregation"].isna()
    ]
    end = next(p.end for p in PROGRAMMES if p.code == code).year
    at_end = rows[rows["period"] == str(end)]
    if at_end["admin_unit"].isna().any():
        at_end = at_end[at_end["admin_unit"].isna()]
    return at_end["value"].sum()


def _final_target(frames, code, indicator):
    t = frames["targets"]
    rows = t[
        (t["programme_code"] == code) & (t["indicator_code"] == indicator) & (t["period"].str.len() == 4)
    ]
    return rows.sort_values("period").iloc[-1]


def test_the_cattle_model_succeeds_and_the_forestry_model_fails_after_delivering_its_outputs(frames):
    # success: outputs and outcomes on target, poverty below its target (a falling indicator)
    assert _last(frames, "DB-BSS-2011", "OP1") >= _final_target(frames, "DB-BSS-2011", "OP1")["value"]
    assert _last(frames, "DB-BSS-2011", "OC2") >= _final_target(frames, "DB-BSS-2011", "OC2")["value"]
    assert _last(frames, "DB-BSS-2011", "IM1") <= _final_target(frames, "DB-BSS-2011", "IM1")["value"]
    # failure: every output delivered, the outcomes far from target (a broken results chain)
    for output in ("OP1", "OP2", "OP3"):
        assert _last(frames, "KT-KEO-2012", output) >= _final_target(frames, "KT-KEO-2012", output)["value"]
    survival = _final_target(frames, "KT-KEO-2012", "OC1")
    assert _last(frames, "KT-KEO-2012", "OC1") < survival["value"] * 0.6  # below the bottom of the range
    income = _final_target(frames, "KT-KEO-2012", "OC2")
    assert _last(frames, "KT-KEO-2012", "OC2") < 15.0 + 0.25 * (income["value"] - 15.0)
    activities = frames["activities"]
    handover = activities[activities["title"].str.startswith("Bàn giao")].set_index("programme_code")[
        "status"
    ]
    assert handover["DB-BSS-2011"] == "done" and handover["KT-KEO-2012"] == "cancelled"


def test_expenditures_by_source_with_local_money_after_the_end(frames):
    money = frames["expenditures"]
    assert money.groupby("programme_code")["source"].nunique().min() >= 2
    cattle = money[money["programme_code"] == "DB-BSS-2011"]
    after = cattle[cattle["period"].astype(int) > 2015]
    assert set(after["source"]) <= {"local_budget", "community"} and len(after) > 0
    running = money[(money["programme_code"] == "TH-SK-2022") & (money["period"].astype(int) > 2026)]
    assert running["disbursed_million_vnd"].isna().all() and running["planned_million_vnd"].gt(0).all()


def test_trade_promotion_has_every_activity_type_of_seed_000(frames):
    activities = frames["activities"]
    xttm = activities[activities["programme_code"] == "XTTM-2013"]
    assert set(ACTIVITY_TYPES) <= set(xttm["type"])
    assert xttm["participants_enterprises"].fillna(0).sum() > 0
    assert {"done", "cancelled", "stopped"} <= set(xttm["status"])
    done = activities[activities["status"] == "done"]
    assert (done["actual_date"] >= done["planned_date"]).all()
    assert done["actual_date"].notna().all() and done["cost_actual_million_vnd"].notna().all()


def test_every_survey_has_the_rounds_and_groups_an_evaluation_needs(frames):
    survey = frames["survey"]
    for spec in PROGRAMMES:
        rows = survey[survey["programme_code"] == spec.code]
        assert set(rows["round"]) == {r for r, _ in spec.survey.rounds}, spec.code
        groups = {"treatment", "comparison"} if spec.survey.comparison else {"treatment"}
        assert set(rows["group"]) == groups, spec.code
    assert survey["group"].eq("comparison").any()
    income = survey["income_million_vnd"].dropna()
    assert (income > 0).all()
    assert set(survey["poor"].dropna()) == {0, 1}


def _did(rows: pd.DataFrame, variable: str, round_name: str, panel: bool):
    """Effect of the treatment in ``round_name`` against the baseline, with errors clustered by cluster."""
    rows = rows[rows["round"].isin(["baseline", round_name])]
    if panel:
        wide = rows.pivot_table(index=["respondent_id", "group", "cluster"], columns="round", values=variable)
        wide = wide.dropna().reset_index()
        wide["change"] = wide[round_name] - wide["baseline"]
        wide["treated"] = (wide["group"] == "treatment").astype(int)
        fit = smf.ols("change ~ treated", wide).fit(cov_type="cluster", cov_kwds={"groups": wide["cluster"]})
        return fit.params["treated"], fit.conf_int().loc["treated"]
    data = rows.assign(
        treated=(rows["group"] == "treatment").astype(int), after=(rows["round"] == round_name).astype(int)
    )
    codes = data["cluster"].astype("category").cat.codes
    fit = smf.ols(f"{variable} ~ treated * after", data).fit(cov_type="cluster", cov_kwds={"groups": codes})
    return fit.params["treated:after"], fit.conf_int().loc["treated:after"]


@pytest.mark.parametrize("spec", [p for p in PROGRAMMES if p.survey.comparison], ids=lambda p: p.code)
def test_difference_in_differences_recovers_the_true_effect(spec, frames, sample):
    survey = frames["survey"]
    rows = survey[survey["programme_code"] == spec.code]
    truths = [t for t in sample.truth if t.programme == spec.code]
    assert truths, "every programme with a comparison group has a known effect"
    for truth in truths:
        _, (low, high) = _did(rows, truth.variable, truth.round, spec.survey.panel)
        assert low <= truth.att <= high, (
            f"{spec.code} {truth.round}: {truth.att} outside [{low:.2f}, {high:.2f}]"
        )
        assert truth.effect == TRUE_EFFECTS[spec.code][truth.variable][truth.round]


def test_the_success_has_the_largest_effect_and_the_failure_none_that_is_significant(frames):
    survey = frames["survey"]
    effects = {}
    for spec in PROGRAMMES:
        if spec.survey.comparison and "income_million_vnd" in TRUE_EFFECTS[spec.code]:
            rows = survey[survey["programme_code"] == spec.code]
            effects[spec.code] = _did(rows, "income_million_vnd", "endline" if "endline" in set(rows["round"])
                                      else "midline", spec.survey.panel)  # fmt: skip
    estimates = {code: e for code, (e, _) in effects.items() if code != "TH-SK-2022"}
    assert max(estimates, key=estimates.__getitem__) == "DB-BSS-2011"
    low, high = effects["KT-KEO-2012"][1]
    assert low < 0 < high


def test_parallel_pre_trends_hold_where_two_rounds_precede_treatment(frames):
    survey = frames["survey"]
    rows = survey[survey["programme_code"] == "NA-CAM-2013"]
    years = dict(rows.groupby("round")["year"].first())
    assert years["baseline"] < years["midline"] < 2014  # both before the support reached households
    _, (low, high) = _did(rows, "income_million_vnd", "midline", panel=True)
    assert low < 0 < high  # no effect before treatment


def test_sustainability_variables_tell_the_success_from_the_failure(frames):
    survey = frames["survey"]
    post = survey[survey["round"] == "post"]
    share = post[post["group"] == "treatment"].groupby("programme_code")["continues_model"].mean()
    assert share["DB-BSS-2011"] > 0.75 > 0.3 > share["KT-KEO-2012"]
    copied = post[post["group"] == "comparison"].groupby("programme_code")["replicated_model"].mean()
    assert copied["DB-BSS-2011"] > copied["KT-KEO-2012"]


def test_the_sample_imports_into_both_databases_and_exports_back_unchanged(engine, tmp_path):
    from mel_core.ingest import export_path, import_path
    from tests.test_import import snapshot

    report = import_path(engine, SAMPLE_WORKBOOK)
    assert all(t.new == t.rows for t in report.tables)
    before = snapshot(engine)
    export_path(engine, tmp_path / "out")
    again = import_path(engine, tmp_path / "out")
    assert all(t.new == 0 for t in again.tables)  # every row an update of the same row
    assert snapshot(engine) == before


def test_two_imports_at_once_lose_nothing_and_duplicate_nothing(db_url, engine, tmp_path):
    """Two `mel import` processes load the sample into one store at the same moment, on both databases."""
    import os
    import subprocess

    from mel_core.ingest import import_path
    from tests.test_cli import MEL
    from tests.test_import import snapshot

    environ = {**os.environ, "MEL_DB_URL": db_url, "MEL_HOME": str(tmp_path)}
    runs = [
        subprocess.Popen(
            [MEL, "import", str(SAMPLE_WORKBOOK)], env=environ, cwd=tmp_path, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]  # fmt: skip
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    after = snapshot(engine)
    expected = generate().tables
    assert len(after["observations"]) == len(expected["observations"]) - 1
    assert len(after["survey_records"]) == len(expected["survey"]) - 1
    again = import_path(engine, SAMPLE_WORKBOOK)
    assert all(t.new == 0 for t in again.tables)
    assert snapshot(engine) == after


def test_the_programme_specification_is_data_and_a_bad_field_names_its_programme(tmp_path):
    from mel_core.demo.programmes import SPECIFICATION, load_programmes

    assert load_programmes(SPECIFICATION) == PROGRAMMES
    cattle = next(p for p in PROGRAMMES if p.code == "DB-BSS-2011")
    income = next(i for i in cattle.indicators if i.code == "OC2")  # from the `income` template, overridden
    assert (income.national_code, income.baseline, income.after_end) == ("VN.GN.03", 18.5, 0.06)
    text = SPECIFICATION.read_text(encoding="utf-8")
    broken = tmp_path / "programmes.yml"
    broken.write_text(text.replace("    budget: 9600\n", "    budgett: 9600\n", 1), encoding="utf-8")
    with pytest.raises(ValueError, match=r"'DB-BSS-2011'.*budgett"):
        load_programmes(broken)
    broken.write_text(text.replace('{use: "income"', '{use: "incom"', 1), encoding="utf-8")
    with pytest.raises(ValueError, match="incom"):
        load_programmes(broken)


@pytest.mark.parametrize(
    ("year", "line"),
    [(2008, 2.4), (2010, 2.4), (2011, 4.8), (2015, 4.8), (2016, 8.4), (2021, 8.4), (2022, 18.0)],
)
def test_the_poverty_line_of_each_period(year, line):
    from mel_core.demo.survey import poverty_line

    assert poverty_line(year) == line  # 200k, 400k, 700k, 1.5 million VND a month × 12


def test_poor_means_income_per_person_below_the_line_of_the_baseline(frames):
    from mel_core.demo.survey import poverty_line

    survey = frames["survey"].dropna(subset=["income_million_vnd"])
    first_year = survey.groupby("programme_code")["year"].transform("min")
    line = first_year.map(poverty_line)
    expected = (survey["income_million_vnd"] / survey["household_size"] < line).astype(int)
    assert (survey["poor"] == expected).all()


def test_the_generator_command_writes_the_workbook_and_the_csv_files(tmp_path, sample):
    from mel_core.demo.sample import main

    assert main(["--out", str(tmp_path / "s.xlsx"), "--csv", str(tmp_path / "csv")]) == 0
    workbook = load_workbook(tmp_path / "s.xlsx", read_only=True)
    assert workbook.sheetnames == list(sample.sheets())
    workbook.close()
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == sorted(f"{t}.csv" for t in sample.tables)
