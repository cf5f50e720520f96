"""The README's Python example runs as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_examples_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README should show how to use the package"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert "training accuracy" in capsys.readouterr().out


def test_readme_names_the_two_commands():
    text = README.read_text()
    assert "make lab" in text and "make test" in text
    ci = (README.parent / ".ci" / "run").read_text()
    assert "make test" in ci
