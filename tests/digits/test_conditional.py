"""Class-conditional MNIST GANs (label in z, projection discriminator), the image shift for D, and the MNIST CLI."""

import json

import numpy as np
import pytest
import torch

from playground.digits.data import embedded_mnist
from playground.digits.models import DCGANConfig, ImageSampler
from playground.experiments.mnist import figures as MF
from playground.gan.checkpoints import checkpoint_bytes, read_checkpoint
from playground.gan.models import latent_labels, sample_latent
from playground.gan.trainer import TrainConfig, Trainer
from playground.train import main

COND = DCGANConfig(latent_dim=8, g_channels=8, d_channels=8, num_classes=10)


@pytest.fixture(scope="module")
def labelled() -> ImageSampler:
    data = embedded_mnist("train")
    return ImageSampler(data.images[:300], labels=data.labels[:300])


def test_conditional_latent_is_noise_then_the_labels_one_hot():
    gen = torch.Generator().manual_seed(0)
    z = sample_latent(6, COND, gen, "cpu", labels=torch.tensor([3, 0, 9, 3, 1, 2]))
    assert z.shape == (6, 8 + 10)
    assert z[:, 8:].sum(1).tolist() == [1.0] * 6
    assert latent_labels(z, COND).tolist() == [3, 0, 9, 3, 1, 2]
    # without labels they are drawn after the noise: the noise part is what an unconditional config draws
    plain = sample_latent(6, DCGANConfig(latent_dim=8), torch.Generator().manual_seed(1), "cpu")
    drawn = sample_latent(6, COND, torch.Generator().manual_seed(1), "cpu")
    torch.testing.assert_close(drawn[:, :8], plain, rtol=0, atol=0)
    assert latent_labels(plain, DCGANConfig(latent_dim=8)) is None


def test_projection_discriminator_adds_the_labels_embedding_times_the_features():
    D = COND.build_discriminator()
    x, y = torch.rand(4, 1, 28, 28) * 2 - 1, torch.tensor([0, 5, 5, 9])
    features = D.net[:-1](x)
    expected = features @ D.net[-1].weight.T + D.net[-1].bias + (D.embed.weight[y] * features).sum(1, keepdim=True)
    torch.testing.assert_close(D(x, y), expected)
    assert not torch.allclose(D(x, y), D(x, torch.tensor([1, 1, 1, 1])))  # the label matters
    with pytest.raises(ValueError, match="labels"):
        D(x)


def test_conditional_generator_reads_the_label():
    G = COND.build_generator().eval()
    z = sample_latent(2, COND, torch.Generator().manual_seed(0), "cpu", labels=torch.tensor([1, 1]))
    other = z.clone()
    other[:, 8:] = torch.nn.functional.one_hot(torch.tensor([7, 7]), 10).float()
    assert G(z).shape == (2, 1, 28, 28)
    assert not torch.allclose(G(z), G(other))


def test_labelled_sampler_serves_each_image_with_its_own_label():
    images = torch.full((10, 1, 28, 28), -1.0)
    for i in range(10):
        images[i, 0, 0, 0] = i / 10  # the image says which it is
    sampler = ImageSampler(images, labels=torch.arange(10) * 2)
    x, y = sampler.sample_labelled(50, torch.Generator().manual_seed(0))
    torch.testing.assert_close(y, (x[:, 0, 0, 0] * 10).round().long() * 2)
    with pytest.raises(ValueError, match="labels"):
        ImageSampler(images, labels=torch.arange(9))
    assert ImageSampler(images).sample_labelled(3, torch.Generator())[1] is None


def test_conditional_model_needs_labelled_data():
    with pytest.raises(ValueError, match="labelled"):
        Trainer(ImageSampler(embedded_mnist("train").images[:50]), COND, TrainConfig(batch_size=8), device="cpu")


def test_d_sees_the_real_digits_labels_and_the_labels_g_was_asked_for(labelled):
    t = Trainer(labelled, COND, TrainConfig(batch_size=8), device="cpu")
    seen = []
    t.D.register_forward_hook(lambda mod, args, out: seen.append(args[1].clone()))
    real_gen = torch.Generator().manual_seed(t.cfg.seed + 1)  # the trainer's stream, replayed
    z = sample_latent(8, COND, real_gen, "cpu")
    _, real_labels = labelled.sample_labelled(8, real_gen)
    z_fresh = sample_latent(8, COND, real_gen, "cpu")  # Algorithm 1: G's update draws fresh noise (and classes)
    t.step(1)
    torch.testing.assert_close(seen[0], torch.cat([real_labels, latent_labels(z, COND)]))  # D step: real, fake
    torch.testing.assert_close(seen[1], latent_labels(z_fresh, COND))  # G step: the fresh fakes' labels


@pytest.mark.parametrize("loss", ["nonsat", "wgan-gp", "hinge"])
def test_conditional_training_steps_are_finite_with_shift_and_every_remedy_path(labelled, loss):
    cfg = TrainConfig(loss=loss, batch_size=8, gp_weight=10.0, augment_shift=2, instance_noise=0.1, unroll_steps=1)
    t = Trainer(labelled, COND, cfg, device="cpu")
    assert t.step(2) == 2 and t.diverged is None


def test_view_asks_a_conditional_generator_for_every_digit_in_turn():
    data = embedded_mnist("train")
    view = MF.make_view(COND, data.images, data.labels, rows=2, cols=10, n_eval=30)
    assert latent_labels(view.z_grid, COND).tolist() == list(range(10)) * 2  # one digit per column
    assert latent_labels(view.z_eval, COND).tolist() == list(range(10)) * 3


def test_conditional_checkpoint_round_trips():
    t = Trainer(ImageSampler(torch.zeros(4, 1, 28, 28), labels=torch.arange(4)), COND, TrainConfig(batch_size=4))
    G, cfg, _ = read_checkpoint(checkpoint_bytes(t.G_ema, "generator", COND, 0), "generator")
    assert cfg == COND
    z = sample_latent(3, COND, torch.Generator().manual_seed(0), "cpu")
    torch.testing.assert_close(G.eval()(z), t.G_ema.eval()(z))


def test_conditional_dcgan_learns_readable_digits_of_every_class_in_400_steps(labelled):
    """The default MNIST setup (mnist_presets), shortened: a fixed number of steps, not a time limit."""
    from playground.digits.classifier import load_classifier
    from playground.digits.metrics import reference_stats
    from playground.experiments.mnist.presets import FAMILY_DEFAULTS

    torch.set_num_threads(1)
    cfg, train = FAMILY_DEFAULTS["dcgan"]
    data = embedded_mnist("train")
    t = Trainer(ImageSampler(data.images, labels=data.labels), cfg, train, device="cpu")
    t.step(400)
    classifier = load_classifier()
    view = MF.make_view(cfg, data.images, data.labels, n_eval=500)
    G, D = t.models_at()
    report = MF.score(G, D, view, classifier, reference_stats(embedded_mnist("heldout").images, classifier))
    assert report["confident_fraction"] >= 0.6  # an untrained G scores 0
    assert min(report["class_counts"]) >= 0.05 * 500  # every digit drawn (asked for 10 % each)


def test_cli_trains_a_conditional_dcgan_on_mnist_and_writes_digit_samples(tmp_path):
    main(["--dataset", "mnist", "--steps", "3", "--mnist-root", "", "--out", str(tmp_path)])
    samples = np.load(tmp_path / "samples.npy")
    assert samples.shape == (1000, 28, 28) and samples.dtype == np.float32
    assert samples.min() >= 0 and samples.max() <= 1
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["step"] == 3 and metrics["n"] == 1000
    assert {"confident_fraction", "classes_present", "fid", "inception_score"} <= set(metrics)
    assert metrics["real_floor"]["confident_fraction"] > 0.9  # real digits: the floor beside the scores
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["model"]["num_classes"] == 10 and config["train"]["augment_shift"] == 2
    G, cfg, _ = read_checkpoint(tmp_path / "generator.safetensors")
    assert cfg.num_classes == 10


def test_cli_mlp_on_mnist_reads_torchvision_idx_files(tmp_path):
    from tests.digits.test_mnist import write_idx

    rng = np.random.default_rng(0)
    for prefix in ("train", "t10k"):
        write_idx(tmp_path / "root", prefix, rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
                  (np.arange(20) % 10).astype(np.uint8))  # fmt: skip
    out = tmp_path / "out"
    main(["--dataset", "mnist", "--model", "mlp", "--steps", "2", "--mnist-root", str(tmp_path / "root"),
          "--no-download", "--batch-size", "4", "--out", str(out)])  # fmt: skip
    config = json.loads((out / "config.json").read_text())
    assert config["train"]["loss"] == "wgan-gp" and config["train"]["k"] == 2  # the MLP's defaults
    assert np.load(out / "samples.npy").shape == (1000, 28, 28)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "mlp", "--conditional"], "needs --model dcgan"),
        (["--preset", "default-ring8"], "--preset is for the 2-d"),
        (["--remedy", "pack=2"], "--remedy is for the 2-d"),
        (["--augment-shift", "9"], "augment_shift"),
        (["--dataset", "ring8", "--conditional"], "are for --dataset mnist"),
        (["--dataset", "ring8", "--augment-shift", "2"], "are for --dataset mnist"),
    ],
)
def test_cli_mnist_bad_flags_exit_2_with_one_line(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exc:
        dataset = [] if "--dataset" in args else ["--dataset", "mnist"]
        main(["--mnist-root", "", "--steps", "1", "--out", str(tmp_path), *dataset, *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert exc.value.code == 2 and len(err) == 1 and message.lower() in err[0].lower()


def test_explorer_asks_a_conditional_generator_for_the_chosen_digit():
    from playground.experiments.latent.tools import explorer_generator

    G = COND.build_generator().eval()
    gen = explorer_generator(G, COND, "test")
    z = torch.randn(2, 8)
    asked = lambda label: G(torch.cat([z, torch.nn.functional.one_hot(torch.tensor([label] * 2), 10).float()], 1))
    three = gen.for_label(3)
    assert (gen.classes, three.label, three.latent_dim) == (10, 3, 8)
    with torch.no_grad():
        torch.testing.assert_close(three.G(z), asked(3))
        torch.testing.assert_close(three.for_label(4).G(z), asked(4))  # relabelling wraps the plain G again
    with pytest.raises(ValueError, match="label"):
        gen.for_label(10)
