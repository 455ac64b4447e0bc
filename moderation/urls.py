from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("comments/<int:pk>/flag/", views.flag, name="flag"),
    path("comments/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("transparency/", views.transparency_report, name="transparency"),
    path("moderation-policy/", views.moderation_policy, name="policy"),
    path("moderation/my-flags/", views.my_flags, name="my-flags"),
    path("moderation/desk/", views.desk_page, name="desk"),
    path("moderation/desk/more/", views.desk_more, name="desk-more"),
    path("moderation/desk/counts/", views.desk_counts, name="desk-counts"),
    path("moderation/desk/undo/", views.desk_undo, name="desk-undo"),
    path("moderation/desk/<int:pk>/decide/", views.desk_decide, name="desk-decide"),
    path("moderation/desk/<int:pk>/ban/", views.desk_ban, name="desk-ban"),
    path(
        "moderation/desk/surges/<int:article_id>/end/",
        views.desk_surge_end,
        name="desk-surge-end",
    ),
    path(
        "moderation/desk/authors/<int:user_id>/", views.desk_author, name="desk-author"
    ),
]
