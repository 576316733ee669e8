"""The MLP engine: one GAN iteration for plain MLP networks with a hand-written backward pass.

Why: at the toy sizes (batch 256, width 128) one iteration is ~20 small matmuls, and autograd's graph bookkeeping
plus ``torch.optim``'s per-call Python cost more time than the arithmetic. For a stack of Linear + activation layers
the backward pass is three lines per layer, so it is written out here, and each loss's gradient w.r.t. D's logits in
``playground.engines.loss_grads``.

It covers networks that are such stacks (D may pack samples, but has no minibatch-stddev feature), a loss without
gradient penalty and no unrolled D; the Trainer runs the reference step (``playground.gan.step``) otherwise. It
computes the reference's numbers from the same random draws in the same order (tests/engines/test_fast_step.py checks
the weights agree after a short run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from playground.engines.loss_grads import LOSS_GRADS
from playground.gan.models import Discriminator
from playground.gan.step import StepRecord

if TYPE_CHECKING:
    from playground.gan.trainer import TrainConfig, Trainer

# each activation: its forward pass in place (on the fresh output of a Linear) and its derivative written in terms
# of its *output* a (what the forward pass keeps), in place on the incoming gradient where that is one kernel
ACTIVATION_PASSES = {
    nn.ReLU: (torch.relu_, lambda a, g: torch.ops.aten.threshold_backward.grad_input(g, a, 0, grad_input=g)),
    nn.LeakyReLU: (lambda x: nn.functional.leaky_relu_(x, 0.2), lambda a, g: torch.where(a > 0, g, g * 0.2)),
    nn.Tanh: (torch.tanh_, lambda a, g: g * (1 - a * a)),
    nn.ELU: (nn.functional.elu_, lambda a, g: torch.where(a > 0, g, g * (a + 1))),
}


_ONE = torch.ones(())


def sequential_layers(seq: nn.Sequential) -> list[tuple[torch.Tensor, torch.Tensor, nn.Module | None]]:
    """(weight, bias, the activation after it or None) for each Linear of an ``nn.Sequential``."""
    mods = list(seq)
    return [(m.weight, m.bias, mods[i + 1] if i + 1 < len(mods) and not isinstance(mods[i + 1], nn.Linear) else None)
            for i, m in enumerate(mods) if isinstance(m, nn.Linear)]  # fmt: skip


class Stack:
    """Linear layers, each optionally followed by an activation, run by hand: weights [out, in], x [N, in].

    Its parameters' gradients live in one flat buffer (``grad``; ``.grad`` of each parameter is a view of it), so the
    gradient norm is one call, and the backward pass writes into it instead of allocating. ``stacked.SeedStack``
    runs the same passes on a seed axis by overriding the four products.
    """

    def __init__(self, layers: list[tuple[torch.Tensor, torch.Tensor, nn.Module | None]]) -> None:
        self.params = [p for weight, bias, _ in layers for p in (weight, bias)]
        self.grad = self.params[0].new_zeros(sum(p.numel() for p in self.params))
        self.grads = [g.view_as(p) for g, p in zip(self.grad.split([p.numel() for p in self.params]), self.params)]
        # one tuple per layer, everything the passes need, looked up once (reading a module's parameter costs ~1 µs):
        # (weight, bias, activation's passes or (None, None), its gradient buffers, the products' form)
        self.layers = []
        for j, (weight, bias, act) in enumerate(layers):
            passes = ACTIVATION_PASSES[type(act)] if act is not None else (None, None)
            self.layers.append((weight, bias, *passes, self.grads[2 * j], self.grads[2 * j + 1], self.form(weight)))

    @classmethod
    def of(cls, seq: nn.Sequential) -> Stack:
        return cls(sequential_layers(seq))

    @staticmethod
    def supports(seq: nn.Module) -> bool:
        """True for Linear layers with known activations between them (and no other modules)."""
        if not isinstance(seq, nn.Sequential) or not len(seq) or not isinstance(seq[0], nn.Linear):
            return False
        if any(m.negative_slope != 0.2 for m in seq if isinstance(m, nn.LeakyReLU)):
            return False
        if any(getattr(m, "alpha", 1.0) != 1.0 for m in seq if isinstance(m, nn.ELU)):
            return False
        kinds = [type(m) for m in seq]
        return all(k is nn.Linear or k in ACTIVATION_PASSES for k in kinds) and not any(
            a is not nn.Linear and b is not nn.Linear for a, b in zip(kinds, kinds[1:])
        )

    # ---- the four products of a layer, in the order that runs fast on a CPU -------------------------------------
    @staticmethod
    def form(weight: torch.Tensor) -> tuple[bool, bool]:
        """(in < out, in ≤ 8): for 2-D data ∂L/∂W = (xᵀg)ᵀ when in < out (136 → 30 µs), ∂L/∂x = (Wᵀgᵀ)ᵀ when in ≤ 8
        (41 → 20 µs)."""
        return weight.shape[1] < weight.shape[0], weight.shape[1] <= 8

    @staticmethod
    def linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, form) -> torch.Tensor:
        return nn.functional.linear(x, weight, bias)

    @staticmethod
    def weight_grad(x: torch.Tensor, grad: torch.Tensor, out: torch.Tensor, form) -> None:
        """∂L/∂W = gᵀx, into ``out``."""
        if form[0]:
            out.copy_(x.t().mm(grad).t())
        else:
            torch.mm(grad.t(), x, out=out)

    @staticmethod
    def bias_grad(grad: torch.Tensor, out: torch.Tensor) -> None:
        """∂L/∂b = Σ g over the batch, into ``out``."""
        torch.sum(grad, 0, out=out)

    @staticmethod
    def input_grad(grad: torch.Tensor, weight: torch.Tensor, form) -> torch.Tensor:
        """∂L/∂x = gW."""
        return weight.t().mm(grad.t()).t() if form[1] else grad.mm(weight)

    # ---- the passes ---------------------------------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's output, input first: [x, a₁, …, output]."""
        outs = [x]
        for weight, bias, act, _, _, _, form in self.layers:
            x = self.linear(x, weight, bias, form)
            x = x if act is None else act(x)
            outs.append(x)
        return outs

    def backward(self, outs: list[torch.Tensor], grad: torch.Tensor, params: bool) -> torch.Tensor | None:
        """Back-propagate ∂L/∂output (consumed: it may be overwritten); if ``params``, write the parameter
        gradients into ``grad`` and make them the parameters' ``.grad``.

        Returns ∂L/∂input (skipped, returning None, when only parameter gradients are wanted).
        """
        if params and self.params[0].grad is not self.grads[0]:  # autograd (after a change of loss) made its own
            for p, g in zip(self.params, self.grads):
                p.grad = g
        for i in range(len(self.layers) - 1, -1, -1):
            weight, _, _, act_grad, grad_w, grad_b, form = self.layers[i]
            if act_grad is not None:
                grad = act_grad(outs[i + 1], grad)
            if params:
                self.weight_grad(outs[i], grad, grad_w, form)
                self.bias_grad(grad, grad_b)
                if i == 0:
                    return None
            grad = self.input_grad(grad, weight, form)
        return grad

    def grad_norm(self) -> torch.Tensor:
        """‖∇‖ over all parameters, from the last ``backward`` with ``params``."""
        return torch.linalg.vector_norm(self.grad)


class MLPEngine:
    """One iteration of ``playground.gan.step.iterate`` for plain MLP networks, without autograd.

    The same random draws in the same order as the reference: per D update m noise samples then m examples, then
    (unless ``reuse_fakes``) a fresh minibatch of noise for G's update; instance noise on real before fake. ``iterate``
    reads its owner as the reference step reads a Trainer (``latent``, ``real_batch``, ``seen_by_d``, ``noise_sigma``,
    the optimizers), so the stacked engine's owner, a ``SweepTrainer``, runs the same code on a seed axis.
    """

    name = "mlp"

    def __init__(self, G: nn.Sequential, D: Discriminator) -> None:
        self.G, self.D, self.pack = Stack.of(G), Stack.of(D.net), D.pack

    @staticmethod
    def supports(G: nn.Module, D: nn.Module) -> bool:
        return Stack.supports(G) and isinstance(D, Discriminator) and not D.group and Stack.supports(D.net)

    def covers(self, cfg: TrainConfig) -> bool:
        return cfg.loss in LOSS_GRADS and not cfg.unroll_steps

    def iterate(self, t: Trainer) -> StepRecord:
        cfg, m, sigma, grads = t.cfg, t.cfg.batch_size, t.noise_sigma(), LOSS_GRADS[t.cfg.loss]
        # in inference mode: no autograd bookkeeping at all (~0.4 µs less a tensor call, +1 % steps/s); what must
        # outlive the step is made outside it (optimizer_step)
        with torch.inference_mode():
            for _ in range(cfg.k):  # (1) D updates
                g_outs = self.G.forward(t.latent(m))  # keeps what G's backward needs; the fakes are the last entry
                real, _ = t.real_batch(m)
                x = torch.cat([t.seen_by_d(real, sigma), t.seen_by_d(g_outs[-1], sigma)], dim=-2)  # [real; fake]
                d_logits = self.d_grads(grads.d, x)
                norm_d = self.D.grad_norm()
                optimizer_step(t.opt_d)
            if not cfg.reuse_fakes:  # (2) G's update, on a fresh minibatch of noise (Algorithm 1)
                g_outs = self.G.forward(t.latent(m))
            g_logits = self.g_grads(grads.g, g_outs, t.seen_by_d(g_outs[-1], sigma))
            norm_g = self.G.grad_norm()
            optimizer_step(t.opt_g)
        return StepRecord(d_logits, g_logits, None, norm_d, norm_g)

    def _d_forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        if self.pack > 1:  # PacGAN: a pack's samples side by side, [..., N / pack, pack·d]
            x = x.reshape(*x.shape[:-2], -1, self.pack * x.shape[-1])
        return self.D.forward(x)

    @staticmethod
    def logit_grad(loss_grad, logits: torch.Tensor) -> torch.Tensor:
        """A ``loss_grads`` function (batch along dim 0) applied to D's logits [N, 1]."""
        return loss_grad(logits)

    def d_grads(self, d_grad, x: torch.Tensor) -> torch.Tensor:
        """D's gradients for its loss on the batch x = [real; fake], in D's ``.grad``; returns the logits."""
        outs = self._d_forward(x)
        self.D.backward(outs, self.logit_grad(d_grad, outs[-1]), params=True)
        return outs[-1]

    def g_grads(self, g_grad, g_outs: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        """G's gradients for its loss when D judges x (its fakes, maybe with additive noise), in G's ``.grad``;
        returns D's logits."""
        outs = self._d_forward(x)
        grad_x = self.D.backward(outs, self.logit_grad(g_grad, outs[-1]), params=False)  # D gets no gradient
        self.G.backward(g_outs, grad_x if self.pack == 1 else grad_x.reshape(x.shape), params=True)
        return outs[-1]


def optimizer_step(opt: torch.optim.Optimizer) -> None:
    """``opt.step()``; for fused Adam with its state in place, the same update as one call of its kernel, without
    ``torch.optim``'s per-call bookkeeping (hooks, profiler records, state checks, grouping tensors by device:
    ~100 µs a call, ~4 % of a toy step; tests/engines/test_fast_step.py checks the weights against autograd and
    opt.step)."""
    group = opt.param_groups[0]
    states = [opt.state.get(p) for p in group["params"]]
    if not (isinstance(opt, torch.optim.Adam) and group["fused"] and len(opt.param_groups) == 1 and all(states)) or (
        group["amsgrad"] or group["capturable"] or group["decoupled_weight_decay"]
    ):
        with torch.inference_mode(False):  # the first step creates the moments and step counters: ordinary tensors
            return opt.step()
    beta1, beta2 = group["betas"]
    steps = [s["step"] for s in states]
    counters = steps[0]._base
    if counters is None or counters.shape[0] != len(steps) or any(s._base is not counters for s in steps):
        # the per-parameter step counters become views of one tensor: one add_ a step, not six (~20 → 5 µs)
        with torch.inference_mode(False):  # ordinary tensors: the autograd path's opt.step() updates them too
            counters = torch.stack(steps)
            for i, s in enumerate(states):
                s["step"] = counters[i]
        steps = [s["step"] for s in states]
    counters.add_(_ONE)  # a tensor: an in-place op converts a Python number into one on every call (~2.7 µs)
    torch._fused_adam_(
        group["params"],
        [p.grad for p in group["params"]],
        [s["exp_avg"] for s in states],
        [s["exp_avg_sq"] for s in states],
        [],
        steps,
        lr=group["lr"],
        beta1=beta1,
        beta2=beta2,
        weight_decay=group["weight_decay"],
        eps=group["eps"],
        amsgrad=False,
        maximize=group["maximize"],
    )
    return None
