"""The seed-robustness record (`book/robustness.json`, written by `make robustness`) matches the
chapters as they are now, and every stated number that moves much with the seed says so."""
import json
import sys

import pytest

from bookfiles import (BOOK, GLUE_ROLE, cells, glue_calls, glued_in_prose, load, notebooks,
                       source)

RECORD = BOOK / "robustness.json"
RERUN = "run `make robustness` again to refresh book/robustness.json"
SEEDED = [p for p in notebooks() if p.parent.name in ("chapters", "appendix")]
ids = [p.name for p in SEEDED]
SPREAD_LIMIT, ROUNDING = 0.10, 1e-4


def record():
    assert RECORD.exists(), f"{RECORD.name} is missing: {RERUN}"
    return json.loads(RECORD.read_text())


def stated(path):
    """Names a notebook's prose states with {glue:...}."""
    return glued_in_prose(load(path))


def glued_in_code(path):
    return set(glue_calls(load(path)))


def test_record_is_complete():
    data = record()
    assert {"date", "machine", "packages", "seeds", "chapters"} <= set(data)
    assert len(data["seeds"]) >= 4, f"the record has seeds {data['seeds']}, needs 4: {RERUN}"
    failed = {k: c["failed"] for k, c in data["chapters"].items() if c["failed"]}
    assert not failed, f"the recorded run failed for {failed}: fix the chapter, then {RERUN}"
    assert set(data["chapters"]) == {p.stem for p in SEEDED}, \
        f"the record covers {sorted(data['chapters'])}: {RERUN}"


@pytest.mark.parametrize("path", SEEDED, ids=ids)
def test_every_chapter_ran_under_other_numerics(path):
    """A finding must survive another order of floating-point operations, not only another seed:
    every chapter ran at least once with oneDNN held to AVX2 and once with oneDNN off, and passed.
    Each run names the machine it ran on, which the robustness page shows."""
    sys.path.insert(0, str(BOOK.parent / "tools"))
    import robustness

    chapter = record()["chapters"].get(path.stem, {})
    numerics = chapter.get("numerics", {})
    lacking = {"avx2", "onednn-off"} - set(numerics)
    assert not lacking, f"{path.name} never ran under numerics {sorted(lacking)}: {RERUN}"
    for name, run in numerics.items():
        assert run["environment"] == robustness.NUMERICS[name], f"{name}: {RERUN}"
        assert run["seconds"] and not run["failed"], \
            f"{path.name} failed under {name} numerics at seeds {run['failed']}: fix it, then {RERUN}"
        assert {"cpu", "vector", "cores"} <= set(run["machine"]), f"{name}: {RERUN}"
    assert {"cpu", "cores"} <= set(chapter["machine"]), f"{path.name}: {RERUN}"


@pytest.mark.parametrize("path", SEEDED, ids=ids)
def test_record_matches_what_the_chapter_states(path):
    values = record()["chapters"].get(path.stem, {}).get("values", {})
    lacking = stated(path) - set(values)
    assert not lacking, f"{path.name} states {sorted(lacking)}, absent from the record: {RERUN}"
    stale = set(values) - stated(path) - glued_in_code(path)
    assert not stale, f"the record holds {sorted(stale)}, which {path.name} no longer glues: {RERUN}"


def spread(by_seed, own):
    values = [v for v in by_seed.values() if isinstance(v, (int, float))]
    shown = by_seed.get(str(own))
    if len(values) != len(by_seed) or not isinstance(shown, (int, float)):
        return 0.0
    if max(abs(v) for v in values) < ROUNDING:
        return 0.0   # float32 rounding: its size is the point, not its exact value
    if shown == 0:
        return 0.0 if max(values) == min(values) else float("inf")
    return (max(values) - min(values)) / abs(shown)


@pytest.mark.parametrize("path", SEEDED, ids=ids)
def test_seed_sensitive_numbers_say_so(path):
    chapter = record()["chapters"].get(path.stem, {})
    moving = {name for name, by_seed in chapter.get("values", {}).items()
              if spread(by_seed, chapter["own_seed"]) > SPREAD_LIMIT}
    silent = sorted({name for c in cells(load(path), "markdown")
                     for name in GLUE_ROLE.findall(source(c))
                     if name in moving and "robustness" not in source(c)})
    assert not silent, (f"{path.name} states {silent}, which move by more than "
                        f"{SPREAD_LIMIT:.0%} over the seeds: say so where they are stated and "
                        "link to ../robustness.ipynb (How much do the numbers move?)")
