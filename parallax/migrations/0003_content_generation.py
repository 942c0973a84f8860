import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def install_triggers(apps, schema_editor):
    """The triggers that move the generation, on every content table there is now; those
    made by later migrations get theirs after migrating (parallax.generation.install)."""
    from parallax import generation

    generation.install(schema_editor.connection)


def remove_triggers(apps, schema_editor):
    from parallax import generation

    generation.remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('parallax', '0002_claim_deleted_action'),
        # The content tables that get triggers.
        ('sources', '0003_quotations'),
        ('annotations', '0008_name_variants'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ContentGeneration',
            fields=[
                ('id', models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ('number', models.BigIntegerField(default=0)),
                ('token', models.BigIntegerField(default=0)),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
