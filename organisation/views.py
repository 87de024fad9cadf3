"""Pages of the organisation. Each view loads its object through a visibility helper
(404 if the caller may not see it), checks the action's permission (403), then calls
one service."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bsc_site.pages import apply_form, form_page, posted, require, xlsx_download, xlsx_import_page

from . import home_panels, services
from .employee_import import import_employees, import_template
from .forms import (
    CompanyForm,
    DepartmentForm,
    DepartmentHeadForm,
    EmployeeCreateForm,
    EmployeeDeactivateForm,
    EmployeeMoveForm,
    EmployeeUpdateForm,
    LoginForm,
    PostForm,
    TeamForm,
)
from .history import change_log
from .models import Role
from .roles import headed_department_ids, roles_of
from .rules import sees_whole_organisation
from .selectors import (
    department_tree,
    departments_visible_to,
    employees_visible_to,
    posts_visible_to,
    teams_visible_to,
)

EMPLOYEES_PER_PAGE = 50


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("password_change_done")


@login_required
def password_change_done(request):
    messages.success(request, _("Your password was changed."))
    return redirect("home")


# --- home and profile ---


@login_required
def home(request):
    roles = roles_of(request.user)
    employee = getattr(request.user, "employee", None) if Role.EMPLOYEE in roles else None
    context = {"roles": roles, "employee": employee}
    if request.user.has_perm("organisation.list_employees"):
        visible = employees_visible_to(request.user)
        context["employee_count"] = visible.filter(is_active=True).count()
    if Role.DEPARTMENT_HEAD in roles:
        context["headed"] = request.user.employee.headed_departments.all()
    context["panels"] = home_panels.panels_for(request)
    return render(request, "organisation/home.html", context)


@login_required
def my_profile(request):
    employee = employees_visible_to(request.user).filter(user=request.user).first()
    if employee is None:
        messages.info(request, _("Your account has no employee record."))
        return redirect("home")
    return redirect("employee-detail", pk=employee.pk)


@login_required
@require_http_methods(["GET", "POST"])
def company_settings(request):
    require(request, "organisation.change_company_settings")
    company = services.get_company()
    form = CompanyForm(posted(request), instance=company)
    if request.method == "POST" and apply_form(form, lambda data: services.update_company(by=request.user, **data)):
        messages.success(request, _("Company settings saved."))
        return redirect("company-settings")
    return render(request, "organisation/company_form.html", {"form": form})


# --- departments and teams ---


@login_required
def department_list(request):
    require(request, "organisation.view_organisation")
    departments = departments_visible_to(request.user).annotate(
        active_employees=Count("employees", filter=Q(employees__is_active=True))
    )
    return render(request, "organisation/department_list.html", {"rows": department_tree(list(departments))})


@login_required
def department_detail(request, pk):
    require(request, "organisation.view_organisation")
    department = get_object_or_404(departments_visible_to(request.user), pk=pk)
    context = {
        "department": department,
        "children": department.children.all(),
        "teams": teams_visible_to(request.user).filter(department=department),
        "posts": posts_visible_to(request.user).filter(department=department),
        "employees": employees_visible_to(request.user).filter(department=department, is_active=True),
        "can_manage": request.user.has_perm("organisation.manage_organisation"),
    }
    return render(request, "organisation/department_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def department_create(request):
    require(request, "organisation.manage_organisation")
    form = DepartmentForm(posted(request), initial={"parent": request.GET.get("parent")})
    saved = {}
    if request.method == "POST" and apply_form(form, lambda d: saved.setdefault("d", services.save_department(by=request.user, **d))):
        messages.success(request, _("Department created."))
        return redirect("department-detail", pk=saved["d"].pk)
    return form_page(request, form, title=_("New department"), back=reverse("department-list"))


@login_required
@require_http_methods(["GET", "POST"])
def department_update(request, pk):
    department = get_object_or_404(departments_visible_to(request.user), pk=pk)
    require(request, "organisation.manage_organisation")
    form = DepartmentForm(posted(request), instance=department)
    if request.method == "POST" and apply_form(
        form, lambda d: services.save_department(by=request.user, department=department, **d)
    ):
        messages.success(request, _("Department saved."))
        return redirect("department-detail", pk=pk)
    title = _("Edit %(name)s") % {"name": department}
    return form_page(request, form, title=title, back=reverse("department-detail", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def department_set_head(request, pk):
    department = get_object_or_404(departments_visible_to(request.user), pk=pk)
    require(request, "organisation.manage_organisation")
    form = DepartmentHeadForm(posted(request), department=department)
    if request.method == "POST" and apply_form(
        form, lambda d: services.set_department_head(by=request.user, department=department, head=d["head"])
    ):
        messages.success(request, _("Head of department saved."))
        return redirect("department-detail", pk=pk)
    title = _("Head of %(name)s") % {"name": department}
    return form_page(request, form, title=title, back=reverse("department-detail", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request, pk):
    department = get_object_or_404(departments_visible_to(request.user), pk=pk)
    require(request, "organisation.manage_organisation")
    form = TeamForm(posted(request), department=department)
    if request.method == "POST" and apply_form(
        form, lambda d: services.save_team(by=request.user, department=department, **d)
    ):
        messages.success(request, _("Team created."))
        return redirect("department-detail", pk=pk)
    title = _("New team in %(name)s") % {"name": department}
    return form_page(request, form, title=title, back=reverse("department-detail", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def team_update(request, pk):
    team = get_object_or_404(teams_visible_to(request.user), pk=pk)
    require(request, "organisation.manage_organisation")
    form = TeamForm(posted(request), instance=team, department=team.department)
    if request.method == "POST" and apply_form(form, lambda d: services.save_team(by=request.user, team=team, **d)):
        messages.success(request, _("Team saved."))
        return redirect("department-detail", pk=team.department_id)
    title = _("Edit %(name)s") % {"name": team}
    back = reverse("department-detail", args=[team.department_id])
    return form_page(request, form, title=title, back=back)


# --- posts ---


@login_required
def post_list(request):
    require(request, "organisation.view_organisation")
    posts = posts_visible_to(request.user).annotate(
        holder_count=Count("holders", filter=Q(holders__is_active=True))
    )
    return render(
        request,
        "organisation/post_list.html",
        {"posts": posts, "can_manage": request.user.has_perm("organisation.manage_organisation")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_create(request):
    require(request, "organisation.manage_organisation")
    form = PostForm(posted(request), initial={"department": request.GET.get("department")})
    if request.method == "POST" and apply_form(form, lambda d: services.save_post(by=request.user, **d)):
        messages.success(request, _("Post created."))
        return redirect("post-list")
    return form_page(request, form, title=_("New post"), back=reverse("post-list"))


@login_required
@require_http_methods(["GET", "POST"])
def post_update(request, pk):
    post = get_object_or_404(posts_visible_to(request.user), pk=pk)
    require(request, "organisation.manage_organisation")
    form = PostForm(posted(request), instance=post)
    if request.method == "POST" and apply_form(form, lambda d: services.save_post(by=request.user, post=post, **d)):
        messages.success(request, _("Post saved."))
        return redirect("post-list")
    title = _("Edit %(name)s") % {"name": post}
    return form_page(request, form, title=title, back=reverse("post-list"))


# --- employees ---


@login_required
def employee_list(request):
    require(request, "organisation.list_employees")
    employees = employees_visible_to(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        employees = employees.filter(
            Q(employee_number__icontains=query)
            | Q(name_zh__icontains=query)
            | Q(name_en__icontains=query)
            | Q(user__username__icontains=query)
        )
    department_id = request.GET.get("department", "")
    if department_id.isdigit():
        employees = employees.filter(department_id=int(department_id))
    status = request.GET.get("status", "active")
    if status == "active":
        employees = employees.filter(is_active=True)
    elif status == "former":
        employees = employees.filter(is_active=False)
    page = Paginator(employees, EMPLOYEES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "department_id": department_id,
        "status": status,
        "departments": _filter_departments(request.user),
        "can_manage": request.user.has_perm("organisation.manage_organisation"),
    }
    return render(request, "organisation/employee_list.html", context)


def _filter_departments(user):
    """The department filter offers what the list can show: a head's own departments."""
    departments = departments_visible_to(user).filter(is_active=True)
    if sees_whole_organisation(user):
        return departments
    return departments.filter(pk__in=headed_department_ids(user))


@login_required
def employee_detail(request, pk):
    employee = get_object_or_404(employees_visible_to(request.user), pk=pk)
    require(request, "organisation.view_employee", employee)
    context = {
        "employee": employee,
        "assignments": employee.assignments.select_related("department", "post", "team").order_by("-start_date"),
        "can_manage": request.user.has_perm("organisation.manage_organisation"),
    }
    if request.user.has_perm("organisation.view_employee_history", employee):
        context["changes"] = change_log(employee)
    return render(request, "organisation/employee_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def employee_create(request):
    require(request, "organisation.manage_organisation")
    form = EmployeeCreateForm(posted(request), initial={"department": request.GET.get("department")})
    saved = {}
    if request.method == "POST" and apply_form(
        form, lambda d: saved.setdefault("e", services.create_employee(by=request.user, **d))
    ):
        messages.success(request, _("Employee created."))
        return redirect("employee-detail", pk=saved["e"].pk)
    return form_page(request, form, title=_("New employee"), back=reverse("employee-list"))


@login_required
@require_http_methods(["GET", "POST"])
def employee_update(request, pk):
    employee = get_object_or_404(employees_visible_to(request.user), pk=pk)
    require(request, "organisation.manage_organisation")
    form = EmployeeUpdateForm(posted(request), employee=employee)
    if request.method == "POST" and apply_form(
        form, lambda d: services.update_employee(by=request.user, employee=employee, **d)
    ):
        messages.success(request, _("Employee saved."))
        return redirect("employee-detail", pk=pk)
    title = _("Edit %(name)s") % {"name": employee}
    return form_page(request, form, title=title, back=reverse("employee-detail", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def employee_move(request, pk):
    employee = get_object_or_404(employees_visible_to(request.user), pk=pk)
    require(request, "organisation.manage_organisation")
    form = EmployeeMoveForm(
        posted(request), initial={"department": employee.department_id, "post": employee.post_id, "team": employee.team_id}
    )
    if request.method == "POST" and apply_form(
        form, lambda d: services.move_employee(by=request.user, employee=employee, **d)
    ):
        messages.success(request, _("Employee moved. Earlier periods stay with the old department."))
        return redirect("employee-detail", pk=pk)
    title = _("Move %(name)s") % {"name": employee}
    return form_page(request, form, title=title, back=reverse("employee-detail", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def employee_deactivate(request, pk):
    employee = get_object_or_404(employees_visible_to(request.user), pk=pk)
    require(request, "organisation.manage_organisation")
    form = EmployeeDeactivateForm(posted(request))
    if request.method == "POST" and apply_form(
        form, lambda d: services.deactivate_employee(by=request.user, employee=employee, **d)
    ):
        messages.success(request, _("Employee marked as left; their log-in and API tokens are disabled."))
        return redirect("employee-detail", pk=pk)
    title = _("%(name)s leaves the company") % {"name": employee}
    return form_page(request, form, title=title, back=reverse("employee-detail", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def employee_set_password(request, pk):
    employee = get_object_or_404(employees_visible_to(request.user), pk=pk)
    require(request, "organisation.manage_organisation")
    form = SetPasswordForm(employee.user, posted(request))
    if request.method == "POST" and apply_form(
        form, lambda d: services.set_employee_password(by=request.user, employee=employee, password=d["new_password1"])
    ):
        messages.success(request, _("Password set. Give it to the employee; they can change it after logging in."))
        return redirect("employee-detail", pk=pk)
    title = _("Password for %(name)s") % {"name": employee}
    return form_page(request, form, title=title, back=reverse("employee-detail", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def employee_import(request):
    require(request, "organisation.manage_organisation")

    def done(result):
        messages.success(request, _("%(n)s employees imported.") % {"n": len(result.created)})
        return redirect("employee-list")

    return xlsx_import_page(request, "organisation/employee_import.html", lambda data: import_employees(by=request.user, data=data), done)


@login_required
def employee_import_template(request):
    require(request, "organisation.manage_organisation")
    return xlsx_download(import_template(), "employee-import-template.xlsx")
