"""patents' own pages (raw payloads, sync runs, review). The docket home, the matter list and the matter page
show deadlines too, so they live in the site layer (docketapp.pages) under the same ``patents`` names."""

from django.urls import path

from . import review_views, views

app_name = "patents"

urlpatterns = [
    path("matters/<int:pk>/payloads/<int:payload_pk>/", views.payload_raw, name="payload-raw"),
    path("sync/", views.sync_overview, name="sync"),
    # Office sync review pages (patents.review_views)
    path("sync/quarantine/", review_views.quarantine_list, name="quarantine-review"),
    path("sync/quarantine/<int:pk>/decide/", review_views.quarantine_decide, name="quarantine-decide"),
    path("sync/reconciliation/", review_views.reconciliation_list, name="reconciliation-review"),
    path("sync/reconciliation/<int:pk>/decide/", review_views.reconciliation_decide, name="reconciliation-decide"),
]
