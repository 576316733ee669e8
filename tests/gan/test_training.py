import math

import pytest
import torch

from playground.engines import fast_engine
from playground.gan.data import make_dataset
from playground.gan.losses import LOSSES
from playground.gan.models import ModelConfig
from playground.gan.record import STAT_NAMES
from playground.gan.trainer import OPTIMIZERS, TrainConfig, Trainer

SMALL = ModelConfig(hidden=32)


def make(data="ring8", engine=None, **kw) -> Trainer:
    return Trainer(make_dataset(data), SMALL, TrainConfig(batch_size=64, **kw), device="cpu", engine=engine)


def test_same_seed_gives_identical_history_on_cpu():
    a, b = make(seed=7), make(seed=7)
    a.step(60)
    b.step(60)
    assert a.history.copy().keys() == b.history.copy().keys()
    for name in STAT_NAMES:
        assert a.history.columns[name] == b.history.columns[name]
    for pa, pb in zip(a.G.parameters(), b.G.parameters()):
        torch.testing.assert_close(pa, pb, rtol=0, atol=0)


@pytest.mark.parametrize(("loss", "engine"), [("nonsat", None), ("nonsat", fast_engine), ("wgan-gp", None)])
def test_a_chunks_statistics_are_each_steps_own(loss, engine):
    """The chunk computes its steps' numbers at once from the logits they kept: row i must be step i's."""
    t = make(loss=loss, engine=engine)
    records = [t._iterate() for _ in range(4)]
    table = t._stats(records)
    for row, record in zip(table, records, strict=True):
        torch.testing.assert_close(row, t._stats([record])[0])
        real, fake = record.d_logits.chunk(2)
        d_loss = t.loss.d(real, fake) + (record.penalty if record.penalty is not None else 0)
        by_hand = [d_loss, t.loss.g(record.g_logits), torch.log(torch.sigmoid(real)).mean()
                   + torch.log(1 - torch.sigmoid(fake)).mean(), torch.sigmoid(real).mean(), torch.sigmoid(fake).mean(),
                   record.norm_d, record.norm_g]  # fmt: skip
        torch.testing.assert_close(row, torch.stack(by_hand).float(), rtol=1e-5, atol=1e-6)
    assert table.shape == (4, len(STAT_NAMES))
    # the gradient norms: the parameters' .grad still hold the last iteration's gradients
    for net, norm in ((t.D, records[-1].norm_d), (t.G, records[-1].norm_g)):
        by_hand = torch.cat([p.grad.flatten() for p in net.parameters()]).pow(2).sum().sqrt()
        torch.testing.assert_close(norm, by_hand, rtol=1e-5, atol=0)


def test_different_seeds_differ():
    a, b = make(seed=1), make(seed=2)
    a.step(5)
    b.step(5)
    assert a.history.columns["d_loss"] != b.history.columns["d_loss"]


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_one_step_of_every_loss_and_optimizer_is_finite(loss, optimizer):
    t = make(loss=loss, optimizer=optimizer, k=2, lr_d=1e-4, lr_g=1e-4)
    assert t.step(1) == 1
    row = {k: v[-1] for k, v in t.history.copy().items()}
    assert row["step"] == 1
    assert all(math.isfinite(row[name]) for name in STAT_NAMES)
    assert 0 < row["d_real"] < 1 and 0 < row["d_fake"] < 1


def test_k_discriminator_steps_per_generator_step():
    t = make(k=3)
    t.step(2)
    assert t.opt_d.state[next(iter(t.D.parameters()))]["step"] == 6
    assert t.opt_g.state[next(iter(t.G.parameters()))]["step"] == 2
    assert t.step_count == 2


def test_history_is_bounded_and_covers_the_whole_run():
    t = make(history_len=50)
    for _ in range(6):
        t.step(20)
    steps = t.history.columns["step"]
    assert len(steps) <= 50
    assert steps[0] <= 4 and steps[-1] == 120


def test_snapshots_are_capped_and_keep_first_and_newest():
    t = make(snapshot_every=5, max_snapshots=6)
    t.step(100)
    steps = [s.step for s in t.snapshots]
    assert len(steps) <= 6
    assert steps[0] == 0 and steps[-1] == 100
    assert steps == sorted(steps)


def test_snapshots_stay_evenly_spaced_over_a_long_run():
    t = make(snapshot_every=5, max_snapshots=6)
    t.step(400)
    steps = [s.step for s in t.snapshots]
    assert steps[0] == 0 and steps[-1] == 400 and len(steps) <= 6
    gaps = {b - a for a, b in zip(steps[:-1], steps[1:])}
    assert gaps == {80}  # 0, 80, …, 400: the spacing doubled from 5 to 80, the early run is not thinned more


def test_published_snapshot_is_a_copy_and_models_at_rebuilds_it():
    t = make()
    t.step(10)
    g, _ = t.models_at()
    z = torch.randn(4, 2)
    torch.testing.assert_close(g(z), t.G_ema(z))
    t.step(10)
    assert t.published.step == 20
    assert not torch.equal(g(z), t.G_ema(z))  # the copy did not move with training


def test_samples_come_from_the_moving_average_of_the_generator():
    raw = make(ema_decay=0.0)
    raw.step(3)
    for ema, live in zip(raw.G_ema.parameters(), raw.G.parameters()):
        torch.testing.assert_close(ema, live, rtol=0, atol=0)
    avg = make(ema_decay=0.9)
    theta0 = [p.detach().clone() for p in avg.G.parameters()]
    avg.step(1)
    for ema, live, start in zip(avg.G_ema.parameters(), avg.G.parameters(), theta0):
        torch.testing.assert_close(ema, 0.9 * start + 0.1 * live)  # θ_ema = 0.9·θ₀ + 0.1·θ₁
        assert not torch.equal(ema, live)


def test_divergence_stops_training_and_restore_brings_back_finite_weights():
    t = make(optimizer="sgd", lr_d=10.0, lr_g=10.0, momentum=0.99)
    t.step(5)
    good_step = t.published.step
    with torch.no_grad():
        next(iter(t.D.parameters())).fill_(float("nan"))
    t.step(5)
    assert t.diverged is not None
    assert t.step(5) == 0  # paused until restored
    t.restore()
    assert t.diverged is None and t.published.step == good_step
    assert all(torch.isfinite(p).all() for p in t.D.parameters())


def test_live_settings_change_without_a_new_model():
    t = make()
    t.reconfigure(lr_d=0.01, lr_g=0.02, loss="hinge", k=2)
    assert t.opt_d.param_groups[0]["lr"] == 0.01 and t.opt_g.param_groups[0]["lr"] == 0.02
    assert t.loss is LOSSES["hinge"] and t.cfg.k == 2
    with pytest.raises(ValueError, match="can change"):
        t.reconfigure(seed=3)
    with pytest.raises(ValueError, match="k must"):
        t.reconfigure(k=0)


def test_history_csv_has_a_header_and_one_row_per_recorded_step():
    t = make()
    t.step(7)
    lines = t.history.to_csv().splitlines()
    assert lines[0].split(",")[:4] == ["step", "d_loss", "g_loss", "value"]
    assert len(lines) == 8 and lines[-1].startswith("7,")


def test_invalid_config_is_rejected_with_a_message():
    with pytest.raises(ValueError, match="loss"):
        TrainConfig(loss="nope")
    with pytest.raises(ValueError, match="k must"):
        TrainConfig(k=0)
    with pytest.raises(ValueError, match="activation"):
        ModelConfig(activation="swish")
