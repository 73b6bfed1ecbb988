"""Repeated failed log-ins lock the account (and the address) for a while; PostgreSQL keeps the
count, so the throttle works with Redis down."""

import datetime
import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from security.models import LoginFailure
from tests.factories import TEST_PASSWORD


@pytest.fixture
def limits(settings):
    settings.LOGIN_THROTTLE_USERNAME_LIMIT = 3
    settings.LOGIN_THROTTLE_IP_LIMIT = 6
    settings.LOGIN_THROTTLE_WINDOW_SECONDS = 600
    return settings


def log_in(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def test_an_account_is_locked_after_repeated_failures_even_for_the_right_password(client, org, limits):
    for _ in range(3):
        assert log_in(client, org.staff.username, "wrong").status_code == 200
    locked = log_in(client, org.staff.username, TEST_PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_names_the_wait_in_english_too(client, org, limits):
    client.cookies["django_language"] = "en"
    for _ in range(3):
        log_in(client, org.staff.username, "wrong")
    page = log_in(client, org.staff.username, TEST_PASSWORD).content.decode()
    assert "Too many failed log-ins" in page and "Try again in 10 minutes" in page


def test_the_username_is_matched_whatever_its_case_or_spaces(client, org, limits):
    for typed in ("T-STAFF", " t-staff ", "t-Staff"):
        log_in(client, typed, "wrong")
    assert log_in(client, org.staff.username, TEST_PASSWORD).status_code == 429


def test_other_accounts_still_log_in_while_one_is_locked(client, org, limits):
    for _ in range(3):
        log_in(client, org.staff.username, "wrong")
    assert log_in(client, org.admin.username, TEST_PASSWORD).status_code == 302


def test_the_lock_lifts_when_the_failures_age_out_of_the_window(client, org, limits):
    for _ in range(3):
        log_in(client, org.staff.username, "wrong")
    LoginFailure.objects.update(at=timezone.now() - datetime.timedelta(seconds=601))
    assert log_in(client, org.staff.username, TEST_PASSWORD).status_code == 302


def test_a_successful_log_in_forgives_earlier_typos(client, org, limits):
    for _ in range(2):
        log_in(client, org.staff.username, "wrong")
    assert log_in(client, org.staff.username, TEST_PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(2):
        log_in(client, org.staff.username, "wrong")
    assert log_in(client, org.staff.username, TEST_PASSWORD).status_code == 302


def test_attempts_refused_while_locked_do_not_extend_the_lock(client, org, limits):
    for _ in range(3):
        log_in(client, org.staff.username, "wrong")
    for _ in range(5):
        log_in(client, org.staff.username, "wrong")
    assert LoginFailure.objects.filter(username="t-staff").count() == 3


def test_one_address_trying_many_accounts_is_locked_out(client, org, limits):
    for number in range(6):
        log_in(client, f"guess{number}", "wrong", REMOTE_ADDR="203.0.113.9")
    assert log_in(client, org.admin.username, TEST_PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert log_in(client, org.admin.username, TEST_PASSWORD, REMOTE_ADDR="203.0.113.10").status_code == 302


def test_a_spoofed_forwarded_for_header_does_not_dodge_the_address_limit(client, org, limits):
    for number in range(6):
        log_in(
            client,
            f"guess{number}",
            "wrong",
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}",
        )
    assert log_in(client, org.admin.username, TEST_PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429


def test_behind_a_trusted_proxy_the_last_forwarded_hop_is_the_client(client, org, limits):
    limits.LOGIN_THROTTLE_TRUST_X_FORWARDED_FOR = True
    for number in range(6):
        log_in(
            client,
            f"guess{number}",
            "wrong",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7",
        )
    blocked = log_in(
        client, org.admin.username, TEST_PASSWORD, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert blocked.status_code == 429
    other = log_in(
        client, org.admin.username, TEST_PASSWORD, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    assert other.status_code == 302


def test_throttling_keeps_working_when_the_cache_is_down(client, org, limits, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    cache.close()
    for _ in range(3):
        assert log_in(client, org.staff.username, "wrong").status_code == 200
    assert log_in(client, org.staff.username, TEST_PASSWORD).status_code == 429
    assert log_in(client, org.admin.username, TEST_PASSWORD).status_code == 302


# --- at the same time (PostgreSQL) -----------------------------------------------------------


def wrong_passwords_at_once(count: int, *, username_of, remote_addr_of) -> list[int]:
    """`count` wrong-password log-ins released together, each from its own thread and connection."""
    barrier = threading.Barrier(count)
    statuses: list = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            response = Client().post(
                "/accounts/login/",
                {"username": username_of(i), "password": "wrong"},
                REMOTE_ADDR=remote_addr_of(i),
            )
            statuses[i] = response.status_code
        except Exception as exc:  # the assertion names it
            statuses[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_wrong_passwords_for_one_account_check_at_most_the_limit(org, limits):
    limits.LOGIN_THROTTLE_USERNAME_LIMIT = 5
    limits.LOGIN_THROTTLE_IP_LIMIT = 1000
    statuses = wrong_passwords_at_once(
        25, username_of=lambda i: org.staff.username, remote_addr_of=lambda i: f"198.51.100.{i + 1}"
    )
    # 200: the password was checked (and was wrong); 429: refused without checking it.
    assert sorted(statuses, key=str) == [200] * 5 + [429] * 20, statuses
    assert LoginFailure.objects.filter(username="t-staff").count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_wrong_passwords_from_one_address_check_at_most_the_limit(org, limits):
    limits.LOGIN_THROTTLE_USERNAME_LIMIT = 1000
    limits.LOGIN_THROTTLE_IP_LIMIT = 10
    statuses = wrong_passwords_at_once(
        30, username_of=lambda i: f"guess{i}", remote_addr_of=lambda i: "203.0.113.9"
    )
    assert sorted(statuses, key=str) == [200] * 10 + [429] * 20, statuses
    assert LoginFailure.objects.filter(ip="203.0.113.9").count() == 10
