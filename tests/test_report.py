"""The HTML report of a lab run (nnlabs.presentation.report): contents, provenance, entry
points, and the page as a browser shows it (headless Chromium, when installed).

The Chromium test keeps its full-page screenshot under the test's output folder
(``<tmp_path>/<lab>_report.png``), to be looked at.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import subprocess

import pytest

from _fixtures_labs import ANALYSES
from nnlabs import ParameterError, labs
from nnlabs.cli import main
from nnlabs.data import hitters as hitters_data
from nnlabs.presentation.report import write_report

SMALL = {"epochs": 4, "bootstrap_draws": 50, **ANALYSES}
SMALL_FLAGS = [
    "--epochs", "4", "--lasso-folds", "3", "--bootstrap-draws", "50",
    "--importance-repeats", "2", "--importance-rows", "200", "--shap-rows", "3",
    "--shap-background", "5", "--shap-samples", "32", "--fairness-draws", "50",
]  # fmt: skip
PNG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture(scope="module")
def hitters_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("hitters")
    result = labs.run("hitters", out_dir=out, **SMALL)
    path = write_report(result)
    return result, path, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def movies_cli_report(tmp_path_factory):
    """``nnlabs run movies --out DIR``: its status, DIR and the report's path."""
    out = tmp_path_factory.mktemp("movies")
    status = main(["run", "movies", "--out", str(out), *SMALL_FLAGS])
    return status, out, out / "movies_report.html"


def _images(html: str) -> list[tuple[int, int]]:
    from PIL import Image

    sizes = []
    for data in PNG.findall(html):
        with Image.open(io.BytesIO(base64.b64decode(data))) as image:
            sizes.append(image.size)
    return sizes


def test_report_is_written_beside_the_saved_results(hitters_report):
    result, path, _ = hitters_report
    assert path == result.files["results"].parent / "hitters_report.html"
    assert result.files["report"] == path


def test_report_has_the_figures_and_no_network_resource(hitters_report):
    _, _, html = hitters_report
    sizes = _images(html)
    assert len(sizes) >= 5
    assert all(w > 100 and h > 100 for w, h in sizes)
    assert "http://" not in html and "https://" not in html
    for tag in ("<script", "<link", "@import", "url(", "<iframe"):
        assert tag not in html
    src = re.findall(r'src="([^"]*)"', html)
    assert all(s.startswith("data:image/png;base64,") for s in src)


def test_report_contents(hitters_report):
    result, _, html = hitters_report
    assert "<title>hitters: lab report</title>" in html
    assert '<th class="num">MAE (notes)</th>' in html and '<td class="num">254.7</td>' in html
    for name in result.models:
        assert f"<td>{name}</td>" in html
    assert result.verdict["text"].iloc[0].replace("'", "&#39;") in html
    assert 'id="subgroups"' in html and "<td>League</td>" in html
    assert 'id="card"' in html and "Known failure modes" in html
    for figure in ("intervals", "history", "predicted_actual", "residuals", "lasso_cv"):
        assert f'id="fig-{figure}"' in html


def test_provenance_hash_is_the_data_file_hash(hitters_report):
    _, _, html = hitters_report
    shipped = hitters_data.shipped_path()
    expected = hashlib.sha256(shipped.read_bytes()).hexdigest()
    found = re.findall(r'<code class="sha256">([0-9a-f]{64})</code>', html)
    assert found == [expected]
    assert f"<td>{shipped.name}</td>" in html


def test_provenance_command_settings_and_versions(hitters_report):
    import keras

    result, _, html = hitters_report
    assert "nnlabs.labs.run(&#39;hitters&#39;, epochs=4," in html
    assert f"<dt>keras</dt><dd>{keras.__version__}</dd>" in html
    assert f"<dt>seed</dt><dd>{result.settings.seed}</dd>" in html
    assert "<dt>network seed</dt>" in html and "<dt>host</dt>" in html


def test_report_path_rules(hitters_report, tmp_path):
    result, _, _ = hitters_report
    target = write_report(result, tmp_path / "mine.html", command="nnlabs run hitters")
    assert target == tmp_path / "mine.html"
    assert "<pre>nnlabs run hitters</pre>" in target.read_text(encoding="utf-8")
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(ParameterError, match="path must be a folder"):
        write_report(result, tmp_path / "a-file" / "inside")
    with pytest.raises(ParameterError, match=r"an \.html file path; got 3"):
        write_report(result, 3)


def test_report_of_an_unsaved_result_needs_a_path():
    result = labs.run("movies", lasso_folds=3, explain=False, disaggregate=False, **SMALL)
    with pytest.raises(ParameterError, match=r"when the result was not saved"):
        write_report(result)


def test_cli_run_writes_the_report_beside_the_results(movies_cli_report):
    status, run_dir, path = movies_cli_report
    assert status == 0
    assert path.is_file() and (run_dir / "movies_results.json").is_file()
    html = path.read_text(encoding="utf-8")
    assert f"<pre>nnlabs run movies --out {run_dir} --epochs 4" in html
    assert len(_images(html)) >= 5
    assert "http://" not in html and "https://" not in html
    for figure in ("roc", "calibration", "confusion"):
        assert f'id="fig-{figure}"' in html


def test_cli_report_writes_only_the_report(tmp_path, capsys):
    report_dir = tmp_path / "report"
    assert main(["report", "movies", "--out", str(report_dir), *SMALL_FLAGS]) == 0
    assert f"report: {report_dir / 'movies_report.html'}" in capsys.readouterr().out
    assert sorted(p.name for p in report_dir.iterdir()) == ["movies_report.html"]


def test_cli_report_of_an_unknown_lab_fails_in_one_line(tmp_path, capsys):
    assert main(["report", "nosuch", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnlabs: error:") and err.count("\n") == 1


@pytest.mark.skipif(
    shutil.which("chromium") is None and not os.environ.get("CI"),
    reason="Debian's chromium not installed (make test installs it; under CI this fails)",
)
@pytest.mark.parametrize("lab", ["hitters", "movies"])
def test_report_renders_in_headless_chromium(lab, request, tmp_path):
    from PIL import Image

    if lab == "hitters":  # write_report(result)
        _, path, _ = request.getfixturevalue("hitters_report")
    else:  # nnlabs run movies --out DIR
        _, _, path = request.getfixturevalue("movies_cli_report")
    shot = tmp_path / f"{lab}_report.png"
    done = subprocess.run(
        [
            "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--enable-logging=stderr", "--v=0", "--window-size=1280,12000",
            f"--screenshot={shot}", path.as_uri(),
        ],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    with Image.open(shot) as image:
        assert image.size == (1280, 12000)
        top = image.convert("L").crop((0, 0, 1280, 6000))
        histogram = top.histogram()
        not_white = sum(histogram[:250]) / (1280 * 6000)
        assert not_white > 0.03  # text, tables and figures, not a blank page
        assert len(set(image.convert("RGB").crop((0, 0, 1280, 6000)).getdata())) > 200


@pytest.mark.parametrize("lab", ["hitters", "movies", "nyc311", "taxi"])
def test_the_notes_figures_name_columns_and_models_of_the_table(lab):
    import pandas as pd

    spec = labs.get(lab)
    scores = pd.DataFrame(
        {"Model": list(spec.models), **{m: 1.0 for m in spec.scorers(spec.settings())}}
    )
    columns = set((spec.table or (lambda frame: frame))(scores).columns)
    assert spec.notes_table
    for model, values in spec.notes_table.items():
        assert model in spec.models
        assert set(values) <= columns


def test_cli_run_history_png_is_the_reports_history_figure(movies_cli_report):
    """write_run draws each figure once: the PNG beside the report is the report's own."""
    _, run_dir, path = movies_cli_report
    html = path.read_text(encoding="utf-8")
    embedded = re.search(r'id="fig-history".*?data:image/png;base64,([A-Za-z0-9+/=]+)', html, re.S)
    assert embedded is not None
    assert base64.b64decode(embedded.group(1)) == (run_dir / "movies_history.png").read_bytes()
