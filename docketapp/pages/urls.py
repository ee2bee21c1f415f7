from django.urls import path

from deadlines import views as deadline_views

from . import family, matter_edit, matters

# Included by docketapp/urls.py in the ``patents`` namespace, together with patents.urls.
urlpatterns = [
    # The home page is the paralegal's docket.
    path("", deadline_views.docket, name="home"),
    path("matters/", matters.matter_list, name="matter-list"),
    path("matters/new/", matter_edit.matter_create, name="matter-create"),
    path("matters/sync-now/", matter_edit.matters_sync_now, name="matters-sync-now"),
    path("matters/sync-progress/", matter_edit.sync_progress, name="sync-progress"),
    path("matters/<int:pk>/", matters.matter_detail, name="matter-detail"),
    path("matters/<int:pk>/family/", matters.matter_family, name="matter-family"),
    path("matters/<int:pk>/office-data/", matters.matter_sync_panel, name="matter-sync-panel"),
    path("matters/<int:pk>/timeline/", matters.matter_timeline, name="matter-timeline"),
    path("matters/<int:pk>/edit/", matter_edit.matter_edit, name="matter-edit"),
    path("matters/<int:pk>/sync-now/", matter_edit.matter_sync_now, name="matter-sync-now"),
    path("matters/<int:pk>/close/", matter_edit.matter_close, name="matter-close"),
    path("matters/<int:pk>/reopen/", matter_edit.matter_reopen, name="matter-reopen"),
    path("families/<int:pk>/", family.family_detail, name="family-detail"),
]
