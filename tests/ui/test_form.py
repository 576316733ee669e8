"""ui.form draws a declaration's widgets; ui.share applies and writes links and the lecturer's lock switch."""

import pytest
from streamlit.testing.v1 import AppTest

from playground.settings import Setting
from webui.form import narrowed


def page():
    """A tiny page: one declaration, its form in the sidebar, the share box (AppTest runs this source alone)."""
    import streamlit as st

    from playground.settings import Experiment, Setting
    from webui import form, share, state

    exp = Experiment(
        "f",
        (
            Setting("loss", "nonsat", "Loss", "The objective.", "select", ("nonsat", "hinge"),
                    {"nonsat": "Non-saturating", "hinge": "Hinge"}, live=True, group="Main"),
            Setting("lr", 1e-3, "Learning rate", "Step size.", "select_slider", (1e-4, 1e-3, 5e-3), "{:g}".format,
                    live=True, group="Main"),
            Setting("k", 1, "k: D steps", "Inner loop.", "slider", (1, 10), group="Main"),
            Setting("seed", 0, "Seed", "Seeds.", "number", (0, 99), group="Main"),
            Setting("model", "mlp", "Model", "Family.", "radio", ("mlp", "dcgan"), group="Main"),
            Setting("note", "", "Note", "Free text.", "text", url=False, group="Main"),
            Setting("arrows", True, "Arrows", "Overlay.", "toggle", view=True, group="Main"),
        ),
    )  # fmt: skip
    state.init(exp)
    share.url_state(exp)
    with st.sidebar:
        st.session_state["f.values"] = form.form(exp, "Main")
        share.share_ui(exp)


def open_page(**params) -> AppTest:
    at = AppTest.from_function(page, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_each_setting_gets_its_widget_with_label_tooltip_and_declared_default():
    at = open_page()
    assert not at.exception
    sb = at.sidebar
    assert [(w.label, w.value, w.help) for w in sb.selectbox] == [("Loss", "nonsat", "The objective.")]
    assert sb.selectbox[0].options == ["Non-saturating", "Hinge"]  # shown by their labels
    assert sb.select_slider(key="f.lr").value == 1e-3 and sb.select_slider(key="f.lr").options == [
        "0.0001",
        "0.001",
        "0.005",
    ]
    assert sb.slider(key="f.k").value == 1 and sb.slider(key="f.k").min == 1 and sb.slider(key="f.k").max == 10
    assert sb.number_input(key="f.seed").value == 0
    assert sb.radio(key="f.model").value == "mlp"
    assert sb.text_input(key="f.note").value == ""
    assert sb.toggle(key="f.arrows").value is True
    assert at.session_state["f.values"] == {"loss": "nonsat", "lr": 1e-3, "k": 1, "seed": 0, "model": "mlp",
                                            "note": "", "arrows": True}  # fmt: skip


def test_the_form_returns_what_the_widgets_show_and_the_url_follows():
    at = open_page()
    at.sidebar.slider(key="f.k").set_value(4).run()
    at.sidebar.selectbox(key="f.loss").set_value("hinge").run()
    assert at.session_state["f.values"]["k"] == 4 and at.session_state["f.values"]["loss"] == "hinge"
    assert dict(at.query_params) == {"k": "4", "loss": "hinge"}


def test_a_link_sets_the_widgets_and_a_bad_value_warns():
    at = open_page(lr="0.005", k="3", seed="500")
    assert not at.exception
    assert at.sidebar.select_slider(key="f.lr").value == 5e-3 and at.sidebar.slider(key="f.k").value == 3
    assert at.sidebar.number_input(key="f.seed").value == 0
    assert any("Link:" in w.value and "'seed'" in w.value for w in at.warning)


def test_lock_1_disables_every_setting_but_the_view_options_and_hides_the_share_box():
    at = open_page(lock="1")
    sb = at.sidebar
    widgets = [*sb.selectbox, *sb.select_slider, *sb.slider, *sb.number_input, *sb.radio]
    assert widgets and all(w.disabled for w in widgets)
    assert not sb.toggle(key="f.arrows").disabled
    assert not sb.text_input(key="f.note").disabled  # not in the link, so a link cannot lock it
    assert not sb.expander and any("locked by the lecturer's link" in c.value for c in sb.caption)


def test_lock_switch_locks_the_whole_experiment_and_the_list_shows_widget_labels():
    at = open_page()
    lock_list = at.sidebar.multiselect(key="f.share.lock")
    assert lock_list.options == ["Loss", "Learning rate", "k: D steps", "Seed", "Model"]  # no view option
    at.sidebar.toggle(key="f.share.lock_all").set_value(True).run()
    assert at.sidebar.multiselect(key="f.share.lock").disabled
    link = lambda: next(t for t in at.sidebar.text_input if t.label == "Link").value  # the share box's one-line link
    assert link().endswith("?lock=1")
    at.sidebar.toggle(key="f.share.lock_all").set_value(False).run()
    at.sidebar.multiselect(key="f.share.lock").select("k").select("lr").run()
    assert link().endswith("?lock=lr%2Ck")


def narrowed_page():
    """A slider declared 1–32 that the page narrows to ``top`` entries (as the latent explorer does)."""
    import streamlit as st

    from playground.settings import Experiment, Setting
    from webui import form, state

    exp = Experiment(
        "n",
        (
            Setting("shown", 8, "Sliders shown", "How many.", "slider", (1, 32), view=True),
            Setting("axis", 1, "Axis", "Which entry.", "select", tuple(range(1, 33))),
        ),
    )
    state.init(exp)
    top = st.session_state["top"]
    st.session_state["n.value"] = form.widget(exp, "shown", hi=top, help="Up to the latent size.")
    columns = st.columns(2)
    st.session_state["n.axis_value"] = form.widget(exp, "axis", where=columns[1], options=range(1, top + 1))


def test_narrowed_widgets_offer_the_narrower_range_and_move_their_value_inside():
    at = AppTest.from_function(narrowed_page, default_timeout=30)
    at.session_state["top"] = 16
    at.run()
    slider = at.slider(key="n.shown")
    assert (slider.min, slider.max, slider.value, slider.help) == (1, 16, 8, "Up to the latent size.")
    at.selectbox(key="n.axis").set_value(10).run()
    assert at.session_state["n.axis_value"] == 10 and at.columns[1].selectbox(key="n.axis").options[-1] == "16"
    at.session_state["top"] = 4
    at.run()
    assert not at.exception
    assert (at.slider(key="n.shown").max, at.session_state["n.value"]) == (4, 4)
    assert at.selectbox(key="n.axis").options == ["1", "2", "3", "4"] and at.session_state["n.axis_value"] == 1


def test_a_range_wider_than_the_declaration_is_refused():
    shown = Setting("shown", 8, "Sliders shown", "How many.", "slider", (1, 32))
    assert narrowed(shown, None, 4) == (1, 4) and narrowed(shown, 2, None) == (2, 32)
    with pytest.raises(ValueError, match="not within the declared"):
        narrowed(shown, None, 33)
    with pytest.raises(ValueError, match="not within the declared"):
        narrowed(shown, 5, 4)
