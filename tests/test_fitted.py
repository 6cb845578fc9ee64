"""A lab's models are pipelines from raw rows (§11.10): predict, save, load, check rows.

Every lab's first-split test rows, predicted from their raw columns, give the stored
test predictions exactly; a saved lab loads in a new process and predicts identically;
a tampered folder is refused; new rows are held to the training rows' schema, each rule
with its own message; ``nnlabs predict`` reads a file and fails in one line.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

import nnlabs
from _fixtures_labs import synthetic_trips, synthetic_zones
from nnlabs import DataError, ParameterError, labs
from nnlabs.cli import main
from nnlabs.data import hitters as hitters_data
from nnlabs.data import nyc311 as nyc311_data
from nnlabs.design.schema import RowSchema
from nnlabs.errors import DataWarning
from nnlabs.labs import movies, nyc311, taxi

QUIET = {"explain": False, "disaggregate": False, "cache": False}
RUNS = {
    "hitters": {"epochs": 3},
    "movies": {"epochs": 2, "lasso_folds": 3, "bootstrap_draws": 50},
    "nyc311": {"simulated_rows": 2000, "epochs": 1, "lasso_folds": 3},
    "taxi": {"epochs": 1, "rows": 600, "lasso_folds": 3},
}


def _run(lab: str):
    extra = {"data": synthetic_trips(700), "zones": synthetic_zones()} if lab == "taxi" else {}
    return labs.run(lab, **RUNS[lab], **extra, **QUIET)


@pytest.fixture(scope="module")
def hitters_run(tmp_path_factory):
    result = _run("hitters")
    out = tmp_path_factory.mktemp("hitters")
    result.save(out)
    return result, out


@pytest.fixture(scope="module")
def movies_run():
    return _run("movies")


def _quiet_predict(fitted, rows, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)  # the test rows need no note
        return fitted.predict(rows, **kwargs)


# ------------------------------------------------------------- predictions from raw rows


@pytest.mark.parametrize("lab", ["nyc311", "taxi"])
def test_raw_test_rows_reproduce_the_stored_predictions(lab):
    result = _run(lab)
    _check_reproduces(result)


def test_hitters_raw_test_rows_reproduce_the_stored_predictions(hitters_run):
    _check_reproduces(hitters_run[0])


def test_movies_raw_test_rows_reproduce_the_stored_probabilities(movies_run):
    _check_reproduces(movies_run)
    predicted = movies_run.predict(movies_run.test_data, type="prob")
    for name in movies_run.table["Model"]:
        total = predicted[f"{name} P(Flop)"] + predicted[f"{name} P(Hit)"]
        np.testing.assert_allclose(total, 1.0)
    classes = movies_run.predict(movies_run.test_data, model=movies.NN, type="class")
    assert list(classes.columns) == [f"{movies.NN} class"]
    assert list(classes.iloc[:, 0].cat.categories) == ["Flop", "Hit"]
    hits = movies_run.predictions[movies.NN] > 0.5
    np.testing.assert_array_equal(classes.iloc[:, 0] == "Hit", hits)


def _check_reproduces(result) -> None:
    predicted = _quiet_predict(result, result.test_data)
    assert len(predicted) == len(result.predictions)
    for name in result.table["Model"]:
        np.testing.assert_array_equal(predicted[name].to_numpy(), result.predictions[name])


def test_taxi_takes_the_raw_tlc_columns():
    trips = synthetic_trips(700)
    result = labs.run("taxi", data=trips, zones=synthetic_zones(), **RUNS["taxi"], **QUIET)
    rows = result.test_data
    # The same trips as TLC publishes them: pickup and dropoff times, not hour/weekday/duration.
    sunday = pd.Timestamp("2023-01-01")  # a Sunday: lubridate's wday() 1
    pickup = (
        sunday
        + pd.to_timedelta(rows["day_of_week"].astype(int) - 1, unit="D")
        + pd.to_timedelta(rows["hour_of_day"].astype(int), unit="h")
    )
    dropoff = pickup + pd.to_timedelta(rows["duration_min"].astype(np.float64), unit="min")
    tlc = rows.drop(columns=["hour_of_day", "day_of_week", "duration_min"]).assign(
        tpep_pickup_datetime=pickup, tpep_dropoff_datetime=dropoff
    )
    pd.testing.assert_frame_equal(_quiet_predict(result, tlc), _quiet_predict(result, rows))


def test_taxi_predicts_rows_of_a_real_tlc_file(data_dir):
    path = data_dir / "nyc_taxi" / "yellow_tripdata_2023-01_head100k.parquet"
    zones = data_dir / "nyc_taxi" / "taxi_zone_lookup.csv"
    result = labs.run("taxi", data=path, rows=800, epochs=1, lasso_folds=3, **QUIET)
    raw = pd.read_parquet(path).iloc[:40]
    assert zones.is_file()
    with pytest.warns(DataWarning, match=r"column\(s\) 'VendorID'.* ignored"):
        predicted = result.predict(raw.dropna())
    assert predicted.notna().all().all() and list(predicted.columns) == list(result.table["Model"])


def test_nyc311_maps_an_unseen_level_to_other_where_training_lumped_one():
    result = labs.run("nyc311", **RUNS["nyc311"], top_complaints=5, **QUIET)
    kept = result.models[nyc311.LM]["design"]["features"].lump_.categories_
    lumped = [c for c in nyc311.LUMPED if nyc311.OTHER_LEVEL in kept[c]]
    whole = [c for c in nyc311.LUMPED if nyc311.OTHER_LEVEL not in kept[c]]
    assert lumped, "the simulated requests lump at least one factor"
    rows = result.test_data.head(3).copy()
    column = lumped[0]
    rows.loc[rows.index[0], column] = "NEVER SEEN"
    with pytest.warns(DataWarning, match=rf"'{column}'.*never seen in training.*'Other'"):
        out = result.predict(rows)
    assert out.notna().all().all()
    rows.loc[rows.index[0], column] = nyc311.OTHER_LEVEL
    pd.testing.assert_frame_equal(out, result.predict(rows))
    for column in whole:  # nothing was lumped: no "Other" to map a new level to
        bad = result.test_data.head(2).assign(**{column: "NEVER SEEN"})
        with pytest.raises(DataError, match=rf"'{column}'.*no 'Other' level to map it to"):
            result.predict(bad)


def test_nyc311_notes_lumping_counts_every_raw_row():
    settings = nyc311.NYC311Settings(simulated_rows=2000)
    levels = nyc311.notes_lump_levels(settings)
    assert set(levels) == {"complaint_type", "agency", "open_data_channel_type"}
    raw = nyc311_data.simulate(2000, settings.simulation_seed)
    counts = raw["agency"].value_counts()
    assert set(counts.index[:5]) <= set(levels["agency"])


# ------------------------------------------------------------------- save and load


def test_a_saved_lab_predicts_identically_in_a_new_process(hitters_run, tmp_path):
    result, out = hitters_run
    rows = hitters_data.load().iloc[:7]
    rows_file = tmp_path / "rows.parquet"
    rows.to_parquet(rows_file)
    script = (
        "import sys, nnlabs, pandas as pd;"
        "lab = nnlabs.load_lab(sys.argv[1]);"
        "lab.predict(pd.read_parquet(sys.argv[2])).to_parquet(sys.argv[3])"
    )
    target = tmp_path / "predicted.parquet"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(out / "hitters_model"), str(rows_file), str(target)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    pd.testing.assert_frame_equal(pd.read_parquet(target), result.predict(rows))


def test_the_saved_folder_holds_safe_formats_and_a_manifest(hitters_run):
    _, out = hitters_run
    folder = out / "hitters_model"
    names = sorted(p.name for p in folder.iterdir())
    assert "manifest.json" in names and "lab.json" in names
    assert {n.rsplit(".", 1)[-1] for n in names} == {"json", "skops", "keras", "csv"}
    meta = json.loads((folder / "lab.json").read_text())
    assert meta["lab"] == "hitters" and meta["settings"]["epochs"] == 3
    assert {c["name"] for c in meta["schema"]["columns"]} == set(hitters_data.COLUMNS) - {"Salary"}
    assert meta["versions"]["keras"] and meta["versions"]["scikit-learn"]
    loaded = nnlabs.load_lab(out)  # the run's folder: its one saved lab
    assert loaded.lab == "hitters" and list(loaded.models) == list(hitters_run[0].table["Model"])
    assert "League" in set(loaded.schema.table()["column"])


def _copy(folder, tmp_path):
    import shutil

    target = tmp_path / "copy"
    shutil.copytree(folder, target)
    return target


def _reseal(folder) -> None:
    """Rewrite the manifest so that it matches the folder (its documented format): only
    the loader's other rules can refuse the folder then."""
    files = {}
    for path in sorted(folder.iterdir()):
        if path.name == "manifest.json":
            continue
        data = path.read_bytes()
        files[path.name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    body = {"format": 1, "files": files}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    manifest = {**body, "checksum": hashlib.sha256(canonical).hexdigest()}
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_an_altered_file_is_refused(hitters_run, tmp_path):
    folder = _copy(hitters_run[1] / "hitters_model", tmp_path)
    meta = json.loads((folder / "lab.json").read_text())
    meta["threshold"] = 0.9
    (folder / "lab.json").write_text(json.dumps(meta))
    with pytest.raises(DataError, match=r"lab.json was altered after saving"):
        nnlabs.load_lab(folder)


def test_an_edited_manifest_is_refused(hitters_run, tmp_path):
    folder = _copy(hitters_run[1] / "hitters_model", tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    next(iter(manifest["files"].values()))["bytes"] += 1
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DataError, match=r"checksum does not match"):
        nnlabs.load_lab(folder)


def test_a_network_with_a_lambda_layer_is_refused_even_with_a_matching_manifest(
    hitters_run, tmp_path
):
    import keras

    folder = _copy(hitters_run[1] / "hitters_model", tmp_path)
    inputs = keras.Input(shape=(20,))
    outputs = keras.layers.Dense(1)(keras.layers.Lambda(lambda x: x * 2.0)(inputs))
    keras.Model(inputs, outputs).save(folder / "neural-network-2-layer.keras")
    _reseal(folder)
    with pytest.raises(DataError, match=r"refused or unreadable network"):
        nnlabs.load_lab(folder)


def test_a_skops_file_with_an_unknown_type_is_refused(hitters_run, tmp_path):
    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    folder = _copy(hitters_run[1] / "hitters_model", tmp_path)
    sio.dump(FunctionTransformer(func=os.getcwd), folder / "design_x.skops")
    _reseal(folder)
    with pytest.raises(DataError, match=r"holds type\(s\) nnlabs does not load"):
        nnlabs.load_lab(folder)


def test_a_file_of_an_unknown_format_is_refused(hitters_run, tmp_path):
    folder = _copy(hitters_run[1] / "hitters_model", tmp_path)
    meta = json.loads((folder / "lab.json").read_text())
    (folder / "model.pkl").write_bytes(b"not a pickle")
    meta["models"][0]["file"] = "model.pkl"
    (folder / "lab.json").write_text(json.dumps(meta))
    _reseal(folder)
    with pytest.raises(DataError, match=r"model.pkl has a format this version of nnlabs does not"):
        nnlabs.load_lab(folder)


def test_saving_over_a_folder_that_is_not_a_saved_lab_is_refused(hitters_run, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ParameterError, match=r"exists and is not a saved lab"):
        hitters_run[0].fitted.save(tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_load_lab_needs_a_saved_lab(tmp_path):
    with pytest.raises(DataError, match=r"holds no saved lab"):
        nnlabs.load_lab(tmp_path)
    with pytest.raises(DataError, match=r"no such folder"):
        nnlabs.load_lab(tmp_path / "nope")


# ------------------------------------------------------------------- the row schema


def _schema() -> tuple[RowSchema, pd.DataFrame]:
    rows = pd.DataFrame(
        {
            "x": [1.0, 2.0, 3.0, 4.0],
            "n": np.array([1, 2, 3, 4], dtype=np.int64),
            "colour": ["red", "blue", "red", "green"],
            "agency": ["NYPD", "DOT", "NYPD", "Other"],
            "when": pd.to_datetime(["2023-01-01", "2023-01-02", "2023-01-03", "2023-01-04"]),
        }
    )
    schema = RowSchema(fallback={"agency": "Other"}, expected=("y",)).fit(rows)
    return schema, rows


def test_schema_a_missing_column_is_an_error():
    schema, rows = _schema()
    with pytest.raises(DataError, match=r"missing column\(s\) 'colour'; the lab was trained on"):
        schema.check(rows.drop(columns="colour"))


def test_schema_an_extra_column_is_ignored_with_a_note_and_the_response_quietly():
    schema, rows = _schema()
    with pytest.warns(DataWarning, match=r"column\(s\) 'extra' ignored"):
        out = schema.check(rows.assign(extra=1))
    assert list(out.columns) == list(rows.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema.check(rows.assign(y=0.0))


def test_schema_a_wrong_dtype_is_an_error():
    schema, rows = _schema()
    with pytest.raises(DataError, match=r"column 'x' must be numeric.*got 'abc' in row 1"):
        schema.check(rows.assign(x=["1", "abc", "3", "4"]))
    assert schema.check(rows.assign(x=["1", "2", "3", "4"]))["x"].tolist() == [1, 2, 3, 4]
    with pytest.raises(DataError, match=r"column 'colour' must hold text \(a factor\)"):
        schema.check(rows.assign(colour=[1, 2, 3, 4]))
    with pytest.raises(DataError, match=r"column 'n' must hold whole numbers.*got 2.5"):
        schema.check(rows.assign(n=[1.0, 2.5, 3.0, 4.0]))
    with pytest.raises(DataError, match=r"column 'when' must hold timestamps.*'soon'"):
        schema.check(rows.assign(when=["2023-01-01", "soon", "2023-01-03", "2023-01-04"]))


def test_schema_nan_where_training_had_none_is_an_error():
    schema, rows = _schema()
    with pytest.raises(DataError, match=r"column 'x' has a missing value in row 2"):
        schema.check(rows.assign(x=[1.0, 2.0, np.nan, 4.0]))
    with pytest.raises(DataError, match=r"column 'colour' has a missing value in row 0"):
        schema.check(rows.assign(colour=[None, "red", "red", "red"]))


def test_schema_an_unseen_level_is_an_error_or_its_fallback():
    schema, rows = _schema()
    with pytest.raises(DataError, match=r"column 'colour': level 'mauve' \(row 3\) was never"):
        schema.check(rows.assign(colour=["red", "red", "red", "mauve"]))
    with pytest.warns(DataWarning, match=r"'agency': 1 row\(s\) .* 'FDNY'.* as 'Other'"):
        out = schema.check(rows.assign(agency=["FDNY", "DOT", "NYPD", "NYPD"]))
    assert out["agency"].tolist() == ["Other", "DOT", "NYPD", "NYPD"]


def test_schema_a_value_far_outside_the_training_range_is_a_note():
    schema, rows = _schema()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema.check(rows.assign(x=[0.0, 5.0, 6.0, 7.0]))  # within one range width: quiet
    with pytest.warns(DataWarning, match=r"'x': 1 value\(s\) far outside .*\[1, 4\].*100"):
        schema.check(rows.assign(x=[1.0, 2.0, 3.0, 100.0]))


def test_schema_survives_its_json_round_trip():
    schema, rows = _schema()
    again = RowSchema.from_dict(json.loads(json.dumps(schema.to_dict())))
    pd.testing.assert_frame_equal(again.check(rows), schema.check(rows))
    pd.testing.assert_frame_equal(again.table(), schema.table())


def test_hitters_rows_are_checked_before_any_model(hitters_run):
    result = hitters_run[0]
    rows = hitters_data.load().iloc[:3]
    with pytest.raises(DataError, match=r"column 'League': level 'X'"):
        result.predict(rows.assign(League=["X", "A", "N"]))
    with pytest.raises(DataError, match=r"missing column\(s\) 'Hits'"):
        result.predict(rows.drop(columns="Hits"))
    with pytest.raises(DataError, match=r"column 'AtBat' must be numeric"):
        result.models["Lasso"].predict(rows.assign(AtBat="many"))  # one pipeline alone too
    with pytest.raises(ParameterError, match=r"model must be one of"):
        result.predict(rows, model="Ridge")
    with pytest.raises(ParameterError, match=r"type 'class' needs a classification lab"):
        result.predict(rows, type="class")


# ------------------------------------------------------------------- the command line


def test_cli_predict_writes_a_file_and_notes_to_stderr(hitters_run, tmp_path, capsys):
    result, out = hitters_run
    rows = hitters_data.load().iloc[:5]
    data = tmp_path / "rows.csv"
    rows.assign(comment="new").to_csv(data, index=False)
    target = tmp_path / "predictions.csv"
    argv = ["predict", "--model", str(out), "--data", str(data), "--out", str(target)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "5 predictions" in captured.out
    assert "nnlabs: note:" in captured.err and "'comment'" in captured.err
    written = pd.read_csv(target)
    np.testing.assert_allclose(written.to_numpy(), result.predict(rows).to_numpy(), rtol=1e-12)
    assert main(["predict", "--model", str(out), "--data", str(data), "--only", "Lasso"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "Lasso" and len(printed) == 6


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r.drop(columns="Hits"), "missing column(s) 'Hits'"),
        (lambda r: r.assign(League="Z"), "column 'League': level 'Z'"),
        (lambda r: r.assign(Years="old"), "column 'Years' must be numeric"),
    ],
)
def test_cli_predict_bad_rows_are_one_line_and_status_2(
    hitters_run, tmp_path, capsys, edit, message
):
    data = tmp_path / "rows.parquet"
    edit(hitters_data.load().iloc[:4]).to_parquet(data)
    assert main(["predict", "--model", str(hitters_run[1]), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnlabs: error:") and message in err and err.count("\n") == 1


def test_cli_predict_bad_files_are_one_line_and_status_2(hitters_run, tmp_path, capsys):
    model = str(hitters_run[1])
    (tmp_path / "rows.txt").write_text("x")
    for argv, message in [
        (["--data", str(tmp_path / "rows.txt")], "--data must be a .csv or .parquet file"),
        (["--data", str(tmp_path / "none.csv")], "--data: no such file"),
    ]:
        assert main(["predict", "--model", model, *argv]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1
    assert main(["predict", "--model", str(tmp_path), "--data", str(tmp_path / "x.csv")]) == 2
    assert "holds no saved lab" in capsys.readouterr().err


def test_cli_run_help_shows_that_labs_settings_only(capsys):
    assert main(["run", "hitters", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--standardize-target" in text and "--epochs" in text
    assert "--n-movies" not in text and "--color" not in text and "--months" not in text
    assert main(["run", "taxi", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--months" in text and "--standardize-target" not in text
    assert main(["run", "all", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--months" in text and "--standardize-target" in text and "hitters" in text
    assert taxi.TaxiSettings().epochs  # the taxi module imports


def test_the_renderers_reach_the_estimators_inside_the_pipelines(hitters_run):
    from nnlabs.presentation import figures

    result = hitters_run[0]
    assert result.model_card["architecture"]["parameters"] > 3000  # the Keras network
    assert set(figures.lasso_models(result)) == {"Lasso"}
    assert result.estimators["Lasso"] is result.models["Lasso"]["model"]
