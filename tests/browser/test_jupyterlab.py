"""The notebooks in a real browser: JupyterLab on 127.0.0.1, driven by headless Chromium.

For every notebook: open it, run all cells, find no error output and no widget that
failed to render; where it has a panel with a slider, move the slider and see the
panel's picture change. Screenshots go to tests/browser/screenshots/ (git-ignored).

Needs Debian's Chromium (`apt-get install chromium`). Without it the test is skipped,
except in CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
LAB_SETTINGS = {
    # No "news" toast covering outputs, no update check (this machine is offline).
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Keep every cell in the DOM, so the test can see every output.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def find_chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    message = (
        "Chromium is not installed: run `sudo apt-get install chromium` (Debian/Ubuntu) to enable this test"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a copy of the notebooks (so autosave
    never touches the real ones). Yields its base URL and token."""
    chromium = find_chromium()
    home = tmp_path_factory.mktemp("lab")
    work = home / "notebooks"
    shutil.copytree(ROOT / "notebooks", work)
    env = dict(os.environ)
    for name in (
        "JUPYTER_CONFIG_DIR",
        "JUPYTER_DATA_DIR",
        "JUPYTER_RUNTIME_DIR",
        "JUPYTERLAB_WORKSPACES_DIR",
    ):
        env[name] = str(home / name.lower())
    env["JUPYTERLAB_SETTINGS_DIR"] = str(home / "settings")
    env.pop("MPLBACKEND", None)
    for file, settings in LAB_SETTINGS.items():
        target = home / "settings" / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(settings))
    port, token = free_port(), "nnlesson-browser-test"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={work}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(home / "server.log", "w"),  # noqa: SIM115 (closed with the process)
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError(
                        "JupyterLab did not start:\n" + (home / "server.log").read_text()
                    ) from None
                time.sleep(0.3)
        yield {"base": base, "token": token, "chromium": chromium, "log": home / "server.log"}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=lab["chromium"], args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def wait_for_idle_kernel(page) -> None:
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    page.wait_for_function(
        "() => /Idle/.test(document.querySelector('#jp-main-statusbar')?.innerText || '')", timeout=60_000
    )


def run_all_cells(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def unfinished(page, lab) -> str:
    """What to report when Run All does not finish: the cells not done, the error
    outputs shown, the end of the server's log."""
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
    waiting = [
        f"code cell {i} {p.strip()!r}"
        for i, p in enumerate(prompts)
        if not re.fullmatch(r"\[\d+\]:", p.strip())
    ]
    shown = page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    ).all_inner_texts()
    log = Path(lab["log"]).read_text()[-2000:]
    return f"not done: {waiting}; error outputs: {shown}; server log:\n{log}"


def all_cells_done(page) -> bool:
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
    return bool(prompts) and all(re.fullmatch(r"\[\d+\]:", p.strip()) for p in prompts)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab(lab, browser, notebook):
    SCREENSHOTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        # A workspace of its own: JupyterLab would otherwise reopen the previous notebook too.
        page.goto(f"{lab['base']}/lab/workspaces/{notebook.stem}/tree/{notebook.name}?token={lab['token']}")
        wait_for_idle_kernel(page)
        run_all_cells(page)
        # Execution has really started (a prompt shows [*] or [n]), then wait for the end.
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
            ".some(p => /\\[(\\*|\\d+)\\]/.test(p.innerText))",
            timeout=30_000,
        )
        deadline = time.time() + 180
        while not all_cells_done(page):
            if time.time() > deadline:
                pytest.fail(f"the notebook did not finish running in 180 s: {unfinished(page, lab)}")
            page.wait_for_timeout(300)
        wait_for_idle_kernel(page)
        page.wait_for_timeout(500)  # let the last widgets render

        text = page.locator(".jp-Notebook").inner_text()
        assert "Error displaying widget" not in text
        assert "Loading widget..." not in text, "a widget never rendered"
        stderr = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert stderr.count() == 0, f"a cell printed an error or a warning: {stderr.all_inner_texts()}"
        page.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}.png"), full_page=True)

        panel = page.locator(".jp-OutputArea-output:has(.widget-image):has(.widget-slider)").first
        if page.locator(".jp-OutputArea-output:has(.widget-image):has(.widget-slider)").count() == 0:
            return  # no panel with a slider in this notebook
        panel.scroll_into_view_if_needed()
        image = panel.locator(".widget-image").first
        before = image.get_attribute("src")
        handle = panel.locator(".widget-slider .noUi-handle").first
        handle.focus()
        start = time.perf_counter()
        handle.press("ArrowRight")
        page.wait_for_function(
            "([img, before]) => img.getAttribute('src') !== before",
            arg=[image.element_handle(), before],
            timeout=15_000,
        )
        # Key press to new picture in the page, kernel round trip included (for the README).
        seconds = time.perf_counter() - start
        with open(SCREENSHOTS / "slider-times.txt", "a") as log:
            log.write(f"{notebook.stem}: {seconds * 1000:.0f} ms from key press to new picture\n")
        panel.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}-slider-moved.png"))
        assert not errors, f"JavaScript errors on the page: {errors}"
    except Exception:
        page.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}-FAILED.png"))
        raise
    finally:
        page.close()
        shut_down_kernels(lab)


def shut_down_kernels(lab) -> None:
    """Stop every kernel, so the next notebook does not share the 2 cores with this one."""
    headers = {"Authorization": f"token {lab['token']}"}
    request = urllib.request.Request(f"{lab['base']}/api/kernels", headers=headers)
    for kernel in json.load(urllib.request.urlopen(request, timeout=10)):
        url = f"{lab['base']}/api/kernels/{kernel['id']}"
        urllib.request.urlopen(urllib.request.Request(url, method="DELETE", headers=headers), timeout=10)
