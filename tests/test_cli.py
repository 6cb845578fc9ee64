"""The command line: exit status 2 and a one-line message for bad input, tables on success."""

from __future__ import annotations

import pytest

from nnlabs.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "nope"], "nnlabs: error: argument LAB: invalid choice: 'nope'"),
        (["run", "hitters", "--epochs", "0"], "epochs must be an integer >= 1; got 0"),
        (["run", "hitters", "--repeats", "0"], "repeats must be an integer >= 1; got 0"),
        (["run", "hitters", "--validation", "x"], "validation must be one of 'split', 'test'"),
        # `run hitters` offers the settings of Hitters only (no taxi --rows or --color).
        (["run", "hitters", "--rows", "5"], "unrecognized arguments: --rows 5"),
        (["run", "hitters", "--color", "green"], "unrecognized arguments: --color green"),
        (["run", "taxi", "--color", "pink", "--data-dir", "."], "color must be one of"),
    ],
)
def test_bad_input_is_one_line_and_status_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_run_hitters_prints_table_and_writes_files(tmp_path, capsys):
    argv = ["run", "hitters", "--epochs", "2", "--out", str(tmp_path), "--no-cache"]
    assert main([*argv, "--explain", "false", "--disaggregate", "false"]) == 0
    out = capsys.readouterr().out
    assert "Table 11.32" in out and "Lasso" in out
    # The short form of §11.16: the trees' row and the verdict of the notes' 5% rule.
    assert "Gradient-boosted trees" in out and "Verdict: Neural Network (2-layer) vs" in out
    assert (tmp_path / "hitters_results.json").is_file()


def test_help_lists_commands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("run", "worked-example", "doctor"):
        assert command in out


def test_worked_example_prints_the_notes_numbers(capsys):
    assert main(["worked-example"]) == 0
    out = capsys.readouterr().out
    assert "0.972" in out and "5.52" in out
    assert main(["worked-example", "--observation", "3"]) == 2
    assert "observation must be one of 1, 2; got 3" in capsys.readouterr().err


def test_run_all_skips_a_lab_whose_data_is_unavailable(tmp_path, monkeypatch, capsys):
    from nnlabs import labs

    monkeypatch.setattr(labs, "names", lambda: ["taxi"])
    monkeypatch.setenv("NNLABS_TLC_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    argv = ["run", "all", "--data-dir", str(tmp_path), "--out", str(tmp_path), "--no-cache"]
    monkeypatch.setenv("NNLABS_CACHE_DIR", str(tmp_path / "cache"))
    assert main(argv) == 0
    assert "taxi: skipped, its data is unavailable" in capsys.readouterr().out
    assert main(["run", "taxi", "--data-dir", str(tmp_path), "--out", str(tmp_path)]) == 2
