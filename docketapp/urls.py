from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "docketapp administration"
admin.site.site_title = "docketapp"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("patents.urls")),
    path("deadlines/", include("deadlines.urls")),
]
