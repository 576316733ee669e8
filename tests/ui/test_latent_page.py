"""The latent explorer page through Streamlit's AppTest: sliders change the image, z round-trips as text,
and a generator trained in this session (toy or MNIST) is offered without retraining."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from streamlit.testing.v1 import AppTest

from playground.digits.models import DCGANConfig, ImageSampler
from playground.experiments.latent.walks import z_to_text
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "latent.py")


@pytest.fixture
def app():
    return AppTest.from_file(PAGE, default_timeout=120).run()


def digit_url(at: AppTest) -> str:
    """The media URL of the G(z) image: it changes exactly when the image bytes change."""
    return next(img.proto.imgs[0].url for img in at.get("image") if img.proto.imgs[0].caption == "G(z)")


def n_latent_sliders(at: AppTest) -> int:
    return sum(1 for s in at.slider if re.fullmatch(r"latent\.s\d+", s.key))


def current_z(at: AppTest) -> torch.Tensor:
    return at.session_state["latent.z"]


def test_page_renders_three_tabs_with_tooltips_on_every_control(app):
    assert not app.exception
    assert [t.label for t in app.tabs] == ["Sliders", "Interpolation", "Latent walk grid"]
    assert n_latent_sliders(app) == 8  # default: 8 sliders shown
    widgets = [*app.button, *app.selectbox, *app.slider, *app.select_slider, *app.radio, *app.number_input]
    widgets += [*app.text_input, *app.get("download_button")]
    assert all(w.help for w in widgets if hasattr(w, "help")), [w.label for w in widgets if not w.help]
    assert any("fixed" in c.value for c in app.caption)
    assert any("Why slerp?" in m.value for m in app.markdown)


def test_the_slider_latency_is_in_an_expander_for_the_curious(app):
    speed = next(e for e in app.expander if e.label == "Speed, for the curious")
    assert any("Server time, slider change → new image" in c.value for c in speed.caption)
    in_view = [c for c in app.main.caption if "Server time" in c.value and c not in speed.caption]
    assert not in_view


def test_moving_a_slider_changes_z_its_number_box_and_the_image(app):
    before = digit_url(app)
    app.slider(key="latent.s0").set_value(2.5).run()
    assert not app.exception
    assert current_z(app)[0].item() == pytest.approx(2.5)
    assert app.number_input(key="latent.n0").value == pytest.approx(2.5)
    assert digit_url(app) != before


def test_typing_a_value_moves_the_slider_and_clamps_it_at_its_end(app):
    app.number_input(key="latent.n1").set_value(7.0).run()
    assert current_z(app)[1].item() == pytest.approx(7.0)
    assert app.slider(key="latent.s1").value == pytest.approx(4.0)


def test_reset_to_zero_and_randomize(app):
    next(b for b in app.button if b.label == "Reset to zero").click().run()
    torch.testing.assert_close(current_z(app), torch.zeros(32))
    assert app.slider(key="latent.s3").value == pytest.approx(0.0)
    zero_url = digit_url(app)
    next(b for b in app.button if b.label == "Randomize").click().run()
    assert current_z(app).abs().sum() > 0
    assert digit_url(app) != zero_url


def test_pasted_z_is_used_bit_for_bit_and_a_bad_paste_explains_itself(app):
    z = torch.linspace(-1, 1, 32)
    app.text_input(key="latent.paste").input(z_to_text(z))
    next(b for b in app.button if b.label == "Use pasted z").click().run()
    assert torch.equal(current_z(app), z)
    assert app.slider(key="latent.s7").value == pytest.approx(round(z[7].item(), 2))
    app.text_input(key="latent.paste").input("1, 2, 3")
    next(b for b in app.button if b.label == "Use pasted z").click().run()
    assert any("expected 32 comma-separated numbers, got 3" in e.value for e in app.error)
    assert torch.equal(current_z(app), z)


def test_fewer_sliders_leave_the_rest_fixed(app):
    app.slider(key="latent.n_sliders").set_value(3).run()
    assert n_latent_sliders(app) == 3
    assert any("z4…z32 are **fixed**" in c.value for c in app.caption)


def test_interpolation_offers_a_gif_download_and_labels_every_frame(app):
    labels = [b.label for b in app.get("download_button")]
    assert labels == ["Download GIF (168 px)", "Download GIF for slides (448 px)"]
    strips = [img for img in app.get("image") if len(img.proto.imgs) == 10]  # lerp and slerp, 10 frames each
    assert len(strips) == 2
    assert all(" · " in frame.caption and frame.caption.endswith("%") for frame in strips[0].proto.imgs)


def toy_run():
    """What the explorer reads of the toy page's run: its worker's trainer (never the page's own objects)."""
    trainer = Trainer(make_dataset("ring8"), ModelConfig(latent_dim=3, hidden=16), TrainConfig(batch_size=32))
    return SimpleNamespace(worker=SimpleNamespace(trainer=trainer))


def test_a_toy_run_of_this_session_is_explored_in_latent_and_data_space():
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["toy.run"] = toy_run()
    at.session_state["latent.source"] = "session:toy"
    at.run()
    assert not at.exception
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    assert any("your toy 2-D run at step 0" in c.value for c in at.sidebar.caption)
    before = charts[1].proto.spec
    at.slider(key="latent.s0").set_value(1.5).run()
    assert not at.exception
    assert at.get("plotly_chart")[1].proto.spec != before  # G(z) moved


def test_an_mnist_run_of_this_session_is_offered_and_its_weights_are_copied_not_trained():
    cfg = DCGANConfig(latent_dim=16, g_channels=8, d_channels=8)
    trainer = Trainer(ImageSampler(torch.rand(64, 1, 28, 28) * 2 - 1), cfg, TrainConfig(batch_size=32))
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["mnist.run"] = SimpleNamespace(worker=SimpleNamespace(trainer=trainer))
    at.session_state["latent.source"] = "session:mnist"
    at.run()
    assert not at.exception
    assert any("your MNIST run at step 0" in c.value for c in at.sidebar.caption)
    assert current_z(at).shape == (16,)
    assert trainer.step_count == 0


def test_the_shipped_conditional_dcgan_draws_the_digit_asked_for_with_the_same_z(app):
    app.radio(key="latent.source").set_value("pretrained:dcgan_conditional").run()
    assert not app.exception
    seen = {}
    for digit in (3, 7):
        app.selectbox(key="latent.label").set_value(digit).run()
        assert not app.exception
        said = next(m.value for m in app.markdown if "The digit classifier reads" in m.value)
        seen[digit] = (said, current_z(app).clone())
    assert "reads **3**" in seen[3][0] and "reads **7**" in seen[7][0]  # z = 0: a clean digit of each class
    torch.testing.assert_close(seen[3][1], seen[7][1])  # the slider z is kept, only the label changed


def strip_captions(at: AppTest) -> list[list[str]]:
    """The captions under each interpolation strip's frames (lerp, then slerp)."""
    return [[frame.caption for frame in img.proto.imgs] for img in at.get("image") if len(img.proto.imgs) > 1]


def test_a_conditional_interpolation_asks_each_end_for_its_digit_and_morphs_a_3_into_an_8(app):
    app.radio(key="latent.source").set_value("pretrained:dcgan_conditional").run()
    assert not app.exception
    assert app.selectbox(key="latent.label").value == 0  # the sidebar asks for a 0: the endpoints ignore it
    assert not [w.value for w in app.warning]  # no "this generator rarely draws a 3"
    for captions in strip_captions(app):
        assert captions[0].startswith("3 · ") and captions[-1].startswith("8 · ")
    assert any("from 3 at A to 8 at B" in m.value for m in app.markdown)


def test_a_corrupt_checkpoint_is_explained_in_the_main_area():
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["latent.source"] = "upload"
    at.run()
    assert any("Choose a generator in the sidebar" in i.value for i in at.main.info)
    at.sidebar.file_uploader(key="latent.upload").upload("broken.safetensors", b"not a checkpoint").run()
    assert not at.exception
    assert any("This checkpoint can't be used." in e.value for e in at.main.error)
    assert not at.sidebar.error
    assert not any("Choose a generator in the sidebar" in i.value for i in at.main.info)
