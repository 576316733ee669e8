"""Training speed inside the toy page, in a real browser, against the headless Trainer (the README's figures).

Each round: press Train, read the page's step counter over ``--seconds``, press Pause, then train the same
default preset headless (one torch thread, as the page's trainer) for as long. Prints one line per round
(page and headless steps/s, their ratio, the CPU used by the server, its training child and Chromium) and
the median ratio. Needs the dev requirements and Debian's Chromium:

    .venv/bin/python scripts/measure_page_speed.py [--rounds 3] [--seconds 15] [--browser-core 1]

``--browser-core N`` confines Chromium to core N, as if the browser ran on a student's laptop; the server is
free to use every core. Stop other work on the machine while it runs.

Chromium runs on its own, not under Playwright: Playwright connects (over the DevTools port) only to press
the buttons and read the counter, and is gone during the timed window. Attached, it has Chromium forward
every websocket frame of the page's redraws (~1.4 MB/s), which cost the browser ~0.1 core more.
"""

from __future__ import annotations

import argparse
import glob
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

HEADLESS = """
import json, sys, time, torch
from playground.gan.data import make_dataset
from playground.experiments.toy.presets import DEFAULT_PRESET, PRESETS
from playground.engines import fast_engine
from playground.gan.trainer import Trainer
torch.set_num_threads(1)
preset = PRESETS[DEFAULT_PRESET]
trainer = Trainer(make_dataset(preset.dataset), preset.model, preset.train, device="cpu", engine=fast_engine)
trainer.step(20)
first, start = trainer.step_count, time.perf_counter()
while time.perf_counter() - start < float(sys.argv[1]):
    trainer.step(10_000, seconds=0.05)
print(json.dumps((trainer.step_count - first) / (time.perf_counter() - start)))
"""


def cpu_seconds(pid: int, children: bool = False) -> float:
    """CPU time of a process (``children``: of the processes whose parent it is, e.g. the training child)."""
    total = 0.0
    for path in glob.glob("/proc/[0-9]*/stat") if children else [f"/proc/{pid}/stat"]:
        try:
            fields = Path(path).read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if not children or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def chromium_seconds() -> float:
    total = 0.0
    for path in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            if b"chromium" in Path(path).read_bytes():
                total += cpu_seconds(int(path.split("/")[2]))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


# Counts, inside the page, how often the step counter on screen changes: the redraws the student sees.
COUNT_REDRAWS = """() => {
  if (window.redraws === undefined) {
    window.redraws = 0;
    let shown = null;
    new MutationObserver(() => {
      const metric = document.querySelector('[data-testid="stMetric"]');
      const text = metric ? metric.innerText : null;
      if (text !== shown) { shown = text; window.redraws++; }
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
  }
  return window.redraws;
}"""


class Buttons:
    """Connects to the running Chromium only for the moment of a click or a reading, then lets go."""

    def __init__(self, devtools_port: int) -> None:
        from playwright.sync_api import sync_playwright

        self.url, self.pw = f"http://127.0.0.1:{devtools_port}", sync_playwright().start()

    def __call__(self, button: str | None = None) -> tuple[int, int, float]:
        """Press ``button`` (if given); returns (the page's step counter, redraws so far, when it was read)."""
        browser = self.pw.chromium.connect_over_cdp(self.url)
        try:
            page = browser.contexts[0].pages[0]
            if button:
                page.get_by_role("button", name=button).click()
            text = page.locator('[data-testid="stMetric"]').first.inner_text()
            return int(text.split()[-1].replace(",", "")), page.evaluate(COUNT_REDRAWS), time.monotonic()
        finally:
            browser.close()  # for a connected browser: disconnects, the page goes on


def usage(server: subprocess.Popen) -> tuple[float, float, float]:
    """CPU seconds so far of the server, its training child and Chromium."""
    return cpu_seconds(server.pid), cpu_seconds(server.pid, children=True), chromium_seconds()


def main() -> None:
    from conftest import CHROMIUM, CHROMIUM_ARGS, free_port

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=15.0)
    p.add_argument("--browser-core", type=int, default=None, help="confine Chromium to this core")
    args = p.parse_args()

    port, devtools = free_port(), free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    core = [] if args.browser_core is None else ["taskset", "-c", str(args.browser_core)]
    flags = ["--headless", f"--remote-debugging-port={devtools}", "--window-size=1600,1000", *CHROMIUM_ARGS]
    time.sleep(4)
    chromium = subprocess.Popen(
        [*core, CHROMIUM, *flags, f"http://127.0.0.1:{port}/toy2d"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ratios = []
    try:
        time.sleep(15)  # the page loads and imports torch on its first run
        read = Buttons(devtools)
        for _ in range(args.rounds):
            read("Train")
            time.sleep(2)
            first, drawn, start = read()
            cpu_before = usage(server)
            time.sleep(args.seconds)
            last, drawn_end, end = read()
            cpu = [(b - a) / (end - start) for a, b in zip(cpu_before, usage(server))]
            read("Pause")
            time.sleep(1)
            in_page = (last - first) / (end - start)
            headless = float(
                subprocess.run(
                    [sys.executable, "-c", HEADLESS, str(args.seconds)],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            ratios.append(in_page / headless)
            print(
                f"page {in_page:.0f} steps/s ({(drawn_end - drawn) / (end - start):.1f} redraws/s), headless "
                f"{headless:.0f}: ratio {ratios[-1]:.2f}; cores used: "
                f"server {cpu[0]:.2f}, training child {cpu[1]:.2f}, Chromium {cpu[2]:.2f}",
                flush=True,
            )
        read.pw.stop()
    finally:
        chromium.terminate()
        server.terminate()
        chromium.wait()
        server.wait()
    print(f"median ratio {statistics.median(ratios):.2f} over {len(ratios)} rounds")


if __name__ == "__main__":
    main()
