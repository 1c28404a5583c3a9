"""environment.yml (conda) lists exactly the dependencies of pyproject.toml."""

import tomllib

import yaml

from kejifu import config


def _normalise(req: str) -> str:
    return req.replace(" ", "").lower()


def test_environment_yml_and_pyproject_list_the_same_dependencies():
    root = config.repo_root()
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted |= set(extra)
    env = yaml.safe_load((root / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = {r for r in pip_section if not r.startswith("-e")}
    assert {_normalise(r) for r in listed} == {_normalise(r) for r in wanted}
    assert "python=3.11" in env["dependencies"]


def test_every_dependency_has_a_compatible_range_not_an_open_floor():
    project = tomllib.loads((config.repo_root() / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"]) + [r for e in project["optional-dependencies"].values() for r in e]
    assert reqs and all("<" in r and ">=" in r for r in reqs)


def test_the_linters_the_layer_tests_run_are_test_extras_in_both_files():
    root = config.repo_root()
    test_extra = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]["test"]
    env = yaml.safe_load((root / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    for wanted in ["ruff>=0.6,<1", "import-linter>=2.0,<3"]:
        assert wanted in test_extra
        assert wanted in pip_section
