"""The GUI benchmark measures what the app shows: a viewport in its container, frames really painted."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_the_stage_paints_every_counted_frame_and_scrubs(qtbot):
    from benchmarks.bench_app import _Stage
    stage = _Stage(figures=2)
    try:
        assert stage.view.widget().isVisible() and stage.view.isExposed()
        assert len(stage.view.figures) == 2
        assert stage.fps(0.3) > 0
        latencies = stage.scrub(3)
        assert len(latencies) == 3 and all(t > 0 for t in latencies)
        assert stage.renderer() != "?"
    finally:
        stage.close()


def test_rows_are_skipped_with_a_reason_without_a_display(monkeypatch):
    import benchmarks.bench_app as bench
    monkeypatch.setattr(bench, "_can_show", lambda: "no display (run under xvfb-run)")
    rows = bench.run(quick=True)
    assert len(rows) == 5 and all(r["skipped"] == "no display (run under xvfb-run)" for r in rows)
