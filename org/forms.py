from django import forms
from django.utils.translation import gettext_lazy as _


class OrgImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Excel (.xlsx) or CSV with the columns 类型, 编码, 名称, 上级编码, 单位类别, 书记, 党员人数, 是否有效."
        ),
    )
