"""bot.blocks.ids: every action and callback id distinct, and within Slack's 255."""

from __future__ import annotations

from bot.blocks import ids
from storage.models import TaskUpdate


def _named(suffix: str) -> dict[str, str]:
    return {
        name: value
        for name, value in vars(ids).items()
        if name.endswith(suffix) and isinstance(value, str)
    }


def test_action_ids_are_distinct_and_not_under_the_check_in_buttons_prefix() -> None:
    actions = _named("_ACTION")
    assert len(set(actions.values())) == len(actions)
    status_buttons = {ids.checkin_action_id(update) for update in TaskUpdate}
    assert not set(actions.values()) & status_buttons
    assert not any(value.startswith(ids.CHECKIN_ACTION_PREFIX) for value in actions.values())


def test_callback_ids_are_distinct() -> None:
    modals = _named("_MODAL")
    assert len(set(modals.values())) == len(modals)


def test_ids_fit_slacks_255_characters() -> None:
    for value in [*_named("_ACTION").values(), *_named("_MODAL").values()]:
        assert 0 < len(value) <= 255
    assert set(ids.TRIAL_ACTIONS) == {
        ids.TRIAL_KEEP_ACTION,
        ids.TRIAL_EXTEND_ACTION,
        ids.TRIAL_END_ACTION,
    }
