"""The MNIST page's figures and fixed view (experiments.mnist.figures) on small hand-made inputs."""

import pytest
import torch
from torch import nn

from playground.digits.models import DCGANConfig, MnistMLPConfig
from playground.experiments.mnist import figures as MF


def test_decade_ticks_are_plain_powers_of_ten_around_the_values():
    assert MF.decade_ticks([3.2, 450.0]) == [1.0, 10.0, 100.0, 1000.0]
    assert MF.decade_ticks([20.0, 80.0]) == [10.0, 100.0]  # within one decade: still both ends
    assert MF.decade_ticks([100.0]) == [100.0, 1000.0]


def test_fid_axis_labels_only_decades():
    scores = [{"step": 0, "fid": 420.0}, {"step": 500, "fid": 35.0}]
    axis = MF.fid_curve(scores, {"fid": 2.5}).layout.yaxis
    assert list(axis.tickvals) == [1.0, 10.0, 100.0, 1000.0] and list(axis.ticktext) == ["1", "10", "100", "1,000"]
    assert list(axis.range) == pytest.approx([0.0, 3.0])  # log10 of the outer decades: every tick shows


class MeanPixel(nn.Module):
    """A hand-checkable D: its logit is the image's mean pixel (+ the class index, when told one)."""

    def forward(self, x, labels=None):
        out = x.mean(dim=(1, 2, 3)).unsqueeze(1)
        return out if labels is None else out + labels.unsqueeze(1).float()


def test_critic_means_are_d_s_raw_outputs_on_the_view_s_real_digits_and_the_given_fakes():
    images = torch.cat([torch.full((5, 1, 28, 28), 0.5), torch.full((5, 1, 28, 28), -0.5)])
    labels = torch.tensor([0] * 5 + [1] * 5)
    view = MF.make_view(MnistMLPConfig(latent_dim=4), images, labels, n_eval=10)
    assert view.eval_labels is None and len(view.real_eval) == 10  # every real digit, in some order
    real, fake = MF.critic_means(MeanPixel(), view, torch.full((10, 1, 28, 28), -1.0))
    assert (real, fake) == pytest.approx((0.0, -1.0))  # mean of five 0.5s and five −0.5s; the fakes' −1


def test_a_conditional_view_judges_each_image_with_its_class():
    images, labels = torch.zeros(20, 1, 28, 28), torch.arange(20) % 10
    view = MF.make_view(DCGANConfig(latent_dim=4, num_classes=10), images, labels, n_eval=10)
    assert view.eval_labels.tolist() == list(range(10))
    real, fake = MF.critic_means(MeanPixel(), view, torch.zeros(10, 1, 28, 28))
    assert real == pytest.approx(float(view.real_eval_labels.float().mean()))
    assert fake == pytest.approx(4.5)  # classes 0 … 9 asked for once each
