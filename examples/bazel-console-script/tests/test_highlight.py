"""Tests run by pytest's console script from inside a packed file."""
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer


def test_highlight_marks_keywords():
    html = highlight("def f(): pass\n", PythonLexer(), HtmlFormatter())
    assert '<span class="k">def</span>' in html


def test_runs_from_extracted_files():
    import tests

    assert tests.__file__.endswith("__init__.py")
