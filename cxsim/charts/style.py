"""The talk style: 16:9, large type, the message as a left-aligned title, direct labels, Okabe–Ito colours."""

from __future__ import annotations

import contextlib
import textwrap
from pathlib import Path
from typing import Iterator

import matplotlib
import matplotlib.style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

#: The shipped matplotlib style file.
STYLE = Path(__file__).with_name("talk.mplstyle")

#: Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
OKABE_ITO = {
    "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7", "black": "#000000",
}
#: The order policies get colours in: the first two are the most distinct pair; yellow (weak on white) last.
PALETTE = tuple(OKABE_ITO[c] for c in ("blue", "vermillion", "bluish_green", "reddish_purple", "orange",
                                       "sky_blue", "black", "yellow"))
GREY = "#6b6b6b"
LIGHT_GREY = "#bdbdbd"


@contextlib.contextmanager
def talk_style() -> Iterator[None]:
    """Apply the talk style (and a fixed SVG hash salt, so the same chart gives the same file)."""
    with matplotlib.style.context(str(STYLE)), matplotlib.rc_context({"svg.hashsalt": "cxsim"}):
        yield


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def policy_colours(policies: list[str]) -> dict[str, str]:
    return {p: colour(i) for i, p in enumerate(policies)}


def figure(nrows: int = 1, ncols: int = 1, **kwargs) -> tuple[Figure, object]:
    """A new 16:9 figure in the talk style (call inside :func:`talk_style`).

    The figure is not registered with pyplot and draws with Agg, whatever backend the caller uses
    (no display needed, nothing changed for a notebook's own plots).
    """
    fig = Figure(layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


def message_title(fig: Figure, message: str, caption: str | None = None) -> None:
    """The chart's message as a left-aligned title, and a small grey caption (what was run) below the plot."""
    message = message[:1].upper() + message[1:]
    fig.suptitle(message, x=0.005, ha="left", fontweight="bold")
    if caption:
        fig.supxlabel(caption, x=0.005, ha="left", fontsize=13, color=GREY)


def direct_label(ax, x: float, y: float, text: str, color: str, **kwargs) -> object:
    """Label a line or point next to it, in its colour, instead of a legend."""
    options = {"va": "center", "ha": "left", "fontsize": 16, "fontweight": "bold", "color": color,
               "clip_on": False, "gid": f"direct:{text}"}
    options.update(kwargs)
    return ax.annotate(text, (x, y), xytext=(8, 0), textcoords="offset points", **options)


def spread_labels(positions: list[float], min_gap: float) -> list[float]:
    """Nudge label y positions apart (in data units) so direct labels at a line's end do not overlap."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    out = list(positions)
    for k in range(1, len(order)):
        prev, cur = order[k - 1], order[k]
        if out[cur] - out[prev] < min_gap:
            out[cur] = out[prev] + min_gap
    return out


def fit(fig: Figure) -> None:
    """Make every text fit the figure: wrap, then shrink, the title and caption if they overflow."""
    fig.canvas.draw()
    width = fig.bbox.width
    for text in [t for t in (fig._suptitle, fig._supxlabel) if t is not None]:
        original = text.get_text()
        chars = len(original)
        while text.get_window_extent().width > width * 0.96 and chars > 30:
            # Wrap at about as many characters as fit on one line, then fewer until it fits.
            extent = text.get_window_extent().width
            longest = max(len(line) for line in text.get_text().split("\n"))
            chars = min(chars - 2, int(longest * width * 0.97 / extent))
            text.set_text(textwrap.fill(original, chars))
            fig.canvas.draw()
        size = text.get_fontsize()
        while text.get_window_extent().width > width * 0.96 and size > 9:
            size -= 1
            text.set_fontsize(size)
            fig.canvas.draw()
    untangle_ticks(fig)
    separate_labels(fig)
    # Any other text that sticks out of the figure gets smaller until it fits (a safety net).
    for _ in range(2):
        out = [t for t in overflowing(fig) if t not in (fig._suptitle, fig._supxlabel)]
        if not out:
            break
        for t in out:
            size = t.get_fontsize()
            while size > 9 and t in overflowing(fig, [t]):
                size -= 1
                t.set_fontsize(size)
                fig.canvas.draw()
    fig.canvas.draw()


def separate_labels(fig: Figure, gap: float = 2.0) -> None:
    """Move direct labels (see :func:`direct_label`) of each panel apart vertically, in drawn pixels
    after the layout is final, so that no two overlap however close their lines end."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        labels = [t for t in ax.texts if str(t.get_gid() or "").startswith("direct:") and t.get_visible()]
        if len(labels) < 2:
            continue
        boxes = sorted(((t.get_window_extent(renderer), t) for t in labels), key=lambda bt: bt[0].y0 + bt[0].y1)
        top = -float("inf")
        for box, label in boxes:
            shift = max(0.0, top + gap - box.y0)
            if shift:
                x, y = label.xyann
                label.xyann = (x, y + shift * 72.0 / fig.dpi)
            top = box.y1 + shift
    fig.canvas.draw()


def texts(fig: Figure) -> list:
    """Every visible, non-empty text artist of a figure."""
    from matplotlib.text import Text
    ticks, shown = set(), []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            span = (hi - lo) * 1e-9
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                ticks.update((id(tick.label1), id(tick.label2)))
                # Only the ticks within the view are drawn.
                loc = tick.get_loc()
                if loc is not None and lo - span <= loc <= hi + span and tick.get_visible():
                    shown += [t for t in (tick.label1, tick.label2) if t.get_visible()]
    out = [t for t in fig.findobj(Text) if id(t) not in ticks and t.get_visible() and t.get_text().strip()
           and (t.axes is None or t.axes.get_visible())]
    return out + [t for t in shown if t.get_text().strip()]


def overflowing(fig: Figure, candidates: list | None = None, tolerance: float = 1.0) -> list:
    """The text artists whose drawn extent reaches outside the figure (after ``fig.canvas.draw()``)."""
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    out = []
    for t in candidates if candidates is not None else texts(fig):
        e = t.get_window_extent(renderer)
        if e.width == 0 and e.height == 0:
            continue
        if (e.x0 < box.x0 - tolerance or e.y0 < box.y0 - tolerance or e.x1 > box.x1 + tolerance
                or e.y1 > box.y1 + tolerance):
            out.append(t)
    return out


def save(fig: Figure, path: str | Path) -> Path:
    """Write a figure in the talk style's output settings (SVG text stays text, PDF fonts embedded)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with talk_style():
        metadata = {"Date": None} if path.suffix == ".svg" else (
            {"CreationDate": None} if path.suffix == ".pdf" else None)
        fig.savefig(path, metadata=metadata)
    return path


def _overlap(labels: list, renderer) -> bool:
    boxes = sorted((t.get_window_extent(renderer) for t in labels if t.get_text().strip()), key=lambda b: b.x0)
    return any(a.x1 > b.x0 - 4 for a, b in zip(boxes, boxes[1:]))


def untangle_ticks(fig: Figure) -> None:
    """Category tick labels that run into each other get smaller, then slanted."""
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        renderer = fig.canvas.get_renderer()
        labels = [t for t in ax.get_xticklabels() if t.get_visible() and t.get_text().strip()]
        if len(labels) < 2 or not _overlap(labels, renderer):
            continue
        size = labels[0].get_fontsize()
        while size > 12 and _overlap(labels, renderer):
            size -= 1
            for t in labels:
                t.set_fontsize(size)
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
        if _overlap(labels, renderer):
            for t in labels:
                t.set_rotation(20)
                t.set_ha("right")
                t.set_rotation_mode("anchor")
            fig.canvas.draw()
