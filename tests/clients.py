"""Clients logged in as someone: the web (pages, the admin) and the API."""

from django.test import Client
from rest_framework.test import APIClient

from members.models import User


def web_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client(member: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(member)
    return client
