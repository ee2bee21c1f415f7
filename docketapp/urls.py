from django.contrib import admin
from django.urls import include, path

from docketapp.pages.urls import urlpatterns as page_urlpatterns
from patents.urls import urlpatterns as patents_urlpatterns

admin.site.site_header = "docketapp administration"
admin.site.site_title = "docketapp"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # One namespace for the site's pages and patents' own pages: the names (patents:home,
    # patents:matter-detail, …) predate the split and are used by every template and e-mail.
    path("", include((page_urlpatterns + patents_urlpatterns, "patents"))),
    path("deadlines/", include("deadlines.urls")),
]
