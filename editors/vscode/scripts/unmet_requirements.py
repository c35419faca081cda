"""Print the requirements that the distributions in a --target folder need somewhere but lack.

pip evaluates environment markers for the Python that runs it, even with --python-version
and --platform; so a bundle built on Python 3.12 / Linux would lack tomli (Python < 3.11)
or a Windows-only dependency. Here every installed distribution's Requires-Dist is
evaluated for each Python and platform the extension supports, and whatever one of them
needs and the folder does not hold is printed (one requirement a line, markers dropped).

Usage: python3 unmet_requirements.py BUNDLED_LIBS
"""

import sys
from email.parser import Parser
from pathlib import Path

from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name

PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")
PLATFORMS = (
    {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"},
    {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix"},
    {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"},
)
ENVIRONMENTS = [
    {"python_version": version, "python_full_version": f"{version}.0", "implementation_name": "cpython",
     "platform_python_implementation": "CPython", **platform}
    for version in PYTHONS
    for platform in PLATFORMS
]


def installed(libs: Path) -> dict[str, list[Requirement]]:
    """Each distribution in ``libs`` (canonical name) with its declared requirements."""
    found = {}
    for info in libs.glob("*.dist-info"):
        metadata = Parser().parsestr((info / "METADATA").read_text(encoding="utf-8"))
        found[canonicalize_name(metadata["Name"])] = [Requirement(line) for line in metadata.get_all("Requires-Dist") or []]
    return found


def needed_somewhere(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(
        requirement.marker.evaluate({**environment, "extra": extra})
        for environment in ENVIRONMENTS
        for extra in (extras or {""})
    )


def unmet(libs: Path) -> list[str]:
    distributions = installed(libs)
    # Which extras were asked of each distribution (by any other one's requirement).
    extras: dict[str, set[str]] = {name: set() for name in distributions}
    for requirements in distributions.values():
        for requirement in requirements:
            extras.setdefault(canonicalize_name(requirement.name), set()).update(requirement.extras)
    missing = set()
    for name, requirements in distributions.items():
        for requirement in requirements:
            wanted = canonicalize_name(requirement.name)
            if wanted not in distributions and needed_somewhere(requirement, extras.get(name, set())):
                extra = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
                missing.add(f"{requirement.name}{extra}{requirement.specifier}")
    return sorted(missing)


if __name__ == "__main__":
    print("\n".join(unmet(Path(sys.argv[1]))))
