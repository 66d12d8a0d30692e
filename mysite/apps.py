from django.apps import AppConfig


class MysiteConfig(AppConfig):
    name = "mysite"
    verbose_name = "Shared infrastructure"
