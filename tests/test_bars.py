"""ui.bars sends the very chart Altair built before: its spec is now a plain dict."""

import altair as alt
import pytest
from streamlit.testing.v1 import AppTest


def altair_bars(rows, label, series, value_title):
    """The chart ui.bars built with Altair until its spec became a plain dict."""
    long = [{"label": row[label], "series": name, "value": row.get(name, 0)}
            for row in rows for name in series]  # fmt: skip
    numbers = [line["value"] for line in long]
    low, high = min(0, *numbers), max(0, *numbers)
    room = max(1, round((high - low) * 0.15))
    domain = [low - room if low < 0 else 0, high + room]
    from app_pages.ui import axis_ticks  # added since: no tick past the longest bar

    x_axis = alt.Axis(description=f"Axe horizontal : {value_title}", values=axis_ticks(low, high))
    x = alt.X("value:Q", title=value_title, scale=alt.Scale(domain=domain), axis=x_axis)
    y_axis = alt.Axis(labelLimit=0, description=f"Axe vertical : {label}")
    y = alt.Y("label:N", title=None, sort=None, axis=y_axis)
    base = alt.Chart(alt.Data(values=long)).encode(x=x, y=y)
    said = 'datum.label + " : " + datum.value'
    if len(series) > 1:
        legend = alt.Legend(orient="top", description="Légende : " + ", ".join(series))
        colour = alt.Color("series:N", title=None, sort=series, legend=legend)
        base = base.encode(color=colour, yOffset=alt.YOffset("series:N", sort=series))
        said = 'datum.label + ", " + datum.series + " : " + datum.value'
    tooltip = [alt.Tooltip("label:N", title=label), alt.Tooltip("value:Q", title=value_title)]
    value = alt.Text("value:Q")
    bar = base.mark_bar().encode(tooltip=tooltip, description="said:N")
    chart = alt.layer(
        bar.transform_calculate(said=said),
        base.mark_text(align="left", dx=4, aria=False).encode(text=value)
        .transform_filter("datum.value >= 0"),
        base.mark_text(align="right", dx=-4, aria=False).encode(text=value)
        .transform_filter("datum.value < 0"),
    )  # fmt: skip
    height = alt.Step(18, **{"for": "offset"}) if len(series) > 1 else alt.Step(28)
    described = f"Graphique en barres : {value_title}, par {label.lower()}"
    return chart.properties(height=height, description=described)


def both(rows, label, series, value_title):
    import streamlit as st

    from app_pages import ui
    from tests.test_bars import altair_bars

    st.altair_chart(altair_bars(rows, label, series, value_title), width="stretch")
    ui.bars(rows, label, series, value_title)


CASES = [
    ([{"Compétence": "Écoute", "Points": 3}, {"Compétence": "Cadre", "Points": -1}],
     "Compétence", ["Points"], "Points"),
    ([{"Organisation": "Nord", "m1": 40, "m2": 75.5}], "Organisation", ["m1", "m2"], "%"),
    ([{"Fin": "Apaisée", "En autonomie": 3}, {"Fin": "Rompue", "En groupe": 2}],
     "Fin", ["En autonomie", "En groupe"], "Nombre de fins atteintes"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_the_plain_spec_is_the_altair_chart(case):
    at = AppTest.from_function(both, args=case).run()
    assert not at.exception
    old, new = (chart.proto for chart in at.get("vega_lite_chart"))
    assert new == old


def one_chart(rows, label, series, value_title):
    from app_pages import ui

    ui.bars(rows, label, series, value_title)


def shown_spec(*args) -> dict:
    import json

    at = AppTest.from_function(one_chart, args=args).run()
    assert not at.exception
    return json.loads(at.get("vega_lite_chart")[0].proto.spec)


def test_a_percentage_axis_stops_at_100_while_its_values_keep_their_room():
    rows = [{"Organisation": "Habitat Val de Seine", "Module 1": 100, "Module 2": 0}]
    x = shown_spec(rows, "Organisation", ["Module 1", "Module 2"], "% terminé")["layer"][0][
        "encoding"
    ]["x"]
    assert x["axis"]["values"] == list(range(0, 101, 10))  # not « 105, 110, 115 »
    assert x["scale"]["domain"] == [0, 115]  # the « 100 » written past the bar is not cut


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [(0, 3, [0, 1, 2, 3]), (0, 45, list(range(0, 46, 5))), (-1, 3, [-1, 0, 1, 2, 3]),
     (0, 0, [0]), (0, 66.7, list(range(0, 61, 10))), (0, 1234, list(range(0, 1201, 200)))],
)  # fmt: skip
def test_ticks_are_round_and_never_past_the_longest_bar(low, high, ticks):
    from app_pages.ui import axis_ticks

    assert axis_ticks(low, high) == ticks
