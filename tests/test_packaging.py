"""The project installs as a package, not only from the repo root, and its two dependency lists agree."""
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile

from conftest import ROOT


def _pyproject():
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)


def test_environment_yml_matches_pyproject():
    deps = _pyproject()["project"]["dependencies"]
    text = (ROOT / "environment.yml").read_text()
    pip_section = text.split("- pip:", 1)[1]
    listed = re.findall(r'^\s*-\s*"([^"]+)"', pip_section, re.M)
    assert sorted(d for d in listed if d != "-e .") == sorted(deps)
    assert "conda-forge" in text


def test_wheel_contains_engine_widgets_and_templates(tmp_path):
    # build from a clean copy, so no stale build/ directory in the work tree can hide a missing file
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "__pycache__",
                                                              "test-artifacts", ".pytest_cache"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(src)], check=True)
    wheel = next(tmp_path.glob("transkript-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "transkript_kernel/cli.py" in names
    assert "transkript_widgets/__init__.py" in names
    assert any(n.startswith("transkript_templates/report/") for n in names)
    assert any(n.startswith("transkript_templates/prompts/") for n in names)
    assert "transkript_kernel/data/lexicon/nl.json" in names
    assert "transkript_kernel/data/consent.json" in names
    assert any(n.startswith("transkript_templates/voila/") for n in names)
    # discovery, not a hand-kept list: every package of the source tree is in the wheel under its installed name
    for init in (ROOT / "transkript_kernel").rglob("__init__.py"):
        assert init.relative_to(ROOT).as_posix() in names
    for name, directory in (("transkript_widgets", "widgets"), ("transkript_templates", "templates")):
        for init in (ROOT / directory).rglob("__init__.py"):
            assert f"{name}/{init.relative_to(ROOT / directory).as_posix()}" in names


def test_engine_imports_without_jupyter_or_heavy_libraries():
    code = ("import sys, transkript_kernel.cli, transkript_kernel.transcript, transkript_kernel.summary;"
            "heavy = [m for m in ('faster_whisper', 'torch', 'transformers', 'ipywidgets', 'voila', 'IPython')"
            " if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"
