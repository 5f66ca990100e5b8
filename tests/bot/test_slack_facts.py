"""The per-process memory of Slack's answers: per workspace, bounded, expiring."""

from __future__ import annotations

from bot.slack_facts import SlackFacts


def test_one_workspaces_answers_never_serve_another() -> None:
    facts = SlackFacts()
    facts.remember_channel("T1", "C1", {"name": "acme", "is_member": True})
    facts.remember_home_team("T1", "U1", "T1")
    assert facts.channel("T2", "C1") is None and facts.home_team("T2", "U1") is None
    assert facts.channel("T1", "C1") == {"name": "acme", "is_member": True}
    facts.forget_channel("T2", "C1")  # another workspace's event forgets only its own
    facts.forget_user("T2", "U1")
    assert facts.channel("T1", "C1") is not None and facts.home_team("T1", "U1") == "T1"


def test_entries_expire_after_the_ttl() -> None:
    now = [0.0]
    facts = SlackFacts(ttl=600, clock=lambda: now[0])
    facts.remember_channel("T1", "C1", {"name": "acme"})
    now[0] = 599.0
    assert facts.channel("T1", "C1") == {"name": "acme"}
    now[0] = 600.0
    assert facts.channel("T1", "C1") is None


def test_what_a_caller_changes_is_not_remembered() -> None:
    facts = SlackFacts()
    facts.remember_channel("T1", "C1", {"name": "acme"})
    seen = facts.channel("T1", "C1")
    assert seen is not None
    seen["name"] = "changed"
    assert facts.channel("T1", "C1") == {"name": "acme"}


def test_channels_and_users_share_the_bound() -> None:
    facts = SlackFacts(max_entries=2)
    facts.remember_channel("T1", "C1", {})
    facts.remember_home_team("T1", "U1", "T1")
    facts.remember_home_team("T1", "U2", "T1")
    assert facts.channel("T1", "C1") is None and facts.home_team("T1", "U1") == "T1"
