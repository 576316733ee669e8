"""Home: the game in a few sentences, and a suggested lecture path through every page with how long each takes."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from webui import nav

st.title("GAN Playground")
st.markdown(
    "A **generative adversarial network** is a game between two networks. The **generator** G turns random "
    "noise z into samples G(z); the **discriminator** D looks at a point and outputs D(x), its probability that "
    "the point is real. D is trained to tell real from fake, G to fool D. Formally they play"
)
st.latex(
    r"\min_G \max_D \; V(D, G) = \mathbb{E}_{x \sim p_\text{data}}[\log D(x)]"
    r" + \mathbb{E}_{z \sim p_z}[\log(1 - D(G(z)))]"
)
st.markdown("For a fixed generator the best discriminator is")
st.latex(r"D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)}")
st.markdown(
    "and the game's optimum is reached when the generator's distribution equals the data's, "
    "$p_g = p_\\text{data}$: then the discriminator can only guess, $D^* = \\tfrac12$ everywhere, and "
    "$V = \\log\\tfrac12 + \\log\\tfrac12 = -\\log 4 \\approx -1.386$ (Goodfellow et al., 2014)."
)
# The order of a lecture, what each page shows, and the wait before it shows it. Measured in headless Chromium
# on the 2-core server this project is developed on, with other work running (load 7-11):
# from pressing Train until the toy metric read 8/8 modes, the theory JSD fell below 0.05, the collapse pair
# reached its step count, and the classifier called 50 % / 80 % of the MNIST samples confident digits.
LECTURE_PATH = {
    "app_pages/toy2d.py": (
        "D's decision surface and G's push on a ring of 8 Gaussians; the fakes spread out to every mode.",
        "Train: all 8 modes covered after about 4-8 s (~650 steps).",
    ),
    "app_pages/theory.py": (
        "The paper's Figure 1 in one dimension: D flattens to ½ as p_g reaches p_data, V(D,G) → −log 4.",
        "Train: JSD below 0.05 after about 5 s.",
    ),
    "app_pages/collapse.py": (
        "Mode collapse beside a remedy, from the same seed, with the modes each one covers counted.",
        "Train: both runs reach their step count in about 7 s.",
    ),
    "app_pages/mnist.py": (
        "Handwritten digits emerge from noise; a shipped classifier says how readable they are.",
        "Train: half of the digits readable after about 1 min, 80 % after about 1.5 min: start it, then talk.",
    ),
    "app_pages/latent.py": (
        "Walk through z with shipped generators and watch one digit morph into another.",
        "No waiting: the generators are pretrained.",
    ),
}

st.subheader("A suggested lecture path")
st.caption(
    "In this order; the times are how long the demo needs after pressing Train, measured on a 2-core server "
    "that was busy with other work (a quiet machine is faster)."
)
root = Path(__file__).resolve().parent.parent
pages = {path: (title, icon) for path, title, icon, _ in nav.available_pages(root)}
steps = [(path, *LECTURE_PATH[path]) for path in LECTURE_PATH if path in pages]  # a page lands once its file does
for number, (path, shows, wait) in enumerate(steps, start=1):
    title, icon = pages[path]
    st.page_link(path, label=f"**{number}. {title}**: {shows}", icon=icon)
    st.caption(f":material/schedule: {wait}")
