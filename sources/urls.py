from django.urls import path

from sources import views

app_name = "sources"

urlpatterns = [
    path("import/", views.import_articles, name="import"),
    path("import/jobs/", views.import_jobs, name="import-jobs"),
    path("import/jobs/<int:job_id>/", views.import_job, name="import-job"),
    path("import/jobs/<int:job_id>/status.json", views.import_job_status, name="import-job-status"),
    path("import/jobs/<int:job_id>/report.csv", views.import_job_csv, name="import-job-csv"),
]
