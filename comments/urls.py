from django.urls import path

from . import feeds, guest_views, views

app_name = "comments"

urlpatterns = [
    path("articles/<slug:slug>/comments/", views.post_comment, name="post"),
    path("articles/<slug:slug>/follow/", views.follow, name="follow"),
    path(
        "articles/<slug:slug>/comments/feed/", feeds.ArticleCommentsFeed(), name="feed"
    ),
    path("comments/mine/", views.my_comments, name="mine"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/<int:pk>/reply/", views.reply_form, name="reply"),
    path("comments/<int:pk>/edit/", views.edit, name="edit"),
    path("comments/<int:pk>/delete/", views.delete, name="delete"),
    path("comments/<int:pk>/vote/", views.vote, name="vote"),
    path("comments/<int:pk>/replies/", views.replies, name="replies"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path(
        "comments/guest/confirm/<str:token>/",
        views.guest_confirm,
        name="guest-confirm",
    ),
    path(
        "comments/guest/mine/<str:token>/",
        guest_views.guest_comments,
        name="guest-comments",
    ),
]
