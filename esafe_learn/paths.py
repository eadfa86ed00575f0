"""Where the app's templates, static files, packs and migrations live.

In a checkout they sit at the top of the repository; an installed wheel carries
them inside the package (see pyproject's force-include). Look inside first.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    inside = PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / name


TEMPLATES_DIR = resource_dir("templates")
STATIC_DIR = resource_dir("static")
LESSONS_DIR = resource_dir("lessons")
MIGRATIONS_DIR = resource_dir("migrations")
