from django.urls import path

from deadlines import views as deadline_views

from . import views

app_name = "patents"

urlpatterns = [
    # The home page is the paralegal's docket; it lives with the deadlines but keeps this stable name.
    path("", deadline_views.docket, name="home"),
    path("matters/", views.matter_list, name="matter-list"),
    path("matters/<int:pk>/", views.matter_detail, name="matter-detail"),
]
urlpatterns += [
    path("matters/<int:pk>/payloads/<int:payload_pk>/", views.payload_raw, name="payload-raw"),
    path("sync/", views.sync_overview, name="sync"),
]
# Office sync review pages (patents.review_views)
from . import review_views  # noqa: E402

urlpatterns += [
    path("sync/quarantine/", review_views.quarantine_list, name="quarantine-review"),
    path("sync/quarantine/<int:pk>/decide/", review_views.quarantine_decide, name="quarantine-decide"),
    path("sync/reconciliation/", review_views.reconciliation_list, name="reconciliation-review"),
    path("sync/reconciliation/<int:pk>/decide/", review_views.reconciliation_decide, name="reconciliation-decide"),
]
