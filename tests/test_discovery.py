"""Navigation, demo loaders and year-end modules are found the same way: each app's module, discovered."""

from branchtrack.web.discovery import app_label_of, app_modules


def test_each_apps_module_is_found_in_installed_apps_order():
    assert [module.__name__ for module in app_modules("demo")] == [
        "org.demo",
        "supervision.demo",
        "projects.demo",
        "pairings.demo",
        "assessment.demo",
        "notifications.demo",
    ]
    labels = [app_label_of(module) for module in app_modules("navigation")]
    assert labels[:2] == ["branchtrack", "security"]  # org keeps the label "branchtrack"
    assert {"supervision", "projects", "pairings", "assessment"} <= set(labels)
