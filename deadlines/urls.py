from django.urls import path

from . import views

app_name = "deadlines"

urlpatterns = [
    path("<int:pk>/", views.deadline_detail, name="deadline-detail"),
]
