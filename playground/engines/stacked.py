"""The seed-stacked engine: one GAN iteration for S seeds of one MLP configuration at once (``playground.sweep``).

Parameters are stacked along a seed axis: a linear layer holds weights [S, in, out] and runs as one
``torch.baddbmm``, so S seeds cost little more than one on a CPU core. Adam, SGD and RMSprop are elementwise, so one
optimizer over the stacked tensors is S independent optimizers as long as the per-seed losses are *summed* (a mean
would scale every seed's gradient by 1/S). Seed s follows exactly the random draws of ``Trainer(seed=s)`` (one
generator per seed, the reference step's order), so it is the same run (tests/engines/test_sweep.py).

- ``StackedMLPEngine``: the MLP engine's hand-written passes (``mlp.MLPEngine``, ``mlp.Stack``) on the seed axis;
- ``StackedAutogradEngine``: the reference step's maths with autograd, for minibatch stddev and the gradient penalty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from playground.engines.mlp import ACTIVATION_PASSES, MLPEngine, Stack, optimizer_step
from playground.gan.models import ACTIVATIONS, Discriminator
from playground.gan.step import StepRecord

if TYPE_CHECKING:
    from playground.gan.trainer import TrainConfig
    from playground.sweep import SweepTrainer


# ---- stacked networks -------------------------------------------------------------------------------
class StackedMLP(nn.Module):
    """S copies of a core ``mlp`` (Linear, act, Linear, …) evaluated at once: x [S, N, in] → [S, N, out]."""

    def __init__(self, nets: list[nn.Sequential], activation: str) -> None:
        super().__init__()
        linears = [[m for m in net if isinstance(m, nn.Linear)] for net in nets]
        self.index = [i for i, m in enumerate(nets[0]) if isinstance(m, nn.Linear)]  # keys of the core state_dict
        # stored transposed, [S, in, out], so that baddbmm(b, x, W) = x W + b per seed
        self.weights = nn.ParameterList(
            [nn.Parameter(torch.stack([ls[j].weight.detach().t() for ls in linears])) for j in range(len(self.index))]
        )
        self.biases = nn.ParameterList(
            [
                nn.Parameter(torch.stack([ls[j].bias.detach() for ls in linears]).unsqueeze(1))
                for j in range(len(self.index))
            ]
        )  # [S, 1, out]
        self.act = ACTIVATIONS[activation]()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return stacked_forward(x, list(self.weights), list(self.biases), self.act)

    def layers(self) -> list[tuple[torch.Tensor, torch.Tensor, nn.Module | None]]:
        """(weight, bias, activation after it or None) per layer, as ``mlp.Stack`` takes them."""
        last = len(self.weights) - 1
        return [(w, b, self.act if j < last else None) for j, (w, b) in enumerate(zip(self.weights, self.biases))]

    def copy_weights(self) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Detached CPU copies (weights [S, in, out], biases [S, 1, out]): what a UI thread may read."""
        return [w.detach().to("cpu", copy=True) for w in self.weights], [
            b.detach().to("cpu", copy=True) for b in self.biases
        ]


def stacked_forward(x: torch.Tensor, weights, biases, act: nn.Module) -> torch.Tensor:
    """x [S, N, in] through Linear/act layers given as stacked weights [S, in, out] and biases [S, 1, out]."""
    for j, (w, b) in enumerate(zip(weights, biases)):
        x = torch.baddbmm(b, x, w)  # [S, N, out] = x W + b, seed by seed
        if j < len(weights) - 1:
            x = act(x)
    return x


def core_state(index: list[int], weights, biases, s: int, prefix: str = "") -> dict[str, torch.Tensor]:
    """Seed s's layers under the core ``mlp``'s state_dict keys (``0.weight`` is [out, in])."""
    out = {}
    for i, w, b in zip(index, weights, biases):
        out[f"{prefix}{i}.weight"] = w[s].t().contiguous()
        out[f"{prefix}{i}.bias"] = b[s, 0].clone()
    return out


class StackedDiscriminator(nn.Module):
    """The core ``Discriminator`` (packing, minibatch stddev) on x [S, N, d] → logits [S, N / pack, 1]."""

    def __init__(self, discs: list[Discriminator], activation: str) -> None:
        super().__init__()
        self.pack, self.group = discs[0].pack, discs[0].group
        self.net = StackedMLP([d.net for d in discs], activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        S = x.shape[0]
        x = x.reshape(S, -1, self.pack * x.shape[-1])  # [S, N / pack, pack·d]
        if self.group:
            groups = x.reshape(S, -1, self.group, x.shape[-1])  # [S, N / (pack·group), group, pack·d]
            spread = groups.std(dim=2, unbiased=False).mean(dim=2, keepdim=True)  # [S, N / (pack·group), 1]
            x = torch.cat([x, spread.repeat_interleave(self.group, dim=1)], dim=2)
        return self.net(x)


# ---- the hand-written engine on a seed axis -------------------------------------------------------------
def _bmm(x: torch.Tensor, w: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """x @ w (+ bias) seed by seed, in the form that runs fast on a CPU: a narrow result (≤ 8 columns, e.g. D's logits)
    as (wᵀxᵀ)ᵀ, and a contraction over one column as a broadcast product. Measured for [16, 512, 128] with 2 threads:
    @ [16, 128, 1] 0.60 → 0.17 ms, its weight gradient 0.73 → 0.07 ms, the outer product 0.65 → 0.05 ms."""
    if w.shape[2] <= 8:
        wt, xt = w.transpose(1, 2), x.transpose(1, 2)
        return (torch.bmm(wt, xt) if bias is None else torch.baddbmm(bias.transpose(1, 2), wt, xt)).transpose(1, 2)
    if x.shape[2] == 1:
        return x * w if bias is None else torch.addcmul(bias, x, w)
    return torch.bmm(x, w) if bias is None else torch.baddbmm(bias, x, w)


class SeedStack(Stack):
    """``mlp.Stack``'s passes on a seed axis: weights [S, in, out], biases [S, 1, out], x [S, N, in]."""

    @staticmethod
    def form(weight: torch.Tensor) -> None:
        return None  # ``_bmm`` picks the product's form from the shapes

    @staticmethod
    def linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, form) -> torch.Tensor:
        return _bmm(x, weight, bias)

    @staticmethod
    def weight_grad(x: torch.Tensor, grad: torch.Tensor, out: torch.Tensor, form) -> None:
        if out.shape[2] <= 8:
            out.copy_(_bmm(x.transpose(1, 2), grad))  # [S, in, out] = xᵀg
        else:
            torch.bmm(x.transpose(1, 2), grad, out=out)

    @staticmethod
    def bias_grad(grad: torch.Tensor, out: torch.Tensor) -> None:
        torch.sum(grad, 1, keepdim=True, out=out)

    @staticmethod
    def input_grad(grad: torch.Tensor, weight: torch.Tensor, form) -> torch.Tensor:
        return _bmm(grad, weight.transpose(1, 2))

    def grad_norm(self) -> torch.Tensor:
        """‖∇‖ of each seed's parameters: [S]."""
        return _per_seed_norm(self.grads)


class StackedMLPEngine(MLPEngine):
    """``MLPEngine.iterate`` for a ``SweepTrainer``: the same passes on [S, N, ·] tensors; fills ``.grad``.

    Why: on a CPU the stacked tensors are [S, N, 128], so autograd's bookkeeping is cheap, but its extra passes over
    them are not: the 16-seed step took 26 ms with autograd, ~20 ms like this (2 threads).
    """

    name = "stacked-mlp"

    def __init__(self, G: StackedMLP, D: StackedDiscriminator) -> None:
        self.G, self.D, self.pack = SeedStack(G.layers()), SeedStack(D.net.layers()), D.pack

    @staticmethod
    def supports(G: StackedMLP, D: StackedDiscriminator) -> bool:
        return not D.group and type(G.act) in ACTIVATION_PASSES

    @staticmethod
    def logit_grad(loss_grad, logits: torch.Tensor) -> torch.Tensor:
        """A loss gradient (batch along dim 0) for stacked logits [S, n, 1]: seed by seed, as [n, S, 1]."""
        return loss_grad(logits.transpose(0, 1)).transpose(0, 1)


class StackedAutogradEngine:
    """The reference step (``playground.gan.step``) on a seed axis with autograd: every loss (WGAN-GP included),
    minibatch stddev; per-seed losses are summed so each seed's gradient is its own."""

    name = "stacked-autograd"

    def covers(self, cfg: TrainConfig) -> bool:
        return not cfg.unroll_steps

    def iterate(self, sw: SweepTrainer) -> StepRecord:
        cfg, m, sigma, loss = sw.cfg, sw.cfg.batch_size, sw.noise_sigma(), sw.loss
        # (1) k D updates, each seed on its own minibatch
        for i in range(cfg.k):
            with torch.set_grad_enabled(cfg.reuse_fakes and i == cfg.k - 1):  # reused fakes keep their graph
                fake = sw.G(sw.latent(m))  # [S, m, d]
            real, _ = sw.real_batch(m)
            real, fake_seen = sw.seen_by_d(real, sigma), sw.seen_by_d(fake.detach(), sigma)
            d_logits = sw.D(torch.cat([real, fake_seen], dim=1))  # [S, 2m / pack, 1]
            d_loss = torch.vmap(loss.d)(*d_logits.chunk(2, dim=1))  # [S]
            penalty = None
            if loss.penalty:
                penalty = cfg.gp_weight * _penalty(sw, real, fake_seen)
                d_loss = d_loss + penalty
            sw.opt_d.zero_grad(set_to_none=True)
            d_loss.sum().backward()  # summed: each seed's gradient is its own loss's
            norm_d = _per_seed_norm([p.grad for p in sw.D.parameters()])
            optimizer_step(sw.opt_d)
        # (2) one G update, on a fresh minibatch of noise unless reusing the last fakes
        if not cfg.reuse_fakes:
            fake = sw.G(sw.latent(m))
        sw.D.requires_grad_(False)
        g_logits = sw.D(sw.seen_by_d(fake, sigma))
        sw.opt_g.zero_grad(set_to_none=True)
        torch.vmap(loss.g)(g_logits).sum().backward()  # [S] losses, summed
        sw.D.requires_grad_(True)
        norm_g = _per_seed_norm([p.grad for p in sw.G.parameters()])
        optimizer_step(sw.opt_g)
        detached = None if penalty is None else penalty.detach()
        return StepRecord(d_logits.detach(), g_logits.detach(), detached, norm_d, norm_g)


def _penalty(sw: SweepTrainer, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """WGAN-GP per seed: E_x̂[(‖∇_x̂ D(x̂)‖₂ − 1)²] → [S] (seeds are independent, so one grad call); each seed draws
    its x̂ from its own stream, as ``losses.gradient_penalty`` does."""
    m = real.shape[1]
    eps = torch.stack([torch.rand(m, 1, generator=g, device=real.device) for g in sw.gens])  # [S, m, 1]
    mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(sw.D(mixed).sum(), mixed, create_graph=True)
    return ((grad.norm(dim=2) - 1) ** 2).mean(dim=1)


def _per_seed_norm(grads: list[torch.Tensor | None]) -> torch.Tensor:
    """‖∇‖₂ of each seed's parameters, from their stacked gradients: [S]."""
    return torch.stack([g.pow(2).flatten(1).sum(dim=1) for g in grads if g is not None]).sum(dim=0).sqrt()


def stacked_engine(G: StackedMLP, D: StackedDiscriminator, cfg: TrainConfig):
    """The hand-written engine where it covers the networks and the loss, else autograd on the seed axis."""
    by_hand = StackedMLPEngine(G, D) if StackedMLPEngine.supports(G, D) else None
    return by_hand if by_hand is not None and by_hand.covers(cfg) else StackedAutogradEngine()
