"""docs/python.md's API table is the registry's (python/api_table.py generates it)."""
import re
import sys

from conftest import SOURCE_DIR

sys.path.insert(0, str(SOURCE_DIR / "python"))
from api_table import api_table  # noqa: E402


def test_docs_table_is_generated():
    page = (SOURCE_DIR / "docs/python.md").read_text()
    m = re.search(r"<!-- api:begin[^\n]*-->\n(.*?)<!-- api:end -->", page, re.S)
    assert m, "docs/python.md lacks the api:begin / api:end markers"
    assert m.group(1) == api_table(), "regenerate: PYTHONPATH=build/python /usr/bin/python3 python/api_table.py"


def test_readme_command_names_the_module_folder():
    readme = (SOURCE_DIR / "README.md").read_text()
    assert "--target infoplane_python" in readme and "export PYTHONPATH=$PWD/build/python" in readme
