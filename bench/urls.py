"""The app's urls plus the benchmark's trivial view (kept out of the app's own urlconf)."""

from django.http import HttpResponse
from django.urls import path

from branchtrack.urls import urlpatterns as app_urlpatterns


def trivial(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial, name="bench_trivial"), *app_urlpatterns]
