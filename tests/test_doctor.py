"""nnlabs doctor: the warning rules on made-up facts, and how environments are described."""

from __future__ import annotations

import pytest

from nnlabs import doctor

FINE = {
    "system": "Linux",
    "machine": "x86_64",
    "prefix": "/home/u/.venv",
    "conda": False,
    "positron": False,
    "tensorflow": "2.21.0",
    "tensorflow_metal": None,
    "gpu_request": None,
}


def facts(**changes):
    return {**FINE, **changes}


def test_a_plain_set_up_gets_no_warning():
    assert doctor.setup_warnings(FINE) == []


def test_conda_under_positron_warns_and_says_what_to_do():
    (text,) = doctor.setup_warnings(facts(conda=True, positron=True, prefix="/opt/conda/envs/tf"))
    assert "conda environment (/opt/conda/envs/tf)" in text
    assert "Positron" in text
    assert "install_nnlabs()" in text and "NNLABS_PYTHON" in text
    # Either alone is fine.
    assert doctor.setup_warnings(facts(conda=True)) == []
    assert doctor.setup_warnings(facts(positron=True)) == []


@pytest.mark.parametrize(
    ("metal", "tensorflow", "warned"),
    [
        ("1.2.0", "2.21.0", True),  # the lock's pair: not the release the table names
        ("1.2.0", "2.18.1", False),
        ("1.1.0", "2.14.0", False),
        ("1.1.0", "2.16.2", True),
        ("9.9.9", "2.21.0", False),  # not in the table: nothing known to say
        ("1.2.0", None, False),
    ],
)
def test_tensorflow_metal_with_a_tensorflow_it_does_not_support(metal, tensorflow, warned):
    found = doctor.setup_warnings(
        facts(system="Darwin", tensorflow_metal=metal, tensorflow=tensorflow)
    )
    assert bool(found) is warned
    if warned:
        wanted = doctor.METAL_TENSORFLOW[metal]
        assert f"tensorflow-metal {metal} is built for TensorFlow {wanted}" in found[0]
        assert f"TensorFlow {tensorflow} is installed" in found[0]
        assert f"tensorflow=={wanted}.*" in found[0]


def test_a_gpu_requested_on_native_windows_warns():
    (text,) = doctor.setup_warnings(facts(system="Windows", gpu_request="CUDA_VISIBLE_DEVICES=0"))
    assert "CUDA_VISIBLE_DEVICES=0" in text and "native Windows" in text
    assert "WSL2" in text
    assert doctor.setup_warnings(facts(gpu_request="the 'cuda' extra of install_nnlabs()")) == []
    assert doctor.setup_warnings(facts(system="Windows")) == []


def test_several_rules_give_several_warnings():
    found = doctor.setup_warnings(
        facts(
            system="Windows",
            conda=True,
            positron=True,
            gpu_request="the installed GPU packages (tensorflow-gpu)",
        )
    )
    assert len(found) == 2


def test_gpu_request_reads_the_extras_and_cuda_visible_devices(monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert doctor._gpu_request(["cuda"]) == "the 'cuda' extra of install_nnlabs()"
    assert doctor._gpu_request([]) is None  # this environment has no nvidia wheels
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")
    assert doctor._gpu_request([]) is None
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
    assert doctor._gpu_request([]) == "CUDA_VISIBLE_DEVICES=0,1"


def test_describe_environment(tmp_path):
    conda = tmp_path / "conda"
    (conda / "conda-meta").mkdir(parents=True)
    assert doctor.describe_environment(conda, tmp_path / "base") == f"conda environment {conda}"
    venv = tmp_path / "venv"
    venv.mkdir()
    assert doctor.describe_environment(venv, tmp_path / "base") == f"virtualenv {venv}"
    assert "no virtual environment" in doctor.describe_environment(venv, venv)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert doctor.describe_environment(venv, venv) == f"virtualenv {venv}"
    (venv / doctor.ENV_MARKER).write_text("Version: 0.1.0\nExtras: cuda, jax\nWheel: x.whl\n")
    assert doctor.describe_environment(venv, tmp_path / "base") == (
        f"virtualenv {venv} made by install_nnlabs() (extras: cuda, jax)"
    )
    ephemeral = tmp_path / "uv" / "archive-v0" / "abc123"
    ephemeral.mkdir(parents=True)
    assert "py_require()" in doctor.describe_environment(ephemeral, tmp_path / "base")


def test_setup_facts_reads_positron_from_the_environment(monkeypatch):
    monkeypatch.delenv("POSITRON_VERSION", raising=False)
    monkeypatch.delenv("POSITRON", raising=False)
    assert doctor.setup_facts()["positron"] is False
    monkeypatch.setenv("POSITRON", "1")
    assert doctor.setup_facts()["positron"] is True
    assert doctor.setup_facts(positron=False)["positron"] is False
    found = doctor.setup_facts()
    assert set(found) == set(FINE)
    assert found["tensorflow"]  # the locked environment has TensorFlow


def test_report_says_which_python_and_why():
    out = doctor.report(chosen_by="NNLABS_PYTHON")
    assert out["chosen by"] == "NNLABS_PYTHON"
    assert out["environment"]
    assert not [key for key in out if key.startswith("warning")]
    default = doctor.report()
    assert default["chosen by"]
