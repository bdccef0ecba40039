"""The report in a real browser: headless Chromium loads it offline with no console errors, every chart
is visible, and a screenshot of it is not blank."""

from __future__ import annotations

import functools
import http.server
import re
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

import cxsim
from cxsim.charts import CHARTS, report

from helpers import SCENARIOS

CHROMIUM = Path("/usr/bin/chromium")
WEEK = 7 * 24 * 60.0

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it: "
                                       "apt-get install chromium)")]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """A report of a short real run of the demand-spike scenario, served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("report")
    spike = cxsim.load_scenario(SCENARIOS / "demand_spike.yaml")
    short = spike.model_copy(update={"horizon": 3 * WEEK, "warmup": 1 * WEEK})
    folder = cxsim.run(short, replications=2).write(root / "results")
    html = report(folder, root / "site" / "report.html")
    handler = functools.partial(_QuietHandler, directory=str(html.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{html.name}", html, root
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}",
               # Offline: any host but the local server fails to resolve, so an external reference would show.
               "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
               "--window-size=1280,2000", "--hide-scrollbars", *extra, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_screenshot_is_taken_and_not_blank(page, tmp_path):
    url, _, _ = page
    shot = tmp_path / "report.png"
    result = _chromium(url, tmp_path / "profile", f"--screenshot={shot}")
    assert shot.exists(), f"no screenshot: {result.stderr[-2000:]}"
    from matplotlib.image import imread
    pixels = imread(shot)
    assert pixels.shape[0] == 2000 and pixels.shape[1] == 1280
    rgb = pixels[..., :3]
    assert float(rgb.std()) > 0.05, "the screenshot is blank"
    # Not only text: the Okabe–Ito blue and vermillion of the charts are on the page.
    for colour in ((0x00, 0x72, 0xB2), (0xD5, 0x5E, 0x00)):
        close = np.all(np.abs(rgb - np.array(colour) / 255) < 0.06, axis=-1)
        assert close.sum() > 200, f"colour {colour} of the charts not on the screenshot"


def test_page_loads_without_console_errors_and_every_chart_is_visible(page, tmp_path):
    url, html, _ = page
    result = _chromium(url, tmp_path / "profile", "--enable-logging=stderr", "--v=0",
                       "--virtual-time-budget=10000", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    # The page logs nothing when all is well: any console line from it is a failure.
    console = [line for line in result.stderr.splitlines()
               if ("CONSOLE" in line or "Uncaught" in line) and ("127.0.0.1" in line or "report.html" in line)]
    assert not console, "console output from the page:\n" + "\n".join(console)
    dom = result.stdout
    charts = re.findall(r"<img [^>]*class=\"chart\"[^>]*>", dom)
    expected = len(CHARTS) - 3  # every chart but the sweep's, management's and the lag (wellbeing off)
    assert len(charts) == expected, f"{len(charts)} charts in the DOM, expected {expected}"
    for tag in charts:
        width, height = re.search(r'width="(\d+)"', tag), re.search(r'height="(\d+)"', tag)
        assert width and height and int(width.group(1)) > 0 and int(height.group(1)) > 0, tag[:200]
        assert 'data-visible="yes"' in tag, f"chart not visible (not decoded or zero size): {tag[:200]}"
    # The page's own check ran on load and found them all visible.
    assert f'data-charts-visible="{expected}/{expected}"' in dom
    assert "Scenario as run" in dom and f"cxsim {cxsim.__version__}" in dom


def test_console_check_would_see_an_error(tmp_path):
    """The console check above is not vacuous: a page that throws shows up in the log."""
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>undefined_function();</script></body></html>")
    result = _chromium(bad.as_uri(), tmp_path / "profile", "--enable-logging=stderr", "--v=0",
                       "--virtual-time-budget=2000", "--dump-dom")
    assert any("Uncaught" in line and "bad.html" in line for line in result.stderr.splitlines())
