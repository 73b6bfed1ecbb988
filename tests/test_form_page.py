"""The form-page flow every POST form shares (branchtrack/web/form_page.py), on a plain form."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from branchtrack.web.concurrency import StaleEditError
from branchtrack.web.form_page import form_page


class NameForm(forms.Form):
    name = forms.CharField(label="Name", max_length=5)


def _request(data=None):
    request = RequestFactory().post("/x/", data) if data is not None else RequestFactory().get("/x/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _page(request, save, **kwargs):
    return form_page(
        request,
        form=NameForm(request.POST or None),
        save=save,
        template="supervision/simple_form.html",
        success_url="/done/",
        success_message="Saved.",
        context={"title": "T"},
        **kwargs,
    )


def test_get_renders_the_empty_form():
    response = _page(_request(), save=pytest.fail)
    assert response.status_code == 200
    assert b"form-errors" not in response.content


def test_invalid_input_answers_400_with_the_error_beside_the_field_and_a_summary_on_top():
    response = _page(_request({"name": "too long"}), save=pytest.fail)
    assert response.status_code == 400
    html = response.content.decode()
    assert html.index('data-testid="error-summary"') < html.index('id="id_name"')
    assert 'href="#id_name">Name</a>' in html
    assert 'id="id_name_error"' in html


def test_a_service_error_lands_on_its_field_and_the_rest_on_top():
    def save(data):
        raise ValidationError({"name": "Taken.", "other": "Not now."})

    response = _page(_request({"name": "ok"}), save=save)
    assert response.status_code == 400
    form = response.context_data["form"] if hasattr(response, "context_data") else None
    html = response.content.decode()
    assert "Taken." in html and "Not now." in html
    assert form is None or form.errors == {"name": ["Taken."], "__all__": ["Not now."]}


def test_a_plain_service_error_and_a_stale_edit_are_errors_of_the_whole_form():
    def refuse(data):
        raise ValidationError("The window is closed.")

    def stale(data):
        raise StaleEditError()

    assert "The window is closed." in _page(_request({"name": "ok"}), save=refuse).content.decode()
    response = _page(_request({"name": "ok"}), save=stale)
    assert response.status_code == 400
    assert StaleEditError().message in response.content.decode()


def test_success_saves_sets_the_message_and_redirects():
    saved = []
    request = _request({"name": "ok"})
    response = _page(request, save=lambda data: saved.append(data["name"]) or "result")
    assert response.status_code == 302 and response["Location"] == "/done/"
    assert saved == ["ok"]
    assert [str(m) for m in get_messages(request)] == ["Saved."]


def test_success_url_and_message_may_follow_the_result_and_a_message_level_be_chosen():
    from django.contrib import messages

    request = _request({"name": "ok"})
    response = form_page(
        request,
        form=NameForm(request.POST),
        save=lambda data: 7,
        template="supervision/simple_form.html",
        success_url=lambda result: f"/thing/{result}/",
        success_message=lambda result: f"Thing {result}.",
        message_level=lambda result: messages.WARNING,
    )
    assert response["Location"] == "/thing/7/"
    assert [(m.level, str(m)) for m in get_messages(request)] == [(messages.WARNING, "Thing 7.")]


def test_a_second_form_must_be_valid_too():
    request = _request({"name": "ok"})
    other = NameForm({"name": "too long"})
    response = _page(request, save=pytest.fail, also_valid=[other])
    assert response.status_code == 400
