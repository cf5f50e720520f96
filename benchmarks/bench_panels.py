"""How fast does every widget panel of every notebook respond?

    python benchmarks/bench_panels.py [name-filter]

Builds each panel of ``nnlesson.panels.catalogue()`` headlessly, then moves every
control through a range of values (sliders: evenly spaced over their range, a log-scale
slider over its decades; dropdowns: every option), one change at a time, back to the
default after each control. Each change is one update as a learner would cause it:
recompute and redraw, PNG included. Prints the median and worst time per update for
each panel. Targets: median <= 100 ms, worst <= 250 ms on the 2-core machine.
"""

from __future__ import annotations

import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

import ipywidgets as w  # noqa: E402
import numpy as np  # noqa: E402

from nnlesson.panels import catalogue  # noqa: E402

STEPS_PER_SLIDER = 8
MEDIAN_TARGET, WORST_TARGET = 0.100, 0.250


def values_to_try(control) -> list:
    """The values a learner might move this control through."""
    if isinstance(control, w.FloatLogSlider):
        return list(control.base ** np.linspace(control.min, control.max, STEPS_PER_SLIDER))
    if isinstance(control, (w.IntSlider, w.FloatSlider)):
        values = np.linspace(control.min, control.max, STEPS_PER_SLIDER)
        return sorted({type(control.value)(v) for v in values})
    if hasattr(control, "options"):
        options = control.options
        return [o[1] if isinstance(o, tuple) else o for o in options]
    if isinstance(control, w.Checkbox):
        return [not control.value]
    return []


def drive(panel) -> list[float]:
    """Move every control of ``panel`` through its values; return seconds per update."""
    times = []
    for control in panel.controls.values():
        default = control.value
        for value in values_to_try(control):
            if value == control.value:
                continue
            start = time.perf_counter()
            control.value = value
            times.append(time.perf_counter() - start)
        control.value = default
    return times


def main(pattern: str = "") -> int:
    panels = {name: f for name, f in catalogue().items() if pattern in name}
    print(f"{'panel':<42} {'build ms':>9} {'updates':>8} {'median ms':>10} {'worst ms':>9}  verdict")
    failures = 0
    for name, factory in panels.items():
        start = time.perf_counter()
        panel = factory()
        build = time.perf_counter() - start
        times = drive(panel)
        if not times:
            print(f"{name:<42} {build * 1e3:9.0f} {0:8d} {'-':>10} {'-':>9}  (no controls)")
            continue
        median, worst = statistics.median(times), max(times)
        ok = median <= MEDIAN_TARGET and worst <= WORST_TARGET
        failures += not ok
        verdict = "ok" if ok else "SLOW"
        row = f"{name:<42} {build * 1e3:9.0f} {len(times):8d} {median * 1e3:10.1f} {worst * 1e3:9.1f}"
        print(f"{row}  {verdict}")
    print(f"targets: median <= {MEDIAN_TARGET * 1e3:.0f} ms, worst <= {WORST_TARGET * 1e3:.0f} ms per update")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
