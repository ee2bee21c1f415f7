from django.urls import path

from deadlines import views as deadline_views

from . import matters

# Included by docketapp/urls.py in the ``patents`` namespace, together with patents.urls.
urlpatterns = [
    # The home page is the paralegal's docket.
    path("", deadline_views.docket, name="home"),
    path("matters/", matters.matter_list, name="matter-list"),
    path("matters/<int:pk>/", matters.matter_detail, name="matter-detail"),
]
