"""esafe-learn: online-safety lessons, Online Leaders' mentoring and safeguarding evidence for UK schools."""

from __future__ import annotations

import os
from collections.abc import Mapping

from flask import Flask

from .paths import MIGRATIONS_DIR, STATIC_DIR, TEMPLATES_DIR

__version__ = "0.1.0"


def create_app(test_config: Mapping | None = None) -> Flask:
    """Application factory: defaults, then the environment, then the test mapping."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(TEMPLATES_DIR),
        static_folder=str(STATIC_DIR),
    )
    os.makedirs(app.instance_path, exist_ok=True)

    from .config import finish_config, load_config

    app.config.update(load_config(app.instance_path))
    if test_config is not None:
        app.config.update(test_config)
    finish_config(app)

    _init_extensions(app)
    _register_blueprints(app)

    from . import errors, security, security_log, templating
    from .cli import register_commands
    from .schools.services import working_at_band_expression

    security.add_session_fact(app, "working_at_band", working_at_band_expression)
    security_log.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    from .database import BUSY_TIMEOUT_MS, configure_engine, engine_options
    from .extensions import csrf, db, limiter, login_manager, migrate

    busy_ms = app.config.get("SQLITE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"], busy_ms))
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, busy_ms)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # our server-side sessions do this job


def _register_blueprints(app: Flask) -> None:
    from . import models  # noqa: F401  (every model registered before the first query)
    from .admin.views import bp as admin_bp
    from .auth import account_views
    from .auth.views import bp as auth_bp
    from .backups import cli as backup_cli
    from .badges import views as badge_views
    from .checklist import views as checklist_views
    from .concerns import views as concern_views
    from .content import cli as content_cli
    from .content import views as content_views
    from .coverage import views as coverage_views
    from .home.views import bp as home_bp
    from .lessons import views as lesson_views
    from .mentoring import views as mentoring_views
    from .privacy import views as privacy_views
    from .quizzes import views as quiz_views
    from .schools.views import bp as schools_bp

    for blueprint in (auth_bp, account_views.bp, home_bp, schools_bp, admin_bp, content_views.bp, lesson_views.bp,
                      quiz_views.bp, mentoring_views.bp, privacy_views.bp, concern_views.bp, coverage_views.bp,
                      badge_views.bp, checklist_views.bp):
        app.register_blueprint(blueprint)
    for feature in (account_views, privacy_views, content_views, content_cli, lesson_views, quiz_views, mentoring_views,
                    concern_views, coverage_views, badge_views, checklist_views):
        feature.init_app(app)
    backup_cli.init_app(app)  # after Migrate.init_app: its `db upgrade` backs up SQLite first
