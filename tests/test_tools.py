"""The workshop tools: learner copies keep every exercise and drop every solution."""
import json
import subprocess
import sys

from bookfiles import ROOT, cells, chapters, load, source


def test_learner_copies(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "learner_copies.py"),
                          "--out", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    for chapter in chapters():
        copy = json.loads((tmp_path / chapter.name).read_text())
        text = "\n".join(source(c) for c in cells(copy, "markdown"))
        original = "\n".join(source(c) for c in cells(load(chapter), "markdown"))
        assert "{solution}" not in text and "dropdown" not in text
        assert text.count("{exercise}") == original.count("{exercise}")
        assert [source(c) for c in cells(copy, "code")] == \
            [source(c) for c in cells(load(chapter), "code")]
