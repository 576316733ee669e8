"""Divergence advice suggests only what the run has not tried (issue 29)."""

from playground.experiments.advice import divergence_advice


def test_a_run_on_the_defaults_is_only_told_to_lower_the_learning_rate_or_try_wgan_gp():
    assert divergence_advice("nonsat", "adam", 1) == "Try a lower learning rate (e.g. ÷3) or the WGAN-GP loss."


def test_a_wgan_gp_run_is_not_told_to_switch_to_wgan_gp():
    advice = divergence_advice("wgan-gp", "adam", 1)
    assert advice == "Try a lower learning rate (e.g. ÷3)."
    assert "WGAN-GP" not in advice


def test_a_saturating_sgd_run_with_several_d_steps_gets_every_fix():
    assert divergence_advice("minimax", "sgd", 3) == (
        "Try a lower learning rate (e.g. ÷3), the non-saturating or WGAN-GP loss, Adam instead of SGD "
        "(needs Reset) or fewer D steps per G step (k is 3)."
    )


def test_without_a_loss_choice_or_live_settings_the_advice_ends_with_reset():
    assert divergence_advice(None, "rmsprop", 1, live=False) == (
        "Try a lower learning rate (e.g. ÷3) or Adam instead of RMSprop, then press Reset."
    )
