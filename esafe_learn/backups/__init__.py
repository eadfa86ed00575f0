"""Backing up and restoring the database: `esafe-learn backup FILE`, `esafe-learn restore FILE`, and a
backup before `esafe-learn db upgrade` on SQLite."""
