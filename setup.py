"""Package discovery, so no package list is kept by hand: every package under ``transkript_kernel/`` is found,
and ``widgets/`` and ``templates/`` install as ``transkript_widgets`` and ``transkript_templates`` (the
``package-dir`` mapping in pyproject.toml). setuptools' declarative ``packages.find`` cannot give a found
directory another name, hence these few lines; everything else about the project is in pyproject.toml.
"""
from setuptools import find_packages, setup

RENAMED = {"transkript_widgets": "widgets", "transkript_templates": "templates"}


def packages() -> list[str]:
    found = find_packages(include=["transkript_kernel", "transkript_kernel.*"])
    for name, directory in RENAMED.items():
        found += [name] + [f"{name}.{sub}" for sub in find_packages(directory)]
    return found


setup(packages=packages())
