from django.db import migrations

PERSPECTIVES = [
    ("financial", "Financial", "财务", 1),
    ("customer", "Customer", "客户", 2),
    ("internal_process", "Internal process", "内部流程", 3),
    ("learning_growth", "Learning & growth", "学习与成长", 4),
]


def create_perspectives(apps, schema_editor):
    Perspective = apps.get_model("strategy", "Perspective")
    for code, name_en, name_zh, order in PERSPECTIVES:
        Perspective.objects.update_or_create(code=code, defaults={"name_en": name_en, "name_zh": name_zh, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("strategy", "0001_initial")]

    operations = [migrations.RunPython(create_perspectives, migrations.RunPython.noop)]
