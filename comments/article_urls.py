"""The article page: the story with its discussion, so comments serves it.

Its URL name, `article`, is not namespaced: every app reverses it as the
article's address (Article.get_absolute_url).
"""

from django.urls import path

from . import views

urlpatterns = [path("articles/<slug:slug>/", views.article_detail, name="article")]
