"""Pages of the selection: city staff set up and run a round, districts nominate, judges score,
the public votes and reads the published list. Every write goes through selection.services."""
import datetime
import secrets
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.scope import scope_for
from common.enqueue import send_after_commit
from common.security import client_ip
from districts.models import Street
from reporting.periods import is_due

from . import pages, selectors, services, stages
from .forms import (
    AssignForm,
    CodeForm,
    CriteriaForm,
    MaterialForm,
    NominateForm,
    OverrideForm,
    PhoneForm,
    ReasonForm,
    RoundForm,
    ScoreForm,
    StageForm,
)
from .models import (
    JudgeAssignment,
    Nomination,
    NominationMaterial,
    RoundState,
    SelectionRound,
    StageKind,
    Voter,
)
from .sms import get_sms_backend
from .tasks import score_round

DEVICE_COOKIE = "qz_vote_device"
VOTER_SESSION_KEY = "selection_voter_id"
# The secret a browser session's codes are bound to (selection.services.voting_code_request).
REQUESTER_SESSION_KEY = "selection_requester"


def roles_required(*roles):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not (request.user.is_superuser or request.user.role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


city_only = roles_required(Role.CITY_STAFF)


def _run(request, action, success: str) -> bool:
    """Call a service; show its Chinese error instead of failing the request."""
    try:
        action()
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return False
    messages.success(request, success)
    return True


# --- City and district staff -------------------------------------------------------------------


@roles_required(Role.CITY_STAFF, Role.DISTRICT_STAFF)
def manage_list(request):
    return render(request, "selection/manage_list.html", {"rounds": selectors.rounds_for_staff(request.user)})


@city_only
def round_create(request):
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            selection_round = services.round_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("selection:manage_round", pk=selection_round.pk)
    return render(request, "selection/round_form.html", {"form": form})


def _may_override(user) -> bool:
    return user.is_superuser or user.role == Role.CITY_STAFF


@roles_required(Role.CITY_STAFF, Role.DISTRICT_STAFF)
def manage_round(request, pk):
    selection_round = get_object_or_404(selectors.rounds_for_staff(request.user).prefetch_related("stages"), pk=pk)
    if request.user.role == Role.DISTRICT_STAFF and not request.user.is_superuser:
        return redirect("selection:nominate", pk=pk)
    criteria = selection_round.criteria.all()
    context = {
        "round": selection_round,
        "timeline": stages.timeline(selection_round),
        "criteria": criteria,
        "weight_total": sum(c.weight for c in criteria),
        "assignments": JudgeAssignment.objects.filter(criterion__round=selection_round)
        .select_related("criterion", "judge"),
        "candidates": selectors.round_candidates(selection_round),
        "results": selectors.round_results(selection_round),
        "public_votes_notice": pages.public_votes_notice(selection_round, list(criteria)),
        "bursts": selectors.suspicious_bursts(selection_round, threshold=settings.SELECTION_BURST_THRESHOLD),
        "audit_entries": selection_round.audit_entries.select_related("actor")[:20],
        "stage_form": StageForm(),
        "criteria_form": CriteriaForm(criteria=criteria, selection_round=selection_round),
        "assign_form": AssignForm(criteria=selectors.judged_criteria(selection_round)),
        "reason_form": ReasonForm(),
        "override_form": OverrideForm(),
    }
    return render(request, "selection/manage_round.html", context)


def _round_action(view):
    """A POST on one round by city staff, back to the round page afterwards."""
    @city_only
    @require_POST
    @wraps(view)
    def wrapped(request, pk):
        view(request, get_object_or_404(SelectionRound, pk=pk))
        return redirect("selection:manage_round", pk=pk)
    return wrapped


@_round_action
def round_stage(request, selection_round):
    form = StageForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _run(request, lambda: services.round_set_stage(
            selection_round=selection_round, user=request.user, kind=data["kind"], starts_on=data["starts_on"],
            ends_on=data["ends_on"], reason=data["reason"]), _("阶段日期已保存。"))
    else:
        messages.error(request, _("请填写正确的阶段和日期。"))


@_round_action
def round_criteria(request, selection_round):
    form = CriteriaForm(request.POST, criteria=selection_round.criteria.all(), selection_round=selection_round)
    if form.is_valid():
        _run(request, lambda: services.criteria_set(selection_round=selection_round, weights=form.weights(),
                                                    indicator_shares=form.shares(),
                                                    min_public_votes=form.cleaned_data["min_public_votes"],
                                                    user=request.user),
             _("评分项权重已保存。"))
    else:
        messages.error(request, _("权重和占比须为0到100之间的整数，最低票数须为非负整数。"))


@_round_action
def round_open(request, selection_round):
    _run(request, lambda: services.round_open(selection_round=selection_round, user=request.user), _("本轮推选已开放。"))


@_round_action
def round_score(request, selection_round):
    # Checked here so staff see the reason at once; the computation runs in a worker after commit,
    # for this user, who the audit then names.
    reason = OverrideForm(request.POST).reason()
    try:
        services.round_score_check(selection_round=selection_round, user=request.user, override_reason=reason)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return
    send_after_commit(score_round, selection_round.pk, request.user.pk, reason,
                      on_sent=lambda: messages.success(request, _("已开始计分，完成后刷新本页查看结果。")),
                      on_failure=lambda: messages.error(request, _("任务队列暂时不可用，计分没有开始，请稍后重试。")))


@_round_action
def round_publish(request, selection_round):
    reason = OverrideForm(request.POST).reason()
    _run(request, lambda: services.round_publish(selection_round=selection_round, user=request.user,
                                                 override_reason=reason), _("结果已发布。"))


@_round_action
def round_reopen(request, selection_round):
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _run(request, lambda: services.round_reopen(selection_round=selection_round, user=request.user, reason=reason),
         _("本轮已重新开放，可重新计分。"))


@_round_action
def judge_assign(request, selection_round):
    form = AssignForm(request.POST, criteria=selectors.judged_criteria(selection_round))
    if form.is_valid():
        _run(request, lambda: services.judge_assign(user=request.user, **form.cleaned_data), _("已指派评审。"))
    else:
        messages.error(request, _("请选择评分项和评审。"))


@_round_action
def votes_void(request, selection_round):
    form = ReasonForm(request.POST)
    try:
        hour = datetime.datetime.fromisoformat(request.POST.get("hour", ""))
        votes = selectors.burst_votes(selection_round, kind=request.POST.get("kind", ""),
                                      key=request.POST.get("key", ""), hour=hour)
    except (ValueError, KeyError):
        messages.error(request, _("无法识别要作废的投票。"))
        return
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _run(request, lambda: services.votes_void(selection_round=selection_round, votes=votes, user=request.user,
                                              reason=reason), _("已作废该批投票，操作已记录。"))


@roles_required(Role.CITY_STAFF, Role.DISTRICT_STAFF)
def nominate(request, pk):
    selection_round = get_object_or_404(selectors.rounds_for_staff(request.user).prefetch_related("stages"), pk=pk)
    streets = scope_for(request.user).filter(Street.objects.select_related("district")).exclude(
        nominations__round=selection_round)
    may_override = _may_override(request.user)
    form = NominateForm(request.POST or None, streets=streets, may_override=may_override)
    if request.method == "POST" and form.is_valid():
        if _run(request, lambda: services.nomination_create(
                selection_round=selection_round, user=request.user, street=form.cleaned_data["street"],
                summary=form.cleaned_data["summary"], override_reason=form.reason()), _("推荐已提交。")):
            return redirect("selection:nominate", pk=pk)
    return render(request, "selection/nominate.html", {
        "round": selection_round, "form": form, "material_form": MaterialForm(),
        "timeline": stages.timeline(selection_round), "may_override": may_override,
        "nomination_stage": selection_round.stage_of(StageKind.NOMINATION),
        "nominations": selectors.nominations_visible_to(request.user, selection_round),
    })


@roles_required(Role.CITY_STAFF, Role.DISTRICT_STAFF)
@require_POST
def material_upload(request, pk):
    nomination = get_object_or_404(scope_for(request.user).filter(Nomination.objects.select_related("street",
                                                                                                     "round")), pk=pk)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        _run(request, lambda: services.material_add(nomination=nomination, upload=form.cleaned_data["file"],
                                                    user=request.user,
                                                    override_reason=OverrideForm(request.POST).reason()),
             _("材料已上传。"))
    else:
        messages.error(request, _("请选择要上传的文件。"))
    return redirect("selection:nominate", pk=nomination.round_id)


def material_download(request, pk):
    """Material of a public candidate, always as a download: never rendered or sniffed by the browser."""
    material = get_object_or_404(NominationMaterial.objects.select_related("nomination__round"), pk=pk)
    if material.nomination.round.state == RoundState.DRAFT:
        raise Http404
    response = FileResponse(material.file.open("rb"), as_attachment=True, filename=material.original_name,
                            content_type=material.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Judges ------------------------------------------------------------------------------------


@roles_required(Role.JUDGE)
def judge_home(request):
    return render(request, "selection/judge_home.html", {"assignments": selectors.judge_assignments(request.user)})


@roles_required(Role.JUDGE)
def judge_score(request, pk):
    assignment = get_object_or_404(selectors.judge_assignments(request.user), pk=pk)
    criterion = assignment.criterion
    if request.method == "POST":
        form = ScoreForm(request.POST)
        nomination = (Nomination.objects.select_related("street")
                      .filter(round_id=criterion.round_id, pk=form.cleaned_data["nomination"]).first()
                      if form.is_valid() else None)
        if nomination:
            _run(request, lambda: services.score_submit(judge=request.user, nomination=nomination,
                                                        criterion=criterion, value=form.cleaned_data["value"],
                                                        comment=form.cleaned_data["comment"]),
                 _("已保存对%(street)s的评分。") % {"street": nomination.street.name})
        else:
            messages.error(request, _("得分须为0到100之间的数值。") + "".join(form.errors.get("value", [])))
        return redirect("selection:judge_score", pk=pk)
    selection_round = SelectionRound.objects.prefetch_related("stages").get(pk=criterion.round_id)
    own = selectors.judge_own_scores(assignment)
    candidates = list(selectors.round_candidates(selection_round))
    month = selection_round.reference_month
    month_due = month is not None and is_due(month)
    indicators = selectors.candidate_indicators(street_codes=[n.street.code for n in candidates],
                                                period=month if month_due else None)
    rows = []
    for nomination in candidates:
        street_rows = indicators.get(nomination.street.code, [])
        rows.append((nomination, own.get(nomination.pk), pages.indicator_lines(street_rows),
                     selectors.attainment_score(street_rows)))
    return render(request, "selection/judge_score.html", {
        "assignment": assignment, "criterion": criterion, "round": selection_round, "rows": rows,
        "stage": selection_round.stage_of(criterion.stage),
        "scoring_open": stages.allows(selection_round, criterion.stage),
        "reference_month": month, "month_due": month_due,
    })


# --- The public --------------------------------------------------------------------------------


def _requester(request) -> str:
    if REQUESTER_SESSION_KEY not in request.session:
        request.session[REQUESTER_SESSION_KEY] = secrets.token_urlsafe(24)
    return request.session[REQUESTER_SESSION_KEY]


def _voter(request) -> Voter | None:
    voter_id = request.session.get(VOTER_SESSION_KEY)
    return Voter.objects.filter(pk=voter_id).first() if voter_id else None


def public_index(request):
    """The public home (also `/` for visitors): rounds to follow and vote in, published lists by year."""
    in_progress = [(selection_round, stages.timeline(selection_round))
                   for selection_round in selectors.rounds_in_progress()]
    published = [(selection_round, pages.published_label(selection_round))
                 for selection_round in selectors.published_round_list()]
    return render(request, "selection/public_index.html", {"in_progress": in_progress, "published": published})


def public_candidates(request, pk):
    selection_round = get_object_or_404(selectors.rounds_for_public().prefetch_related("stages"), pk=pk)
    voter = _voter(request)
    voted = (selectors.voted_today(selection_round=selection_round, phone_hash=voter.phone_hash,
                                   day=timezone.localdate()) if voter else set())
    timeline = stages.timeline(selection_round)
    response = render(request, "selection/public_candidates.html", {
        "round": selection_round,
        "candidates": selectors.round_candidates(selection_round),
        "voter": voter, "voted": voted, "timeline": timeline,
        "voting_stage": timeline.by_kind[StageKind.PUBLIC_VOTING],
        "voting_open": timeline.allows[StageKind.PUBLIC_VOTING],
        "phone_form": PhoneForm(), "code_form": CodeForm(),
        "daily_limit": settings.SELECTION_DAILY_VOTE_LIMIT,
    })
    if DEVICE_COOKIE not in request.COOKIES:
        # A per-browser token: one of the signals rate limits and burst detection key on.
        response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(24), max_age=365 * 24 * 3600, httponly=True,
                            samesite="Lax", secure=request.is_secure())
    return response


@require_POST
def voter_code(request, pk):
    selection_round = get_object_or_404(selectors.rounds_for_public(), pk=pk)
    form = PhoneForm(request.POST)
    if form.is_valid():
        phone = form.cleaned_data["phone"]
        if _run(request, lambda: services.voting_code_request(
                selection_round=selection_round, phone=phone, requester=_requester(request),
                ip=client_ip(request) or None, device_id=request.COOKIES.get(DEVICE_COOKIE, "")),
                _("验证码已发送，请查收短信。")):
            _show_development_code(request, phone)
        request.session["selection_phone"] = phone
    return redirect("selection:candidates", pk=pk)


def _show_development_code(request, phone: str) -> None:
    """With a backend that sends no SMS (development), the code is shown on the page instead."""
    try:
        code = get_sms_backend().code_for_page(services.phone_normalise(phone))
    except ValidationError:
        return
    if code:
        messages.info(request, _("开发环境未发送短信，验证码为 %(code)s。") % {"code": code}, extra_tags="sms-dev-code")


@require_POST
def voter_verify(request, pk):
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            voter = services.voting_code_verify(phone=form.cleaned_data["phone"], code=form.cleaned_data["code"],
                                                requester=_requester(request), ip=client_ip(request) or None,
                                                device_id=request.COOKIES.get(DEVICE_COOKIE, ""))
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            request.session.cycle_key()
            request.session[VOTER_SESSION_KEY] = voter.pk
            messages.success(request, _("手机号 %(phone)s 验证成功，可以点赞了。") % {"phone": voter.phone_masked})
    return redirect("selection:candidates", pk=pk)


@require_POST
def vote(request, pk, nomination_pk):
    selection_round = get_object_or_404(selectors.rounds_for_public(), pk=pk)
    nomination = get_object_or_404(selection_round.nominations.select_related("street"), pk=nomination_pk)
    voter = _voter(request)
    if voter is None:
        messages.error(request, _("请先验证手机号码。"))
    else:
        _run(request, lambda: services.vote_cast(selection_round=selection_round, nomination=nomination, voter=voter,
                                                 ip=client_ip(request) or None,
                                                 device_id=request.COOKIES.get(DEVICE_COOKIE, "")),
             _("已为%(street)s点赞，感谢参与！") % {"street": nomination.street.name})
    return redirect("selection:candidates", pk=pk)


def public_results(request, pk):
    selection_round = get_object_or_404(selectors.published_rounds(), pk=pk)
    criteria = list(selection_round.criteria.all())
    return render(request, "selection/results.html", {
        "round": selection_round,
        "table": pages.results_table(selection_round, selection_round.results.all(), criteria),
        "published_label": pages.published_label(selection_round),
        "public_votes_notice": pages.public_votes_notice(selection_round, criteria),
    })
