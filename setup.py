"""Packaging for overdue_reminder: console script, package data (templates), dependencies."""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent


def _template_files() -> list[str]:
    """Every file under templates/, relative to it (package_data wants explicit globs)."""
    root = HERE / "templates"
    return [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]


setup(
    name="overdue-reminder",
    version="0.1.0",
    description="A law firm's collections desk beside Odoo: sync, flag, draft, offer, escalate.",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    # templates/ lives at the top level (the design card); it installs as the package
    # overdue_reminder.templates so an installed wheel finds it with importlib.resources.
    packages=find_packages(include=["overdue_reminder", "overdue_reminder.*"])
    + ["overdue_reminder.templates"],
    package_dir={"overdue_reminder.templates": "templates"},
    package_data={
        "overdue_reminder": ["py.typed", "store/migrations/*.py", "store/migrations/versions/*.py"],
        "overdue_reminder.templates": _template_files(),
    },
    install_requires=[
        "odoo-client-lib>=2.0.1",  # the Odoo RPC client the mission names
        "httpx>=0.27",  # odoo-client-lib's JSON-RPC transport; we pass our own timeouts
        "SQLAlchemy>=2.0",  # the store, on SQLite or PostgreSQL
        "alembic>=1.13",  # schema migrations (db upgrade)
        "click>=8.1",  # the CLI
        "rich>=13",  # tables and progress bars for billing staff
        "Jinja2>=3.1",  # sandboxed, autoescaped reminder templates
        "Babel>=2.14",  # amounts and dates in the client's locale
        "holidays>=0.50",  # business days honour public holidays
        "python-docx>=1.1",  # escalation letters
        "schedule>=1.2",  # the nightly service
        "pytz>=2024.1",  # schedule's timezone support needs pytz
        "matplotlib>=3.8",  # the aging chart in the morning digest
        # The statement of account's PDF: pure Python since 4.0, its own TrueType subsetter with the parsed
        # font kept per process, and an invariant mode for byte-identical output (docs/statements.md).
        "reportlab>=4.2,<6",
        # The review page is part of the desk a newcomer starts with (`pip install .`, then
        # `overdue-reminder web`); both are small pure-Python packages, so they are not an extra.
        "Flask>=3.0",  # the attorney review page
        "waitress>=3.0",  # its production WSGI server
    ],
    extras_require={
        "postgres": ["psycopg[binary]>=3.1"],
        "web": [],  # kept so existing `pip install 'overdue-reminder[web]'` commands still work
        "test": [
            "pytest>=8",
            "hypothesis>=6.100",
            "aiosmtpd>=1.4",
            "psycopg[binary]>=3.1",
            "ruff>=0.5",
            "mypy>=1.10",
            "types-pytz",
            "types-reportlab",
            "pypdf>=4",  # the statement tests read the PDF's text and font dictionary back
            "radon>=6",  # tests/test_architecture.py: cyclomatic complexity of every function
            "wcwidth>=0.2.13",  # tests/cli: an independent measure of a table line's display width (CJK)
            "playwright>=1.40",  # drives Debian's chromium in the review page's browser tests
        ],
    },
    entry_points={"console_scripts": ["overdue-reminder=overdue_reminder.cli:main"]},
)
