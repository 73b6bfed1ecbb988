"""Channel signing secrets are stored encrypted (notifications.channel_secrets): the column is
renamed and widened, and the secrets already saved are encrypted in place."""

from django.db import migrations, models


def encrypt_existing(apps, schema_editor):
    from notifications import channel_secrets

    Channel = apps.get_model("notifications", "Channel")
    for channel in Channel.objects.exclude(encrypted_secret="").only("pk", "encrypted_secret"):
        Channel.objects.filter(pk=channel.pk).update(
            encrypted_secret=channel_secrets.encrypt(channel.encrypted_secret)
        )


def decrypt_existing(apps, schema_editor):
    from notifications import channel_secrets

    Channel = apps.get_model("notifications", "Channel")
    for channel in Channel.objects.exclude(encrypted_secret="").only("pk", "encrypted_secret"):
        Channel.objects.filter(pk=channel.pk).update(
            encrypted_secret=channel_secrets.decrypt(channel.encrypted_secret)
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_more_kinds")]

    operations = [
        migrations.RenameField(model_name="channel", old_name="secret", new_name="encrypted_secret"),
        migrations.AlterField(
            model_name="channel",
            name="encrypted_secret",
            field=models.CharField(blank=True, max_length=500, verbose_name="signing secret (encrypted)"),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
