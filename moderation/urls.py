from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("comments/<int:pk>/flag/", views.flag, name="flag"),
    path("comments/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("transparency/", views.transparency_report, name="transparency"),
    path("moderation-policy/", views.moderation_policy, name="policy"),
]
