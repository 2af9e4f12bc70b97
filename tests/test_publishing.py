"""What an open book publishes besides its pages: licenses, a citation, a changelog, a
contributing guide, and GitHub Actions workflows (validated with actionlint)."""
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def config():
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def citation():
    return yaml.safe_load((ROOT / "CITATION.cff").read_text())


def test_licenses_are_present_and_stated():
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "creativecommons.org/licenses/by/4.0" in (ROOT / "LICENSE-CONTENT.md").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "LICENSE" in readme and "CC BY 4.0" in readme, "the README must state both licenses"
    footer = config()["html"]["extra_footer"]
    assert "CC BY 4.0" in footer and "MIT" in footer, "every page's footer states the licenses"


def cff_schema(tmp_dir):
    """The CFF 1.2.0 JSON schema, as shipped in the cffconvert wheel (downloaded from PyPI once)."""
    cached = ROOT / "_build" / "cff" / "schema-1.2.0.json"
    if not cached.exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                        "--dest", str(tmp_dir), "cffconvert==2.0.0"], check=True)
        wheel = next(Path(tmp_dir).glob("cffconvert-*.whl"))
        with zipfile.ZipFile(wheel) as z:
            text = z.read("cffconvert/schemas/1.2.0/schema.json")
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(text)
    return json.loads(cached.read_text())


def test_citation_cff_is_valid(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(json.dumps(citation(), default=str))  # dates as ISO strings, as CFF wants
    jsonschema.validate(data, cff_schema(tmp_path))


def test_citation_agrees_with_changelog_config_and_front_page():
    cff = citation()
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})",
                          (ROOT / "CHANGELOG.md").read_text(), flags=re.M)
    assert releases, "CHANGELOG.md needs a release entry: ## [X.Y.Z] - YYYY-MM-DD"
    assert (cff["version"], str(cff["date-released"])) == releases[0], \
        "CITATION.cff's version and date must be the newest CHANGELOG release"
    url = config()["repository"]["url"]
    assert cff["repository-code"] == cff["url"] == url, (
        "the repository URL lives in _config.yml; CITATION.cff must repeat it exactly")
    intro = (ROOT / "book" / "intro.md").read_text()
    assert "## How to cite" in intro and cff["version"] in intro and cff["title"] in intro


def test_contributing_guide_covers_the_rules():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    for needed in ["chapter-pattern", "assert", "glue", "make test", "make robustness",
                   "_config.yml", "repository"]:
        assert needed in text, f"CONTRIBUTING.md should explain {needed!r}"


def test_workflows_exist_for_ci_deploy_upstream_and_links():
    names = {p.stem for p in WORKFLOWS}
    assert {"ci", "deploy", "upstream", "links"} <= names, names
    ci = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    steps = [s.get("run", "") for s in ci["jobs"]["ci"]["steps"]]
    assert any(".ci/run" in s for s in steps), "CI must run .ci/run"
    upstream = (ROOT / ".github/workflows/upstream.yml").read_text()
    assert "tools/unpinned.py" in upstream and "gh issue create" in upstream
    deploy = (ROOT / ".github/workflows/deploy.yml").read_text()
    assert "make book" in deploy and "deploy-pages" in deploy
    assert "tools/learner_branch.py --push" in deploy, "the launch buttons' branch"
    assert "contents: write" in deploy


def test_workflows_pass_actionlint():
    actionlint = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    if not Path(actionlint).exists():
        pytest.fail("actionlint is missing: pip install -r requirements.txt")
    run = subprocess.run([actionlint, "-no-color", *map(str, WORKFLOWS)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_unpinned_keeps_jupyter_book_on_1x():
    sys.path.insert(0, str(ROOT / "tools"))
    from unpinned import unpinned
    names = unpinned((ROOT / "requirements.txt").read_text().splitlines())
    assert "jupyter-book<2" in names and "tensorflow" in names
    assert not any("==" in n for n in names)
    assert "-e ." in names, "the book's own package stays installed"
    for line in ("-r other.txt", "git+https://example.org/pkg.git"):
        with pytest.raises(ValueError, match="not a requirement line"):
            unpinned([line])


@pytest.mark.parametrize("path", sorted((ROOT / "book" / "chapters").glob("*.ipynb")),
                         ids=lambda p: p.name)
def test_each_chapter_names_its_source_with_a_link_or_says_there_is_none(path):
    opening = json.loads(path.read_text())["cells"][0]
    text = "".join(opening["source"])
    assert "**Source" in text, f"{path.name}: the opening cell names its source article"
    source_line = text[text.index("**Source"):]
    has_link = re.search(r"\]\(https?://", source_line)
    says_none = re.search(r"\bno\b[^.]*web address", source_line)
    assert has_link or says_none, (
        f"{path.name}: link the source article, or say plainly that it gives no web address")
    assert "Anonymous" not in text


def test_the_python_the_teaching_page_names_is_binders():
    """The teaching page types the Python version (3.11): it must be the one binder/ builds
    and the pins are checked on, so that a change of Python cannot leave the page behind."""
    version = (ROOT / "binder" / "runtime.txt").read_text().strip().removeprefix("python-")
    page = (ROOT / "book" / "teaching.ipynb").read_text()
    named = set(re.findall(r"(?:Python |python|py -)(3\.\d+)", page))
    assert named == {version}, f"teaching.ipynb names Python {named}, binder/ has {version}"
    assert f"Python {version}" in (ROOT / "requirements.txt").read_text()
