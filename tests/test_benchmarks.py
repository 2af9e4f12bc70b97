"""`make bench` runs: the benchmark script, at toy sizes, writes its CSVs and its figure."""
import subprocess
import sys

import pandas as pd
import pytest

from bookfiles import ROOT


def test_step_inference_benchmark_runs(tmp_path):
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "step_inference.py"),
         "--lengths", "4", "8", "--predict-lengths", "4", "--repeats", "3",
         "--growth-rounds", "2", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    ladder = pd.read_csv(tmp_path / "ladder.csv", index_col=0)
    growth = pd.read_csv(tmp_path / "growth.csv")
    assert {"model.predict", "numpy", "arithmetic floor", "weight-traffic floor"} <= set(ladder.index)
    assert (ladder.ms_per_step > 0).all()
    assert set(growth["T"]) == {4, 8} and (growth.seconds > 0).all()
    assert len(growth) == 2 * 2 + 2, "one median per length, way and timing"
    assert (tmp_path / "step_inference.png").stat().st_size > 10_000


@pytest.mark.parametrize("bad", [["--lengths", "0"], ["--growth-rounds", "0"]])
def test_benchmark_rejects_bad_sizes(bad, capsys):
    """In this process (the script's imports are the chapters' own): argparse's error."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "step_inference", ROOT / "benchmarks" / "step_inference.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    with pytest.raises(SystemExit) as exit:
        bench.parse_args(bad)
    assert exit.value.code != 0 and "must be positive" in capsys.readouterr().err
