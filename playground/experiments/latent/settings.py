"""The latent explorer's settings, declared once (widgets, defaults, share link and lock), and the tooltips of its
other controls.

The explorer trains nothing, so nothing here is live or needs Reset: every setting picks a generator or says
what to draw. Only the shipped generators travel in a link (a session's run or an upload is this browser's own),
and a pasted z is too long for one. The two display choices (sliders shown, frame time) stay each student's own.
"""

from __future__ import annotations

from playground.settings import Experiment, Setting

SHIPPED = ("pretrained:dcgan", "pretrained:mlp", "pretrained:dcgan_conditional")
NOT_IN_LINKS = ("session:mnist", "session:toy", "upload")  # this browser's own generators
MAX_SLIDERS = 32  # more sliders than this is a wall of widgets, not an explorer; the rest stay fixed
MAX_AXIS = 4096  # latent entries an axis choice may name in a link (the widget offers the generator's own)
ENDPOINT_KINDS = {
    "digit": "A digit the classifier recognises",
    "random": "Random z (seeded)",
    "slider": "The slider z (Sliders tab)",
    "pasted": "Pasted z",
}
WALK_DIRECTIONS = {"random": "Two random orthonormal", "axes": "Two latent axes"}
AXES = tuple(range(1, MAX_AXIS + 1))
_axis = "z{}".format
_SEED = (0, 10_000)


def _endpoint(w: str, name: str, kind: str, digit: int, seed: int) -> tuple[Setting, ...]:
    """The four settings of interpolation endpoint `name` (widget keys ``latent.<w>_…``)."""
    return (
        Setting(f"{w}_kind", kind, f"Endpoint {name}", f"Where the path starts ({name} = A) or ends (B).",
                "select", tuple(ENDPOINT_KINDS), ENDPOINT_KINDS, local=("pasted",), group="Interpolation"),
        Setting(f"{w}_digit", digit, "Digit",
                "The explorer draws 128 z and keeps the one the classifier is surest is this digit.",
                "select", tuple(range(10)), group="Interpolation"),
        Setting(f"{w}_seed", seed, "Seed", "Another seed, another candidate z.", "number", _SEED,
                group="Interpolation"),
        Setting(f"{w}_text", "", f"z for {name}", "Paste a z copied from the Sliders tab.", "text", url=False,
                group="Interpolation"),
    )  # fmt: skip


SETTINGS = (
    Setting("source", "pretrained:dcgan", "Generator",
            "Shipped: trained for minutes on CPU (pretrained/README.md). Your run: a copy of the generator you "
            "trained on the MNIST or toy page in this browser session (no retraining). Upload: a saved checkpoint.",
            "radio", SHIPPED + NOT_IN_LINKS, local=NOT_IN_LINKS, group="Generator"),
    Setting("n_sliders", 8, "Sliders shown", "One slider per latent entry for z1…zN; the others stay fixed.",
            "slider", (1, MAX_SLIDERS), view=True, group="Generator"),
    Setting("label", 0, "Digit asked for",
            "This generator is class-conditional: beside z it is told which digit to draw. Keep z and change the "
            "digit to see the same style (slant, thickness) in another digit. Interpolation endpoints that "
            "are a digit ask for their own.",
            "select", tuple(range(10)), group="Generator"),
    Setting("paste", "", "Paste z", "Paste a z copied from here (same generator) to reproduce its picture exactly.",
            "text", url=False, group="Sliders"),
    Setting("toy_i", 1, "Grid: horizontal axis", "The latent entry the grid's horizontal lines vary.",
            "select", AXES, _axis, group="Sliders"),
    Setting("toy_j", 2, "Grid: vertical axis", "The latent entry the grid's vertical lines vary.",
            "select", AXES, _axis, group="Sliders"),
    *_endpoint("a", "A", "digit", 3, 1),
    *_endpoint("b", "B", "digit", 8, 2),
    Setting("steps", 10, "Frames", "Frames along the path, both endpoints included.", "slider", (3, 16),
            group="Interpolation"),
    Setting("method", "slerp", "Animate", "Which path the animation and the GIF follow.", "radio",
            ("lerp", "slerp"), group="Interpolation"),
    Setting("frame_ms", 120, "Frame time (ms)", "How long each frame shows; the GIF plays A → B → A and loops.",
            "slider", (40, 500), view=True, group="Interpolation"),
    Setting("walk_dirs", "random", "Directions",
            "Random: a random 2-D slice through z. Axes: move exactly two entries of z.",
            "radio", tuple(WALK_DIRECTIONS), WALK_DIRECTIONS, group="Walk"),
    Setting("walk_seed", 0, "Seed", "Another seed, another slice.", "number", _SEED, group="Walk"),
    Setting("walk_i", 1, "Across", "The entry that changes from left to right.", "select", AXES, _axis,
            group="Walk"),
    Setting("walk_j", 2, "Down", "The entry that changes from top to bottom.", "select", AXES, _axis,
            group="Walk"),
    # a select_slider: declared sliders take whole numbers; its labels are how a float slider shows its value
    Setting("walk_span", 2.0, "Span ±", "How far the grid reaches from the centre along each direction.",
            "select_slider", tuple(x / 2 for x in range(1, 9)), "{:.2f}".format, group="Walk"),
    Setting("walk_steps", 7, "Grid size", "Digits per row and per column (odd, so the centre is your z).",
            "select_slider", (3, 5, 7, 9, 11), group="Walk"),
)  # fmt: skip

LATENT = Experiment("latent", SETTINGS)

TIPS = {  # tooltips of the explorer's controls that are not settings (buttons, uploads, the entries of z)
    "weights": "A generator saved by GAN Playground (MNIST page → Downloads, or the CLI). Its config is inside the "
    "file; pickled .pt files are refused.",
    "config": 'Optional check: {"model_type": "dcgan", "config": {"latent_dim": 32, …}}. If it differs from the '
    "config inside the checkpoint you get the differing fields.",
    "latest": "Copy the run's current generator (training is not touched).",
    "randomize": "Draw a fresh z from the prior (each press its own seed, the same sequence every session).",
    "zero": "z = 0: the centre of the prior (often a blurry 'average' digit).",
    "entry": "Entry {n} of z. The picture updates as you drag.",
    "exact": "Type an exact value for z{n} (beyond ±{limit:g} the slider stays at its end).",
    "paste": "Set the sliders to the pasted z.",
    "classifier": "A small CNN trained on real digits (pretrained/classifier.safetensors).",
    "gif": "The animation as shown here, an animated GIF that loops forever.",
    "gif_slides": "The same animation with every pixel drawn as a 16×16 block (nearest neighbour, no blur): "
    "big enough to fill a slide.",
    "redraw": "The centre is the z from the Sliders tab; redraw after moving it.",
    "n_sliders": "One slider per latent entry for z1…zN; the other {dim}−N stay fixed.",
}
