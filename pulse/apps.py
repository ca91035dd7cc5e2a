from django.apps import AppConfig


class PulseConfig(AppConfig):
    name = "pulse"

    def ensure_reference_data(self) -> None:
        """Put back the starter data of the data migrations when a table is empty
        (after `manage.py flush`, or a test that truncated it)."""
        import importlib

        from django.apps import apps

        for module, function, model in [("0002_question_bank", "add_bank", "Question")]:
            if not self.get_model(model).objects.exists():
                migration = importlib.import_module(f"pulse.migrations.{module}")
                getattr(migration, function)(apps, None)

    def seed_demo(self, *, today) -> str:
        """Four reported weeks and an open one, so the demo has results to read."""
        import datetime as dt
        import random

        from django.utils import timezone

        from connection.models import User
        from pulse.models import Round
        from pulse.services import close_round, open_round, submit_response

        if Round.objects.exists():
            return ""
        rng = random.Random(11)
        people = list(User.objects.active().exclude(team__isnull=True))
        now = timezone.now()
        for weeks_ago in (4, 3, 2, 1):
            opened = now - dt.timedelta(weeks=weeks_ago)
            round_ = open_round(now=opened)
            if round_ is None:
                return ""
            questions = list(round_.questions.all())
            for person in people:
                if rng.random() < 0.15:
                    continue  # some weeks people are busy: that's fine
                mood = rng.choice([2, 3, 3, 4, 4, 4, 5, 5])
                answers = {
                    q.pk: (
                        min(10, max(0, 2 * mood - rng.randint(0, 2)))
                        if q.is_enps
                        else min(5, max(1, mood + rng.choice([-1, 0, 0, 1])))
                    )
                    for q in questions
                }
                submit_response(
                    person=person,
                    round_=round_,
                    answers=answers,
                    now=opened + dt.timedelta(hours=2),
                )
            close_round(round_=round_, now=round_.closes_at)
        open_round(now=now)
        return "4 weeks of pulse results and an open pulse"
