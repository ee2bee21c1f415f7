from django.urls import path

from . import bulk, saved_views, views

app_name = "deadlines"

urlpatterns = [
    path("export.csv", views.docket_csv, name="docket-export"),
    path("bulk/", bulk.docket_bulk, name="docket-bulk"),
    path("views/save/", saved_views.saved_view_save, name="saved-view-save"),
    path("views/<int:pk>/delete/", saved_views.saved_view_delete, name="saved-view-delete"),
    path("verify/", views.verification_queue, name="verification-queue"),
    path("calendar/", views.calendar_month, name="calendar"),
    path("as-of/", views.docket_as_of, name="docket-as-of"),
    path("feed/", views.feed_settings, name="feed-settings"),
    path("feed/<str:token>.ics", views.ics_feed, name="ics-feed"),
    path("matter/<int:matter_pk>/new/", views.deadline_add, name="deadline-add"),
    path("<int:pk>/", views.deadline_detail, name="deadline-detail"),
    path("<int:pk>/done/", views.deadline_mark_done, name="deadline-done"),
    path("<int:pk>/extend/", views.deadline_extend, name="deadline-extend"),
    path("<int:pk>/waive/", views.deadline_waive, name="deadline-waive"),
    path("<int:pk>/verify/", views.deadline_verify, name="deadline-verify"),
    path("<int:pk>/not-used/", views.deadline_not_used, name="deadline-not-used"),
]

# Staff outbox of the reminder sweep: what was sent, to whom, and what failed.
from .outbox_views import urlpatterns as _outbox_urlpatterns  # noqa: E402

urlpatterns += _outbox_urlpatterns

# Staff report: event types with no deadline rule, so no office event is silently ignored.
from .coverage_views import urlpatterns as _coverage_urlpatterns  # noqa: E402

urlpatterns += _coverage_urlpatterns

# Client status report: open deadlines, recent office events, renewals ahead; a page and printable HTML.
from .client_report import urlpatterns as _client_report_urlpatterns  # noqa: E402

urlpatterns += _client_report_urlpatterns

# The person's own display preferences (time zone, date format).
from .preferences import urlpatterns as _preferences_urlpatterns  # noqa: E402

urlpatterns += _preferences_urlpatterns

# Renewals across the portfolio: official fees, grace surcharges and the client's instruction per fee.
from .renewals import urlpatterns as _renewal_urlpatterns  # noqa: E402

urlpatterns += _renewal_urlpatterns
