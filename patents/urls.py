from django.urls import path

from . import views

app_name = "patents"

urlpatterns = [
    path("", views.home, name="home"),
    path("matters/<int:pk>/", views.matter_detail, name="matter-detail"),
]
