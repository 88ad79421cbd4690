from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("selection", "0002_round_2024_history"),
    ]

    operations = [
        migrations.RenameField(model_name="verificationcode", old_name="failed_attempts", new_name="attempts"),
        migrations.AlterField(
            model_name="verificationcode",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="核验次数"),
        ),
        migrations.AddField(
            model_name="verificationcode",
            name="requester_hash",
            field=models.CharField(default="", max_length=64, verbose_name="请求会话摘要"),
        ),
    ]
