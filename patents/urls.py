"""patents' own pages (raw payloads, sync runs, review). The docket home, the matter list and the matter page
show deadlines too, so they live in the site layer (docketapp.pages) under the same ``patents`` names."""

from django.urls import path

from . import review_views, views
from .documents import views as document_views

app_name = "patents"

urlpatterns = [
    path("matters/<int:pk>/payloads/<int:payload_pk>/", views.payload_raw, name="payload-raw"),
    path("sync/", views.sync_overview, name="sync"),
    # Office sync review pages (patents.review_views)
    path("sync/quarantine/", review_views.quarantine_list, name="quarantine-review"),
    path("sync/quarantine/<int:pk>/decide/", review_views.quarantine_decide, name="quarantine-decide"),
    path("sync/reconciliation/", review_views.reconciliation_list, name="reconciliation-review"),
    path("sync/reconciliation/<int:pk>/decide/", review_views.reconciliation_decide, name="reconciliation-decide"),
    # Documents on a matter (patents.documents.views)
    path("matters/<int:pk>/documents/upload/", document_views.document_upload, name="document-upload"),
    path("documents/<int:pk>/file/", document_views.document_file, name="document-file"),
    path("documents/<int:pk>/pages/<int:page>.png", document_views.document_page, name="document-page"),
    path("sync/documents/", document_views.document_queue, name="document-queue"),
    path("sync/documents/<int:pk>/", document_views.document_review, name="document-review"),
    path("sync/documents/<int:pk>/decide/", document_views.document_decide, name="document-decide"),
    path("sync/documents/<int:pk>/read-again/", document_views.document_read_again, name="document-read-again"),
]
