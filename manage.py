#!/usr/bin/env python3
"""Django's command-line utility, with a self-installing bootstrap.

Run with any Python 3.11: when the project's virtual environment (.venv) is missing or out of date with
pyproject.toml, it is created/updated first and the command re-runs inside it. So a fresh clone needs
only ``python3 manage.py <command>``. Set DOCKETAPP_NO_BOOTSTRAP=1 to skip this (e.g. in a container
that installs the package itself).
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".docketapp-installed"


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _wanted_stamp() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def bootstrap() -> None:
    if os.environ.get("DOCKETAPP_NO_BOOTSTRAP") == "1":
        return
    python = _venv_python()
    in_venv = Path(sys.prefix).resolve() == VENV.resolve()
    up_to_date = STAMP.exists() and STAMP.read_text().strip() == _wanted_stamp()
    if in_venv and up_to_date:
        return
    if sys.version_info[:2] != (3, 11) and not python.exists():
        sys.exit(f"docketapp needs Python 3.11 (this is {sys.version.split()[0]}); run it with python3.11")
    if not python.exists():
        print("docketapp: creating the virtual environment in .venv …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if not up_to_date:
        print("docketapp: installing dependencies (pip install -e '.[dev]') …", flush=True)
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "--upgrade", "pip", "setuptools", "wheel"], check=True)
        subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
        STAMP.write_text(_wanted_stamp())
    if not in_venv:
        os.execv(str(python), [str(python), str(ROOT / "manage.py"), *sys.argv[1:]])


def main() -> None:
    bootstrap()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docketapp.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
