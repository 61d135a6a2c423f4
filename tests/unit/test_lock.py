"""The lock files setup installs from pin every dependency pyproject.toml asks for."""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import PROJECT_ROOT

PROFILES = {"runtime": ("cli",), "dev": ("cli", "dev")}
"""Each lock file and the extras it holds besides the dependencies (scripts/lock)."""


def pins(profile: str) -> dict[str, Version]:
    text = (PROJECT_ROOT / "requirements" / f"{profile}.txt").read_text()
    found = re.findall(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", text, re.MULTILINE)
    return {canonicalize_name(name): Version(version) for name, version in found}


def asked(extras: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in extras:
        specs += project["optional-dependencies"][extra]
    return [Requirement(spec) for spec in specs]


@pytest.mark.parametrize("profile", PROFILES)
def test_every_dependency_is_pinned_within_its_range(profile: str) -> None:
    pinned = pins(profile)
    outside = [
        str(requirement)
        for requirement in asked(PROFILES[profile])
        if not requirement.specifier.contains(
            pinned.get(canonicalize_name(requirement.name), Version("0")), prereleases=True
        )
    ]
    assert outside == [], f"run scripts/lock: requirements/{profile}.txt misses {outside}"


def test_the_runtime_lock_has_no_development_tools() -> None:
    tools = {canonicalize_name(r.name) for r in asked(("dev",))} - {
        canonicalize_name(r.name) for r in asked(("cli",))
    }
    assert tools and not tools & pins("runtime").keys()
