"""The notebooks for Python users (notebooks/*.py, jupytext percent format) execute.

Each is read with jupytext and run top to bottom with nbclient on the environment's
Python kernel, in a temporary folder, with small settings (about a minute each). The
taxi notebook needs the TLC files of NNLABS_DATA_DIR and is skipped without them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))
NEEDS_DATA = {"taxi"}


def test_every_lab_and_the_worked_example_has_a_notebook():
    from nnlabs import labs

    names = {p.stem for p in NOTEBOOKS}
    assert set(labs.names()) | {"worked_example"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path, request):
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    if path.stem in NEEDS_DATA:
        request.getfixturevalue("data_dir")
    notebook = jupytext.read(path)
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert outputs  # it showed something
