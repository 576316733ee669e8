"""The import direction: the GAN maths needs no runtime, speed engine or UI; nothing in playground imports streamlit
(the streamlit layer is ``webui/``, beside ``app.py``)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "playground"


def imported_modules(path: Path) -> set[str]:
    """Every module an ``import`` or ``from … import`` statement in the file names (anywhere in it)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)  # from playground import ui
    return names


def reaches(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


@pytest.mark.parametrize("maths", ["gan", "digits"])
def test_the_gan_maths_imports_neither_runtime_nor_engines_nor_ui(maths):
    forbidden = ("playground.runtime", "playground.engines", "webui", "streamlit")
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(m for m in imported_modules(path) if reaches(m, forbidden))
        for path in sorted((PACKAGE / maths).rglob("*.py"))
    }
    assert {f: m for f, m in offenders.items() if m} == {}


def test_nothing_in_playground_imports_streamlit_or_webui():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if any(reaches(m, ("streamlit", "webui")) for m in imported_modules(path))
    ]
    assert offenders == []


def test_the_checker_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from streamlit import runtime\n    import playground.engines.mlp as m\n")
    assert {"streamlit", "streamlit.runtime", "playground.engines.mlp"} <= imported_modules(module)


def test_core_imports_without_streamlit():
    code = (
        "import sys, pkgutil, importlib, playground\n"
        "for m in pkgutil.walk_packages(playground.__path__, 'playground.'):\n"
        "    importlib.import_module(m.name)\n"
        "assert 'streamlit' not in sys.modules, 'playground imported streamlit'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
