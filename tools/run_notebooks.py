"""Execute notebooks top to bottom and store their outputs in place.

    python tools/run_notebooks.py notebooks/*.ipynb

Every notebook is seeded, so running it again gives the same text outputs (nbval checks
them). Widget state is not stored: each panel carries a PNG of its default view for
readers without a kernel. Fails, and leaves the file untouched, if a cell raises or
prints to stderr (warnings included).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient


def run(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    # IPC transport: local sockets only (and no "running over TCP" warning from the kernel).
    with tempfile.TemporaryDirectory(prefix="nnlesson-kernel-") as sockets:
        kernel = KernelManager(kernel_name="python3", transport="ipc", ip=f"{sockets}/ipc")
        client = NotebookClient(
            notebook,
            km=kernel,
            timeout=300,
            store_widget_state=False,
            record_timing=False,  # no timestamps in the stored notebook: clean diffs
            resources={"metadata": {"path": str(path.parent)}},
        )
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    problems = [
        f"cell {i}: {output.get('ename') or output.get('text', '')[:200]!r}"
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error" or (output.output_type == "stream" and output.name == "stderr")
    ]
    if problems:
        raise SystemExit(f"{path}: not saved, it has error or stderr output:\n  " + "\n  ".join(problems))
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    nbformat.write(notebook, path)
    return seconds


def merge_streams(outputs: list) -> list:
    """Join consecutive prints into one output, as they look on screen (how the kernel
    split them into messages varies from run to run)."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.output_type == previous.output_type == "stream"
            and output.name == previous.name
        ):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: {run(Path(name)):.1f} s", flush=True)
