"""The Teams channels rules.yaml names are checked at start, on reload and whenever the app learns
a team's channels (issue 13): one it has not seen is reported in ``/healthz`` (degraded) with the
fix, like Slack's (``tests/slack/test_checks.py``), and cleared once the app learns it."""

from __future__ import annotations

from tests.teams.conftest import TeamsBot


async def problems(teams: TeamsBot) -> list[str]:
    answer = await teams.client.get("/healthz")
    assert answer.status == 200  # degraded, still serving
    body = await answer.json()
    return [p.split(":", 1)[0] for p in body.get("problems", [])]


async def test_channels_the_app_has_not_seen_are_reported_until_it_learns_them(teams: TeamsBot) -> None:
    assert await problems(teams) == [  # nothing installed yet: every channel of rules.yaml
        "rules.yaml department channel CS/Community",
        "rules.yaml department channel CS/Voices",
        "rules.yaml source Community/General",
        "rules.yaml department channel PR/Press",
        "rules.yaml department channel Product/Triage",
    ]
    await teams.install()  # the Community, CS and Product teams: their channels are listed
    assert await problems(teams) == [
        "rules.yaml department channel CS/Voices",
        "rules.yaml department channel PR/Press",
    ]
    await teams.send("conversation_update_channel_created.json")  # CS gets a channel "Voices"
    assert await problems(teams) == ["rules.yaml department channel PR/Press"]
    body = await (await teams.client.get("/healthz")).json()
    assert body["problems"] == [
        "rules.yaml department channel PR/Press: kakehashi has not seen this Teams channel (known: "
        "CS/Community, CS/General, CS/Voices, Community/General, Product/General, Product/Triage); "
        "install the app in the team PR (it learns the team's channels then), or fix the name"
    ]
