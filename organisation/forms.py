from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import Company, Department, Employee, Post, Role, Team
from .roles import roles_of


class DateInput(forms.DateInput):
    input_type = "date"


class LoginForm(AuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if Role.INTEGRATOR in roles_of(user) and len(roles_of(user)) == 1:
            raise forms.ValidationError(_("This account is for API access only."), code="api_only")


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = ["name_zh", "name_en", "fiscal_year_start_month", "appraisal_deadline_day", "time_zone", "max_scorecard_lines", "appraisal_min_days", "inspection_points_per_missing", "inspections_per_month"]


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["code", "name_zh", "name_en", "parent", "sort_order", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Department.objects.filter(is_active=True)


class DepartmentHeadForm(forms.Form):
    head = forms.ModelChoiceField(queryset=Employee.objects.none(), required=False, label=_("head"))

    def __init__(self, *args, department: Department, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head"].queryset = department.employees.filter(is_active=True)
        self.fields["head"].initial = department.head_id


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["code", "name_zh", "name_en", "leader", "is_active"]

    def __init__(self, *args, department: Department, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.department = department
        self.fields["leader"].queryset = department.employees.filter(is_active=True)


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["code", "name_zh", "name_en", "department", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class EmployeeCreateForm(forms.Form):
    employee_number = forms.CharField(label=_("employee number"), max_length=32)
    name_zh = forms.CharField(label=_("name (Chinese)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("name (English)"), max_length=100, required=False)
    username = forms.CharField(
        label=_("user name"), max_length=150, required=False, help_text=_("Empty: the employee number.")
    )
    email = forms.EmailField(label=_("e-mail"), required=False)
    department = forms.ModelChoiceField(label=_("department"), queryset=Department.objects.filter(is_active=True))
    post = forms.ModelChoiceField(label=_("post"), queryset=Post.objects.filter(is_active=True).select_related("department"))
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.filter(is_active=True), required=False)
    line_manager = forms.ModelChoiceField(
        label=_("line manager"), queryset=Employee.objects.filter(is_active=True), required=False
    )
    hire_date = forms.DateField(label=_("hire date"), widget=DateInput)

    def clean_employee_number(self):
        number = self.cleaned_data["employee_number"].strip()
        if Employee.objects.filter(employee_number=number).exists():
            raise forms.ValidationError(_("Employee number %(number)s is taken."), params={"number": number})
        return number

    def clean(self):
        data = super().clean()
        if not (data.get("name_zh", "").strip() or data.get("name_en", "").strip()):
            self.add_error("name_zh", _("Give a name in Chinese or in English."))
        return data


class EmployeeUpdateForm(forms.Form):
    employee_number = forms.CharField(label=_("employee number"), max_length=32)
    name_zh = forms.CharField(label=_("name (Chinese)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("name (English)"), max_length=100, required=False)
    email = forms.EmailField(label=_("e-mail"), required=False)
    line_manager = forms.ModelChoiceField(
        label=_("line manager"), queryset=Employee.objects.filter(is_active=True), required=False
    )
    hire_date = forms.DateField(label=_("hire date"), widget=DateInput)

    def __init__(self, *args, employee: Employee, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "employee_number": employee.employee_number,
                "name_zh": employee.name_zh,
                "name_en": employee.name_en,
                "email": employee.user.email,
                "line_manager": employee.line_manager_id,
                "hire_date": employee.hire_date,
            },
        )
        super().__init__(*args, **kwargs)
        self.employee = employee
        self.fields["line_manager"].queryset = Employee.objects.filter(is_active=True).exclude(pk=employee.pk)

    def clean_employee_number(self):
        number = self.cleaned_data["employee_number"].strip()
        if Employee.objects.filter(employee_number=number).exclude(pk=self.employee.pk).exists():
            raise forms.ValidationError(_("Employee number %(number)s is taken."), params={"number": number})
        return number


class EmployeeMoveForm(forms.Form):
    department = forms.ModelChoiceField(label=_("department"), queryset=Department.objects.filter(is_active=True))
    post = forms.ModelChoiceField(label=_("post"), queryset=Post.objects.filter(is_active=True).select_related("department"))
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.filter(is_active=True), required=False)
    effective_date = forms.DateField(label=_("effective from"), widget=DateInput)


class EmployeeDeactivateForm(forms.Form):
    leave_date = forms.DateField(label=_("leave date"), widget=DateInput)

