from django.db import migrations, models


class Migration(migrations.Migration):
    """The analysis job reads the votes changed since its last run (worker/jobs.py)."""

    dependencies = [("ideation", "0004_themes_and_quote_consent")]

    operations = [
        migrations.AddIndex(model_name="vote", index=models.Index(fields=["updated"], name="vote_updated")),
    ]
