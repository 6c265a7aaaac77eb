"""The bot as docker-compose runs it: ``manage.py runbot`` (long polling) and the web process's
webhook, as real processes talking to the fake Bot API on loopback."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ideation.models import AnalysisSnapshot, Answer, Participant, Vote
from tests.bots.fake_telegram import TOKEN, FakeTelegram
from tests.bots.test_telegram import button
from tests.e2e.conftest import ROOT, compose_command, free_port, process_env, wait_for_http
from tests.factories import ParticipantFactory, StatementFactory, VoteFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SECRET = "e2e-webhook-secret"


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    command = [sys.executable if part == "python" else part for part in command]
    if command[0] == "uvicorn":
        command[0] = str(Path(sys.executable).parent / "uvicorn")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    process.send_signal(sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_runbot_serves_people_and_a_killed_bot_resumes(consultation, tmp_path):
    with FakeTelegram(TOKEN) as telegram:
        env = process_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=telegram.api_url)
        log = tmp_path / "bot.log"
        bot = start(compose_command("bot"), env, log)
        try:
            user = telegram.user(6600001, language_code="fr")
            user.command("start", consultation.slug)
            reply = user.wait_for_reply(timeout=60)  # the first start imports Django and the bot
            assert "J’accepte" in str(reply["reply_markup"])
            user.tap("consent")
            reply = user.wait_for_reply()
            user.tap(button(reply, "Passer"))
            reply = user.wait_for_reply()
            user.tap(button(reply, "Passer"))
            assert "Question 1 sur 5" in user.wait_for_reply()["text"]
            user.send_text("réponse un")
            assert "Question 2 sur 5" in user.wait_for_reply()["text"]
            stop(bot, signal.SIGKILL)  # a crash, not a clean stop

            user.send_text("réponse deux")  # while the bot is down
            bot = start(compose_command("bot"), env, log)
            assert "Question 3 sur 5" in user.wait_for_reply(timeout=60)["text"]
        finally:
            stop(bot)
        output = log.read_text()
        assert "Traceback" not in output, output
        assert TOKEN not in output and "réponse" not in output and "6600001" not in output
    participant = Participant.objects.get()
    assert participant.language == "fr"
    assert list(Answer.objects.order_by("question__order").values_list("text", flat=True)) == [
        "réponse un",
        "réponse deux",
    ]


def test_the_web_process_takes_webhook_deliveries_with_the_secret_only(consultation, tmp_path):
    with FakeTelegram(TOKEN) as telegram:
        port = free_port()
        env = process_env(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=telegram.api_url,
            TELEGRAM_WEBHOOK_SECRET=SECRET,
            ALLOWED_HOSTS="127.0.0.1",
        )
        command = [str(port) if p == "8000" else "127.0.0.1" if p == "0.0.0.0" else p for p in compose_command("web")]
        web = start(command, env, tmp_path / "web.log")
        try:
            wait_for_http(f"http://127.0.0.1:{port}/healthz", web)
            base = f"http://127.0.0.1:{port}"
            # A webhook registered with the wrong secret: Telegram's deliveries are refused.
            subprocess.run(
                [sys.executable, "manage.py", "setwebhook", base],
                cwd=ROOT,
                env={**env, "TELEGRAM_WEBHOOK_SECRET": "not-the-secret"},
                check=True,
                timeout=60,
            )
            user = telegram.user(6600002)
            user.command("start", consultation.slug)
            telegram.wait_for_request("setWebhook")
            for _ in range(100):
                if any(status == 403 for _id, status in telegram.deliveries):
                    break
                time.sleep(0.1)
            assert {status for _id, status in telegram.deliveries} == {403}
            assert telegram.count("sendMessage") == 0
            # Registered properly (as the README says), the pending update goes through.
            subprocess.run([sys.executable, "manage.py", "setwebhook", base], cwd=ROOT, env=env, check=True, timeout=60)
            reply = user.wait_for_reply(timeout=60)
            assert consultation.title in reply["text"]
            user.tap("consent")
            user.wait_for_reply(timeout=30)
            assert telegram.deliveries[-1][1] == 200
        finally:
            stop(web)
    assert Participant.objects.filter(channels=["telegram"]).count() == 1


def test_votes_cast_through_runbot_are_analysed_with_no_web_server(consultation, tmp_path):
    """The embedded profile (no Redis, analyses in-process): the bot process analyses the votes it records."""
    statements = [StatementFactory(consultation=consultation, text=f"Proposal {i}", is_seed=True) for i in range(10)]
    for n in range(6):  # people who voted earlier, on the web
        voter = ParticipantFactory(consultation=consultation)
        for i, statement in enumerate(statements):
            VoteFactory(participant=voter, statement=statement, choice=1 if (i + n) % 3 else -1)
    with FakeTelegram(TOKEN) as telegram:
        env = process_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=telegram.api_url, ANALYSIS_DEBOUNCE_SECONDS="0.5")
        for services_only in ("REDIS_URL", "ANALYSIS_RUNNER"):  # the embedded defaults decide
            env.pop(services_only, None)
        bot = start(compose_command("bot"), env, tmp_path / "bot.log")
        try:
            user = telegram.user(6600003, language_code="en")
            user.command("start", consultation.slug)
            reply = user.wait_for_reply(timeout=60)
            user.tap("consent")
            reply = user.wait_for_reply()
            for _profile_question in range(2):
                user.tap(button(reply, "Skip"))
                reply = user.wait_for_reply()
            for n in range(1, 6):
                assert f"Question {n} of 5" in reply["text"]
                user.send_text(f"Answer {n}")
                reply = user.wait_for_reply()
            user.tap(button(reply, "Add"))
            user.wait_for_reply()
            user.send_text("An idea written on Telegram")
            reply = user.wait_for_reply()
            assert not AnalysisSnapshot.objects.exists()
            for n in range(10):
                user.tap(button(reply, ("Agree", "Disagree")[n % 2]))
                reply = user.wait_for_reply()
            voted = time.monotonic()
            assert Vote.objects.filter(channel="telegram").count() >= 10

            def analysed() -> bool:
                latest = AnalysisSnapshot.objects.filter(consultation=consultation).order_by("-version").first()
                return latest is not None and latest.n_votes == Vote.objects.count()

            deadline = voted + 30
            while not analysed() and time.monotonic() < deadline:
                time.sleep(0.2)
            assert analysed(), "no analysis of the Telegram votes within 30 s"
        finally:
            stop(bot)
        output = (tmp_path / "bot.log").read_text()
        assert "Traceback" not in output, output
