"""The demo tells the reference story: 305 projects, 62 revised, 153 tracked, 51 outstanding, a queue."""

from io import StringIO

from org import demo as org_demo
from org.models import User
from projects import demo as projects_demo
from projects.models import BranchProject, RatingRound, TrackingList
from projects.ranking import compute_cut, rank_projects
from projects.selectors import reviewer_progress, year_figures


def test_the_demo_builds_the_reference_year_and_an_open_round(demo, client):
    assert year_figures(year=2020) == {
        "projects": 305,
        "revised": 62,
        "materially_revised": 62,
        "tracking": 153,
        "outstanding": 51,
    }
    round_2020 = RatingRound.objects.get(year=2020)
    assert round_2020.is_closed
    cut = compute_cut(rating_round=round_2020, ranked=rank_projects(rating_round=round_2020))
    assert (cut.ranked_count, cut.size) == (305, 153)
    assert TrackingList.objects.get().size == 153

    reviewer = User.objects.get(username="reviewer")
    progress = reviewer_progress(user=reviewer, rating_round=RatingRound.objects.get(year=2021))
    assert progress.assigned > progress.rated > 0 and progress.needs_review == 2

    # Idempotent.
    projects_demo.load(stdout=StringIO())
    assert BranchProject.objects.count() == 610

    # Every number is on a page.
    client.login(username="admin", password=org_demo.DEMO_PASSWORD)
    tracking = client.get(f"/projects/lists/{TrackingList.objects.get().pk}/").content.decode()
    assert 'data-testid="list-size">153<' in tracking and 'data-testid="outstanding-count">51<' in tracking
    revised = client.get("/projects/", {"year": 2020, "revised": "true"}).content.decode()
    assert "62" in revised.split('data-testid="result-count">')[1][:20]
    client.login(username="reviewer", password=org_demo.DEMO_PASSWORD)
    queue = client.get("/projects/queue/").content.decode()
    assert f'data-testid="assigned">{progress.assigned}<' in queue
    client.login(username="secretary", password=org_demo.DEMO_PASSWORD)
    secretary_project = BranchProject.objects.get(branch__code="B0033", year=2021)
    assert client.get(f"/projects/{secretary_project.pk}/edit/").status_code == 200
