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
