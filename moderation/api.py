"""Moderation over the API: readers flag; moderators work the queue and ban."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, Value
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from comments.api import CommentSerializer
from comments.models import Comment
from core import openapi
from core.pagination import CursorPage

from . import appeals, bans, selectors, services, transparency
from .models import Action, Appeal, Flag, Verdict


class OldestFirstCursorPagination(CursorPage):
    page_size = 50
    ordering = ("created_at", "id")


class IsModerator(BasePermission):
    message = "Only moderators may do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user.is_authenticated and request.user.is_moderator)


class FlagSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Flag.Reason.values)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                 default="")  # fmt: skip


class FlagAnswer(serializers.ModelSerializer):
    class Meta:
        model = Flag
        fields = ["id", "comment", "reason", "note", "created_at"]


def _readable_or_404(request, pk: int) -> Comment:
    """The comment, if the reader may read it; a hidden one answers exactly like
    a missing one."""
    comment = Comment.objects.readable_by(request.user).filter(pk=pk).first()
    if comment is None:
        raise Http404("No such comment.")
    return comment


class CommentFlags(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Flag a comment for the moderators (once per reader)",
        request=FlagSerializer,
        responses={201: FlagAnswer, 409: openapi.CONFLICT},
    )
    def post(self, request, pk: int):
        comment = _readable_or_404(request, pk)
        data = FlagSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flag = services.flag_comment(comment=comment, user=request.user,
                                     **data.validated_data)  # fmt: skip
        return Response(FlagAnswer(flag).data, status=status.HTTP_201_CREATED)


class QueueCommentSerializer(CommentSerializer):
    """A comment with what a moderator needs to decide it."""

    body = serializers.CharField()
    status = serializers.CharField()
    reasons = serializers.SerializerMethodField()
    scores = serializers.SerializerMethodField()
    open_flags = serializers.IntegerField()

    def _verdict(self, c):
        verdicts = list(c.verdicts.all())
        return verdicts[0] if verdicts else None

    def get_reasons(self, c) -> list[str]:
        verdict = self._verdict(c)
        return [r["reason"] for r in verdict.reasons] if verdict else []

    def get_scores(self, c) -> dict[str, float]:
        verdict = self._verdict(c)
        return {k: v["score"] for k, v in verdict.scores.items()} if verdict else {}


@extend_schema(
    summary="Comments waiting for a moderator, oldest first",
    parameters=[
        OpenApiParameter("status", OpenApiTypes.STR,
                         enum=["held", "pending", "flagged"],
                         description="Only these: held by a rule, pending a "
                                     "decision, or published and flagged. "
                                     "Omitted: all three."),
        OpenApiParameter("cursor", OpenApiTypes.STR,
                         description="The next page: the cursor in `next`, as "
                                     "given. One the site did not hand out is a "
                                     "400 with attr `cursor`."),
    ],
)  # fmt: skip
class Queue(generics.ListAPIView):
    permission_classes = [IsModerator]
    serializer_class = QueueCommentSerializer
    pagination_class = OldestFirstCursorPagination

    def get_queryset(self):
        wanted = self.request.query_params.get("status") or None
        if wanted is not None and wanted not in selectors.QUEUE_STATES:
            raise ValidationError({"status": "Choose held, pending or flagged."})
        waiting = selectors.queue(wanted)
        counted = Q(flags__resolved_at=None, flags__counted=True)
        return (
            waiting.select_related("article", "author")
            .annotate(open_flags=Count("flags", filter=counted), my_vote=Value(0))
            .prefetch_related(Prefetch("verdicts",
                                       queryset=Verdict.objects.order_by("-revision")))
        )  # fmt: skip


class DecisionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[Action.APPROVE, Action.REJECT, Action.SPAM]
    )
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                   default="")  # fmt: skip


class Decision(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        summary="Approve, reject or mark a comment as spam",
        description="Refused (409) when another moderator decided the comment "
        "within the last MODERATION_RECENT_DECISION_SECONDS.",
        request=DecisionSerializer,
        responses={200: CommentSerializer, 409: openapi.CONFLICT},
    )
    def post(self, request, pk: int):
        comment = get_object_or_404(Comment, pk=pk)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.moderator_decide(comment=comment, moderator=request.user,
                                  **data.validated_data)  # fmt: skip
        decided = Comment.objects.select_related("article", "author").get(pk=pk)
        decided.my_vote = 0
        return Response(CommentSerializer(decided, context={"request": request}).data)


class BanSerializer(serializers.Serializer):
    until = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Empty for a permanent ban.",
    )
    shadow = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(max_length=300)


class BanAnswer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "banned_until", "ban_is_permanent", "ban_is_shadow",
                  "ban_reason"]  # fmt: skip


class Ban(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        summary="Ban a reader, for a time or for good, visibly or not",
        request=BanSerializer,
        responses={200: BanAnswer},
    )
    def post(self, request, pk: int):
        user = get_object_or_404(User, pk=pk)
        data = BanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bans.user_ban(user=user, moderator=request.user, **data.validated_data)
        return Response(BanAnswer(user).data)


class AppealSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                 default="")  # fmt: skip


class AppealAnswer(serializers.ModelSerializer):
    class Meta:
        model = Appeal
        fields = ["id", "status", "created_at"]


class CommentAppeal(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Appeal the decision on your comment (once per decision)",
        request=AppealSerializer,
        responses={201: AppealAnswer, 409: openapi.CONFLICT},
    )
    def post(self, request, pk: int):
        comment = _readable_or_404(request, pk)
        data = AppealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = appeals.appeal_file(comment=comment, user=request.user,
                                      note=data.validated_data["note"])  # fmt: skip
        return Response(AppealAnswer(appeal).data, status=status.HTTP_201_CREATED)


class AppealQueueSerializer(serializers.ModelSerializer):
    comment = serializers.SerializerMethodField()

    class Meta:
        model = Appeal
        fields = ["id", "status", "outcome", "action", "note", "reason",
                  "created_at", "resolved_at", "comment"]  # fmt: skip

    @extend_schema_field(QueueCommentSerializer)
    def get_comment(self, appeal: Appeal) -> dict:
        return QueueCommentSerializer(appeal.comment, context=self.context).data


def _appeals():
    """Appeals with what the moderator's view of their comment needs."""
    counted = Q(comment__flags__resolved_at=None, comment__flags__counted=True)
    return (
        Appeal.objects.select_related("comment__article", "comment__author")
        .annotate(comment_open_flags=Count("comment__flags", filter=counted))
        .prefetch_related(
            Prefetch("comment__verdicts",
                     queryset=Verdict.objects.order_by("-revision"))
        )
    )  # fmt: skip


def _for_queue(appeals):
    for appeal in appeals:
        appeal.comment.open_flags = appeal.comment_open_flags
        appeal.comment.my_vote = 0
    return appeals


class Appeals(generics.ListAPIView):
    permission_classes = [IsModerator]
    serializer_class = AppealQueueSerializer
    pagination_class = OldestFirstCursorPagination

    @extend_schema(
        summary="Appeals, oldest first",
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=Appeal.Status.values,
                description="Only open appeals, or only decided ones.",
            ),
        ],
    )  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        wanted = self.request.query_params.get("status") or None
        if wanted is not None and wanted not in Appeal.Status.values:
            raise ValidationError({"status": "Choose open or decided."})
        appeals = _appeals()
        return appeals.filter(status=wanted) if wanted else appeals

    def paginate_queryset(self, queryset):
        return _for_queue(super().paginate_queryset(queryset) or [])


class AppealDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Appeal.Outcome.values)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                   default="")  # fmt: skip


class AppealDecision(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        summary="Uphold or reverse an appeal (not one of your own decisions)",
        request=AppealDecisionSerializer,
        responses={200: AppealQueueSerializer, 409: openapi.CONFLICT},
    )
    def post(self, request, pk: int):
        appeal = get_object_or_404(Appeal, pk=pk)
        data = AppealDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeals.appeal_decide(appeal=appeal, moderator=request.user,
                               **data.validated_data)  # fmt: skip
        (appeal,) = _for_queue([_appeals().get(pk=pk)])
        return Response(
            AppealQueueSerializer(appeal, context={"request": request}).data
        )


class _Durations(serializers.Serializer):
    median = serializers.IntegerField(allow_null=True)
    p90 = serializers.IntegerField(allow_null=True)


class _Decisions(serializers.Serializer):
    total = serializers.IntegerField()
    by_action = serializers.DictField(child=serializers.IntegerField())
    automated = serializers.IntegerField()
    human = serializers.IntegerField()
    by_reason = serializers.DictField(child=serializers.IntegerField())


class _Flags(serializers.Serializer):
    received = serializers.IntegerField()
    acted_on = serializers.IntegerField()


class _Appeals(serializers.Serializer):
    received = serializers.IntegerField()
    upheld = serializers.IntegerField()
    reversed = serializers.IntegerField()
    time_to_decide_seconds = serializers.IntegerField(allow_null=True)


class TransparencySerializer(serializers.Serializer):
    month = serializers.CharField()
    decisions = _Decisions()
    time_to_decision_seconds = _Durations()
    flags = _Flags()
    appeals = _Appeals()


class Transparency(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A month of moderation in figures (public)",
        parameters=[
            OpenApiParameter(
                "month", OpenApiTypes.STR,
                description="YYYY-MM, in UTC; the current month when left out.",
            ),
        ],
        responses={200: TransparencySerializer},
    )  # fmt: skip
    def get(self, request):
        text = request.query_params.get("month") or timezone.now().strftime("%Y-%m")
        try:
            month = transparency.Month.parse(text)
        except ValueError as exc:
            raise ValidationError({"month": str(exc)}) from exc
        return Response(transparency.month_figures(month))
