"""Where the app's templates, static files, packs and migrations live.

In a checkout they sit at the top of the repository; an installed wheel carries them inside the
package (see pyproject's force-include). Look inside the package first.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(checkout_name: str, installed_name: str | None = None) -> Path:
    installed = PACKAGE_DIR / (installed_name or checkout_name)
    return installed if installed.is_dir() else PACKAGE_DIR.parent / checkout_name


TEMPLATES_DIR = resource_dir("templates")
STATIC_DIR = resource_dir("static")
# Packs are `lessons/` in a checkout but `esafe_learn/content_packs/` in a wheel, because
# `esafe_learn/lessons` is the lessons feature's own Python package.
LESSONS_DIR = resource_dir("lessons", "content_packs")
MIGRATIONS_DIR = resource_dir("migrations")
