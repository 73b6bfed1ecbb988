"""Channel signing secrets are encrypted at rest: the database holds no plaintext secret, delivery
still signs with it, a secret saved before the encryption is encrypted by the migration, and one the
configured key cannot read fails its delivery with a message saying what to do."""

import base64
import hashlib
import hmac
import urllib.parse

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.utils import translation

from notifications import channel_secrets, services
from notifications.models import Channel, Delivery
from tests.notifications.test_delivery import add_problem

SECRET = "SECb1f0c5a6e1d24a7c9a3f5e8d2c4b6a8e0f1d3c5b7a9e2f4d6c8b0a1e3f5d7c9b2"


def stored_row(channel_pk: int) -> str:
    """Everything the database holds of the channel and its history, as the database returns it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM notifications_channel WHERE id = %s", [channel_pk])
        row = cursor.fetchall()
        cursor.execute("SELECT * FROM notifications_historicalchannel WHERE id = %s", [channel_pk])
        history = cursor.fetchall()
    return repr(row) + repr(history)


@pytest.mark.django_db
def test_the_database_holds_no_plaintext_secret_and_delivery_still_signs_with_it(
    org, campaign, receiver, django_capture_on_commit_callbacks
):
    channel = services.add_channel(
        user=org.admin, unit=org.city, kind="dingtalk", name="城区群", target=receiver.url, secret=SECRET
    )
    raw = stored_row(channel.pk)
    assert SECRET not in raw and SECRET[3:20] not in raw
    assert channel_secrets.decrypt(Channel.objects.get().encrypted_secret) == SECRET

    with django_capture_on_commit_callbacks(execute=True):
        add_problem(org, campaign)
    (request,) = receiver.requests
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request["path"]).query)
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]
    assert Delivery.objects.get().status == Delivery.Status.SENT


@pytest.mark.django_db
def test_a_secret_the_configured_key_cannot_read_fails_its_delivery_with_what_to_do(
    org, campaign, receiver, django_capture_on_commit_callbacks
):
    services.add_channel(
        user=org.admin, unit=org.city, kind="dingtalk", name="城区群", target=receiver.url, secret=SECRET
    )
    with (
        override_settings(NOTIFICATION_SECRET_KEY="another key", LANGUAGE_CODE="en"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        problem = add_problem(org, campaign)
    assert problem.pk  # the visit's problem stands
    assert receiver.requests == []
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.PENDING, 1)
    assert delivery.last_error == (
        "The signing secret cannot be read with the current NOTIFICATION_SECRET_KEY: "
        "remove the channel and add it again with its secret."
    )


@pytest.mark.django_db
def test_rotating_the_key_keeps_old_secrets_readable():
    with override_settings(NOTIFICATION_SECRET_KEY="old key"):
        stored = channel_secrets.encrypt(SECRET)
    with override_settings(NOTIFICATION_SECRET_KEY="new key, old key"):
        assert channel_secrets.decrypt(stored) == SECRET
    with (
        override_settings(NOTIFICATION_SECRET_KEY="new key"),
        pytest.raises(channel_secrets.UnreadableSecret),
    ):
        channel_secrets.decrypt(stored)
    with translation.override("zh-hans"), override_settings(NOTIFICATION_SECRET_KEY="new key"):
        with pytest.raises(channel_secrets.UnreadableSecret) as refused:
            channel_secrets.decrypt(stored)
        assert "NOTIFICATION_SECRET_KEY" in str(refused.value) and "重新添加" in str(refused.value)


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_the_secrets_saved_before_it(org):
    executor = MigrationExecutor(connection)
    before = [("notifications", "0002_more_kinds")]
    after = [("notifications", "0003_encrypt_channel_secrets")]
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        OldChannel = old_apps.get_model("notifications", "Channel")
        signed = OldChannel.objects.create(
            unit_id=org.city.pk, kind="dingtalk", name="旧群", target="https://x/robot", secret=SECRET
        )
        unsigned = OldChannel.objects.create(
            unit_id=org.city.pk, kind="wecom", name="无签名", target="https://y/"
        )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        assert SECRET not in stored_row(signed.pk)
        assert channel_secrets.decrypt(Channel.objects.get(pk=signed.pk).encrypted_secret) == SECRET
        assert Channel.objects.get(pk=unsigned.pk).encrypted_secret == ""
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
