"""The app's urls plus the benchmark's trivial view (kept out of the app's own urlconf)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from branchtrack.urls import urlpatterns as app_urlpatterns


def trivial(request):
    return HttpResponse(b"ok", content_type="text/plain")


@login_required
def signed_in(request):
    """What every signed-in page pays before its own work: the session, the user, the base layout."""
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("bench/signed-in/", signed_in, name="bench_signed_in"),
    *app_urlpatterns,
]
