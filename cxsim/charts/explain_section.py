"""The report's "Why, and how sure" section, drawn from an explanation (``cxsim explain``'s ``explain.json``).

A separate fragment (a Jinja2 template with autoescape) so the report can include it wherever its
own layout puts sections; it needs only the explanation dict.
"""

from __future__ import annotations

import base64
import io

from jinja2 import Environment

from ..explain.verdict import conclusions, short
from . import words
from .style import talk_style

TEMPLATE = """
<section id="explanation">
<h2>Why, and how sure</h2>
<p class=meta>{{ e.other }} − {{ e.reference }} on common random numbers · seed {{ e.seed }} ·
engine {{ e.engine }} · <code>cxsim explain</code></p>
<ul>{% for sentence in sentences %}<li>{{ sentence }}</li>{% endfor %}</ul>
{% if decomposition %}
<table><thead><tr><th>lever</th><th>{{ e.reference }} → {{ e.other }}</th>
{% for m in metrics %}<th>{{ label(m) }}<br><span class=ci>Shapley contribution [95 % CI]</span></th>{% endfor %}
</tr></thead><tbody>
{% for lever, pair in decomposition.levers.items() %}<tr><th scope=row>{{ lever }}</th>
<td>{{ pair[0] }} → {{ pair[1] }}</td>
{% for m in metrics %}<td>{{ cell(m, decomposition.metrics[m].contributions[lever]) }}</td>{% endfor %}</tr>
{% endfor %}<tr><th scope=row>total</th><td></td>
{% for m in metrics %}<td>{{ cell(m, decomposition.metrics[m].total) }}</td>{% endfor %}</tr>
</tbody></table>
{% endif %}
{% for name, title, data, width, height in figures %}
<figure id="{{ name }}"><img class="chart" alt="{{ title }}" width="{{ width }}" height="{{ height }}"
src="data:image/svg+xml;base64,{{ data }}"><figcaption>{{ name }}</figcaption></figure>
{% endfor %}
</section>
"""

_ENV = Environment(autoescape=True)


def _cell(metric: str, s: dict | None) -> str:
    if not s or s.get("mean") is None:
        return ""
    factor, _ = words.scale(metric)
    text = f"{s['mean'] * factor:+.3g}"
    if s.get("ci_low") is not None:
        text += f" [{s['ci_low'] * factor:.3g}, {s['ci_high'] * factor:.3g}]"
    return text


def _svg(fig) -> str:
    buffer = io.BytesIO()
    with talk_style():
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def explain_section(explanation: dict) -> str:
    """The HTML of the section: the conclusions in words, the decomposition table, the charts inline."""
    from .explain import draw_all

    figures = []
    for name, (fig, values) in draw_all(explanation).items():
        width, height = (int(round(v)) for v in fig.get_size_inches() * 72)
        figures.append((name, values.get("title", name), _svg(fig), width, height))
    decomposition = explanation.get("decomposition")
    return _ENV.from_string(TEMPLATE).render(
        e=explanation, sentences=conclusions(explanation), decomposition=decomposition,
        metrics=list(decomposition["metrics"]) if decomposition else [], figures=figures,
        label=lambda m: words.axis_label(m), cell=_cell, short=short)
